"""The phases of a run, each callable alone: read → validate → build → hand over →
solve → extract → report. `run_case` strings them together with the error policy (what
is written, and the exit code, for every way a run can end); the command line only
parses arguments and prints, and a batch runner or a notebook calls the same."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from models.components import estimated_columns, independent_parts
from models.data import Case
from optimizer.analyses.extras import merge_extras, run_extras
from optimizer.case.load import case_name, load_case
from optimizer.case.workbook_reader import ReadLimits
from optimizer.decomposition import solve_in_parts
from optimizer.engine import CaseSolver, SolvedCase, solve_case
from optimizer.errors import (
    EXIT_NOT_OPTIMAL,
    EXIT_OK,
    InputError,
    InternalError,
    OutputError,
    SolverError,
    StockpileError,
)
from optimizer.report.decision import RunInfo
from optimizer.report.summary import summary, write_summary
from optimizer.report.workbook import detail_path, write_report
from optimizer.solver import INFEASIBLE, SolveProgress, SolverOptions
from optimizer.timings import Progress, Timings

__all__ = ["CaseSolver", "RunEvents", "RunOutcome", "RunRequest", "SolvedCase", "Timings",
           "case_name", "check_writable", "load_case", "run_case", "solve_case"]
"""`CaseSolver`, `solve_case`, `load_case` and `Timings` are re-exported: the pipeline is
where a notebook or a test starts."""


DECOMPOSE_FROM_COLUMNS = 50_000
"""Below about this many LP columns one LP is solved faster than its parts (measured on
the benchmark's S case, 14,300 columns in 3 parts: 2.0 s as one LP, 2.55 s by parts,
the forks and the parts' own builds outweighing HiGHS's gain; M, 384,000 columns in 10
parts: 6.6 s against 4.7 s)."""


@dataclass(frozen=True)
class RunRequest:
    """One case to run: where its outputs go and how to solve it."""

    case_path: Path
    report_path: Path | None = None
    """Default: reports/<case name>.xlsx."""
    summary_path: Path | None = None
    save_lp: Path | None = None
    solver: SolverOptions = field(default_factory=SolverOptions)
    formulation: str = "replicated"
    limits: ReadLimits | None = None
    decompose: bool = True
    """Solve independent parts separately (`optimizer.decomposition`); off: one LP."""
    jobs: int | None = None
    """Worker processes for the parts (default: one per core)."""
    extras: bool = True
    """The extra solves (value of the plan, of cooperation, EVPI, VSS); off for large
    batch runs (--no-extras)."""
    detail: bool = True
    """Write the detail workbook next to the report (`<report>.detail.xlsx`)."""
    engine_settings: tuple[tuple[str, object], ...] = ()
    """For a plan found by another engine (`optimizer.distributed`): what the Run sheet
    lists about it (engine, method, ranks, iterations)."""
    lower_bound: float | None = None
    """That engine's proven lower bound on the optimum (the Run sheet's gap)."""
    tool_version: str = field(default_factory=lambda: _installed_version())
    """Shown on the report's Run sheet: the command line gives `optimizer.__version__`
    (the package sits above this layer); by default, the installed distribution's."""

    @property
    def report(self) -> Path:
        return self.report_path or Path("reports") / f"{case_name(self.case_path)}.xlsx"


@dataclass
class RunOutcome:
    """How a run ended: its exit code (`optimizer.errors`), the error if any, the
    summary document and what was written."""

    exit_code: int
    error: StockpileError | None = None
    case: Case | None = None
    solved: SolvedCase | None = None
    document: dict | None = None
    warnings: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


@dataclass
class RunEvents:
    """What a caller hears while a case runs (each may be None): a phase ended, HiGHS
    is still running, a warning."""

    phase_done: Progress | None = None
    solving: Callable[[SolveProgress], None] | None = None
    warning: Callable[[str], None] | None = None


