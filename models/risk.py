"""The measure of the scenario costs the objective weighs: expected, CVaR or worst case.

Settings ``objective`` chooses the term added to F (the yearly stage-one cost), with
k = periods_per_year / H and C_ω the cost of scenario ω over the horizon:

==============  =========================================================================
objective       term
==============  =========================================================================
``expected``    k · E[C] = k · Σ_ω π_ω C_ω
``cvar``        k · ((1 − λ) · E[C] + λ · CVaR_α[C]), λ = risk_weight, α = cvar_alpha,
                CVaR_α[C] = min_η η + Σ_ω π_ω (C_ω − η)⁺ / (1 − α) (Rockafellar–Uryasev)
``worst_case``  k · max_ω C_ω
==============  =========================================================================

Linear forms. CVaR: a stage-one variable η (``value_at_risk``, free) and in every
scenario block an excess e_ω ≥ 0 (``tail_excess``) with the block row
e_ω ≥ C_ω − η (``tail_excess_row``); the term is
k · ((1 − λ) · Σ_ω π_ω C_ω + λ · η + λ / (1 − α) · Σ_ω π_ω e_ω). At the optimum η is
VaR_α, the smallest scenario cost whose cumulative probability reaches α (any point of
the interval of minimisers when it is reached exactly), and η + Σ π e / (1 − α) is
CVaR_α, the mean cost of the worst 1 − α of the probability. Worst case: a stage-one
variable θ (``worst_cost``, free) with the block row θ ≥ C_ω (``worst_cost_row``); the
term is k · θ.

Both keep every row inside one block or at stage one, and the objective's block
coefficients are π_ω times block-local terms (none in the worst case), so the fast path
replicates the template block as it does for ``expected``. The weights are mutable
top-level parameters (``expected_weight`` 1 − λ, ``risk_weight`` λ, ``tail_weight``
λ / (1 − α)), so a what-if that changes λ or α re-solves the built model with new
objective coefficients only. Every weight is ≥ 0, so the LP stays bounded: with λ = 0 η
is free and costs nothing (any value is optimal).

`tail_measures` computes the same figures from a plan's scenario costs, for reports.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from models.index_sets import ModelData


def risk_parameter_values(data: ModelData) -> dict[str, dict]:
    """The objective's weights as top-level mutable parameters (cvar only)."""
    settings = data.case.settings
    if settings.objective != "cvar":
        return {}
    weight, alpha = settings.risk_weight, settings.cvar_alpha
    return {"expected_weight": {None: 1.0 - weight}, "risk_weight": {None: weight},
            "tail_weight": {None: weight / (1.0 - alpha)}}


def scenario_term(model: pyo.ConcreteModel, data: ModelData, blocks) -> object:
    """The objective's term for the scenario costs under Settings ``objective``; adds
    the variables and rows the measure needs (module docstring)."""
    objective = data.case.settings.objective
    if objective == "cvar":
        return _cvar_term(model, data, blocks)
    if objective == "worst_case":
        return _worst_case_term(model, data, blocks)
    return model.expected_scenario_cost


def _cvar_term(model: pyo.ConcreteModel, data: ModelData, blocks) -> object:
    """k · ((1 − λ) · Σ π C + λ · η + λ / (1 − α) · Σ π e), e ≥ C − η, e ≥ 0."""
    for name, values in risk_parameter_values(data).items():
        model.add_component(name, pyo.Param(mutable=True, initialize=values[None]))
    model.value_at_risk = pyo.Var()
    for block in blocks:
        block.tail_excess = pyo.Var(bounds=(0.0, None))
        block.tail_excess_row = pyo.Constraint(
            expr=block.tail_excess + model.value_at_risk >= block.cost)
    weight = data.horizon_weight
    return (model.expected_weight * model.expected_scenario_cost
            + weight * model.risk_weight * model.value_at_risk
            + pyo.quicksum(block.probability * weight * model.tail_weight * block.tail_excess
                           for block in blocks))


def _worst_case_term(model: pyo.ConcreteModel, data: ModelData, blocks) -> object:
    """k · θ with θ ≥ C_ω in every block."""
    model.worst_cost = pyo.Var()
    for block in blocks:
        block.worst_cost_row = pyo.Constraint(expr=model.worst_cost >= block.cost)
    return data.horizon_weight * model.worst_cost


def tail_measures(costs: list[float], probabilities: list[float],
                  alpha: float) -> tuple[float, float]:
    """(VaR_α, CVaR_α) of a discrete distribution of costs: VaR_α the smallest cost
    whose cumulative probability reaches α, CVaR_α = VaR_α + Σ π (C − VaR_α)⁺ / (1 − α),
    the Rockafellar–Uryasev minimum (attained at η = VaR_α). Probabilities are
    normalised to sum to 1 (a sub-case keeps the case's scenarios)."""
    total = math.fsum(probabilities)
    pairs = sorted(zip(costs, (p / total for p in probabilities), strict=True))
    cumulative, var = 0.0, pairs[-1][0]
    for cost, probability in pairs:
        cumulative += probability
        if cumulative >= alpha - 1e-12:
            var = cost
            break
    excess = math.fsum(p * max(0.0, c - var) for c, p in pairs)
    return var, var + excess / (1.0 - alpha)
