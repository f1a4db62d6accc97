"""Survival times (`stockpile survive`, issue 12): hand-solved knockouts, the ranking,
an independent check of the bisection, and the command line end to end.

The hand cases share one ally A with demand 10 t/period over H = 8 periods, supplied by
S1 (4 t/period) and S2 (6 t/period), penalty 100 per t short, stock initial 9 t, max
30 t, purchase_cost 1 (refill_cost 1), Settings periods_per_year = 8 (k = 1) and the
default capital_rate 0.05. The case's one scenario cuts S2 for the whole horizon
(probability 1): each unit held costs 0.05 a year and saves 100 − 1 in that scenario,
so the plan holds x* = 30 t; without new insurance, stock is the initial 9 t.

A knockout from period 1 with remaining supply r < D and stock x drawn freely from
period 1 meets demand in full for T periods exactly while T · (D − r) ≤ x, so

    TTS = ⌊x / (D − r)⌋ (capped at H).

Every analysis runs on both formulations (fast and reference).
"""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from casebuilder import base_case, load, write_case
from test_properties import random_case

from optimizer import cli
from optimizer.analyses.extras import lp_columns
from optimizer.analyses.survival import (
    PRODUCTION,
    SUPPLIER,
    WITH_PLAN,
    WITHOUT_PLAN,
    Knockout,
    _Probe,
    fixed_stage_one_case,
    knockout_case,
    no_new_insurance,
    plan_stage_one,
    ranks,
    survival_times,
)
from optimizer.engine import CaseSolver
from optimizer.pipeline import Timings, solve_case
from optimizer.solver import run

EXAMPLE = Path(__file__).resolve().parents[1] / "inputs" / "rare_earths.xlsx"
EXAMPLE_OBJECTIVE = 2_442_995_890.175  # as recorded in tests/test_cli.py


def two_suppliers() -> dict:
    return {
        "Settings": {"periods": 8, "periods_per_year": 8},
        "Countries": [{"country": "A", "role": "ally"},
                      {"country": "S1", "role": "supplier"},
                      {"country": "S2", "role": "supplier"}],
        "Goods": [{"good": "g", "unit": "t", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10}],
        "Imports": [{"origin": "S1", "destination": "A", "good": "g", "volume": 4,
                     "unit_cost": 1},
                    {"origin": "S2", "destination": "A", "good": "g", "volume": 6,
                     "unit_cost": 1}],
        "Stockpiles": [{"country": "A", "good": "g", "initial": 9, "min": 0, "max": 30,
                        "purchase_cost": 1, "holding_cost": 0}],
        "Scenarios": [{"scenario": "cut", "probability": 1}],
        "Disruptions": [{"scenario": "cut", "kind": "export_cut", "country": "S2",
                         "partner": "*", "good": "*", "start": 1, "end": 8, "factor": 0}],
    }


def analyse(tmp_path, sheets, formulation):
    survival = survival_times(load(write_case(tmp_path / "case.xlsx", sheets)),
                              formulation=formulation)
    return survival


def figures(survival, stage: str, kind: str, country: str, good: str | None = None):
    return survival.figures[stage, Knockout(kind, country, good)]


def tts_formula(stock: float, demand: float, remaining: float, periods: int) -> int:
    return min(periods, math.floor(stock / (demand - remaining)))


def test_time_to_survive_is_stock_over_the_gap(tmp_path, formulation):
    """Knockout S2 (r = 4, gap 6): with the plan ⌊30/6⌋ = 5 periods; without it
    ⌊9/6⌋ = 1 (floor: 1.5 periods of cover meet only period 1 in full). Knockout S1
    (r = 6, gap 4): ⌊30/4⌋ = 7 (7.5) and ⌊9/4⌋ = 2 (2.25). One ally: the network's
    time is the ally's."""
    survival = analyse(tmp_path, two_suppliers(), formulation)
    assert survival.objective == pytest.approx(0.05 * 30 + 8 * 4 + 30 + 18 * 100, rel=1e-9)
    assert [k.label for k in survival.knockouts] == ["S1: every export", "S2: every export"]
    expected = {("S2", WITH_PLAN): (30, 4), ("S2", WITHOUT_PLAN): (9, 4),
                ("S1", WITH_PLAN): (30, 6), ("S1", WITHOUT_PLAN): (9, 6)}
    for (supplier, stage), (stock, remaining) in expected.items():
        found = figures(survival, stage, SUPPLIER, supplier)
        tts = tts_formula(stock, 10, remaining, 8)
        assert found.time_to_survive == {("A", "g"): tts}
        assert found.network_time_to_survive == tts
    assert [figures(survival, s, SUPPLIER, k).time_to_survive["A", "g"]
            for k in ("S2", "S1") for s in (WITH_PLAN, WITHOUT_PLAN)] == [5, 1, 7, 2]


