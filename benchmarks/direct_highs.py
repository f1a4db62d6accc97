"""The yardstick: the product's LP built straight into HiGHS from numpy arrays.

Frozen to the model it times: **model v2** (MODEL.md, "The linear program", with the
project's v2 decisions where it is silent), objective ``expected``. When the model
changes, this file follows deliberately, never by importing the product's model. It is
an independent build: of the product it uses only ``optimizer.pipeline.load_case`` (the
validated case) and the HiGHS options of ``optimizer.solver`` (both sides solve with the
same settings); no Pyomo model, no index sets of ``models/``, so a slip in the product's
model shows up as a different objective.

The model, t = 1..H, k = periods_per_year / H, r = capital_rate, δ = loss_rate:

* onset t0_ω = the smallest ``start`` of all Disruptions rows of ω; a scenario without
  rows is normal times and has no onset. "From the onset plus lag" means t ≥ t0_ω + lag.
* stage one: min ≤ x ≤ max per stockpile; 0 ≤ y ≤ spare_max per spare option. There is
  no purchase variable: the purchase has no cost in v2.
* per scenario and period: q ≤ b·capacity, and q − b·y ≤ b·capacity instead from the
  onset + ramp_periods; v ≤ a·volume; w ≤ max_draw from the onset + release_lag (no w
  before, none in normal times) with Σ_t w ≤ x; s ≤ capacity from the onset +
  activation_lag (no s before, none in normal times), landing lead_periods later
  (after H: costs, delivers nothing); z ≤ D·m.
* balance of every node (ally, good) that can matter:
  q + Σ v_in + w + Σ s_in + z = D·m + Σ s_out + Σ v_out (ally origins) + Σ_h ratio·q_h
  (recipes: producing h at n consumes ratio × each input from n's own balance).
* F = Σ ((r + δ)·purchase_cost + holding_cost)·x + Σ spare_cost·y;
  C_ω = Σ_t (unit_cost·q + unit_cost·v + unit_cost·s + refill_cost·w + penalty·z);
  minimise F + k·Σ_ω π_ω C_ω; per ally with a budget: its share of F ≤ budget.

Every input the synthetic cases use is modelled: budgets, spare options with ramps,
ally-origin import routes, lags, max_draw, loss_rate, refill_cost, recipes. Anything
beyond model v2 (another objective, a later issue's column or setting: any field of the
validated case this module does not know, holding a value other than its default) is
refused with `UnsupportedCase` naming it, never silently ignored; so is a case from a
reader that does not give the v2 fields.

Layout: columns x, y; then one block per scenario with q, v, w, s, z (entry × period);
rows: budgets; then per scenario the spare-capacity rows, the drawdown rows and the
balance of every node and period. The blocks are built once and tiled over scenarios as
numpy operations; what differs between scenarios (factors, the onset) is bounds,
right-hand sides, the factor in front of y and masks: a column or row that cannot exist
in a scenario (a draw before the release, a shipment in normal times) is left out, as
are zero coefficients, empty rows and columns without entry or cost.

Lean sets: a sharing link is kept if its sender can hold the good and its receiver can
pass it on to demand; flows at a node that cannot pass anything on to demand (along
links, ally-origin routes and recipes) are left out — they could only cost.
``--spare-bound bound`` also bounds q by b·(capacity + spare_max) once the spare row
applies (same optimum, another LP for HiGHS).

    python -m benchmarks.direct_highs CASE.xlsx --json OUT.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import highspy
import numpy as np
import scipy.sparse as sp

from optimizer.timings import Timings  # the product's phase clock, so both sides time alike

if TYPE_CHECKING:  # the Case dataclass moves between modules; it is only a type hint here
    from models.data import Case

ANY = "*"
INF = np.inf
# How production is bounded once reserved spare capacity can run (see scenario_bounds).
SPARE_BOUNDS = ("row", "bound")
# Options recorded in the JSON so that both sides can be compared.
REPORTED_OPTIONS = ("solver", "parallel", "threads", "presolve", "simplex_strategy",
                    "run_crossover", "time_limit", "primal_feasibility_tolerance",
                    "dual_feasibility_tolerance", "output_flag")
FAMILIES = ("q", "v", "w", "s", "z")

# The fields of the validated case that model v2 reads (or that are only labels). A
# field outside these, holding anything but its default, is a feature this yardstick
# does not model: the case is refused.
V2_FIELDS = {
    "settings": {"periods", "period_unit", "period_days", "currency", "capital_rate",
                 "periods_per_year"},
    "countries": {"role", "budget"},
    "goods": {"unit", "shortage_penalty"},
    "demand": {"demand", "shortage_penalty"},
    "production": {"capacity", "unit_cost", "spare_cost", "spare_max", "ramp_periods"},
    "imports": {"volume", "unit_cost"},
    "stockpiles": {"initial", "min", "max", "purchase_cost", "holding_cost", "refill_cost",
                   "loss_rate", "max_draw", "release_lag"},
    "sharing": {"lead_periods", "unit_cost", "capacity", "activation_lag"},
    "scenarios": {"probability", "description"},
    "disruptions": {"scenario", "kind", "country", "partner", "good", "start", "end",
                    "factor"},
}
CASE_FIELDS = {"name", "recipes", *V2_FIELDS}
NO_DEFAULT = object()


class UnsupportedCase(ValueError):
    """The case uses something the yardstick (model v2, objective expected) has not."""


# ------------------------------------------------------------------- what is supported

def check_supported(case: Case) -> None:
    """Raise `UnsupportedCase` unless `case` is a model-v2 case this module can build."""
    missing = sorted(f"{table}.{name}" for table, names in V2_FIELDS.items()
                     for record in _records(case, table)[:1]
                     for name in names if not hasattr(record, name))
    if not hasattr(case, "recipes"):
        missing.insert(0, "Case.recipes")
    if missing:
        raise UnsupportedCase(
            "not a model-v2 case: the validated case has no " + ", ".join(missing)
            + " (the product's reader does not give model v2 yet)")
    used = [f"Case.{name}" for name in _unused_fields(case, CASE_FIELDS)]
    for table, names in V2_FIELDS.items():
        counts: dict[str, int] = defaultdict(int)
        for record in _records(case, table):
            for name in _unused_fields(record, names):
                counts[name] += 1
        used += [f"{table}.{name} ({count} entr{'y' if count == 1 else 'ies'})"
                 for name, count in sorted(counts.items())]
    if used:
        raise UnsupportedCase(
            "the yardstick is frozen to model v2 with objective 'expected' and does not "
            "model what this case uses: " + "; ".join(used)
            + ". Time such cases only after coding the feature in benchmarks/direct_highs.py.")


def _records(case: Case, table: str) -> list:
    value = getattr(case, table)
    if table == "settings":
        return [value]
    return list(value.values() if isinstance(value, dict) else value)


def _unused_fields(record, known: set[str]) -> list[str]:
    """Fields of the dataclass `record` outside `known` whose value is not the default."""
    if not dataclasses.is_dataclass(record):
        return []
    names = []
    for f in dataclasses.fields(record):
        if f.name in known:
            continue
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = NO_DEFAULT
        if getattr(record, f.name) != default:
            names.append(f.name)
    return names


# --------------------------------------------------------------------------- sparse sets

Node = tuple[str, str]


@dataclass
class LeanSets:
    """The entries that get variables."""

    stocks: list[Node]  # K: every stockpile row (x)
    spare: list[Node]  # kept production entries with a spare option (y)
    production: list[Node]  # P: production at nodes that matter (q)
    routes: list[tuple[str, str, str]]  # R: import routes into nodes that matter (v)
    draws: list[Node]  # stockpiles at nodes that matter (w)
    links: list[tuple[str, str, str]]  # useful sharing links (s)
    shorts: list[Node]  # demand > 0 (z)
    nodes: list[Node]  # nodes with a balance row
    exports: list[tuple[int, Node]]  # (route index, origin node) of ally-origin routes
    inputs: list[tuple[int, Node, float]]  # (production index, input node, ratio)


def lean_sets(case: Case) -> LeanSets:
    """Only what can matter: links whose sender can be supplied and whose receiver can
    pass on to demand; flows at nodes that can pass on to demand."""
    allies = {a for a, c in case.countries.items() if c.is_ally}
    demanded = {k for k, d in case.demand.items() if d.demand > 0}
    supplied = set(case.production) | set(case.stockpiles)
    supplied |= {(d, g) for _, d, g in case.imports}
    supplied = _reachable(supplied, _link_edges(case.sharing), forward=True)
    other_edges = [((o, g), (d, g)) for o, d, g in case.imports if o in allies]
    other_edges += [((n, i), (n, g)) for (n, g), recipe in case.recipes.items()
                    if (n, g) in case.production for i in recipe]
    wanted = _reachable(demanded, _link_edges(case.sharing) + other_edges, forward=False)
    links = [(a, b, g) for a, b, g in case.sharing if (a, g) in supplied and (b, g) in wanted]
    reaches = _reachable(demanded, _link_edges(links) + other_edges, forward=False)
    production = [k for k in case.production if k in reaches]
    routes = [r for r in case.imports if (r[1], r[2]) in reaches]
    nodes = sorted(reaches)
    node = {k: i for i, k in enumerate(nodes)}
    return LeanSets(
        stocks=list(case.stockpiles),
        spare=[k for k in production if case.production[k].has_spare_option],
        production=production,
        routes=routes,
        draws=[k for k in case.stockpiles if k in reaches],
        links=links,
        shorts=[k for k, d in case.demand.items() if d.demand > 0],
        nodes=nodes,
        exports=[(i, (o, g)) for i, (o, _, g) in enumerate(routes) if o in allies],
        inputs=[(p, (n, i), float(ratio)) for p, (n, g) in enumerate(production)
                for i, ratio in case.recipes.get((n, g), {}).items()
                if ratio and (n, i) in node],
    )


def _link_edges(links) -> list[tuple[Node, Node]]:
    return [((a, g), (b, g)) for a, b, g in links]


def _reachable(start: set, edges: list[tuple[Node, Node]], forward: bool) -> set:
    """Nodes reachable from `start` along the edges (or against them)."""
    step = defaultdict(list)
    for tail, head in edges:
        if forward:
            step[tail].append(head)
        else:
            step[head].append(tail)
    seen, frontier = set(start), list(start)
    while frontier:
        for neighbour in step.get(frontier.pop(), ()):
            if neighbour not in seen:
                seen.add(neighbour)
                frontier.append(neighbour)
    return seen


# ------------------------------------------------------------------------ scenario data

def scenario_factors(case: Case, sets: LeanSets) -> dict[str, np.ndarray]:
    """a (Ω, R, H) on imports, b (Ω, P, H) on production, m (Ω, nodes, H) on demand:
    the products of all matching Disruptions rows."""
    scenarios = {s: i for i, s in enumerate(case.scenarios)}
    shape = (len(scenarios), case.settings.periods)
    a = np.ones((shape[0], len(sets.routes), shape[1]))
    b = np.ones((shape[0], len(sets.production), shape[1]))
    m = np.ones((shape[0], len(sets.nodes), shape[1]))
    route_ids = _columns_of(sets.routes, 3)
    production_ids = _columns_of(sets.production, 2)
    node_ids = _columns_of(sets.nodes, 2)
    for row in case.disruptions:
        window = slice(row.start - 1, row.end)
        if row.kind == "export_cut":
            mask = (_hits(route_ids[0], row.country) & _hits(route_ids[1], row.partner)
                    & _hits(route_ids[2], row.good))
            target = a
        else:
            ids = production_ids if row.kind == "capacity_loss" else node_ids
            mask = _hits(ids[0], row.country) & _hits(ids[1], row.good)
            target = b if row.kind == "capacity_loss" else m
        target[scenarios[row.scenario], mask, window] *= row.factor
    return {"a": a, "b": b, "m": m}


def onsets(case: Case) -> np.ndarray:
    """t0_ω per scenario: the smallest start of its Disruptions rows (any kind, good or
    factor); H + 1 in normal times, so that no period is ever "from the onset"."""
    first: dict[str, int] = {}
    for row in case.disruptions:
        first[row.scenario] = min(first.get(row.scenario, row.start), row.start)
    return np.array([first.get(s, case.settings.periods + 1) for s in case.scenarios],
                    dtype=np.int64)


def from_onset(onset: np.ndarray, lags, H: int) -> np.ndarray:
    """(Ω, E, H) mask of emergency(ω, t, lag_e): t ≥ t0_ω + lag_e."""
    lags = np.asarray(lags, dtype=np.int64).reshape(1, -1, 1)
    return np.arange(1, H + 1)[None, None, :] >= onset[:, None, None] + lags


def _columns_of(keys: list[tuple], width: int) -> list[np.ndarray]:
    """The components of a list of key tuples as numpy object arrays (for masks)."""
    return [np.array([k[i] for k in keys], dtype=object) for i in range(width)]


def _hits(values: np.ndarray, pattern: str) -> np.ndarray:
    return np.ones(len(values), bool) if pattern == ANY else values == pattern


# ------------------------------------------------------------------------------- the LP

@dataclass
class Lp:
    """min c·x s.t. row_lower ≤ A x ≤ row_upper, col_lower ≤ x ≤ col_upper."""

    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    matrix: sp.csc_matrix
    layout: dict  # full column layout and the kept columns, for reading the solution


class Triplets:
    """Matrix entries collected as numpy arrays (row, column, value)."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []

    def add(self, rows, cols, vals) -> None:
        rows, cols = np.broadcast_arrays(np.asarray(rows, np.int64), np.asarray(cols, np.int64))
        vals = np.broadcast_to(np.asarray(vals, float), rows.shape)
        self.rows.append(rows.ravel())
        self.cols.append(cols.ravel())
        self.vals.append(vals.ravel())

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        empty = np.zeros(0, np.int64)
        rows, cols = (np.concatenate(x) if x else empty for x in (self.rows, self.cols))
        vals = np.concatenate(self.vals) if self.vals else np.zeros(0)
        return rows, cols, vals


