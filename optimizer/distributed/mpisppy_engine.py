"""One case's stage-one plan found by mpi-sppy, its scenarios spread over the MPI ranks.

==========  ==========================================================================
method      what runs, and the lower bound it gives
==========  ==========================================================================
``ef``      mpi-sppy's extensive form (`sputils.create_EF` over every scenario model,
            solved by HiGHS on rank 0): the optimum itself, so lower bound = objective
``ph``      progressive hedging (`mpisppy.opt.ph.PH`, scenarios spread over the ranks),
            stopped by the primal-dual converger (mpi-sppy's default test stopped early,
            far from the optimum), rho per variable from its cost in F; the plan is
            x̄, the consensus; the lower bound is the better of the trivial bound
            (each scenario with its own stage one) and the Lagrangian bound of the last
            weights (`post_solve_bound`), both valid with bounded stage-one variables
``lshaped`` mpi-sppy's L-shaped method (`mpisppy.opt.lshaped.LShapedMethod`: Benders cuts
            from the scenario subproblems, spread over the ranks, into a master on rank
            0); the plan is the master's; the lower bound its objective, with each
            scenario's recourse bounded below by 0 (every cost is ≥ 0)
==========  ==========================================================================

Every subproblem is solved by the ``highs`` solver of `pyomo.contrib.solver`
(``appsi_highs`` cannot solve PH's quadratic subproblems well), with
``qp_regularization_value`` 1e-5 (HiGHS's QP solver looped for minutes on a PH
subproblem without it, HiGHS#1583) and always a time limit.

The scenario models come from `optimizer.distributed.scenarios.scenario_creator`, built by
the same code as the extensive form. The plan is then evaluated on every scenario by the
core LP (`optimizer.distributed.solve`), which gives the upper bound.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from dataclasses import dataclass

from models.index_sets import ModelData
from optimizer.distributed.scenarios import gross_requirements, scenario_creator
from optimizer.errors import InputError, InternalError, Problem, SolverError
from optimizer.lp.fixed import StagePlan

METHODS = ("ef", "ph", "lshaped")
SOLVER = "highs"
"""pyomo.contrib.solver's HiGHS, through Pyomo's solver factory."""

INSTALL_HINT = "pip install -e '.[mpi]'"

SUBPROBLEM_TIME_LIMIT_S = 600.0
"""HiGHS's limit on one subproblem when the run has no --time-limit."""

PH_ITERATION_LIMIT = 1000
PH_RHO_FACTOR = 1.0
"""rho_j = factor × c_j, c_j the variable's yearly cost in F (a variable without cost
takes 1 % of the mean cost): PH's penalty on straying from x̄ in the objective's units."""
PH_CONVERGENCE_TOL = 1e-6
"""The primal-dual converger's tolerance, relative to the sum of the stage-one upper
bounds (its measures are Σ π ‖x − x̄‖₁ and rho·‖x̄ − x̄_prev‖₁, in units)."""
LSHAPED_ITERATION_LIMIT = 1000


@dataclass
class EnginePlan:
    """What mpi-sppy found: the stage-one plan, a lower bound on the optimum, whether
    the method met its own stopping test (not an iteration or time limit)."""

    method: str
    plan: StagePlan
    lower_bound: float
    iterations: int
    converged: bool
    seconds: float
    ranks: int


def load_mpisppy():
    """Import mpi-sppy, or say how to install it: an `InputError` (exit code 2). An
    mpi4py without an MPI library makes mpi-sppy's import fail with RuntimeError."""
    try:
        with quiet_stdout():
            import mpisppy  # noqa: F401
            from mpisppy.opt import lshaped, ph  # noqa: F401
    except ImportError as error:
        raise InputError([Problem("", "", (
            f"--engine mpisppy needs the optional extra 'mpi' (mpi-sppy, mpi4py and the "
            f"MPICH library): install it with  {INSTALL_HINT}  ({error})"))]) from None
    except RuntimeError as error:
        raise InputError([Problem("", "", (
            "--engine mpisppy: mpi4py is installed but finds no MPI library "
            f"({error}); install the extra with  {INSTALL_HINT}  (it brings the 'mpich' "
            "wheel), or point mpi4py at the cluster's MPI"))]) from None
    from mpisppy import MPI

    return MPI.COMM_WORLD


