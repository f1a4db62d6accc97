"""The LP hand-over: the model of `models` compiled into the arrays HiGHS takes, by the
fast replicated path or the whole-model reference, and the solution read back by
component."""

import pyomo.common.dependencies as pyomo_dependencies


def _skip_pyomo_scipy_hook() -> None:
    """Pyomo imports ``scipy.stats``, ``scipy.integrate`` and ``scipy.spatial`` when its
    deferred scipy import resolves (when its compiler first uses ``scipy.sparse``, or on
    the first ``import scipy`` after Pyomo's), though no LP needs them: 0.35–0.8 s of
    every solve's start-up here. This drops that callback. It runs here, where the
    compilers are imported, after Pyomo has declared the deferred import and before
    anything resolves it; modules that only need HiGHS (`optimizer.solver`, the
    benchmark's yardstick) import neither Pyomo nor this. If Pyomo renames what it
    touches, nothing breaks: the callback simply runs again, and
    tests/test_cli.py::test_a_solve_does_not_import_scipy_stats says so."""
    finder = getattr(pyomo_dependencies, "DeferredImportCallbackFinder", None)
    for indicator in getattr(finder, "_callbacks", {}).get("scipy", ()):
        indicator._callback = None


_skip_pyomo_scipy_hook()
