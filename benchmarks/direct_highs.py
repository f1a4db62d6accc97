"""The yardstick: the product's LP built straight into HiGHS from numpy arrays.

Same model as ``models/stockpile.py`` (MODEL.md, "The linear program"), column for column
and row for row, but without Pyomo: the sparse sets are listed once in Python (a few
thousand entries at most), then every scenario × period expansion, factor and bound is a
numpy operation, and the matrix is tiled over scenarios (every scenario block has the
same structure; only bounds, right-hand sides and the factor in front of reserved spare
capacity differ).

Columns: stage one x (stock), u (bought), y (spare); then one block per scenario with
q (produce), v (imported), w (draw), s (ship), z (short), each entry × period.
Rows: u − x ≥ −initial; budgets; then per scenario q − b·y ≤ b·capacity after the ramp,
Σ_t w − x ≤ 0, and the balance of every node and period.

Exactly like Pyomo's standard-form compiler, zero coefficients are left out and columns
that appear nowhere (no matrix entry, no cost) are dropped. Once reserved spare capacity
can run, production has no upper bound of its own (the spare-capacity row limits it), as in
the product since commit 3422172; ``--spare-bound bound`` restores the redundant bound
b·(capacity + spare_max) of the earlier product (same optimum, different LP for HiGHS).

    python -m benchmarks.direct_highs CASE.xlsx --json OUT.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp

from optimizer.case import Case
from optimizer.pipeline import Timings, load_case

ANY = "*"
INF = np.inf
# How production is bounded once reserved spare capacity can run (see scenario_bounds).
SPARE_BOUNDS = ("row", "bound")
# Options recorded in the JSON so that both sides can be compared.
REPORTED_OPTIONS = ("solver", "parallel", "threads", "presolve", "simplex_strategy",
                    "run_crossover", "time_limit", "primal_feasibility_tolerance",
                    "dual_feasibility_tolerance", "output_flag")


# --------------------------------------------------------------------------- sparse sets

@dataclass
class LeanSets:
    """The entries that get variables, as in ``models.index_sets.build_model_data``."""

    stocks: list[tuple[str, str]]  # K: every stockpile row (x, u)
    spare: list[tuple[str, str]]  # production rows with a spare option (y)
    production: list[tuple[str, str]]  # P: production reaching demand (q)
    routes: list[tuple[str, str, str]]  # R: import routes into nodes reaching demand (v)
    draws: list[tuple[str, str]]  # stockpiles reaching demand (w)
    links: list[tuple[str, str, str]]  # useful sharing links (s)
    shorts: list[tuple[str, str]]  # demand > 0 (z)
    nodes: list[tuple[str, str]]  # nodes with a balance row


def lean_sets(case: Case) -> LeanSets:
    """Only what can matter: links whose sender can be supplied and whose receiver can
    pass on to demand, and flows at nodes that can reach demand."""
    demanded = {k for k, d in case.demand.items() if d.demand > 0}
    supplied = set(case.production) | set(case.stockpiles)
    supplied |= {(d, g) for _, d, g in case.imports}
    supplied = _reachable(supplied, case.sharing, forward=True)
    wanted = _reachable(demanded, case.sharing, forward=False)
    links = [(a, b, g) for a, b, g in case.sharing if (a, g) in supplied and (b, g) in wanted]
    reaches = _reachable(demanded, links, forward=False)
    return LeanSets(
        stocks=list(case.stockpiles),
        spare=[k for k, p in case.production.items() if p.has_spare_option],
        production=[k for k in case.production if k in reaches],
        routes=[r for r in case.imports if (r[1], r[2]) in reaches],
        draws=[k for k in case.stockpiles if k in reaches],
        links=links,
        shorts=[k for k, d in case.demand.items() if d.demand > 0],
        nodes=sorted(reaches),
    )


def _reachable(start: set, links, forward: bool) -> set:
    """Nodes reachable from `start` along the links (or against them)."""
    step = defaultdict(list)
    for a, b, g in links:
        if forward:
            step[a, g].append((b, g))
        else:
            step[b, g].append((a, g))
    seen, frontier = set(start), list(start)
    while frontier:
        for neighbour in step.get(frontier.pop(), ()):
            if neighbour not in seen:
                seen.add(neighbour)
                frontier.append(neighbour)
    return seen


# ------------------------------------------------------------------------ scenario factors

def scenario_factors(case: Case, sets: LeanSets) -> dict[str, np.ndarray]:
    """a (Ω, R, H) on imports, b (Ω, P, H) on production, m (Ω, D, H) on demand: the
    products of all matching Disruptions rows, multiplied in row order."""
    scenarios = {s: i for i, s in enumerate(case.scenarios)}
    shape = (len(scenarios), case.settings.periods)
    a = np.ones((shape[0], len(sets.routes), shape[1]))
    b = np.ones((shape[0], len(sets.production), shape[1]))
    m = np.ones((shape[0], len(sets.nodes), shape[1]))  # per balance node
    route_ids = _columns_of(sets.routes)
    production_ids = _columns_of(sets.production)
    node_ids = _columns_of(sets.nodes)
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


def _columns_of(keys: list[tuple]) -> list[np.ndarray]:
    """The components of a list of key tuples as numpy object arrays (for masks)."""
    width = len(keys[0]) if keys else 3
    return [np.array([k[i] for k in keys], dtype=object) for i in range(width)]


def _hits(values: np.ndarray, pattern: str) -> np.ndarray:
    return np.ones(len(values), bool) if pattern == ANY else values == pattern


# ------------------------------------------------------------------------------- the LP

@dataclass
class Lp:
    """min c·x + 0 s.t. row_lower ≤ A x ≤ row_upper, col_lower ≤ x ≤ col_upper."""

    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    matrix: sp.csc_matrix
    layout: dict  # column offsets and counts for reading the solution back


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
        rows, cols, vals = (np.concatenate(x) if x else np.zeros(0)
                            for x in (self.rows, self.cols, self.vals))
        keep = vals != 0.0  # Pyomo leaves zero coefficients out
        return rows[keep], cols[keep], vals[keep]


def build_lp(case: Case, sets: LeanSets, spare_bound: str = "row") -> Lp:
    """The whole LP as arrays; see the module docstring for the layout."""
    H = case.settings.periods
    scenarios = list(case.scenarios)
    pi = np.array([case.scenarios[s].probability for s in scenarios])
    factors = scenario_factors(case, sets)
    K, S = len(sets.stocks), len(sets.spare)

    # Column offsets: stage one, then the per-scenario block of width W.
    n1 = 2 * K + S
    sizes = {"q": len(sets.production), "v": len(sets.routes), "w": len(sets.draws),
             "s": len(sets.links), "z": len(sets.shorts)}
    block_offset, width = {}, 0
    for name, count in sizes.items():
        block_offset[name] = width
        width += count * H
    n = n1 + len(scenarios) * width

    cost, col_lower, col_upper = np.zeros(n), np.zeros(n), np.full(n, INF)
    triplets = Triplets()
    row_lower, row_upper = [], []

    stage_one_columns(case, sets, cost, col_lower, col_upper)
    stage_one_rows(case, sets, triplets, row_lower, row_upper)
    r1 = sum(len(r) for r in row_lower)
    spare_rows = spare_row_entries(case, sets, H)
    block = scenario_block(case, sets, H, block_offset, spare_rows)
    tile_scenarios(block, triplets, r1, n1, width, len(scenarios))
    stage_one_in_scenarios(sets, factors, spare_rows, block, triplets, r1, len(scenarios))
    scenario_bounds(case, sets, factors, spare_rows, block, pi, H, n1, width, block_offset,
                    cost, col_upper, row_lower, row_upper, spare_bound)

    rows, cols, vals = triplets.arrays()
    row_lower, row_upper = np.concatenate(row_lower), np.concatenate(row_upper)
    matrix = sp.csc_matrix((vals, (rows, cols)), shape=(len(row_lower), n))
    layout = {"K": K, "S": S, "n1": n1, "width": width, "H": H, "offset": block_offset,
              "sizes": sizes, "scenarios": len(scenarios), "pi": pi}
    lp = Lp(cost, col_lower, col_upper, row_lower, row_upper, matrix, layout)
    return drop_empty_columns(lp)


def stage_one_columns(case: Case, sets: LeanSets, cost, lower, upper) -> None:
    """x: min ≤ x ≤ max at holding cost; u ≥ 0 at purchase cost; 0 ≤ y ≤ spare_max."""
    K = len(sets.stocks)
    stocks = [case.stockpiles[k] for k in sets.stocks]
    lower[:K] = [s.min for s in stocks]
    upper[:K] = [INF if s.max is None else s.max for s in stocks]
    cost[:K] = [s.holding_cost for s in stocks]
    cost[K:2 * K] = [s.purchase_cost for s in stocks]
    spare = [case.production[k] for k in sets.spare]
    upper[2 * K:2 * K + len(spare)] = [p.spare_max for p in spare]
    cost[2 * K:2 * K + len(spare)] = [p.spare_cost for p in spare]


def stage_one_rows(case: Case, sets: LeanSets, triplets: Triplets, row_lower,
                   row_upper) -> None:
    """u − x ≥ −initial per stockpile; Σ stage-one cost of an ally ≤ its budget."""
    K = len(sets.stocks)
    index = np.arange(K)
    triplets.add(index, K + index, 1.0)
    triplets.add(index, index, -1.0)
    row_lower.append(np.array([-case.stockpiles[k].initial for k in sets.stocks]))
    row_upper.append(np.full(K, INF))

    budgets = [(a, c.budget) for a, c in case.countries.items()
               if c.is_ally and c.budget is not None]
    row = K
    for ally, budget in budgets:
        cols, vals = [], []
        for i, (n, g) in enumerate(sets.stocks):
            if n == ally:
                entry = case.stockpiles[n, g]
                cols += [K + i, i]
                vals += [entry.purchase_cost, entry.holding_cost]
        for i, (n, g) in enumerate(sets.spare):
            if n == ally:
                cols.append(2 * K + i)
                vals.append(case.production[n, g].spare_cost)
        if not any(vals):
            continue  # nothing to limit: Pyomo would have no row either
        triplets.add(np.full(len(cols), row), cols, vals)
        row_lower.append(np.array([-INF]))
        row_upper.append(np.array([float(budget)]))
        row += 1


@dataclass
class SpareRows:
    """Rows q − b·y ≤ b·capacity: production entry p and period t (0-based) of each."""

    production: np.ndarray  # index into sets.production
    period: np.ndarray
    spare: np.ndarray  # index into sets.spare (the y column)


def spare_row_entries(case: Case, sets: LeanSets, H: int) -> SpareRows:
    """One row per produced entry with a spare option and period after its ramp-up."""
    spare_index = {k: i for i, k in enumerate(sets.spare)}
    entries = [(p, spare_index[k]) for p, k in enumerate(sets.production) if k in spare_index]
    ramp = np.array([case.production[sets.production[p]].ramp_periods for p, _ in entries],
                    dtype=np.int64)
    after = np.arange(H)[None, :] >= ramp[:, None]  # period t+1 > ramp
    which, period = np.nonzero(after)
    production = np.array([p for p, _ in entries], dtype=np.int64)
    spare = np.array([s for _, s in entries], dtype=np.int64)
    return SpareRows(production[which], period, spare[which])


@dataclass
class Block:
    """One scenario's matrix entries in local indices, and its row counts."""

    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    num_rows: int
    draw_row0: int
    balance_row0: int


