"""`stockpile solve CASE.xlsx --engine mpisppy [--method ef|ph|lshaped]`, serially or
under ``mpiexec -n K``: every rank reads the case and takes part in mpi-sppy's method
(`optimizer.distributed.mpisppy_engine`); rank 0 then evaluates the plan on every
scenario with the core LP, stage one fixed at the plan (`optimizer.lp.fixed`), through
`pipeline.run_case`, so the report and the JSON summary are those of the extensive
form, with these keys added to the JSON: ``engine`` ("mpisppy"), ``method``,
``lower_bound`` (the method's bound on the optimum), ``gap`` ((objective − lower_bound)
/ |objective|: the objective is the plan's evaluated expected annual cost, an upper
bound), ``iterations``, ``mpi_ranks`` and ``engine_seconds``. Only rank 0 writes files;
every rank exits with rank 0's exit code.

A method that stopped at its iteration or time limit rather than its own test leaves
the plan feasible but not proven near-optimal: exit code 3, JSON status
``stopped_at_limit``, as for HiGHS at a time limit. The extra solves (value of the
plan, of cooperation, EVPI, VSS) are not run: each re-solves the whole stochastic
program, which is what the engine is there to avoid; their keys are null.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from models.index_sets import build_model_data
from optimizer.distributed.mpisppy_engine import EnginePlan, find_plan, load_mpisppy
from optimizer.distributed.scenarios import MEASURE_VARIABLES
from optimizer.engine import CaseSolver
from optimizer.errors import EXIT_INTERNAL, EXIT_NOT_OPTIMAL, EXIT_OK, StockpileError
from optimizer.pipeline import (
    RunEvents,
    RunOutcome,
    RunRequest,
    check_writable,
    load_case,
    run_case,
)
from optimizer.report.summary import write_summary
from optimizer.report.workbook import detail_path
from optimizer.timings import Timings

ENGINE = "mpisppy"


@dataclass
class DistributedOutcome:
    """A run on mpi-sppy: rank 0's `RunOutcome` (the others get one with the exit code
    only) and the engine's plan and bounds."""

    run: RunOutcome
    rank: int
    engine: EnginePlan | None = None


def run_distributed(request: RunRequest, method: str,
                    events: RunEvents | None = None) -> DistributedOutcome:
    """Find the plan with mpi-sppy's `method` over the MPI ranks, evaluate and report it
    on rank 0 (see the module's docstring). Raises `InputError` if the extra is missing."""
    events = events or RunEvents()
    comm = load_mpisppy()
    rank = comm.Get_rank()
    outcome = RunOutcome(exit_code=EXIT_OK)
    engine = None
    try:
        check_writable([request.report, request.summary_path,
                        detail_path(request.report) if request.detail else None])
        timings = Timings(progress=events.phase_done if rank == 0 else None)
        case, _ = load_case(request.case_path, timings)
        with timings.phase(f"mpi-sppy {method}"):
            engine = find_plan(build_model_data(case), method, comm,
                               request.solver.time_limit_s)
    except StockpileError as error:
        outcome.error, outcome.exit_code = error, error.exit_code
    if rank == 0 and engine is not None:
        outcome = _evaluate(request, engine, events)
    code = comm.bcast(outcome.exit_code if rank == 0 else None, root=0)
    if rank != 0:
        outcome = RunOutcome(exit_code=EXIT_INTERNAL if code is None else code,
                             error=outcome.error if outcome.exit_code == code else None)
    return DistributedOutcome(outcome, rank, engine)


def _evaluate(request: RunRequest, engine: EnginePlan, events: RunEvents) -> RunOutcome:
    """The plan on every scenario: the core LP with stage one fixed, reported by
    `run_case`; the engine's keys added to the JSON summary, written here."""
    # η and θ of a risk objective stay free: the LP finds the plan's own measure
    insurance = {name: values for name, values in engine.plan.items()
                 if name not in MEASURE_VARIABLES}
    solver = CaseSolver(request.solver, request.formulation, fixed_stage_one=insurance)
    engine_settings = (("engine", f"{ENGINE} {engine.method}"), ("MPI ranks", engine.ranks),
                       ("engine iterations", engine.iterations),
                       ("engine time (s)", round(engine.seconds, 3)),
                       ("engine's lower bound", engine.lower_bound))
    outcome = run_case(dataclasses.replace(request, summary_path=None, extras=False,
                                           engine_settings=engine_settings,
                                           lower_bound=engine.lower_bound),
                       events, solver=solver)
    document = outcome.document
    if document is None:
        return outcome
    objective = document.get("objective")
    gap = (None if objective is None else
           max(0.0, objective - engine.lower_bound) / max(abs(objective), 1e-12))
    document.update({"engine": ENGINE, "method": engine.method,
                     "lower_bound": engine.lower_bound, "gap": gap,
                     "iterations": engine.iterations, "mpi_ranks": engine.ranks,
                     "engine_seconds": round(engine.seconds, 3)})
    proven = outcome.exit_code == EXIT_OK
    if proven and engine.lower_bound > objective + 1e-9 * max(1.0, abs(objective)):
        _not_proven(outcome, events, f"mpi-sppy's {engine.method} gave a lower bound "
                    f"({engine.lower_bound:,.6g}) above the plan's evaluated cost "
                    f"({objective:,.6g}): the bound is not valid")
        document["gap"] = None
    elif proven and not engine.converged:
        _not_proven(outcome, events, f"mpi-sppy's {engine.method} stopped at its iteration "
                    f"or time limit after {engine.iterations} iterations: the plan is "
                    f"feasible, its gap to the lower bound is {gap:.3%}")
    if request.summary_path:
        try:
            outcome.written.append(write_summary(request.summary_path, document))
        except StockpileError as error:
            outcome.error, outcome.exit_code = error, error.exit_code
    return outcome


def _not_proven(outcome: RunOutcome, events: RunEvents, text: str) -> None:
    """The plan is reported but not proven near-optimal: exit 3, status
    stopped_at_limit, the reason among the warnings."""
    outcome.document["warnings"].append(text)
    outcome.document["status"] = "stopped_at_limit"
    outcome.warnings.append(text)
    if events.warning:
        events.warning(text)
    outcome.exit_code = EXIT_NOT_OPTIMAL
