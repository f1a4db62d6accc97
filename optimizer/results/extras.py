"""What the extra solves found, as plain data and tidy tables: the value of the plan,
of cooperation and of planning for uncertainty (EVPI, VSS), with a sentence each.

`optimizer.analyses` runs the solves and fills these in; the report and the JSON summary
read them. Costs are expected annual costs (the objective, per year); shortfalls are
units over the horizon, summed over periods (a scenario's) or weighted by probability
(expected).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from models.data import Case
from optimizer.results.fairness import FairnessPrice
from optimizer.results.risk import PlanMeasures


@dataclass(frozen=True)
class ExtraSolve:
    """One extra solve: what it was, how HiGHS ended and how long it took."""

    name: str
    status: str
    seconds: float
    objective: float | None = None


@dataclass
class PlanValue:
    """The optimal plan against the same scenarios with no new insurance: stock at its
    initial level (clipped to [min, max], as the floor demands) and no spare capacity.

    `shortfall`: scenario, good, unit, with_plan, without_plan (units over the horizon).
    """

    cost_with_plan: float
    cost_without_plan: float
    shortfall: pd.DataFrame
    probability: dict[str, float]
    in_words: str = "in expectation"
    """How the costs are measured, in a sentence: the case's objective
    (`optimizer.results.risk.measure_in_words`)."""
    concentration: pd.DataFrame | None = None
    """Supplier concentration in normal times with no new insurance
    (`optimizer.results.concentration`)."""

    @property
    def cost_difference(self) -> float:
        return self.cost_without_plan - self.cost_with_plan

    def expected_shortfall(self) -> pd.DataFrame:
        """Per good: probability-weighted units short over the horizon, with and without
        the plan, and the difference."""
        frame = self.shortfall.assign(weight=self.shortfall["scenario"].map(self.probability))
        for column in ("with_plan", "without_plan"):
            frame[column] = frame[column] * frame["weight"]
        table = frame.groupby(["good", "unit"], sort=False)[
            ["with_plan", "without_plan"]].sum().reset_index()
        table["difference"] = table["without_plan"] - table["with_plan"]
        return table

    def worst_shortfall(self) -> pd.DataFrame:
        """Per good: the largest shortfall of any scenario (units over the horizon), with
        and without the plan, each with its scenario."""
        rows = []
        for (good, unit), group in self.shortfall.groupby(["good", "unit"], sort=False):
            with_row = group.loc[group["with_plan"].idxmax()]
            without_row = group.loc[group["without_plan"].idxmax()]
            rows.append((good, unit, with_row["with_plan"], with_row["scenario"],
                         without_row["without_plan"], without_row["scenario"],
                         without_row["without_plan"] - with_row["with_plan"]))
        return pd.DataFrame(rows, columns=["good", "unit", "with_plan", "with_plan_scenario",
                                           "without_plan", "without_plan_scenario",
                                           "difference"])

    def by_unit(self) -> list[tuple[str, float, float, float, float, str, str]]:
        """Per unit of measure (goods in the same unit summed): expected shortfall with
        and without the plan, worst-scenario shortfall with and without, and the worst
        scenarios."""
        rows = []
        for unit, group in self.shortfall.groupby("unit", sort=False):
            per_scenario = group.groupby("scenario", sort=False)[
                ["with_plan", "without_plan"]].sum()
            weight = per_scenario.index.map(self.probability).to_numpy()
            rows.append((unit, float(weight @ per_scenario["with_plan"].to_numpy()),
                         float(weight @ per_scenario["without_plan"].to_numpy()),
                         float(per_scenario["with_plan"].max()),
                         float(per_scenario["without_plan"].max()),
                         str(per_scenario["with_plan"].idxmax()),
                         str(per_scenario["without_plan"].idxmax())))
        return rows

    def meaning(self, currency: str) -> str:
        return (f"Without new insurance (stock left at its initial level, no spare capacity "
                f"reserved) the same scenarios would cost {_money(self.cost_without_plan)} "
                f"{currency} a year {self.in_words}; the plan costs "
                f"{_money(self.cost_with_plan)}: it is worth "
                f"{_money(self.cost_difference)} {currency} a year.")


@dataclass
class CooperationValue:
    """The case solved again with every sharing link removed. Costs are attributed to
    allies column by column: stock, spare capacity, production, drawdown and shortfall to
    their holder, imports to the importer, shipments to the receiver.

    `allies`: country, cost_together, cost_alone, saving. `shortfall`: country, good,
    unit, together, alone, difference (expected units over the horizon)."""

    objective_together: float
    objective_alone: float
    allies: pd.DataFrame
    shortfall: pd.DataFrame
    links: int
    in_words: str = "in expectation"

    @property
    def saving(self) -> float:
        return self.objective_alone - self.objective_together

    def meaning(self, currency: str) -> str:
        if not self.links:
            return "The case has no sharing link: there is nothing to gain from sharing."
        return (f"Without any sharing link the allies would spend "
                f"{_money(self.objective_alone)} {currency} a year {self.in_words}, against "
                f"{_money(self.objective_together)} with sharing: cooperation saves the "
                f"alliance {_money(self.saving)} {currency} a year.")


@dataclass
class Evpi:
    """Expected value of perfect information: here-and-now objective minus
    Σ_ω π_ω × the wait-and-see objective of ω (ω solved alone, stage one free).

    `by_scenario`: scenario, probability, wait_and_see."""

    here_and_now: float
    by_scenario: pd.DataFrame

    @property
    def wait_and_see(self) -> float:
        return float((self.by_scenario["probability"] * self.by_scenario["wait_and_see"]).sum())

    @property
    def value(self) -> float:
        return self.here_and_now - self.wait_and_see

    def meaning(self, currency: str) -> str:
        return (f"Knowing in advance which scenario will happen, and insuring for it alone, "
                f"would cost {_money(self.wait_and_see)} {currency} a year in expectation "
                f"instead of {_money(self.here_and_now)}: perfect foresight would be worth "
                f"{_money(self.value)} {currency} a year (EVPI), the most worth paying for "
                "better forecasts of the disruptions.")


@dataclass
class Vss:
    """Value of the stochastic solution: the plan made for the probability-weighted
    average scenario (every scenario parameter averaged with π), evaluated on every
    scenario with stage one fixed, minus the here-and-now objective.

    `plans`: kind (stock, spare), country, good, here_and_now_level,
    expected_value_level."""

    here_and_now: float
    average_plan_cost: float
    average_scenario_cost: float
    plans: pd.DataFrame

    @property
    def value(self) -> float:
        return self.average_plan_cost - self.here_and_now

    def meaning(self, currency: str) -> str:
        return (f"A plan made for the average scenario alone would cost "
                f"{_money(self.average_plan_cost)} {currency} a year once every scenario "
                f"is faced, against {_money(self.here_and_now)} for this plan: weighing "
                f"the scenarios one by one is worth {_money(self.value)} {currency} a "
                "year (VSS).")


@dataclass
class Extras:
    """Every extra figure (None where it was not computed) and the solves made."""

    plan: PlanValue | None = None
    cooperation: CooperationValue | None = None
    evpi: Evpi | None = None
    vss: Vss | None = None
    expected_plan: PlanMeasures | None = None
    """Objective cvar or worst_case: the expected-cost plan's cost under each measure."""
    fairness: FairnessPrice | None = None
    solves: list[ExtraSolve] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _money(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"


def plan_value_json(value: PlanValue | None, case: Case) -> dict | None:
    if value is None:
        return None
    currency = case.settings.currency
    return {
        "expected_cost": {"with_plan": value.cost_with_plan,
                          "without_plan": value.cost_without_plan,
                          "difference": value.cost_difference},
        "expected_shortfall": _records(value.expected_shortfall()),
        "worst_scenario_shortfall": _records(value.worst_shortfall()),
        "meaning": value.meaning(currency),
    }


def cooperation_json(value: CooperationValue | None, case: Case) -> dict | None:
    if value is None:
        return None
    return {
        "saving": value.saving,
        "expected_cost_together": value.objective_together,
        "expected_cost_alone": value.objective_alone,
        "links": value.links,
        "allies": _records(value.allies),
        "expected_shortfall": _records(value.shortfall),
        "meaning": value.meaning(case.settings.currency),
    }


def evpi_json(value: Evpi | None, case: Case) -> dict | None:
    if value is None:
        return None
    return {
        "value": value.value,
        "here_and_now": value.here_and_now,
        "wait_and_see": value.wait_and_see,
        "by_scenario": _records(value.by_scenario),
        "meaning": value.meaning(case.settings.currency),
    }


def vss_json(value: Vss | None, case: Case) -> dict | None:
    if value is None:
        return None
    return {
        "value": value.value,
        "here_and_now": value.here_and_now,
        "average_scenario_plan_cost": value.average_plan_cost,
        "average_scenario_objective": value.average_scenario_cost,
        "meaning": value.meaning(case.settings.currency),
    }


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{key: (value.item() if hasattr(value, "item") else value)
             for key, value in row.items()} for row in frame.to_dict("records")]
