"""The supply- and demand-side levers of issue 12 on cases solved by hand (each docstring
derives the optimum), on both formulations: demand restraint, reserved supply contracts,
days-of-cover floors, tiered shortage penalties, supplier concentration.

Settings pin k = periods_per_year / H = 1 and capital_rate 1 where the arithmetic needs
it (the yearly charge per unit held is then purchase_cost + holding_cost); refill_cost 0.
"""

from __future__ import annotations

import pytest
from casebuilder import load, write_case
from casebuilder import solve_optimal as solve

from optimizer.errors import InputError
from optimizer.pipeline import Timings, load_case, solve_case

REL = 1e-9
ABS = 1e-6


def problems_of(tmp_path, sheets) -> list:
    path = write_case(tmp_path / "bad.xlsx", sheets)
    with pytest.raises(InputError) as info:
        load_case(path, Timings())
    return info.value.problems


def assert_problem(problems, sheet, cell, *fragments):
    listing = "\n".join(f"{p.sheet}!{p.cell}: {p.message}" for p in problems)
    assert any(p.sheet == sheet and p.cell == cell and all(f in p.message for f in fragments)
               for p in problems), listing


def plan_total(solved, column, scenario=None, country="A", good="g"):
    plan = solved.results.supply_plan
    rows = plan[(plan["country"] == country) & (plan["good"] == good)]
    if scenario is not None:
        rows = rows[rows["scenario"] == scenario]
    return float(rows[column].sum())


# --- demand restraint ------------------------------------------------------------------


def restraint_sheets(restraint_cost):
    """One ally, one period, k = 1: demand 10, imports at most 4 at 1 a unit, penalty 100,
    up to half the demand restrainable at `restraint_cost`; 'surge' doubles demand."""
    return {
        "Settings": {"periods": 1, "periods_per_year": 1},
        "Countries": [{"country": "A"}, {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10, "restraint_share": 0.5,
                    "restraint_cost": restraint_cost}],
        "Imports": [{"origin": "S", "destination": "A", "good": "g", "volume": 4,
                     "unit_cost": 1}],
        "Scenarios": [{"scenario": "normal", "probability": 0.5},
                      {"scenario": "surge", "probability": 0.5}],
        "Disruptions": [{"scenario": "surge", "kind": "demand_surge", "country": "A",
                         "good": "g", "start": 1, "end": 1, "factor": 2}],
    }


@pytest.mark.parametrize("cost, objective, restrained, short", [
    (30, 579.0, (5.0, 10.0), (1.0, 6.0)),
    (120, 0.5 * 604 + 0.5 * 1604, (0.0, 0.0), (6.0, 16.0)),
])
def test_restraint_is_used_before_shortage_when_cheaper(tmp_path, formulation, cost,
                                                        objective, restrained, short):
    """Imports cost 1 < both, so all 4 are bought. Restraint at 30 < penalty 100: in
    normal times the 6 missing units are restrained up to r·D = 5 (150), 1 is short
    (100): C = 4 + 150 + 100 = 254; in the surge (D·m = 20) restrained up to r·D·m = 10
    (300), 6 short (600): C = 904; objective 0.5·254 + 0.5·904 = 579. Restraint at 120 >
    100 is never used: C = 4 + 600 and 4 + 1600."""
    solved = solve(tmp_path, restraint_sheets(cost), formulation)
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    for k, scenario in enumerate(("normal", "surge")):
        assert plan_total(solved, "restrained", scenario) == pytest.approx(restrained[k],
                                                                           abs=ABS)
        assert plan_total(solved, "short", scenario) == pytest.approx(short[k], abs=ABS)
    costs = solved.results.scenario_costs.set_index("scenario")
    assert costs.loc["surge", "restraint_cost"] == pytest.approx(cost * restrained[1])


def test_restrained_and_short_together_are_at_most_the_demand(tmp_path, formulation):
    """A (demand 10, restraint of half at 1, penalty 1000) has nothing; its route to B
    (demand 10, penalty 2000, nothing else) can only carry what A holds. Without the row
    zr + z ≤ D, A could restrain 5 and be short 10 to 'export' 5 phantom units to B
    (5 + 10,000 + 10,000 = 20,005); with it A restrains 5 and is short 5, and B is
    short 10: 5 + 5,000 + 20,000 = 25,005."""
    sheets = {
        "Settings": {"periods": 1, "periods_per_year": 1},
        "Countries": [{"country": "A"}, {"country": "B"}],
        "Goods": [{"good": "g", "shortage_penalty": 1000}],
        "Demand": [{"country": "A", "good": "g", "demand": 10, "restraint_share": 0.5,
                    "restraint_cost": 1},
                   {"country": "B", "good": "g", "demand": 10, "shortage_penalty": 2000}],
        "Imports": [{"origin": "A", "destination": "B", "good": "g", "volume": 20}],
        "Scenarios": [{"scenario": "normal", "probability": 1}],
    }
    solved = solve(tmp_path, sheets, formulation)
    assert solved.results.objective == pytest.approx(25_005.0, rel=REL)
    assert plan_total(solved, "short", country="B") == pytest.approx(10.0, abs=ABS)


def test_restraint_share_needs_a_cost(tmp_path):
    sheets = restraint_sheets(None)
    problems = problems_of(tmp_path, sheets)
    assert_problem(problems, "Demand", "E2", "restraint_cost is required")


def test_restraint_share_above_one_is_refused(tmp_path):
    sheets = restraint_sheets(5)
    sheets["Demand"][0]["restraint_share"] = 1.5
    assert_problem(problems_of(tmp_path, sheets), "Demand", "D2", "restraint_share",
                   "≤ 1")