@dataclass
class Block:
    """One scenario's structure in local indices: column offsets, row offsets and the
    matrix entries that do not touch stage one (the same in every scenario)."""

    offset: dict[str, int]  # first column of each family
    width: int  # columns per scenario
    draw_row0: int
    balance_row0: int
    num_rows: int
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray


def build_lp(case: Case, sets: LeanSets, spare_bound: str = "row") -> Lp:
    """The whole LP as arrays; see the module docstring for the layout."""
    H = case.settings.periods
    count = len(case.scenarios)
    pi = np.array([sc.probability for sc in case.scenarios.values()])
    k = case.settings.periods_per_year / H
    factors = scenario_factors(case, sets)
    onset = onsets(case)
    K, S = len(sets.stocks), len(sets.spare)
    n1 = K + S

    produced = {key: p for p, key in enumerate(sets.production)}
    spare_p = np.array([produced[key] for key in sets.spare], dtype=np.int64)
    block = scenario_block(case, sets, H, spare_p)
    n = n1 + count * block.width
    stocks = [case.stockpiles[key] for key in sets.stocks]

    # Which scenario columns and rows exist: draws from the release, shipments from the
    # activation, spare rows from the end of the ramp, drawdown rows where there are draws.
    draws_open = from_onset(onset, [case.stockpiles[key].release_lag for key in sets.draws], H)
    links_open = from_onset(onset, [case.sharing[key].activation_lag for key in sets.links], H)
    spare_running = from_onset(onset, [case.production[key].ramp_periods
                                       for key in sets.spare], H)
    col_exists = np.ones((count, block.width), bool)
    for family, is_open in (("w", draws_open), ("s", links_open)):
        start = block.offset[family]
        col_exists[:, start:start + is_open.shape[1] * H] = is_open.reshape(count, -1)
    row_exists = np.ones((count, block.num_rows), bool)
    row_exists[:, :block.draw_row0] = spare_running.reshape(count, -1)
    row_exists[:, block.draw_row0:block.balance_row0] = draws_open.any(axis=2)

    # Stage one: bounds and F.
    cost, col_lower, col_upper = np.zeros(n), np.zeros(n), np.full(n, INF)
    col_lower[:K] = [s.min for s in stocks]
    col_upper[:K] = [INF if s.max is None else s.max for s in stocks]
    x_cost = np.array([(case.settings.capital_rate + s.loss_rate) * s.purchase_cost
                       + s.holding_cost for s in stocks])
    cost[:K] = x_cost
    spare = [case.production[key] for key in sets.spare]
    col_upper[K:n1] = [p.spare_max for p in spare]
    y_cost = np.array([p.spare_cost for p in spare])
    cost[K:n1] = y_cost

    triplets = Triplets()
    row_lower, row_upper = [], []
    budget_rows(case, sets, x_cost, y_cost, triplets, row_lower, row_upper)
    r1 = sum(len(r) for r in row_lower)

    omega = np.arange(count, dtype=np.int64)[:, None]
    triplets.add(r1 + omega * block.num_rows + block.rows, n1 + omega * block.width + block.cols,
                 np.broadcast_to(block.vals, (count, len(block.vals))))
    # Stage one in the scenario rows: −b·y in the spare rows, −x in the drawdown rows.
    base = r1 + omega * block.num_rows
    spare_t = np.tile(np.arange(H), S)
    spare_b = factors["b"][:, np.repeat(spare_p, H), spare_t]  # (Ω, S·H)
    triplets.add(base + np.arange(S * H), K + np.repeat(np.arange(S), H), -spare_b)
    stock_index = {key: i for i, key in enumerate(sets.stocks)}
    x = np.array([stock_index[key] for key in sets.draws], dtype=np.int64)
    triplets.add(base + block.draw_row0 + np.arange(len(x)), x, -1.0)

    block_lower, block_upper = scenario_rows(case, sets, factors, spare_p, block, H)
    row_lower.append(block_lower.ravel())
    row_upper.append(block_upper.ravel())
    upper, unit = scenario_columns(case, sets, factors, spare_p, spare_running, block, H,
                                   spare_bound)
    col_upper[n1:] = upper.ravel()
    cost[n1:] = (k * pi[:, None] * unit[None, :]).ravel()

    col_kept = np.concatenate([np.ones(n1, bool), col_exists.ravel()])
    row_kept = np.concatenate([np.ones(r1, bool), row_exists.ravel()])
    layout = {"K": K, "S": S, "n1": n1, "width": block.width, "H": H,
              "offset": block.offset, "scenarios": count, "pi": pi, "k": k,
              "counts": {f: int(col_exists[:, block.offset[f]:block.offset[f]
                                           + _family_size(sets, f) * H].sum())
                         for f in FAMILIES}}
    return compress(triplets, cost, col_lower, col_upper, np.concatenate(row_lower),
                    np.concatenate(row_upper), col_kept, row_kept, layout)


