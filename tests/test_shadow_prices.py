"""Shadow prices that mean something to a planner, checked on one-period cases where
the value of one more unit of a limit is known by hand (positive = a saving per year)."""

from __future__ import annotations

import pytest
from casebuilder import load, write_case

from optimizer.pipeline import Timings, solve_case

VALUE = "value"


def single_period(**sheets) -> dict:
    """Ally A needs 10 in one period, penalty 100, one scenario of probability 1."""
    case = {
        "Settings": {"periods": 1},
        "Countries": [{"country": "A"}, {"country": "B"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10}],
        "Scenarios": [{"scenario": "only", "probability": 1}],
    }
    case.update(sheets)
    return case


@pytest.fixture(params=["replicated", "plain"])
def formulation(request):
    return request.param


def shadow(tmp_path, formulation, sheets, limit):
    case = load(write_case(tmp_path / "case.xlsx", sheets))
    solved = solve_case(case, Timings(), formulation=formulation)
    table = solved.results.shadow_prices
    return solved.results.objective, table[table["limit"] == limit]


def test_storage_limit(tmp_path, formulation):
    """x ≤ 6 binds: 6 held (holding 1) and 4 short (100 each): 406. One more unit of
    storage replaces a unit short: saves 100 − 1 = 99."""
    objective, rows = shadow(tmp_path, formulation, single_period(Stockpiles=[
        {"country": "A", "good": "g", "max": 6, "holding_cost": 1}]), "storage limit")
    assert objective == pytest.approx(406)
    assert rows[VALUE].tolist() == pytest.approx([99])


def test_stock_floor(tmp_path, formulation):
    """No demand for stock at B but a floor of 5 there at holding 2 and purchase 3:
    each unit of floor costs 5 a year (value −5)."""
    objective, rows = shadow(tmp_path, formulation, single_period(Stockpiles=[
        {"country": "B", "good": "g", "min": 5, "holding_cost": 2, "purchase_cost": 3}]),
        "stock floor")
    assert objective == pytest.approx(25 + 1000)
    assert rows[VALUE].tolist() == pytest.approx([-5])


def test_budget(tmp_path, formulation):
    """Stock at purchase 5 with a budget of 20: 4 bought, 6 short: 620. One more
    currency unit buys 0.2 units, saving 0.2 × (100 − 5) = 19."""
    sheets = single_period(Stockpiles=[{"country": "A", "good": "g", "purchase_cost": 5}])
    sheets["Countries"][0]["budget"] = 20
    objective, rows = shadow(tmp_path, formulation, sheets, "budget")
    assert objective == pytest.approx(620)
    assert rows[VALUE].tolist() == pytest.approx([19])


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
    """No capacity, spare up to 3 at 2 a year with no ramp-up: 3 × 2 + 7 × 100 = 706.
    One more unit of spare limit saves 100 − 2 = 98."""
    objective, rows = shadow(tmp_path, formulation, single_period(Production=[
        {"country": "A", "good": "g", "capacity": 0, "spare_cost": 2, "spare_max": 3}]),
        "spare limit")
    assert objective == pytest.approx(706)
    assert rows[VALUE].tolist() == pytest.approx([98])
