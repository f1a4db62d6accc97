"""The extra solves of a run, made on the LP that `CaseSolver` built and solved:

==========================  =================================================================
figure                      how it is solved
==========================  =================================================================
value of the plan           stage one fixed at "no new insurance" (stock at its initial
                            level clipped to [min, max], spare capacity and reserved
                            supply contracts 0) by changing the
                            stage-one column bounds in the solved HiGHS instance; re-run
                            (HiGHS warm-starts from the optimal basis); bounds restored
price of fairness           the burden-sharing rows lifted, the fairness term's cost 0
                            (`optimizer.analyses.fairness`); re-run; restored
value of cooperation        every shipment column's upper bound set to 0; re-run; restored
VSS                         the expected-value problem (one scenario block whose every
                            mutable parameter is the π-average of the scenarios', built by
                            `models.scenario_model.build_scenario_model`), solved alone;
                            its stage one fixed in the full LP and re-run (EEV); VSS =
                            EEV − here-and-now objective
EVPI                        each scenario alone (stage one and that scenario's block, cut
                            out of the compiled full LP, its costs divided by π_ω): one
                            HiGHS instance updated from scenario to scenario, so each
                            warm-starts from the last; EVPI = here-and-now − Σ π_ω WS_ω
==========================  =================================================================

While stage one is fixed, the stage-one rows (budgets) are lifted: the plan being
evaluated is given, not chosen, so a budget cannot make it infeasible.

Under objective cvar or worst_case (`models.risk`) each figure is measured by the case's
own objective, and η (VaR) and θ (the worst cost) are not insurance: they stay free
when stage one is fixed, so the re-solve finds the measure of the fixed plan. The value
of the plan, of cooperation (its total) and the VSS are then well defined; the
per-ally split of cooperation is not (a CVaR or maximum of the alliance's cost is no
sum of allies' costs) and EVPI is defined for the expected objective: both are left
out, with a warning. One more re-solve finds the plan that minimises the expected cost
(the objective's costs replaced by those of F + k·Σ π C), for the Risk sheet.

Costs per ally (cooperation) are the objective's column contributions c_j·x_j
attributed to the ally that holds the column: stock, spare, production, drawdown and
shortfall to their holder, imports to the importer, shipments to the receiver.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from models.data import Stockpile
from models.index_sets import ModelData
from models.parameters import scenario_parameter_values
from models.scenario_model import SCENARIO_BLOCK, build_scenario_model
from optimizer.analyses.fairness import price_of_fairness
from optimizer.engine import CaseSolver, SolvedCase
from optimizer.lp.plan import PlanValues
from optimizer.lp.replicated import ReplicatedLP
from optimizer.results.concentration import concentration_table
from optimizer.results.extras import (
    CooperationValue,
    Evpi,
    Extras,
    ExtraSolve,
    PlanValue,
    Vss,
)
from optimizer.results.fairness import merge_prices
from optimizer.results.risk import PlanMeasures, measure_in_words, plan_measures
from optimizer.results.tables import NOISE, quantity_scale
from optimizer.solver import CompiledModel, SolverOutcome, new_highs, pass_model, run

SCENARIO_PARAMETERS = ("production_factor", "import_factor", "demand_factor", "spare_open",
                       "draw_limit", "ship_limit", "origin_cap_open")
"""The block parameters that differ between scenarios (`models.parameters`)."""

ALLY_POSITION = {"stock": 0, "spare": 0, "produce": 0, "draw": 0, "short": 0,
                 "restrain": 0, "tier_short": 0, "imported": 1, "ship": 1, "extra": 1}
"""Where the ally a column's cost is attributed to sits in its index."""


@dataclass
class LPColumns:
    """What each column and row of the full LP is: component name and index of each
    column, and the scenario (position in `data.scenarios`, −1 for stage one) of each
    column and row."""

    name: np.ndarray
    index: list[tuple]
    scenario: np.ndarray
    row_scenario: np.ndarray

    def ally(self) -> np.ndarray:
        return np.array([index[ALLY_POSITION[name]] if name in ALLY_POSITION else None
                         for name, index in zip(self.name, self.index, strict=True)],
                        dtype=object)