def _family_size(sets: LeanSets, family: str) -> int:
    return len({"q": sets.production, "v": sets.routes, "w": sets.draws, "s": sets.links,
                "z": sets.shorts}[family])


def budget_rows(case: Case, sets: LeanSets, x_cost, y_cost, triplets: Triplets, row_lower,
                row_upper) -> None:
    """Per ally with a budget: its share of F ≤ budget (no row if it has no cost in F)."""
    K = len(sets.stocks)
    row = 0
    for ally, country in case.countries.items():
        if not country.is_ally or country.budget is None:
            continue
        cols = [i for i, (a, _) in enumerate(sets.stocks) if a == ally]
        vals = [x_cost[i] for i in cols]
        spare = [i for i, (a, _) in enumerate(sets.spare) if a == ally]
        cols += [K + i for i in spare]
        vals += [y_cost[i] for i in spare]
        if not any(vals):
            continue
        triplets.add(np.full(len(cols), row), cols, vals)
        row_lower.append(np.array([-INF]))
        row_upper.append(np.array([float(country.budget)]))
        row += 1


def scenario_block(case: Case, sets: LeanSets, H: int, spare_p: np.ndarray) -> Block:
    """One scenario's entries that do not touch stage one: q in the spare rows, w in the
    drawdown rows, every flow (and recipe input) in the balance rows."""
    offset, width = {}, 0
    for family in FAMILIES:
        offset[family] = width
        width += _family_size(sets, family) * H
    t = np.arange(H)
    node = {key: i for i, key in enumerate(sets.nodes)}
    part = Triplets()
    # Spare rows (spare entry i, period t) at i·H + t: q[p, t].
    part.add(np.arange(len(spare_p))[:, None] * H + t, offset["q"] + spare_p[:, None] * H + t,
             1.0)
    # Drawdown rows: Σ_t w[d, t].
    draw0 = len(spare_p) * H
    d = np.arange(len(sets.draws))[:, None]
    part.add(draw0 + d, offset["w"] + d * H + t, 1.0)
    # Balance rows: node i in period t at balance0 + i·H + t.
    balance0 = draw0 + len(sets.draws)

    def balance(family, entries, at_nodes, coefficient, lead=None):
        entries = np.asarray(entries, np.int64)[:, None]
        at = balance0 + np.asarray(at_nodes, np.int64)[:, None] * H
        cols = np.broadcast_to(offset[family] + entries * H + t, (len(entries), H))
        if lead is None:
            part.add(at + t, cols, coefficient)
            return
        arrive = t + np.asarray(lead, np.int64)[:, None]
        landed = arrive < H  # what would land after H delivers nothing
        part.add((at + arrive)[landed], cols[landed], coefficient)

    balance("q", range(len(sets.production)), [node[key] for key in sets.production], 1.0)
    balance("v", range(len(sets.routes)), [node[(d, g)] for _, d, g in sets.routes], 1.0)
    balance("w", range(len(sets.draws)), [node[key] for key in sets.draws], 1.0)
    balance("z", range(len(sets.shorts)), [node[key] for key in sets.shorts], 1.0)
    balance("s", range(len(sets.links)), [node[(a, g)] for a, _, g in sets.links], -1.0)
    balance("s", range(len(sets.links)), [node[(b, g)] for _, b, g in sets.links], 1.0,
            lead=[case.sharing[key].lead_periods for key in sets.links])
    # Ally-origin routes leave the origin's balance; recipes consume their inputs.
    balance("v", [r for r, _ in sets.exports], [node[o] for _, o in sets.exports], -1.0)
    balance("q", [p for p, _, _ in sets.inputs], [node[i] for _, i, _ in sets.inputs],
            -np.array([ratio for _, _, ratio in sets.inputs]).reshape(-1, 1))
    rows, cols, vals = part.arrays()
    return Block(offset, width, draw0, balance0, balance0 + len(sets.nodes) * H,
                 rows, cols, vals)


