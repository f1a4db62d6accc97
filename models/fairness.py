"""Fair burden sharing: how a shortage, and a coordinated stock release, are shared among
the allies of a good. Every row and variable here lives in the scenario block.

Unmet demand u[a,g,t] is what `unmet_demand` returns: the shortfall z plus the demand
restrained zr (`models.restraint`), which is unmet too, so that every rule below covers
it. D·m is the effective demand (Demand × the scenario's demand factor).

Settings ``fairness`` (on the allies with demand for g, A_g = {a : D[a,g] > 0}):

===================  ======================================================  =====================
rule                 rows (every scenario ω, period t)                       components
===================  ======================================================  =====================
``none``             nothing: the least-cost plan
``equal_shortage``   u[a,g,t] = φ[g,t] · D[a,g]·m[a,g,t] for a ∈ A_g, for    ``fair_shortage``,
                     every good with |A_g| ≥ 2; 0 ≤ φ ≤ 1: every ally is     ``shortage_fraction``
                     short by the same fraction of its demand (IEA pro
                     rata: each receives D·m × available ÷ total demand)
``maxmin``           u[a,g,t] ≤ Φ[g] · D[a,g]·m[a,g,t] for a ∈ A_g, every    ``fair_ceiling``,
                     good with demand; 0 ≤ Φ ≤ 1, one Φ per good and         ``worst_shortage_
                     scenario over the horizon; the objective adds           fraction``
                     k · fairness_weight · Σ_ω π_ω Σ_g Φ[g,ω]
                     (`expected_fairness_cost`)
===================  ======================================================  =====================

Both are rows of one scenario's block, with coefficients D·m that are products of a
constant and the block's demand factor; the objective's Φ coefficient is π_ω · k ·
fairness_weight, affine in the block's probability (what the fast path needs). Both are
always feasible: every ally fully short (φ = Φ = 1, every flow 0) satisfies them.

Settings ``release_rule = proportional`` (the IEA's coordinated release), for every good
with at least two participants K_g = {a : a holds a stockpile of g and D[a,g] > 0}:

    w[a,g,t] = share[a,g] · W[g,t]   for a ∈ K_g          (``release_share``; W ≥ 0 is
    share[a,g] = D[a,g] / Σ_{b ∈ K_g} D[b,g]               ``release_total``)

Shares are over the horizon, from the normal demand of the Demand sheet: the same in every
period and scenario (a surge does not shift them; the IEA shares on normal consumption).
An ally with demand but no stockpile of the good takes no part (it has nothing to
release); a stockpile at an ally without demand for the good releases independently
(a share of zero would lock it). So the release is coordinated: one participant that
cannot release (before its release_lag, at a max_draw of 0, out of stock) holds every
participant's release of that good back; W = 0 is always feasible.

Both rules join the allies of a good into one part of the decomposition
(`coupled_nodes`, read by `models.components`).
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.burden_sharing import demanded_by_good, release_shares
from models.index_sets import ModelData

FAIRNESS_ROWS = ("fair_shortage", "fair_ceiling", "release_share")
"""Rows of the burden-sharing rules: lifting them gives the unconstrained plan."""
FAIRNESS_COSTED_COLUMNS = ("worst_shortage_fraction",)
"""Columns whose objective cost is the fairness term."""


def unmet_demand(block: pyo.Block, ally: str, good: str, period: int):
    """u[a,g,t] = z + zr: the demand left unmet, short or restrained
    (`models.restraint`; zr only where the ally has a restraint option), on which every
    fairness rule is written."""
    short = block.short[ally, good, period]
    key = (ally, good, period)
    return short + block.restrain[key] if key in block.restrain else short


def add_fair_sharing(block: pyo.Block, data: ModelData) -> None:
    """The rows of the Settings fairness and release_rule (table above)."""
    settings = data.case.settings
    periods = data.periods
    allies_of = demanded_by_good(data.demand)

    def effective_demand(b, a, g, t):
        return data.demand[a, g] * b.demand_factor[a, g, t]

    if settings.fairness == "equal_shortage":
        shared = [(a, g) for g, allies in allies_of.items() if len(allies) >= 2
                  for a in allies]
        block.shortage_fraction = pyo.Var(
            [(g, t) for g, allies in allies_of.items() if len(allies) >= 2 for t in periods],
            bounds=(0.0, 1.0))
        block.fair_shortage = pyo.Constraint(
            [(a, g, t) for a, g in shared for t in periods],
            rule=lambda b, a, g, t: unmet_demand(b, a, g, t)
            - b.shortage_fraction[g, t] * effective_demand(b, a, g, t) == 0)
    elif settings.fairness == "maxmin":
        block.worst_shortage_fraction = pyo.Var(list(allies_of), bounds=(0.0, 1.0))
        block.fair_ceiling = pyo.Constraint(
            [(a, g, t) for a, g in data.demand for t in periods],
            rule=lambda b, a, g, t: unmet_demand(b, a, g, t)
            - b.worst_shortage_fraction[g] * effective_demand(b, a, g, t) <= 0)
    if settings.release_rule == "proportional":
        shares = release_shares(data.demand, data.draw_nodes)
        block.release_total = pyo.Var([(g, t) for g in shares for t in periods],
                                      bounds=(0.0, None))
        block.release_share = pyo.Constraint(
            [(a, g, t) for g, of_good in shares.items() for a in of_good for t in periods],
            rule=lambda b, a, g, t: b.draw[a, g, t]
            - shares[g][a] * b.release_total[g, t] == 0)


def expected_fairness_cost(data: ModelData, blocks):
    """maxmin: k · fairness_weight · Σ_ω π_ω Σ_g Φ[g,ω] over the scenario `blocks`
    (each block's term π_ω times a block-local sum); 0 for every other rule."""
    settings = data.case.settings
    if settings.fairness != "maxmin":
        return 0
    weight = data.horizon_weight * settings.fairness_weight
    return pyo.quicksum(block.probability * weight
                        * pyo.quicksum(block.worst_shortage_fraction.values())
                        for block in blocks)
