"""Who shares which burden under the Settings fairness and release_rule: plain data from
the case, no Pyomo (validation and the decomposition read it without building a model;
the rows themselves are in `models.fairness`)."""

from __future__ import annotations

from collections import defaultdict

from models.data import Case

Node = tuple[str, str]


def demanded_by_good(demanded) -> dict[str, list[str]]:
    """Good → the allies with demand for it (A_g), in the given order."""
    allies: dict[str, list[str]] = defaultdict(list)
    for ally, good in demanded:
        allies[good].append(ally)
    return dict(allies)


def release_shares(demand: dict[Node, float], stocks) -> dict[str, dict[str, float]]:
    """Good → {participant: share of the participants' demand}, for goods with at least
    two participants (stockpiles at allies with demand for the good)."""
    holders = demanded_by_good(k for k in stocks if demand.get(k, 0.0) > 0)
    shares = {}
    for good, allies in holders.items():
        if len(allies) >= 2:
            total = sum(demand[a, good] for a in allies)
            shares[good] = {a: demand[a, good] / total for a in allies}
    return shares


def coupled_nodes(case: Case) -> list[list[Node]]:
    """Groups of nodes (ally, good) that the burden-sharing rules put into common rows:
    the allies with demand for a good (fairness), the participants of a good's
    coordinated release (proportional)."""
    settings = case.settings
    demand = {k: d.demand for k, d in case.demand.items() if d.demand > 0}
    groups = []
    if settings.fairness != "none":
        groups += [[(a, g) for a in allies] for g, allies in demanded_by_good(demand).items()]
    if settings.release_rule == "proportional":
        groups += [[(a, g) for a in shares]
                   for g, shares in release_shares(demand, case.stockpiles).items()]
    return groups