def scenario_rows(case: Case, sets: LeanSets, factors, spare_p, block: Block, H: int):
    """Row bounds per scenario: spare rows ≤ b·capacity, drawdown ≤ 0, balance = D·m."""
    count = factors["b"].shape[0]
    capacity = np.array([case.production[key].capacity for key in sets.spare])
    spare_rhs = (factors["b"][:, spare_p, :] * capacity[None, :, None]).reshape(count, -1)
    node_demand = np.array([case.demand[key].demand if key in case.demand else 0.0
                            for key in sets.nodes])
    balance = (node_demand[None, :, None] * factors["m"]).reshape(count, -1)
    draws = len(sets.draws)
    lower = np.concatenate([np.full_like(spare_rhs, -INF), np.full((count, draws), -INF),
                            balance], axis=1)
    upper = np.concatenate([spare_rhs, np.zeros((count, draws)), balance], axis=1)
    return lower, upper


def scenario_columns(case: Case, sets: LeanSets, factors, spare_p, spare_running,
                     block: Block, H: int, spare_bound: str):
    """Upper bounds (Ω, width) and unit costs (width) of the scenario columns.

    `spare_bound` is how q is bounded once its spare row applies: "row" (no bound of its
    own) or "bound" (the redundant b·(capacity + spare_max))."""
    count = factors["b"].shape[0]
    production = [case.production[key] for key in sets.production]
    capacity = np.array([p.capacity for p in production]).reshape(-1, 1)
    running = np.zeros((count, len(production), H), bool)
    running[:, spare_p, :] = spare_running
    if spare_bound == "bound":
        spare_max = np.array([p.spare_max for p in production]).reshape(-1, 1)
        produce = factors["b"] * (capacity + np.where(running, spare_max, 0.0))
    else:
        produce = np.where(running, INF, factors["b"] * capacity)
    stocks = [case.stockpiles[key] for key in sets.draws]
    links = [case.sharing[key] for key in sets.links]
    demand = np.array([case.demand[key].demand for key in sets.shorts]).reshape(-1, 1)
    node = {key: i for i, key in enumerate(sets.nodes)}
    short_nodes = np.array([node[key] for key in sets.shorts], dtype=np.int64)
    volume = np.array([case.imports[r].volume for r in sets.routes]).reshape(-1, 1)
    max_draw = np.array([INF if s.max_draw is None else s.max_draw for s in stocks])
    link_cap = np.array([INF if s.capacity is None else s.capacity for s in links])
    upper = {
        "q": produce,
        "v": factors["a"] * volume,
        "w": np.broadcast_to(max_draw.reshape(-1, 1), (count, len(stocks), H)),
        "s": np.broadcast_to(link_cap.reshape(-1, 1), (count, len(links), H)),
        "z": factors["m"][:, short_nodes, :] * demand,
    }
    unit = {
        "q": [p.unit_cost for p in production],
        "v": [case.imports[r].unit_cost for r in sets.routes],
        "w": [s.refill_cost for s in stocks],
        "s": [s.unit_cost for s in links],
        "z": [case.demand[key].shortage_penalty for key in sets.shorts],
    }
    block_upper = np.empty((count, block.width))
    block_unit = np.empty(block.width)
    for family in FAMILIES:
        cols = slice(block.offset[family], block.offset[family] + len(unit[family]) * H)
        block_upper[:, cols] = upper[family].reshape(count, -1)
        block_unit[cols] = np.repeat(np.asarray(unit[family], float), H)
    return block_upper, block_unit


