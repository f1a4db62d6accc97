"""Shadow prices that mean something to a planner, checked on one-period cases where
the value of one more unit of a limit is known by hand (positive = a saving per year).

Model v2 settings pinned in every case: periods_per_year 1 (k = 1, so a scenario's cost
counts once), a demand_surge row of factor 1 from period 1 (the scenario's onset is 1,
so stock, spare capacity and sharing may act; without any Disruptions row it would be
normal times, where they are idle). Stock is charged (capital_rate + loss_rate) ·
purchase_cost + holding_cost per unit held and refill_cost (default: purchase_cost) per
unit drawn; each docstring says which apply. tests/test_model_v2.py has the same limits
with k ≠ 1.
"""

from __future__ import annotations

import pytest
from casebuilder import load, write_case

from optimizer.pipeline import Timings, solve_case

VALUE = "value"


def single_period(settings=None, **sheets) -> dict:
    """Ally A needs 10 in one period, penalty 100, one scenario of probability 1 whose
    onset is period 1; k = 1."""
    case = {
        "Settings": {"periods": 1, "periods_per_year": 1, **(settings or {})},
        "Countries": [{"country": "A"}, {"country": "B"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10}],
        "Scenarios": [{"scenario": "only", "probability": 1}],
        "Disruptions": [{"scenario": "only", "kind": "demand_surge", "country": "*",
                         "good": "*", "start": 1, "factor": 1}],
    }
    case.update(sheets)
    return case


def shadow(tmp_path, formulation, sheets, limit):
    case = load(write_case(tmp_path / "case.xlsx", sheets))
    solved = solve_case(case, Timings(), formulation=formulation)
    table = solved.results.shadow_prices
    return solved.results.objective, table[table["limit"] == limit]


def test_storage_limit(tmp_path, formulation):
    """x ≤ 6 binds: purchase_cost 0 (so no capital charge and refill_cost 0), holding
    1: 6 held (6) and 4 short (100 each): 406. One more unit of storage replaces a unit
    short: saves 100 − 1 = 99."""
    objective, rows = shadow(tmp_path, formulation, single_period(Stockpiles=[
        {"country": "A", "good": "g", "max": 6, "holding_cost": 1}]), "storage limit")
    assert objective == pytest.approx(406)
    assert rows[VALUE].tolist() == pytest.approx([99])


def test_stock_floor(tmp_path, formulation):
    """No demand for stock at B but a floor of 5 there at holding 2 and purchase 3,
    capital_rate 0.1: each unit held costs 0.1 · 3 + 2 = 2.3 a year (value −2.3), never
    drawn (nothing at B to draw it for). A is short 10: 11.5 + 1000 = 1011.5."""
    objective, rows = shadow(tmp_path, formulation, single_period(
        {"capital_rate": 0.1},
        Stockpiles=[{"country": "B", "good": "g", "min": 5, "holding_cost": 2,
                     "purchase_cost": 3}]),
        "stock floor")
    assert objective == pytest.approx(11.5 + 1000)
    assert rows[VALUE].tolist() == pytest.approx([-2.3])


def test_budget(tmp_path, formulation):
    """Stock at purchase 5 with capital_rate 1 and refill_cost 0 (5 a year per unit
    held, drawing free) and a budget of 20: 4 held, 6 short: 20 + 600 = 620. One more
    currency unit holds 0.2 units more, saving 0.2 × 100 − 1 = 19."""
    sheets = single_period({"capital_rate": 1}, Stockpiles=[
        {"country": "A", "good": "g", "purchase_cost": 5, "refill_cost": 0}])
    sheets["Countries"][0]["budget"] = 20
    objective, rows = shadow(tmp_path, formulation, sheets, "budget")
    assert objective == pytest.approx(620)
    assert rows[VALUE].tolist() == pytest.approx([19])


def test_budget_with_the_capital_charge_and_refill(tmp_path, formulation):
    """As above with the defaults of v2: capital_rate 0.5 (set), refill_cost =
    purchase_cost = 5 (blank). A unit held costs 0.5 · 5 = 2.5 a year, drawing it 5.
    Budget 20: 2.5x ≤ 20 → x = 8 (each unit saves 100 − 5 − 2.5 > 0), short 2:
    F 20 + refill 40 + shortage 200 = 260. The objective is 1000 − 92.5x with
    x = B / 2.5, i.e. 1000 − 37B: one more currency unit saves 37."""
    sheets = single_period({"capital_rate": 0.5}, Stockpiles=[
        {"country": "A", "good": "g", "purchase_cost": 5}])
    sheets["Countries"][0]["budget"] = 20
    objective, rows = shadow(tmp_path, formulation, sheets, "budget")
    assert objective == pytest.approx(260)
    assert rows[VALUE].tolist() == pytest.approx([37])


def test_link_capacity(tmp_path, formulation):
    """B produces at 1 and ships to A at 0.5, 4 units at most: 4 × 1.5 + 6 × 100 = 606.
    One more unit of capacity saves 100 − 1.5 = 98.5."""
    objective, rows = shadow(tmp_path, formulation, single_period(
        Production=[{"country": "B", "good": "g", "capacity": 20, "unit_cost": 1}],
        Sharing=[{"from": "B", "to": "A", "good": "g", "unit_cost": 0.5, "capacity": 4}]),
        "link capacity")
    assert objective == pytest.approx(606)
    assert rows[VALUE].tolist() == pytest.approx([98.5])


def test_spare_limit(tmp_path, formulation):
    """No capacity, spare up to 3 at 2 a year with no ramp-up (it runs from the onset,
    period 1): 3 × 2 + 7 × 100 = 706. One more unit of spare limit saves 100 − 2 = 98."""
    objective, rows = shadow(tmp_path, formulation, single_period(Production=[
        {"country": "A", "good": "g", "capacity": 0, "spare_cost": 2, "spare_max": 3}]),
        "spare limit")
    assert objective == pytest.approx(706)
    assert rows[VALUE].tolist() == pytest.approx([98])
