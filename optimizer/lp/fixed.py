"""Stage one fixed at a given plan: how a plan found elsewhere (progressive hedging or
the L-shaped method on mpi-sppy) is evaluated on every scenario by the core LP.

Each stage-one variable keeps its column and gets lower = upper bound = the plan's value
(clipped into its own bounds, so that a plan a solver tolerance outside them stays
feasible), so both formulations compile, solve and report it like any other case: the
LP's optimum is then F(plan) + k·Σ_ω π_ω C_ω(plan), the plan's expected annual cost.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from optimizer.errors import InternalError

StagePlan = dict[str, dict[object, float]]
"""Stage-one values by variable component name, then index (None for a scalar)."""


def fix_stage_one(model: pyo.ConcreteModel, plan: StagePlan) -> None:
    """Bound every top-level variable of `model` to its value in `plan`. A variable the
    plan lacks is an `InternalError`: the plan came from another model."""
    for var in model.component_objects(pyo.Var, descend_into=False):
        values = plan.get(var.local_name)
        for index, entry in var.items():
            if values is None or index not in values:
                raise InternalError(f"the stage-one plan has no value for {entry.name}")
            lower = -math.inf if entry.lb is None else entry.lb
            upper = math.inf if entry.ub is None else entry.ub
            value = min(max(values[index], lower), upper)
            entry.setlb(value)
            entry.setub(value)
