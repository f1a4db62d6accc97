"""Reserved supply contracts: extra volume on an import route, reserved now (stage one)
and paid every year, that the route can carry in every scenario, hit by the same export
cuts as its normal volume (a contract with a supplier that cuts is cut too).

=================  ================================  ======================================
name               index                             math
=================  ================================  ======================================
``extra`` e        (o, d, g) ∈ R with extra_cost     0 ≤ e ≤ extra_max (a stage-one bound)
                   and extra_max > 0
``contract_use``   the same, every period            v − a · e ≤ a · volume, a the route's
                                                     import factor: v ≤ a · (volume + e)
F                  —                                 + Σ extra_cost · e, per year (not
                                                     scaled by k), in the destination
                                                     ally's share of F (its budget)
=================  ================================  ======================================

A route without the option keeps its bound v ≤ a · volume (`models.flows`).
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.index_sets import ModelData, Route


def contract_routes(data: ModelData) -> list[Route]:
    """The routes with a contract option, in the Imports order."""
    return [r for r in data.routes if data.case.imports[r].has_extra_option]


def add_contract_options(model: pyo.ConcreteModel, data: ModelData) -> None:
    """Stage one: ``extra`` e with 0 ≤ e ≤ extra_max."""
    imports = data.case.imports
    model.CONTRACTS = pyo.Set(initialize=contract_routes(data), dimen=3, ordered=True)
    model.extra = pyo.Var(model.CONTRACTS,
                          bounds=lambda m, o, d, g: (0.0, imports[o, d, g].extra_max))


def contract_cost_terms(model: pyo.ConcreteModel, data: ModelData, include):
    """extra_cost · e for the routes whose destination `include` accepts."""
    imports = data.case.imports
    for o, d, g in model.CONTRACTS:
        if include(d):
            yield imports[o, d, g].extra_cost * model.extra[o, d, g]


def add_contract_use(block: pyo.Block, data: ModelData) -> None:
    """``contract_use``: v − a · e ≤ a · volume on every contract route and period."""
    imports = data.case.imports
    top = block.model()
    index = [(o, d, g, t) for o, d, g in contract_routes(data) for t in data.periods]

    def rule(b, o, d, g, t):
        factor = b.import_factor[o, d, g, t]
        return (b.imported[o, d, g, t] - factor * top.extra[o, d, g]
                <= factor * imports[o, d, g].volume)

    block.contract_use = pyo.Constraint(index, rule=rule)
