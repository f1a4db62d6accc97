"""Hand the Pyomo model to HiGHS as arrays, run it, and load the solution back.

The model is compiled once by Pyomo's `LinearStandardFormCompiler` (mixed form: each row
is ≤, = or ≥ its right-hand side) into a sparse column-wise matrix, which highspy takes
in one call; the solution comes back as arrays in the same column order.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

OPTIMAL = "optimal"


@dataclass
class SolverOutcome:
    """What HiGHS returned, in the compiled column and row order."""

    status: str
    model_status: str
    has_solution: bool
    objective: float | None
    run_time_s: float
    version: str
    columns: list = field(repr=False, default_factory=list)
    column_values: np.ndarray = field(repr=False, default=None)
    rows: list = field(repr=False, default_factory=list)
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


@dataclass
class CompiledModel:
    """The LP in arrays, ready for HiGHS: min c·x + offset, row_lower ≤ A x ≤ row_upper,
    col_lower ≤ x ≤ col_upper."""

    columns: list
    rows: list
    cost: np.ndarray
    offset: float
    matrix: object  # scipy.sparse csc
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray


def compile_model(model: pyo.ConcreteModel) -> CompiledModel:
    """Pyomo model → arrays, through the standard-form compiler in mixed form."""
    info = LinearStandardFormCompiler().write(model, mixed_form=True)
    columns = info.columns
    rhs = np.asarray(info.rhs, dtype=float)
    kinds = np.fromiter((kind for _, kind in info.rows), dtype=np.int8, count=len(info.rows))
    row_lower = np.where(kinds == 1, -np.inf, rhs)
    row_upper = np.where(kinds == -1, np.inf, rhs)
    bounds = np.array([(v.lb if v.lb is not None else -np.inf,
                        v.ub if v.ub is not None else np.inf) for v in columns],
                      dtype=float).reshape(len(columns), 2)
    cost = np.asarray(info.c.toarray(), dtype=float).reshape(-1) if columns else np.zeros(0)
    return CompiledModel(
        columns=columns, rows=info.rows, cost=cost, offset=float(info.c_offset[0]),
        matrix=info.A, col_lower=bounds[:, 0], col_upper=bounds[:, 1],
        row_lower=row_lower, row_upper=row_upper)


def new_highs(options: SolverOptions) -> highspy.Highs:
    """A quiet HiGHS instance; its start-up banner goes to stderr, never stdout."""
    with _stdout_to_stderr():
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", options.show_log)
    if options.show_log:
        highs.setOptionValue("log_to_console", True)
    if options.time_limit_s is not None:
        highs.setOptionValue("time_limit", float(options.time_limit_s))
    if options.threads is not None:
        highs.setOptionValue("threads", int(options.threads))
    return highs


def pass_model(highs: highspy.Highs, compiled: CompiledModel) -> None:
    lp = highspy.HighsLp()
    lp.num_col_ = len(compiled.columns)
    lp.num_row_ = len(compiled.rows)
    lp.offset_ = compiled.offset
    lp.col_cost_ = compiled.cost
    lp.col_lower_ = compiled.col_lower
    lp.col_upper_ = compiled.col_upper
    lp.row_lower_ = compiled.row_lower
    lp.row_upper_ = compiled.row_upper
    matrix = compiled.matrix
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(matrix.indptr, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(matrix.indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(matrix.data, dtype=float)
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    highs.passModel(lp)


def run(highs: highspy.Highs, compiled: CompiledModel) -> SolverOutcome:
    """Run HiGHS and collect its status, objective and solution arrays."""
    highs.run()
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
        run_time_s=highs.getRunTime(),
        version=highs.version(),
        columns=compiled.columns,
        column_values=np.asarray(solution.col_value, dtype=float),
        rows=compiled.rows,
        row_duals=np.asarray(solution.row_dual, dtype=float),
        column_duals=np.asarray(solution.col_dual, dtype=float),
        num_columns=len(compiled.columns),
        num_rows=len(compiled.rows),
        num_nonzeros=int(compiled.matrix.nnz),
    )


def load_solution(outcome: SolverOutcome) -> None:
    """Write the column values back into the Pyomo variables."""
    if not outcome.has_solution:
        return
    for var, value in zip(outcome.columns, outcome.column_values.tolist(), strict=True):
        var.set_value(value, skip_validation=True)


def _status_word(model_status, has_solution: bool) -> str:
    status = highspy.HighsModelStatus
    if model_status == status.kOptimal:
        return OPTIMAL
    if model_status in (status.kTimeLimit, status.kIterationLimit, status.kInterrupt,
                        status.kHighsInterrupt, status.kMemoryLimit):
        return "stopped_at_limit"
    if model_status in (status.kInfeasible, status.kUnbounded,
                        status.kUnboundedOrInfeasible):
        return "infeasible_or_unbounded"
    return "numerical_trouble"


@contextlib.contextmanager
def _stdout_to_stderr():
    """Send whatever C code prints on file descriptor 1 to descriptor 2 meanwhile."""
    try:
        stdout_fd = sys.stdout.fileno()
        stderr_fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stdout.flush()
    saved = os.dup(stdout_fd)
    try:
        os.dup2(stderr_fd, stdout_fd)
        yield
    finally:
        os.dup2(saved, stdout_fd)
        os.close(saved)
