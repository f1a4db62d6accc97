"""The solve engine: a validated case in, its solved plan and result tables out.

`CaseSolver` builds the LP (or updates the one it built, for a case that differs only in
its mutable inputs), hands it to HiGHS, solves and extracts; `solve_case` is the one-off.
Everything above this layer (analyses, the pipeline, batch runs) solves through here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from models.data import Case
from models.index_sets import ModelData, build_model_data
from optimizer.lp.fixed import StagePlan, fix_stage_one
from optimizer.lp.plain import PlainLP
from optimizer.lp.plan import PlanValues
from optimizer.lp.replicated import ReplicatedLP
from optimizer.results.tables import Results, extract_results
from optimizer.solver import (
    SolveProgress,
    SolverOptions,
    SolverOutcome,
    apply_changes,
    new_highs,
    number_ranges,
    pass_model,
    run,
    scaling_warnings,
)
from optimizer.timings import Timings

FORMULATIONS = {"replicated": ReplicatedLP, "plain": PlainLP}
"""How the LP reaches HiGHS: ``replicated`` (the fast path, one scenario block compiled
and copied) or ``plain`` (the whole Pyomo model compiled; the reference)."""


@dataclass
class SolvedCase:
    case: Case
    data: ModelData
    lp: ReplicatedLP | PlainLP | None
    """None for a case solved by independent parts: there is no one LP."""
    outcome: SolverOutcome
    plan: PlanValues | None
    results: Results | None
    per_part: list | None = None
    """For a case solved by parts: what the `also` step returned for each part."""


class CaseSolver:
    """Solves cases one after another. A case whose structure matches the previous one
    (it changes only penalties, budgets, probabilities, disruptions or the CVaR's α and λ)
    reuses the built model and HiGHS's basis: only the changed numbers are sent, and
    HiGHS warm-starts. `fixed_stage_one` solves every case with stage one fixed at that
    plan (`optimizer.lp.fixed`): the plan evaluated on every scenario."""

    def __init__(self, options: SolverOptions | None = None,
                 formulation: str = "replicated", warn: Callable[[str], None] | None = None,
                 progress: Callable[[SolveProgress], None] | None = None,
                 fixed_stage_one: StagePlan | None = None):
        self.options = options or SolverOptions()
        self.fixed_stage_one = fixed_stage_one
        self.formulation = formulation
        self.warn = warn
        self.progress = progress
        self.lp = self.highs = self.compiled = self.ranges = None

    def write_lp(self, path: str | Path) -> None:
        """Write the LP HiGHS holds (MPS or LP format, by the file's suffix)."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.highs.writeModel(str(path))

    def solve(self, case: Case, timings: Timings, save_lp: Path | None = None,
              tables: bool = True) -> SolvedCase:
        """Build (or update) the LP, solve it with HiGHS and extract the plan (if HiGHS
        found one) and, if `tables`, the result tables. `save_lp` writes the LP HiGHS is
        about to solve (MPS or LP format, by the suffix)."""
        with timings.phase("build"):
            data = build_model_data(case)
            reuse = (self.lp is not None and self.compiled.entries is not None
                     and self.lp.can_update(data))
            if not reuse:
                self.lp = FORMULATIONS[self.formulation](data)
                if self.fixed_stage_one is not None:
                    fix_stage_one(self.lp.model, self.fixed_stage_one)
        with timings.phase("handover"):
            if reuse:
                compiled = self.lp.update(data)
                apply_changes(self.highs, self.compiled, compiled)
            else:
                compiled = self.lp.compile()
                self.highs = new_highs(self.options)
                pass_model(self.highs, compiled)
            self.compiled = compiled
            self.ranges = number_ranges(compiled)
            for warning in scaling_warnings(self.ranges) if self.warn else ():
                self.warn(warning)
            if save_lp is not None:
                self.write_lp(save_lp)
        with timings.phase("solve"):
            outcome = run(self.highs, compiled, self.progress, self.options.show_log)
        plan = results = None
        if outcome.has_solution:
            with timings.phase("extract"):
                plan = self.lp.plan(outcome)
                results = extract_results(plan, data) if tables else None
        return SolvedCase(case, data, self.lp, outcome, plan, results)


def solve_case(case: Case, timings: Timings, options: SolverOptions | None = None,
               formulation: str = "replicated",
               warn: Callable[[str], None] | None = None) -> SolvedCase:
    """Build the LP, solve it with HiGHS and extract the plan (if HiGHS found one)."""
    return CaseSolver(options, formulation, warn).solve(case, timings)
