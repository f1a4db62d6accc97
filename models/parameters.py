"""The model's mutable parameters, declared once: what a what-if re-solve may change
without rebuilding the model, and the values each takes.

A built model holds every other input as a constant. `MUTABLE_INPUTS` lists the inputs
that feed a mutable parameter; `structure_key` is the case without them, so two cases
with the same key are solved by one built model with new parameter values
(`stage_parameter_values`, `scenario_parameter_values`), and HiGHS warm-starts.

Stage-one parameters (top-level model): ``penalty[n,g]`` (shortage penalty per unit),
``budget_limit[a]`` (an ally's yearly budget), ``purchase_budget_limit[a]`` (its
one-time purchase budget), ``alliance_budget_limit[ALLIANCE]`` and
``alliance_purchase_budget_limit[ALLIANCE]`` (the allies' together; indexed by the one
key `ALLIANCE` when set, empty otherwise); with objective ``cvar`` the objective's
weights ``expected_weight`` (1 − risk_weight), ``risk_weight`` λ and ``tail_weight``
(λ / (1 − cvar_alpha)) (`models.risk`). Scenario parameters (one set per scenario
block), all defined on every entry and period so that every block has the same shape:

=====================  ==========================  ========================================
parameter              index                       value in scenario ω
=====================  ==========================  ========================================
``probability``        —                           π_ω
``production_factor``  (n, g) ∈ P, t               b: product of capacity_loss factors
``import_factor``      (o, d, g) ∈ R, t            a: product of export_cut factors
``demand_factor``      (n, g) with demand, t       m: product of demand_surge factors
``spare_open``         (n, g) with spare, t        1 if t ≥ t0_ω + ramp_periods, else 0
``draw_limit``         (n, g) ∈ K, t               max_draw (∞ if none) if t ≥ t0_ω +
                                                   release_lag, else 0
``ship_limit``         (a, b, g) ∈ L, t            capacity (∞ if none) if t ≥ t0_ω +
                                                   activation_lag, else 0
``origin_cap_open``    (d, g) capped               1 in normal times, else 0
                                                   (`models.concentration`)
=====================  ==========================  ========================================

Normal times (no onset) close every instrument: spare_open, draw_limit and ship_limit
are 0 in every period. The *template* block (scenario None) has every factor 1, every
instrument open and probability 1: its sparsity is the union of every scenario's.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from models.concentration import capped_nodes
from models.data import Case
from models.index_sets import ModelData
from models.risk import risk_parameter_values

ALL_FIELDS = None
MUTABLE_INPUTS: dict[str, tuple[str, ...] | None] = {
    "goods": ("shortage_penalty",),
    "demand": ("shortage_penalty",),
    "countries": ("budget", "purchase_budget"),
    "scenarios": ("probability", "description"),
    "disruptions": ALL_FIELDS,
    "settings": ("cvar_alpha", "risk_weight", "alliance_budget", "alliance_purchase_budget"),
}
"""Case tables and the fields of their records that a re-solve may change (None: the
whole table). A budget's value is mutable; whether an ally (or the alliance) has one
is structure; the objective's kind is structure, its CVaR level and weight are not."""

ALLIANCE = "alliance"
"""The one index of the alliance's budget rows and parameters."""

STRUCTURE_TABLES = ("settings", "countries", "goods", "demand", "production", "imports",
                    "stockpiles", "sharing", "scenarios", "disruptions", "recipes", "tiers")


def structure_key(case: Case) -> tuple:
    """Everything a built model holds as constants: the case without `MUTABLE_INPUTS`
    (a mutable field is kept only as whether it is blank)."""
    key = []
    for table in STRUCTURE_TABLES:
        fields = MUTABLE_INPUTS.get(table, ())
        if fields is ALL_FIELDS:
            continue
        value = getattr(case, table)
        if isinstance(value, dict):
            key.append(tuple((k, _without(v, fields)) for k, v in value.items()))
        else:
            key.append(_without(value, fields))
    return tuple(key)


def _without(record, fields: tuple[str, ...]):
    if not fields or not dataclasses.is_dataclass(record):
        return record
    return dataclasses.replace(record, **{f: getattr(record, f) is None for f in fields})


