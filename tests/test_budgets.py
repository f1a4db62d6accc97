"""Budgets (issue 12): an ally's yearly budget and purchase budget, the alliance's yearly
and purchase budgets. Each binding budget is checked on a one-period case whose
marginal value is worked out by hand, on both solve paths; the parts of a case a budget
joins stay together and by parts equals one LP; re-solves with a new budget reuse the
built model; on random cases a larger budget never raises the optimal expected cost.

The cases extend `test_shadow_prices.single_period`: one period, one scenario of
probability 1 whose onset is period 1, k = 1, so a unit short costs its penalty once
and a unit held its yearly cost once. refill_cost 0: drawing stock is free.
"""

from __future__ import annotations

import dataclasses
import random

import pytest
from casebuilder import load, write_case
from test_properties import SEEDS, random_case
from test_shadow_prices import single_period

from benchmarks.synthetic import SizeSpec, make_case, write_case_workbook
from models.components import independent_parts
from optimizer.decomposition import solve_in_parts
from optimizer.pipeline import CaseSolver, Timings, load_case, solve_case
from optimizer.report.summary import summary


def stock(country, good="g", **fields):
    return {"country": country, "good": good, "refill_cost": 0, **fields}


def two_allies(settings, b_stock=None):
    """A needs 10 (penalty 100), B needs 10 (penalty 50, its Demand override); each can
    hold stock of g at purchase 5."""
    sheets = single_period(settings, Stockpiles=[
        stock("A", purchase_cost=5), stock("B", purchase_cost=5, **(b_stock or {}))])
    sheets["Demand"].append({"country": "B", "good": "g", "demand": 10,
                             "shortage_penalty": 50})
    return sheets


def solved_prices(tmp_path, formulation, sheets):
    case = load(write_case(tmp_path / "case.xlsx", sheets))
    solved = solve_case(case, Timings(), formulation=formulation)
    assert solved.outcome.is_optimal
    return case, solved


def marginal(solved, limit):
    prices = solved.results.shadow_prices
    return prices.loc[prices["limit"] == limit, "value"].tolist()


def test_purchase_budget_over_several_stockpiles(tmp_path, formulation):
    """A needs 10 of g (penalty 100) and 10 of h (penalty 60), holds 4 of h already;
    both stocks cost 5 to buy and, with capital_rate 0.1, 0.5 a year to hold (initial
    stock included). Its purchase budget of 60 buys 12 units: g first (10 units, 50;
    each saves 100 − 0.5), then 2 of h (10), so h holds 4 + 2 = 6 and is 4 short.
    Objective: 16 held × 0.5 + 4 × 60 = 248. One more USD buys 0.2 units of h, saving
    0.2 × (60 − 0.5) = 11.9 a year. The initial 4 are not charged to the budget: with
    u ≥ x − initial, u_h = 2."""
    sheets = single_period({"capital_rate": 0.1}, Stockpiles=[
        stock("A", purchase_cost=5), stock("A", "h", purchase_cost=5, initial=4)])
    sheets["Goods"].append({"good": "h", "shortage_penalty": 60})
    sheets["Demand"].append({"country": "A", "good": "h", "demand": 10})
    sheets["Countries"][0]["purchase_budget"] = 60
    case, solved = solved_prices(tmp_path, formulation, sheets)
    assert solved.results.objective == pytest.approx(248.0, rel=1e-9)
    levels = solved.results.stockpiles.set_index("good")["level"]
    assert levels.to_dict() == pytest.approx({"g": 10.0, "h": 6.0})
    assert marginal(solved, "purchase budget") == pytest.approx([11.9], rel=1e-9)
    assert solved.plan.stage_one["bought"].by_index() == pytest.approx(
        {("A", "g"): 10.0, ("A", "h"): 2.0})
    document = summary(case, solved.outcome, solved.results, {})
    assert document["budgets"] == [{
        "kind": "purchase_budget", "country": "A", "limit": 60.0,
        "marginal_value": pytest.approx(11.9, rel=1e-9),
        "meaning": "One more USD of A's purchase budget (one-time, now 60) would save "
                   "11.9 USD a year in expected cost."}]


