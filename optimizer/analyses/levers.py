"""The levers a sweep turns (`optimizer.analyses.sweep`): the registry `LEVERS`, lever
name → `Lever` (a function (case, value) → case, the check of a value, and what it
means). Adding a lever is one entry here; the command line offers every entry as an
option of ``stockpile sweep``. Light on imports: the command line reads it to build
its options.

=====================  ==================================================================
lever                  what the value sets
=====================  ==================================================================
``budget``             Settings alliance_budget: the allies' yearly stage-one cost,
                       together, at most the value (currency per year); at least the
                       yearly cost of every mandated stock floor
``penalty``            a factor f > 0 on every shortage penalty (Goods and Demand)
``probability-scale``  a factor s on the probability of every disrupted scenario (one
                       with Disruptions rows); the normal-times scenarios (none) share
                       the difference pro rata: π'_ω = s·π_ω if ω is disrupted, else
                       π_ω·(1 − s·P_d)/P_0, with P_d and P_0 the disrupted and the
                       normal-times totals; so s ∈ [0, 1/P_d], every π' in [0, 1] and
                       Σ π' = 1
``risk-weight``        Settings risk_weight λ ∈ [0, 1] of objective = cvar (refused for
                       another objective, where it has no effect)
=====================  ==================================================================

Every lever changes only mutable inputs (`models.parameters.MUTABLE_INPUTS`), so every
point of a sweep re-solves the LP built for the first one.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

from models.data import Case


@dataclass(frozen=True)
class Lever:
    name: str
    """The command line's option, without its dashes."""
    label: str
    """What the value is, for a table's header and a chart's axis (`{currency}` is
    replaced by the case's)."""
    meaning: str
    apply: Callable[[Case, float], Case]
    """The case with the lever at `value`."""
    problem: Callable[[Case, float], str | None]
    """Why `value` cannot be used for this case (None: it can)."""

    def label_for(self, case: Case) -> str:
        return self.label.format(currency=case.settings.currency)


def _alliance_budget(case: Case, value: float) -> Case:
    return dataclasses.replace(case, settings=dataclasses.replace(case.settings,
                                                                  alliance_budget=value))


def _budget_problem(case: Case, value: float) -> str | None:
    rate = case.settings.capital_rate
    floors = math.fsum(s.yearly_cost_per_unit(rate) * s.min for s in case.stockpiles.values())
    if value < 0:
        return "the alliance's yearly budget must be ≥ 0"
    if floors > value * (1 + 1e-9):
        return (f"the alliance's yearly budget cannot pay for the mandated stock floors "
                f"(Stockpiles min): holding them costs {floors:,.10g} a year")
    return None


def _penalty_factor(case: Case, value: float) -> Case:
    return dataclasses.replace(
        case,
        goods={g: dataclasses.replace(good, shortage_penalty=good.shortage_penalty * value)
               for g, good in case.goods.items()},
        demand={k: dataclasses.replace(d, shortage_penalty=d.shortage_penalty * value)
                for k, d in case.demand.items()})


def _penalty_problem(case: Case, value: float) -> str | None:
    return None if value > 0 else "the penalty factor must be > 0 (every penalty is > 0)"


def disrupted_scenarios(case: Case) -> set[str]:
    """The scenarios with Disruptions rows (the others are normal times)."""
    return {row.scenario for row in case.disruptions}


def _scaled_probabilities(case: Case, value: float) -> Case:
    disrupted = disrupted_scenarios(case)
    hit = math.fsum(s.probability for k, s in case.scenarios.items() if k in disrupted)
    normal = math.fsum(s.probability for k, s in case.scenarios.items() if k not in disrupted)
    rest = (1.0 - value * hit) / normal if normal > 0 else 1.0
    return dataclasses.replace(case, scenarios={
        k: dataclasses.replace(s, probability=s.probability * (value if k in disrupted
                                                               else rest))
        for k, s in case.scenarios.items()})


def _probability_problem(case: Case, value: float) -> str | None:
    disrupted = disrupted_scenarios(case)
    hit = math.fsum(s.probability for k, s in case.scenarios.items() if k in disrupted)
    if not disrupted:
        return "no scenario has Disruptions rows: there is no probability to scale"
    if value < 0:
        return "the probability factor must be ≥ 0"
    if len(disrupted) == len(case.scenarios) and value != 1:
        return ("every scenario has Disruptions rows: no normal-times scenario can absorb "
                "the difference, so only 1 keeps the probabilities summing to 1")
    if value * hit > 1 + 1e-12:
        return (f"it would make the disrupted scenarios' probabilities sum to "
                f"{value * hit:.6g} > 1 (at most {1 / hit:.6g} keeps every probability "
                "in [0, 1])")
    return None


def _risk_weight(case: Case, value: float) -> Case:
    return dataclasses.replace(case, settings=dataclasses.replace(case.settings,
                                                                  risk_weight=value))


def _risk_weight_problem(case: Case, value: float) -> str | None:
    if case.settings.objective != "cvar":
        return (f"needs the risk objective: Settings objective = cvar (this case's is "
                f"'{case.settings.objective}', where the risk weight has no effect)")
    if not 0 <= value <= 1:
        return "the risk weight λ must be in [0, 1]"
    return None


LEVERS: dict[str, Lever] = {lever.name: lever for lever in (
    Lever("budget", "alliance yearly budget ({currency}/year)",
          "Settings alliance_budget: the cap on the allies' yearly cost of insurance "
          "(stock and spare capacity), together", _alliance_budget, _budget_problem),
    Lever("penalty", "shortage penalty factor",
          "a factor on every shortage penalty (Goods and Demand)", _penalty_factor,
          _penalty_problem),
    Lever("probability-scale", "disrupted scenarios' probability factor",
          "a factor on the probability of every scenario with Disruptions rows; the "
          "normal-times scenarios share the difference pro rata", _scaled_probabilities,
          _probability_problem),
    Lever("risk-weight", "risk weight λ", "Settings risk_weight λ of the cvar objective",
          _risk_weight, _risk_weight_problem),
)}
