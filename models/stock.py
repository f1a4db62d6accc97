"""Stock drawn in an emergency, never refilled inside the horizon."""

from __future__ import annotations

import pyomo.environ as pyo

from models.index_sets import ModelData


def add_stock_drawdown(block: pyo.Block, data: ModelData) -> None:
    """Σ_τ w[n,g,τ] ≤ x[n,g] (``stock_drawdown``).

    Since w ≥ 0 the cumulative sums grow with t, so the limit over the whole horizon
    implies Σ_{τ ≤ t} w ≤ x for every t: one row per stockpile instead of H. When and
    how fast stock may be drawn is in w's bound (`models.flows`).
    """
    top = block.model()
    periods = data.periods
    block.stock_drawdown = pyo.Constraint(
        data.draw_nodes,
        rule=lambda b, n, g: pyo.quicksum(b.draw[n, g, t] for t in periods)
        <= top.stock[n, g])
