"""The solved plan as tidy tables: one row per record, plain snake_case columns whose
labels and units are in `optimizer.results.columns`.

Either solve path hands over a `PlanValues` (variable values by component, scenario
costs); the tables are built from it with vectorised pandas. Quantities below
``NOISE × scale`` (solver noise; scale is the case's largest quantity) are shown as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.index_sets import ModelData
from models.parameters import closed_shipment_mask
from optimizer.lp.plan import ComponentValues, PlanValues
from optimizer.results.concentration import concentration_table

NOISE = 1e-7


@dataclass
class Results:
    """Every table a report or summary is written from. `objective` is what HiGHS
    minimised; `expected_scenario_cost` is k · Σ_ω π_ω C_ω, per year."""

    objective: float
    stage_one_cost: float
    expected_scenario_cost: float
    stockpiles: pd.DataFrame
    spare_capacity: pd.DataFrame
    purchases: pd.DataFrame
    supply_plan: pd.DataFrame
    shortfalls: pd.DataFrame
    shipments: pd.DataFrame
    processing: pd.DataFrame
    scenario_costs: pd.DataFrame
    fill_rates: pd.DataFrame
    expected_shortfall: pd.DataFrame
    shadow_prices: pd.DataFrame
    contracts: pd.DataFrame
    shortage_tiers: pd.DataFrame
    concentration: pd.DataFrame


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
    grid = PlanGrid(plan, data)
    stockpiles = _stockpiles(plan, data)
    spare_capacity = _spare_capacity(plan, data)
    contracts = _contracts(plan, data)
    supply_plan = grid.table(plan.scenarios)
    return Results(
        objective=plan.objective,
        stage_one_cost=plan.stage_one_cost,
        expected_scenario_cost=data.horizon_weight
        * float(probability @ plan.scenario_costs["cost"]),
        stockpiles=stockpiles,
        spare_capacity=spare_capacity,
        purchases=_purchases(stockpiles, spare_capacity, contracts, data),
        supply_plan=supply_plan,
        shortfalls=_shortfalls(supply_plan),
        shipments=_shipments(plan, data),
        processing=_processing(plan, data),
        scenario_costs=_scenario_costs(plan, data),
        fill_rates=_fill_rates(grid, plan.scenarios),
        expected_shortfall=_expected_shortfall(grid, plan.scenarios),
        shadow_prices=_shadow_prices(plan, data, tolerance),
        contracts=contracts,
        shortage_tiers=_shortage_tiers(plan, data),
        concentration=concentration_table(plan, data),
    )


def _stockpiles(plan: PlanValues, data: ModelData) -> pd.DataFrame:
    """Per stockpile: the level x, the units bought max(0, x − initial), the one-time
    purchase outlay, the yearly charges ((r + δ)·purchase_cost·x and holding_cost·x)
    and days of cover x / demand per period × period_days."""
    case = data.case
    rate = case.settings.capital_rate
    levels = plan.stage_one["stock"].by_index()
    rows = []
    for n, g in data.stocks:
        entry = case.stockpiles[n, g]
        level = levels[n, g]
        bought = max(0.0, level - entry.initial)
        demand = case.demand[n, g].demand if (n, g) in case.demand else 0.0
        cover = level / demand * case.settings.period_days if demand > 0 else None
        capital = (rate + entry.loss_rate) * entry.purchase_cost * level
        holding = entry.holding_cost * level
        rows.append((n, g, case.goods[g].unit, entry.initial, entry.min, entry.max, level,
                     bought, entry.purchase_cost * bought, capital, holding,
                     capital + holding, demand, cover, entry.max_draw, entry.release_lag))
    return pd.DataFrame(rows, columns=[
        "country", "good", "unit", "initial", "min", "max", "level", "bought",
        "purchase_outlay", "capital_cost", "holding_cost", "yearly_cost",
        "demand_per_period", "days_of_cover", "max_draw", "release_lag"])


def _spare_capacity(plan: PlanValues, data: ModelData) -> pd.DataFrame:
    case = data.case
    reserved = plan.stage_one["spare"].by_index()
    rows = []
    for n, g in data.spare:
        entry = case.production[n, g]
        rows.append((n, g, case.goods[g].unit, entry.capacity, reserved[n, g],
                     entry.spare_max, entry.ramp_periods, entry.spare_cost * reserved[n, g]))
    return pd.DataFrame(rows, columns=[
        "country", "good", "unit", "capacity", "reserved", "spare_max", "ramp_periods",
        "yearly_cost"])


def _contracts(plan: PlanValues, data: ModelData) -> pd.DataFrame:
    """Per route with a contract option (`models.contracts`): the extra volume reserved
    e and its yearly cost extra_cost · e."""
    case = data.case
    reserved = plan.stage_one["extra"].by_index()
    rows = []
    for o, d, g in reserved:
        route = case.imports[o, d, g]
        rows.append((o, d, g, case.goods[g].unit, route.volume, reserved[o, d, g],
                     route.extra_max, route.extra_cost, route.extra_cost * reserved[o, d, g]))
    return pd.DataFrame(rows, columns=[
        "origin", "destination", "good", "unit", "volume", "reserved_extra", "extra_max",
        "extra_cost", "yearly_cost"])


def _shortage_tiers(plan: PlanValues, data: ModelData) -> pd.DataFrame:
    """Per scenario, ally, good and tier (`models.tiers`): its share of demand, its
    penalty and the units short in it over the horizon."""
    component = plan.stage_two["tier_short"]
    tiers = data.case.tiers
    keys = [index[:3] for index in component.indices]
    frame = pd.DataFrame(component.values.T, index=pd.MultiIndex.from_tuples(keys)
                         if keys else None, columns=plan.scenarios)
    rows = []
    if keys:
        totals = frame.groupby(level=[0, 1, 2], sort=False).sum()
        for (n, g, k), units in totals.iterrows():
            share, penalty = tiers[n, g][k - 1]
            rows += [(s, n, g, k, share, penalty, float(units[s])) for s in plan.scenarios]
    table = pd.DataFrame(rows, columns=["scenario", "country", "good", "tier", "share",
                                        "penalty", "short"])
    return table.sort_values(["scenario"], kind="stable").reset_index(drop=True)


def _purchases(stockpiles: pd.DataFrame, spare: pd.DataFrame, contracts: pd.DataFrame,
               data: ModelData) -> pd.DataFrame:
    """Per ally: the one-time purchase outlay beside the yearly cost of its insurance
    (its share of F: stock, spare capacity and, where a route has the option, reserved
    supply contracts into it) and its budgets."""
    case = data.case
    outlay = stockpiles.groupby("country")["purchase_outlay"].sum()
    stock = stockpiles.groupby("country")["yearly_cost"].sum()
    reserved = spare.groupby("country")["yearly_cost"].sum()
    contracted = contracts.groupby("destination")["yearly_cost"].sum()
    allies = [a for a in case.allies if a in outlay.index or a in reserved.index
              or a in contracted.index]
    table = pd.DataFrame({
        "country": allies,
        "purchase_outlay": [float(outlay.get(a, 0.0)) for a in allies],
        "stock_yearly_cost": [float(stock.get(a, 0.0)) for a in allies],
        "spare_yearly_cost": [float(reserved.get(a, 0.0)) for a in allies],
        "budget": [case.countries[a].budget for a in allies],
        "purchase_budget": [case.countries[a].purchase_budget for a in allies],
    })
    yearly = table["stock_yearly_cost"] + table["spare_yearly_cost"]
    if not contracts.empty:
        table.insert(4, "contract_yearly_cost", [float(contracted.get(a, 0.0))
                                                 for a in allies])
        yearly = yearly + table["contract_yearly_cost"]
    table.insert(table.columns.get_loc("budget"), "yearly_cost", yearly)
    return table


PLAN_COLUMNS = ["scenario", "country", "good", "period", "demand", "produced", "imported",
                "drawn", "received", "sent", "exported", "used_in_processing", "short",
                "restrained"]
"""Every term of the balance: produced + imported + drawn + received + short + restrained
= demand + sent + exported + used_in_processing; ``restrained`` only in a case with a
restraint option (`models.restraint`)."""


class PlanGrid:
    """The balance rows of every scenario as one array ``[term][scenario, node, period]``.

    Each stage-two variable adds to the cells of the balance rows it appears in (a
    shipment: sent where it leaves, received where and when it lands; an import from an
    ally: imported at its destination, exported at its origin; production with a recipe:
    produced, and used in processing at each input), so the plan is summed with
    `np.bincount` on integer positions instead of grouping labels.
    """

    def __init__(self, plan: PlanValues, data: ModelData):
        self.data = data
        self.node_index = {node: i for i, node in enumerate(data.nodes)}
        periods = data.case.settings.periods
        shape = (len(plan.scenarios), len(data.nodes), periods)
        stage_two = plan.stage_two
        self.terms = {name: np.zeros(shape) for name in PLAN_COLUMNS[4:]
                      if name != "restrained" or stage_two["restrain"].indices}
        self.terms["demand"][:] = self._demand(plan.scenarios)
        allies = set(data.case.allies)
        sharing = data.case.sharing
        recipes = data.case.recipes
        self._add("produced", stage_two["produce"], lambda n, g, t: [(n, g, t, 1.0)])
        self._add("used_in_processing", stage_two["produce"], lambda n, g, t: [
            (n, i, t, ratio) for i, ratio in recipes.get((n, g), {}).items()])
        self._add("imported", stage_two["imported"], lambda o, d, g, t: [(d, g, t, 1.0)])
        self._add("exported", stage_two["imported"],
                  lambda o, d, g, t: [(o, g, t, 1.0)] if o in allies else [])
        self._add("drawn", stage_two["draw"], lambda n, g, t: [(n, g, t, 1.0)])
        self._add("short", stage_two["short"], lambda n, g, t: [(n, g, t, 1.0)])
        if "restrained" in self.terms:
            self._add("restrained", stage_two["restrain"], lambda n, g, t: [(n, g, t, 1.0)])
        self._add("sent", stage_two["ship"], lambda a, b, g, t: [(a, g, t, 1.0)])
        self._add("received", stage_two["ship"], lambda a, b, g, t: [
            (b, g, t + sharing[a, b, g].lead_periods, 1.0)])

    def _demand(self, scenarios: list[str]) -> np.ndarray:
        """D[n,g] · m[n,g,t,ω] on the grid."""
        periods = self.data.case.settings.periods
        base = np.array([self.data.demand.get(node, 0.0) for node in self.data.nodes])
        demand = np.repeat(base[None, :, None], periods, axis=2)
        demand = np.repeat(demand, len(scenarios), axis=0)
        for k, scenario in enumerate(scenarios):
            for (n, g, t), factor in self.data.factors[scenario].demand.items():
                if (n, g) in self.node_index:
                    demand[k, self.node_index[n, g], t - 1] *= factor
        return demand

    def _add(self, term: str, component: ComponentValues, cells) -> None:
        """Add each variable's values (all scenarios at once) to its cells: `cells(*index)`
        lists (node, good, period, weight); a period past the horizon (a shipment that
        lands too late) takes nothing."""
        periods = self.data.case.settings.periods
        variable, flat, weight = [], [], []
        for j, index in enumerate(component.indices):
            for node, good, period, w in cells(*index):
                if period <= periods:
                    variable.append(j)
                    flat.append(self.node_index[node, good] * periods + period - 1)
                    weight.append(w)
        if not flat:
            return
        variable = np.array(variable, dtype=np.int64)
        flat = np.array(flat, dtype=np.int64)
        weight = np.array(weight)
        grid = self.terms[term]  # [scenario, node, period]; flat indexes node × period
        scenarios, cells = grid.shape[0], grid[0].size
        cell_of = (np.arange(scenarios)[:, None] * cells + flat).ravel()
        grid.reshape(-1)[:] += np.bincount(
            cell_of, weights=(weight * component.values[:, variable]).ravel(),
            minlength=grid.size)

    def table(self, scenarios: list[str]) -> pd.DataFrame:
        """The grid as a tidy table, one row per scenario, ally, good and period."""
        count, nodes, periods = self.terms["demand"].shape
        countries = np.array([n for n, _ in self.data.nodes], dtype=object)
        goods = np.array([g for _, g in self.data.nodes], dtype=object)
        frame = pd.DataFrame({
            "scenario": np.repeat(np.array(scenarios, dtype=object), nodes * periods),
            "country": np.tile(np.repeat(countries, periods), count),
            "good": np.tile(np.repeat(goods, periods), count),
            "period": np.tile(np.arange(1, periods + 1), count * nodes),
        })
        for name in PLAN_COLUMNS[4:]:
            if name in self.terms:
                frame[name] = self.terms[name].reshape(-1)
        return frame


def _shipments(plan: PlanValues, data: ModelData) -> pd.DataFrame:
    """The shipments that carry something: scenario, link, periods sent and arriving
    (none when it would land after the horizon), units and cost."""
    case = data.case
    ship = plan.stage_two["ship"]
    links = [index[:3] for index in ship.indices]
    sent = np.array([index[3] for index in ship.indices], dtype=np.int64)
    lead = np.array([case.sharing[link].lead_periods for link in links], dtype=np.int64)
    unit_cost = np.array([case.sharing[link].unit_cost for link in links], dtype=float)
    scenario_of, column = np.nonzero(ship.values)
    units = ship.values[scenario_of, column]
    arrives = sent[column] + lead[column]
    link_array = np.array(links, dtype=object).reshape(len(links), 3)
    return pd.DataFrame({
        "scenario": np.array(plan.scenarios, dtype=object)[scenario_of],
        "from": link_array[column, 0] if len(links) else [],
        "to": link_array[column, 1] if len(links) else [],
        "good": link_array[column, 2] if len(links) else [],
        "period_sent": sent[column],
        "period_arriving": [a if a <= case.settings.periods else None
                            for a in arrives.tolist()],
        "units": units,
        "cost": units * unit_cost[column],
    })


def _processing(plan: PlanValues, data: ModelData) -> pd.DataFrame:
    """Per scenario and recipe input of a producing ally: units made over the horizon and
    the input they used (ratio × made)."""
    recipes = data.case.recipes
    produce = plan.stage_two["produce"]
    made = pd.DataFrame(produce.values.T, index=pd.MultiIndex.from_tuples(
        [index[:2] for index in produce.indices]) if produce.indices else None)
    made = made.groupby(level=[0, 1], sort=False).sum() if produce.indices else made
    rows = []
    for (n, g), inputs in recipes.items():
        if (n, g) not in made.index:
            continue
        for k, scenario in enumerate(plan.scenarios):
            units = float(made.loc[(n, g)].iloc[k])
            rows += [(scenario, n, g, i, ratio, units, ratio * units)
                     for i, ratio in inputs.items()]
    return pd.DataFrame(rows, columns=["scenario", "country", "good", "input", "ratio",
                                       "produced", "input_used"])


def _scenario_costs(plan: PlanValues, data: ModelData) -> pd.DataFrame:
    """Per scenario, C_ω over the horizon by account (`models.costs`)."""
    table = pd.DataFrame({
        "scenario": plan.scenarios,
        "description": [data.case.scenarios[s].description for s in plan.scenarios],
        "probability": [data.probability[s] for s in plan.scenarios],
    })
    for name in ("production_cost", "import_cost", "shipping_cost", "refill_cost",
                 "shortage_cost", "restraint_cost"):
        table[name] = plan.scenario_costs[name]
    table["total_cost"] = plan.scenario_costs["cost"]
    return table


def _fill_rates(grid: PlanGrid, scenarios: list[str]) -> pd.DataFrame:
    """Per scenario, ally and good over the horizon: fill rate = 1 − short / demand."""
    demand = grid.terms["demand"].sum(axis=2)
    short = grid.terms["short"].sum(axis=2)
    scenario_of, node = np.nonzero(demand > 0)
    return pd.DataFrame({
        "scenario": np.array(scenarios, dtype=object)[scenario_of],
        "country": [grid.data.nodes[i][0] for i in node],
        "good": [grid.data.nodes[i][1] for i in node],
        "demand": demand[scenario_of, node],
        "short": short[scenario_of, node],
        "fill_rate": 1.0 - short[scenario_of, node] / demand[scenario_of, node],
    })


def _shortfalls(plan: pd.DataFrame) -> pd.DataFrame:
    """The periods with unmet demand, with the fill rate of each."""
    short = plan.loc[plan["short"] > 0, ["scenario", "country", "good", "period", "demand",
                                         "short"]].copy()
    short["fill_rate"] = 1.0 - short["short"] / short["demand"]
    return short.reset_index(drop=True)


def _expected_shortfall(grid: PlanGrid, scenarios: list[str]) -> pd.DataFrame:
    """Per ally and good with demand: Σ_ω π_ω Σ_t z (units over the horizon)."""
    probability = np.array([grid.data.probability[s] for s in scenarios])
    units = probability @ grid.terms["short"].sum(axis=2)
    demanded = [i for i, node in enumerate(grid.data.nodes) if node in grid.data.demand]
    return pd.DataFrame({
        "country": [grid.data.nodes[i][0] for i in demanded],
        "good": [grid.data.nodes[i][1] for i in demanded],
        "units": units[demanded],
    })


def _shadow_prices(plan: PlanValues, data: ModelData, tolerance: float) -> pd.DataFrame:
    """What one more unit of each limit is worth, in expected cost per year (the LP's
    duals, signed so that a positive value is a saving):

    - storage limit: −d(x) at x = max; stock floor: the cost d(x) of one more unit of
      mandated floor at x = min;
    - spare limit: −d(y) at y = spare_max, per unit/period of spare capacity;
    - link capacity: Σ_ω,t −d(s) over shipments at capacity in the periods the link is
      open, per unit/period of capacity (the duals already carry k · π_ω);
    - budget: −λ of the ally's budget row, per currency unit a year of budget;
    - purchase budget: −λ of the ally's purchase-budget row, per currency unit of
      one-time budget (a saving per year for each unit of money spent once);
    - alliance budget, alliance purchase budget: the same for the allies' together
      (country blank).
    """
    case = data.case
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
        closed = closed_shipment_mask(data, plan.scenarios, ship.indices)
        value = np.where(closed, 0.0, np.maximum(0.0, -ship.values)).sum(axis=0)
        totals = pd.DataFrame({"link": [i[:3] for i in ship.indices], "value": value})
        for (sender, receiver, good), value in totals.groupby("link", sort=False)[
                "value"].sum().items():
            capacity = case.sharing[sender, receiver, good].capacity
            if capacity is not None:
                rows.append(("link capacity", sender, good, receiver, capacity, value))
    for ally, dual in plan.stage_one_duals["budget"].by_index().items():
        rows.append(("budget", ally, "", "", case.countries[ally].budget, -dual))
    for ally, dual in plan.stage_one_duals["purchase_budget"].by_index().items():
        rows.append(("purchase budget", ally, "", "", case.countries[ally].purchase_budget,
                     -dual))
    for limit, row in (("alliance budget", "alliance_budget"),
                       ("alliance purchase budget", "alliance_purchase_budget")):
        for dual in plan.stage_one_duals[row].by_index().values():
            rows.append((limit, "", "", "", getattr(case.settings, row), -dual))
    table = pd.DataFrame(rows, columns=["limit", "country", "good", "to", "limit_value",
                                        "value"])
    table.loc[table["value"].abs() < 1e-9, "value"] = 0.0
    return table
