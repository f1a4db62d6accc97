"""Sweeps (issue 12): the values a sweep takes, each lever's meaning on a case solved by
hand, one build for every point (each later point a warm-started re-solve of the built
LP, with the optimum of a fresh solve), and `stockpile sweep`'s outputs and exit codes."""

from __future__ import annotations

import json

import openpyxl
import pytest
from casebuilder import base_case, load, write_case
from test_budgets import two_allies

from optimizer.analyses.levers import LEVERS
from optimizer.analyses.sweep import parse_values, run_sweep
from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.pipeline import CaseSolver, Timings, solve_case


@pytest.mark.parametrize("text, values", [
    ("0:500e6:11", [50e6 * k for k in range(11)]), ("1:2:2", [1.0, 2.0]),
    ("0.5, 1,2", [0.5, 1.0, 2.0]), ("3", [3.0]), ("2:1:3", [2.0, 1.5, 1.0])])
def test_values_are_a_range_or_a_list(text, values):
    assert parse_values("budget", text) == pytest.approx(values)


@pytest.mark.parametrize("text, fragment", [
    ("0:1", "START:STOP:COUNT"), ("0:1:1", "COUNT must be a whole number from 2"),
    ("0:1:2.5", "got '2.5'"), ("a,1", "'a' is not a number"), ("1,inf", "finite"),
    (",", "comma list"), ("0:1:5000", "from 2 to 1000")])
def test_a_bad_value_text_names_the_option(text, fragment):
    with pytest.raises(InputError) as caught:
        parse_values("penalty", text)
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"--penalty {text}: ") and fragment in str(problem)


@pytest.fixture
def case(tmp_path):
    """base_case: normal (0.9) and cut (0.1, A's import cut in periods 2–3)."""
    return load(write_case(tmp_path / "base.xlsx", base_case()))


def test_probability_scale_moves_probability_to_and_from_normal_times(case):
    """s = 3: the cut scenario 0.1 → 0.3; normal times, the only scenario without
    Disruptions rows, absorbs the difference: 0.9 → 0.7 (× (1 − 0.3) / 0.9)."""
    scaled = LEVERS["probability-scale"].apply(case, 3.0)
    assert {k: s.probability for k, s in scaled.scenarios.items()} == pytest.approx(
        {"normal": 0.7, "cut": 0.3})
    problem = LEVERS["probability-scale"].problem
    assert problem(case, 10.0) is None  # every probability in [0, 1]: cut 1, normal 0
    assert "sum to 1.1 > 1" in problem(case, 11.0) and "at most 10" in problem(case, 11.0)
    assert "≥ 0" in problem(case, -1.0)


def test_probability_scale_needs_a_normal_times_scenario(tmp_path):
    sheets = base_case()
    sheets["Disruptions"].append({"scenario": "normal", "kind": "demand_surge",
                                  "country": "A", "good": "g", "factor": 1.1})
    every = load(write_case(tmp_path / "every.xlsx", sheets))
    assert "no normal-times scenario" in LEVERS["probability-scale"].problem(every, 2.0)
    assert LEVERS["probability-scale"].problem(every, 1.0) is None
    del sheets["Disruptions"]
    calm = load(write_case(tmp_path / "calm.xlsx", sheets))
    assert "no scenario has Disruptions rows" in LEVERS["probability-scale"].problem(calm, 1)


def test_penalty_factor_scales_every_penalty(tmp_path):
    sheets = base_case()
    sheets["Demand"][1]["shortage_penalty"] = 30
    case = load(write_case(tmp_path / "own.xlsx", sheets))
    scaled = LEVERS["penalty"].apply(case, 0.5)
    assert scaled.goods["g"].shortage_penalty == 50
    assert {k: d.shortage_penalty for k, d in scaled.demand.items()} == {
        ("A", "g"): 50, ("B", "g"): 15}
    assert "> 0" in LEVERS["penalty"].problem(case, 0.0)


def test_a_budget_below_the_floors_is_refused_naming_the_option(tmp_path):
    """The floor of 50 at A costs (0.05 · 5 + 1) · 50 = 62.5 a year."""
    sheets = base_case()
    sheets["Stockpiles"][0]["min"] = 50
    case = load(write_case(tmp_path / "floor.xlsx", sheets))
    with pytest.raises(InputError) as caught:
        run_sweep(case, "budget", [62.5, 10.0, 20.0, 70.0])
    assert [str(p) for p in caught.value.problems] == [
        f"--budget {v}: the alliance's yearly budget cannot pay for the mandated stock "
        "floors (Stockpiles min): holding them costs 62.5 a year" for v in (10, 20)]


def test_risk_weight_needs_the_risk_objective(case, tmp_path):
    assert "needs the risk objective" in LEVERS["risk-weight"].problem(case, 0.5)
    sheets = base_case()
    sheets["Settings"]["objective"] = "cvar"
    cvar = load(write_case(tmp_path / "cvar.xlsx", sheets))
    assert LEVERS["risk-weight"].problem(cvar, 1.0) is None
    assert "[0, 1]" in LEVERS["risk-weight"].problem(cvar, 1.5)
    assert LEVERS["risk-weight"].apply(cvar, 0.25).settings.risk_weight == 0.25