def test_ranking_by_shortage_cost_over_the_horizon(tmp_path, formulation):
    """Knockout S2 leaves 8 · 6 = 48 t to cover: with the plan 48 − 30 = 18 t short,
    1,800; whole cost 32 (imports) + 30 (refill) + 1,800 = 1,862. Without: 39 t, 3,900;
    32 + 9 + 3,900 = 3,941. Knockout S1 leaves 32 t: with the plan 2 t short, 200 (48 +
    30 + 200 = 278); without 23 t, 2,300 (48 + 9 + 2,300 = 2,357). S2 ranks first both
    ways."""
    survival = analyse(tmp_path, two_suppliers(), formulation)
    ranking = survival.ranking()
    assert ranking["knockout"].tolist() == ["S2: every export", "S1: every export"]
    assert ranking["rank_with_plan"].tolist() == [1, 2]
    assert ranking["rank_without_plan"].tolist() == [1, 2]
    assert ranking["shortage_cost_with_plan"].tolist() == pytest.approx([1800, 200], rel=1e-9)
    assert ranking["shortage_cost_without_plan"].tolist() == pytest.approx([3900, 2300],
                                                                           rel=1e-9)
    assert ranking["scenario_cost_with_plan"].tolist() == pytest.approx([1862, 278], rel=1e-9)
    assert ranking["scenario_cost_without_plan"].tolist() == pytest.approx([3941, 2357],
                                                                           rel=1e-9)
    times = survival.times()
    assert times["short_with_plan"].tolist() == pytest.approx([2, 18], abs=1e-6)
    assert times["short_without_plan"].tolist() == pytest.approx([23, 39], abs=1e-6)


@pytest.mark.parametrize("objective", ["cvar", "worst_case"])
def test_a_risk_objective_tests_its_own_plan(tmp_path, objective):
    """With one scenario of probability 1 every objective has the same plan (x* = 30),
    so the knockouts' figures are those of the expected-cost case."""
    sheets = two_suppliers()
    sheets["Settings"]["objective"] = objective
    survival = analyse(tmp_path, sheets, "replicated")
    ranking = survival.ranking()
    assert ranking["shortage_cost_with_plan"].tolist() == pytest.approx([1800, 200], rel=1e-9)
    assert survival.times()["tts_with_plan"].tolist() == [7, 5]


def test_ranking_order_follows_the_cost_not_the_input_order(tmp_path, formulation):
    """With S1 the larger supplier (6 t) and S2 the smaller (4 t), knocking out S1 is now
    the costlier: it ranks first although it comes first in the Countries sheet only by
    chance — swap the two and the ranking swaps with them."""
    sheets = two_suppliers()
    sheets["Imports"][0]["volume"], sheets["Imports"][1]["volume"] = 6, 4
    sheets["Disruptions"][0]["country"] = "S1"
    ranking = analyse(tmp_path, sheets, formulation).ranking()
    assert ranking["knockout"].tolist() == ["S1: every export", "S2: every export"]
    assert ranking["shortage_cost_with_plan"].tolist() == pytest.approx([1800, 200], rel=1e-9)


def test_equal_costs_share_a_rank():
    """Competition ranking: shortage cost first, whole cost breaks its ties, costs equal
    to solver noise (1e-16 relative) share a rank, the next rank skips."""
    shortage = [0.0, 5.0, 3.0, 3.0 * (1 + 1e-15), 0.0]
    whole = [7.0, 1.0, 2.0, 2.0, 9.0]
    assert ranks(shortage, whole) == [5, 1, 2, 2, 4]