def _index(var) -> tuple:
    index = var.index()
    return index if isinstance(index, tuple) else (index,)


def no_new_stock(entry: Stockpile) -> float:
    """A stockpile's level with no new insurance: its initial stock, clipped to its
    [min, max] (a floor above the initial stock is met, storage caps it)."""
    upper = math.inf if entry.max is None else entry.max
    return min(max(entry.initial, entry.min), upper)


def lp_columns(lp, data: ModelData) -> LPColumns:
    """Columns and rows of either formulation's full LP."""
    if isinstance(lp, ReplicatedLP):
        count = len(data.scenarios)
        stage = [(v.parent_component().local_name, _index(v)) for v in lp.stage_vars]
        block = [(v.parent_component().local_name, _index(v)) for v in lp.block_vars]
        pairs = stage + block * count
        scenario = np.concatenate([np.full(len(stage), -1),
                                   np.repeat(np.arange(count), len(block))])
        row_scenario = np.concatenate([np.full(len(lp.stage_rows), -1),
                                       np.repeat(np.arange(count), len(lp.block_rows))])
    else:  # the reference path: the whole Pyomo model
        blocks = getattr(lp.model, SCENARIO_BLOCK)
        position = {id(blocks[s]): k for k, s in enumerate(data.scenarios)}
        pairs = [(v.parent_component().local_name, _index(v)) for v in lp.columns]
        scenario = np.array([position.get(id(v.parent_block()), -1) for v in lp.columns])
        row_scenario = np.array([position.get(id(con.parent_block()), -1)
                                 for con, _ in lp.rows])
    return LPColumns(np.array([name for name, _ in pairs], dtype=object),
                     [index for _, index in pairs], scenario, row_scenario)


