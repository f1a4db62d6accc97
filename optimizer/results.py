"""The solved model as tidy tables: one row per record, readable labels, units in the
column names.

Quantities below ``NOISE × scale`` (solver noise; scale is the case's largest quantity)
are shown as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyomo.environ as pyo

from models.index_sets import ModelData

NOISE = 1e-7


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


def extract_results(model: pyo.ConcreteModel, data: ModelData) -> Results:
    """Read the plan out of a solved model into tables."""
    tolerance = NOISE * quantity_scale(data)

    def clean(value: float | None) -> float:
        value = value or 0.0
        return 0.0 if abs(value) < tolerance else value

    stage_one = pyo.value(model.stage_one_cost)
    expected = pyo.value(model.expected_scenario_cost)
    return Results(
        objective=pyo.value(model.total_cost),
        stage_one_cost=stage_one,
        expected_scenario_cost=expected,
        stockpiles=_stockpiles(model, data, clean),
        spare_capacity=_spare_capacity(model, data, clean),
        supply_plan=(plan := _supply_plan(model, data, clean)),
        shipments=_shipments(model, data, clean),
        scenario_costs=_scenario_costs(model, data),
        fill_rates=_fill_rates(plan),
        expected_shortfall=_expected_shortfall(plan, data),
    )


def _stockpiles(model, data: ModelData, clean) -> pd.DataFrame:
    case = data.case
    currency = case.settings.currency
    rows = []
    for n, g in data.stocks:
        entry = case.stockpiles[n, g]
        level = clean(model.stock[n, g].value)
        bought = max(0.0, clean(level - entry.initial))
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


def _spare_capacity(model, data: ModelData, clean) -> pd.DataFrame:
    case = data.case
    currency = case.settings.currency
    rows = []
    for n, g in data.spare:
        entry = case.production[n, g]
        reserved = clean(model.spare[n, g].value)
        rows.append((n, g, case.goods[g].unit, entry.capacity, reserved, entry.spare_max,
                     entry.ramp_periods, entry.spare_cost * reserved))
    return pd.DataFrame(rows, columns=[
        "country", "good", "unit", "capacity (units/period)", "reserved spare (units/period)",
        "spare max (units/period)", "ramp-up (periods)", f"cost ({currency}/year)"])


PLAN_COLUMNS = ["scenario", "country", "good", "period", "demand", "produced", "imported",
                "drawn from stock", "received", "sent", "short"]


def _supply_plan(model, data: ModelData, clean) -> pd.DataFrame:
    """Per scenario, ally, good and period: every term of the balance row."""
    case = data.case
    records: dict[tuple, dict[str, float]] = {}
    for scenario in data.scenarios:
        block = model.scenario[scenario]
        demand_factor = data.factors[scenario].demand
        for n, g in data.nodes:
            for t in data.periods:
                records[scenario, n, g, t] = dict.fromkeys(PLAN_COLUMNS[4:], 0.0)
                records[scenario, n, g, t]["demand"] = (
                    data.demand.get((n, g), 0.0) * demand_factor.get((n, g, t), 1.0))
        for (n, g, t), var in block.produce.items():
            records[scenario, n, g, t]["produced"] = clean(var.value)
        for (_, d, g, t), var in block.imported.items():
            records[scenario, d, g, t]["imported"] += clean(var.value)
        for (n, g, t), var in block.draw.items():
            records[scenario, n, g, t]["drawn from stock"] = clean(var.value)
        for (a, b, g, t), var in block.ship.items():
            units = clean(var.value)
            records[scenario, a, g, t]["sent"] += units
            arrives = t + case.sharing[a, b, g].lead_periods
            if arrives <= case.settings.periods:
                records[scenario, b, g, arrives]["received"] += units
        for (n, g, t), var in block.short.items():
            records[scenario, n, g, t]["short"] = clean(var.value)
    rows = [(*key, *values.values()) for key, values in records.items()]
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)


def _shipments(model, data: ModelData, clean) -> pd.DataFrame:
    case = data.case
    currency = case.settings.currency
    rows = []
    for scenario in data.scenarios:
        for (a, b, g, t), var in model.scenario[scenario].ship.items():
            units = clean(var.value)
            if units:
                link = case.sharing[a, b, g]
                arrives = t + link.lead_periods
                rows.append({
                    "scenario": scenario, "from": a, "to": b, "good": g,
                    "period sent": t,
                    "period arriving": arrives if arrives <= case.settings.periods else None,
                    "units": units, f"cost ({currency})": units * link.unit_cost,
                })
    return pd.DataFrame(rows, columns=["scenario", "from", "to", "good", "period sent",
                                       "period arriving", "units", f"cost ({currency})"])


def _scenario_costs(model, data: ModelData) -> pd.DataFrame:
    currency = data.case.settings.currency
    rows = []
    for scenario in data.scenarios:
        block = model.scenario[scenario]
        rows.append({
            "scenario": scenario,
            "description": data.case.scenarios[scenario].description,
            "probability": data.probability[scenario],
            f"production ({currency})": pyo.value(block.production_cost),
            f"imports ({currency})": pyo.value(block.import_cost),
            f"shipping ({currency})": pyo.value(block.shipping_cost),
            f"shortage penalty ({currency})": pyo.value(block.shortage_cost),
            f"total ({currency})": pyo.value(block.cost),
        })
    return pd.DataFrame(rows)


def _fill_rates(plan: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, ally and good over the horizon: fill rate = 1 − short / demand."""
    demanded = plan[plan["demand"] > 0]
    totals = (demanded.groupby(["scenario", "country", "good"], sort=False)[["demand", "short"]]
              .sum().reset_index())
    totals["fill rate"] = 1.0 - totals["short"] / totals["demand"]
    return totals.rename(columns={"demand": "demand (units)", "short": "short (units)"})


def _expected_shortfall(plan: pd.DataFrame, data: ModelData) -> pd.DataFrame:
    """Per ally and good: Σ_ω π_ω Σ_t z (units over the horizon)."""
    demanded = plan[plan["demand"] > 0]
    weighted = demanded.assign(
        units=demanded["short"] * demanded["scenario"].map(data.probability))
    return weighted.groupby(["country", "good"], sort=False)["units"].sum().reset_index()