def run_case(request: RunRequest, events: RunEvents | None = None,
             solver: CaseSolver | None = None) -> RunOutcome:
    """Read, validate, solve and report one case, with the error policy:

    - input problems → exit 2, nothing written (`InputError` carries every problem);
    - an output path that cannot be written → exit 4, found before the solve starts;
    - an LP HiGHS finds infeasible → exit 1 (a valid case cannot be: a bug), the LP
      written next to the report for inspection;
    - no feasible plan (a time limit) → exit 3, only the JSON summary written;
    - a feasible plan not proven optimal → exit 3, report and summary written;
    - optimal → exit 0, report and summary written.

    A case that falls apart into independent parts is solved part by part in parallel
    workers (`request.decompose`, `request.jobs`), with the same plan and figures as one
    LP; `--save-lp` and a given `solver` solve it as one LP. Ctrl-C and SIGTERM
    propagate (nothing half-written is left). `solver` (a `CaseSolver`) may be passed
    to reuse a built model across runs.
    """
    events = events or RunEvents()
    outcome = RunOutcome(exit_code=EXIT_OK)

    def warn(text: str) -> None:
        outcome.warnings.append(text)
        if events.warning:
            events.warning(text)

    timings = Timings(progress=events.phase_done)
    try:
        check_writable([request.report, request.summary_path, request.save_lp,
                        detail_path(request.report) if request.detail else None])
        case, problems = load_case(request.case_path, timings, request.limits)
        outcome.case = case
        for problem in problems:
            warn(str(problem))
        parts = ([case] if solver is not None or request.save_lp or not request.decompose
                 or estimated_columns(case) < DECOMPOSE_FROM_COLUMNS
                 else independent_parts(case))
        if len(parts) > 1:
            solved = solve_in_parts(case, parts, timings, request.solver,
                                    request.formulation, request.jobs, events.solving, warn,
                                    also=run_extras if request.extras else None)
        else:
            solver = solver or CaseSolver(request.solver, request.formulation)
            solver.warn, solver.progress = warn, events.solving
            solved = solver.solve(case, timings, request.save_lp)
        outcome.solved = solved
        result = solved.outcome
        if result.status == INFEASIBLE:
            lp_path = request.report.with_suffix(".infeasible.mps")
            if solver is None:  # solved in parts: build the whole LP to show it
                solver = CaseSolver(request.solver, request.formulation)
                solver.solve(case, Timings(), save_lp=lp_path, tables=False)
            else:
                solver.write_lp(lp_path)
            raise InternalError(
                f"HiGHS found the LP {result.model_status.lower()}, which a valid case "
                f"cannot be (every shortfall is priced): this is a bug in stockpile. The LP "
                f"was written to {lp_path}; please report it with the case workbook.")
        extras = None
        if request.extras and solved.results is not None and result.is_optimal:
            with timings.phase("extras"):
                extras = (merge_extras(solved.per_part) if len(parts) > 1
                          else run_extras(solver, solved))
            for text in extras.warnings:
                warn(text)
        if solved.results is not None:
            run_info = _run_info(request, result, timings, outcome.warnings, extras,
                                 len(parts))
            with timings.phase("report"):
                outcome.written += write_report(request.report, case, solved.results,
                                                result.status, run_info,
                                                detail=request.detail)
        outcome.document = summary(case, result, solved.results, timings.seconds,
                                   outcome.warnings, extras,
                                   input_sha256=file_sha256(request.case_path),
                                   tool_version=request.tool_version)
        if request.summary_path:
            outcome.written.append(write_summary(request.summary_path, outcome.document))
        if solved.results is None:
            raise SolverError(f"HiGHS ended with status '{result.model_status}' and no "
                              "feasible plan; no report was written")
        if not result.is_optimal:
            warn(f"HiGHS stopped with status '{result.model_status}': the plan is feasible "
                 "but not proven optimal")
            outcome.exit_code = EXIT_NOT_OPTIMAL
    except InputError as error:
        for problem in error.warnings:
            warn(str(problem))
        outcome.error, outcome.exit_code = error, error.exit_code
    except StockpileError as error:
        outcome.error, outcome.exit_code = error, error.exit_code
    return outcome


def _run_info(request: RunRequest, result, timings: Timings, warnings: list[str], extras,
              parts: int) -> RunInfo:
    """What the report's Run sheet says about this run."""
    options = request.solver
    return RunInfo(
        status=result.status, case_file=Path(request.case_path).name,
        sha256=file_sha256(request.case_path), solver_version=result.version,
        solver_status=result.model_status, solver_seconds=result.run_time_s,
        lp_size=(result.num_columns, result.num_rows, result.num_nonzeros),
        settings=[("formulation", request.formulation),
                  ("time limit (s)", options.time_limit_s or "none"),
                  ("HiGHS threads", options.threads or "HiGHS's choice"),
                  ("independent parts solved", parts),
                  ("worker processes", request.jobs or "one per core"),
                  ("extra solves", "on" if request.extras else "off (--no-extras)"),
                  *request.engine_settings],
        lower_bound=request.lower_bound,
        timings=dict(timings.seconds), warnings=list(warnings), extras=extras,
        tool_version=request.tool_version)


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("stockpile-optimizer")
    except PackageNotFoundError:
        return "unknown"


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_writable(paths: list[Path | None]) -> None:
    """Every output path can be written: not a folder, in a folder that exists (or can
    be made) and that this process may write to. Checked before the solve starts, so a
    wrong `-o` costs nothing."""
    for path in paths:
        if path is None:
            continue
        path = Path(path)
        if path.is_dir():
            raise OutputError(f"cannot write {path}: it is a folder; give a file name")
        folder = next((p for p in [path.parent, *path.parent.parents] if p.exists()), None)
        if folder is None or not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            raise OutputError(f"cannot write {path}: {folder or path.parent} is not a "
                              "writable folder")
