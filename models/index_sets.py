"""The sparse index sets and scenario factors the formulation reads, built once.

Only tuples that exist are listed (routes, links, entries that appear), never dense
products of all sets; neighbour maps are precomputed so that no constraint rule scans
every link. Scenario factors are products of all matching Disruptions rows and are
stored only where they differ from 1.

Lean by construction: a sharing link is kept only if its sender can hold the good
(production, imports, stock or an incoming kept link) and its receiver can pass it on to
demand; flows at an ally that cannot reach any demand for the good are left out. Both are
zero at every optimum (each such flow only costs), so the optimum is unchanged. A node
(ally, good) *reaches demand* if it has demand, or feeds a node that does: along a
sharing link, along an Imports route from it (an ally origin exports from its own
balance), or as the input of a recipe of a good it produces.

The onset t0_ω of a scenario is the first period hit by any of its Disruptions rows,
whatever the row's kind, good or factor; a scenario without rows (normal times) has none.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from models.data import ANY, Case, Disruption

Node = tuple[str, str]  # (ally, good)
Route = tuple[str, str, str]  # (origin, destination, good)
Link = tuple[str, str, str]  # (from ally, to ally, good)


@dataclass
class ScenarioFactors:
    """a[o,d,g,t], b[n,g,t], m[n,g,t] of one scenario, only where ≠ 1."""

    imports: dict[tuple[str, str, str, int], float] = field(default_factory=dict)
    production: dict[tuple[str, str, int], float] = field(default_factory=dict)
    demand: dict[tuple[str, str, int], float] = field(default_factory=dict)


@dataclass
class ModelData:
    """Everything the Pyomo formulation needs, as plain Python."""

    case: Case
    periods: list[int]
    scenarios: list[str]
    probability: dict[str, float]
    stocks: list[Node]
    spare: list[Node]
    production: list[Node]
    routes: list[Route]
    links: list[Link]
    nodes: list[Node]
    demand: dict[Node, float]
    penalty: dict[Node, float]
    draw_nodes: list[Node]
    routes_into: dict[Node, list[str]]
    routes_out_of: dict[Node, list[str]]
    links_into: dict[Node, list[str]]
    links_out_of: dict[Node, list[str]]
    used_as_input: dict[Node, list[tuple[str, float]]]
    """(ally, input good) → [(good made from it there, units of input per unit made)]."""
    factors: dict[str, ScenarioFactors]
    onset: dict[str, int | None]
    """t0_ω, None in normal times."""

    @property
    def horizon_weight(self) -> float:
        """k = periods_per_year / H: scenario costs are per horizon, F per year."""
        return self.case.settings.horizon_weight

    def acts(self, scenario: str | None, period: int, lag: int) -> bool:
        """True if an emergency instrument with this lag may act in `period` of
        `scenario`: the scenario has an onset and period ≥ t0 + lag. None (the template
        block) has every instrument able to act."""
        if scenario is None:
            return True
        onset = self.onset[scenario]
        return onset is not None and period >= onset + lag


def build_model_data(case: Case) -> ModelData:
    links = _useful_links(case)
    reaches_demand = _feeds_demand(case, links)
    production = [k for k in case.production if k in reaches_demand]
    routes = [r for r in case.imports if (r[1], r[2]) in reaches_demand]
    draw_nodes = [k for k in case.stockpiles if k in reaches_demand]
    nodes = sorted(reaches_demand, key=_node_order(case))

    allies = set(case.allies)
    routes_into: dict[Node, list[str]] = defaultdict(list)
    routes_out_of: dict[Node, list[str]] = defaultdict(list)
    for origin, destination, good in routes:
        routes_into[destination, good].append(origin)
        if origin in allies:
            routes_out_of[origin, good].append(destination)
    used_as_input: dict[Node, list[tuple[str, float]]] = defaultdict(list)
    for ally, good in production:
        for input_good, ratio in case.recipes.get((ally, good), {}).items():
            used_as_input[ally, input_good].append((good, ratio))
    links_into: dict[Node, list[str]] = defaultdict(list)
    links_out_of: dict[Node, list[str]] = defaultdict(list)
    for sender, receiver, good in links:
        links_into[receiver, good].append(sender)
        links_out_of[sender, good].append(receiver)

    demand = {k: case.demand[k].demand for k in _demanded_nodes(case)}
    return ModelData(
        case=case,
        periods=list(case.periods),
        scenarios=list(case.scenarios),
        probability={s: sc.probability for s, sc in case.scenarios.items()},
        stocks=list(case.stockpiles),
        spare=[k for k in production if case.production[k].has_spare_option],
        production=production,
        routes=routes,
        links=links,
        nodes=nodes,
        demand=demand,
        penalty={k: case.demand[k].shortage_penalty for k in demand},
        draw_nodes=draw_nodes,
        routes_into=dict(routes_into),
        routes_out_of=dict(routes_out_of),
        links_into=dict(links_into),
        links_out_of=dict(links_out_of),
        used_as_input=dict(used_as_input),
        factors={s: scenario_factors(case, s) for s in case.scenarios},
        onset=scenario_onsets(case),
    )


def scenario_onsets(case: Case) -> dict[str, int | None]:
    """t0_ω: the smallest start of the scenario's Disruptions rows; None without rows."""
    onset: dict[str, int | None] = dict.fromkeys(case.scenarios)
    for row in case.disruptions:
        current = onset[row.scenario]
        onset[row.scenario] = row.start if current is None else min(current, row.start)
    return onset