class Resolver:
    """Extra solves on the LP a `CaseSolver` built and solved. Each changes numbers in
    the HiGHS instance, re-runs it (a warm start from the last basis) and restores the
    numbers, so the instance holds the case's own LP again afterwards."""

    def __init__(self, solver: CaseSolver, solved: SolvedCase):
        self.highs, self.compiled, self.lp = solver.highs, solver.compiled, solver.lp
        self.options = solver.options
        self.data = solved.data
        self.base = solved.plan
        self.base_outcome = solved.outcome
        self.columns = lp_columns(self.lp, self.data)
        self.stage = np.flatnonzero(self.columns.scenario < 0)
        self.stage_rows = np.flatnonzero(self.columns.row_scenario < 0)
        self.solves: list[ExtraSolve] = []
        self.warnings: list[str] = []
        self.tolerance = NOISE * quantity_scale(self.data)

    # --- the mechanics ---------------------------------------------------------------

    def _solve(self, name: str, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray,
               lift_stage_rows: bool = False, cost: np.ndarray | None = None
               ) -> SolverOutcome:
        """Re-run with the columns `cols` bounded to [lower, upper], the stage-one rows
        lifted if asked, and the objective's costs replaced by `cost` if given; every
        number is restored afterwards."""
        highs, compiled = self.highs, self.compiled
        cols = np.asarray(cols, dtype=np.int32)
        rows = self.stage_rows.astype(np.int32) if lift_stage_rows else np.array([], np.int32)
        every = np.arange(compiled.num_columns, dtype=np.int32)
        started = time.perf_counter()
        try:
            if cost is not None:
                highs.changeColsCost(every.size, every, np.asarray(cost, dtype=float))
            if cols.size:
                highs.changeColsBounds(cols.size, cols, np.asarray(lower, dtype=float),
                                       np.asarray(upper, dtype=float))
            if rows.size:
                highs.changeRowsBounds(rows.size, rows, np.full(rows.size, -np.inf),
                                       np.full(rows.size, np.inf))
            outcome = run(highs, compiled)
        finally:
            if cost is not None:
                highs.changeColsCost(every.size, every, compiled.cost)
            if cols.size:
                highs.changeColsBounds(cols.size, cols, compiled.col_lower[cols],
                                       compiled.col_upper[cols])
            if rows.size:
                highs.changeRowsBounds(rows.size, rows, compiled.row_lower[rows],
                                       compiled.row_upper[rows])
        self.solves.append(ExtraSolve(name, outcome.status, time.perf_counter() - started,
                                      outcome.objective))
        return outcome

    def _optimal(self, outcome: SolverOutcome, figure: str) -> bool:
        if outcome.is_optimal:
            return True
        self.warnings.append(f"the re-solve for the {figure} ended with HiGHS status "
                             f"'{outcome.model_status}': the {figure} is not reported")
        return False

    def _fix_stage_one(self, levels) -> tuple[np.ndarray, np.ndarray]:
        """Stage-one columns and the values `levels(name, index)` gives them (None: left
        free), clipped to their bounds."""
        cols, values = [], []
        for col in self.stage:
            level = levels(self.columns.name[col], self.columns.index[col])
            if level is None:
                continue
            cols.append(col)
            values.append(min(max(level, self.compiled.col_lower[col]),
                              self.compiled.col_upper[col]))
        return np.array(cols, dtype=np.int64), np.array(values, dtype=float)

    def _shortfall(self, plan: PlanValues) -> pd.DataFrame:
        """Units short over the horizon per scenario, ally and good."""
        short = plan.stage_two["short"]
        values = np.where(np.abs(short.values) < self.tolerance, 0.0, short.values)
        nodes = [index[:2] for index in short.indices]
        frame = pd.DataFrame(values.T, index=pd.MultiIndex.from_tuples(
            nodes, names=["country", "good"]), columns=plan.scenarios)
        frame = frame.groupby(level=[0, 1], sort=False).sum()
        long = frame.stack().rename("units").reset_index()
        long.columns = ["country", "good", "scenario", "units"]
        return long

    # --- the figures -----------------------------------------------------------------

    def value_of_plan(self) -> PlanValue | None:
        case = self.data.case

        def no_new_insurance(name: str, index: tuple) -> float | None:
            if name == "stock":
                return no_new_stock(case.stockpiles[index])
            return 0.0 if name in ("spare", "extra") else None

        cols, values = self._fix_stage_one(no_new_insurance)
        outcome = self._solve("value of the plan: the scenarios with no new insurance",
                              cols, values, values, lift_stage_rows=True)
        if not self._optimal(outcome, "value of the plan"):
            return None
        without = self.lp.plan(outcome)
        units = {g: good.unit for g, good in case.goods.items()}

        def by_good(plan: PlanValues) -> pd.Series:
            frame = self._shortfall(plan)
            return frame.groupby(["scenario", "good"], sort=False)["units"].sum()

        table = pd.concat({"with_plan": by_good(self.base), "without_plan": by_good(without)},
                          axis=1).reset_index()
        table.insert(2, "unit", table["good"].map(units))
        return PlanValue(self.base.objective, without.objective, table,
                         dict(self.data.probability), measure_in_words(case.settings),
                         concentration_table(without, self.data))

    def cooperation(self) -> CooperationValue | None:
        ships = np.flatnonzero(self.columns.name == "ship")
        if ships.size:
            zeros = np.zeros(ships.size)
            outcome = self._solve("value of cooperation: every sharing link removed",
                                  ships, zeros, zeros)
            if not self._optimal(outcome, "value of cooperation"):
                return None
            alone_plan, alone_values = self.lp.plan(outcome), outcome.column_values
        else:
            alone_plan, alone_values = self.base, self.base_outcome.column_values
        ally = self.columns.ally()
        allies = self.data.case.allies
        together = pd.Series(self.compiled.cost * self.base_outcome.column_values).groupby(
            ally).sum()
        alone = pd.Series(self.compiled.cost * alone_values).groupby(ally).sum()
        costs = pd.DataFrame({"country": allies,
                              "cost_together": [float(together.get(a, 0.0)) for a in allies],
                              "cost_alone": [float(alone.get(a, 0.0)) for a in allies]})
        costs["saving"] = costs["cost_alone"] - costs["cost_together"]
        settings = self.data.case.settings
        if settings.objective != "expected":
            costs = costs.iloc[:0]
            self.warnings.append(
                f"objective {settings.objective}: the value of cooperation is not split "
                "by ally (a risk measure of the alliance's cost is no sum of the allies' "
                "costs); its total is reported")
        probability = self.data.probability

        def expected(plan: PlanValues) -> pd.Series:
            frame = self._shortfall(plan)
            frame["units"] *= frame["scenario"].map(probability)
            return frame.groupby(["country", "good"], sort=False)["units"].sum()

        short = pd.concat({"together": expected(self.base), "alone": expected(alone_plan)},
                          axis=1).reset_index()
        short.insert(2, "unit", short["good"].map(
            {g: good.unit for g, good in self.data.case.goods.items()}))
        short["difference"] = short["alone"] - short["together"]
        return CooperationValue(self.base.objective, alone_plan.objective, costs, short,
                                links=len(self.data.links),
                                in_words=measure_in_words(settings))

    def vss(self) -> Vss | None:
        started = time.perf_counter()
        average = average_scenario_plan(self.data, self.options)
        self.solves.append(ExtraSolve("VSS: the average scenario alone", average.status,
                                      time.perf_counter() - started, average.objective))
        if average.status != "optimal":
            self.warnings.append(f"the average-scenario problem ended with status "
                                 f"'{average.status}': the VSS is not reported")
            return None
        cols, values = self._fix_stage_one(
            lambda name, index: average.levels.get((name, index), 0.0)
            if name in ("stock", "spare", "extra") else None)
        outcome = self._solve("VSS: the average-scenario plan on every scenario", cols,
                              values, values, lift_stage_rows=True)
        if not self._optimal(outcome, "VSS"):
            return None
        rows = []
        for name, kind in (("stock", "stock"), ("spare", "spare capacity")):
            for index, level in self.base.stage_one[name].by_index().items():
                rows.append((kind, *index, level, average.levels.get((name, index), 0.0)))
        plans = pd.DataFrame(rows, columns=["kind", "country", "good", "here_and_now_level",
                                            "expected_value_level"])
        return Vss(self.base.objective, float(outcome.objective), float(average.objective),
                   plans)

    def evpi(self) -> Evpi | None:
        """Each scenario alone, stage one free: its own LP cut out of the full one."""
        compiled = self.compiled
        matrix = compiled.csc().tocsr()
        highs, previous = None, None
        rows_out = []
        for k, scenario in enumerate(self.data.scenarios):
            started = time.perf_counter()
            cols = np.concatenate([self.stage, np.flatnonzero(self.columns.scenario == k)])
            rows = np.concatenate([self.stage_rows,
                                   np.flatnonzero(self.columns.row_scenario == k)])
            cost = compiled.cost[cols].copy()
            cost[self.stage.size:] /= self.data.probability[scenario]
            alone = CompiledModel(
                num_columns=cols.size, num_rows=rows.size, cost=cost, offset=compiled.offset,
                col_lower=compiled.col_lower[cols], col_upper=compiled.col_upper[cols],
                row_lower=compiled.row_lower[rows], row_upper=compiled.row_upper[rows],
                matrix=matrix[rows][:, cols].tocsc())
            if previous is None or previous.matrix.shape != alone.matrix.shape:
                highs = new_highs(self.options)
                pass_model(highs, alone)
            else:
                _apply_differences(highs, previous, alone)
            previous = alone
            outcome = run(highs, alone)
            self.solves.append(ExtraSolve(f"EVPI: scenario {scenario} alone", outcome.status,
                                          time.perf_counter() - started, outcome.objective))
            if not self._optimal(outcome, "EVPI"):
                return None
            rows_out.append((scenario, self.data.probability[scenario],
                             float(outcome.objective)))
        return Evpi(self.base.objective, pd.DataFrame(
            rows_out, columns=["scenario", "probability", "wait_and_see"]))

    def expected_cost_plan(self) -> PlanMeasures | None:
        """The plan that minimises the expected cost F + k·Σ π C (risk weight 0), on the
        built LP with the objective's costs replaced, and its cost under each measure."""
        outcome = self._solve("risk: the expected-cost plan", np.array([], np.int64),
                              np.array([]), np.array([]), cost=self.lp.expected_cost())
        if not self._optimal(outcome, "expected-cost plan"):
            return None
        plan = self.lp.plan(outcome)
        settings = self.data.case.settings
        return plan_measures(plan.stage_one_cost, plan.scenario_costs["cost"],
                             [self.data.probability[s] for s in plan.scenarios],
                             settings.horizon_weight, settings.cvar_alpha)