def compress(triplets: Triplets, cost, col_lower, col_upper, row_lower, row_upper,
             col_kept, row_kept, layout) -> Lp:
    """Keep the columns and rows that exist, drop zero coefficients, rows without entries
    (checking that they hold) and columns without entry or cost."""
    rows, cols, vals = triplets.arrays()
    keep = (vals != 0.0) & col_kept[cols] & row_kept[rows]
    rows, cols, vals = rows[keep], cols[keep], vals[keep]
    used_rows = row_kept & (np.bincount(rows, minlength=len(row_kept)) > 0)
    empty = row_kept & ~used_rows
    if np.any((row_lower[empty] > 0) | (row_upper[empty] < 0)):
        raise ValueError("a row without variables cannot hold: the LP is infeasible")
    used_cols = col_kept & ((np.bincount(cols, minlength=len(col_kept)) > 0) | (cost != 0.0))
    row_map = np.cumsum(used_rows) - 1
    col_map = np.cumsum(used_cols) - 1
    matrix = sp.csc_matrix((vals, (row_map[rows], col_map[cols])),
                           shape=(int(used_rows.sum()), int(used_cols.sum())))
    matrix.eliminate_zeros()  # entries that cancel (e.g. a route from an ally to itself)
    layout["kept"] = used_cols
    return Lp(cost[used_cols], col_lower[used_cols], col_upper[used_cols],
              row_lower[used_rows], row_upper[used_rows], matrix, layout)


