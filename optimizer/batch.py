"""Batch runs: many case workbooks solved in parallel, each in a process of its own.

Every case runs `pipeline.run_case` (the one error policy, the one exit code per case)
in a worker process forked for it alone, with `RunRequest(jobs=1)`: the batch already
uses the cores, so no case starts a pool of its own. A case that fails, is hostile or
crashes its worker touches nothing but its own outputs: a worker that dies (a signal,
the out-of-memory killer) or runs past the case time limit is reported by file name with
the reason, its half-written temporary files are removed, and the next case starts.

Each case writes `<out-dir>/<case name>.xlsx`, `.detail.xlsx` and `.json`; the batch
writes `<out-dir>/batch.xlsx` (the cases side by side) and `batch.json` (every case
with its outcome), both atomically.

Under ``mpiexec -n K`` (`optimizer.distributed.mpi.world`) the cases to solve are dealt
out over the K ranks (rank r takes every K-th, from the r-th), each rank solving its
share in its own workers (``--jobs`` per rank, default 1: mpiexec starts one rank per
core); rank 0 gathers the results and writes batch.xlsx and batch.json, the same as on
one machine (with ``mpi_ranks`` K).

The batch's exit code is the most severe of its cases' (`SEVERITY`): 1 (a bug, or a
worker that died) before 4 (an output not written) before 2 (an input error) before 3
(not proven optimal; a case past its time limit), else 0.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from optimizer.case.load import case_name
from optimizer.decomposition import default_jobs
from optimizer.distributed.mpi import world
from optimizer.errors import (
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_NOT_OPTIMAL,
    EXIT_OK,
    EXIT_OUTPUT,
    InputError,
    Problem,
)
from optimizer.files import write_atomically
from optimizer.pipeline import RunRequest, check_writable, file_sha256, run_case
from optimizer.report.batch_workbook import write_batch_workbook
from optimizer.report.workbook import detail_path
from optimizer.solver import SolverOptions

SEVERITY = [EXIT_INTERNAL, EXIT_OUTPUT, EXIT_INPUT, EXIT_NOT_OPTIMAL, EXIT_OK]
"""Most severe first: the batch exits with the first of these that any case has."""

BATCH_NAME = "batch"
"""The batch's own outputs: <out-dir>/batch.xlsx and batch.json."""

TERMINATE_GRACE_S = 2.0
"""A worker past its time limit gets SIGTERM (it removes its temporary files and
exits), then SIGKILL after this long."""

# outcomes of a case
SOLVED, NOT_OPTIMAL, RESUMED = "solved", "not_optimal", "skipped"
INPUT_ERROR, OUTPUT_ERROR, INTERNAL_ERROR = "input_error", "output_error", "internal_error"
CRASHED, TIMED_OUT = "worker_died", "case_time_limit"
_BY_EXIT_CODE = {EXIT_OK: SOLVED, EXIT_NOT_OPTIMAL: NOT_OPTIMAL, EXIT_INPUT: INPUT_ERROR,
                 EXIT_OUTPUT: OUTPUT_ERROR}


@dataclass(frozen=True)
class BatchRequest:
    cases: list[Path]
    """Case workbooks, or folders (every .xlsx in them, not recursively)."""
    out_dir: Path = Path("reports")
    jobs: int | None = None
    """Worker processes (default: one per core)."""
    resume: bool = False
    """Skip a case whose report and JSON exist, solved to optimality from an input with
    the same SHA-256 by the same tool version."""
    case_time_limit_s: float | None = None
    """Wall-clock limit of one case's worker; past it the worker is stopped."""
    solver: SolverOptions = field(default_factory=SolverOptions)
    extras: bool = True
    detail: bool = True
    tool_version: str = "unknown"


@dataclass
class CaseResult:
    """One case's line of the batch JSON."""

    file: str
    path: str
    case: str
    outcome: str
    exit_code: int
    status: str | None = None
    """The case JSON's status (optimal, stopped_at_limit, ...); null if not solved."""
    error: str | None = None
    report: str | None = None
    detail: str | None = None
    summary: str | None = None
    objective: float | None = None
    seconds: float | None = None
    warnings: int = 0

    @property
    def failed(self) -> bool:
        return self.exit_code != EXIT_OK


@dataclass
class BatchOutcome:
    exit_code: int
    cases: list[CaseResult]
    workbook: Path
    summary: Path
    elapsed_s: float
    rank: int = 0
    """Under mpiexec, this process's rank: a rank other than 0 holds only its own
    cases and wrote no batch file."""

    @property
    def failures(self) -> list[CaseResult]:
        return [case for case in self.cases if case.failed]


