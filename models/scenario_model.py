"""The two-stage stochastic LP of the stockpile and reallocation model (MODEL.md), put
together from one module per family of constraints:

==========================  =====================================  =======================
family                      math                                   module
==========================  =====================================  =======================
stage one, budgets          min ≤ x ≤ max, 0 ≤ y ≤ spare_max;      `models.stage_one`
                            an ally's share of F ≤ budget, the
                            allies' ≤ alliance_budget; purchases
                            Σ purchase_cost·u ≤ purchase budgets,
                            u ≥ x − initial
flows and their bounds      q, v, w, s, z (emergency instruments   `models.flows`
                            from the onset only)
spare capacity              q − b·open·y ≤ b·capacity              `models.spare_capacity`
reserved supply contracts   v − a·e ≤ a·volume, 0 ≤ e ≤ extra_max  `models.contracts`
origin share cap            v[o] ≤ s·Σ_o' v[o'] in normal times    `models.concentration`
stock drawdown              Σ_t w ≤ x                              `models.stock`
balance                     supply = demand + exports + inputs     `models.balance`
demand restraint            zr ≤ r·D·m, zr + z ≤ D·m               `models.restraint`
tiered shortage penalties   z_k ≤ share_k·D·m, Σ_k z_k ≤ z         `models.tiers`
scenario cost               C_ω by account                         `models.costs`
fair burden sharing         equal shortage fractions, the largest  `models.fairness`
                            fraction short, proportional release
objective                   F + k·Σ_ω π_ω C_ω, or with CVaR or     `models.objective`,
                            max_ω C_ω (Settings objective)         `models.risk`
mutable parameters          what a re-solve may change             `models.parameters`
==========================  =====================================  =======================

`build_scenario_model` is the one seam every solve path uses: one scenario's model
(stage one and one block), built by the same functions as the whole model
(`build_model`). The fast path compiles it for the template (scenario None) and
replicates the block; the reference path builds every block; a scenario creator for a
distributed engine builds one scenario each.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.balance import add_balance
from models.concentration import add_origin_share_caps
from models.contracts import add_contract_use
from models.costs import add_scenario_cost
from models.fairness import add_fair_sharing
from models.flows import add_flows, add_scenario_parameters
from models.index_sets import ModelData
from models.objective import add_objective
from models.restraint import add_restraint
from models.spare_capacity import add_spare_capacity_use
from models.stage_one import add_budgets, add_stage_one
from models.stock import add_stock_drawdown
from models.tiers import add_tiers

SCENARIO_BLOCK = "scenario"
"""Name of the block (indexed by scenario in the whole model, single in a scenario
model)."""


def build_model(data: ModelData) -> pyo.ConcreteModel:
    """The whole LP as a Pyomo model: stage one and one block ``scenario[ω]`` per
    scenario; a pure function of the validated data."""
    model = pyo.ConcreteModel(name=data.case.name)
    add_stage_one(model, data)
    model.add_component(SCENARIO_BLOCK, pyo.Block(
        data.scenarios, rule=lambda block, scenario: build_scenario(block, data, scenario)))
    add_budgets(model, data)
    add_objective(model, data, getattr(model, SCENARIO_BLOCK).values())
    return model


def build_scenario_model(data: ModelData, scenario: str | None) -> pyo.ConcreteModel:
    """Stage one and the single block ``scenario`` of `scenario`, with its objective
    F + π_ω · k · C_ω. None builds the *template*: every factor 1, every emergency
    instrument open, probability 1, so that its sparsity covers every scenario's."""
    model = pyo.ConcreteModel(name=data.case.name)
    add_stage_one(model, data)
    model.add_component(SCENARIO_BLOCK, pyo.Block(
        rule=lambda block: build_scenario(block, data, scenario)))
    add_budgets(model, data)
    add_objective(model, data, [getattr(model, SCENARIO_BLOCK)])
    return model


def build_scenario(block: pyo.Block, data: ModelData, scenario: str | None) -> None:
    """One scenario's second stage. Every scenario block has the same shape: what
    differs is held in its mutable parameters (`models.parameters`)."""
    add_scenario_parameters(block, data, scenario)
    add_flows(block, data)
    add_spare_capacity_use(block, data)
    add_contract_use(block, data)
    add_origin_share_caps(block, data)
    add_stock_drawdown(block, data)
    add_restraint(block, data)
    add_tiers(block, data)
    add_balance(block, data)
    add_scenario_cost(block, data)
    add_fair_sharing(block, data)
