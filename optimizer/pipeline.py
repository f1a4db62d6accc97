"""The phases of a run, each callable alone: read → validate → build → hand over →
solve → extract. The command line and the tests drive these; so can a notebook."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from models.data import Case
from models.index_sets import ModelData, build_model_data
from optimizer.case.validation import validate
from optimizer.case.workbook_reader import ReadLimits, read_workbook
from optimizer.errors import Problem
from optimizer.lp.plain import PlainLP
from optimizer.lp.plan import PlanValues
from optimizer.lp.replicated import ReplicatedLP
from optimizer.results.tables import Results, extract_results
from optimizer.solver import (
    SolverOptions,
    SolverOutcome,
    apply_changes,
    new_highs,
    pass_model,
    run,
    scaling_warnings,
)

Progress = Callable[[str, float], None]


@dataclass
class Timings:
    """Wall time per phase, in seconds, in the order the phases ran."""

    seconds: dict[str, float] = field(default_factory=dict)
    progress: Progress | None = None

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            self.seconds[name] = self.seconds.get(name, 0.0) + elapsed
            if self.progress:
                self.progress(name, elapsed)


FORMULATIONS = {"replicated": ReplicatedLP, "plain": PlainLP}
"""How the LP reaches HiGHS: ``replicated`` (the fast path, one scenario block compiled
and copied) or ``plain`` (the whole Pyomo model compiled; the reference)."""


@dataclass
class SolvedCase:
    case: Case
    data: ModelData
    lp: ReplicatedLP | PlainLP
    outcome: SolverOutcome
    plan: PlanValues | None
    results: Results | None


def case_name(path: str | Path) -> str:
    return Path(path).stem


def load_case(path: str | Path, timings: Timings,
              limits: ReadLimits | None = None) -> tuple[Case, list[Problem]]:
    """Read and validate a case workbook; raises `InputError` with every problem."""
    with timings.phase("read"):
        raw = read_workbook(path, limits)
    with timings.phase("validate"):
        return validate(raw, case_name(path))


class CaseSolver:
    """Solves cases one after another. A case whose structure matches the previous one
    (it changes only penalties, budgets, probabilities or disruptions) reuses the built
    model and HiGHS's basis: only the changed numbers are sent, and HiGHS warm-starts."""

    def __init__(self, options: SolverOptions | None = None,
                 formulation: str = "replicated", warn: Callable[[str], None] | None = None):
        self.options = options or SolverOptions()
        self.formulation = formulation
        self.warn = warn
        self.lp = self.highs = self.compiled = None

    def write_lp(self, path: str | Path) -> None:
        """Write the LP HiGHS holds (MPS or LP format, by the file's suffix)."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.highs.writeModel(str(path))

    def solve(self, case: Case, timings: Timings) -> SolvedCase:
        """Build (or update) the LP, solve it with HiGHS and extract the plan (if HiGHS
        found one)."""
        with timings.phase("build"):
            data = build_model_data(case)
            reuse = (self.lp is not None and self.compiled.entries is not None
                     and self.lp.can_update(data))
            if not reuse:
                self.lp = FORMULATIONS[self.formulation](data)
        with timings.phase("handover"):
            if reuse:
                compiled = self.lp.update(data)
                apply_changes(self.highs, self.compiled, compiled)
            else:
                compiled = self.lp.compile()
                self.highs = new_highs(self.options)
                pass_model(self.highs, compiled)
            self.compiled = compiled
            for warning in scaling_warnings(compiled) if self.warn else ():
                self.warn(warning)
        with timings.phase("solve"):
            outcome = run(self.highs, compiled)
        plan = results = None
        if outcome.has_solution:
            with timings.phase("extract"):
                plan = self.lp.plan(outcome)
                results = extract_results(plan, data)
        return SolvedCase(case, data, self.lp, outcome, plan, results)


def solve_case(case: Case, timings: Timings, options: SolverOptions | None = None,
               formulation: str = "replicated",
               warn: Callable[[str], None] | None = None) -> SolvedCase:
    """Build the LP, solve it with HiGHS and extract the plan (if HiGHS found one)."""
    return CaseSolver(options, formulation, warn).solve(case, timings)