def _apply_differences(highs, old: CompiledModel, new: CompiledModel) -> None:
    """Send HiGHS the numbers in which two LPs of the same shape differ."""
    index = np.flatnonzero(old.cost != new.cost).astype(np.int32)
    if index.size:
        highs.changeColsCost(index.size, index, new.cost[index])
    index = np.flatnonzero((old.col_lower != new.col_lower)
                           | (old.col_upper != new.col_upper)).astype(np.int32)
    if index.size:
        highs.changeColsBounds(index.size, index, new.col_lower[index], new.col_upper[index])
    index = np.flatnonzero((old.row_lower != new.row_lower)
                           | (old.row_upper != new.row_upper)).astype(np.int32)
    if index.size:
        highs.changeRowsBounds(index.size, index, new.row_lower[index], new.row_upper[index])
    difference = (new.matrix - old.matrix).tocoo()
    changed = difference.data != 0
    if changed.any():
        rows, cols = difference.row[changed], difference.col[changed]
        values = np.asarray(new.matrix.tocsr()[rows, cols]).ravel()
        for row, col, value in zip(rows.tolist(), cols.tolist(), values.tolist(),
                                   strict=True):
            highs.changeCoeff(int(row), int(col), float(value))


@dataclass
class AveragePlan:
    status: str
    objective: float | None
    levels: dict[tuple[str, tuple], float]
    """(component, index) → level of each stage-one variable."""