def test_alliance_budget_caps_every_ally_together(tmp_path, formulation):
    """capital_rate 1: a unit held costs 5 a year. The alliance's 60 a year holds 12
    units: A's 10 first (each saves 100 − 5), then 2 at B (each saves 50 − 5); B is 8
    short: 60 + 8 × 50 = 460. One more USD a year holds 0.2 units more at B: saves
    0.2 × 50 − 1 = 9. A's own budget of 1,000 does not bind (value 0)."""
    sheets = two_allies({"capital_rate": 1, "alliance_budget": 60})
    sheets["Countries"][0]["budget"] = 1000
    case, solved = solved_prices(tmp_path, formulation, sheets)
    assert solved.results.objective == pytest.approx(460.0, rel=1e-9)
    assert marginal(solved, "alliance budget") == pytest.approx([9.0], rel=1e-9)
    assert marginal(solved, "budget") == pytest.approx([0.0], abs=1e-9)
    assert independent_parts(case) == [case]  # the row joins A's and B's stock
    alone = dataclasses.replace(case, settings=dataclasses.replace(case.settings,
                                                                   alliance_budget=None))
    assert len(independent_parts(alone)) == 2
    kinds = {(b["kind"], b["country"]) for b in
             summary(case, solved.outcome, solved.results, {})["budgets"]}
    assert kinds == {("alliance_budget", None), ("budget", "A")}


def test_alliance_purchase_budget(tmp_path, formulation):
    """capital_rate 0.1: a unit held costs 0.5 a year; B holds 3 already. The alliance's
    one-time 60 buys 12 units: A's 10 (50), then 2 at B (10): B holds 5, 5 short.
    Objective: 15 held × 0.5 + 5 × 50 = 257.5. One more USD buys 0.2 units at B:
    0.2 × (50 − 0.5) = 9.9 a year."""
    sheets = two_allies({"capital_rate": 0.1, "alliance_purchase_budget": 60},
                        b_stock={"initial": 3})
    case, solved = solved_prices(tmp_path, formulation, sheets)
    assert solved.results.objective == pytest.approx(257.5, rel=1e-9)
    assert marginal(solved, "alliance purchase budget") == pytest.approx([9.9], rel=1e-9)
    assert independent_parts(case) == [case]


def test_yearly_budget_marginal_value_sentence(tmp_path):
    """A's yearly budget of 20 at 5 a year per unit (capital_rate 1) holds 4: 20 + 600;
    one more USD a year saves 0.2 × 100 − 1 = 19 (tests/test_shadow_prices.py has the
    optimum on both paths; here the sentence and the JSON)."""
    sheets = single_period({"capital_rate": 1}, Stockpiles=[stock("A", purchase_cost=5)])
    sheets["Countries"][0]["budget"] = 20
    case, solved = solved_prices(tmp_path, "replicated", sheets)
    (entry,) = summary(case, solved.outcome, solved.results, {})["budgets"]
    assert entry["kind"] == "budget" and entry["marginal_value"] == pytest.approx(19.0)
    assert entry["meaning"] == ("One more USD a year of budget for A (now 20) would lower "
                                "the expected cost by 19 USD a year.")


@pytest.mark.parametrize("field, base, other", [
    ("alliance_budget", 60, 75), ("alliance_purchase_budget", 60, 80)])
def test_a_new_budget_value_reuses_the_built_model(tmp_path, field, base, other):
    """The budget values are mutable parameters: a new value re-solves the built LP
    (warm start) and gives the optimum of a fresh solve."""
    sheets = two_allies({"capital_rate": 1 if field == "alliance_budget" else 0.1,
                         field: base})
    case = load(write_case(tmp_path / "case.xlsx", sheets))
    solver = CaseSolver()
    first = solver.solve(case, Timings())
    built = solver.lp
    changed = dataclasses.replace(case, settings=dataclasses.replace(case.settings,
                                                                     **{field: other}))
    second = solver.solve(changed, Timings())
    assert solver.lp is built
    fresh = solve_case(changed, Timings(), formulation="plain")
    assert second.results.objective == pytest.approx(fresh.results.objective, rel=1e-9)
    assert second.results.objective < first.results.objective - 1.0


def test_a_new_purchase_budget_value_reuses_the_built_model(tmp_path):
    sheets = two_allies({"capital_rate": 0.1})
    sheets["Countries"][1]["purchase_budget"] = 10
    case = load(write_case(tmp_path / "case.xlsx", sheets))
    solver = CaseSolver()
    first = solver.solve(case, Timings())
    built = solver.lp
    countries = {**case.countries, "B": dataclasses.replace(case.countries["B"],
                                                            purchase_budget=30)}
    second = solver.solve(dataclasses.replace(case, countries=countries), Timings())
    assert solver.lp is built
    # B buys 2 then 6 units: 4 more units short avoided at 50 − 0.5 each
    assert first.results.objective - second.results.objective == pytest.approx(
        4 * 49.5, rel=1e-9)


SMALL = SizeSpec(allies=4, goods=5, periods=4, scenarios=5, suppliers=2, link_pairs=4,
                 recipes=1)


