"""HiGHS through highspy: the LP goes in as arrays in one call, the solution comes back
as arrays in the same column order. Either solve path (`optimizer.lp.plain`,
`optimizer.lp.replicated`) produces the `CompiledModel` this module takes."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp

HIGHS_OPTIONS = {"solver": "simplex"}
"""Dual simplex, chosen on evidence (benchmark case M, 300k columns, this 2-core machine,
HiGHS 1.16 / 1.15.1): dual simplex 9.3-10.1 s; with parallel=on the same; interior
point `ipm` (IPX, with crossover) 54-136 s; `hipo` (HiGHS 1.15.1 with highspy-extras;
not in the PyPI wheel of 1.16) 94 s; primal simplex 846 s. The block-angular LP with
mostly bound-constrained columns suits dual simplex; its basis also warm-starts
what-if re-solves. The benchmark's yardstick uses the same options. Presolve stays on
(HiGHS's default) for one LP; the parts of a decomposed case turn it off
(`SolverOptions.presolve`, `optimizer.decomposition`)."""

OPTIMAL = "optimal"
INFEASIBLE = "infeasible_or_unbounded"


@dataclass
class SolverOutcome:
    """What HiGHS returned: status, objective and the solution arrays."""

    status: str
    model_status: str
    has_solution: bool
    objective: float | None
    run_time_s: float
    version: str
    column_values: np.ndarray = field(repr=False, default=None)
    row_duals: np.ndarray = field(repr=False, default=None)
    column_duals: np.ndarray = field(repr=False, default=None)
    num_columns: int = 0
    num_rows: int = 0
    num_nonzeros: int = 0

    @property
    def is_optimal(self) -> bool:
        return self.status == OPTIMAL


@dataclass(frozen=True)
class SolverOptions:
    time_limit_s: float | None = None
    threads: int | None = None
    show_log: bool = False
    presolve: bool = True
    """HiGHS's presolve (its default); off for the parts of a decomposed case."""


@dataclass
class CompiledModel:
    """The LP in arrays, ready for HiGHS: min c·x + offset, row_lower ≤ A x ≤ row_upper,
    col_lower ≤ x ≤ col_upper, with A sparse column-wise."""

    num_columns: int
    num_rows: int
    cost: np.ndarray
    offset: float
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    matrix: object = field(repr=False, default=None)
    """A as a scipy.sparse CSC array; built from `entries` on first use if not given."""
    entries: tuple | None = field(repr=False, default=None)
    """(rows, cols, values) of every structural entry, zeros included, when the model
    can be updated in place (`apply_changes`)."""

    def csc(self):
        if self.matrix is None:
            rows, cols, values = self.entries
            keep = values != 0.0
            self.matrix = sp.csc_array((values[keep], (rows[keep], cols[keep])),
                                       shape=(self.num_rows, self.num_columns))
        return self.matrix

    def num_nonzeros(self) -> int:
        if self.matrix is None:
            return int(np.count_nonzero(self.entries[2]))
        return int(self.matrix.nnz)


def new_highs(options: SolverOptions) -> highspy.Highs:
    """A HiGHS instance that prints nothing unless its log is asked for; even then its
    start-up banner goes to stderr, never stdout."""
    with _stdout_redirected(to_stderr=options.show_log):
        highs = highspy.Highs()
    for name, value in HIGHS_OPTIONS.items():
        highs.setOptionValue(name, value)
    # The log never goes to the console (HiGHS writes it to stdout, which is the summary's):
    # `run` reads it through HiGHS's logging callback and echoes it on stderr if asked.
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("log_to_console", False)
    if options.time_limit_s is not None:
        highs.setOptionValue("time_limit", float(options.time_limit_s))
    if options.threads is not None:
        highs.setOptionValue("threads", int(options.threads))
    if not options.presolve:
        highs.setOptionValue("presolve", "off")
    return highs


def pass_model(highs: highspy.Highs, compiled: CompiledModel) -> None:
    """Hand the LP to HiGHS as arrays in one call (the overload that takes numpy arrays
    copies them at C speed; filling a `HighsLp`'s attributes converted them element by
    element: 0.23 s against 0.04 s for one of the benchmark's L parts). Every column is
    continuous."""
    matrix = compiled.csc()
    highs.passModel(
        compiled.num_columns, compiled.num_rows, int(matrix.nnz),
        int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize),
        float(compiled.offset), _floats(compiled.cost), _floats(compiled.col_lower),
        _floats(compiled.col_upper), _floats(compiled.row_lower),
        _floats(compiled.row_upper), np.asarray(matrix.indptr, dtype=np.int32),
        np.asarray(matrix.indices, dtype=np.int32), _floats(matrix.data),
        np.zeros(compiled.num_columns, dtype=np.int32))


