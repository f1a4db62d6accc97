"""The scenario creator handed to mpi-sppy, in the style of its farmer example: plain
data in (`ModelData`), one scenario's Pyomo model out, built by the same code as the
extensive form (`models.scenario_model.build_scenario_model`).

Each scenario's model is stage one and the scenario's block with the block's
``probability`` set to 1, so that its objective is F + k·C_ω; mpi-sppy gets π_ω as
``_mpisppy_probability`` and forms Σ_ω π_ω (F + k·C_ω) = F + k·Σ_ω π_ω C_ω, the
objective of the extensive form. Stage one — every top-level variable of the model
(stock, spare, and any stage-one variable a feature adds) — is the non-anticipative set
of the root node.

Stage-one variables get finite upper bounds (a Lagrangian bound of progressive hedging
is valid only for the problem it relaxes; with an unbounded stage one a subproblem with
negative weights can be unbounded, and mpi-sppy reported a "bound" above the best plan):
spare capacity has spare_max; a stockpile without a storage limit gets
max(min, R_g), R_g the *gross requirement* of its good over the horizon in the worst
case (`gross_requirements`). The bound cuts off no optimum: every unit drawn either
meets demand — directly or as a recipe input of a good that does — or is wasted
(a shipment landing after the horizon, a circulation), and removing a wasted draw
never raises a cost (all costs are ≥ 0). So some optimum draws at most R_g of good g in
every scenario, summed over all stockpiles, and holds no stock above max(min, that).
"""

from __future__ import annotations

from functools import cache

import pyomo.environ as pyo

from models.index_sets import ModelData
from models.scenario_model import SCENARIO_BLOCK, build_scenario_model

MEASURE_VARIABLES = ("value_at_risk", "worst_cost")
"""Stage-one variables of a risk objective (`models.risk`: η, the VaR, and θ, the worst
cost) that are no insurance. Both are free in the model; here they get the lower bound 0
(every scenario cost is ≥ 0, so VaR and the worst cost are): with η free, the L-shaped
master's first problems were unbounded and mpi-sppy's cuts then gave a "bound" above
the optimum."""


def stage_one_variables(model: pyo.ConcreteModel) -> list[pyo.Var]:
    """Every top-level variable component of a scenario model: stage one."""
    return list(model.component_objects(pyo.Var, descend_into=False))


def gross_requirements(data: ModelData) -> dict[str, float]:
    """R_g = Σ_{n,t} D[n,g]·max_ω m[n,g,t,ω] + Σ_h max_n ratio[n,h,g] · R_h: all the
    alliance could use of good g over the horizon, for its own demand and as the input
    of what it makes, in the worst scenario of every period (recipes have no cycle)."""
    case = data.case
    direct = dict.fromkeys(case.goods, 0.0)
    for (n, g), units in data.demand.items():
        for t in data.periods:
            direct[g] += units * max(data.factors[s].demand.get((n, g, t), 1.0)
                                     for s in data.scenarios)
    uses: dict[str, dict[str, float]] = {g: {} for g in case.goods}
    for (_, made), inputs in case.recipes.items():
        for good, ratio in inputs.items():
            uses[good][made] = max(uses[good].get(made, 0.0), ratio)

    @cache
    def requirement(good: str) -> float:
        return direct[good] + sum(ratio * requirement(made)
                                  for made, ratio in uses[good].items())

    return {g: requirement(g) for g in case.goods}


def bound_stage_one(model: pyo.ConcreteModel, data: ModelData,
                    requirements: dict[str, float]) -> None:
    """A storage limit for every stockpile without one: max(min, R_g); η and θ ≥ 0."""
    for (n, g), var in model.stock.items():
        if var.ub is None:
            var.setub(max(data.case.stockpiles[n, g].min, requirements[g]))
    for name in MEASURE_VARIABLES:
        var = model.component(name)
        if var is not None and var.lb is None:
            var.setlb(0.0)


def scenario_creator(scenario_name: str, data: ModelData,
                     requirements: dict[str, float]) -> pyo.ConcreteModel:
    """The model of scenario `scenario_name` for mpi-sppy: objective F + k·C_ω, stage one
    bounded and attached as the root node's non-anticipative variables, π_ω as its
    probability."""
    from mpisppy.utils import sputils

    model = build_scenario_model(data, scenario_name)
    getattr(model, SCENARIO_BLOCK).probability = 1.0
    bound_stage_one(model, data, requirements)
    sputils.attach_root_node(model, model.stage_one_cost, stage_one_variables(model))
    model._mpisppy_probability = data.probability[scenario_name]
    return model