@pytest.mark.parametrize("seed", range(3))
def test_by_parts_equals_one_lp_with_purchase_budgets(tmp_path, seed):
    """A purchase budget (half what the ally buys unconstrained) joins its ally's
    stockpiles; its row lies in one part; solved by parts, the optimum and the budget's
    marginal value are those of one LP."""
    sheets = make_case(SMALL, seed)
    case = load_case(write_case_workbook(sheets, tmp_path / f"case{seed}.xlsx"),
                     Timings())[0]
    bought = solve_case(case, Timings()).results.stockpiles.sort_values(
        "purchase_outlay", ascending=False)
    ally = bought["country"].iloc[0]  # the largest buyer keeps its two largest purchases
    mine = [tuple(k) for k in bought.loc[bought["country"] == ally,
                                         ["country", "good"]].to_numpy()[:2]]
    case = dataclasses.replace(case, stockpiles={
        k: v for k, v in case.stockpiles.items() if k[0] != ally or k in mine})
    free = solve_case(case, Timings())
    outlay = free.results.stockpiles.groupby("country")["purchase_outlay"].sum()
    assert outlay[ally] > 0
    floor = _floor(case, "purchase_budget", ally)
    capped = _with_budget(case, "purchase_budget", ally,
                          floor + 0.5 * (outlay[ally] - floor))
    parts = independent_parts(capped)
    assert len(parts) > 1
    holding = [p for p in parts if any(n == ally for n, _ in p.stockpiles)]
    assert len(holding) == 1
    assert [p.countries[ally].purchase_budget is not None for p in parts].count(True) == 1
    whole = solve_case(capped, Timings())
    split = solve_in_parts(capped, parts, Timings(), jobs=2)
    assert split.results.objective == pytest.approx(whole.results.objective, rel=1e-9)
    assert whole.results.objective > free.results.objective + 1.0

    def values(solved):
        prices = solved.results.shadow_prices
        prices = prices[prices["limit"] == "purchase budget"]
        return dict(zip(prices["country"], prices["value"], strict=True))

    assert values(split) == pytest.approx(values(whole), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("field", ["alliance_budget", "alliance_purchase_budget"])
def test_an_alliance_budget_joins_every_stockpile_and_by_parts_equals_one_lp(tmp_path,
                                                                           field):
    """The alliance's budget (half of what the unconstrained plan uses above the floors)
    joins every ally's stockpiles into the one part that holds its row; solved by parts,
    the optimum and its marginal value are those of one LP."""
    sheets = make_case(SMALL, 0)
    case = load_case(write_case_workbook(sheets, tmp_path / "case.xlsx"), Timings())[0]
    assert len(independent_parts(case)) > 1
    free = solve_case(case, Timings()).results
    used = (free.stage_one_cost if field == "alliance_budget"
            else float(free.stockpiles["purchase_outlay"].sum()))
    floor = _floor(case, field, None)
    capped = _with_budget(case, field, None, floor + 0.5 * (used - floor))
    parts = independent_parts(capped)
    assert sum(getattr(p.settings, field) is not None for p in parts) == 1
    assert len([p for p in parts if p.stockpiles]) == 1
    whole = solve_case(capped, Timings())
    split = solve_in_parts(capped, parts, Timings(), jobs=2)
    assert whole.results.objective > free.objective + 1.0
    assert split.results.objective == pytest.approx(whole.results.objective, rel=1e-9)
    limit = field.replace("_", " ")
    assert marginal(split, limit) == pytest.approx(marginal(whole, limit), rel=1e-6)
    assert marginal(whole, limit)[0] > 0


# --- a larger budget never raises the optimal expected cost -----------------------------


def _with_budget(case, kind, ally, value):
    if kind.startswith("alliance"):
        return dataclasses.replace(case, settings=dataclasses.replace(case.settings,
                                                                      **{kind: value}))
    return dataclasses.replace(case, countries={
        **case.countries, ally: dataclasses.replace(case.countries[ally], **{kind: value})})


def _floor(case, kind, ally):
    """What the budget must pay at least (the validation's floor rule)."""
    rate = case.settings.capital_rate
    cost = ((lambda s: s.floor_purchase) if "purchase" in kind
            else (lambda s: s.yearly_cost_per_unit(rate) * s.min))
    return sum(cost(s) for (n, _), s in case.stockpiles.items()
               if ally is None or n == ally)


@pytest.mark.parametrize("seed", SEEDS[:12])
def test_a_larger_budget_never_raises_the_optimal_cost(tmp_path, seed):
    """Random cases (tests/test_properties.py's generator) with one random budget kind
    (an ally's: one that buys stock when unconstrained, if any): from its floor to what
    the unconstrained plan uses, at a few increasing values, the optimal expected cost
    never rises, never falls below the unconstrained one, and reaches it once the
    budget pays for the unconstrained plan."""
    rng = random.Random(1000 + seed)
    case = load(write_case(tmp_path / f"r{seed}.xlsx", random_case(seed)))
    solver = CaseSolver()
    free = solver.solve(case, Timings())
    assert free.outcome.is_optimal
    kind = rng.choice(["budget", "purchase_budget", "alliance_budget",
                       "alliance_purchase_budget"])
    stocks = free.results.stockpiles
    buyers = sorted(set(stocks.loc[stocks["level"] > stocks["initial"], "country"]))
    ally = None if kind.startswith("alliance") else rng.choice(buyers or case.allies)
    if kind.endswith("purchase_budget"):
        rows = stocks if ally is None else stocks[stocks["country"] == ally]
        used = float(rows["purchase_outlay"].sum())
    elif ally is None:
        used = free.results.stage_one_cost
    else:
        used = float(free.results.purchases.set_index("country")["yearly_cost"].get(ally, 0))
    floor = _floor(case, kind, ally)
    if kind == "budget" and case.countries[ally].budget is not None:
        return  # the generator's own budget: leave it
    values = sorted(floor + (max(used, floor) - floor) * rng.random() for _ in range(4))
    previous = None
    for value in values + [max(used, floor) * 1.01 + 1]:
        solved = solver.solve(_with_budget(case, kind, ally, value), Timings())
        assert solved.outcome.is_optimal, (kind, value)
        objective = solved.results.objective
        assert objective >= free.results.objective * (1 - 1e-7) - 1e-6
        if previous is not None:
            assert objective <= previous * (1 + 1e-7) + 1e-6, (kind, value)
        previous = objective
    assert previous == pytest.approx(free.results.objective, rel=1e-7, abs=1e-6)


def test_the_report_and_json_give_every_budget_its_sentence(tmp_path):
    """test_alliance_purchase_budget's case with A's own purchase budget of 100 (slack)
    and the alliance's yearly budget of 1,000 (slack): the report's Shadow prices sheet
    and the JSON summary carry each budget with its marginal value and sentence."""
    import json

    import openpyxl

    from optimizer.cli import main

    sheets = two_allies({"capital_rate": 0.1, "alliance_purchase_budget": 60,
                         "alliance_budget": 1000}, b_stock={"initial": 3})
    sheets["Countries"][0]["purchase_budget"] = 100
    case = write_case(tmp_path / "budgets.xlsx", sheets)
    report, document = tmp_path / "report.xlsx", tmp_path / "summary.json"
    assert main(["solve", str(case), "-o", str(report), "--json", str(document), "-q",
                 "--no-extras", "--no-detail"]) == 0
    budgets = {(b["kind"], b["country"]): b for b in json.loads(document.read_text())[
        "budgets"]}
    assert budgets["alliance_purchase_budget", None]["marginal_value"] == pytest.approx(9.9)
    assert budgets["purchase_budget", "A"]["marginal_value"] == pytest.approx(0, abs=1e-9)
    assert budgets["alliance_budget", None]["marginal_value"] == pytest.approx(0, abs=1e-9)
    sheet = openpyxl.load_workbook(report)["Shadow prices"]
    texts = {cell.value for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str)}
    assert ("One more USD of the alliance's purchase budget (one-time, all allies "
            "together, now 60) would save 9.9 USD a year in expected cost.") in texts
    assert "The purchase budget of A does not bind: more would save nothing." in texts
    assert "The alliance's budget does not bind: more would save nothing." in texts


def test_under_a_risk_objective_the_sentence_says_what_the_value_measures(tmp_path):
    """test_alliance_purchase_budget's case (one scenario of probability 1, so its CVaR
    is its cost and the optimum the same) with objective cvar: the marginal value is
    still 9.9, and it is one of the objective minimised, not of the expected cost."""
    from optimizer.report.decision import shadow_price_meanings

    sheets = two_allies({"capital_rate": 0.1, "alliance_purchase_budget": 60,
                         "objective": "cvar"}, b_stock={"initial": 3})
    case, solved = solved_prices(tmp_path, "replicated", sheets)
    assert marginal(solved, "alliance purchase budget") == pytest.approx([9.9], rel=1e-9)
    prices = solved.results.shadow_prices
    (sentence,) = shadow_price_meanings(
        prices[prices["limit"] == "alliance purchase budget"], case)
    assert sentence.endswith("would save 9.9 USD a year in the objective minimised (cvar).")
