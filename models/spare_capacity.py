"""Reserved spare capacity, which runs only in an emergency, after its ramp-up."""

from __future__ import annotations

import pyomo.environ as pyo

from models.index_sets import ModelData


def add_spare_capacity_use(block: pyo.Block, data: ModelData) -> None:
    """For (n, g) with a spare option, every period, hit by the same factor b:

    q[n,g,t] − b · open · y[n,g] ≤ b · capacity    (``spare_capacity_use``)

    where open = 1 from t0_ω + ramp_periods on and 0 before and in normal times
    (``spare_open``): before then the row is q ≤ b · capacity.
    """
    index = [(n, g, t) for n, g in data.spare for t in data.periods]
    top = block.model()

    def rule(b, n, g, t):
        factor = b.production_factor[n, g, t]
        return (b.produce[n, g, t] - factor * b.spare_open[n, g, t] * top.spare[n, g]
                <= factor * data.case.production[n, g].capacity)

    block.spare_capacity_use = pyo.Constraint(index, rule=rule)