def test_spare_capacity_extends_the_time_to_survive(tmp_path, formulation):
    """A reserves spare capacity (capacity 0, spare_max 2 t/period at 0.01 a year, ramp
    2 periods from the onset): the plan takes y* = 2 (12 t over periods 3–8, each worth
    100) and still x* = 30 (48 − 12 = 36 > 30). Knockout S2: periods 1–2 draw 6 each,
    periods 3 on draw 6 − 2 = 4, so 12 + 4·(T − 2) ≤ 30 gives T ≤ 6.5: 6 periods, one
    more than the 5 of stock alone. Without new insurance: no spare, ⌊9/6⌋ = 1. The
    production knockout (A's spare line) leaves S1 + S2 = 10 = demand: never short."""
    sheets = two_suppliers()
    sheets["Production"] = [{"country": "A", "good": "g", "capacity": 0, "spare_cost": 0.01,
                             "spare_max": 2, "ramp_periods": 2}]
    survival = analyse(tmp_path, sheets, formulation)
    assert survival.stage_ones[WITH_PLAN].spare == {("A", "g"): pytest.approx(2.0)}
    assert survival.stage_ones[WITH_PLAN].stock == {("A", "g"): pytest.approx(30.0)}
    s2 = [figures(survival, s, SUPPLIER, "S2").time_to_survive["A", "g"]
          for s in (WITH_PLAN, WITHOUT_PLAN)]
    assert s2 == [6, 1]
    line = figures(survival, WITH_PLAN, PRODUCTION, "A", "g")
    assert line.time_to_survive == {("A", "g"): 8}
    assert line.shortage_cost == pytest.approx(0.0, abs=1e-6)


def test_sharing_extends_the_time_to_survive(tmp_path, formulation):
    """B holds 12 t of stock (initial 12, max 12; kept by the plan: 0.6 a year against
    100 a unit shared) and has no demand; a link B → A with no lead time or lag. Knockout
    S2: A draws on 30 + 12 = 42 t, ⌊42/6⌋ = 7 periods (5 alone). Without new insurance:
    9 + 12 = 21 t, ⌊21/6⌋ = 3 (3.5)."""
    sheets = two_suppliers()
    sheets["Countries"].insert(1, {"country": "B", "role": "ally"})
    sheets["Stockpiles"].append({"country": "B", "good": "g", "initial": 12, "min": 0,
                                 "max": 12, "purchase_cost": 1, "holding_cost": 0})
    sheets["Sharing"] = [{"from": "B", "to": "A", "good": "g", "lead_periods": 0}]
    survival = analyse(tmp_path, sheets, formulation)
    found = [figures(survival, s, SUPPLIER, "S2").time_to_survive["A", "g"]
             for s in (WITH_PLAN, WITHOUT_PLAN)]
    assert found == [tts_formula(42, 10, 4, 8), tts_formula(21, 10, 4, 8)] == [7, 3]


def test_each_stage_of_a_chain_is_a_knockout(tmp_path, formulation):
    """A makes magnets m (line capacity 4 t/period) from oxide o (0.5 t a t), which it
    mines (10 t/period); S supplies 6 t/period of m; demand 10 t/period of m; stock
    forced (min = max) at 20 t of m and 2 t of o. Each knockout leaves a gap of 10 − 6
    − what the line still makes:
    - S: the line makes 4, gap 6: ⌊20/6⌋ = 3;
    - A's oxide: the 2 t of oxide stock still make 4 t of m, then the line stops:
      4T − 4 ≤ 20 gives 6;
    - A's magnet line: the oxide is useless, gap 4: ⌊20/4⌋ = 5."""
    sheets = {
        "Settings": {"periods": 8, "periods_per_year": 8},
        "Countries": [{"country": "A", "role": "ally"}, {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "o", "unit": "t", "shortage_penalty": 100},
                  {"good": "m", "unit": "t", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "m", "demand": 10}],
        "Production": [{"country": "A", "good": "o", "capacity": 10},
                       {"country": "A", "good": "m", "capacity": 4}],
        "Recipes": [{"country": "A", "good": "m", "input": "o", "ratio": 0.5}],
        "Imports": [{"origin": "S", "destination": "A", "good": "m", "volume": 6}],
        "Stockpiles": [{"country": "A", "good": "m", "initial": 20, "min": 20, "max": 20},
                       {"country": "A", "good": "o", "initial": 2, "min": 2, "max": 2}],
        "Scenarios": [{"scenario": "normal", "probability": 1}],
    }
    survival = analyse(tmp_path, sheets, formulation)
    found = {k.label: survival.figures[WITH_PLAN, k].time_to_survive["A", "m"]
             for k in survival.knockouts}
    assert found == {"S: every export": 3, "A: o production": 6, "A: m production": 5}
    assert all(survival.figures[WITHOUT_PLAN, k].time_to_survive["A", "m"] == found[k.label]
               for k in survival.knockouts)