def average_scenario_model(data: ModelData) -> pyo.ConcreteModel:
    """The expected-value problem: stage one and one block whose every mutable scenario
    parameter is Σ_ω π_ω × its value in ω (`models.parameters`), probability 1."""
    model = build_scenario_model(data, None)
    block = getattr(model, SCENARIO_BLOCK)
    block.probability.set_value(1.0)
    total = sum(data.probability.values())
    values = [(data.probability[s] / total, scenario_parameter_values(data, s))
              for s in data.scenarios]
    for name in SCENARIO_PARAMETERS:
        component = getattr(block, name)
        listed: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for weight, scenario_values in values:
            for index, value in scenario_values[name].items():
                entry = listed[index]
                entry[0] += weight
                entry[1] += weight * value
        for index, (weight, weighted) in listed.items():
            param = component[index]
            rest = 1.0 - weight  # the scenarios where it keeps the template's value
            param.set_value(weighted + (param.value * rest if rest > 1e-9 else 0.0))
    return model


def average_scenario_plan(data: ModelData, options) -> AveragePlan:
    """Solve the expected-value problem; its stage-one levels."""
    model = average_scenario_model(data)
    info = LinearStandardFormCompiler().write(model, mixed_form=True)
    rhs = np.asarray(info.rhs, dtype=float)
    kinds = np.fromiter((kind for _, kind in info.rows), dtype=np.int8, count=len(info.rows))
    compiled = CompiledModel(
        num_columns=len(info.columns), num_rows=len(info.rows),
        cost=np.asarray(info.c.toarray(), dtype=float).reshape(-1),
        offset=float(info.c_offset[0]), matrix=info.A,
        col_lower=np.array([-np.inf if v.lb is None else v.lb for v in info.columns], float),
        col_upper=np.array([np.inf if v.ub is None else v.ub for v in info.columns], float),
        row_lower=np.where(kinds == 1, -np.inf, rhs), row_upper=np.where(kinds == -1, np.inf, rhs))
    highs = new_highs(options)
    pass_model(highs, compiled)
    outcome = run(highs, compiled)
    levels = {}
    if outcome.has_solution:
        for var, value in zip(info.columns, outcome.column_values.tolist(), strict=True):
            if var.parent_block() is model:
                levels[var.parent_component().local_name, _index(var)] = value
    return AveragePlan(outcome.status, outcome.objective, levels)


