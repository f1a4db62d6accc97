"""Independent parts of a case: groups of allies and goods that share no row of the LP.

The LP couples two nodes (ally, good) only through a row that holds both: a sharing link
(the sender's and the receiver's balance), an Imports route from an ally (the origin's
and the destination's balance), a recipe (the producer's balance of the good and of each
input), a budget (an ally's yearly budget: every stock, spare and contract option of that
ally; its purchase budget: its stockpiles; the alliance's yearly budget: every ally's
stock, spare and contract options; its purchase budget: every stockpile), a
burden-sharing rule (`models.fairness`: the allies with demand for a good, the
participants of its coordinated release), or an objective that is not a sum over the
parts: ``cvar`` and ``worst_case`` (`models.risk`) measure the scenario cost C_ω summed
over every good and ally (the CVaR of a sum is not the sum of the CVaRs), so such a case
never splits; ``expected`` is separable. Imports from suppliers, penalties and factors
never couple. So the LP is the direct sum of the LPs of the connected components of
that graph, and its optimum is the sum of theirs.

What stays global: a scenario's onset is the first period hit by *any* of its Disruptions
rows, whatever the good. Each part therefore keeps every Disruptions row; a row that
matches nothing in the part changes no factor but still sets the onset.
"""

from __future__ import annotations

import dataclasses

from models.burden_sharing import coupled_nodes
from models.data import Case

Node = tuple[str, str]


def independent_parts(case: Case) -> list[Case]:
    """The case split into sub-cases that share no row of the LP, largest first; the
    case itself (alone in the list) when it does not split."""
    groups = _components(case)
    if len(groups) <= 1 or case.settings.objective != "expected":
        return [case]
    budget_home = _budget_homes(case, groups)
    parts = [_restricted(case, nodes, {b for b, k in budget_home.items() if k == index})
             for index, nodes in enumerate(groups)]
    return sorted(parts, key=_size, reverse=True)


def _nodes(case: Case) -> set[Node]:
    allies = set(case.allies)
    nodes = set(case.demand) | set(case.production) | set(case.stockpiles)
    nodes |= {(d, g) for _, d, g in case.imports}
    nodes |= {(o, g) for o, _, g in case.imports if o in allies}
    nodes |= {(a, g) for a, _, g in case.sharing} | {(b, g) for _, b, g in case.sharing}
    nodes |= {(n, i) for (n, _), inputs in case.recipes.items() for i in inputs}
    return nodes


def _stage_one_nodes(case: Case, ally: str) -> list[Node]:
    return [k for k in case.stockpiles if k[0] == ally] + [
        k for k, p in case.production.items() if k[0] == ally and p.has_spare_option] + [
        (d, g) for (_, d, g), r in case.imports.items() if d == ally and r.has_extra_option]


Budget = tuple[str, str | None]
"""A budget row: (its input, budget / purchase_budget / alliance_budget /
alliance_purchase_budget; its ally, None for the alliance's)."""


def _budget_rows(case: Case) -> dict[Budget, list[Node]]:
    """Every budget row of the case and the stage-one nodes it holds."""
    rows: dict[Budget, list[Node]] = {}
    allies = [a for a, c in case.countries.items() if c.is_ally]
    for ally in allies:
        country = case.countries[ally]
        if country.budget is not None:
            rows["budget", ally] = _stage_one_nodes(case, ally)
        if country.purchase_budget is not None:
            rows["purchase_budget", ally] = [k for k in case.stockpiles if k[0] == ally]
    if case.settings.alliance_budget is not None:
        rows["alliance_budget", None] = [k for a in allies for k in _stage_one_nodes(case, a)]
    if case.settings.alliance_purchase_budget is not None:
        rows["alliance_purchase_budget", None] = list(case.stockpiles)
    return rows


def _components(case: Case) -> list[set[Node]]:
    """Connected components of the coupling graph, with a union-find over nodes."""
    parent = {node: node for node in sorted(_nodes(case))}

    def find(node: Node) -> Node:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def join(a: Node, b: Node) -> None:
        parent[find(a)] = find(b)

    allies = set(case.allies)
    for a, b, g in case.sharing:
        join((a, g), (b, g))
    for o, d, g in case.imports:
        if o in allies:
            join((o, g), (d, g))
    for (n, g), inputs in case.recipes.items():
        for i in inputs:
            join((n, g), (n, i))
    for held in _budget_rows(case).values():
        for node in held[1:]:
            join(held[0], node)
    for coupled in coupled_nodes(case):
        for node in coupled[1:]:
            join(coupled[0], node)
    groups: dict[Node, set[Node]] = {}
    for node in parent:
        groups.setdefault(find(node), set()).add(node)
    return sorted(groups.values(), key=min)


def _budget_homes(case: Case, groups: list[set[Node]]) -> dict[Budget, int]:
    """The part that holds each budget's row: the one with the nodes it holds (the first
    part for a budget without any: its row is empty)."""
    where = {node: k for k, nodes in enumerate(groups) for node in nodes}
    return {budget: where[held[0]] if held else 0
            for budget, held in _budget_rows(case).items()}


def _restricted(case: Case, nodes: set[Node], budgets: set[Budget]) -> Case:
    """The sub-case of `nodes`: every entry at them, every Disruptions row, and the
    budgets whose row lies here."""
    def kept(name: str, ally: str | None, value: float | None) -> float | None:
        return value if (name, ally) in budgets else None

    countries = {name: dataclasses.replace(
        c, budget=kept("budget", name, c.budget),
        purchase_budget=kept("purchase_budget", name, c.purchase_budget))
        for name, c in case.countries.items()}
    settings = dataclasses.replace(
        case.settings,
        alliance_budget=kept("alliance_budget", None, case.settings.alliance_budget),
        alliance_purchase_budget=kept("alliance_purchase_budget", None,
                                      case.settings.alliance_purchase_budget))
    return dataclasses.replace(
        case,
        settings=settings,
        countries=countries,
        demand={k: v for k, v in case.demand.items() if k in nodes},
        production={k: v for k, v in case.production.items() if k in nodes},
        imports={k: v for k, v in case.imports.items() if (k[1], k[2]) in nodes},
        stockpiles={k: v for k, v in case.stockpiles.items() if k in nodes},
        sharing={k: v for k, v in case.sharing.items() if (k[0], k[2]) in nodes},
        recipes={k: v for k, v in case.recipes.items() if k in nodes},
    )


def estimated_columns(case: Case) -> int:
    """About how many columns the case's LP has: every flow entry in every scenario and
    period (before the lean formulation leaves some out)."""
    entries = (len(case.production) + len(case.imports) + len(case.stockpiles)
               + len(case.sharing) + len(case.demand))
    return len(case.scenarios) * case.settings.periods * entries


def _size(case: Case) -> int:
    """A rough measure of a part's LP, to hand out the largest first."""
    return (len(case.demand) + len(case.production) + len(case.imports)
            + len(case.stockpiles) + len(case.sharing))
