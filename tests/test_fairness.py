"""Fair burden sharing (`models.fairness`): Settings fairness = equal_shortage | maxmin
(fairness_weight) and release_rule = proportional, on cases solved by hand (the optimum
derived in each docstring), on both solve paths; the price of fairness (one re-solve
with the rules lifted); the decomposition; a property on random cases; validation.

The hand cases have one period, Settings periods_per_year = periods (k = 1), one
scenario of probability 1, and cost nothing but shortfall, so the objective is the
shortage cost plus, for maxmin, fairness_weight × the largest fraction short.
"""

from __future__ import annotations

import json

import openpyxl
import pytest
from casebuilder import base_case, load, write_case
from casebuilder import solve_optimal as solve
from test_decomposition import SMALL
from test_properties import SEEDS, assert_not_below, base_solve, random_case, solve_sheets

from benchmarks.synthetic import make_case, write_case_workbook
from models.components import independent_parts
from optimizer.analyses.extras import merge_extras, run_extras
from optimizer.cli import main
from optimizer.decomposition import solve_in_parts
from optimizer.errors import InputError
from optimizer.pipeline import CaseSolver, RunRequest, Timings, load_case, run_case, solve_case
from optimizer.results.fairness import fairness_json

REL = 1e-9
ABS = 1e-6


def received(solved, country, good="g"):
    """Units of demand met at `country` over the horizon in the (only) scenario."""
    plan = solved.results.supply_plan
    rows = plan[(plan["country"] == country) & (plan["good"] == good)]
    return float((rows["demand"] - rows["short"]).sum())


def hub_case(demand_a, demand_b, penalty_a, penalty_b, capacity, route, **settings):
    """Allies A and B, one good g, one period, normal times only (probability 1). A
    produces up to `capacity` at no cost and can pass any of it to B on an Imports
    route A → B of `route` units (free, normal trade: usable in normal times)."""
    return {
        "Settings": {"periods": 1, "periods_per_year": 1, **settings},
        "Countries": [{"country": "A"}, {"country": "B"}],
        "Goods": [{"good": "g", "unit": "t", "shortage_penalty": penalty_a}],
        "Demand": [{"country": "A", "good": "g", "demand": demand_a},
                   {"country": "B", "good": "g", "demand": demand_b,
                    "shortage_penalty": penalty_b}],
        "Production": [{"country": "A", "good": "g", "capacity": capacity}],
        "Imports": [{"origin": "A", "destination": "B", "good": "g", "volume": route}],
        "Scenarios": [{"scenario": "normal", "probability": 1}],
    }


# --- equal_shortage: pro-rata rationing -------------------------------------------------


@pytest.mark.parametrize("fairness, objective, at_a, at_b", [
    # none: a unit at A saves 10, at B 5, so A keeps its 90 (short 30) and B gets
    # nothing (short 60): 30·10 + 60·5 = 600.
    ("none", 600.0, 90.0, 0.0),
    # equal_shortage: 90 available for 120 + 60 = 180, so each is short the same
    # fraction φ = 1 − 90/180 = 1/2 and gets demand × available ÷ total demand:
    # A 120·90/180 = 60, B 60·90/180 = 30; short 60 and 30: 60·10 + 30·5 = 750.
    ("equal_shortage", 750.0, 60.0, 30.0),
])
def test_equal_shortage_on_two_allies_is_pro_rata_rationing(tmp_path, formulation, fairness,
                                                            objective, at_a, at_b):
    sheets = hub_case(120, 60, 10, 5, capacity=90, route=1000, fairness=fairness)
    solved = solve(tmp_path, sheets, formulation)
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    assert received(solved, "A") == pytest.approx(at_a, abs=ABS)
    assert received(solved, "B") == pytest.approx(at_b, abs=ABS)


