"""The objective: the yearly cost of insurance and a measure of the disruptions' cost."""

from __future__ import annotations

import pyomo.environ as pyo

from models.fairness import expected_fairness_cost
from models.index_sets import ModelData
from models.risk import scenario_term


def add_objective(model: pyo.ConcreteModel, data: ModelData, blocks) -> None:
    """Minimise F + the scenario term of Settings ``objective`` (`models.risk`): for
    ``expected``, k · Σ_ω π_ω C_ω over the scenario `blocks`, with k = periods_per_year
    / H (F is per year, C_ω per horizon). Each further term is one more addend here:
    with fairness = maxmin, k · fairness_weight · Σ_ω π_ω Σ_g Φ[g,ω] (`models.fairness`).

    Each block enters as π_ω times a block-local expression: the fast path
    (`optimizer.lp.replicated`) relies on the objective's block coefficients being
    affine in the block's ``probability`` and checks it.
    """
    blocks = list(blocks)
    weight = data.horizon_weight
    model.expected_scenario_cost = pyo.Expression(expr=pyo.quicksum(
        block.probability * weight * block.cost for block in blocks))
    model.total_cost = pyo.Objective(expr=model.stage_one_cost
                                     + scenario_term(model, data, blocks)
                                     + expected_fairness_cost(data, blocks),
                                     sense=pyo.minimize)
