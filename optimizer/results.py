"""The solved plan as tidy tables: one row per record, readable labels, units in the
column names.

Either solve path hands over a `PlanValues` (variable values by component, scenario
costs); the tables are built from it with vectorised pandas. Quantities below
``NOISE × scale`` (solver noise; scale is the case's largest quantity) are shown as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.index_sets import ModelData

NOISE = 1e-7
SCENARIO_COSTS = ("production_cost", "import_cost", "shipping_cost", "shortage_cost", "cost")


@dataclass
class ComponentValues:
    """One variable component: its indices (in the template's order) and its values,
    one row per scenario for stage two (one row for stage one)."""

    indices: list[tuple]
    values: np.ndarray

    def by_index(self, row: int = 0) -> dict[tuple, float]:
        return dict(zip(self.indices, self.values[row].tolist(), strict=True))


def component_values(component, position: dict[int, int], values: np.ndarray,
                     absent: float | None = None) -> ComponentValues:
    """The entries of a Pyomo component (variables or constraints) read from the rows
    of `values` (one per scenario) at `position[id(entry)]`. An entry the compiler left
    out takes `absent`, or for a variable its lower bound (0 if it has none): it
    appears nowhere, so that is where it sits at the optimum."""
    indices = list(component.keys())
    columns = np.array([position.get(id(e), -1) for e in component.values()],
                       dtype=np.int64)
    present = columns >= 0
    result = np.zeros((values.shape[0], len(indices)))
    result[:, present] = values[:, columns[present]]
    if not present.all():
        floor = np.array([absent if absent is not None else (e.lb or 0.0)
                          for e in component.values()])
        result[:, ~present] = floor[~present]
    return ComponentValues(indices, result)


@dataclass
class PlanValues:
    """A solved plan as plain arrays, whichever way it was solved: values, reduced
    costs (by variable component) and the duals of stage-one constraints."""

    scenarios: list[str]
    stage_one: dict[str, ComponentValues]
    stage_two: dict[str, ComponentValues]
    scenario_costs: dict[str, np.ndarray]
    stage_one_cost: float
    objective: float
    stage_one_reduced_costs: dict[str, ComponentValues]
    stage_two_reduced_costs: dict[str, ComponentValues]
    stage_one_duals: dict[str, ComponentValues]


@dataclass
class Results:
    """Every table a report or summary is written from."""

    objective: float
    stage_one_cost: float
    expected_scenario_cost: float
    stockpiles: pd.DataFrame
    spare_capacity: pd.DataFrame
    supply_plan: pd.DataFrame
    shipments: pd.DataFrame
    scenario_costs: pd.DataFrame
    fill_rates: pd.DataFrame
    expected_shortfall: pd.DataFrame
    shadow_prices: pd.DataFrame


def quantity_scale(data: ModelData) -> float:
    """The case's largest quantity, for telling solver noise from a real value."""
    case = data.case
    values = [1.0]
    values += [d.demand for d in case.demand.values()]
    values += [p.capacity + p.spare_max for p in case.production.values()]
    values += [r.volume for r in case.imports.values()]
    values += [s.initial + s.min for s in case.stockpiles.values()]
    return max(values)


def extract_results(plan: PlanValues, data: ModelData) -> Results:
    """Build every table from a solved plan."""
    tolerance = NOISE * quantity_scale(data)
    for component in (*plan.stage_one.values(), *plan.stage_two.values()):
        component.values[np.abs(component.values) < tolerance] = 0.0
    probability = np.array([data.probability[s] for s in plan.scenarios])
    supply = supply_plan(plan, data)
    return Results(
        objective=plan.objective,
        stage_one_cost=plan.stage_one_cost,
        expected_scenario_cost=float(probability @ plan.scenario_costs["cost"]),
        stockpiles=_stockpiles(plan, data),
        spare_capacity=_spare_capacity(plan, data),
        supply_plan=supply,
        shipments=_shipments(plan, data),
        scenario_costs=_scenario_costs(plan, data),
        fill_rates=_fill_rates(supply),
        expected_shortfall=_expected_shortfall(supply, data),
        shadow_prices=_shadow_prices(plan, data, tolerance),
    )


def _stockpiles(plan: PlanValues, data: ModelData) -> pd.DataFrame:
    case = data.case
    currency = case.settings.currency
    levels = plan.stage_one["stock"].by_index()
    rows = []
    for n, g in data.stocks:
        entry = case.stockpiles[n, g]
        level = levels[n, g]
        bought = max(0.0, level - entry.initial)
        demand = case.demand[n, g].demand if (n, g) in case.demand else 0.0
        cover = level / demand * case.settings.period_days if demand > 0 else None
        purchase, holding = entry.purchase_cost * bought, entry.holding_cost * level
        rows.append((n, g, case.goods[g].unit, entry.initial, entry.min, entry.max, level,
                     bought, purchase, holding, purchase + holding, demand, cover))
    return pd.DataFrame(rows, columns=[
        "country", "good", "unit", "initial (units)", "min (units)", "max (units)",
        "level (units)", "bought (units)", f"purchase cost ({currency})",
        f"holding cost ({currency}/year)", f"stage-one cost ({currency}/year)",
        "demand (units/period)", "days of cover"])


def _spare_capacity(plan: PlanValues, data: ModelData) -> pd.DataFrame:
    case = data.case
    currency = case.settings.currency
    reserved = plan.stage_one["spare"].by_index()
    rows = []
    for n, g in data.spare:
        entry = case.production[n, g]
        rows.append((n, g, case.goods[g].unit, entry.capacity, reserved[n, g],
                     entry.spare_max, entry.ramp_periods, entry.spare_cost * reserved[n, g]))
    return pd.DataFrame(rows, columns=[
        "country", "good", "unit", "capacity (units/period)", "reserved spare (units/period)",
        "spare max (units/period)", "ramp-up (periods)", f"cost ({currency}/year)"])


PLAN_KEYS = ["scenario", "country", "good", "period"]
PLAN_TERMS = ["produced", "imported", "drawn from stock", "received", "sent", "short"]


def _long(plan: PlanValues, component: str, fields: list[str]) -> pd.DataFrame:
    """A stage-two component as a long table: scenario, its index fields, value."""
    values = plan.stage_two[component]
    count = len(values.indices)
    columns = list(zip(*values.indices, strict=True)) if count else [()] * len(fields)
    frame = pd.DataFrame({
        "scenario": np.repeat(np.array(plan.scenarios, dtype=object), count),
        **{name: np.tile(np.array(column, dtype=object), len(plan.scenarios))
           for name, column in zip(fields, columns, strict=True)},
        "value": values.values.reshape(-1),
    })
    if "period" in frame:
        frame["period"] = frame["period"].astype(int)
    return frame


def supply_plan(plan: PlanValues, data: ModelData) -> pd.DataFrame:
    """Per scenario, ally, good and period: demand and every term of the balance row."""
    case = data.case
    nodes = pd.DataFrame(data.nodes, columns=["country", "good"])
    base = nodes.merge(pd.DataFrame({"period": data.periods}), how="cross")
    frame = pd.DataFrame({
        "scenario": np.repeat(np.array(plan.scenarios, dtype=object), len(base)),
        "country": np.tile(base["country"].to_numpy(), len(plan.scenarios)),
        "good": np.tile(base["good"].to_numpy(), len(plan.scenarios)),
        "period": np.tile(base["period"].to_numpy(), len(plan.scenarios)),
    })
    frame["demand"] = [
        data.demand.get((n, g), 0.0) * data.factors[s].demand.get((n, g, t), 1.0)
        for s, n, g, t in zip(frame["scenario"], frame["country"], frame["good"],
                              frame["period"], strict=True)]
    lead = {link: case.sharing[link].lead_periods for link in data.links}
    ship = _long(plan, "ship", ["from", "to", "good", "period"])
    ship["arrives"] = ship["period"] + [lead[k] for k in zip(ship["from"], ship["to"],
                                                             ship["good"], strict=True)]
    landed = ship[ship["arrives"] <= case.settings.periods]
    terms = {
        "produced": _long(plan, "produce", ["country", "good", "period"]),
        "imported": _long(plan, "imported", ["origin", "country", "good", "period"]),
        "drawn from stock": _long(plan, "draw", ["country", "good", "period"]),
        "received": landed.drop(columns=["period", "from"]).rename(
            columns={"to": "country", "arrives": "period"}),
        "sent": ship.drop(columns=["to", "arrives"]).rename(columns={"from": "country"}),
        "short": _long(plan, "short", ["country", "good", "period"]),
    }
    frame = frame.set_index(PLAN_KEYS)
    for name, table in terms.items():
        summed = table.groupby(PLAN_KEYS, sort=False)["value"].sum()
        frame[name] = summed.reindex(frame.index, fill_value=0.0).to_numpy()
    return frame.reset_index()


def _shipments(plan: PlanValues, data: ModelData) -> pd.DataFrame:
    case = data.case
    currency = case.settings.currency
    ship = _long(plan, "ship", ["from", "to", "good", "period sent"])
    ship = ship[ship["value"] != 0].rename(columns={"value": "units"})
    links = list(zip(ship["from"], ship["to"], ship["good"], strict=True))
    arrives = ship["period sent"].to_numpy() + np.array(
        [case.sharing[k].lead_periods for k in links], dtype=int)
    ship.insert(5, "period arriving",
                pd.array(np.where(arrives <= case.settings.periods, arrives, -1),
                         dtype="Int64").astype(object))
    ship.loc[ship["period arriving"] == -1, "period arriving"] = None
    ship[f"cost ({currency})"] = ship["units"].to_numpy() * np.array(
        [case.sharing[k].unit_cost for k in links], dtype=float)
    return ship.reset_index(drop=True)


def _scenario_costs(plan: PlanValues, data: ModelData) -> pd.DataFrame:
    currency = data.case.settings.currency
    labels = {"production_cost": "production", "import_cost": "imports",
              "shipping_cost": "shipping", "shortage_cost": "shortage penalty",
              "cost": "total"}
    table = pd.DataFrame({
        "scenario": plan.scenarios,
        "description": [data.case.scenarios[s].description for s in plan.scenarios],
        "probability": [data.probability[s] for s in plan.scenarios],
    })
    for name, label in labels.items():
        table[f"{label} ({currency})"] = plan.scenario_costs[name]
    return table


def _fill_rates(supply: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, ally and good over the horizon: fill rate = 1 − short / demand."""
    demanded = supply[supply["demand"] > 0]
    totals = (demanded.groupby(["scenario", "country", "good"], sort=False)[
        ["demand", "short"]].sum().reset_index())
    totals["fill rate"] = 1.0 - totals["short"] / totals["demand"]
    return totals.rename(columns={"demand": "demand (units)", "short": "short (units)"})


def _expected_shortfall(supply: pd.DataFrame, data: ModelData) -> pd.DataFrame:
    """Per ally and good: Σ_ω π_ω Σ_t z (units over the horizon)."""
    demanded = supply[supply["demand"] > 0]
    weighted = demanded.assign(
        units=demanded["short"] * demanded["scenario"].map(data.probability))
    return weighted.groupby(["country", "good"], sort=False)["units"].sum().reset_index()


def _shadow_prices(plan: PlanValues, data: ModelData, tolerance: float) -> pd.DataFrame:
    """What one more unit of each limit is worth, in expected cost per year (the LP's
    duals, signed so that a positive value is a saving):

    - storage limit: −d(x) at x = max; stock floor: the cost d(x) of one more unit of
      mandated floor at x = min;
    - spare limit: −d(y) at y = spare_max, per unit/period of spare capacity;
    - link capacity: Σ_ω,t −d(s) over shipments at capacity, per unit/period of
      capacity (the duals already carry π_ω);
    - budget: −λ of the ally's budget row, per currency unit of budget.
    """
    case = data.case
    per_year = f"value ({case.settings.currency}/year per unit)"
    rows = []
    stock = plan.stage_one["stock"].by_index()
    stock_reduced = plan.stage_one_reduced_costs["stock"].by_index()
    for key in data.stocks:
        entry = case.stockpiles[key]
        reduced = stock_reduced[key]
        if entry.max is not None and stock[key] >= entry.max - tolerance and reduced < 0:
            rows.append(("storage limit", *key, "", entry.max, -reduced))
        elif entry.min > 0 and stock[key] <= entry.min + tolerance and reduced > 0:
            rows.append(("stock floor", *key, "", entry.min, -reduced))
    spare_reduced = plan.stage_one_reduced_costs["spare"].by_index()
    for key in data.spare:
        rows.append(("spare limit", *key, "", case.production[key].spare_max,
                     max(0.0, -spare_reduced[key])))
    ship = plan.stage_two_reduced_costs["ship"]
    if ship.indices:
        totals = pd.DataFrame({"link": [i[:3] for i in ship.indices],
                               "value": np.maximum(0.0, -ship.values).sum(axis=0)})
        for (sender, receiver, good), value in totals.groupby("link", sort=False)[
                "value"].sum().items():
            capacity = case.sharing[sender, receiver, good].capacity
            if capacity is not None:
                rows.append(("link capacity", sender, good, receiver, capacity, value))
    for ally, dual in plan.stage_one_duals["budget"].by_index().items():
        rows.append(("budget", ally, "", "", case.countries[ally].budget, -dual))
    table = pd.DataFrame(rows, columns=["limit", "country", "good", "to", "limit value",
                                        per_year])
    table.loc[table[per_year].abs() < 1e-9, per_year] = 0.0
    return table