def test_equal_shortage_holds_in_every_period_and_scenario(tmp_path, formulation):
    """Two periods and a cut in period 2 of scenario cut (probability 0.5): A's capacity
    falls to 30 (capacity_loss 1/3). Normal times and period 1: 90 for a demand of 60 +
    30, nobody short. Period 2 of cut: 30 for 90, each short 2/3: A gets 20, B 10;
    short 40·10 + 20·5 = 500, weighted 0.5 and k = 2/2: objective 250."""
    sheets = hub_case(60, 30, 10, 5, capacity=90, route=1000, fairness="equal_shortage")
    sheets["Settings"].update(periods=2, periods_per_year=2)
    sheets["Scenarios"] = [{"scenario": "normal", "probability": 0.5},
                           {"scenario": "cut", "probability": 0.5}]
    sheets["Disruptions"] = [{"scenario": "cut", "kind": "capacity_loss", "country": "A",
                              "good": "g", "start": 2, "end": 2, "factor": 1 / 3}]
    solved = solve(tmp_path, sheets, formulation)
    assert solved.results.objective == pytest.approx(250.0, rel=REL)
    fill = solved.results.shortfalls
    assert sorted(zip(fill["country"], fill["period"], fill["fill_rate"], strict=True)) == [
        ("A", 2, pytest.approx(1 / 3)), ("B", 2, pytest.approx(1 / 3))]


def surge_case(factor):
    """The pro-rata case with B's demand surging ×`factor` in the only scenario."""
    sheets = hub_case(120, 60, 10, 5, capacity=90, route=1000, fairness="equal_shortage")
    sheets["Scenarios"] = [{"scenario": "surge", "probability": 1}]
    sheets["Disruptions"] = [{"scenario": "surge", "kind": "demand_surge", "country": "B",
                              "good": "g", "start": 1, "factor": factor}]
    return sheets


def test_equal_shortage_shares_on_the_effective_demand_and_follows_a_what_if(
        tmp_path, formulation):
    """B's demand ×2: 90 for 120 + 120, each gets half of 90, 45; short 75·10 + 75·5 =
    1125. A what-if to ×1.5 (a mutable input: the built model is updated, the rows'
    coefficients D·m patched): 90 for 120 + 90, A gets 120·90/210, B 90·90/210; short
    (120 − 360/7)·10 + (90 − 270/7)·5 = 4800/7 + 1800/7 = 6600/7."""
    solver = CaseSolver(formulation=formulation)
    first = solver.solve(load(write_case(tmp_path / "x2.xlsx", surge_case(2))), Timings())
    assert first.results.objective == pytest.approx(1125.0, rel=REL)
    assert received(first, "B") == pytest.approx(45.0, abs=ABS)
    second = solver.solve(load(write_case(tmp_path / "x15.xlsx", surge_case(1.5))),
                          Timings())
    assert second.results.objective == pytest.approx(6600 / 7, rel=REL)
    assert received(second, "A") == pytest.approx(120 * 90 / 210, abs=ABS)
    assert received(second, "B") == pytest.approx(90 * 90 / 210, abs=ABS)


# --- maxmin: water-filling --------------------------------------------------------------


@pytest.mark.parametrize("route, objective, at_a, at_b, worst", [
    # 150 for 100 + 100; penalties 20 at A, 10 at B, weight 2000. The shortfall is 50 in
    # any case (z_A + z_B = 50). With z_B = 100Φ and z_A = 50 − 100Φ (Φ ≥ 1/4):
    # 20(50 − 100Φ) + 10·100Φ + 2000Φ = 1000 + 1000Φ, least at Φ = 1/4: the water level
    # rises evenly, each gets 75, short 25: 500 + 250 + 500 = 1250.
    (1000, 1250.0, 75.0, 75.0, 0.25),
    # B can receive at most 60 (the route): its level stops at 60, Φ ≥ 0.4, and the
    # water keeps rising at A alone: A gets 90. 20·10 + 10·40 + 2000·0.4 = 1400.
    (60, 1400.0, 90.0, 60.0, 0.4),
])
def test_maxmin_reproduces_water_filling(tmp_path, formulation, route, objective, at_a,
                                         at_b, worst):
    sheets = hub_case(100, 100, 20, 10, capacity=150, route=route, fairness="maxmin",
                      fairness_weight=2000)
    solved = solve(tmp_path, sheets, formulation)
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    assert received(solved, "A") == pytest.approx(at_a, abs=ABS)
    assert received(solved, "B") == pytest.approx(at_b, abs=ABS)
    results = solved.results
    fairness_term = results.objective - results.stage_one_cost - results.expected_scenario_cost
    assert fairness_term == pytest.approx(2000 * worst, rel=REL)
    assert fairness_json(solved.data.case, results, None)["fairness_term"] == pytest.approx(
        2000 * worst, rel=1e-7)


