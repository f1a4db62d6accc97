"""The objective: the expected annual cost of insurance and disruptions."""

from __future__ import annotations

import pyomo.environ as pyo

from models.index_sets import ModelData


def add_objective(model: pyo.ConcreteModel, data: ModelData, blocks) -> None:
    """``expected``: minimise F + k · Σ_ω π_ω C_ω over the scenario `blocks`, with
    k = periods_per_year / H (F is per year, C_ω per horizon).

    Each block enters as π_ω times a block-local expression: the fast path
    (`optimizer.lp.replicated`) relies on the objective's block coefficients being
    affine in the block's ``probability`` and checks it.
    """
    weight = data.horizon_weight
    model.expected_scenario_cost = pyo.Expression(expr=pyo.quicksum(
        block.probability * weight * block.cost for block in blocks))
    model.total_cost = pyo.Objective(expr=model.stage_one_cost + model.expected_scenario_cost,
                                     sense=pyo.minimize)