@dataclass
class BatchEvents:
    """What a caller hears: the batch's size once known, a case started, a case ended."""

    planned: Callable[[int, int], None] | None = None
    """(cases to run, cases skipped by --resume)."""
    started: Callable[[Path], None] | None = None
    finished: Callable[[CaseResult], None] | None = None


def find_cases(sources: list[Path], out_dir: Path) -> list[Path]:
    """The case workbooks named or in the folders named (sorted, Excel's `~$` lock files,
    hidden files and anything inside `out_dir` left out); a path that does not exist is
    kept (its case fails with the reader's message)."""
    found: list[Path] = []
    out = out_dir.resolve()
    for source in sources:
        if source.is_dir():
            found += sorted(
                p for p in source.iterdir()
                if p.suffix.lower() == ".xlsx" and p.is_file()
                and not p.name.startswith(("~$", ".")) and p.resolve().parent != out)
        else:
            found.append(source)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def run_batch(request: BatchRequest, events: BatchEvents | None = None) -> BatchOutcome:
    """Solve every case of `request`, write the batch workbook and JSON. Raises
    `InputError` (nothing solved) if there are no cases or two would write the same
    file, `OutputError` if the output folder cannot be written."""
    events = events or BatchEvents()
    started = time.perf_counter()
    paths = find_cases(list(request.cases), request.out_dir)
    if not paths:
        raise InputError([Problem("", "", "no case workbooks (.xlsx) found in "
                                  + ", ".join(str(p) for p in request.cases))])
    workbook = request.out_dir / f"{BATCH_NAME}.xlsx"
    summary = request.out_dir / f"{BATCH_NAME}.json"
    _check_names(paths, request, [workbook, summary])
    check_writable([workbook, summary])
    request.out_dir.mkdir(parents=True, exist_ok=True)

    results: dict[Path, CaseResult] = {}
    to_run: list[Path] = []
    for path in paths:
        done = _resumable(path, request) if request.resume else None
        if done is None:
            to_run.append(path)
        else:
            results[path] = done
    if events.planned:
        events.planned(len(to_run), len(results))
    for path in paths:
        if path in results and events.finished:
            events.finished(results[path])
    comm = world()
    ranks = 1 if comm is None else comm.Get_size()
    if comm is not None:
        to_run = to_run[comm.Get_rank()::ranks]
    jobs = max(1, min(request.jobs or (default_jobs() if comm is None else 1),
                      len(to_run) or 1))
    for result in _run_workers(to_run, request, jobs, events):
        results[Path(result.path)] = result
    if comm is not None:
        mine = [results[path] for path in to_run]
        shares = comm.gather(mine, root=0)
        if comm.Get_rank() != 0:
            exit_code = comm.bcast(None, root=0)
            return BatchOutcome(exit_code, mine, workbook, summary,
                                time.perf_counter() - started, comm.Get_rank())
        for result in (r for share in shares for r in share):
            results[Path(result.path)] = result

    ordered = [results[path] for path in paths]
    codes = {result.exit_code for result in ordered}
    exit_code = next(code for code in SEVERITY if code in codes or code == EXIT_OK)
    elapsed = time.perf_counter() - started
    try:
        _write_batch(request, ordered, exit_code, elapsed, jobs, ranks, workbook, summary)
    finally:  # the other ranks wait for rank 0's exit code (4 if its files failed)
        if comm is not None:
            comm.bcast(exit_code if sys.exc_info()[0] is None else EXIT_OUTPUT, root=0)
    return BatchOutcome(exit_code, ordered, workbook, summary, elapsed)


