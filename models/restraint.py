"""Demand restraint: part of an ally's demand cut by policy (rationing, substitution,
deferral) at a known cost per unit, instead of being left short at the penalty.

=====================  ========================  ==========================================
name                   index                     math
=====================  ========================  ==========================================
``restrain`` zr        (n, g) with demand and    0 ≤ zr ≤ r · D · m (a bound), r the Demand
                       restraint_share r > 0, t  restraint_share, m the demand factor
``unmet_limit``        the same                  zr + z ≤ D · m: restrained and short
                                                 together are at most the period's demand
``restraint_cost``     —                         Σ_t Σ c_r · zr, c_r the Demand
                                                 restraint_cost: an account of C_ω
=====================  ========================  ==========================================

zr enters the balance beside z (`models.balance`): it meets the demand it removes. Like
z it may be used in any period of any scenario, normal times included (the model
restrains whenever that is cheaper than supplying); a restraint_cost above the cost of
normal supply keeps it for emergencies. Without a restraint option the set is empty and
the account is 0.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.index_sets import ModelData, Node


def restraint_nodes(data: ModelData) -> list[Node]:
    """(ally, good) with demand and a restraint_share above 0, in the Demand order."""
    return [k for k in data.demand if data.case.demand[k].restraint_share > 0]


def add_restraint(block: pyo.Block, data: ModelData) -> None:
    """``restrain`` with its bound and ``unmet_limit`` (table above)."""
    demand = data.case.demand
    index = [(n, g, t) for n, g in restraint_nodes(data) for t in data.periods]
    block.restrain = pyo.Var(index, bounds=lambda b, n, g, t: (
        0.0, b.demand_factor[n, g, t] * (demand[n, g].restraint_share * data.demand[n, g])))
    block.unmet_limit = pyo.Constraint(index, rule=lambda b, n, g, t: (
        b.restrain[n, g, t] + b.short[n, g, t]
        <= b.demand_factor[n, g, t] * data.demand[n, g]))


def restraint_cost(block: pyo.Block, data: ModelData):
    """Σ c_r · zr over the block's restraint columns."""
    demand = data.case.demand
    return pyo.quicksum(demand[n, g].restraint_cost * zr
                        for (n, g, t), zr in block.restrain.items())