@contextlib.contextmanager
def quiet_stdout():
    """mpi-sppy and HiGHS print progress on standard output (file descriptor 1, from
    Python and from C): sent to stderr meanwhile, so that stdout keeps only the run's
    summary."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def solver_options(time_limit_s: float | None, quadratic: bool) -> dict:
    options = {"time_limit": time_limit_s or SUBPROBLEM_TIME_LIMIT_S}
    if quadratic:
        options["qp_regularization_value"] = 1e-5
    return options


def find_plan(data: ModelData, method: str, comm, time_limit_s: float | None = None
              ) -> EnginePlan:
    """Run `method` on every rank of `comm` (collective); every rank gets the plan."""
    if method not in METHODS:
        raise InputError([Problem("", "", f"--method must be one of {', '.join(METHODS)}, "
                                  f"got {method!r}")])
    kwargs = {"data": data, "requirements": gross_requirements(data)}
    started = time.perf_counter()
    with quiet_stdout():
        run = {"ef": _extensive_form, "ph": _progressive_hedging, "lshaped": _lshaped}[method]
        plan, lower_bound, iterations, converged = run(data, kwargs, comm, time_limit_s)
    if not math.isfinite(lower_bound):  # the same on every rank: each raises
        raise InternalError(f"mpi-sppy's {method} gave no finite lower bound "
                            f"({lower_bound}): this is a bug in stockpile; please report it")
    return EnginePlan(method, plan, lower_bound, iterations, converged,
                      time.perf_counter() - started, comm.Get_size())


def _plan_of(variables) -> StagePlan:
    """The stage-one plan read from nonant variables (and their values)."""
    plan: StagePlan = {}
    for var, value in variables:
        plan.setdefault(var.parent_component().local_name, {})[var.index()] = float(value)
    return plan


def _extensive_form(data, kwargs, comm, time_limit_s):
    import pyomo.environ as pyo
    from mpisppy.utils import sputils

    found = None
    if comm.Get_rank() == 0:
        model = sputils.create_EF(data.scenarios, scenario_creator,
                                  scenario_creator_kwargs=kwargs)
        solver = pyo.SolverFactory(SOLVER)
        for key, value in solver_options(time_limit_s, quadratic=False).items():
            solver.options[key] = value
        results = solver.solve(model, load_solutions=False)
        if sputils.not_good_enough_results(results):
            found = SolverError(f"the extensive form ended with "
                                f"{results.solver.termination_condition}")
        else:
            model.solutions.load_from(results)
            first = getattr(model, data.scenarios[0])
            variables = first._mpisppy_node_list[0].nonant_vardata_list
            found = (_plan_of((v, v.value) for v in variables), pyo.value(model.EF_Obj))
    found = comm.bcast(found, root=0)
    if isinstance(found, Exception):
        raise found
    plan, objective = found
    return plan, objective, 1, True


def _rho_setter(model):
    """rho_j = PH_RHO_FACTOR × (the yearly cost of x_j in F, or 1 % of the mean cost
    if it has none)."""
    from pyomo.repn import generate_standard_repn

    repn = generate_standard_repn(model.stage_one_cost.expr, compute_values=True)
    cost = {id(v): abs(c) for v, c in zip(repn.linear_vars, repn.linear_coefs, strict=True)}
    positive = [c for c in cost.values() if c > 0]
    floor = 0.01 * (sum(positive) / len(positive) if positive else 1.0)
    return [(id(v), PH_RHO_FACTOR * max(cost.get(id(v), 0.0), floor))
            for v in model._mpisppy_data.nonant_indices.values()]


def _progressive_hedging(data, kwargs, comm, time_limit_s):
    from mpisppy.convergers.primal_dual_converger import PrimalDualConverger
    from mpisppy.opt.ph import PH
    from mpisppy.utils.sputils import solver_options_layer

    scale = _upper_bound_sum(data, kwargs["requirements"])
    options = {
        "solver_name": SOLVER, "PHIterLimit": PH_ITERATION_LIMIT, "defaultPHrho": 1.0,
        "convthresh": -1.0,  # mpi-sppy's own test off: the converger decides
        "verbose": False, "display_progress": False, "time_limit": time_limit_s,
        "solver_options_layers": [
            solver_options_layer("iter0", solver_options(time_limit_s, quadratic=False)),
            solver_options_layer("iterk", solver_options(time_limit_s, quadratic=True))],
        "primal_dual_converger_options": {"tol": PH_CONVERGENCE_TOL * max(scale, 1.0)},
    }
    ph = PH(options, data.scenarios, scenario_creator, scenario_creator_kwargs=kwargs,
            mpicomm=comm, ph_converger=PrimalDualConverger, rho_setter=_rho_setter)
    _, _, trivial_bound = ph.ph_main()
    iterations = ph._PHIter
    converged = ph.convobject is not None and ph.convobject.is_converged()
    scenario = next(iter(ph.local_scenarios.values()))
    xbar = [(var, scenario._mpisppy_model.xbars[key].value)
            for key, var in scenario._mpisppy_data.nonant_indices.items()]
    plan = _plan_of(xbar)
    bound = ph.post_solve_bound(solver_options=solver_options(time_limit_s, quadratic=False))
    return plan, max(trivial_bound, bound), iterations, converged


def _upper_bound_sum(data: ModelData, requirements: dict[str, float]) -> float:
    case = data.case
    stock = sum(max(case.stockpiles[n, g].min, requirements[g])
                if case.stockpiles[n, g].max is None else case.stockpiles[n, g].max
                for n, g in data.stocks)
    return stock + sum(case.production[k].spare_max for k in data.spare)


def _lshaped(data, kwargs, comm, time_limit_s):
    import pyomo.environ as pyo
    from mpisppy.opt.lshaped import LShapedMethod

    options = {
        "root_solver": SOLVER, "sp_solver": SOLVER, "max_iter": LSHAPED_ITERATION_LIMIT,
        "verbose": False, "valid_eta_lb": dict.fromkeys(data.scenarios, 0.0),
        "root_solver_options": solver_options(time_limit_s, quadratic=False),
        "sp_solver_options": solver_options(time_limit_s, quadratic=False),
    }
    method = LShapedMethod(options, data.scenarios, scenario_creator, mpicomm=comm,
                           scenario_creator_kwargs=kwargs)
    started = time.perf_counter()

    class TimeLimit:
        """Stops the L-shaped loop once `time_limit_s` has passed on rank 0's clock
        (broadcast: every rank leaves the loop at the same iteration)."""

        def __init__(self, method, rank, size):
            pass

        def convergence_value(self) -> float:
            return time.perf_counter() - started

        def is_converged(self) -> bool:
            over = time_limit_s is not None and self.convergence_value() >= time_limit_s
            return bool(comm.bcast(over, root=0))

    method.lshaped_algorithm(converger=TimeLimit)
    converged = bool(getattr(method, "first_stage_solution_available", False))
    converged = bool(comm.bcast(converged, root=0))
    plan = _plan_of((v, v.value) for v in method.root_vars)
    # the master's optimum (mpi-sppy's own bound is read from the solver's results,
    # which HiGHS left NaN on a CVaR case)
    bound = comm.bcast(pyo.value(method.root.obj) if comm.Get_rank() == 0 else None, root=0)
    return plan, float(bound), method.iter + 1, converged
