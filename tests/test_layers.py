"""The layer rule: each module imports only from its own layer or the layers below it.

    models                      the math: case data, sparse sets, constraints, objective
    optimizer.errors, .files,   typed errors and exit codes; atomic file writes; phase
      .timings                  timings
    optimizer.case              the workbook format: schema, bounded reading, validation
    optimizer.solver            HiGHS: LP arrays in, solution arrays out
    optimizer.lp                the model compiled to arrays (fast path, reference path)
    optimizer.results           the solved plan as tidy tables, with column metadata
    optimizer.engine,           build or update, solve and extract one case (CaseSolver);
      .decomposition            or its independent parts in parallel workers
    optimizer.report            the report workbook and the JSON summary
    optimizer.analyses          re-solves built on the above (value of the plan, ...)
    optimizer.pipeline          the phases of a run, the error policy
    optimizer.batch,            many runs, each in a worker process of its own; one case's
      .distributed              scenarios or a batch's cases over MPI ranks (mpi-sppy)
    optimizer.cli               argument parsing and printing

A test that cannot fail is a defect: `test_the_rule_catches_an_upward_import` checks
the checker on a made-up module.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = [
    ("models",),
    ("optimizer.errors", "optimizer.files", "optimizer.timings"),
    ("optimizer.case",),
    ("optimizer.solver",),
    ("optimizer.lp",),
    ("optimizer.results",),
    ("optimizer.engine", "optimizer.decomposition"),
    ("optimizer.report",),
    ("optimizer.analyses",),
    ("optimizer.pipeline",),
    ("optimizer.batch", "optimizer.distributed"),
    ("optimizer.cli", "optimizer.__main__", "optimizer"),
]


def layer_of(module: str) -> int | None:
    """The layer of a dotted module name (the longest matching prefix), None if it is
    not the project's."""
    best, length = None, -1
    for level, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > length:
                best, length = level, len(prefix)
    return best


def imports_of(source: str, module: str) -> list[str]:
    """Every module `source` imports, with relative imports resolved."""
    found = []
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            found.append(base)
    return found


def violations(source: str, module: str) -> list[str]:
    own = layer_of(module)
    return [f"{module} (layer {own}) imports {target} (layer {layer_of(target)})"
            for target in imports_of(source, module)
            if layer_of(target) is not None and layer_of(target) > own]


def project_modules():
    for folder in ("models", "optimizer"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path.read_text(encoding="utf-8")


def test_every_module_imports_only_downwards():
    found = [v for module, source in project_modules() for v in violations(source, module)]
    assert found == []


def test_every_module_has_a_layer():
    assert [m for m, _ in project_modules() if layer_of(m) is None] == []


def test_the_rule_catches_an_upward_import():
    assert violations("from optimizer.pipeline import run_case\n", "models.flows")
    assert violations("import optimizer.report.workbook\n", "optimizer.results")
    assert violations("from ..pipeline import x\n", "optimizer.lp.plain")
    assert not violations("from models.data import Case\n", "optimizer.case.validation")