def test_priority_and_network_times_differ(tmp_path, formulation):
    """A as before with 30 t (min = max: the stage one is forced, so with and without
    the plan agree); B demands 3 t/period, has no supply but 18 t of stock (forced) and
    a link B → A (none back). Knockout S2, A short by 6 a period:
    - A first: 30 + 18 = 48 t at 6 a period → 8 periods, the whole horizon;
    - B first: only its own 18 t at 3 a period → 6;
    - everyone: B uses 3T, A needs 6T ≤ 30 + (18 − 3T) → 9T ≤ 48 → 5 (5.33)."""
    sheets = two_suppliers()
    sheets["Countries"].insert(1, {"country": "B", "role": "ally"})
    sheets["Demand"].append({"country": "B", "good": "g", "demand": 3})
    sheets["Stockpiles"][0].update({"min": 30, "max": 30})
    sheets["Stockpiles"].append({"country": "B", "good": "g", "initial": 18, "min": 18,
                                 "max": 18, "purchase_cost": 1})
    sheets["Sharing"] = [{"from": "B", "to": "A", "good": "g", "lead_periods": 0}]
    survival = analyse(tmp_path, sheets, formulation)
    for stage in (WITH_PLAN, WITHOUT_PLAN):
        found = figures(survival, stage, SUPPLIER, "S2")
        assert found.time_to_survive == {("A", "g"): 8, ("B", "g"): 6}
        assert found.network_time_to_survive == 5


def scanned_times(solver: CaseSolver, fixed, knockout) -> tuple[int, dict]:
    """The network's and each ally's time to survive by another route: for T = 1, 2, …
    fix the shortfalls in periods 1..T at 0 by column bounds and ask HiGHS whether the
    LP is still feasible; the last T that is."""
    solved = solver.solve(knockout_case(fixed, knockout), Timings(), tables=False)
    columns = lp_columns(solver.lp, solved.data)
    short = np.flatnonzero(columns.name == "short")

    def longest(nodes) -> int:
        tts = 0
        for periods in solved.data.periods:
            cols = np.array([c for c in short if columns.index[c][:2] in nodes
                             and columns.index[c][2] <= periods], dtype=np.int32)
            zeros = np.zeros(cols.size)
            solver.highs.changeColsBounds(cols.size, cols, zeros, zeros)
            feasible = run(solver.highs, solver.compiled).is_optimal
            solver.highs.changeColsBounds(cols.size, cols, solver.compiled.col_lower[cols],
                                          solver.compiled.col_upper[cols])
            if not feasible:
                break
            tts = periods
        return tts

    demand = list(solved.data.demand)
    return longest(set(demand)), {node: longest({node}) for node in demand}


def check_against_scan(case, survival, formulation) -> set[int]:
    """Every knockout's times, with and without the plan, equal the scan's; the times
    seen."""
    plan = plan_stage_one(solve_case(case, Timings(), formulation=formulation).results)
    seen = set()
    for name, stage in {WITH_PLAN: plan, WITHOUT_PLAN: no_new_insurance(case)}.items():
        solver = CaseSolver(formulation=formulation)
        fixed = fixed_stage_one_case(case, stage)
        for knockout in survival.knockouts:
            network, times = scanned_times(solver, fixed, knockout)
            found = survival.figures[name, knockout]
            assert (found.network_time_to_survive, found.time_to_survive) == (network, times)
            assert network <= min(times.values(), default=network)
            seen |= {network, *times.values()}
    return seen


