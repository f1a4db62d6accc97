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


@dataclass
class PlanValues:
    """A solved plan as plain arrays, whichever way it was solved."""

    scenarios: list[str]
    stage_one: dict[str, ComponentValues]
    stage_two: dict[str, ComponentValues]
    scenario_costs: dict[str, np.ndarray]
    stage_one_cost: float
    objective: float


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
