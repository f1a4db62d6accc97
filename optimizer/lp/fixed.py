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
    """Bound every entry of the top-level variables `plan` names to its value there;
    the others (a risk measure's η or θ) stay free, so the LP finds the plan's measure.
    A component or entry of `plan` that `model` lacks, or an entry of a named component
    that `plan` lacks, is an `InternalError`: the plan came from another model."""
    for name, values in plan.items():
        var = model.component(name)
        if not isinstance(var, pyo.Var) or var.parent_block() is not model:
            raise InternalError(f"the stage-one plan names {name}, which is no stage-one "
                                "variable of this model")
        if set(values) != set(var.keys()):
            raise InternalError(f"the stage-one plan's entries of {name} are not the "
                                "model's")
        for index, entry in var.items():
            lower = -math.inf if entry.lb is None else entry.lb
            upper = math.inf if entry.ub is None else entry.ub
            value = min(max(values[index], lower), upper)
            entry.setlb(value)
            entry.setub(value)