def _node_order(case: Case):
    allies = {a: i for i, a in enumerate(case.allies)}
    goods = {g: i for i, g in enumerate(case.goods)}
    return lambda node: (goods[node[1]], allies[node[0]])


def _supplied_nodes(case: Case) -> set[Node]:
    """Allies that can hold a good without sharing: production, imports or stock."""
    nodes = set(case.production) | set(case.stockpiles)
    nodes |= {(destination, good) for _, destination, good in case.imports}
    return nodes


def supplied_nodes(case: Case) -> set[Node]:
    """Allies that can come to hold a good: by production, imports or stock, or along
    sharing links from an ally that can."""
    return _reachable(_supplied_nodes(case), case.sharing, forward=True)


def _useful_links(case: Case) -> list[Link]:
    """Links whose sender can be supplied and whose receiver can pass on to demand."""
    supplied = supplied_nodes(case)
    demanded = _feeds_demand(case, case.sharing)
    return [(a, b, g) for a, b, g in case.sharing if (a, g) in supplied and (b, g) in demanded]


def _feeds_demand(case: Case, links) -> set[Node]:
    """Nodes that reach demand along `links`, ally-origin routes and recipe inputs."""
    allies = set(case.allies)
    edges = [*links, *((o, d, g) for o, d, g in case.imports if o in allies)]
    for (ally, good), inputs in case.recipes.items():
        edges += [(ally, ally, (input_good, good)) for input_good in inputs]
    return _reachable(_demanded_nodes(case), edges, forward=False)


def _demanded_nodes(case: Case) -> list[Node]:
    """Allies and goods with demand above zero, in the Demand sheet's order."""
    return [k for k, d in case.demand.items() if d.demand > 0]


def _reachable(start: set[Node] | list[Node], links, forward: bool) -> set[Node]:
    """Nodes reachable from `start` along links (forward) or against them (backward).
    A link's good may be a pair (good at the sender, good at the receiver): a recipe
    turns an input into the good made of it."""
    step: dict[Node, list[Node]] = defaultdict(list)
    for sender, receiver, good in links:
        sent, received = good if isinstance(good, tuple) else (good, good)
        if forward:
            step[sender, sent].append((receiver, received))
        else:
            step[receiver, received].append((sender, sent))
    seen = set(start)
    frontier = list(start)
    while frontier:
        node = frontier.pop()
        for neighbour in step.get(node, ()):
            if neighbour not in seen:
                seen.add(neighbour)
                frontier.append(neighbour)
    return seen


def _matches(pattern: str, value: str) -> bool:
    return pattern in (ANY, value)


def scenario_factors(case: Case, scenario: str) -> ScenarioFactors:
    """Multiply every Disruptions row of `scenario` onto the flows it hits."""
    factors = ScenarioFactors()
    for row in (d for d in case.disruptions if d.scenario == scenario):
        if row.kind == "export_cut":
            hit = [(o, d, g) for o, d, g in case.imports
                   if _matches(row.country, o) and _matches(row.partner, d)
                   and _matches(row.good, g)]
            _multiply(factors.imports, hit, row)
        else:
            entries = case.production if row.kind == "capacity_loss" else case.demand
            target = factors.production if row.kind == "capacity_loss" else factors.demand
            hit = [(n, g) for n, g in entries
                   if _matches(row.country, n) and _matches(row.good, g)]
            _multiply(target, hit, row)
    return factors


def _multiply(target: dict, keys: list[tuple], row: Disruption) -> None:
    for key in keys:
        for t in range(row.start, row.end + 1):
            target[(*key, t)] = target.get((*key, t), 1.0) * row.factor