# ---------------------------------------------------------------------------- HiGHS

def new_highs() -> tuple[highspy.Highs, str]:
    """A HiGHS instance set up exactly as the product sets up its own.

    Prefers the product's shared constant ``optimizer.solver.HIGHS_OPTIONS`` if there is
    one, else the product's own factory ``new_highs(SolverOptions())``, else defaults
    with the log off."""
    from optimizer import solver

    shared = getattr(solver, "HIGHS_OPTIONS", None)
    if shared is None and hasattr(solver, "new_highs") and hasattr(solver, "SolverOptions"):
        return solver.new_highs(solver.SolverOptions()), "optimizer.solver.new_highs"
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    for name, value in (shared or {}).items():
        highs.setOptionValue(name, value)
    return highs, "optimizer.solver.HIGHS_OPTIONS" if shared is not None else "defaults"


def pass_lp(highs: highspy.Highs, lp: Lp) -> None:
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = len(lp.cost), len(lp.row_lower)
    model.col_cost_ = lp.cost
    model.col_lower_, model.col_upper_ = lp.col_lower, lp.col_upper
    model.row_lower_, model.row_upper_ = lp.row_lower, lp.row_upper
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = lp.matrix.indptr.astype(np.int32)
    model.a_matrix_.index_ = lp.matrix.indices.astype(np.int32)
    model.a_matrix_.value_ = lp.matrix.data
    model.a_matrix_.num_col_, model.a_matrix_.num_row_ = model.num_col_, model.num_row_
    highs.passModel(model)


