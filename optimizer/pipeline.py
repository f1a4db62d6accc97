"""The phases of a run, each callable alone: read → validate → build → hand over →
solve → extract. The command line and the tests drive these; so can a notebook."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyomo.environ as pyo

from models.index_sets import ModelData, build_model_data
from models.stockpile import build_model
from optimizer.case import Case
from optimizer.problems import Problem
from optimizer.results import Results, extract_results
from optimizer.solver import (
    SolverOptions,
    SolverOutcome,
    compile_model,
    load_solution,
    new_highs,
    pass_model,
    run,
)
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


@dataclass
class SolvedCase:
    case: Case
    data: ModelData
    model: pyo.ConcreteModel
    outcome: SolverOutcome
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


def solve_case(case: Case, timings: Timings,
               options: SolverOptions | None = None) -> SolvedCase:
    """Build the LP, solve it with HiGHS and extract the plan (if HiGHS found one)."""
    with timings.phase("build"):
        data = build_model_data(case)
        model = build_model(data)
    with timings.phase("handover"):
        compiled = compile_model(model)
        highs = new_highs(options or SolverOptions())
        pass_model(highs, compiled)
    with timings.phase("solve"):
        outcome = run(highs, compiled)
    results = None
    if outcome.has_solution:
        with timings.phase("extract"):
            load_solution(outcome)
            results = extract_results(model, data)
    return SolvedCase(case, data, model, outcome, results)