def _floats(values) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=float)


@dataclass
class SolveProgress:
    """What HiGHS has reported so far in a running solve: seconds since it started, and
    the last simplex iteration and objective its log showed (None before the first);
    or, for a solve by independent parts, how many parts are done."""

    elapsed_s: float = 0.0
    iteration: int | None = None
    objective: float | None = None
    parts: int | None = None
    """In a solve by independent parts: how many, and how many are done."""
    parts_done: int = 0

    def take(self, message: str) -> None:
        """Read an iteration line of HiGHS's simplex log: ``  78387  9.24e+07 Pr: ...``."""
        words = message.split()
        if len(words) >= 2 and words[0].isdigit():
            with contextlib.suppress(ValueError):
                self.iteration, self.objective = int(words[0]), float(words[1])


PROGRESS_INTERVAL_S = 1.0


def run(highs: highspy.Highs, compiled: CompiledModel,
        progress: Callable[[SolveProgress], None] | None = None,
        echo_log: bool = False) -> SolverOutcome:
    """Run HiGHS and collect its status, objective and solution arrays; `progress` is
    called about once a second while HiGHS runs; `echo_log` copies HiGHS's log to
    stderr."""
    started = highs.getRunTime()  # HiGHS's clock runs on across re-solves
    state = SolveProgress()

    def take(event) -> None:
        state.take(event.message)
        if echo_log:
            sys.stderr.write(event.message)

    if progress or echo_log:  # HiGHS's log, read through its callback
        highs.setOptionValue("output_flag", True)
        highs.cbLogging.subscribe(take)
    # HiGHS runs in its own thread so that this one stays free to take Ctrl-C or
    # SIGTERM at once; nothing is being written meanwhile, so the run may simply end.
    highs.startSolve()
    next_report = PROGRESS_INTERVAL_S
    while not highs.wait(0.1)[0]:
        state.elapsed_s = highs.getRunTime() - started
        if progress and state.elapsed_s >= next_report:
            progress(state)
            next_report += PROGRESS_INTERVAL_S
    if progress or echo_log:
        highs.cbLogging.clear()
        highs.setOptionValue("output_flag", False)
    model_status = highs.getModelStatus()
    info = highs.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    solution = highs.getSolution()
    status = _status_word(model_status, has_solution)
    return SolverOutcome(
        status=status,
        model_status=highs.modelStatusToString(model_status),
        has_solution=has_solution,
        objective=info.objective_function_value if has_solution else None,
        run_time_s=highs.getRunTime() - started,
        version=highs.version(),
        column_values=np.asarray(solution.col_value, dtype=float),
        row_duals=np.asarray(solution.row_dual, dtype=float),
        column_duals=np.asarray(solution.col_dual, dtype=float),
        num_columns=compiled.num_columns,
        num_rows=compiled.num_rows,
        num_nonzeros=compiled.num_nonzeros(),
    )


STATUS_SEVERITY = (OPTIMAL, "stopped_at_limit", "numerical_trouble", INFEASIBLE)


def combined_outcome(outcomes: list[SolverOutcome]) -> SolverOutcome:
    """The outcome of an LP solved in independent parts: optimal if every part is, else
    the most severe part's status; objectives, sizes and HiGHS's times added (the time
    is HiGHS's work, not the wall time of parts run side by side)."""
    worst = max(outcomes, key=lambda o: STATUS_SEVERITY.index(o.status))
    return SolverOutcome(
        status=worst.status, model_status=worst.model_status,
        has_solution=all(o.has_solution for o in outcomes),
        objective=(sum(o.objective for o in outcomes)
                   if all(o.objective is not None for o in outcomes) else None),
        run_time_s=sum(o.run_time_s for o in outcomes), version=worst.version,
        num_columns=sum(o.num_columns for o in outcomes),
        num_rows=sum(o.num_rows for o in outcomes),
        num_nonzeros=sum(o.num_nonzeros for o in outcomes))


def without_arrays(outcome: SolverOutcome) -> SolverOutcome:
    """The outcome without its solution arrays (what a worker sends back)."""
    return dataclasses.replace(outcome, column_values=None, row_duals=None,
                               column_duals=None)