def options_of(highs: highspy.Highs) -> dict:
    """The values of `REPORTED_OPTIONS` (highspy returns (status, value) pairs)."""
    values = {}
    for name in REPORTED_OPTIONS:
        value = highs.getOptionValue(name)
        values[name] = value[1] if isinstance(value, tuple) else value
    return values


def extract(highs: highspy.Highs, lp: Lp, sets: LeanSets) -> dict:
    """Stage-one levels and the expected shortfall per demand entry, from the arrays."""
    layout = lp.layout
    values = np.zeros(len(layout["kept"]))  # dropped columns are zero
    values[layout["kept"]] = np.asarray(highs.getSolution().col_value, dtype=float)
    K, S, H = layout["K"], layout["S"], layout["H"]
    blocks = values[layout["n1"]:].reshape(layout["scenarios"], layout["width"])
    z0 = layout["offset"]["z"]
    short = blocks[:, z0:z0 + len(sets.shorts) * H].reshape(layout["scenarios"], -1, H)
    return {"stock": values[:K], "spare": values[K:K + S],
            "expected_shortfall": layout["pi"] @ short.sum(axis=2)}


# ------------------------------------------------------------------------------- driver

def solve_case(case: Case, timings: Timings | None = None,
               spare_bound: str = "row") -> tuple[highspy.Highs, Lp, LeanSets, str]:
    """Check, build, pass and solve a validated case; the solved HiGHS instance."""
    timings = timings or Timings()
    with timings.phase("build"):
        check_supported(case)
        sets = lean_sets(case)
        lp = build_lp(case, sets, spare_bound)
    with timings.phase("handover"):
        highs, source = new_highs()
        pass_lp(highs, lp)
    with timings.phase("solve"):
        highs.run()
    return highs, lp, sets, source


