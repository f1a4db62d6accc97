"""Tiered shortage penalties: damage that grows faster than the units short.

For (n, g) with ShortageTiers (share_k, penalty_k), k = 1..K, penalty_1 ≤ … ≤ penalty_K
≤ penalty (the Demand or Goods shortage_penalty), Σ share_k ≤ 1, the cost of z units
short in a period is the convex piecewise-linear

    P(z) = Σ_k penalty_k · z_k + penalty · (z − Σ_k z_k),   z_k ≤ share_k · D · m,

with the tiers filled from the cheapest up. As an LP, beside z (which keeps its bound
and its place in the balance):

=================  ==========================  ==========================================
name               index                       math
=================  ==========================  ==========================================
``tier_short``     (n, g, k) tiered, t         0 ≤ z_k ≤ share_k · D · m (a bound)
``tier_split``     (n, g) tiered, t            Σ_k z_k ≤ z
shortage cost      —                           Σ penalty · z + Σ (penalty_k − penalty) · z_k
=================  ==========================  ==========================================

Each z_k has a cost below 0 (penalty_k ≤ penalty), so at an optimum Σ_k z_k = min(z,
Σ_k share_k · D · m), the cheapest tiers first, and the cost is P(z). Without tiers the
sets are empty and the shortage cost is Σ penalty · z.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.index_sets import ModelData, Node


def tiered_nodes(data: ModelData) -> list[Node]:
    """(ally, good) with demand and ShortageTiers, in the Demand order."""
    return [k for k in data.demand if k in data.case.tiers]


def add_tiers(block: pyo.Block, data: ModelData) -> None:
    """``tier_short`` with its bound and ``tier_split`` (table above)."""
    tiers = data.case.tiers
    nodes = tiered_nodes(data)
    index = [(n, g, k, t) for n, g in nodes for k in range(1, len(tiers[n, g]) + 1)
             for t in data.periods]
    block.tier_short = pyo.Var(index, bounds=lambda b, n, g, k, t: (
        0.0, b.demand_factor[n, g, t] * (tiers[n, g][k - 1][0] * data.demand[n, g])))
    block.tier_split = pyo.Constraint(
        [(n, g, t) for n, g in nodes for t in data.periods],
        rule=lambda b, n, g, t: pyo.quicksum(
            b.tier_short[n, g, k, t] for k in range(1, len(tiers[n, g]) + 1))
        <= b.short[n, g, t])


def tier_cost(block: pyo.Block, data: ModelData):
    """Σ (penalty_k − penalty) · z_k: what the tiers take off Σ penalty · z."""
    tiers = data.case.tiers
    top = block.model()
    return pyo.quicksum((tiers[n, g][k - 1][1] - top.penalty[n, g]) * zk
                        for (n, g, k, t), zk in block.tier_short.items())