def test_bisection_agrees_with_a_scan_of_every_horizon(tmp_path, formulation):
    """The tests' small case (two allies, a supplier, B's production, a link B → A with
    a lead time and a capacity, A's stock) over 6 periods: every knockout's times to
    survive equal the longest prefix found feasible by fixing shortfalls at 0, one T at
    a time."""
    sheets = base_case()
    sheets["Settings"]["periods"] = 6
    sheets["Disruptions"][0]["end"] = 6
    case = load(write_case(tmp_path / "case.xlsx", sheets))
    survival = survival_times(case, formulation=formulation)
    assert {k.label for k in survival.knockouts} == {"S: every export", "B: g production"}
    assert len(check_against_scan(case, survival, formulation)) > 1  # not all 0 or H


INFORMATIVE_SEEDS = [1, 7, 9, 14, 15]
"""Random cases (over 6 periods) whose times include one strictly between 0 and H: on
most random cases every time is 0 (an instrument's lag leaves period 1 short) or H."""


@pytest.mark.parametrize("seed", INFORMATIVE_SEEDS)
def test_bisection_agrees_with_the_scan_on_random_cases(tmp_path, seed):
    """The same on random valid cases (`test_properties.random_case`, stretched to 6
    periods: recipes, ally exports, release limits and lags, ramps, lead times,
    budgets), on the fast path."""
    sheets = random_case(seed)
    sheets["Settings"]["periods"] = 6
    case = load(write_case(tmp_path / "case.xlsx", sheets))
    survival = survival_times(case)
    seen = check_against_scan(case, survival, "replicated")
    assert seen - {0, 6}


class ScriptedProbe(_Probe):
    """The bisection alone, on scripted LP answers: two nodes over 8 periods whose joint
    time to survive is 5. A joint LP up to T ≤ 5 answers with A met throughout and B met
    through T; beyond 5 (infeasible: Z > 0) with A short from period 3 and B met
    through 6."""

    def __init__(self):
        self.periods, self.tolerance, self.solves, self.best = 8, 1e-9, 0, {}
        self.columns = {("A", "g"): [(t, t - 1) for t in range(1, 9)],
                        ("B", "g"): [(t, 7 + t) for t in range(1, 9)]}

    def _minimise(self, nodes, periods):
        self.solves += 1
        a_met, b_met = (8, periods) if periods <= 5 else (2, 6)
        values = np.zeros(16)
        values[a_met:8] = 1.0
        values[8 + b_met:] = 1.0
        return values


def test_a_set_is_met_only_by_one_solution():
    """The network's time comes from solutions that meet every node at once: per-node
    bests from different solutions (A through 8 from one, B through 6 from another)
    prove nothing about meeting both, so the answer is 5, not 6."""
    probe = ScriptedProbe()
    probe.best = {node: 0 for node in probe.columns}
    assert probe._longest(list(probe.columns), 0) == 5
    assert probe.best == {("A", "g"): 8, ("B", "g"): 6}  # each node's own lower bound


