"""Fair burden sharing in the results: how each ally fares, and the price of fairness.

The *price of fairness* is what the burden-sharing rules (Settings fairness,
release_rule; `models.fairness`) cost: the fair plan's yearly cost under the case's
objective (F + k·Σ_ω π_ω C_ω for ``expected``, F + the CVaR or worst-case term otherwise;
the maxmin fairness term left out: it is a weight, not money) minus that of the
unconstrained plan, the optimum with every burden-sharing row lifted (fairness none,
release independent). It is ≥ 0: the fair plan is a plan of the unconstrained problem.

Fill rates per ally and good (over the horizon, 1 − short ÷ demand): the expected one
(1 − Σ_ω π_ω short_ω ÷ Σ_ω π_ω demand_ω), the worst scenario's with its scenario, and the
lowest of any single period (where an equal-shortage rule acts); for the fair plan and,
when the re-solve ran, the unconstrained one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.data import Case
from optimizer.results.tables import Results

NOISE = 1e-12


@dataclass
class FairnessPrice:
    """The fair plan against the unconstrained one. `shortfall`: scenario, country, good,
    demand and short_unconstrained (units over the horizon)."""

    cost_fair: float
    cost_unconstrained: float
    shortfall: pd.DataFrame

    @property
    def price(self) -> float:
        """cost_fair − cost_unconstrained; a difference within solver noise (1e-12 of
        the cost) is shown as 0."""
        price = self.cost_fair - self.cost_unconstrained
        return 0.0 if abs(price) <= NOISE * max(1.0, abs(self.cost_unconstrained)) else price

    def meaning(self, currency: str) -> str:
        return (f"Sharing the burden by the case's rules costs {self.price:,.0f} {currency} "
                f"a year (the case's objective): the fair plan costs "
                f"{self.cost_fair:,.0f}, the least-cost plan without the rules "
                f"{self.cost_unconstrained:,.0f}.")


def is_fair(case: Case) -> bool:
    """True if the case sets a burden-sharing rule."""
    settings = case.settings
    return settings.fairness != "none" or settings.release_rule != "independent"


def fairness_term(case: Case, results: Results) -> float:
    """maxmin: the objective's k · fairness_weight · Σ_ω π_ω Σ_g Φ[g,ω], with Φ[g,ω] the
    largest fraction short of g in ω (any ally with demand, any period: what Φ is at the
    optimum, where it costs more than nothing); 0 for every other rule."""
    settings = case.settings
    short = results.shortfalls
    if settings.fairness != "maxmin" or not settings.fairness_weight or short.empty:
        return 0.0
    worst = 1.0 - short.groupby(["scenario", "good"], sort=False)["fill_rate"].min()
    probability = np.array([case.scenarios[s].probability
                            for s in worst.index.get_level_values("scenario")])
    return (settings.horizon_weight * settings.fairness_weight
            * float(probability @ worst.to_numpy()))


def merge_prices(found: list[FairnessPrice | None]) -> FairnessPrice | None:
    """The price over independent parts: costs added, tables side by side."""
    if not found or any(price is None for price in found):
        return None
    return FairnessPrice(sum(p.cost_fair for p in found),
                         sum(p.cost_unconstrained for p in found),
                         pd.concat([p.shortfall for p in found], ignore_index=True))


def ally_fill_rates(case: Case, results: Results,
                    price: FairnessPrice | None) -> pd.DataFrame:
    """Per ally and good with demand: expected fill rate, the worst scenario's (and which),
    the lowest period's; and the unconstrained plan's expected and worst fill rates when
    `price` is given."""
    probability = case.scenarios
    by_scenario = results.fill_rates[["scenario", "country", "good", "demand", "short"]]
    if price is not None:
        by_scenario = by_scenario.merge(
            price.shortfall[["scenario", "country", "good", "short_unconstrained"]],
            on=["scenario", "country", "good"], how="left")
    weight = by_scenario["scenario"].map(lambda s: probability[s].probability)
    rows = []
    lowest = results.shortfalls.groupby(["country", "good"])["fill_rate"].min()
    for (country, good), group in by_scenario.groupby(["country", "good"], sort=False):
        w = weight[group.index]
        row = {"country": country, "good": good, "unit": case.goods[good].unit}
        for suffix, column in [("", "short")] + (
                [("_unconstrained", "short_unconstrained")] if price is not None else []):
            rate = 1.0 - group[column] / group["demand"]
            worst = int(np.argmin(rate.to_numpy()))
            row["expected_fill_rate" + suffix] = float(
                1.0 - (w * group[column]).sum() / (w * group["demand"]).sum())
            row["worst_fill_rate" + suffix] = float(rate.iloc[worst])
            row["worst_scenario" + suffix] = group["scenario"].iloc[worst]
            if not suffix:
                row["lowest_period_fill_rate"] = float(lowest.get((country, good), 1.0))
        rows.append(row)
    return pd.DataFrame(rows)


def fairness_json(case: Case, results: Results | None,
                  price: FairnessPrice | None) -> dict:
    """The JSON summary's ``fairness``: the rules, the fairness term, the price of
    fairness (null unless a rule is set and its re-solve ran) and each ally's fill
    rates."""
    settings = case.settings
    document = {
        "rule": settings.fairness,
        "weight": settings.fairness_weight,
        "release_rule": settings.release_rule,
        "fairness_term": fairness_term(case, results) if results else None,
        "cost_fair": price.cost_fair if price else None,
        "cost_unconstrained": price.cost_unconstrained if price else None,
        "price_of_fairness": price.price if price else None,
        "fill_rates": [],
    }
    if results:
        document["fill_rates"] = ally_fill_rates(case, results, price).to_dict("records")
    return document