def stage_parameter_values(data: ModelData) -> dict[str, dict]:
    """Values of the top-level mutable parameters."""
    return {
        "penalty": dict(data.penalty),
        "budget_limit": {a: c.budget for a, c in data.case.countries.items()
                         if c.is_ally and c.budget is not None},
        "purchase_budget_limit": {a: c.purchase_budget
                                  for a, c in data.case.countries.items()
                                  if c.is_ally and c.purchase_budget is not None},
        "alliance_budget_limit": _alliance(data.case.settings.alliance_budget),
        "alliance_purchase_budget_limit": _alliance(
            data.case.settings.alliance_purchase_budget),
        **risk_parameter_values(data),
    }


def _alliance(limit: float | None) -> dict[str, float]:
    return {} if limit is None else {ALLIANCE: limit}


def scenario_parameter_values(data: ModelData, scenario: str | None) -> dict:
    """The block parameters of `scenario` that differ from the template's (every factor
    1, every instrument open), and its probability (None: the template itself)."""
    if scenario is None:
        return {"probability": 1.0, "production_factor": {}, "import_factor": {},
                "demand_factor": {}, "spare_open": {}, "draw_limit": {}, "ship_limit": {},
                "origin_cap_open": {}}
    factors = data.factors[scenario]
    production = set(data.production)
    routes = set(data.routes)
    case = data.case
    periods = data.periods
    return {
        "probability": data.probability[scenario],
        "production_factor": {k: v for k, v in factors.production.items()
                              if k[:2] in production},
        "import_factor": {k: v for k, v in factors.imports.items() if k[:3] in routes},
        "demand_factor": {k: v for k, v in factors.demand.items() if k[:2] in data.demand},
        "spare_open": {(n, g, t): 0.0 for n, g in data.spare for t in periods
                       if not data.acts(scenario, t, case.production[n, g].ramp_periods)},
        "draw_limit": {(n, g, t): 0.0 for n, g in data.draw_nodes for t in periods
                       if not data.acts(scenario, t, case.stockpiles[n, g].release_lag)},
        "ship_limit": closed_shipments(data, scenario),
        "origin_cap_open": ({} if data.onset[scenario] is None
                            else dict.fromkeys(capped_nodes(data), 0.0)),
    }


def link_opens(onset: int | None, activation_lag: int) -> float:
    """The first period a sharing link can carry anything in a scenario with this onset
    (none, in normal times: infinity)."""
    return math.inf if onset is None else onset + activation_lag


def closed_shipments(data: ModelData, scenario: str) -> dict[tuple, float]:
    """The ship limits of `scenario` that are 0: (sender, receiver, good, t) in the
    periods its link is not yet active (before onset + activation_lag)."""
    sharing, onset = data.case.sharing, data.onset[scenario]
    closed = {}
    for a, b, g in data.links:  # the periods ascend: a link opens once and stays open
        opens = link_opens(onset, sharing[a, b, g].activation_lag)
        for t in data.periods:
            if t >= opens:
                break
            closed[a, b, g, t] = 0.0
    return closed


def closed_shipment_mask(data: ModelData, scenarios: list[str], shipments: list[tuple]
                         ) -> np.ndarray:
    """closed[ω, k]: is the ship limit of shipments[k] = (sender, receiver, good, t) 0
    in scenarios[ω] (`closed_shipments`, for every scenario and shipment at once)?"""
    sharing = data.case.sharing
    links = list(dict.fromkeys(shipment[:3] for shipment in shipments))
    link_of = {link: k for k, link in enumerate(links)}
    opens = np.array([[link_opens(data.onset[s], sharing[link].activation_lag)
                       for link in links] for s in scenarios], dtype=float)
    period = np.array([t for *_, t in shipments], dtype=float)
    return period[None, :] < opens[:, [link_of[shipment[:3]] for shipment in shipments]]


def open_values(data: ModelData) -> dict[str, dict]:
    """The template's values of the instrument parameters: every instrument open."""
    case = data.case
    periods = data.periods
    return {
        "spare_open": {(n, g, t): 1.0 for n, g in data.spare for t in periods},
        "draw_limit": {(n, g, t): _limit(case.stockpiles[n, g].max_draw)
                       for n, g in data.draw_nodes for t in periods},
        "ship_limit": {(a, b, g, t): _limit(case.sharing[a, b, g].capacity)
                       for a, b, g in data.links for t in periods},
    }


def _limit(value: float | None) -> float:
    return math.inf if value is None else value
