"""The phases of a run, each callable alone: read → validate → build → hand over →
solve → extract. The command line and the tests drive these; so can a notebook."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from models.index_sets import ModelData, build_model_data
from optimizer.case import Case
from optimizer.plain_lp import PlainLP
from optimizer.problems import Problem
from optimizer.replicated_lp import ReplicatedLP
from optimizer.results import PlanValues, Results, extract_results
from optimizer.solver import SolverOptions, SolverOutcome, new_highs, pass_model, run
from optimizer.validation import validate
from optimizer.workbook_reader import ReadLimits, read_workbook

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


def solve_case(case: Case, timings: Timings, options: SolverOptions | None = None,
               formulation: str = "replicated") -> SolvedCase:
    """Build the LP, solve it with HiGHS and extract the plan (if HiGHS found one)."""
    with timings.phase("build"):
        data = build_model_data(case)
        lp = FORMULATIONS[formulation](data)
    with timings.phase("handover"):
        compiled = lp.compile()
        highs = new_highs(options or SolverOptions())
        pass_model(highs, compiled)
    with timings.phase("solve"):
        outcome = run(highs, compiled)
    plan = results = None
    if outcome.has_solution:
        with timings.phase("extract"):
            plan = lp.plan(outcome)
            results = extract_results(plan, data)
    return SolvedCase(case, data, lp, outcome, plan, results)