def test_maxmin_weight_zero_is_the_least_cost_plan(tmp_path, formulation):
    """fairness_weight 0: Φ costs nothing, and the plan is fairness none's: A keeps
    100, B gets 50, 50·10 = 500."""
    sheets = hub_case(100, 100, 20, 10, capacity=150, route=1000, fairness="maxmin",
                      fairness_weight=0)
    solved = solve(tmp_path, sheets, formulation)
    assert solved.results.objective == pytest.approx(500.0, rel=REL)
    assert received(solved, "A") == pytest.approx(100.0, abs=ABS)


# --- release_rule = proportional ----------------------------------------------------------


def release_case(rule):
    """Allies A (demand 30), B (demand 10) and C (demand 20), penalty 10, one period;
    one scenario (probability 1) whose demand_surge row of factor 1 makes period 1 the
    onset, so stock may be drawn. A holds 60 and B 5, both fixed (min = max = initial,
    costing nothing); C holds none. No other supply."""
    return {
        "Settings": {"periods": 1, "periods_per_year": 1, "release_rule": rule},
        "Countries": [{"country": "A"}, {"country": "B"}, {"country": "C"}],
        "Goods": [{"good": "g", "shortage_penalty": 10}],
        "Demand": [{"country": "A", "good": "g", "demand": 30},
                   {"country": "B", "good": "g", "demand": 10},
                   {"country": "C", "good": "g", "demand": 20}],
        "Stockpiles": [{"country": "A", "good": "g", "initial": 60, "min": 60, "max": 60},
                       {"country": "B", "good": "g", "initial": 5, "min": 5, "max": 5}],
        "Scenarios": [{"scenario": "surge", "probability": 1}],
        "Disruptions": [{"scenario": "surge", "kind": "demand_surge", "country": "*",
                         "start": 1, "factor": 1}],
    }


def drawn(solved, country):
    plan = solved.results.supply_plan
    return float(plan.loc[plan["country"] == country, "drawn"].sum())


@pytest.mark.parametrize("rule, objective, at_a, at_b", [
    # independent: A draws its 30, B its 5 (short 5), C short 20: (5 + 20)·10 = 250.
    ("independent", 250.0, 30.0, 5.0),
    # proportional: A and B hold stock and have demand: shares 30/40 and 10/40 (C has
    # demand but no stock and takes no part). w_A = 3/4·W, w_B = 1/4·W, and B's 5 units
    # cap W at 20: A draws 15 and B 5, 3 : 1 as their demands; short 15 + 5 + 20:
    # 400.
    ("proportional", 400.0, 15.0, 5.0),
])
def test_proportional_release_splits_draws_by_demand_shares(tmp_path, formulation, rule,
                                                             objective, at_a, at_b):
    solved = solve(tmp_path, release_case(rule), formulation)
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    assert drawn(solved, "A") == pytest.approx(at_a, abs=ABS)
    assert drawn(solved, "B") == pytest.approx(at_b, abs=ABS)
    assert drawn(solved, "C") == 0.0


# --- the price of fairness: one re-solve with the rules lifted -----------------------------


@pytest.mark.parametrize("sheets, fair, unconstrained, term", [
    # pro rata: 750 against none's 600 (see above); no fairness term
    (hub_case(120, 60, 10, 5, capacity=90, route=1000, fairness="equal_shortage"),
     750.0, 600.0, 0.0),
    # water-filling: 1250 = 750 of shortage + 500 of fairness term; none's plan 500
    (hub_case(100, 100, 20, 10, capacity=150, route=1000, fairness="maxmin",
              fairness_weight=2000), 750.0, 500.0, 500.0),
    # coordinated release: 400 against independent draws' 250
    (release_case("proportional"), 400.0, 250.0, 0.0),
])
def test_the_price_of_fairness_is_the_fair_plans_cost_above_the_unconstrained(
        tmp_path, formulation, sheets, fair, unconstrained, term):
    solver = CaseSolver(formulation=formulation)
    case = load(write_case(tmp_path / "case.xlsx", sheets))
    solved = solver.solve(case, Timings())
    extras = run_extras(solver, solved)
    price = extras.fairness
    assert price.cost_fair == pytest.approx(fair, rel=REL)
    assert price.cost_unconstrained == pytest.approx(unconstrained, rel=REL)
    assert price.price == pytest.approx(fair - unconstrained, rel=REL)
    assert solved.results.objective == pytest.approx(fair + term, rel=REL)
    assert any(s.name.startswith("price of fairness") for s in extras.solves)
    # the instance holds the fair LP again: a re-solve finds the fair optimum
    again = solver.solve(case, Timings())
    assert again.results.objective == pytest.approx(fair + term, rel=REL)