def test_budget_sweep_follows_the_hand_frontier(tmp_path):
    """test_budgets.two_allies with capital_rate 1 (a unit held costs 5 a year): with an
    alliance budget B from 50 to 100, A's 10 units are held and (B − 50) / 5 at B, so
    the cost is B + (20 − B / 5) · 50 and the marginal value 50 / 5 − 1 = 9; below 50 it
    is B + (10 − B / 5) · 100 + 500, marginal 19; above 100 every demand is covered
    and the budget is slack: 100, marginal 0."""
    case = load(write_case(tmp_path / "two.xlsx", two_allies({"capital_rate": 1})))
    sweep = run_sweep(case, "budget", [40, 60, 65, 110, 120])  # not 100: a kink
    assert [p.objective for p in sweep.points] == pytest.approx(
        [40 + 2 * 100 + 500, 460, 415, 100, 100], rel=1e-9)
    assert [p.marginal_value for p in sweep.points] == pytest.approx([19, 9, 9, 0, 0],
                                                                     abs=1e-9)
    assert [p.expected_shortfall for p in sweep.points] == pytest.approx(
        [12, 8, 7, 0, 0], abs=1e-9)
    assert [p.rebuilt for p in sweep.points] == [True, False, False, False, False]


@pytest.mark.parametrize("lever, values", [
    ("budget", [2.0, 4.0, 6.0, 1e6]), ("penalty", [0.02, 0.5, 1.0, 3.0]),
    ("probability-scale", [0.0, 1.0, 4.0, 10.0]), ("risk-weight", [0.0, 0.5, 1.0])])
def test_every_point_reuses_the_built_lp_and_equals_a_fresh_solve(tmp_path, lever, values):
    """One build for the whole sweep (the LP object and the HiGHS instance are the
    first point's), each point's optimum that of a fresh solve on the reference path;
    the objective changes along the sweep (a test that cannot fail is a defect). The
    risk weight on the case with objective cvar (α 0.9: the CVaR is the cut's cost)."""
    sheets = base_case()
    sheets["Production"][0].update(spare_cost=1, spare_max=5, ramp_periods=1)
    if lever == "risk-weight":
        sheets["Settings"]["objective"] = "cvar"
    case = load(write_case(tmp_path / "case.xlsx", sheets))
    solver = CaseSolver()
    first_lp = []
    sweep = run_sweep(case, lever, values, solver=solver,
                      point_done=lambda point: first_lp.append((solver.lp, solver.highs)))
    assert all(entry == first_lp[0] for entry in first_lp)
    assert [p.rebuilt for p in sweep.points] == [True] + [False] * (len(values) - 1)
    objectives = []
    for point, value in zip(sweep.points, values, strict=True):
        assert point.is_optimal
        fresh = solve_case(LEVERS[lever].apply(case, value), Timings(), formulation="plain")
        assert point.objective == pytest.approx(fresh.results.objective, rel=1e-9)
        assert point.stage_one_cost == pytest.approx(fresh.results.stage_one_cost,
                                                     rel=1e-9, abs=1e-9)
        objectives.append(point.objective)
    assert len({round(o, 6) for o in objectives}) > 1


def run(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_command_writes_the_workbook_and_the_json_list(tmp_path, capsys):
    case = write_case(tmp_path / "two.xlsx", two_allies({"capital_rate": 1}))
    workbook, points = tmp_path / "out" / "sweep.xlsx", tmp_path / "points.json"
    code, out, err = run(["sweep", str(case), "--budget", "50:100:6", "-o", str(workbook),
                          "--json", str(points)], capsys)
    assert code == 0, err
    assert "sweep of alliance yearly budget (USD/year), 6 points" in out
    document = json.loads(points.read_text())
    assert [p["value"] for p in document] == pytest.approx([50, 60, 70, 80, 90, 100])
    assert [p["objective"] for p in document] == pytest.approx(
        [b + (20 - b / 5) * 50 for b in (50, 60, 70, 80, 90, 100)], rel=1e-9)
    assert document[0]["lever"] == "budget" and document[0]["rebuilt"] is True
    assert {s["country"] for s in document[1]["stockpile"]} == {"A", "B"}
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == ["Points", "Charts", "About"]
    sheet = book["Points"]
    header = [c.value for c in sheet[4]]
    assert header[:3] == ["alliance yearly budget (USD/year)", "status",
                          "expected annual cost (per year)"]
    assert "stock B g (units)" in header
    assert [sheet.cell(5 + k, 3).value for k in range(6)] == pytest.approx(
        [p["objective"] for p in document])
    assert len(book["Charts"]._charts) == 2


def test_the_command_names_a_bad_value_and_writes_nothing(tmp_path, capsys):
    case = write_case(tmp_path / "base.xlsx", base_case())
    output = tmp_path / "sweep.xlsx"
    code, _, err = run(["sweep", str(case), "--probability-scale", "1,12", "-o",
                        str(output)], capsys)
    assert code == 2
    assert "--probability-scale 12: it would make" in err and "Traceback" not in err
    assert not output.exists()
    code, _, err = run(["sweep", str(case), "--risk-weight", "0:1:3", "-o", str(output)],
                       capsys)
    assert code == 2 and "--risk-weight 0: needs the risk objective" in err


def test_a_point_not_proven_optimal_exits_3_and_says_which(tmp_path, capsys, monkeypatch):
    """HiGHS stopped at the time limit at the second point (its status replaced as
    `optimizer.solver.run` returns it): the sweep goes on, the workbook is written and
    the command names the point."""
    import dataclasses

    import optimizer.engine as engine

    calls = []
    real = engine.run

    def second_stops(*args, **kwargs):
        outcome = real(*args, **kwargs)
        calls.append(1)
        return (dataclasses.replace(outcome, status="stopped_at_limit",
                                    model_status="Time limit reached")
                if len(calls) == 2 else outcome)

    monkeypatch.setattr(engine, "run", second_stops)
    case = write_case(tmp_path / "base.xlsx", base_case())
    output = tmp_path / "sweep.xlsx"
    code, _, err = run(["sweep", str(case), "--penalty", "0.5,1,2", "-o", str(output)],
                       capsys)
    assert code == 3
    assert "not optimal: --penalty 1: HiGHS status stopped_at_limit" in err
    assert output.exists()
