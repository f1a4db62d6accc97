"""Supplier concentration in normal times: Settings ``max_origin_share`` s caps what any
single non-ally origin supplies of an ally's imports of a good.

Normal times are the scenarios without Disruptions rows (Ω₀). For every ally d and good
g with an import route from a non-ally origin, every such origin o, and every period of
a scenario, with open = 1 in Ω₀ and 0 elsewhere (``origin_cap_open``, a scenario
parameter of `models.parameters`):

    (1 − s) · open · v[o,d,g,t] − s · open · Σ_{o' ≠ o} v[o',d,g,t] ≤ 0
                                                              (``origin_share_cap``)

the sum over every other origin of a route into (d, g), allies included: in normal times
v[o] ≤ s · (d's imports of g), elsewhere the row is 0 ≤ 0. Each coefficient is a
constant times the parameter, so the fast path patches it per scenario; s = 1 caps
nothing and adds no row. The row holds only the routes
into one node, so it couples no goods and no allies beyond what the routes themselves do
(an ally origin's route already joins the two allies, `models.components`). Without the
setting there are no rows.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.index_sets import ModelData, Node


def capped_nodes(data: ModelData) -> list[Node]:
    """(ally, good) with an import route from a non-ally origin, when the case sets
    max_origin_share below 1; in the order of the nodes."""
    share = data.case.settings.max_origin_share
    if share is None or share >= 1.0:
        return []
    countries = data.case.countries
    return [node for node in data.nodes
            if any(not countries[o].is_ally for o in data.routes_into.get(node, ()))]


def add_origin_share_caps(block: pyo.Block, data: ModelData) -> None:
    """``origin_share_cap`` (module docstring)."""
    share = data.case.settings.max_origin_share
    countries = data.case.countries
    index = [(o, d, g, t) for d, g in capped_nodes(data)
             for o in data.routes_into[d, g] if not countries[o].is_ally
             for t in data.periods]

    def rule(b, o, d, g, t):
        open_ = b.origin_cap_open[d, g]
        others = [b.imported[other, d, g, t] for other in data.routes_into[d, g]
                  if other != o]
        return ((1.0 - share) * open_ * b.imported[o, d, g, t]
                - pyo.quicksum(share * open_ * v for v in others) <= 0)

    block.origin_share_cap = pyo.Constraint(index, rule=rule)