def test_no_rule_no_price_and_no_extra_solve(tmp_path):
    solver = CaseSolver()
    solved = solver.solve(load(write_case(tmp_path / "none.xlsx", hub_case(
        120, 60, 10, 5, capacity=90, route=1000))), Timings())
    extras = run_extras(solver, solved)
    assert extras.fairness is None
    assert not any(s.name.startswith("price of fairness") for s in extras.solves)


NO_STOCK = {"country": "A", "good": "g", "max": 0}
"""A stockpile row that holds nothing: the decision workbook's stock chart needs one
(a case without any Stockpiles row fails to write its charts today, fairness or not)."""


def test_report_and_json_show_the_price_and_each_allys_fill_rates(tmp_path):
    """equal_shortage pro rata (above): both allies fill 1/2 with the rule; without it A
    fills 90/120 = 3/4 and B 0. The JSON adds the key ``fairness``; the decision
    workbook a Fairness sheet and the price on the Summary; the Run sheet lists the
    extra solve."""
    sheets = hub_case(120, 60, 10, 5, capacity=90, route=1000, fairness="equal_shortage")
    sheets["Stockpiles"] = [NO_STOCK]
    path = write_case(tmp_path / "fair.xlsx", sheets)
    outcome = run_case(RunRequest(path, report_path=tmp_path / "fair_report.xlsx",
                                  summary_path=tmp_path / "fair.json", detail=False))
    assert outcome.exit_code == 0
    document = json.loads((tmp_path / "fair.json").read_text())
    fairness = document["fairness"]
    assert fairness["rule"] == "equal_shortage"
    assert fairness["release_rule"] == "independent"
    assert fairness["price_of_fairness"] == pytest.approx(150.0, rel=REL)
    assert fairness["cost_unconstrained"] == pytest.approx(600.0, rel=REL)
    rates = {r["country"]: r for r in fairness["fill_rates"]}
    assert rates["A"]["expected_fill_rate"] == pytest.approx(0.5)
    assert rates["B"]["expected_fill_rate"] == pytest.approx(0.5)
    assert rates["A"]["expected_fill_rate_unconstrained"] == pytest.approx(0.75)
    assert rates["B"]["expected_fill_rate_unconstrained"] == pytest.approx(0.0)
    book = openpyxl.load_workbook(tmp_path / "fair_report.xlsx")
    names = book.sheetnames
    assert names.index("Uncertainty") < names.index("Fairness") == names.index("Run") - 1
    figures = {row[0]: row[1] for row in book["Fairness"].iter_rows(values_only=True)}
    assert figures["price of fairness (USD/year)"] == pytest.approx(150.0)
    assert figures["yearly cost without the rules (USD/year)"] == pytest.approx(600)
    summary = [row for row in book["Summary"].iter_rows(values_only=True)
               if row[0] and str(row[0]).startswith("Price of fairness")]
    assert summary and summary[0][1] == pytest.approx(150.0)
    run_cells = [c for row in book["Run"].iter_rows(values_only=True) for c in row]
    assert any(isinstance(c, str) and c.startswith("price of fairness") for c in run_cells)
    assert "equal_shortage" in run_cells


def test_without_a_rule_the_json_key_is_there_and_the_report_unchanged(tmp_path):
    sheets = hub_case(120, 60, 10, 5, capacity=90, route=1000)
    sheets["Stockpiles"] = [NO_STOCK]
    path = write_case(tmp_path / "plain.xlsx", sheets)
    outcome = run_case(RunRequest(path, report_path=tmp_path / "plain_report.xlsx",
                                  summary_path=tmp_path / "plain.json", detail=False))
    assert outcome.exit_code == 0
    fairness = json.loads((tmp_path / "plain.json").read_text())["fairness"]
    assert fairness["rule"] == "none" and fairness["price_of_fairness"] is None
    assert fairness["fairness_term"] == pytest.approx(0.0, abs=1e-9)
    assert {r["country"] for r in fairness["fill_rates"]} == {"A", "B"}
    assert "Fairness" not in openpyxl.load_workbook(tmp_path / "plain_report.xlsx").sheetnames