def scenario_block(case: Case, sets: LeanSets, H: int, offset: dict,
                   spare_rows: SpareRows) -> Block:
    """Entries of one scenario that do not touch stage one (the same in every scenario):
    q in the spare rows, w in the drawdown rows, every flow in the balance rows."""
    t = np.arange(H)
    node = {k: i for i, k in enumerate(sets.nodes)}
    part = Triplets()
    # Spare-capacity rows: q[p, t].
    part.add(np.arange(len(spare_rows.period)),
             offset["q"] + spare_rows.production * H + spare_rows.period, 1.0)
    # Drawdown rows: Σ_t w[k, t] (−x is added with stage one).
    draw0 = len(spare_rows.period)
    k = np.arange(len(sets.draws))[:, None]
    part.add(draw0 + k, offset["w"] + k * H + t, 1.0)
    # Balance rows: row of node i in period t is balance0 + i·H + t.
    balance0 = draw0 + len(sets.draws)

    def balance(at_nodes, family, sign, shift=None):
        e = np.arange(len(at_nodes))[:, None]
        rows = balance0 + np.asarray(at_nodes, np.int64)[:, None] * H + t
        cols = offset[family] + e * H + t
        if shift is None:
            part.add(rows, cols, sign)
            return
        arrive = t + np.asarray(shift, np.int64)[:, None]  # landing period
        landed = arrive < H  # shipments landing after H deliver nothing
        rows = balance0 + np.asarray(at_nodes, np.int64)[:, None] * H + arrive
        part.add(rows[landed], cols[np.broadcast_to(landed, cols.shape)], sign)

    balance([node[k] for k in sets.production], "q", 1.0)
    balance([node[(d, g)] for _, d, g in sets.routes], "v", 1.0)
    balance([node[k] for k in sets.draws], "w", 1.0)
    balance([node[k] for k in sets.shorts], "z", 1.0)
    balance([node[(a, g)] for a, _, g in sets.links], "s", -1.0)
    balance([node[(b, g)] for _, b, g in sets.links], "s", 1.0,
            shift=[case.sharing[link].lead_periods for link in sets.links])
    rows, cols, vals = part.arrays()
    return Block(rows, cols, vals, balance0 + len(sets.nodes) * H, draw0, balance0)