# --- reserved supply contracts ---------------------------------------------------------


def contract_sheets(extra_cost, contract_origin="Au", budget=None):
    """One ally, one period, k = 1, capital_rate 1: demand 10, penalty 100; China ships
    10 at 1 a unit and cuts all of it in 'cut' (probability 0.1); Australia has no normal
    volume (cost 2 a unit); a contract may reserve up to 10 extra a period on the route
    from `contract_origin`; stock costs 5 a unit a year (no purchase, no refill cost)."""
    imports = [{"origin": "CN", "destination": "A", "good": "g", "volume": 10,
                "unit_cost": 1},
               {"origin": "Au", "destination": "A", "good": "g", "volume": 0,
                "unit_cost": 2}]
    for route in imports:
        if route["origin"] == contract_origin:
            route.update(extra_max=10, extra_cost=extra_cost)
    return {
        "Settings": {"periods": 1, "periods_per_year": 1, "capital_rate": 1},
        "Countries": [{"country": "A", "budget": budget},
                      {"country": "CN", "role": "supplier"},
                      {"country": "Au", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10}],
        "Imports": imports,
        "Stockpiles": [{"country": "A", "good": "g", "holding_cost": 5, "refill_cost": 0}],
        "Scenarios": [{"scenario": "normal", "probability": 0.9},
                      {"scenario": "cut", "probability": 0.1}],
        "Disruptions": [{"scenario": "cut", "kind": "export_cut", "country": "CN",
                         "good": "g", "start": 1, "end": 1, "factor": 0}],
    }


def reserved(solved, origin):
    table = solved.results.contracts
    return float(table.loc[table["origin"] == origin, "reserved_extra"].sum())


@pytest.mark.parametrize("extra_cost, origin, budget, objective, extra, stock", [
    (3, "Au", None, 41.0, 10.0, 0.0),
    (6, "Au", None, 59.0, 0.0, 10.0),
    (3, "CN", None, 59.0, 0.0, 10.0),
    (3, "Au", 20, 29 + 104 / 3, 20 / 3, 0.0),
], ids=["contract-cheaper", "stock-cheaper", "contract-on-the-cut-route", "budget-binds"])
def test_reserved_contract_on_an_uncut_route_replaces_stock_when_cheaper(
        tmp_path, formulation, extra_cost, origin, budget, objective, extra, stock):
    """Normal times import China's 10 at 1 (0.9 · 10 = 9). In the cut, a unit of cover
    costs 5 a year as stock, or extra_cost a year plus 0.1 · 2 expected import cost as a
    contract on the Australian route; a unit short costs 0.1 · 100 = 10.
    - extra_cost 3: 3.2 < 5, so e = 10, x = 0: F = 30, objective 30 + 9 + 0.1 · 20 = 41.
    - extra_cost 6: 6.2 > 5, so x = 10: F = 50, objective 50 + 9 = 59.
    - a contract on the Chinese route is cut with it (v ≤ a · (volume + e), a = 0):
      worthless, so x = 10 and 59 again.
    - budget 20 (extra_cost 3): the budget row holds 3e + 5x ≤ 20; a budget unit saves
      (10 − 0.2)/3 in a contract, 10/5 in stock, so e = 20/3, x = 0, 10/3 short in the
      cut: 20 + 9 + 0.1 · (2 · 20/3 + 100 · 10/3) = 29 + 104/3."""
    solved = solve(tmp_path, contract_sheets(extra_cost, origin, budget), formulation)
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    assert reserved(solved, origin) == pytest.approx(extra, abs=ABS)
    level = float(solved.results.stockpiles["level"].iloc[0])
    assert level == pytest.approx(stock, abs=ABS)
    assert solved.results.stage_one_cost == pytest.approx(extra_cost * extra + 5 * stock,
                                                          rel=REL, abs=ABS)
    purchases = solved.results.purchases.set_index("country")
    assert purchases.loc["A", "contract_yearly_cost"] == pytest.approx(extra_cost * extra,
                                                                       abs=ABS)


# --- the report and the JSON summary ---------------------------------------------------


def test_levers_reach_the_report_and_the_json_summary(tmp_path):
    """A case with both levers: the Restraint and Supply contracts sheets, the contract
    on the Summary and in the cost split, and the JSON keys supply_contracts and
    expected_restraint (restrained units weighted by probability). The contract case at
    extra_cost 3 with a fifth of demand restrainable at 1.5: normal times import China's
    10 at 1 < 1.5; in the cut restraint costs 0.1 · 1.5 a unit in expectation against
    3.2 for contract cover, so 2 are restrained (0.1 · 2 = 0.2 expected) and 8 reserved
    (24 a year)."""
    import json

    from openpyxl import load_workbook

    from optimizer.cli import main

    sheets = contract_sheets(3)
    sheets["Demand"][0].update(restraint_share=0.2, restraint_cost=1.5)
    path = write_case(tmp_path / "levers.xlsx", sheets)
    report, summary = tmp_path / "r.xlsx", tmp_path / "s.json"
    assert main(["solve", str(path), "-o", str(report), "--json", str(summary), "-q",
                 "--no-detail"]) == 0
    document = json.loads(summary.read_text())
    assert document["supply_contracts"] == [
        {"origin": "Au", "destination": "A", "good": "g", "level": pytest.approx(8.0),
         "yearly_cost": pytest.approx(24.0)}]
    assert document["expected_restraint"] == [
        {"country": "A", "good": "g", "units": pytest.approx(0.1 * 2.0)}]
    book = load_workbook(report, read_only=True)
    assert {"Restraint", "Supply contracts"} <= set(book.sheetnames)
    texts = {str(c) for row in book["Summary"].iter_rows(values_only=True) for c in row
             if c is not None}
    assert "Supply contracts to reserve" in texts
    assert "  insurance: supply contracts" in texts
    assert "Au → A" in texts


