"""The sparse index sets and scenario factors the formulation reads, built once.

Only tuples that exist are listed (routes, links, entries that appear), never dense
products of all sets; neighbour maps are precomputed so that no constraint rule scans
every link. Scenario factors are products of all matching Disruptions rows and are
stored only where they differ from 1.

Lean by construction: a sharing link is kept only if its sender can hold the good
(production, imports, stock or an incoming kept link) and its receiver can pass it on to
demand; flows at an ally that cannot reach any demand for the good are left out. Both are
zero at every optimum (each such flow only costs), so the optimum is unchanged.
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
    links_into: dict[Node, list[str]]
    links_out_of: dict[Node, list[str]]
    factors: dict[str, ScenarioFactors]


    def scenario_parameters(self, scenario: str | None) -> dict:
        """Values of a scenario block's mutable parameters: its probability and the
        factors that differ from 1 on the entries the model has (None: normal times
        with probability 1, the template block's values)."""
        if scenario is None:
            return {"probability": 1.0, "production_factor": {}, "import_factor": {},
                    "demand_factor": {}}
        factors = self.factors[scenario]
        production = set(self.production)
        routes = set(self.routes)
        return {
            "probability": self.probability[scenario],
            "production_factor": {k: v for k, v in factors.production.items()
                                  if k[:2] in production},
            "import_factor": {k: v for k, v in factors.imports.items() if k[:3] in routes},
            "demand_factor": {k: v for k, v in factors.demand.items()
                              if k[:2] in self.demand},
        }


def build_model_data(case: Case) -> ModelData:
    links = _useful_links(case)
    reaches_demand = _reachable(_demanded_nodes(case), links, forward=False)
    production = [k for k in case.production if k in reaches_demand]
    routes = [r for r in case.imports if (r[1], r[2]) in reaches_demand]
    draw_nodes = [k for k in case.stockpiles if k in reaches_demand]
    nodes = sorted(reaches_demand, key=_node_order(case))

    routes_into: dict[Node, list[str]] = defaultdict(list)
    for origin, destination, good in routes:
        routes_into[destination, good].append(origin)
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
        links_into=dict(links_into),
        links_out_of=dict(links_out_of),
        factors={s: scenario_factors(case, s) for s in case.scenarios},
    )


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
    demanded = _reachable(_demanded_nodes(case), case.sharing, forward=False)
    return [(a, b, g) for a, b, g in case.sharing if (a, g) in supplied and (b, g) in demanded]


def _demanded_nodes(case: Case) -> list[Node]:
    """Allies and goods with demand above zero, in the Demand sheet's order."""
    return [k for k, d in case.demand.items() if d.demand > 0]


def _reachable(start: set[Node] | list[Node], links, forward: bool) -> set[Node]:
    """Nodes reachable from `start` along links (forward) or against them (backward)."""
    step: dict[Node, list[Node]] = defaultdict(list)
    for sender, receiver, good in links:
        if forward:
            step[sender, good].append((receiver, good))
        else:
            step[receiver, good].append((sender, good))
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