def test_command_writes_the_workbook_and_json(tmp_path, capsys):
    case = write_case(tmp_path / "two.xlsx", two_suppliers())
    report, summary = tmp_path / "out" / "two.xlsx", tmp_path / "out" / "two.json"
    assert cli.main(["survive", str(case), "-o", str(report), "--json", str(summary)]) == 0
    out = capsys.readouterr().out
    assert "S2: every export" in out and str(report) in out
    document = json.loads(summary.read_text())
    assert {"case", "periods", "currency", "objective", "definitions", "knockouts"} <= set(
        document)
    first = document["knockouts"][1]
    assert first["knockout"] == "S2: every export"
    assert first["with_plan"]["rank"] == 1
    assert first["with_plan"]["shortage_cost"] == pytest.approx(1800, rel=1e-9)
    assert first["allies"] == [{
        "country": "A", "good": "g", "unit": "t", "demand": 10.0,
        "time_to_survive_with_plan": 5, "time_to_survive_without_plan": 1,
        "short_with_plan": pytest.approx(18), "short_without_plan": pytest.approx(39)}]
    book = openpyxl.load_workbook(report)
    assert book.sheetnames == ["Summary", "Charts", "Ranking", "Time to survive", "Stage one",
                               "Chart data"]
    for name, header in (("Ranking", "shortage cost with the plan (USD per horizon)"),
                         ("Time to survive", "time to survive with the plan (months)")):
        sheet = book[name]
        assert list(sheet.tables) == [f"t_{name.replace(' ', '_')}"]
        assert header in [c.value for c in sheet[4]]
        assert sheet.freeze_panes == "A5"
        assert sheet.page_setup.orientation == "landscape"
    assert len(book["Charts"]._charts) == 3
    with zipfile.ZipFile(report) as package:
        charts = "".join(package.read(name).decode() for name in package.namelist()
                         if name.startswith("xl/charts/chart"))
    for reference in ("Ranking!$A$5:$A$6", "Ranking!$E$5:$E$6", "Ranking!$F$5:$F$6",
                      "Ranking!$I$5:$I$6", "Ranking!$J$5:$J$6"):
        assert reference in charts  # knockouts, shortage costs, network times
    rows = list(book["Time to survive"].iter_rows(min_row=5, values_only=True))
    assert [(r[0], r[5], r[6]) for r in rows] == [("S1: every export", 7, 2),
                                                  ("S2: every export", 5, 1)]


def test_command_default_path_and_bad_input(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    good = write_case(tmp_path / "two.xlsx", two_suppliers())
    assert cli.main(["survive", str(good), "-q"]) == 0
    assert (tmp_path / "reports" / "two.survival.xlsx").is_file()
    sheets = two_suppliers()
    sheets["Demand"][0]["demand"] = -10
    bad = write_case(tmp_path / "bad.xlsx", sheets)
    capsys.readouterr()
    assert cli.main(["survive", str(bad), "--json", str(tmp_path / "bad.json")]) == 2
    err = capsys.readouterr().err
    assert "Demand!C2" in err and "Traceback" not in err
    assert not (tmp_path / "reports" / "bad.survival.xlsx").exists()
    assert not (tmp_path / "bad.json").exists()


def test_bundled_case(tmp_path):
    """The bundled case: its own optimum is the plan tested; China's knockout ranks
    first with the plan; here the plan never shortens a time to survive nor raises a
    shortage cost (its stock is nowhere below the initial stock)."""
    survival = survival_times(load(EXAMPLE))
    assert survival.objective == pytest.approx(EXAMPLE_OBJECTIVE, rel=1e-9)
    ranking = survival.ranking()
    assert ranking["knockout"].iloc[0] == "China: every export"
    times = survival.times()
    assert (times["tts_with_plan"] >= times["tts_without_plan"]).all()
    assert (ranking["shortage_cost_with_plan"]
            <= ranking["shortage_cost_without_plan"] + 1e-6).all()


def test_command_exit_codes_for_output_and_solver_trouble(tmp_path, capsys, monkeypatch):
    """A report path that is a folder: exit 4 before solving. A re-solve HiGHS does not
    finish: exit 3, nothing written."""
    import optimizer.analyses.survival as survival

    case = write_case(tmp_path / "two.xlsx", two_suppliers())
    assert cli.main(["survive", str(case), "-o", str(tmp_path), "-q"]) == 4
    assert "it is a folder" in capsys.readouterr().err
    solved = survival.run

    def stopped(highs, compiled):
        outcome = solved(highs, compiled)
        outcome.status, outcome.model_status = "stopped_at_limit", "Time limit reached"
        return outcome

    monkeypatch.setattr(survival, "run", stopped)
    report = tmp_path / "two.survival.xlsx"
    assert cli.main(["survive", str(case), "-o", str(report), "-q"]) == 3
    err = capsys.readouterr().err
    assert "Time limit reached" in err and "Traceback" not in err
    assert not report.exists()
