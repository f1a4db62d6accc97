"""Stage one: the insurance bought once, before any scenario unfolds, and its yearly cost.

============  ============================  ==================
variable      index                         bounds
============  ============================  ==================
``stock`` x   (n, g) ∈ K                    min ≤ x ≤ max
``spare`` y   (n, g) ∈ P with spare option  0 ≤ y ≤ spare_max
``extra`` e   (o, d, g) ∈ R with contract   0 ≤ e ≤ extra_max
============  ============================  ==================

F = Σ_K ((r + δ) · purchase_cost + holding_cost) · x + Σ spare_cost · y, per year: r is
Settings capital_rate (the money tied up in every unit held, initial stock included), δ
the stockpile's loss_rate; reserved supply contracts add Σ extra_cost · e
(`models.contracts`). The one-time purchase max(0, x − initial) · purchase_cost is
reported, not charged: its yearly cost is the capital charge.

Budgets (`add_budgets`), each a stage-one row whose limit is a mutable parameter:

=============================  ==================================  ======================
row                            math                                limit
=============================  ==================================  ======================
``budget[a]``                  F_a ≤ B_a                           Countries budget
``alliance_budget``            Σ_a F_a ≤ B                         Settings alliance_budget
``purchase_budget[a]``         Σ_{(a,g)} purchase_cost · u ≤ P_a   Countries purchase_budget
``alliance_purchase_budget``   Σ_K purchase_cost · u ≤ P           Settings
                                                                   alliance_purchase_budget
=============================  ==================================  ======================

F_a is ally a's share of F (`stage_one_cost_terms`). The purchase u[n,g] = bought
(``bought``, only where a purchase budget covers a stockpile with a purchase cost) has
u ≥ x − initial and u ≥ 0 (``bought_above_initial``): it costs nothing, so at an optimum
it may exceed max(0, x − initial) only where the purchase budget is slack; the budget
row holds Σ purchase_cost · max(0, x − initial) ≤ P in every case.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.contracts import add_contract_options, contract_cost_terms
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
    add_contract_options(model, data)
    model.stage_one_cost = pyo.Expression(expr=pyo.quicksum(
        stage_one_cost_terms(model, data, lambda country: True)))
    values = stage_parameter_values(data)
    model.penalty = pyo.Param(list(data.penalty), mutable=True, initialize=values["penalty"])


def stage_one_cost_terms(model: pyo.ConcreteModel, data: ModelData, include):
    """Terms of F for the countries `include` accepts (a reserved contract counts for
    its destination, `models.contracts`)."""
    rate = data.case.settings.capital_rate
    for n, g in data.stocks:
        if include(n):
            yield data.case.stockpiles[n, g].yearly_cost_per_unit(rate) * model.stock[n, g]
    for n, g in data.spare:
        if include(n):
            yield data.case.production[n, g].spare_cost * model.spare[n, g]
    yield from contract_cost_terms(model, data, include)


def purchase_cost_terms(model: pyo.ConcreteModel, data: ModelData, include):
    """Terms Σ purchase_cost · u of the one-time purchases of the countries `include`
    accepts (over the stockpiles that have a purchase variable)."""
    for n, g in model.BOUGHT:
        if include(n):
            yield data.case.stockpiles[n, g].purchase_cost * model.bought[n, g]


def purchase_capped(data: ModelData) -> list[tuple[str, str]]:
    """The stockpiles with a purchase cost that a purchase budget covers: their ally's
    Countries purchase_budget, or Settings alliance_purchase_budget."""
    case = data.case
    everyone = case.settings.alliance_purchase_budget is not None
    return [(n, g) for n, g in data.stocks if case.stockpiles[n, g].purchase_cost > 0
            and (everyone or case.countries[n].purchase_budget is not None)]


def add_budgets(model: pyo.ConcreteModel, data: ModelData) -> None:
    """Every budget's row (the table above). Each is indexed (by ally, or by the one key
    `ALLIANCE`), empty when the case has no such budget, so that every model and part
    has the same components."""
    limits = stage_parameter_values(data)
    allies = set(data.case.allies)

    def limit(name: str) -> pyo.Param:
        index = pyo.Set(initialize=list(limits[name]), ordered=True)
        model.add_component(f"{name}_index", index)
        model.add_component(name, pyo.Param(index, mutable=True, initialize=limits[name]))
        return index

    model.BUDGETED = pyo.Set(initialize=list(limits["budget_limit"]), ordered=True)
    model.budget_limit = pyo.Param(model.BUDGETED, mutable=True,
                                   initialize=limits["budget_limit"])
    model.budget = pyo.Constraint(model.BUDGETED, rule=lambda m, a: pyo.quicksum(
        stage_one_cost_terms(m, data, lambda country: country == a)) <= m.budget_limit[a])
    model.alliance_budget = pyo.Constraint(
        limit("alliance_budget_limit"), rule=lambda m, key: pyo.quicksum(
            stage_one_cost_terms(m, data, allies.__contains__))
        <= m.alliance_budget_limit[key])

    stocks = data.case.stockpiles
    model.BOUGHT = pyo.Set(initialize=purchase_capped(data), dimen=2, ordered=True)
    model.bought = pyo.Var(model.BOUGHT, bounds=(0.0, None))
    model.bought_above_initial = pyo.Constraint(model.BOUGHT, rule=lambda m, n, g: (
        m.bought[n, g] - m.stock[n, g] >= -stocks[n, g].initial))
    model.purchase_budget = pyo.Constraint(
        limit("purchase_budget_limit"), rule=lambda m, a: pyo.quicksum(
            purchase_cost_terms(m, data, lambda country: country == a))
        <= m.purchase_budget_limit[a])
    model.alliance_purchase_budget = pyo.Constraint(
        limit("alliance_purchase_budget_limit"), rule=lambda m, key: pyo.quicksum(
            purchase_cost_terms(m, data, allies.__contains__))
        <= m.alliance_purchase_budget_limit[key])