def tile_scenarios(block: Block, triplets: Triplets, r1: int, n1: int, width: int,
                   count: int) -> None:
    """Copy the scenario block onto the diagonal, once per scenario."""
    omega = np.arange(count, dtype=np.int64)[:, None]
    triplets.add(r1 + omega * block.num_rows + block.rows, n1 + omega * width + block.cols,
                 np.broadcast_to(block.vals, (count, len(block.vals))))


def stage_one_in_scenarios(sets: LeanSets, factors, spare_rows: SpareRows, block: Block,
                           triplets: Triplets, r1: int, count: int) -> None:
    """−b·y in the spare rows and −x in the drawdown rows of every scenario."""
    K = len(sets.stocks)
    omega = np.arange(count, dtype=np.int64)[:, None]
    base = r1 + omega * block.num_rows
    b = factors["b"][:, spare_rows.production, spare_rows.period]  # (Ω, rows)
    triplets.add(base + np.arange(len(spare_rows.period)), 2 * K + spare_rows.spare, -b)
    stock_index = {k: i for i, k in enumerate(sets.stocks)}
    x = np.array([stock_index[k] for k in sets.draws], dtype=np.int64)
    triplets.add(base + block.draw_row0 + np.arange(len(x)), x, -1.0)


def scenario_bounds(case: Case, sets: LeanSets, factors, spare_rows: SpareRows, block: Block,
                    pi, H, n1, width, offset, cost, col_upper, row_lower, row_upper,
                    spare_bound: str = "row") -> None:
    """Costs π·unit_cost, upper bounds (factor × limit) and right-hand sides per scenario.

    `spare_bound` is how q is bounded once reserved spare capacity can run: "row" (no
    bound, the spare-capacity row alone; the product since commit 3422172) or "bound"
    (the redundant bound b·(capacity + spare_max), the product before it)."""
    count = len(pi)
    spare = set(sets.spare)
    production = [case.production[k] for k in sets.production]
    capacity = np.array([p.capacity for p in production]).reshape(-1, 1)
    ramp = np.array([p.ramp_periods for p in production]).reshape(-1, 1)
    running = ((np.arange(1, H + 1) > ramp)
               & np.array([k in spare for k in sets.production]).reshape(-1, 1))
    if spare_bound == "bound":  # redundant bound b·(capacity + spare_max) after the ramp
        spare_max = np.array([p.spare_max for p in production]).reshape(-1, 1)
        produce_upper = factors["b"] * (capacity + np.where(running, spare_max, 0.0))
    else:  # after the ramp only the row q − b·y ≤ b·capacity limits q
        produce_upper = np.where(running, INF, factors["b"] * capacity)
    volume = np.array([case.imports[r].volume for r in sets.routes]).reshape(-1, 1)
    link_cap = np.array([INF if case.sharing[k].capacity is None else case.sharing[k].capacity
                         for k in sets.links]).reshape(-1, 1)
    node = {k: i for i, k in enumerate(sets.nodes)}
    short_nodes = np.array([node[k] for k in sets.shorts], dtype=np.int64)
    demand = np.array([case.demand[k].demand for k in sets.shorts]).reshape(-1, 1)

    upper = {
        "q": produce_upper,
        "v": factors["a"] * volume,
        "w": np.full((count, len(sets.draws), H), INF),
        "s": np.broadcast_to(link_cap, (count, len(sets.links), H)),
        "z": factors["m"][:, short_nodes, :] * demand,
    }
    unit = {
        "q": [p.unit_cost for p in production],
        "v": [case.imports[r].unit_cost for r in sets.routes],
        "w": [0.0] * len(sets.draws),
        "s": [case.sharing[k].unit_cost for k in sets.links],
        "z": [case.demand[k].shortage_penalty for k in sets.shorts],
    }
    blocks = slice(n1, n1 + count * width)
    block_upper = np.empty((count, width))
    block_cost = np.empty((count, width))
    for family, limit in upper.items():
        cols = slice(offset[family], offset[family] + limit.shape[1] * H)
        block_upper[:, cols] = limit.reshape(count, -1)
        per_entry = np.repeat(np.asarray(unit[family], float), H)
        block_cost[:, cols] = pi[:, None] * per_entry[None, :]
    col_upper[blocks] = block_upper.ravel()
    cost[blocks] = block_cost.ravel()

    # Rows: spare q − b·y ≤ b·capacity; drawdown ≤ 0; balance = D·m.
    node_demand = np.array([case.demand[k].demand if k in case.demand
                            and case.demand[k].demand > 0 else 0.0 for k in sets.nodes])
    spare_rhs = (factors["b"][:, spare_rows.production, spare_rows.period]
                 * capacity[spare_rows.production, 0])
    balance_rhs = (node_demand[:, None] * factors["m"]).reshape(count, -1)
    lower = np.concatenate([np.full_like(spare_rhs, -INF),
                            np.full((count, len(sets.draws)), -INF), balance_rhs], axis=1)
    upper_rows = np.concatenate([spare_rhs, np.zeros((count, len(sets.draws))), balance_rhs],
                                axis=1)
    row_lower.append(lower.ravel())
    row_upper.append(upper_rows.ravel())


