"""Exact decomposition: a case whose LP falls apart into independent parts
(`models.components`) is solved part by part, in parallel worker processes, and the
parts' plans are merged into the plan of the whole (`optimizer.lp.plan.merge_plans`).

The whole LP is the direct sum of the parts' LPs, so the merged plan is an optimum of
the whole, with the same objective (to rounding) and the same duals; the result tables
are extracted from it with the whole case's data, exactly as after a monolithic solve.
HiGHS's dual simplex time grows faster than linearly with the LP's size, so many small
LPs are solved faster than one large one even on one core.

The parts are solved without HiGHS's presolve. Measured on model v2's LPs (each read
from MPS and timed twice): M's parts 0.08-0.32 s against 0.14-0.56 s with presolve, L's
largest part 5.9-8.1 s against 7.1-10.5 s, of which presolve itself took 2.2 s: its
reductions (the fixed columns of instruments closed before a scenario's onset,
singleton rows) cost more than they save, since dual simplex never lets a fixed column
enter the basis. One LP keeps it: on L as one LP, presolve off took 232 s against
202-208 s with it (M as one LP: 3.6-3.9 s against 4.6-5.2 s; the evidence is mixed, so
HiGHS's default stays).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import time
from collections.abc import Callable

from models.data import Case
from models.index_sets import build_model_data
from optimizer.engine import CaseSolver, SolvedCase
from optimizer.lp.plan import PlanValues, merge_plans
from optimizer.results.tables import extract_results
from optimizer.solver import (
    PROGRESS_INTERVAL_S,
    Ranges,
    SolveProgress,
    SolverOptions,
    SolverOutcome,
    combined_outcome,
    combined_ranges,
    scaling_warnings,
    without_arrays,
)
from optimizer.timings import Timings

PartResult = tuple[PlanValues | None, SolverOutcome, dict[str, float], Ranges, object]
AlsoStep = Callable[[CaseSolver, SolvedCase], object]
"""Work done in the worker on a part it solved to optimality, on the part's built LP
(the report's extra solves: they warm-start from the part's basis)."""


def default_jobs() -> int:
    """One worker per core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def solve_part(part: Case, options: SolverOptions, formulation: str,
               also: AlsoStep | None = None) -> PartResult:
    """Solve one part on the fast path; its plan, its outcome without the solution
    arrays, its phase times, the ranges of its LP's numbers and what `also` returns
    (None unless the part is solved to optimality). Run in a worker."""
    timings = Timings()
    solver = CaseSolver(options, formulation)
    solved = solver.solve(part, timings, tables=False)
    extra = also(solver, solved) if also and solved.outcome.is_optimal else None
    return (solved.plan, without_arrays(solved.outcome), timings.seconds, solver.ranges,
            extra)


def solve_in_parts(case: Case, parts: list[Case], timings: Timings,
                   options: SolverOptions | None = None, formulation: str = "replicated",
                   jobs: int | None = None,
                   progress: Callable[[SolveProgress], None] | None = None,
                   warn: Callable[[str], None] | None = None,
                   also: AlsoStep | None = None) -> SolvedCase:
    """Solve `parts` (the independent parts of `case`) on `jobs` worker processes (in
    this process if 1) and merge them into the whole case's solution. The phase times
    are those of the whole run: build, hand-over and solve happen inside the parts and
    are reported together as ``solve`` (``build`` and ``handover`` stay in the summary,
    at 0); each part's own phases are summed under ``parts_<phase>`` (work, not wall
    time). `warn` hears the scaling warnings of the
    whole LP, from the parts' ranges combined. `also` runs in each worker on the part
    it solved (its results in `SolvedCase.per_part`)."""
    options = dataclasses.replace(options or SolverOptions(), presolve=False)
    jobs = max(1, min(jobs or default_jobs(), len(parts)))
    for phase in ("build", "handover"):  # inside the parts: keep the summary's keys
        timings.seconds.setdefault(phase, 0.0)
    with timings.phase("solve"):
        results = _run_parts(parts, options, formulation, jobs, progress, also)
    for _, _, seconds, _, _ in results:
        for phase, value in seconds.items():
            key = f"parts_{phase}"
            timings.seconds[key] = timings.seconds.get(key, 0.0) + value
    ranges = combined_ranges([r for _, _, _, r, _ in results])
    for warning in scaling_warnings(ranges) if warn else ():
        warn(warning)
    outcome = combined_outcome([outcome for _, outcome, *_ in results])
    data = build_model_data(case)
    plan = tables = None
    if outcome.has_solution:
        with timings.phase("extract"):
            plan = merge_plans([plan for plan, *_ in results])
            tables = extract_results(plan, data)
    return SolvedCase(case, data, None, outcome, plan, tables,
                      per_part=[extra for *_, extra in results])


def _worker_signals() -> None:
    """Workers leave Ctrl-C to this process, which stops them, and die quietly when it
    does (SIGTERM's default action, not the command line's handler)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_parts(parts: list[Case], options: SolverOptions, formulation: str, jobs: int,
               progress: Callable[[SolveProgress], None] | None,
               also: AlsoStep | None) -> list[PartResult]:
    if jobs == 1:
        return [solve_part(part, options, formulation, also) for part in parts]
    started = time.perf_counter()
    # fork: the workers start at once with the modules already imported; nothing in
    # this process holds a HiGHS instance or a thread of its own yet.
    pool = multiprocessing.get_context("fork").Pool(processes=jobs, initializer=_worker_signals)
    try:
        pending = [pool.apply_async(solve_part, (part, options, formulation, also))
                   for part in parts]
        next_report = PROGRESS_INTERVAL_S
        while not all(result.ready() for result in pending):
            time.sleep(0.1)
            elapsed = time.perf_counter() - started
            if progress and elapsed >= next_report:
                done = sum(result.ready() for result in pending)
                progress(SolveProgress(elapsed_s=elapsed, parts=len(parts), parts_done=done))
                next_report += PROGRESS_INTERVAL_S
        results = [result.get() for result in pending]
        pool.close()
        pool.join()
        return results
    finally:
        pool.terminate()  # on Ctrl-C, SIGTERM or a worker's error: no orphan workers