def _write_batch(request: BatchRequest, ordered: list[CaseResult], exit_code: int,
                 elapsed: float, jobs: int, ranks: int, workbook: Path,
                 summary: Path) -> None:
    """batch.xlsx and batch.json."""
    documents = [_read_json(result.summary) for result in ordered]
    write_batch_workbook(workbook, [asdict(result) for result in ordered], documents)
    document = {
        "tool_version": request.tool_version, "exit_code": exit_code,
        "elapsed_s": round(elapsed, 3), "jobs": jobs, "out_dir": str(request.out_dir),
        "workbook": str(workbook), "mpi_ranks": ranks,
        "counts": {"cases": len(ordered),
                   "solved": sum(r.outcome == SOLVED for r in ordered),
                   "skipped": sum(r.outcome == RESUMED for r in ordered),
                   "failed": sum(r.failed for r in ordered)},
        "cases": [asdict(result) for result in ordered]}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    write_atomically(summary, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def outputs(path: Path, request: BatchRequest) -> tuple[Path, Path | None, Path]:
    """A case's report, detail workbook (None without it) and JSON summary."""
    report = request.out_dir / f"{case_name(path)}.xlsx"
    return (report, detail_path(report) if request.detail else None,
            report.with_suffix(".json"))


def _check_names(paths: list[Path], request: BatchRequest, own: list[Path]) -> None:
    writer: dict[str, str] = {str(p): "the batch itself" for p in own}
    clashes = []
    for path in paths:
        for target in outputs(path, request):
            if target is None:
                continue
            if str(target) in writer:
                clashes.append(Problem("", "", f"{path} and {writer[str(target)]} would "
                                       f"both write {target}; rename one"))
            writer[str(target)] = str(path)
    if clashes:
        raise InputError(clashes)


def _resumable(path: Path, request: BatchRequest) -> CaseResult | None:
    """The earlier result of `path` if it can be kept: report, detail workbook (if
    asked for) and JSON all there, the JSON saying optimal, for an input with the same
    SHA-256, by the same tool version."""
    report, detail, summary = outputs(path, request)
    if not (report.is_file() and summary.is_file() and (detail is None or detail.is_file())):
        return None
    document = _read_json(str(summary))
    try:
        sha = file_sha256(path)
    except OSError:
        return None
    if (document is None or document.get("status") != "optimal"
            or document.get("input_sha256") != sha
            or document.get("tool_version") != request.tool_version):
        return None
    return CaseResult(file=path.name, path=str(path), case=case_name(path), outcome=RESUMED,
                      exit_code=EXIT_OK, status="optimal", report=str(report),
                      detail=str(detail) if detail else None, summary=str(summary),
                      objective=document.get("objective"), seconds=0.0,
                      warnings=len(document.get("warnings") or []))


def _read_json(path: str | None) -> dict | None:
    if not path:
        return None
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


# --- the workers ---------------------------------------------------------------------


@dataclass
class _Running:
    path: Path
    process: multiprocessing.process.BaseProcess
    connection: Connection
    started: float
    result: CaseResult | None = None
    stopping_since: float | None = None
    timed_out: bool = False


def _run_workers(paths: list[Path], request: BatchRequest, jobs: int, events: BatchEvents):
    """Yield each case's result as its worker ends, `jobs` workers at a time."""
    # fork: a worker starts at once with the modules already imported; this process
    # holds no HiGHS instance and no thread of its own.
    context = multiprocessing.get_context("fork")
    queue = list(paths)
    running: list[_Running] = []
    try:
        while queue or running:
            while queue and len(running) < jobs:
                path = queue.pop(0)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_worker, args=(path, request, send),
                                          name=f"stockpile-batch {path.name}")
                process.start()
                send.close()
                running.append(_Running(path, process, receive, time.monotonic()))
                if events.started:
                    events.started(path)
            ready = wait([r.connection for r in running if r.result is None]
                         + [r.process.sentinel for r in running], timeout=0.2)
            now = time.monotonic()
            for worker in list(running):
                if worker.result is None and worker.connection in ready:
                    with contextlib.suppress(EOFError, OSError):
                        worker.result = worker.connection.recv()
                if not worker.process.is_alive() or worker.process.sentinel in ready:
                    worker.process.join(timeout=1)
                    if worker.process.exitcode is None:
                        continue
                    running.remove(worker)
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(worker.process.pid, signal.SIGKILL)  # its orphans
                    result = _finish(worker, request, now)
                    if events.finished:
                        events.finished(result)
                    yield result
                elif (request.case_time_limit_s is not None
                      and now - worker.started > request.case_time_limit_s):
                    _stop(worker, now)
    finally:  # Ctrl-C, SIGTERM or an error here: no orphan workers
        for worker in running:
            _signal_group(worker, signal.SIGKILL)
            worker.process.join(timeout=5)
            _remove_partial_files(worker.path, request)


def _stop(worker: _Running, now: float) -> None:
    worker.timed_out = True
    if worker.stopping_since is None:
        worker.stopping_since = now
        _signal_group(worker, signal.SIGTERM)
    elif now - worker.stopping_since > TERMINATE_GRACE_S:
        _signal_group(worker, signal.SIGKILL)