def drop_empty_columns(lp: Lp) -> Lp:
    """Drop columns without a matrix entry or a cost, as Pyomo's compiler does."""
    used = (np.diff(lp.matrix.indptr) > 0) | (lp.cost != 0.0)
    if used.all():
        lp.layout["kept"] = None
        return lp
    lp.layout["kept"] = used
    return Lp(lp.cost[used], lp.col_lower[used], lp.col_upper[used], lp.row_lower,
              lp.row_upper, lp.matrix[:, used], lp.layout)


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
    values = np.asarray(highs.getSolution().col_value, dtype=float)
    if lp.layout["kept"] is not None:  # put dropped columns back as zeros
        full = np.zeros(len(lp.layout["kept"]))
        full[lp.layout["kept"]] = values
        values = full
    layout = lp.layout
    K, S, H = layout["K"], layout["S"], layout["H"]
    blocks = values[layout["n1"]:].reshape(layout["scenarios"], layout["width"])
    z0 = layout["offset"]["z"]
    short = blocks[:, z0:z0 + len(sets.shorts) * H].reshape(layout["scenarios"], -1, H)
    expected_short = layout["pi"] @ short.sum(axis=2)
    return {"stock": values[:K], "spare": values[2 * K:2 * K + S],
            "expected_shortfall": expected_short}


