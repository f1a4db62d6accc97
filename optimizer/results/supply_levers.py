"""The supply- and demand-side levers as tidy tables and JSON: demand restraint, reserved
supply contracts and tiered shortage penalties (what the report's lever sheets and the
JSON summary show).

Restrained units are summed over the horizon (a scenario's) or weighted by probability
(expected); contract volumes are units per period, their costs per year.
"""

from __future__ import annotations

import pandas as pd

from models.data import Case
from optimizer.results.concentration import with_before
from optimizer.results.extras import PlanValue
from optimizer.results.tables import Results


def has_restraint(case: Case) -> bool:
    """A Demand row with demand and a restraint option (`models.restraint`): the supply
    plan then has a ``restrained`` column."""
    return any(d.restraint_share > 0 and d.demand > 0 for d in case.demand.values())


def has_contracts(case: Case) -> bool:
    return any(r.has_extra_option for r in case.imports.values())


def restraint_table(case: Case, results: Results) -> pd.DataFrame:
    """Per scenario, ally and good with a restraint option: demand, units restrained
    and short over the horizon, and the restraint's cost (restraint_cost × restrained)."""
    options = {k: d for k, d in case.demand.items() if d.restraint_share > 0 and d.demand > 0}
    plan = results.supply_plan
    keys = pd.Series(list(zip(plan["country"], plan["good"], strict=True)), index=plan.index)
    rows = plan.loc[keys.isin(set(options))]
    table = rows.groupby(["scenario", "country", "good"], sort=False)[
        ["demand", "restrained", "short"]].sum().reset_index()
    table.insert(3, "restraint_share", [options[k].restraint_share for k in
                                        zip(table["country"], table["good"], strict=True)])
    table["restraint_cost"] = [options[k].restraint_cost * units for k, units in zip(
        zip(table["country"], table["good"], strict=True), table["restrained"], strict=True)]
    return table


def expected_restraint(case: Case, results: Results) -> pd.DataFrame:
    """Per ally and good with a restraint option: Σ_ω π_ω Σ_t zr (units over the
    horizon)."""
    table = restraint_table(case, results)
    probability = results.scenario_costs.set_index("scenario")["probability"]
    table["units"] = table["restrained"] * table["scenario"].map(probability)
    return table.groupby(["country", "good"], sort=False)["units"].sum().reset_index()


def expected_tier_shortfall(results: Results) -> pd.DataFrame:
    """Per ally, good and tier: Σ_ω π_ω units short in the tier over the horizon."""
    table = results.shortage_tiers
    probability = results.scenario_costs.set_index("scenario")["probability"]
    table = table.assign(units=table["short"] * table["scenario"].map(probability))
    return table.groupby(["country", "good", "tier", "share", "penalty"], sort=False)[
        "units"].sum().reset_index()


def levers_json(case: Case, results: Results | None) -> dict:
    """The JSON summary's keys for the levers: ``supply_contracts`` (every route with a
    contract option: origin, destination, good, level = extra units/period reserved,
    yearly_cost), ``expected_restraint`` (country, good, units: probability-weighted
    units restrained over the horizon) and ``expected_shortfall_by_tier`` (country, good,
    tier, share, penalty, units: probability-weighted units short in the tier); empty
    lists without a solution or without the lever."""
    if results is None:
        return {"supply_contracts": [], "expected_restraint": [],
                "expected_shortfall_by_tier": []}
    restrained = (expected_restraint(case, results).itertuples(index=False)
                  if has_restraint(case) else [])
    return {
        "supply_contracts": [
            {"origin": r.origin, "destination": r.destination, "good": r.good,
             "level": r.reserved_extra, "yearly_cost": r.yearly_cost}
            for r in results.contracts.itertuples(index=False)],
        "expected_restraint": [
            {"country": r.country, "good": r.good, "units": r.units}
            for r in restrained],
        "expected_shortfall_by_tier": [
            {"country": r.country, "good": r.good, "tier": r.tier, "share": r.share,
             "penalty": r.penalty, "units": r.units}
            for r in expected_tier_shortfall(results).itertuples(index=False)],
    }


def concentration(results: Results, plan: PlanValue | None) -> pd.DataFrame:
    """The plan's supplier concentration in normal times beside no new insurance's (the
    value of the plan's re-solve; blank without it), flagged above 65 %."""
    return with_before(results.concentration, plan.concentration if plan else None)


def concentration_json(results: Results | None, plan: PlanValue | None) -> list[dict]:
    """The JSON summary's ``concentration``: per ally and good with supply in normal
    times, supply (units/period), largest_origin (null if none), largest_share, hhi, the
    same three with no new insurance (``*_before``, null without the extras) and
    over_benchmark (largest_share > 0.65)."""
    if results is None:
        return []
    table = concentration(results, plan)
    return [{key: (None if isinstance(value, float) and value != value else value)
             for key, value in record.items() if key != "unit"}
            for record in table.astype(object).to_dict("records")]
