"""The two-stage stochastic LP of the stockpile and reallocation model, in Pyomo.

Notation (MODEL.md): allies A, goods G, periods T = 1..H, scenarios Ω with probability
π; import routes R, production entries P, stockpile entries K, sharing links L.
Scenario factors a (imports), b (production) and m (demand) are 1 unless a disruption
says otherwise.

Stage one (top-level model):

=================  ============================  =====================================
variable           index                         bounds
=================  ============================  =====================================
``stock`` x        (n, g) ∈ K                    min ≤ x ≤ max
``bought`` u       (n, g) ∈ K                    u ≥ 0, u ≥ x − initial
``spare`` y        (n, g) ∈ P with spare option  0 ≤ y ≤ spare_max
=================  ============================  =====================================

Stage two (one block ``scenario[ω]`` per scenario, every block the same shape):

=================  ============================  =====================================
``produce`` q      (n, g) ∈ P, t                 0 ≤ q ≤ b·capacity (+ b·y after ramp)
``imported`` v     (o, d, g) ∈ R, t              0 ≤ v ≤ a·volume
``draw`` w         (n, g) ∈ K, t                 w ≥ 0, Σ_t w ≤ x
``ship`` s         (a, b, g) ∈ L, t              0 ≤ s ≤ capacity
``short`` z        (n, g) with demand, t         0 ≤ z ≤ D·m
=================  ============================  =====================================

Objective (``expected``): minimise F + Σ_ω π_ω C_ω, where F is the stage-one cost and
C_ω the scenario's operating and shortage cost over the horizon.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.index_sets import ModelData


def build_model(data: ModelData) -> pyo.ConcreteModel:
    """The whole LP as a Pyomo model; a pure function of the validated data."""
    model = pyo.ConcreteModel(name=data.case.name)
    add_stage_one(model, data)
    model.scenario = pyo.Block(data.scenarios,
                               rule=lambda block, scenario: build_scenario(block, data,
                                                                           scenario))
    add_budgets(model, data)
    add_objective(model, model.scenario.values())
    return model


def structure_key(case) -> tuple:
    """Everything a built model holds as constants. Two cases with the same key differ
    only in the model's mutable parameters — shortage penalties, budgets, scenario
    probabilities and disruptions — so one built model serves both (what-if re-solves).
    """
    return (
        case.settings,
        tuple((name, c.role, c.budget is None) for name, c in case.countries.items()),
        tuple((name, good.unit) for name, good in case.goods.items()),
        tuple((key, d.demand) for key, d in case.demand.items()),
        tuple(case.production.items()), tuple(case.imports.items()),
        tuple(case.stockpiles.items()), tuple(case.sharing.items()), tuple(case.scenarios),
    )


def build_template_model(data: ModelData) -> pyo.ConcreteModel:
    """Stage one and a single scenario block ``template`` in normal times (every factor
    1, probability 1), built by the same functions as `build_model`.

    Every scenario block of the full model has this block's shape: only the values of
    its mutable parameters (``probability``, ``*_factor``) differ. The fast path
    (`optimizer.lp.replicated`) compiles this model once and replicates the block.
    """
    model = pyo.ConcreteModel(name=data.case.name)
    add_stage_one(model, data)
    model.template = pyo.Block(rule=lambda block: build_scenario(block, data, None))
    add_budgets(model, data)
    add_objective(model, [model.template])
    return model


def add_stage_one(model: pyo.ConcreteModel, data: ModelData) -> None:
    """Stock x with min ≤ x ≤ max, purchases u ≥ x − initial (u ≥ 0), spare y ≤ spare_max.

    F = Σ_K (purchase_cost · u + holding_cost · x) + Σ spare_cost · y. The shortage
    penalties are mutable parameters ``penalty[n,g]``, so what-if runs can change them.
    """
    stocks = data.case.stockpiles
    production = data.case.production
    model.STOCKS = pyo.Set(initialize=data.stocks, dimen=2, ordered=True)
    model.SPARE = pyo.Set(initialize=data.spare, dimen=2, ordered=True)
    model.stock = pyo.Var(model.STOCKS, bounds=lambda m, n, g: (stocks[n, g].min,
                                                                stocks[n, g].max))
    model.bought = pyo.Var(model.STOCKS, within=pyo.NonNegativeReals)
    model.spare = pyo.Var(model.SPARE, bounds=lambda m, n, g: (0.0, production[n, g].spare_max))
    model.purchase_above_initial = pyo.Constraint(
        model.STOCKS, rule=lambda m, n, g: m.bought[n, g] - m.stock[n, g] >= -stocks[n, g].initial)
    model.stage_one_cost = pyo.Expression(expr=pyo.quicksum(
        stage_one_cost_terms(model, data, lambda country: True)))
    model.penalty = pyo.Param(list(data.penalty), mutable=True, initialize=data.penalty)


def stage_one_cost_terms(model: pyo.ConcreteModel, data: ModelData, include):
    """Terms of F for the countries `include` accepts."""
    for n, g in data.stocks:
        if include(n):
            entry = data.case.stockpiles[n, g]
            yield entry.purchase_cost * model.bought[n, g]
            yield entry.holding_cost * model.stock[n, g]
    for n, g in data.spare:
        if include(n):
            yield data.case.production[n, g].spare_cost * model.spare[n, g]


def add_budgets(model: pyo.ConcreteModel, data: ModelData) -> None:
    """For every ally with a budget B_a: its share of F ≤ B_a."""
    budgets = {a: c.budget for a, c in data.case.countries.items()
               if c.is_ally and c.budget is not None}
    model.BUDGETED = pyo.Set(initialize=list(budgets), ordered=True)
    model.budget_limit = pyo.Param(model.BUDGETED, mutable=True, initialize=budgets)
    model.budget = pyo.Constraint(model.BUDGETED, rule=lambda m, a: pyo.quicksum(
        stage_one_cost_terms(m, data, lambda country: country == a)) <= m.budget_limit[a])


def build_scenario(block: pyo.Block, data: ModelData, scenario: str | None) -> None:
    """One scenario's second stage; `scenario` None builds normal times.

    Every scenario block has the same shape: what differs is held in mutable parameters
    (`add_scenario_parameters`).
    """
    add_scenario_parameters(block, data, scenario)
    add_flows(block, data)
    add_spare_capacity_use(block, data)
    add_stock_drawdown(block, data)
    add_balance(block, data)
    add_scenario_cost(block, data)


def add_scenario_parameters(block: pyo.Block, data: ModelData, scenario: str | None) -> None:
    """The scenario's data: probability π and the factors a (imports), b (production),
    m (demand) per entry and period, 1 unless a disruption says otherwise."""
    values = data.scenario_parameters(scenario)
    periods = data.periods
    block.probability = pyo.Param(mutable=True, initialize=values["probability"])
    block.production_factor = pyo.Param(
        [(n, g, t) for n, g in data.production for t in periods], mutable=True, default=1.0,
        initialize=values["production_factor"])
    block.import_factor = pyo.Param(
        [(o, d, g, t) for o, d, g in data.routes for t in periods], mutable=True,
        default=1.0, initialize=values["import_factor"])
    block.demand_factor = pyo.Param(
        [(n, g, t) for n, g in data.demand for t in periods], mutable=True, default=1.0,
        initialize=values["demand_factor"])


def add_flows(block: pyo.Block, data: ModelData) -> None:
    """Stage-two variables with their one-variable limits as bounds:

    0 ≤ q[n,g,t] ≤ b·capacity (once reserved spare capacity can run, the row of
    `add_spare_capacity_use` limits q instead), 0 ≤ v[o,d,g,t] ≤ a·volume, w ≥ 0,
    0 ≤ s[a,b,g,t] ≤ capacity, 0 ≤ z[n,g,t] ≤ D·m.
    """
    case = data.case
    periods = data.periods
    spare = set(data.spare)

    def production_limit(b, n, g, t):
        entry = case.production[n, g]
        if (n, g) in spare and t > entry.ramp_periods:
            return 0.0, None
        return 0.0, b.production_factor[n, g, t] * entry.capacity

    block.produce = pyo.Var([(n, g, t) for n, g in data.production for t in periods],
                            bounds=production_limit)
    block.imported = pyo.Var(
        [(o, d, g, t) for o, d, g in data.routes for t in periods],
        bounds=lambda b, o, d, g, t: (0.0, b.import_factor[o, d, g, t]
                                      * case.imports[o, d, g].volume))
    block.draw = pyo.Var([(n, g, t) for n, g in data.draw_nodes for t in periods],
                         within=pyo.NonNegativeReals)
    block.ship = pyo.Var([(a, b, g, t) for a, b, g in data.links for t in periods],
                         bounds=lambda blk, a, b, g, t: (0.0, case.sharing[a, b, g].capacity))
    block.short = pyo.Var(
        [(n, g, t) for n, g in data.demand for t in periods],
        bounds=lambda b, n, g, t: (0.0, b.demand_factor[n, g, t] * data.demand[n, g]))


def add_spare_capacity_use(block: pyo.Block, data: ModelData) -> None:
    """Reserved spare capacity runs after its ramp-up, hit by the same factor:

    q[n,g,t] − b·y[n,g] ≤ b·capacity    for t > ramp_periods.
    """
    produced = set(data.production)
    spare = [k for k in data.spare if k in produced]
    index = [(n, g, t) for n, g in spare for t in data.periods
             if t > data.case.production[n, g].ramp_periods]
    top = block.model()

    def rule(b, n, g, t):
        factor = b.production_factor[n, g, t]
        return (b.produce[n, g, t] - factor * top.spare[n, g]
                <= factor * data.case.production[n, g].capacity)

    block.spare_capacity_use = pyo.Constraint(index, rule=rule)


def add_stock_drawdown(block: pyo.Block, data: ModelData) -> None:
    """No refill inside the horizon: Σ_τ w[n,g,τ] ≤ x[n,g].

    Since w ≥ 0 the cumulative sums grow with t, so the limit over the whole horizon
    implies Σ_{τ ≤ t} w ≤ x for every t: one row per stockpile instead of H.
    """
    top = block.model()
    periods = data.periods
    block.stock_drawdown = pyo.Constraint(
        data.draw_nodes,
        rule=lambda b, n, g: pyo.quicksum(b.draw[n, g, t] for t in periods)
        <= top.stock[n, g])


def add_balance(block: pyo.Block, data: ModelData) -> None:
    """Supply meets demand at every ally and good, every period:

    q + Σ_o v[o,n] + w + Σ_a s[a,n,t − lead] − Σ_b s[n,b,t] + z = D[n,g] · m

    Shipments leaving in t arrive in t + lead_periods; those that would land after H
    deliver nothing.
    """
    production = set(data.production)
    draws = set(data.draw_nodes)
    sharing = data.case.sharing

    def rule(b, n, g, t):
        terms = []
        if (n, g) in production:
            terms.append(b.produce[n, g, t])
        terms.extend(b.imported[o, n, g, t] for o in data.routes_into.get((n, g), ()))
        if (n, g) in draws:
            terms.append(b.draw[n, g, t])
        for sender in data.links_into.get((n, g), ()):
            sent = t - sharing[sender, n, g].lead_periods
            if sent >= 1:
                terms.append(b.ship[sender, n, g, sent])
        terms.extend(-b.ship[n, receiver, g, t]
                     for receiver in data.links_out_of.get((n, g), ()))
        demand = data.demand.get((n, g), 0.0)
        if demand:
            terms.append(b.short[n, g, t])
        need = demand * b.demand_factor[n, g, t] if demand else 0.0
        return pyo.quicksum(terms) == need

    block.balance = pyo.Constraint([(n, g, t) for n, g in data.nodes for t in data.periods],
                                   rule=rule)


def add_scenario_cost(block: pyo.Block, data: ModelData) -> None:
    """C_ω = Σ_t (Σ unit_cost·q + Σ unit_cost·v + Σ unit_cost·s + Σ penalty·z)."""
    case = data.case
    block.production_cost = pyo.Expression(expr=pyo.quicksum(
        (case.production[n, g].unit_cost * q for (n, g, t), q in block.produce.items())))
    block.import_cost = pyo.Expression(expr=pyo.quicksum(
        (case.imports[o, d, g].unit_cost * v for (o, d, g, t), v in block.imported.items())))
    block.shipping_cost = pyo.Expression(expr=pyo.quicksum(
        (case.sharing[a, b, g].unit_cost * s for (a, b, g, t), s in block.ship.items())))
    top = block.model()
    block.shortage_cost = pyo.Expression(expr=pyo.quicksum(
        top.penalty[n, g] * z for (n, g, t), z in block.short.items()))
    block.cost = pyo.Expression(expr=block.production_cost + block.import_cost
                                + block.shipping_cost + block.shortage_cost)


def add_objective(model: pyo.ConcreteModel, blocks) -> None:
    """minimise F + Σ_ω π_ω C_ω (the expected annual cost) over the scenario `blocks`."""
    model.expected_scenario_cost = pyo.Expression(expr=pyo.quicksum(
        block.probability * block.cost for block in blocks))
    model.total_cost = pyo.Objective(expr=model.stage_one_cost + model.expected_scenario_cost,
                                     sense=pyo.minimize)