# --- validation -------------------------------------------------------------------------


def settings_case(**settings):
    """`casebuilder.base_case` with Settings rows after periods (row 2): the first
    added key's value is Settings!B3, the second's B4."""
    case = base_case()
    case["Settings"].update(settings)
    return case


def problems_of(tmp_path, case):
    with pytest.raises(InputError) as info:
        load_case(write_case(tmp_path / "case.xlsx", case), Timings())
    return [(p.sheet, p.cell, p.message) for p in info.value.problems]


def warnings_of(tmp_path, case):
    _, warnings = load_case(write_case(tmp_path / "case.xlsx", case), Timings())
    return [(w.sheet, w.cell, w.message) for w in warnings if not w.is_error]


@pytest.mark.parametrize("settings, cell, fragment", [
    ({"fairness": "fair"}, "B3", "one of 'none', 'equal_shortage', 'maxmin'"),
    ({"fairness": "maxmin", "fairness_weight": -1}, "B4", "≥ 0"),
    ({"fairness": "maxmin", "fairness_weight": "lots"}, "B4", "number"),
    ({"release_rule": "pro rata"}, "B3", "one of 'independent', 'proportional'"),
    ({"fairness": "maxmin"}, "B3", "fairness = maxmin needs fairness_weight"),
])
def test_each_fairness_setting_rule_broken_names_its_cell(tmp_path, settings, cell,
                                                          fragment):
    found = problems_of(tmp_path, settings_case(**settings))
    assert any(sheet == "Settings" and where == cell and fragment in message
               for sheet, where, message in found), found


def test_a_missing_weight_is_exit_code_2_with_the_cell_and_no_traceback(tmp_path, capsys):
    path = write_case(tmp_path / "case.xlsx", settings_case(fairness="maxmin"))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Settings!B3" in err and "fairness_weight" in err and "Traceback" not in err


def test_the_settings_a_rule_ignores_or_cannot_use_are_warned_with_their_cell(tmp_path):
    # a weight without maxmin: ignored
    found = warnings_of(tmp_path, settings_case(fairness="equal_shortage",
                                                fairness_weight=5))
    assert any(w[:2] == ("Settings", "B4") and "ignored" in w[2] for w in found), found
    # proportional with one stockpile (A's) only: nothing to coordinate
    found = warnings_of(tmp_path, settings_case(release_rule="proportional"))
    assert any(w[:2] == ("Settings", "B3") and "changes nothing" in w[2]
               for w in found), found


def test_a_late_or_closed_participant_of_a_coordinated_release_is_warned(tmp_path):
    """B's stockpile (row 3) with release_lag 2 (column H) against A's 0, and max_draw 0
    (column I): the whole release of g waits for B, or never happens."""
    case = settings_case(release_rule="proportional")
    case["Stockpiles"].append({"country": "B", "good": "g", "initial": 0, "min": 0,
                               "max": 10, "purchase_cost": 5, "holding_cost": 1,
                               "release_lag": 2, "max_draw": 0})
    found = warnings_of(tmp_path, case)
    assert any(w[:2] == ("Stockpiles", "H3") and "released by every participant" in w[2]
               for w in found), found
    assert any(w[:2] == ("Stockpiles", "I3") and "max_draw 0" in w[2] for w in found), found
    solved = solve_case(load(write_case(tmp_path / "late.xlsx", case)), Timings())
    assert solved.outcome.status == "optimal"  # restrictive, never infeasible


# --- decomposition: the rules join the allies of a good -------------------------------------