def _signal_group(worker: _Running, signum: int) -> None:
    """Signal the worker and any process it started (the report's detail-workbook
    writer): each worker leads a process group of its own."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(worker.process.pid, signum)
    with contextlib.suppress(ProcessLookupError):
        os.kill(worker.process.pid, signum)


def _finish(worker: _Running, request: BatchRequest, now: float) -> CaseResult:
    worker.connection.close()
    path, seconds = worker.path, round(now - worker.started, 3)
    if worker.result is not None and not worker.timed_out:
        worker.result.seconds = seconds
        return worker.result
    _remove_partial_files(path, request)
    code = worker.process.exitcode
    if worker.timed_out:
        outcome, exit_code = TIMED_OUT, EXIT_NOT_OPTIMAL
        reason = (f"stopped after {request.case_time_limit_s:g} s (--case-time-limit); "
                  "nothing written")
    else:
        outcome, exit_code = CRASHED, EXIT_INTERNAL
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            reason = f"the worker died (signal {name}" + (
                ", perhaps killed for lack of memory)" if name == "SIGKILL" else ")")
        else:
            reason = f"the worker exited with code {code} without a result"
    # anything it finished writing before it died is not its result: remove nothing
    # complete, but report no paths
    return CaseResult(file=path.name, path=str(path), case=case_name(path), outcome=outcome,
                      exit_code=exit_code, error=reason, seconds=seconds)


def _remove_partial_files(path: Path, request: BatchRequest) -> None:
    """The temporary files a worker stopped mid-write left (`write_atomically`'s
    `.<name>.*.part`)."""
    for target in outputs(path, request):
        if target is None:
            continue
        for partial in target.parent.glob(f".{target.name}.*.part"):
            with contextlib.suppress(OSError):
                partial.unlink()


class _Stopped(BaseException):
    """SIGTERM in a worker: unwinds it so that its temporary files are removed."""


def _on_sigterm(signum, frame) -> None:
    raise _Stopped


def _worker(path: Path, request: BatchRequest, connection: Connection) -> None:
    """Run one case and send its `CaseResult`; exit without running this process's
    exit handlers (the parent's, inherited by the fork)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    os.setpgid(0, 0)  # a group of its own: stopping it stops what it started
    signal.signal(signal.SIGTERM, _on_sigterm)
    code = 0
    try:
        connection.send(solve_one(path, request))
    except _Stopped:
        code = 128 + signal.SIGTERM
    except BaseException:  # noqa: BLE001 - a worker never lets anything escape
        code = EXIT_INTERNAL
    finally:
        with contextlib.suppress(OSError):
            connection.close()
    os._exit(code)


def solve_one(path: Path, request: BatchRequest) -> CaseResult:
    """One case through `run_case`, in this process, as a batch worker runs it."""
    report, detail, summary = outputs(path, request)
    run = RunRequest(case_path=path, report_path=report, summary_path=summary, jobs=1,
                     solver=request.solver, extras=request.extras, detail=request.detail,
                     tool_version=request.tool_version)
    result = CaseResult(file=path.name, path=str(path), case=case_name(path),
                        outcome=INTERNAL_ERROR, exit_code=EXIT_INTERNAL)
    try:
        outcome = run_case(run)
    except Exception as error:  # a bug: the batch goes on, the reason is kept
        result.error = (f"internal error (a bug in stockpile; please report it): "
                        f"{type(error).__name__}: {error}\n{traceback.format_exc()}")
        return result
    result.exit_code = outcome.exit_code
    result.outcome = _BY_EXIT_CODE.get(outcome.exit_code, INTERNAL_ERROR)
    result.warnings = len(outcome.warnings)
    if outcome.document is not None:
        result.status = outcome.document.get("status")
        result.objective = outcome.document.get("objective")
    written = {str(p) for p in outcome.written}
    result.report = str(report) if str(report) in written else None
    result.detail = str(detail) if detail and str(detail) in written else None
    result.summary = str(summary) if str(summary) in written else None
    if isinstance(outcome.error, InputError):
        problems = outcome.error.problems
        result.error = str(problems[0]) if problems else str(outcome.error)
        if len(problems) > 1:
            result.error += f" (and {len(problems) - 1} more problems)"
    elif outcome.error is not None:
        result.error = str(outcome.error)
    elif outcome.exit_code == EXIT_NOT_OPTIMAL:
        result.error = f"not proven optimal (status {result.status})"
    return result