def test_cases_without_the_levers_get_empty_lever_keys_and_no_lever_sheets(tmp_path):
    import json

    from openpyxl import load_workbook

    from optimizer.cli import main

    sheets = contract_sheets(3, contract_origin="none")
    path = write_case(tmp_path / "plain.xlsx", sheets)
    report, summary = tmp_path / "r.xlsx", tmp_path / "s.json"
    assert main(["solve", str(path), "-o", str(report), "--json", str(summary), "-q",
                 "--no-detail", "--no-extras"]) == 0
    document = json.loads(summary.read_text())
    assert document["supply_contracts"] == [] and document["expected_restraint"] == []
    assert document["expected_shortfall_by_tier"] == []
    sheet_names = set(load_workbook(report, read_only=True).sheetnames)
    assert not {"Restraint", "Supply contracts", "Shortage tiers"} & sheet_names


# --- decomposition and validation of the contract columns --------------------------------


def test_a_budget_over_a_contract_and_a_stock_of_another_good_keeps_them_together(tmp_path):
    """Ally A budgets a contract on good g and a stockpile of good h: the budget row
    holds both, so the case must not split; with another ally's contract alone the goods
    split. By parts and as one LP the optimum is the same either way."""
    from models.components import independent_parts
    from optimizer.decomposition import solve_in_parts

    sheets = contract_sheets(3, budget=20)
    sheets["Goods"].append({"good": "h", "shortage_penalty": 50})
    sheets["Demand"].append({"country": "A", "good": "h", "demand": 4})
    sheets["Stockpiles"] = [{"country": "A", "good": "h", "holding_cost": 1,
                             "refill_cost": 0}]
    sheets["Disruptions"].append({"scenario": "cut", "kind": "demand_surge",
                                  "country": "A", "good": "h", "start": 1, "end": 1,
                                  "factor": 2})
    for budget, parts_expected in ((20, 1), (None, 2)):
        sheets["Countries"][0]["budget"] = budget
        case = load(write_case(tmp_path / f"two-{budget}.xlsx", sheets))
        parts = independent_parts(case)
        assert len(parts) == parts_expected
        whole = solve_case(case, Timings())
        split = solve_in_parts(case, parts, Timings(), jobs=1) if len(parts) > 1 else whole
        assert split.results.objective == pytest.approx(whole.results.objective, rel=1e-9)


@pytest.mark.parametrize("column, value, letter, fragment", [
    ("extra_max", -1, "F", "extra_max must be a number ≥ 0"),
    ("extra_cost", "cheap", "G", "extra_cost must be a number ≥ 0"),
])
def test_contract_cells_are_checked(tmp_path, column, value, letter, fragment):
    sheets = contract_sheets(3)
    sheets["Imports"][1][column] = value
    assert_problem(problems_of(tmp_path, sheets), "Imports", f"{letter}3", fragment)


# --- policy floors in days of cover ------------------------------------------------------


def floor_sheets(min_days, basis="demand", minimum=0, maximum=None, budget=None):
    """Ally A (demand 10 a period, 30-day periods) imports 10 from S at 1 and exports 4
    to ally B (demand 4); stock at A costs 1 a unit a year (capital_rate 0); one normal
    scenario, k = 1: no stock is worth holding but the floor."""
    return {
        "Settings": {"periods": 1, "periods_per_year": 1, "capital_rate": 0,
                     "period_days": 30},
        "Countries": [{"country": "A", "budget": budget}, {"country": "B"},
                      {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10},
                   {"country": "B", "good": "g", "demand": 4}],
        "Imports": [{"origin": "S", "destination": "A", "good": "g", "volume": 14,
                     "unit_cost": 1},
                    {"origin": "A", "destination": "B", "good": "g", "volume": 4}],
        "Stockpiles": [{"country": "A", "good": "g", "min": minimum, "max": maximum,
                        "holding_cost": 1, "refill_cost": 0, "min_days": min_days,
                        "min_days_basis": basis}],
        "Scenarios": [{"scenario": "normal", "probability": 1}],
    }


@pytest.mark.parametrize("min_days, basis, minimum, level", [
    (60, "demand", 0, 20.0),
    (90, "net_imports", 0, 30.0),
    (90, "net_imports", 35, 35.0),
    (0, "demand", 5, 5.0),
])
def test_days_of_cover_floor(tmp_path, formulation, min_days, basis, minimum, level):
    """The stock is worth nothing but its floor, so x = max(min, min_days / 30 · basis):
    60 days of demand 10 a period is 20; net imports of A are 14 in − 4 out = 10 a
    period, 90 days of them 30; a min of 35 above that wins; without min_days the floor
    is min. Objective = 1 · x + 14 (A's imports at 1, k = 1)."""
    solved = solve(tmp_path, floor_sheets(min_days, basis, minimum), formulation)
    stock = solved.results.stockpiles
    assert float(stock["level"].iloc[0]) == pytest.approx(level, rel=REL)
    assert float(stock["min"].iloc[0]) == pytest.approx(level, rel=REL)
    assert solved.results.objective == pytest.approx(level + 14.0, rel=REL)


def test_days_floor_above_max_names_both_cells(tmp_path):
    problems = problems_of(tmp_path, floor_sheets(60, maximum=15))
    # Stockpiles columns: country, good, min, max, holding_cost, refill_cost, min_days
    assert_problem(problems, "Stockpiles", "D2", "max must be ≥ the days-of-cover floor 20",
                   "Stockpiles!G2", "60 days of demand")


