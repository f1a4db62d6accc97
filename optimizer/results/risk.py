"""The risk profile of a plan: the distribution of its scenario costs, where VaR_α and
CVaR_α sit, and its yearly cost under each objective (`models.risk`), as plain data for
the report's Risk sheet and the JSON summary's ``risk`` key.

Every cost here is per year, as the objective counts it: a scenario's cost over the
horizon C_ω times k = periods_per_year / H. A plan's cost under each measure adds its
yearly stage-one cost F: expected F + k·E[C], CVaR F + k·CVaR_α[C], worst case
F + k·max_ω C_ω. α is Settings cvar_alpha whatever the objective (0.9 by default), so
every case reports the CVaR of its plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.data import Case, Settings
from models.risk import tail_measures
from optimizer.results.tables import Results


@dataclass(frozen=True)
class PlanMeasures:
    """A plan's yearly cost under each measure of its scenario costs (F included)."""

    expected: float
    cvar: float
    worst_case: float


def plan_measures(stage_one_cost: float, scenario_costs, probabilities, weight: float,
                  alpha: float) -> PlanMeasures:
    """F + k·E[C], F + k·CVaR_α[C] and F + k·max C for scenario costs over the horizon
    `scenario_costs` (k = `weight`)."""
    costs = [float(c) for c in scenario_costs]
    probabilities = [float(p) for p in probabilities]
    total = sum(probabilities)
    expected = sum(c * p for c, p in zip(costs, probabilities, strict=True)) / total
    _, cvar = tail_measures(costs, probabilities, alpha)
    return PlanMeasures(stage_one_cost + weight * expected, stage_one_cost + weight * cvar,
                        stage_one_cost + weight * max(costs))


@dataclass
class RiskProfile:
    """`distribution`: scenario, probability, annual_cost (k·C_ω), cumulative
    probability, in_tail (some of the scenario's probability lies in the worst 1 − α:
    its cumulative probability passes α), sorted by cost. `expected_plan`: the measures
    of the plan that minimises the expected cost (objective cvar or worst_case: one
    extra re-solve; None when not computed)."""

    objective: str
    alpha: float
    weight: float | None
    var: float
    cvar: float
    expected_scenario_cost: float
    worst_scenario_cost: float
    worst_scenario: str
    stage_one_cost: float
    distribution: pd.DataFrame
    plan: PlanMeasures
    expected_plan: PlanMeasures | None = None

    def comparison(self) -> pd.DataFrame:
        """The plan's yearly cost under each measure beside the expected-cost plan's."""
        rows = [("expected cost: F + k·E[C]", "expected"),
                (f"CVaR at α = {self.alpha:g}: F + k·CVaR_α[C]", "cvar"),
                ("worst case: F + k·max C", "worst_case")]
        frame = pd.DataFrame({"measure": [label for label, _ in rows],
                              "this_plan": [getattr(self.plan, key) for _, key in rows]})
        if self.expected_plan is not None:
            frame["expected_cost_plan"] = [getattr(self.expected_plan, key) for _, key in rows]
            frame["cost_difference"] = frame["this_plan"] - frame["expected_cost_plan"]
        return frame

    def meaning(self, currency: str) -> str:
        tail = 1.0 - self.alpha
        text = (f"Objective: {objective_in_words(self.objective, self.alpha, self.weight)}. "
                f"VaR at α = {self.alpha:g}: {_money(self.var)} {currency} a year (the "
                f"scenario cost that the worst {tail:.0%} of the probability reaches); "
                f"CVaR: {_money(self.cvar)} (the mean cost of that worst {tail:.0%}); "
                f"expected: {_money(self.expected_scenario_cost)}; worst scenario "
                f"({self.worst_scenario}): {_money(self.worst_scenario_cost)}.")
        if self.expected_plan is not None:
            text += (f" The plan that minimises the expected cost would cost "
                     f"{_money(self.expected_plan.expected)} in expectation and "
                     f"{_money(self.expected_plan.cvar)} at CVaR, against "
                     f"{_money(self.plan.expected)} and {_money(self.plan.cvar)} for "
                     "this plan.")
        elif self.objective != "expected":
            text += (" The expected-cost plan was not computed (--no-extras, or its "
                     "re-solve did not reach optimality).")
        return text


def objective_in_words(objective: str, alpha: float, weight: float | None) -> str:
    if objective == "cvar":
        return (f"cvar, F + k·((1 − λ)·E[C] + λ·CVaR_α[C]) with α = {alpha:g}, "
                f"λ = {weight:g}")
    if objective == "worst_case":
        return "worst_case, F + k·max_ω C_ω"
    return "expected, F + k·E[C]"


def measure_in_words(settings: Settings) -> str:
    """How a figure measured by the case's objective is said in a sentence."""
    if settings.objective == "expected":
        return "in expectation"
    return f"by the case's objective ({settings.objective})"


def risk_profile(case: Case, results: Results,
                 expected_plan: PlanMeasures | None = None) -> RiskProfile:
    """The risk profile of the solved plan `results`."""
    settings = case.settings
    k = settings.horizon_weight
    table = results.scenario_costs
    costs = table["total_cost"].to_numpy(dtype=float)
    probabilities = table["probability"].to_numpy(dtype=float)
    var, cvar = tail_measures(costs.tolist(), probabilities.tolist(), settings.cvar_alpha)
    order = np.argsort(costs, kind="stable")
    cumulative = np.cumsum(probabilities[order]) / probabilities.sum()
    distribution = pd.DataFrame({
        "scenario": table["scenario"].to_numpy()[order],
        "probability": probabilities[order],
        "annual_cost": k * costs[order],
        "cumulative_probability": cumulative,
        "in_tail": cumulative > settings.cvar_alpha + 1e-12,
    })
    worst = int(np.argmax(costs))
    measures = plan_measures(results.stage_one_cost, costs, probabilities, k,
                             settings.cvar_alpha)
    return RiskProfile(
        objective=settings.objective, alpha=settings.cvar_alpha,
        weight=settings.risk_weight if settings.objective == "cvar" else None,
        var=k * var, cvar=k * cvar, expected_scenario_cost=results.expected_scenario_cost,
        worst_scenario_cost=k * float(costs[worst]),
        worst_scenario=str(table["scenario"].iloc[worst]),
        stage_one_cost=results.stage_one_cost, distribution=distribution, plan=measures,
        expected_plan=expected_plan)


def risk_json(profile: RiskProfile) -> dict:
    def measures(value: PlanMeasures | None) -> dict | None:
        if value is None:
            return None
        return {"expected": value.expected, "cvar": value.cvar,
                "worst_case": value.worst_case}

    return {
        "objective": profile.objective,
        "alpha": profile.alpha,
        "weight": profile.weight,
        "var": profile.var,
        "cvar": profile.cvar,
        "expected_scenario_cost": profile.expected_scenario_cost,
        "worst_scenario_cost": profile.worst_scenario_cost,
        "worst_scenario": profile.worst_scenario,
        "plan_cost": measures(profile.plan),
        "expected_cost_plan_cost": measures(profile.expected_plan),
    }


def _money(value: float) -> str:
    return f"{value:,.0f}"