# ------------------------------------------------------------------------------- driver

def solve_direct(path: str | Path, spare_bound: str = "row") -> dict:
    """Read + validate with the product, then build, pass, solve and extract directly."""
    timings = Timings()
    case, _ = load_case(path, timings)
    with timings.phase("build"):
        sets = lean_sets(case)
        lp = build_lp(case, sets, spare_bound)
    with timings.phase("handover"):
        highs, source = new_highs()
        pass_lp(highs, lp)
    with timings.phase("solve"):
        highs.run()
    with timings.phase("extract"):
        info = highs.getInfo()
        plan = extract(highs, lp, sets)
    status = highs.getModelStatus()
    return {
        "case": case.name,
        "status": highs.modelStatusToString(status),
        "objective": info.objective_function_value,
        "stage_one": {"stock_total": float(plan["stock"].sum()),
                      "spare_total": float(plan["spare"].sum())},
        "timings_s": {k: round(v, 6) for k, v in timings.seconds.items()},
        "solver": {"name": "HiGHS", "version": highs.version(),
                   "status": highs.modelStatusToString(status),
                   "run_time_s": highs.getRunTime(), "columns": len(lp.cost),
                   "rows": len(lp.row_lower), "nonzeros": int(lp.matrix.nnz),
                   "options_from": source, "options": options_of(highs)},
        "spare_bound": spare_bound,
        "families": {name: count * lp.layout["H"] * lp.layout["scenarios"]
                     for name, count in lp.layout["sizes"].items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="solve a case with the direct-HiGHS "
                                                 "yardstick")
    parser.add_argument("case", type=Path)
    parser.add_argument("--json", type=Path, help="write the result here")
    parser.add_argument("--spare-bound", choices=SPARE_BOUNDS, default=SPARE_BOUNDS[0],
                        help="bound on production once spare capacity runs: 'row' (none, "
                             "the row alone; default) or 'bound' (b·(capacity + spare_max))")
    args = parser.parse_args(argv)
    result = solve_direct(args.case, args.spare_bound)
    text = json.dumps(result, indent=2, default=float)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0 if result["status"] == "Optimal" else 3


if __name__ == "__main__":
    sys.exit(main())