def test_budget_that_cannot_pay_a_days_floor_names_both_cells(tmp_path):
    problems = problems_of(tmp_path, floor_sheets(60, budget=19))
    assert_problem(problems, "Countries", "B2", "cannot pay for the mandated stock floors",
                   "Stockpiles!G2", "costs 20")


def test_min_days_basis_must_be_a_known_basis(tmp_path):
    problems = problems_of(tmp_path, floor_sheets(60, basis="imports"))
    assert_problem(problems, "Stockpiles", "H2", "min_days_basis must be one of 'demand', "
                   "'net_imports'")


# --- tiered shortage penalties -----------------------------------------------------------


TWO_TIERS = [{"good": "g", "country": "*", "share": 0.3, "penalty": 2},
             {"good": "g", "country": "*", "share": 0.3, "penalty": 5}]


def tier_sheets(holding, tiers=TWO_TIERS):
    """One ally, one period, k = 1, capital_rate 1: demand 100, base penalty 10; in
    normal times (0.5) 100 are imported free; in 'cut' (0.5) the import is cut to 0, so
    only stock (holding_cost `holding` a year, no refill cost) covers it."""
    sheets = {
        "Settings": {"periods": 1, "periods_per_year": 1, "capital_rate": 1},
        "Countries": [{"country": "A"}, {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": 10}],
        "Demand": [{"country": "A", "good": "g", "demand": 100}],
        "Imports": [{"origin": "S", "destination": "A", "good": "g", "volume": 100}],
        "Stockpiles": [{"country": "A", "good": "g", "holding_cost": holding,
                        "refill_cost": 0}],
        "Scenarios": [{"scenario": "normal", "probability": 0.5},
                      {"scenario": "cut", "probability": 0.5}],
        "Disruptions": [{"scenario": "cut", "kind": "export_cut", "country": "S",
                         "start": 1, "end": 1, "factor": 0}],
    }
    if tiers:
        sheets["ShortageTiers"] = [dict(t) for t in tiers]
    return sheets


@pytest.mark.parametrize("holding, tiers, stock, objective", [
    (2, TWO_TIERS, 70.0, 2 * 70 + 0.5 * 2 * 30),
    (3, TWO_TIERS, 40.0, 3 * 40 + 0.5 * (2 * 30 + 5 * 30)),
    (6, TWO_TIERS, 0.0, 0.5 * (2 * 30 + 5 * 30 + 10 * 40)),
    (3, None, 100.0, 300.0),
    (6, None, 0.0, 500.0),
], ids=["h2-tiers", "h3-tiers", "h6-tiers", "h3-flat", "h6-flat"])
def test_tiers_give_the_interior_stock_level_of_the_marginal_value_steps(
        tmp_path, formulation, holding, tiers, stock, objective):
    """A unit of stock saves, in the cut (π = 0.5, k = 1), the penalty of the unit short
    it replaces; short units fill the cheapest tier first, so with z = 100 − x short the
    marginal value of stock is 0.5 · 10 = 5 while z > 60 (the base penalty beyond both
    tiers' 30 % + 30 %), 0.5 · 5 = 2.5 for 30 < z ≤ 60 and 0.5 · 2 = 1 for z ≤ 30.
    Stock is held while its value exceeds its yearly cost h: h = 2 → x = 70 (cost
    2 · 70 + 0.5 · 2 · 30 = 170); h = 3 → x = 40 (3 · 40 + 0.5 · (60 + 150) = 225);
    h = 6 → x = 0 (0.5 · (60 + 150 + 400) = 305). The flat penalty 10 jumps between full
    cover (h = 3 < 5: 300) and none (h = 6 > 5: 0.5 · 1000 = 500)."""
    solved = solve(tmp_path, tier_sheets(holding, tiers), formulation)
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    assert float(solved.results.stockpiles["level"].iloc[0]) == pytest.approx(stock,
                                                                              abs=ABS)
    if tiers:
        table = solved.results.shortage_tiers
        cut = table[table["scenario"] == "cut"].set_index("tier")["short"]
        short = 100.0 - stock
        assert cut.to_dict() == pytest.approx({1: min(short, 30.0),
                                               2: min(max(short - 30.0, 0.0), 30.0)})


def test_tiers_reach_the_report_and_the_json_summary(tmp_path):
    """h = 2 with two tiers: 30 short in the first tier in the cut (π = 0.5), none in
    the second: expected 15 and 0."""
    import json

    from openpyxl import load_workbook

    from optimizer.cli import main

    path = write_case(tmp_path / "tiers.xlsx", tier_sheets(2))
    report, summary = tmp_path / "r.xlsx", tmp_path / "s.json"
    assert main(["solve", str(path), "-o", str(report), "--json", str(summary), "-q",
                 "--no-detail", "--no-extras"]) == 0
    document = json.loads(summary.read_text())
    assert document["expected_shortfall_by_tier"] == [
        {"country": "A", "good": "g", "tier": 1, "share": 0.3, "penalty": 2.0,
         "units": pytest.approx(15.0)},
        {"country": "A", "good": "g", "tier": 2, "share": 0.3, "penalty": 5.0,
         "units": pytest.approx(0.0, abs=1e-9)}]
    book = load_workbook(report, read_only=True)
    assert {"Shortage tiers", "Input ShortageTiers"} <= set(book.sheetnames)


def test_a_tier_row_naming_the_ally_replaces_the_star_rows(tmp_path, formulation):
    """A's own single tier (all demand at 1) replaces both '*' tiers: with h = 2 > 0.5
    · 1 no stock is held and the cut costs 0.5 · 100 · 1 = 50."""
    tiers = [*TWO_TIERS, {"good": "g", "country": "A", "share": 1, "penalty": 1}]
    solved = solve(tmp_path, tier_sheets(2, tiers), formulation)
    assert solved.results.objective == pytest.approx(50.0, rel=REL)


@pytest.mark.parametrize("tiers, cell, fragments", [
    ([{"good": "g", "share": 0.3, "penalty": 5}, {"good": "g", "share": 0.3, "penalty": 2}],
     "D3", ("penalty must be ≥ the previous tier's", "5, row 2")),
    ([{"good": "g", "share": 0.7, "penalty": 2}, {"good": "g", "share": 0.6, "penalty": 5}],
     "C3", ("sum to 1.3", "at most 1")),
    ([{"good": "g", "share": 0.3, "penalty": 12}], "D2",
     ("above the shortage penalty 10", "Goods!B2")),
    ([{"good": "g", "share": 0, "penalty": 2}], "C2", ("share must be a number > 0",)),
    ([{"good": "g", "country": "S", "share": 0.5, "penalty": 2}], "A2", ("supplier",)),
], ids=["penalties-fall", "shares-above-one", "tier-above-base", "zero-share",
        "supplier"])
def test_tier_rules_name_their_cells(tmp_path, tiers, cell, fragments):
    sheets = tier_sheets(2, [{"country": "*", **t} for t in tiers])
    assert_problem(problems_of(tmp_path, sheets), "ShortageTiers", cell, *fragments)


def test_a_tier_above_the_demand_rows_own_penalty_names_that_cell(tmp_path):
    sheets = tier_sheets(2)
    sheets["Demand"][0]["shortage_penalty"] = 4
    assert_problem(problems_of(tmp_path, sheets), "ShortageTiers", "D3",
                   "above the shortage penalty 4 of A", "Demand!D2")


TIER_SEEDS = list(range(10))


def _with_random_tiers(sheets, rng):
    """'*' tiers for every good with demand: 1–3 tiers, shares summing to at most 1,
    penalties rising from a fraction of the good's lowest effective penalty up to at
    most that penalty (so every ally's base is at least every tier's). Returns the
    sheets and each good's cheapest tier penalty."""
    from test_properties import penalties

    effective = penalties(sheets)
    lowest: dict[str, float] = {}
    for (_, good), penalty in effective.items():
        lowest[good] = min(lowest.get(good, penalty), penalty)
    rows, cheapest = [], {}
    for good, base in lowest.items():
        count = rng.randint(1, 3)
        shares = [round(rng.uniform(0.05, 0.9 / count), 3) for _ in range(count)]
        prices = sorted(round(base * rng.uniform(0.05, 1.0), 2) for _ in range(count))
        rows += [{"good": good, "country": "*", "share": s, "penalty": p}
                 for s, p in zip(shares, prices, strict=True)]
        cheapest[good] = prices[0]
    return {**sheets, "ShortageTiers": rows}, cheapest


@pytest.mark.parametrize("seed", TIER_SEEDS)
def test_tiers_sit_between_the_flat_penalties(tmp_path, seed):
    """On random cases, with tiers whose penalties are at most the base (the rule the
    sheet enforces), the shortage cost of every plan satisfies p₁ · z ≤ P(z) ≤ base · z
    (p₁ the cheapest tier): so the optimum with tiers is never below the optimum with
    the flat penalty p₁ everywhere, never above the optimum without tiers, and raising
    one tier's penalty (keeping the order and the base) never lowers it. (Tiers never
    lower the objective against the flat cheapest-tier penalty; against the base they
    can only lower it.)"""
    import copy
    import random

    from test_properties import penalties, random_case

    rng = random.Random(9000 + seed)
    sheets = random_case(seed)
    tiered, cheapest = _with_random_tiers(sheets, rng)
    flat_low = copy.deepcopy(sheets)
    for row in flat_low["Goods"]:
        if row["good"] in cheapest:
            row["shortage_penalty"] = cheapest[row["good"]]
    for row in flat_low["Demand"]:
        if row["good"] in cheapest:
            row.pop("shortage_penalty", None)
    raised = copy.deepcopy(tiered)
    row = rng.choice(raised["ShortageTiers"])
    later = [r for r in raised["ShortageTiers"] if r["good"] == row["good"]]
    base = min(p for (_, g), p in penalties(sheets).items() if g == row["good"])
    ceiling = min([r["penalty"] for r in later[later.index(row) + 1:]] + [base])
    row["penalty"] = round(row["penalty"] + rng.uniform(0, 1) * (ceiling - row["penalty"]),
                           2)
    row["penalty"] = min(row["penalty"], ceiling)
    objective = {}
    for name, case in (("base", sheets), ("tiered", tiered), ("flat_low", flat_low),
                       ("raised", raised)):
        solved = solve(tmp_path, case, "replicated", name=f"{name}{seed}")
        objective[name] = solved.results.objective
    slack = 1e-7 * abs(objective["base"]) + 1e-6
    assert objective["flat_low"] <= objective["tiered"] + slack
    assert objective["tiered"] <= objective["base"] + slack
    assert objective["tiered"] <= objective["raised"] + slack


# --- concentration -----------------------------------------------------------------------


def origin_sheets(max_share=None, cut=False, contract=False):
    """Ally A, demand 10, one period, k = 1: China ships up to 10 at 1, Australia up to
    10 at 3; with `cut` a scenario (0.5) cuts Australia to nothing; with `contract`
    Australia has no normal volume, costs 1 and China 2, and up to 4 a period can be
    reserved on Australia's route at 0.5 a year."""
    sheets = {
        "Settings": {"periods": 1, "periods_per_year": 1},
        "Countries": [{"country": "A"}, {"country": "CN", "role": "supplier"},
                      {"country": "Au", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10}],
        "Imports": [{"origin": "CN", "destination": "A", "good": "g", "volume": 10,
                     "unit_cost": 1},
                    {"origin": "Au", "destination": "A", "good": "g", "volume": 10,
                     "unit_cost": 3}],
        "Scenarios": [{"scenario": "normal", "probability": 1}],
    }
    if max_share is not None:
        sheets["Settings"]["max_origin_share"] = max_share
    if cut:
        sheets["Scenarios"] = [{"scenario": "normal", "probability": 0.5},
                               {"scenario": "cut", "probability": 0.5}]
        sheets["Disruptions"] = [{"scenario": "cut", "kind": "export_cut", "country": "Au",
                                  "start": 1, "end": 1, "factor": 0}]
    if contract:
        sheets["Imports"][0]["unit_cost"] = 2
        sheets["Imports"][1].update(volume=0, unit_cost=1, extra_max=4, extra_cost=0.5)
    return sheets


def imported_from(solved, origin, scenario):
    plan = solved.plan.stage_two["imported"]
    k = solved.plan.scenarios.index(scenario)
    return sum(v for (o, d, g, t), v in zip(plan.indices, plan.values[k].tolist(),
                                           strict=True) if o == origin)


@pytest.mark.parametrize("max_share, cut, objective, china, hhi", [
    (None, False, 10.0, 10.0, 10_000.0),
    (0.6, False, 18.0, 6.0, 5_200.0),
    (0.6, True, 0.5 * 18 + 0.5 * 10, 6.0, 5_200.0),
    (1.0, False, 10.0, 10.0, 10_000.0),
], ids=["no-cap", "cap-0.6", "cap-only-in-normal-times", "cap-1"])
def test_max_origin_share_moves_supply_off_the_dominant_origin(
        tmp_path, formulation, max_share, cut, objective, china, hhi):
    """China is cheaper (1 against 3), so without a cap A takes all 10 from it (cost 10;
    share 100 %, HHI 10,000). With max_origin_share 0.6, v_CN ≤ 0.6 · (v_CN + v_Au): 6
    from China and 4 from Australia, 6 + 12 = 18 (share 60 %, HHI 10,000 · (0.6² + 0.4²)
    = 5,200). The cap holds in normal times only: where Australia is cut (a disrupted
    scenario) China ships all 10 (cost 10), so the objective is 0.5 · 18 + 0.5 · 10.
    A cap of 1 changes nothing."""
    solved = solve(tmp_path, origin_sheets(max_share, cut), formulation)
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    assert imported_from(solved, "CN", "normal") == pytest.approx(china, abs=ABS)
    if cut:
        assert imported_from(solved, "CN", "cut") == pytest.approx(10.0, abs=ABS)
    row = solved.results.concentration.iloc[0]
    assert (row["country"], row["good"], row["largest_origin"]) == ("A", "g", "CN")
    assert row["largest_share"] == pytest.approx(china / 10.0, abs=ABS)
    assert row["hhi"] == pytest.approx(hhi, rel=1e-7)
    assert row["supply"] == pytest.approx(10.0, abs=ABS)


def test_concentration_before_and_after_the_plan_in_the_report_and_json(tmp_path):
    """A contract on Australia's route (4 a period at 0.5 a year) saves 1 a unit in
    normal times (Australia at 1 against China at 2), so all 4 are reserved: F = 2,
    supply 4 + 6 · 2 = 16, objective 18 against 20 with no new insurance. Before the
    plan China supplies 100 % (HHI 10,000, flagged above 65 %); after it 60 % (HHI
    5,200, not flagged). The Summary lists only what is flagged after the plan."""
    import json

    from openpyxl import load_workbook

    from optimizer.cli import main

    sheets = origin_sheets(contract=True)
    # a stockpile row (never worth holding) so that the report's stock chart has a
    # series: a case without any Stockpiles row fails in the Charts sheet today
    sheets["Stockpiles"] = [{"country": "A", "good": "g", "holding_cost": 100}]
    path = write_case(tmp_path / "conc.xlsx", sheets)
    report, summary = tmp_path / "r.xlsx", tmp_path / "s.json"
    assert main(["solve", str(path), "-o", str(report), "--json", str(summary), "-q",
                 "--no-detail"]) == 0
    document = json.loads(summary.read_text())
    assert document["objective"] == pytest.approx(18.0)
    assert document["value_of_plan"]["expected_cost"]["without_plan"] == pytest.approx(20.0)
    assert document["concentration"] == [{
        "country": "A", "good": "g", "supply": pytest.approx(10.0),
        "largest_origin": "CN", "largest_share": pytest.approx(0.6),
        "hhi": pytest.approx(5200.0), "largest_origin_before": "CN",
        "largest_share_before": pytest.approx(1.0), "hhi_before": pytest.approx(10000.0),
        "over_benchmark": False}]
    book = load_workbook(report)
    assert "Concentration" in book.sheetnames
    title = "Over 65 % from one supplier in normal times (EU CRMA)"
    cell = next(c for row in book["Summary"].iter_rows() for c in row if c.value == title)
    # the title, a row of headers, then nothing flagged
    assert book["Summary"].cell(cell.row + 2, cell.column).value == "none"


def test_max_origin_share_must_be_a_share(tmp_path):
    problems = problems_of(tmp_path, origin_sheets(max_share=0))
    assert_problem(problems, "Settings", "B4", "max_origin_share must be a number > 0")
    problems = problems_of(tmp_path, origin_sheets(max_share=1.5))
    assert_problem(problems, "Settings", "B4", "≤ 1")


def test_max_origin_share_splits_by_parts_like_one_lp(tmp_path):
    """The cap's rows hold the routes into one ally and good only: a case with two
    goods still splits, and by parts it solves to the one LP's optimum (g: 18 as above;
    h: 6 from China at 1 and 4 from Australia at 3 for demand 10 → 18; total 36)."""
    from models.components import independent_parts
    from optimizer.decomposition import solve_in_parts

    sheets = origin_sheets(0.6)
    sheets["Goods"].append({"good": "h", "shortage_penalty": 100})
    sheets["Demand"].append({"country": "A", "good": "h", "demand": 10})
    sheets["Imports"] += [{**route, "good": "h"} for route in sheets["Imports"]]
    # stockpile rows never worth holding, for the report's stock chart (see above)
    sheets["Stockpiles"] = [{"country": "A", "good": good, "holding_cost": 100}
                            for good in ("g", "h")]
    case = load(write_case(tmp_path / "two.xlsx", sheets))
    parts = independent_parts(case)
    assert len(parts) == 2
    split = solve_in_parts(case, parts, Timings(), jobs=1)
    whole = solve_case(case, Timings())
    assert split.results.objective == pytest.approx(36.0, rel=REL)
    assert whole.results.objective == pytest.approx(36.0, rel=REL)
    assert len(split.results.concentration) == 2
    # the whole run by parts: the extras of each part merged, concentration before and
    # after for both goods
    import json

    from optimizer.cli import main

    summary = tmp_path / "s.json"
    assert main(["solve", str(tmp_path / "two.xlsx"), "-o", str(tmp_path / "r.xlsx"),
                 "--json", str(summary), "-q", "--no-detail", "--jobs", "1"]) == 0
    rows = json.loads(summary.read_text())["concentration"]
    assert [(r["good"], r["largest_share"], r["largest_share_before"]) for r in rows] == [
        ("g", pytest.approx(0.6), pytest.approx(0.6)),
        ("h", pytest.approx(0.6), pytest.approx(0.6))]


# --- what-if re-solves with the levers ---------------------------------------------------


def test_resolves_with_the_levers_match_fresh_solves(tmp_path):
    """A case with every lever: a new base penalty (mutable; the tiers stay) and a new
    disruption (the origin cap's on/off parameter moves with normal times) reuse the
    built model and give the fresh reference solve's optimum; a new tier rebuilds."""
    from optimizer.pipeline import CaseSolver

    def sheets_with(change):
        sheets = tier_sheets(6)
        sheets["Settings"]["max_origin_share"] = 0.7
        sheets["Countries"].append({"country": "Au", "role": "supplier"})
        sheets["Imports"].append({"origin": "Au", "destination": "A", "good": "g",
                                  "volume": 20, "unit_cost": 1, "extra_max": 50,
                                  "extra_cost": 10})
        sheets["Demand"][0].update(restraint_share=0.1, restraint_cost=4)
        sheets["Stockpiles"][0]["min_days"] = 3
        for tier in sheets["ShortageTiers"]:
            tier["share"] = 0.2  # 40 of the cut's 60 short in the tiers, 20 beyond
        change(sheets)
        return sheets

    def penalty(sheets):
        sheets["Goods"][0]["shortage_penalty"] = 20

    def normal_cut(sheets):
        sheets["Disruptions"].append({"scenario": "normal", "kind": "export_cut",
                                      "country": "Au", "start": 1, "end": 1,
                                      "factor": 0.5})

    def new_tier(sheets):
        sheets["ShortageTiers"][1]["penalty"] = 7

    solver = CaseSolver()
    base = load(write_case(tmp_path / "base.xlsx", sheets_with(lambda s: None)))
    first = solver.solve(base, Timings())
    assert first.outcome.is_optimal
    for name, change, reuses in (("penalty", penalty, True), ("normal_cut", normal_cut, True),
                                 ("new_tier", new_tier, False)):
        built = solver.lp
        case = load(write_case(tmp_path / f"{name}.xlsx", sheets_with(change)))
        again = solver.solve(case, Timings())
        assert (solver.lp is built) == reuses, name
        fresh = solve_case(case, Timings(), formulation="plain")
        assert again.results.objective == pytest.approx(fresh.results.objective, rel=1e-9)
        assert again.results.objective != pytest.approx(first.results.objective, rel=1e-6)
        back = solver.solve(base, Timings())
        assert back.results.objective == pytest.approx(first.results.objective, rel=1e-9)


def test_tier_rows_and_day_floors_without_effect_are_warned(tmp_path):
    sheets = tier_sheets(2)
    sheets["Countries"].append({"country": "B"})
    sheets["ShortageTiers"].append({"good": "g", "country": "B", "share": 0.5,
                                    "penalty": 3})
    sheets["Stockpiles"][0].update(min_days=30, min_days_basis="net_imports")
    sheets["Imports"].append({"origin": "A", "destination": "B", "good": "g",
                              "volume": 200})
    _, warnings = load_case(write_case(tmp_path / "warn.xlsx", sheets), Timings())
    places = {(w.sheet, w.cell): w.message for w in warnings}
    assert "B has no demand for g" in places["ShortageTiers", "B4"]
    # A imports 100 and exports 200: its net imports are 0
    assert "which is 0 for A and g" in places["Stockpiles", "E2"]


# --- survival times with reserved contracts ----------------------------------------------


def test_survival_fixes_reserved_contracts_with_the_plan_and_without(tmp_path, formulation):
    """The survival case of tests/test_survival.py (A: demand 10 over 8 periods, S1 ships
    4, S2 6 and is cut in the one scenario, 9 t held) with a contract of up to 6 extra a
    period on S1's route at 0.5 a year: it saves a shortfall of 100 a unit, so the plan
    reserves all 6. Knocking S2 out, S1 then carries 4 + 6 = 10: with the plan demand is
    met every period (TTS = H = 8); without new insurance there is no contract and the
    9 t of stock cover ⌊9 / 6⌋ = 1 period."""
    from test_survival import two_suppliers

    from optimizer.analyses.survival import (
        SUPPLIER,
        WITH_PLAN,
        WITHOUT_PLAN,
        Knockout,
        survival_times,
    )

    sheets = two_suppliers()
    sheets["Imports"][0].update(extra_max=6, extra_cost=0.5)
    survival = survival_times(load(write_case(tmp_path / "case.xlsx", sheets)),
                              formulation=formulation)
    knockout = Knockout(SUPPLIER, "S2", None)
    assert survival.figures[WITH_PLAN, knockout].time_to_survive == {("A", "g"): 8}
    assert survival.figures[WITHOUT_PLAN, knockout].time_to_survive == {("A", "g"): 1}


# --- fair burden sharing counts restrained demand as unmet ------------------------------


def test_equal_shortage_counts_restrained_demand_as_unmet(tmp_path, formulation):
    """A and B each need 10 (penalty 100), A imports at most 4 and B 8, free; A may
    restrain half its demand at 1 a unit. Unmet demand is restrained or short (MODEL.md),
    so under equal_shortage A's unmet 6 (5 restrained, 1 short: 5 + 100) makes B unmet
    6 as well (short: 600): 705. Without the rule B takes its 8 and is short 2: 5 + 100
    + 200 = 305. (Were only z counted, A could restrain 4 and be short 2 beside B's 2:
    404.)"""
    sheets = {
        "Settings": {"periods": 1, "periods_per_year": 1, "fairness": "equal_shortage"},
        "Countries": [{"country": "A"}, {"country": "B"},
                      {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10, "restraint_share": 0.5,
                    "restraint_cost": 1},
                   {"country": "B", "good": "g", "demand": 10}],
        "Imports": [{"origin": "S", "destination": "A", "good": "g", "volume": 4},
                    {"origin": "S", "destination": "B", "good": "g", "volume": 8}],
        "Scenarios": [{"scenario": "normal", "probability": 1}],
    }
    solved = solve(tmp_path, sheets, formulation)
    assert solved.results.objective == pytest.approx(705.0, rel=REL)
    assert plan_total(solved, "short", country="B") == pytest.approx(6.0, abs=ABS)
    sheets["Settings"]["fairness"] = "none"
    solved = solve(tmp_path, sheets, formulation, name="unfair")
    assert solved.results.objective == pytest.approx(305.0, rel=REL)


# --- the mpi-sppy engine with the levers -------------------------------------------------


@pytest.mark.skipif(__import__("importlib.util").util.find_spec("mpisppy") is None,
                    reason="the mpi extra (mpi-sppy) is not installed")
def test_the_extensive_form_through_mpisppy_equals_the_core_with_every_lever(tmp_path):
    """A reserved contract (a stage-one variable mpi-sppy must treat as non-anticipative),
    restraint, tiers, a days floor and the origin cap (a per-scenario parameter): the
    extensive form through mpi-sppy, evaluated with its stage one fixed, gives the core
    solve's optimum."""
    import json

    from optimizer.distributed.solve import run_distributed
    from optimizer.pipeline import RunRequest

    sheets = tier_sheets(3)
    sheets["Settings"]["max_origin_share"] = 0.7
    sheets["Countries"].append({"country": "Au", "role": "supplier"})
    sheets["Imports"].append({"origin": "Au", "destination": "A", "good": "g",
                              "volume": 20, "unit_cost": 1, "extra_max": 50,
                              "extra_cost": 1.2})
    sheets["Demand"][0].update(restraint_share=0.1, restraint_cost=4)
    sheets["Stockpiles"][0]["min_days"] = 3
    path = write_case(tmp_path / "levers.xlsx", sheets)
    core = solve_case(load(path), Timings())
    assert float(core.results.contracts["reserved_extra"].iloc[0]) > 0
    request = RunRequest(case_path=path, report_path=tmp_path / "ef.xlsx",
                         summary_path=tmp_path / "ef.json", detail=False)
    result = run_distributed(request, "ef")
    assert result.run.exit_code == 0, result.run.error
    document = json.loads((tmp_path / "ef.json").read_text())
    assert document["objective"] == pytest.approx(core.results.objective, rel=1e-7)
    assert document["supply_contracts"][0]["level"] == pytest.approx(
        float(core.results.contracts["reserved_extra"].iloc[0]), rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("formulation_", ["replicated", "plain"])
def test_the_alliance_budget_pays_for_reserved_contracts_too(tmp_path, formulation_):
    """The budget-binds contract case with Settings alliance_budget 20 instead of A's own
    budget: the alliance's row holds every ally's share of F, contracts included, so the
    optimum is the same, 29 + 104/3, with e = 20/3."""
    sheets = contract_sheets(3)
    sheets["Settings"]["alliance_budget"] = 20
    solved = solve(tmp_path, sheets, formulation_)
    assert solved.results.objective == pytest.approx(29 + 104 / 3, rel=REL)
    assert reserved(solved, "Au") == pytest.approx(20 / 3, abs=ABS)
