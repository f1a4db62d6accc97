"""The ``stockpile`` command line: it parses arguments, calls the pipeline and prints.

Exit codes (a contract for batch scripts, defined in `optimizer.errors`): 0 solved to
optimality; 1 internal error (a bug: please report it); 2 input errors (the workbook or
the command line); 3 HiGHS could not prove optimality (time limit, numerical trouble),
with whatever plan it has; 4 an output file could not be written; 130 interrupted
(Ctrl-C); 143 terminated (SIGTERM). An interrupted run leaves no partial file.

Each command imports what it needs when it runs, so that ``stockpile --help`` starts at
once (pandas, Pyomo and HiGHS take about a second to import).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import traceback
from pathlib import Path

from optimizer import __version__
from optimizer.collector import tune_for_run
from optimizer.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    InputError,
    Problem,
    StockpileError,
)

MAX_PROBLEMS_SHOWN = 200  # a file with 190,000 bad rows needs the first few, not all
SURVIVE_SHOWN = 10  # knockouts printed by `survive`, the costliest first


def _stop(code: int) -> int:
    """Exit code `code` now if HiGHS is still running in its thread (it cannot be joined
    promptly and holds nothing that needs saving); otherwise return it."""
    if any(t.daemon and t.is_alive() for t in threading.enumerate()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


class Terminated(BaseException):
    """SIGTERM, raised in the main thread like KeyboardInterrupt for Ctrl-C."""


def _terminate(signum, frame) -> None:
    raise Terminated


def entry() -> None:
    """The ``stockpile`` command and ``python -m optimizer``: `main`, then a prompt exit.

    A solved case leaves a few million objects (Pyomo's model, the result tables) that
    Python would free one by one on the way out (the benchmark's M case: 0.3–0.45 s).
    Every file is written and closed by the time `main` returns, so the process flushes
    its output and ends at once. A run that loaded MPI (``--engine mpisppy``) exits
    normally, so that MPI is finalised. The collector is tuned for a run first
    (`optimizer.collector`)."""
    tune_for_run()
    code = main()
    if "mpi4py" in sys.modules:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to say
            stream.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _run(args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace) -> int:
    try:
        return args.command(args)
    except InputError as exc:
        return _report_input_error(exc)
    except StockpileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # stdout closed early (`| head`): not an error of the run
        sys.stderr.close()
        return EXIT_OK
    except (KeyboardInterrupt, Terminated) as exc:
        code = EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED
        print("interrupted: the run stopped; no partial file was left", file=sys.stderr)
        return _stop(code)
    except Exception:  # a bug, not a user's mistake: say so, keep the details
        print("internal error (a bug in stockpile; please report it with this text):",
              file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return EXIT_INTERNAL


def _report_input_error(exc: InputError, warnings_shown: bool = False) -> int:
    if not warnings_shown:
        _print_problems(exc.warnings)
    _print_problems(exc.problems[:MAX_PROBLEMS_SHOWN])
    if len(exc.problems) > MAX_PROBLEMS_SHOWN:
        print(f"... and {len(exc.problems) - MAX_PROBLEMS_SHOWN:,} more problems, not "
              "shown", file=sys.stderr)
    count = len(exc.problems)
    print(f"{count} problem{'s' if count != 1 else ''} found; nothing was solved.",
          file=sys.stderr)
    return exc.exit_code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stockpile",
        description="Optimal stockpiles, spare capacity and allied sharing for critical "
                    "goods under disruption scenarios.")
    parser.add_argument("--version", action="version",
                        version=f"stockpile {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    solve = commands.add_parser("solve", help="solve a case workbook and write the report")
    solve.add_argument("case", type=Path, help="the case workbook (.xlsx)")
    solve.add_argument("-o", "--output", type=Path,
                       help="report workbook (default: reports/<case name>.xlsx)")
    solve.add_argument("--json", type=Path, metavar="SUMMARY.json",
                       help="also write the JSON summary here")
    solve.add_argument("--save-lp", type=Path, metavar="FILE",
                       help="write the LP HiGHS solves (.mps or .lp, by the suffix)")
    solve.add_argument("--time-limit", type=float, metavar="SECONDS",
                       help="stop HiGHS after this many seconds (exit code 3 if not optimal)")
    solve.add_argument("--threads", type=int, help="HiGHS threads (default: HiGHS's choice)")
    solve.add_argument("--jobs", type=_positive_int, metavar="N",
                       help="worker processes for a case that falls apart into independent "
                            "parts (default: one per core)")
    solve.add_argument("--no-decompose", action="store_true",
                       help="solve the case as one LP even if it falls apart into "
                            "independent parts")
    solve.add_argument("--no-extras", action="store_true",
                       help="skip the extra solves (value of the plan, of cooperation, "
                            "EVPI, VSS), for large batch runs")
    solve.add_argument("--no-detail", action="store_true",
                       help="do not write the detail workbook (<report>.detail.xlsx: the "
                            "full supply plan and every shipment)")
    solve.add_argument("--solver-log", action="store_true", help="show HiGHS's log on stderr")
    solve.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    solve.add_argument("--engine", choices=("core", "mpisppy"), default="core",
                       help="core: one LP in HiGHS (default); mpisppy: mpi-sppy over the "
                            "MPI ranks (run under mpiexec; needs the extra 'mpi')")
    solve.add_argument("--method", choices=("ef", "ph", "lshaped"),
                       help="with --engine mpisppy: extensive form, progressive hedging "
                            "(default) or the L-shaped method")
    solve.set_defaults(command=_solve)

    batch = commands.add_parser(
        "batch", help="solve many case workbooks in parallel, each in its own process")
    batch.add_argument("cases", type=Path, nargs="+", metavar="CASE.xlsx|DIR",
                       help="case workbooks, or folders (every .xlsx in them)")
    batch.add_argument("--jobs", type=_positive_int, metavar="N",
                       help="cases solved at once, each in a worker process (default: one "
                            "per core)")
    batch.add_argument("--out-dir", type=Path, default=Path("reports"), metavar="DIR",
                       help="where each case's report, detail workbook and JSON summary "
                            "go, and the batch's batch.xlsx and batch.json (default: "
                            "reports/)")
    batch.add_argument("--resume", action="store_true",
                       help="skip cases already solved to optimality from the same input "
                            "(SHA-256) by this version")
    batch.add_argument("--case-time-limit", type=_positive_float, metavar="SECONDS",
                       help="stop a case's worker after this long (wall clock); the case "
                            "is reported and the batch goes on")
    batch.add_argument("--time-limit", type=_positive_float, metavar="SECONDS",
                       help="stop HiGHS after this many seconds in each case")
    batch.add_argument("--threads", type=_positive_int,
                       help="HiGHS threads per case (default: HiGHS's choice)")
    batch.add_argument("--no-extras", action="store_true",
                       help="skip each case's extra solves (value of the plan, ...)")
    batch.add_argument("--no-detail", action="store_true",
                       help="do not write the cases' detail workbooks")
    batch.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    batch.set_defaults(command=_batch)

    survive = commands.add_parser(
        "survive", help="time to survive each supplier's and each production stage's "
                        "knockout, with and without the plan, and their ranking")
    survive.add_argument("case", type=Path, help="the case workbook (.xlsx)")
    survive.add_argument("-o", "--output", type=Path,
                         help="survival workbook (default: reports/<case name>.survival.xlsx)")
    survive.add_argument("--json", type=Path, metavar="FILE",
                         help="also write every knockout with its figures as JSON here")
    survive.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    survive.set_defaults(command=_survive)

    _sweep_parser(commands)

    check = commands.add_parser("validate", help="check a case workbook without solving")
    check.add_argument("case", type=Path)
    check.add_argument("--json", type=Path, metavar="RESULT.json",
                       help="also write the problems and warnings found as JSON ('-': "
                            "standard output)")
    check.set_defaults(command=_validate)

    template = commands.add_parser("template", help="write a blank case workbook")
    template.add_argument("output", type=Path)
    template.set_defaults(command=_template)
    return parser


def _sweep_parser(commands) -> None:
    from optimizer.analyses.levers import LEVERS

    sweep = commands.add_parser(
        "sweep", help="solve a case for a series of values of one lever (a budget, the "
                      "penalties, the disruption probabilities) and chart the frontier")
    sweep.add_argument("case", type=Path, help="the case workbook (.xlsx)")
    levers = sweep.add_mutually_exclusive_group(required=True)
    for lever in LEVERS.values():
        levers.add_argument(f"--{lever.name}", dest="lever_values", metavar="VALUES",
                            type=lambda text, name=lever.name: (name, text),
                            help=f"{lever.meaning}: START:STOP:COUNT or V1,V2,...")
    sweep.add_argument("-o", "--output", type=Path,
                       help="sweep workbook (default: reports/<case name>.sweep-<lever>.xlsx)")
    sweep.add_argument("--json", type=Path, metavar="POINTS.json",
                       help="also write the points as a JSON list here")
    sweep.add_argument("--time-limit", type=_positive_float, metavar="SECONDS",
                       help="stop HiGHS after this many seconds at each point")
    sweep.add_argument("--threads", type=_positive_int, help="HiGHS threads")
    sweep.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(command=_sweep)


def _sweep(args: argparse.Namespace) -> int:
    from optimizer.analyses.levers import LEVERS
    from optimizer.analyses.sweep import parse_values, run_sweep
    from optimizer.errors import EXIT_NOT_OPTIMAL
    from optimizer.pipeline import case_name, check_writable, load_case
    from optimizer.report.sweep_workbook import write_sweep_json, write_sweep_workbook
    from optimizer.solver import SolverOptions
    from optimizer.timings import Timings

    name, text = args.lever_values
    lever = LEVERS[name]
    values = parse_values(name, text)
    output = args.output or Path("reports") / f"{case_name(args.case)}.sweep-{name}.xlsx"
    check_writable([output, args.json])
    case, warnings = load_case(args.case, Timings())
    _print_problems(warnings)
    bar = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(values), unit="point", file=sys.stderr, dynamic_ncols=True)
    try:
        sweep = run_sweep(case, name, values,
                          SolverOptions(time_limit_s=args.time_limit, threads=args.threads),
                          point_done=(lambda point: _advance(bar, point)) if bar else None)
    finally:
        if bar is not None:
            bar.close()
    points = sweep.as_json()
    label = lever.label_for(case)
    write_sweep_workbook(output, points, {
        "case": case.name, "input": str(args.case), "lever": f"--{name}", "label": label,
        "meaning": lever.meaning[0].upper() + lever.meaning[1:],
        "values": text, "currency": case.settings.currency, "version": __version__})
    if args.json:
        write_sweep_json(args.json, points)
    currency = case.settings.currency
    print(f"case {case.name}: sweep of {label}, {len(points)} points")
    for point in sweep.points:
        cost = "" if point.objective is None else (
            f"  cost {point.objective:>18,.2f} {currency}/year  shortfall "
            f"{point.expected_shortfall:>12,.2f}")
        print(f"  {point.value:>14,.6g}  {point.status:<24}{cost}")
    later = [point.seconds for point in sweep.points[1:]]
    if later:
        print(f"  first point (builds the LP) {sweep.points[0].seconds:.2f} s, each later "
              f"point {sum(later) / len(later):.2f} s on average (warm start)")
    print(f"  workbook: {output}")
    if args.json:
        print(f"  points: {args.json}")
    for point in sweep.not_optimal:
        print(f"not optimal: --{name} {point.value:g}: HiGHS status {point.status}",
              file=sys.stderr)
    return EXIT_NOT_OPTIMAL if sweep.not_optimal else EXIT_OK


def _advance(bar, point) -> None:
    """One point done: the bar moves on and shows its value and status."""
    bar.set_postfix_str(f"--{point.lever} {point.value:g}: {point.status}", refresh=False)
    bar.update(1)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number ≥ 1, got {text}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


def _events(quiet: bool):
    from optimizer.pipeline import RunEvents

    def warning(text: str) -> None:
        print(f"warning: {text}", file=sys.stderr)

    if quiet:
        return RunEvents(warning=warning)

    def phase_done(phase: str, seconds: float) -> None:
        print(f"  {phase:<9} {seconds:8.3f} s", file=sys.stderr)

    def solving(progress) -> None:
        if progress.parts is not None:
            found = f", {progress.parts_done} of {progress.parts} independent parts solved"
        elif progress.iteration is None:
            found = ""
        else:
            found = f", iteration {progress.iteration:,}, objective {progress.objective:.10g}"
        print(f"  solve     {progress.elapsed_s:8.0f} s running{found}", file=sys.stderr)

    return RunEvents(phase_done=phase_done, solving=solving, warning=warning)


def _solve(args: argparse.Namespace) -> int:
    from optimizer.pipeline import RunRequest, run_case
    from optimizer.solver import SolverOptions

    request = RunRequest(
        case_path=args.case, report_path=args.output, summary_path=args.json,
        save_lp=args.save_lp, decompose=not args.no_decompose, jobs=args.jobs,
        extras=not args.no_extras, detail=not args.no_detail, tool_version=__version__,
        solver=SolverOptions(time_limit_s=args.time_limit, threads=args.threads,
                             show_log=args.solver_log))
    if args.engine == "mpisppy":
        return _solve_distributed(request, args)
    if args.method is not None:
        raise InputError([Problem("", "", "--method is for --engine mpisppy; the default "
                                  "engine solves one LP")])
    outcome = run_case(request, _events(args.quiet))
    if isinstance(outcome.error, InputError):
        return _report_input_error(outcome.error, warnings_shown=True)
    if outcome.error is not None:
        raise outcome.error
    _print_summary(outcome.document, request.report, args.json)
    return outcome.exit_code


def _solve_distributed(request, args: argparse.Namespace) -> int:
    """`solve --engine mpisppy`: only rank 0 prints."""
    from optimizer.distributed.solve import run_distributed

    result = run_distributed(request, args.method or "ph", _events(args.quiet))
    outcome = result.run
    if result.rank != 0:
        return outcome.exit_code
    if isinstance(outcome.error, InputError):
        return _report_input_error(outcome.error, warnings_shown=True)
    if outcome.error is not None:
        raise outcome.error
    _print_summary(outcome.document, request.report, args.json)
    document = outcome.document
    gap = "not valid" if document["gap"] is None else f"{document['gap']:.4%}"
    print(f"  mpi-sppy {document['method']} on {document['mpi_ranks']} rank(s), "
          f"{document['iterations']} iterations: lower bound {document['lower_bound']:,.2f}, "
          f"gap {gap}")
    return outcome.exit_code


def _batch(args: argparse.Namespace) -> int:
    from optimizer.batch import BatchEvents, BatchRequest, run_batch
    from optimizer.solver import SolverOptions

    request = BatchRequest(
        cases=args.cases, out_dir=args.out_dir, jobs=args.jobs, resume=args.resume,
        case_time_limit_s=args.case_time_limit, extras=not args.no_extras,
        detail=not args.no_detail, tool_version=__version__,
        solver=SolverOptions(time_limit_s=args.time_limit, threads=args.threads))
    bar = _BatchBar(enabled=not args.quiet and sys.stderr.isatty())
    try:
        outcome = run_batch(request, BatchEvents(planned=bar.planned, started=bar.started,
                                                 finished=bar.finished))
    finally:
        bar.close()
    if outcome.rank != 0:  # under mpiexec rank 0 speaks for the batch
        return outcome.exit_code
    for case in outcome.failures:
        reason = (case.error or case.outcome).splitlines()[0]
        print(f"failed: {case.file}: {reason}", file=sys.stderr)
    counts = {"solved": 0, "skipped": 0}
    for case in outcome.cases:
        if case.outcome in counts:
            counts[case.outcome] += 1
    print(f"batch of {len(outcome.cases)} cases in {outcome.elapsed_s:.1f} s: "
          f"{counts['solved']} solved, {counts['skipped']} skipped (already done), "
          f"{len(outcome.failures)} failed")
    print(f"  workbook: {outcome.workbook}")
    print(f"  summary: {outcome.summary}")
    return outcome.exit_code


class _BatchBar:
    """The batch's progress bar on stderr (tqdm): cases done of all, running, failed,
    elapsed and time left; nothing when disabled (-q, or stderr not a terminal)."""

    def __init__(self, enabled: bool):
        self.enabled, self.bar = enabled, None
        self.running = self.failed = 0

    def planned(self, to_run: int, skipped: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: the workers are forked
        self.bar = tqdm(total=to_run + skipped, unit="case", file=sys.stderr,
                        dynamic_ncols=True)
        self._show()

    def started(self, path) -> None:
        self.running += 1
        self._show()

    def finished(self, case) -> None:
        if case.outcome != "skipped":
            self.running -= 1
        self.failed += case.failed
        if self.bar is not None:
            self.bar.update(1)
            self._show()

    def _show(self) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"running {self.running}, failed {self.failed}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _survive(args: argparse.Namespace) -> int:
    from optimizer.analyses.survival import survival_times, write_survival
    from optimizer.pipeline import Timings, case_name, check_writable, load_case

    report = args.output or Path("reports") / f"{case_name(args.case)}.survival.xlsx"
    check_writable([report, args.json])
    case, warnings = load_case(args.case, Timings())
    _print_problems(warnings)
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, desc="knockouts, with then without the plan",
                       unit="knockout", file=sys.stderr, dynamic_ncols=True)
        bar.update(done - bar.n)

    try:
        survival = survival_times(case, progress=None if args.quiet or not sys.stderr.isatty()
                                  else progress)
    finally:
        if bar is not None:
            bar.close()
    write_survival(survival, report, args.json, __version__)
    ranking = survival.ranking()
    currency, periods = case.settings.currency, case.settings.periods
    print(f"case {case.name}: {len(ranking)} knockouts lasting {periods} "
          f"{case.settings.period_unit}s, {survival.solves:,} LPs in {survival.seconds:.1f} s")
    print(f"  {'knockout':<36} {'shortage cost, plan':>20} {'no new insurance':>20}  "
          "network TTS")
    for r in ranking.head(SURVIVE_SHOWN).itertuples(index=False):
        print(f"  {r.knockout:<36} {r.shortage_cost_with_plan:>20,.0f} "
              f"{r.shortage_cost_without_plan:>20,.0f}  {r.network_tts_with_plan} / "
              f"{r.network_tts_without_plan}")
    if len(ranking) > SURVIVE_SHOWN:
        print(f"  ... and {len(ranking) - SURVIVE_SHOWN:,} more knockouts in the workbook")
    print(f"  (shortage cost in {currency} over the horizon; time to survive in periods)")
    print(f"  workbook: {report}")
    if args.json:
        print(f"  summary: {args.json}")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from optimizer.case.load import load_case
    from optimizer.timings import Timings

    try:
        case, warnings = load_case(args.case, Timings())
    except InputError as exc:
        if args.json:
            _write_validation_json(args.json, args.case, exc.problems, exc.warnings)
        raise
    _print_problems(warnings)
    if args.json:
        _write_validation_json(args.json, args.case, [], warnings)
    print(f"{args.case}: valid case with {len(case.allies)} allies, {len(case.goods)} goods, "
          f"{case.settings.periods} periods and {len(case.scenarios)} scenarios",
          file=sys.stderr if str(args.json) == "-" else sys.stdout)
    return EXIT_OK


def _write_validation_json(target: Path, case: Path, problems: list[Problem],
                           warnings: list[Problem]) -> None:
    """{"case", "valid", "problems": [...], "warnings": [...]}, each entry with sheet, cell
    and message."""
    def entries(found: list[Problem]) -> list[dict]:
        return [{"sheet": p.sheet, "cell": p.cell, "message": p.message} for p in found]

    document = {"case": str(case), "valid": not problems, "problems": entries(problems),
                "warnings": entries(warnings)}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if str(target) == "-":
        sys.stdout.write(text)
        return
    from optimizer.files import write_atomically

    write_atomically(target, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def _template(args: argparse.Namespace) -> int:
    from optimizer.case.template import write_template

    path = write_template(args.output)
    print(f"wrote blank case workbook {path}")
    return EXIT_OK


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        label = "error" if problem.is_error else "warning"
        print(f"{label}: {problem}", file=sys.stderr)


def _print_summary(document: dict, report: Path, json_path: Path | None) -> None:
    currency = document["currency"]
    print(f"case {document['case']}: {document['status']}")
    risk = document.get("risk") or {}
    if risk.get("objective", "expected") == "expected":
        print(f"  expected annual cost    {document['objective']:>18,.2f} {currency}/year")
    else:
        label = f"objective ({risk['objective']})"
        print(f"  {label:<23} {document['objective']:>18,.2f} {currency}/year")
        print(f"  expected annual cost    {risk['plan_cost']['expected']:>18,.2f} "
              f"{currency}/year")
        label = f"F + k·CVaR at α = {risk['alpha']:g}"
        print(f"  {label:<23} {risk['plan_cost']['cvar']:>18,.2f} {currency}/year")
    print(f"  stage-one cost          {document['stage_one_cost']:>18,.2f} {currency}/year")
    print(f"  expected scenario cost  {document['expected_scenario_cost']:>18,.2f} "
          f"{currency}/year")
    held = [s for s in document["stockpile"] if s["level"] > 0]
    if held:
        print("  stockpiles:")
        for s in held:
            print(f"    {s['country']:<16} {s['good']:<12} {s['level']:>14,.2f}")
    spare = [s for s in document["spare_capacity"] if s["level"] > 0]
    if spare:
        print("  spare capacity reserved (per period):")
        for s in spare:
            print(f"    {s['country']:<16} {s['good']:<12} {s['level']:>14,.2f}")
    short = [s for s in document["expected_shortfall"] if s["units"] > 0]
    if short:
        print("  expected shortfall (units over the horizon, probability-weighted):")
        for s in short:
            print(f"    {s['country']:<16} {s['good']:<12} {s['units']:>14,.2f}")
    figures = [
        ("value of the plan", (document.get("value_of_plan") or {}).get(
            "expected_cost", {}).get("difference")),
        ("saving from sharing", (document.get("value_of_cooperation") or {}).get("saving")),
        ("EVPI", (document.get("evpi") or {}).get("value")),
        ("VSS", (document.get("vss") or {}).get("value")),
        ("price of fairness", (document.get("fairness") or {}).get("price_of_fairness"))]
    for label, value in figures:
        if value is not None:
            print(f"  {label:<23} {value:>18,.2f} {currency}/year")
    print(f"  report: {report}")
    if json_path:
        print(f"  summary: {json_path}")


if __name__ == "__main__":
    sys.exit(main())