def run_extras(solver: CaseSolver, solved: SolvedCase) -> Extras:
    """Every extra figure for a case `solver` has just solved to optimality."""
    resolver = Resolver(solver, solved)
    extras = Extras()
    extras.plan = resolver.value_of_plan()
    extras.cooperation = resolver.cooperation()
    extras.vss = resolver.vss()
    objective = solved.data.case.settings.objective
    if objective == "expected":
        extras.evpi = resolver.evpi()
    else:
        resolver.warnings.append(
            f"objective {objective}: EVPI is not reported (it compares the expected cost "
            "of the plan with that of perfect foresight, and the case minimises another "
            "measure)")
        extras.expected_plan = resolver.expected_cost_plan()
    extras.fairness = price_of_fairness(resolver)
    extras.solves, extras.warnings = resolver.solves, resolver.warnings
    return extras


def merge_extras(found: list[Extras | None]) -> Extras:
    """The extras of independent parts added up: every figure is a sum over the parts
    (the LP, and each modified LP, is the direct sum of the parts'), every table a
    concatenation or a sum by key. A part without extras (not solved to optimality)
    leaves the figures out."""
    if any(extras is None for extras in found):
        return Extras(warnings=["a part of the case was not solved to optimality: the "
                                "extra figures are not reported"])
    merged = Extras(warnings=[w for e in found for w in e.warnings])
    solves: dict[str, list[ExtraSolve]] = defaultdict(list)
    for extras in found:
        for solve in extras.solves:
            solves[solve.name].append(solve)
    severity = ("optimal", "stopped_at_limit", "numerical_trouble", "infeasible_or_unbounded")
    merged.solves = [ExtraSolve(
        f"{name} ({len(items)} independent parts)" if len(found) > 1 else name,
        max((s.status for s in items), key=lambda x: severity.index(x)
            if x in severity else len(severity)),
        sum(s.seconds for s in items),
        sum(s.objective for s in items) if all(s.objective is not None for s in items)
        else None) for name, items in solves.items()]
    if all(e.plan is not None for e in found):
        plans = [e.plan for e in found]
        shortfall = pd.concat([p.shortfall for p in plans]).groupby(
            ["scenario", "good", "unit"], sort=False)[["with_plan", "without_plan"]].sum()
        merged.plan = PlanValue(sum(p.cost_with_plan for p in plans),
                                sum(p.cost_without_plan for p in plans),
                                shortfall.reset_index(), plans[0].probability,
                                in_words=plans[0].in_words,
                                concentration=pd.concat([p.concentration for p in plans],
                                                        ignore_index=True))
    if all(e.cooperation is not None for e in found):
        items = [e.cooperation for e in found]
        allies = pd.concat([c.allies for c in items]).groupby("country", sort=False)[
            ["cost_together", "cost_alone"]].sum().reset_index()
        allies["saving"] = allies["cost_alone"] - allies["cost_together"]
        merged.cooperation = CooperationValue(
            sum(c.objective_together for c in items), sum(c.objective_alone for c in items),
            allies, pd.concat([c.shortfall for c in items], ignore_index=True),
            sum(c.links for c in items))
    if all(e.evpi is not None for e in found):
        items = [e.evpi for e in found]
        table = pd.concat([e.by_scenario for e in items]).groupby(
            "scenario", sort=False).agg(probability=("probability", "first"),
                                        wait_and_see=("wait_and_see", "sum")).reset_index()
        merged.evpi = Evpi(sum(e.here_and_now for e in items), table)
    if all(e.vss is not None for e in found):
        items = [e.vss for e in found]
        merged.vss = Vss(sum(v.here_and_now for v in items),
                         sum(v.average_plan_cost for v in items),
                         sum(v.average_scenario_cost for v in items),
                         pd.concat([v.plans for v in items], ignore_index=True))
    merged.fairness = merge_prices([e.fairness for e in found])
    return merged