def solve_direct(path: str | Path, spare_bound: str = "row") -> dict:
    """Read + validate with the product, then build, pass, solve and extract directly."""
    from optimizer.case.load import load_case  # the product's reading and validation

    timings = Timings()
    case, _ = load_case(path, timings)
    highs, lp, sets, source = solve_case(case, timings, spare_bound)
    with timings.phase("extract"):
        info = highs.getInfo()
        plan = extract(highs, lp, sets)
    status = highs.modelStatusToString(highs.getModelStatus())
    return {
        "case": case.name,
        "model": "v2, objective expected",
        "status": status,
        "objective": info.objective_function_value,
        "stage_one": {"stock_total": float(plan["stock"].sum()),
                      "spare_total": float(plan["spare"].sum())},
        "timings_s": {name: round(v, 6) for name, v in timings.seconds.items()},
        "solver": {"name": "HiGHS", "version": highs.version(), "status": status,
                   "run_time_s": highs.getRunTime(), "columns": len(lp.cost),
                   "rows": len(lp.row_lower), "nonzeros": int(lp.matrix.nnz),
                   "options_from": source, "options": options_of(highs)},
        "spare_bound": spare_bound,
        "families": lp.layout["counts"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="solve a case with the direct-HiGHS "
                                                 "yardstick (model v2, objective expected)")
    parser.add_argument("case", type=Path)
    parser.add_argument("--json", type=Path, help="write the result here")
    parser.add_argument("--spare-bound", choices=SPARE_BOUNDS, default=SPARE_BOUNDS[0],
                        help="bound on production once spare capacity runs: 'row' (none, "
                             "the row alone; default) or 'bound' (b·(capacity + spare_max))")
    args = parser.parse_args(argv)
    try:
        result = solve_direct(args.case, args.spare_bound)
    except UnsupportedCase as error:
        print(f"direct_highs: {error}", file=sys.stderr)
        return 2
    text = json.dumps(result, indent=2, default=float)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0 if result["status"] == "Optimal" else 3


if __name__ == "__main__":
    sys.exit(main())
