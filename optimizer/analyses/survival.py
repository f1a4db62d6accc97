"""Survival times (Simchi-Levi et al., "From superstorms to factory fires", HBR 2014, and
"Identifying risks and mitigating disruptions in the automotive supply chain",
Interfaces 2015): how long the alliance can meet demand after one supplier, or one
ally's production of one good, stops completely; and which knockout costs the most.

A *knockout* κ is one Disruptions row of factor 0 from period 1 to H: a supplier (a
non-ally country that is the origin of an Imports route) with every route out of it
cut (``export_cut``, partner and good ``*``), or an ally's production of one good (with
a recipe, a stage of the chain) lost (``capacity_loss``; its spare capacity with it).
No probability is needed: each knockout is looked at on its own, as a one-scenario
case whose onset is period 1, so the emergency instruments act from period 1 plus
their lags.

Two stage ones are tested, each fixed (neither is chosen again for the knockout):

- *with the plan*: the stock levels x* and spare capacity y* of the case's optimal plan;
- *without the plan*: no new insurance, as the value of the plan
  (`optimizer.analyses.extras`) has it: stock at its initial level clipped to
  [min, max] (`no_new_stock`), no spare capacity.

Write Z_κ(S, T) = min Σ_{(n,g)∈S} Σ_{t≤T} z[n,g,t] over every stage-two response the
model allows to κ with the stage one fixed (production, imports from the other
suppliers, stock drawn, spare capacity run, shipments between allies, any other
ally's or good's shortfall). Z grows with T, so each set below is an interval 0..TTS:

- **time to survive** of ally a and good g: TTS_κ(a,g) = max{T ∈ 0..H : Z_κ({(a,g)},
  T) = 0}, the periods from the knockout in which a's demand for g can be met in
  full when the alliance gives it priority (everything else may go short);
- **network time to survive**: max{T : Z_κ(D, T) = 0}, D every ally and good with
  demand: the periods in which all demand is met in full, Simchi-Levi's TTS (the
  longest time the network can match demand after the node's disruption). It is at
  most every ally's and good's own TTS.

TTS = H means the demand is met through the whole horizon ("at least H").

Why not read the first short period off the least-cost response: with constant
shortage penalties the LP is indifferent to *when* a unit goes short (stock can be
drawn in any period), so that period is arbitrary. Here each Z is its own LP: the
solved HiGHS instance of the knockout with every cost set to 0 but 1 on the
shortfall columns of S in periods 1..T; T is found by bisection (about log2 H
solves), every solution seen raising the lower bound of each (ally, good) to the
periods it meets (any feasible response proves those). Each knockout re-solves the
built LP (the knockout is a Disruptions row, a mutable input: `CaseSolver` only sends
the changed numbers, and HiGHS warm-starts); the stage one is fixed in the case itself
(stock min = max = the level, spare capacity at most the level at no cost: more spare
capacity only widens what production may do, so this is the fixed-plan LP), with
budgets lifted, as the plan is given, not chosen.

The **shortage cost** of a knockout is Σ penalty · z over the horizon (per horizon, not
scaled by k: the knockout is a what-if, not a yearly expectation) in the least-cost
response to it, C_κ = the scenario's whole cost over the horizon beside it. Knockouts
are ranked by shortage cost, then by C_κ, the largest first, with and without the plan;
knockouts with equal costs (to `TIE`, relative) share a rank.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cmp_to_key
from pathlib import Path

import numpy as np
import pandas as pd

from models.data import ANY, Case, Disruption, Scenario
from models.index_sets import ModelData
from optimizer.analyses.extras import lp_columns, no_new_stock
from optimizer.engine import CaseSolver
from optimizer.errors import SolverError
from optimizer.report.summary import write_summary
from optimizer.report.survival_workbook import write_survival_workbook
from optimizer.results.tables import NOISE, Results, quantity_scale
from optimizer.solver import SolverOptions, SolverOutcome, run
from optimizer.timings import Timings

SUPPLIER, PRODUCTION = "supplier", "production"
KNOCKOUT = "knockout"
"""The one scenario of a knockout case."""
WITH_PLAN, WITHOUT_PLAN = "with_plan", "without_plan"

Node = tuple[str, str]


@dataclass(frozen=True)
class Knockout:
    kind: str
    """`SUPPLIER` (every export of a non-ally country) or `PRODUCTION` (an ally's
    production of a good)."""
    country: str
    good: str | None = None

    @property
    def label(self) -> str:
        if self.kind == SUPPLIER:
            return f"{self.country}: every export"
        return f"{self.country}: {self.good} production"

    def disruption(self, periods: int) -> Disruption:
        if self.kind == SUPPLIER:
            return Disruption(KNOCKOUT, "export_cut", self.country, ANY, ANY, 1, periods, 0.0)
        return Disruption(KNOCKOUT, "capacity_loss", self.country, ANY, self.good, 1,
                          periods, 0.0)


def knockouts(data: ModelData) -> list[Knockout]:
    """Every supplier with a route that reaches demand (in the Countries sheet's order),
    then every ally's production entry that reaches demand."""
    case = data.case
    origins = {o for o, _, _ in data.routes}
    return ([Knockout(SUPPLIER, c) for c, country in case.countries.items()
             if not country.is_ally and c in origins]
            + [Knockout(PRODUCTION, n, g) for n, g in data.production])


@dataclass
class StageOne:
    """A fixed stage one: stock level per stockpile, spare capacity per spare option and
    extra volume per reserved supply contract (units per period; an option absent is
    0)."""

    stock: dict[Node, float]
    spare: dict[Node, float]
    extra: dict[tuple[str, str, str], float] = field(default_factory=dict)


def plan_stage_one(results: Results) -> StageOne:
    """The levels of a solved plan (noise already shown as zero)."""
    stock, spare = results.stockpiles, results.spare_capacity
    return StageOne(
        {(r.country, r.good): float(r.level) for r in stock.itertuples(index=False)},
        {(r.country, r.good): float(r.reserved) for r in spare.itertuples(index=False)},
        {(r.origin, r.destination, r.good): float(r.reserved_extra)
         for r in results.contracts.itertuples(index=False)})


def no_new_insurance(case: Case) -> StageOne:
    """Stock at its initial level clipped to [min, max], no spare capacity, no supply
    contracts."""
    return StageOne({k: no_new_stock(s) for k, s in case.stockpiles.items()}, {})


def fixed_stage_one_case(case: Case, stage: StageOne) -> Case:
    """The case with `stage` fixed: each stockpile's initial, min and max at its level;
    a spare option at most its level at no cost (none if the level is 0), and so a
    supply contract (`models.contracts`: its extra volume usable, at no cost); no budgets;
    objective ``expected`` (a knockout is one scenario of probability 1, whose CVaR and
    worst case are its cost). Its scenarios are set per knockout (`knockout_case`)."""
    stockpiles = {k: dataclasses.replace(s, initial=stage.stock[k], min=stage.stock[k],
                                         max=stage.stock[k])
                  for k, s in case.stockpiles.items()}
    production = {}
    for k, p in case.production.items():
        level = stage.spare.get(k, 0.0) if p.has_spare_option else 0.0
        production[k] = (dataclasses.replace(p, spare_cost=0.0, spare_max=level) if level > 0
                         else dataclasses.replace(p, spare_cost=None, spare_max=0.0))
    imports = {}
    for k, r in case.imports.items():
        level = stage.extra.get(k, 0.0) if r.has_extra_option else 0.0
        imports[k] = (dataclasses.replace(r, extra_cost=0.0, extra_max=level) if level > 0
                      else dataclasses.replace(r, extra_cost=None, extra_max=0.0))
    countries = {k: dataclasses.replace(c, budget=None) for k, c in case.countries.items()}
    return dataclasses.replace(case, settings=dataclasses.replace(
        case.settings, objective="expected"), countries=countries, stockpiles=stockpiles,
        production=production, imports=imports, scenarios={}, disruptions=[])


def knockout_case(fixed: Case, knockout: Knockout) -> Case:
    """`fixed` facing `knockout` alone (probability 1): only mutable inputs differ from
    one knockout to the next, so the built LP is re-solved."""
    return dataclasses.replace(
        fixed, scenarios={KNOCKOUT: Scenario(1.0, knockout.label)},
        disruptions=[knockout.disruption(fixed.settings.periods)])


@dataclass
class KnockoutFigures:
    """One knockout under one stage one."""

    shortage_cost: float
    """Σ penalty · z over the horizon in the least-cost response (currency)."""
    scenario_cost: float
    """C_κ, the knockout's whole cost over the horizon (currency)."""
    network_time_to_survive: int
    time_to_survive: dict[Node, int]
    short: dict[Node, float]
    """Units short over the horizon in the least-cost response."""


@dataclass
class Survival:
    case: Case
    objective: float
    """The case's own optimal objective (the plan tested)."""
    stage_ones: dict[str, StageOne]
    knockouts: list[Knockout]
    figures: dict[tuple[str, Knockout], KnockoutFigures]
    demand: dict[Node, float]
    solves: int
    seconds: float

    def ranking(self) -> pd.DataFrame:
        """One row per knockout, the costliest with the plan first."""
        rows = []
        for k in self.knockouts:
            w, wo = self.figures[WITH_PLAN, k], self.figures[WITHOUT_PLAN, k]
            rows.append({
                "knockout": k.label, "kind": k.kind, "country": k.country, "good": k.good,
                "shortage_cost_with_plan": w.shortage_cost,
                "shortage_cost_without_plan": wo.shortage_cost,
                "scenario_cost_with_plan": w.scenario_cost,
                "scenario_cost_without_plan": wo.scenario_cost,
                "network_tts_with_plan": w.network_time_to_survive,
                "network_tts_without_plan": wo.network_time_to_survive})
        table = pd.DataFrame(rows, columns=RANKING_COLUMNS[:-2])
        for stage in (WITH_PLAN, WITHOUT_PLAN):
            table[f"rank_{stage}"] = ranks(table[f"shortage_cost_{stage}"].tolist(),
                                           table[f"scenario_cost_{stage}"].tolist())
        return table.sort_values("rank_with_plan", kind="stable").reset_index(drop=True)

    def times(self) -> pd.DataFrame:
        """One row per knockout, ally and good with demand."""
        goods = self.case.goods
        rows = []
        for k in self.knockouts:
            w, wo = self.figures[WITH_PLAN, k], self.figures[WITHOUT_PLAN, k]
            for node, demand in self.demand.items():
                rows.append({
                    "knockout": k.label, "ally": node[0], "good": node[1],
                    "unit": goods[node[1]].unit, "demand": demand,
                    "tts_with_plan": w.time_to_survive[node],
                    "tts_without_plan": wo.time_to_survive[node],
                    "tts_gain": w.time_to_survive[node] - wo.time_to_survive[node],
                    "short_with_plan": w.short[node], "short_without_plan": wo.short[node]})
        return pd.DataFrame(rows, columns=TIMES_COLUMNS)

    def stage_one_table(self) -> pd.DataFrame:
        """The two stage ones side by side."""
        goods = self.case.goods
        plan, none = self.stage_ones[WITH_PLAN], self.stage_ones[WITHOUT_PLAN]
        rows = [("stock", *k, goods[k[1]].unit, level, none.stock[k])
                for k, level in plan.stock.items()]
        rows += [("spare capacity", *k, f"{goods[k[1]].unit}/period", level,
                  none.spare.get(k, 0.0)) for k, level in plan.spare.items()]
        return pd.DataFrame(rows, columns=["kind", "country", "good", "unit", "with_plan",
                                           "without_plan"])

    def document(self, tool_version: str = "") -> dict:
        """The JSON document: the run, the definitions, and every knockout with its
        figures (costs per horizon in the case's currency, times in periods)."""
        settings = self.case.settings
        ranking = self.ranking().set_index("knockout")
        goods = self.case.goods
        entries = []
        for k in self.knockouts:
            entry = {"knockout": k.label, "kind": k.kind, "country": k.country,
                     "good": k.good}
            for stage in (WITH_PLAN, WITHOUT_PLAN):
                f = self.figures[stage, k]
                entry[stage] = {
                    "rank": int(ranking.at[k.label, f"rank_{stage}"]),
                    "shortage_cost": f.shortage_cost, "scenario_cost": f.scenario_cost,
                    "network_time_to_survive": f.network_time_to_survive,
                    "network_survives_horizon": f.network_time_to_survive == settings.periods}
            entry["allies"] = [{
                "country": n, "good": g, "unit": goods[g].unit, "demand": demand,
                **{f"time_to_survive_{s}": self.figures[s, k].time_to_survive[n, g]
                   for s in (WITH_PLAN, WITHOUT_PLAN)},
                **{f"short_{s}": self.figures[s, k].short[n, g]
                   for s in (WITH_PLAN, WITHOUT_PLAN)}}
                for (n, g), demand in self.demand.items()]
            entries.append(entry)
        return {"case": self.case.name, "status": "optimal", "tool_version": tool_version,
                "periods": settings.periods, "period_unit": settings.period_unit,
                "currency": settings.currency, "objective": self.objective,
                "definitions": DEFINITIONS, "solves": self.solves,
                "seconds": round(self.seconds, 3), "knockouts": entries}


TIE = 1e-9
"""Costs this close (relative) are equal in the ranking: solver noise breaks no tie."""


def ranks(shortage: list[float], whole: list[float]) -> list[int]:
    """Competition ranks (1, 2, 2, 4) by shortage cost, then whole cost, the largest
    first; equal costs (within `TIE`) share a rank."""
    def compare(i: int, j: int) -> int:
        for a, b in ((shortage[i], shortage[j]), (whole[i], whole[j])):
            if abs(a - b) > TIE * max(abs(a), abs(b), 1.0):
                return -1 if a > b else 1
        return 0

    order = sorted(range(len(shortage)), key=cmp_to_key(compare))
    rank = [0] * len(order)
    for position, i in enumerate(order):
        tied = position and compare(order[position - 1], i) == 0
        rank[i] = rank[order[position - 1]] if tied else position + 1
    return rank


RANKING_COLUMNS = ["knockout", "kind", "country", "good", "shortage_cost_with_plan",
                   "shortage_cost_without_plan", "scenario_cost_with_plan",
                   "scenario_cost_without_plan", "network_tts_with_plan",
                   "network_tts_without_plan", "rank_with_plan", "rank_without_plan"]
TIMES_COLUMNS = ["knockout", "ally", "good", "unit", "demand", "tts_with_plan",
                 "tts_without_plan", "tts_gain", "short_with_plan", "short_without_plan"]
DEFINITIONS = {
    "knockout": "a supplier's every export, or an ally's production of a good, at 0 from "
                "period 1 to the end of the horizon",
    "with_plan": "the stock and spare capacity of the case's optimal plan, fixed",
    "without_plan": "no new insurance: stock at its initial level clipped to [min, max], "
                    "no spare capacity",
    "time_to_survive": "periods from the knockout in which the ally's demand for the good "
                       "can be met in full, the alliance giving it priority: the largest T "
                       "with no shortfall of it in periods 1..T (the horizon's length: "
                       "met throughout)",
    "network_time_to_survive": "periods from the knockout in which every ally's demand "
                               "for every good can be met in full (Simchi-Levi's time to "
                               "survive); at most each ally's and good's own",
    "shortage_cost": "penalty-priced shortfall over the horizon in the least-cost response "
                     "to the knockout (currency per horizon, not scaled to a year)",
    "scenario_cost": "the knockout's whole cost over the horizon in that response "
                     "(currency per horizon)",
    "rank": "by shortage cost, then scenario cost, the largest first; equal costs share "
            "a rank",
}

Progress = Callable[[int, int], None]
"""Called with (knockouts done, knockouts in all) after each knockout and stage one."""


def survival_times(case: Case, options: SolverOptions | None = None,
                   formulation: str = "replicated",
                   progress: Progress | None = None) -> Survival:
    """Solve `case` for its plan, then every knockout with and without it."""
    started = time.perf_counter()
    base = CaseSolver(options, formulation).solve(case, Timings())
    _require_optimal(base.outcome, "the case itself")
    found = knockouts(base.data)
    stage_ones = {WITH_PLAN: plan_stage_one(base.results),
                  WITHOUT_PLAN: no_new_insurance(case)}
    figures: dict[tuple[str, Knockout], KnockoutFigures] = {}
    solves = 1
    total = 2 * len(found)
    for stage, levels in stage_ones.items():
        solver = CaseSolver(options, formulation)
        fixed = fixed_stage_one_case(case, levels)
        for knockout in found:
            result, count = _knockout_figures(solver, knockout_case(fixed, knockout),
                                              knockout)
            figures[stage, knockout] = result
            solves += count
            if progress:
                progress(len(figures), total)
    return Survival(case, float(base.outcome.objective), stage_ones, found, figures,
                    dict(base.data.demand), solves, time.perf_counter() - started)


def _require_optimal(outcome: SolverOutcome, what: str) -> None:
    if not outcome.is_optimal:
        raise SolverError(f"HiGHS ended with status '{outcome.model_status}' on {what}: "
                          "no survival times were written")


def _knockout_figures(solver: CaseSolver, case: Case,
                      knockout: Knockout) -> tuple[KnockoutFigures, int]:
    """The least-cost response to the knockout, then its times to survive; and how many
    LPs that took."""
    solved = solver.solve(case, Timings(), tables=False)
    _require_optimal(solved.outcome, f"the knockout '{knockout.label}'")
    data = solved.data
    probe = _Probe(solver, data, knockout)
    short = probe.shortfall(solved.outcome.column_values)
    costs = solved.plan.scenario_costs
    network, times = probe.times_to_survive(solved.outcome.column_values)
    figures = KnockoutFigures(
        shortage_cost=float(costs["shortage_cost"][0]), scenario_cost=float(costs["cost"][0]),
        network_time_to_survive=network, time_to_survive=times, short=short)
    return figures, 1 + probe.solves


class _Probe:
    """The min-shortfall LPs Z(S, T) on the solved HiGHS instance of one knockout."""

    def __init__(self, solver: CaseSolver, data: ModelData, knockout: Knockout):
        self.highs, self.compiled = solver.highs, solver.compiled
        self.knockout = knockout
        self.periods = len(data.periods)
        self.tolerance = NOISE * quantity_scale(data)
        columns = lp_columns(solver.lp, data)
        by_node: dict[Node, list[tuple[int, int]]] = {node: [] for node in data.demand}
        for col in np.flatnonzero(columns.name == "short"):
            n, g, t = columns.index[col]
            by_node[n, g].append((t, int(col)))
        self.columns = {node: sorted(found) for node, found in by_node.items()}
        """(ally, good) → [(period, column)] of its shortfall, by period."""
        self.best: dict[Node, int] = {}
        """(ally, good) → the most periods from period 1 any solution seen meets."""
        self.solves = 0

    def shortfall(self, values: np.ndarray) -> dict[Node, float]:
        return {node: float(sum(v for v in (values[c] for _, c in cols)
                                if v > self.tolerance))
                for node, cols in self.columns.items()}

    def reach(self, values: np.ndarray, node: Node) -> int:
        """Periods from period 1 in which `values` leave `node` with no shortfall."""
        for t, col in self.columns[node]:
            if values[col] > self.tolerance:
                return t - 1
        return self.periods

    def times_to_survive(self, least_cost: np.ndarray) -> tuple[int, dict[Node, int]]:
        """The network's and each (ally, good)'s time to survive (module docstring)."""
        nodes = list(self.columns)
        self.best = {node: self.reach(least_cost, node) for node in nodes}
        with self._shortfall_objective():
            network = self._longest(nodes, min(self.best.values(), default=self.periods))
            times = {node: self._longest([node], max(self.best[node], network))
                     for node in nodes}
        return network, times

    def _longest(self, nodes: list[Node], low: int) -> int:
        """The largest T ≤ H with Z(nodes, T) = 0, given that it holds at `low`."""
        high = self.periods
        while low < high:
            middle = (low + high + 1) // 2
            values = self._minimise(nodes, middle)
            for node in self.best:
                self.best[node] = max(self.best[node], self.reach(values, node))
            # a set's periods met must come from one solution; a single node's from any
            reached = (self.best[nodes[0]] if len(nodes) == 1
                       else min(self.reach(values, node) for node in nodes))
            if reached >= middle:
                low = reached
            else:
                low, high = max(low, reached), middle - 1
        return low

    def _minimise(self, nodes: list[Node], periods: int) -> np.ndarray:
        """Solve Z(nodes, periods): cost 1 on their shortfall in periods 1..`periods`."""
        cols = np.array([c for node in nodes for t, c in self.columns[node] if t <= periods],
                        dtype=np.int32)
        self.highs.changeColsCost(cols.size, cols, np.ones(cols.size))
        try:
            outcome = run(self.highs, self.compiled)
        finally:
            self.highs.changeColsCost(cols.size, cols, np.zeros(cols.size))
        self.solves += 1
        _require_optimal(outcome, f"a time-to-survive LP of the knockout "
                                  f"'{self.knockout.label}'")
        return outcome.column_values

    @contextmanager
    def _shortfall_objective(self):
        """Every cost 0 meanwhile; the case's own costs restored after, so that the
        instance holds the LP `CaseSolver` built again."""
        count = self.compiled.num_columns
        every = np.arange(count, dtype=np.int32)
        self.highs.changeColsCost(count, every, np.zeros(count))
        try:
            yield
        finally:
            self.highs.changeColsCost(count, every, self.compiled.cost)


def write_survival(survival: Survival, report: Path, summary: Path | None,
                   tool_version: str = "") -> list[Path]:
    """The workbook and, if asked, the JSON document, each written atomically."""
    settings = survival.case.settings
    written = [write_survival_workbook(
        report, survival.case, survival.ranking(), survival.times(),
        survival.stage_one_table(), DEFINITIONS,
        run={"objective": survival.objective, "solves": survival.solves,
             "seconds": survival.seconds, "tool_version": tool_version,
             "periods": settings.periods})]
    if summary is not None:
        written.append(write_summary(summary, survival.document(tool_version)))
    return written