def split_case(**settings):
    """Allies A and B, each importing g from S on its own route (nothing joins them),
    with their own stock; a cut on A's route in scenario cut. Without a rule the case
    falls apart into (A, g) and (B, g)."""
    return {
        "Settings": {"periods": 2, "periods_per_year": 2, **settings},
        "Countries": [{"country": "A"}, {"country": "B"},
                      {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": 50}],
        "Demand": [{"country": "A", "good": "g", "demand": 10},
                   {"country": "B", "good": "g", "demand": 30}],
        "Imports": [{"origin": "S", "destination": "A", "good": "g", "volume": 10},
                    {"origin": "S", "destination": "B", "good": "g", "volume": 30}],
        "Stockpiles": [{"country": "A", "good": "g", "holding_cost": 2, "max": 8},
                       {"country": "B", "good": "g", "holding_cost": 1}],
        "Scenarios": [{"scenario": "normal", "probability": 0.7},
                      {"scenario": "cut", "probability": 0.3}],
        "Disruptions": [{"scenario": "cut", "kind": "export_cut", "country": "S",
                         "partner": "A", "start": 1, "end": 2, "factor": 0}],
    }


def test_the_rules_join_the_allies_of_a_good_into_one_part(tmp_path):
    for settings, parts in [({}, 2), ({"fairness": "equal_shortage"}, 1),
                            ({"fairness": "maxmin", "fairness_weight": 10}, 1),
                            ({"release_rule": "proportional"}, 1)]:
        case = load(write_case(tmp_path / "split.xlsx", split_case(**settings)))
        assert len(independent_parts(case)) == parts, settings


SYNTHETIC_RULES = [{"fairness": "equal_shortage"},
                   {"fairness": "maxmin", "fairness_weight": 5e5},
                   {"release_rule": "proportional"},
                   {"fairness": "maxmin", "fairness_weight": 5e5,
                    "release_rule": "proportional"}]


@pytest.mark.parametrize("rules", SYNTHETIC_RULES)
def test_by_parts_equals_one_lp_with_the_rules(tmp_path, rules):
    """A synthetic case (4 allies, 5 goods) with each rule: the parts' optimum, and
    their price of fairness, equal one LP's."""
    sheets = make_case(SMALL, 3)
    sheets["Settings"].update(rules)
    case = load_case(write_case_workbook(sheets, tmp_path / "synthetic.xlsx"), Timings())[0]
    parts = independent_parts(case)
    assert len(parts) > 1
    solver = CaseSolver()
    whole = solver.solve(case, Timings())
    whole_extras = run_extras(solver, whole)
    split = solve_in_parts(case, parts, Timings(), jobs=2, also=run_extras)
    assert split.results.objective == pytest.approx(whole.results.objective, rel=1e-9)
    by_parts = merge_extras(split.per_part).fairness
    assert by_parts.price == pytest.approx(whole_extras.fairness.price, rel=1e-7, abs=1e-6)
    assert by_parts.cost_unconstrained == pytest.approx(
        whole_extras.fairness.cost_unconstrained, rel=1e-9)
    plain = solve_case(case, Timings(), formulation="plain")
    assert plain.results.objective == pytest.approx(whole.results.objective, rel=1e-9)


# --- property: equal shares never lower the objective ---------------------------------------


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fairness_properties")


@pytest.mark.parametrize("seed", SEEDS)
def test_equal_shortage_never_lowers_the_objective(workdir, seed):
    """equal_shortage only adds rows to the LP of fairness none (φ is a new column tied to
    the shortfalls), so its optimum is never below none's; the same for maxmin (rows, and
    a cost ≥ 0) and for the proportional release."""
    base = base_solve(workdir, seed)
    for rules in ({"fairness": "equal_shortage"},
                  {"fairness": "maxmin", "fairness_weight": 1000},
                  {"release_rule": "proportional"}):
        sheets = random_case(seed)
        sheets["Settings"].update(rules)
        solved = solve_sheets(workdir, sheets, f"fair{seed}{len(rules)}{rules.get('fairness')}")
        assert_not_below(solved.results.objective, base.results.objective, str(rules))


@pytest.mark.parametrize("objective", ["cvar", "worst_case"])
def test_maxmin_under_a_risk_objective(tmp_path, formulation, objective):
    """The water-filling case (uncapped) has one scenario of probability 1, so its CVaR
    and worst case are its cost: the optimum is the expected objective's, 1250, of which
    500 is the fairness term; without the rules 500, so the price of fairness is 250."""
    sheets = hub_case(100, 100, 20, 10, capacity=150, route=1000, fairness="maxmin",
                      fairness_weight=2000, objective=objective)
    solver = CaseSolver(formulation=formulation)
    solved = solver.solve(load(write_case(tmp_path / "risk.xlsx", sheets)), Timings())
    assert solved.results.objective == pytest.approx(1250.0, rel=REL)
    assert received(solved, "B") == pytest.approx(75.0, abs=ABS)
    document = fairness_json(solved.data.case, solved.results, run_extras(
        solver, solved).fairness)
    assert document["fairness_term"] == pytest.approx(500.0, rel=1e-7)
    assert document["price_of_fairness"] == pytest.approx(250.0, rel=1e-7)
