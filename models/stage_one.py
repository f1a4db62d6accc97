"""Stage one: the insurance bought once, before any scenario unfolds, and its yearly cost.

============  ============================  ==================
variable      index                         bounds
============  ============================  ==================
``stock`` x   (n, g) ∈ K                    min ≤ x ≤ max
``spare`` y   (n, g) ∈ P with spare option  0 ≤ y ≤ spare_max
============  ============================  ==================

F = Σ_K ((r + δ) · purchase_cost + holding_cost) · x + Σ spare_cost · y, per year: r is
Settings capital_rate (the money tied up in every unit held, initial stock included), δ
the stockpile's loss_rate. The one-time purchase max(0, x − initial) · purchase_cost is
reported, not charged: its yearly cost is the capital charge.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.index_sets import ModelData
from models.parameters import stage_parameter_values


def add_stage_one(model: pyo.ConcreteModel, data: ModelData) -> None:
    """Stock x with min ≤ x ≤ max and spare y ≤ spare_max; F as ``stage_one_cost``; the
    shortage penalties as the mutable parameters ``penalty[n,g]``."""
    stocks = data.case.stockpiles
    production = data.case.production
    model.STOCKS = pyo.Set(initialize=data.stocks, dimen=2, ordered=True)
    model.SPARE = pyo.Set(initialize=data.spare, dimen=2, ordered=True)
    model.stock = pyo.Var(model.STOCKS, bounds=lambda m, n, g: (stocks[n, g].min,
                                                                stocks[n, g].max))
    model.spare = pyo.Var(model.SPARE, bounds=lambda m, n, g: (0.0, production[n, g].spare_max))
    model.stage_one_cost = pyo.Expression(expr=pyo.quicksum(
        stage_one_cost_terms(model, data, lambda country: True)))
    values = stage_parameter_values(data)
    model.penalty = pyo.Param(list(data.penalty), mutable=True, initialize=values["penalty"])


def stage_one_cost_terms(model: pyo.ConcreteModel, data: ModelData, include):
    """Terms of F for the countries `include` accepts."""
    rate = data.case.settings.capital_rate
    for n, g in data.stocks:
        if include(n):
            yield data.case.stockpiles[n, g].yearly_cost_per_unit(rate) * model.stock[n, g]
    for n, g in data.spare:
        if include(n):
            yield data.case.production[n, g].spare_cost * model.spare[n, g]


def add_budgets(model: pyo.ConcreteModel, data: ModelData) -> None:
    """For every ally a with a budget B_a: its share of F ≤ B_a (``budget[a]``)."""
    budgets = stage_parameter_values(data)["budget_limit"]
    model.BUDGETED = pyo.Set(initialize=list(budgets), ordered=True)
    model.budget_limit = pyo.Param(model.BUDGETED, mutable=True, initialize=budgets)
    model.budget = pyo.Constraint(model.BUDGETED, rule=lambda m, a: pyo.quicksum(
        stage_one_cost_terms(m, data, lambda country: country == a)) <= m.budget_limit[a])
