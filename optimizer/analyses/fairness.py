"""The price of fairness, as one re-solve on the LP that `CaseSolver` built and solved.

The burden-sharing rows (`models.fairness.FAIRNESS_ROWS`: equal shortage fractions,
the maxmin ceilings, the proportional release) get the bounds (−∞, ∞) in the solved
HiGHS instance and the fairness term's columns (Φ) a cost of 0: that is the LP of the
same case with fairness none and release independent (each lifted row only ties free
helper columns φ, Φ, W to the flows). HiGHS re-runs from the fair plan's basis; bounds
and costs are then restored. The fair plan's cost is its objective less the fairness
term (the Φ columns' cost times their values).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from models.fairness import FAIRNESS_COSTED_COLUMNS, FAIRNESS_ROWS
from optimizer.lp.replicated import ReplicatedLP
from optimizer.results.extras import ExtraSolve
from optimizer.results.fairness import FairnessPrice, is_fair
from optimizer.results.tables import PlanGrid
from optimizer.solver import run


def row_names(lp, scenarios: int) -> np.ndarray:
    """The constraint component's name of every row of either formulation's full LP."""
    if isinstance(lp, ReplicatedLP):
        stage = [con.parent_component().local_name for con, _ in lp.stage_rows]
        block = [con.parent_component().local_name for con, _ in lp.block_rows]
        return np.array(stage + block * scenarios, dtype=object)
    return np.array([con.parent_component().local_name for con, _ in lp.rows], dtype=object)


def price_of_fairness(resolver) -> FairnessPrice | None:
    """The fair plan against the unconstrained one (`optimizer.analyses.extras.Resolver`
    holds the solved LP); None without a burden-sharing rule or if the re-solve does not
    reach optimality (a warning says so)."""
    data = resolver.data
    if not is_fair(data.case):
        return None
    highs, compiled = resolver.highs, resolver.compiled
    rows = np.flatnonzero(np.isin(row_names(resolver.lp, len(data.scenarios)),
                                  FAIRNESS_ROWS)).astype(np.int32)
    cols = np.flatnonzero(np.isin(resolver.columns.name,
                                  FAIRNESS_COSTED_COLUMNS)).astype(np.int32)
    base = resolver.base_outcome.column_values
    cost_fair = resolver.base.objective - float(compiled.cost[cols] @ base[cols])
    if not rows.size:  # no good has two allies to share among: nothing to lift
        return FairnessPrice(cost_fair, cost_fair, _shortfall(resolver, resolver.base))
    started = time.perf_counter()
    try:
        highs.changeRowsBounds(rows.size, rows, np.full(rows.size, -np.inf),
                               np.full(rows.size, np.inf))
        if cols.size:
            highs.changeColsCost(cols.size, cols, np.zeros(cols.size))
        outcome = run(highs, compiled)
    finally:
        highs.changeRowsBounds(rows.size, rows, compiled.row_lower[rows],
                               compiled.row_upper[rows])
        if cols.size:
            highs.changeColsCost(cols.size, cols, compiled.cost[cols])
    resolver.solves.append(ExtraSolve("price of fairness: the burden-sharing rules lifted",
                                      outcome.status, time.perf_counter() - started,
                                      outcome.objective))
    if not resolver._optimal(outcome, "price of fairness"):
        return None
    return FairnessPrice(cost_fair, float(outcome.objective),
                         _shortfall(resolver, resolver.lp.plan(outcome)))


def _shortfall(resolver, plan) -> pd.DataFrame:
    """Per scenario, ally and good with demand: demand and units short over the horizon
    of `plan` (solver noise shown as zero)."""
    grid = PlanGrid(plan, resolver.data)
    demand = grid.terms["demand"].sum(axis=2)
    short = grid.terms["short"].sum(axis=2)
    short = np.where(np.abs(short) < resolver.tolerance, 0.0, short)
    scenario_of, node = np.nonzero(demand > 0)
    nodes = resolver.data.nodes
    return pd.DataFrame({
        "scenario": np.array(plan.scenarios, dtype=object)[scenario_of],
        "country": [nodes[i][0] for i in node],
        "good": [nodes[i][1] for i in node],
        "demand": demand[scenario_of, node],
        "short_unconstrained": short[scenario_of, node],
    })