Ranges = dict[str, tuple[float, float] | None]


def number_ranges(compiled: CompiledModel) -> Ranges:
    """The smallest and largest magnitude (zeros and infinities left out) of the LP's
    cost coefficients, matrix coefficients, variable bounds and row bounds."""
    values = {
        "cost coefficients": compiled.cost,
        "matrix coefficients": compiled.csc().data,
        "variable bounds": np.concatenate([compiled.col_lower, compiled.col_upper]),
        "row bounds": np.concatenate([compiled.row_lower, compiled.row_upper]),
    }
    ranges: Ranges = {}
    for name, numbers in values.items():
        magnitudes = np.abs(numbers[np.isfinite(numbers) & (numbers != 0)])
        ranges[name] = ((float(magnitudes.min()), float(magnitudes.max()))
                        if magnitudes.size else None)
    return ranges


def combined_ranges(parts: list[Ranges]) -> Ranges:
    """The ranges of an LP made of independent parts."""
    combined: Ranges = {}
    for ranges in parts:
        for name, span in ranges.items():
            if span is None:
                combined.setdefault(name, None)
                continue
            low, high = combined.get(name) or span
            combined[name] = (min(low, span[0]), max(high, span[1]))
    return combined


def scaling_warnings(ranges: Ranges, limit: float = 1e9) -> list[str]:
    """Ranges of the LP's numbers whose largest is more than `limit` times the smallest
    (a penalty of 1e9 next to a cost of 1e-3): HiGHS's tolerances are absolute, so such
    a model can end in numerical trouble or in a plan that is off by more than noise."""
    warnings = []
    for name, span in ranges.items():
        if span is not None and span[1] > limit * span[0]:
            low, high = span
            warnings.append(
                f"badly scaled data: {name} range from {low:.3g} to "
                f"{high:.3g} (ratio {high / low:.1e}); "
                "HiGHS may report numerical trouble. Consider other units (thousands of "
                "a currency, kilotonnes) so that costs and quantities stay within about "
                "1e-3 to 1e6.")
    return warnings


def apply_changes(highs: highspy.Highs, old: CompiledModel, new: CompiledModel) -> int:
    """Send HiGHS only the numbers that differ between two versions of the same LP
    (costs, bounds, coefficients); it keeps its basis, so the next run warm-starts.
    Returns how many numbers changed."""
    changed = 0
    index = np.flatnonzero(old.cost != new.cost)
    if index.size:
        highs.changeColsCost(index.size, index.astype(np.int32), new.cost[index])
    changed += index.size
    index = np.flatnonzero((old.col_lower != new.col_lower) | (old.col_upper != new.col_upper))
    if index.size:
        highs.changeColsBounds(index.size, index.astype(np.int32), new.col_lower[index],
                               new.col_upper[index])
    changed += index.size
    index = np.flatnonzero((old.row_lower != new.row_lower) | (old.row_upper != new.row_upper))
    if index.size:
        highs.changeRowsBounds(index.size, index.astype(np.int32), new.row_lower[index],
                               new.row_upper[index])
    changed += index.size
    rows, cols, old_values = old.entries
    index = np.flatnonzero(old_values != new.entries[2])
    for k in index.tolist():
        highs.changeCoeff(int(rows[k]), int(cols[k]), float(new.entries[2][k]))
    return changed + index.size


def _status_word(model_status, has_solution: bool) -> str:
    status = highspy.HighsModelStatus
    if model_status == status.kOptimal:
        return OPTIMAL
    if model_status in (status.kTimeLimit, status.kIterationLimit, status.kInterrupt,
                        status.kHighsInterrupt, status.kMemoryLimit):
        return "stopped_at_limit"
    if model_status in (status.kInfeasible, status.kUnbounded,
                        status.kUnboundedOrInfeasible):
        return INFEASIBLE
    return "numerical_trouble"


@contextlib.contextmanager
def _stdout_redirected(to_stderr: bool):
    """Send whatever C code prints on file descriptor 1 to descriptor 2 (or nowhere)
    meanwhile."""
    try:
        stdout_fd = sys.stdout.fileno()
        target = sys.stderr.fileno() if to_stderr else os.open(os.devnull, os.O_WRONLY)
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stdout.flush()
    saved = os.dup(stdout_fd)
    try:
        os.dup2(target, stdout_fd)
        yield
    finally:
        os.dup2(saved, stdout_fd)
        os.close(saved)
        if not to_stderr:
            os.close(target)
