"""Supply meets demand at every ally and good, every period of a scenario."""

from __future__ import annotations

import pyomo.environ as pyo

from models.index_sets import ModelData
from models.restraint import restraint_nodes


def add_balance(block: pyo.Block, data: ModelData) -> None:
    """For every node (n, g) and period t (``balance``):

    q + Σ_o v[o,n] + w + Σ_a s[a,n,t − lead] + z (+ zr)
        = D·m + Σ_b s[n,b,t] + Σ_d v[n,d] + Σ_h ratio[n,h,g] · q[n,h,t]

    An ally that is the origin of an Imports route ships out of its own supply (Σ_d
    v[n,d]); making a good h with a recipe uses ratio units of g from the producer's own
    balance in the same period. Shipments leaving in t arrive in t + lead_periods; those
    that would land after H deliver nothing. Demand restrained, zr, meets the demand it
    removes (`models.restraint`).
    """
    production = set(data.production)
    draws = set(data.draw_nodes)
    sharing = data.case.sharing
    restrained = set(restraint_nodes(data))

    def rule(b, n, g, t):
        terms = []
        if (n, g) in production:
            terms.append(b.produce[n, g, t])
        terms.extend(b.imported[o, n, g, t] for o in data.routes_into.get((n, g), ()))
        if (n, g) in draws:
            terms.append(b.draw[n, g, t])
        for sender in data.links_into.get((n, g), ()):
            sent = t - sharing[sender, n, g].lead_periods
            if sent >= 1:
                terms.append(b.ship[sender, n, g, sent])
        terms.extend(-b.ship[n, receiver, g, t]
                     for receiver in data.links_out_of.get((n, g), ()))
        terms.extend(-b.imported[n, d, g, t] for d in data.routes_out_of.get((n, g), ()))
        terms.extend(-ratio * b.produce[n, made, t]
                     for made, ratio in data.used_as_input.get((n, g), ()))
        demand = data.demand.get((n, g), 0.0)
        if demand:
            terms.append(b.short[n, g, t])
        if (n, g) in restrained:
            terms.append(b.restrain[n, g, t])
        need = demand * b.demand_factor[n, g, t] if demand else 0.0
        return pyo.quicksum(terms) == need

    block.balance = pyo.Constraint([(n, g, t) for n, g in data.nodes for t in data.periods],
                                   rule=rule)
