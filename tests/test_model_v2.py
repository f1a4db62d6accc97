"""Hand-solved cases for what model v2 changed (issue 8), each solved by both
formulations (the replicated fast path and the plain reference), the optimum derived in
each docstring.

v2 in one paragraph (MODEL.md, "The linear program"): objective F + k·Σ_ω π_ω C_ω with
k = periods_per_year / H (periods_per_year defaults to round(365 / period_days), 12 for
30-day periods); F = Σ ((r + δ)·purchase_cost + holding_cost)·x + Σ spare_cost·y, r the
capital_rate (default 0.05), δ the loss_rate, x every unit held (initial included);
a unit drawn costs refill_cost (default purchase_cost) in C_ω; stock, reserved spare and
sharing act only from the onset t0_ω (the smallest start of ω's Disruptions rows) plus
release_lag, ramp_periods and activation_lag, and never in a scenario without
Disruptions rows; an ally origin of an Imports route ships out of its own balance;
recipes use their inputs from the producer's own balance in the same period.
"""

from __future__ import annotations

import pytest
from casebuilder import load, write_case

from optimizer.pipeline import Timings, solve_case

REL = 1e-9
ABS_QTY = 1e-6


def solve(tmp_path, formulation, sheets, name="case"):
    path = write_case(tmp_path / f"{name}.xlsx", sheets)
    solved = solve_case(load(path), Timings(), formulation=formulation)
    assert solved.outcome.status == "optimal"
    assert solved.results is not None
    return solved


def approx_list(values):
    return pytest.approx([float(v) for v in values], rel=REL, abs=ABS_QTY)


def plan_column(solved, scenario, column, country="A", good="g"):
    plan = solved.results.supply_plan
    rows = plan[(plan["scenario"] == scenario) & (plan["country"] == country)
                & (plan["good"] == good)].sort_values("period")
    assert len(rows), f"no plan rows for {scenario, country, good}"
    return [float(v) for v in rows[column]]


def table_row(table, **match):
    rows = table
    for column, value in match.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, f"{len(rows)} rows for {match}"
    return rows.iloc[0]


def stock_level(solved, country="A", good="g"):
    return float(table_row(solved.results.stockpiles, country=country, good=good)["level"])


def spare_level(solved, country="A", good="g"):
    return float(table_row(solved.results.spare_capacity, country=country,
                           good=good)["reserved"])


def shipments_of(solved, scenario):
    table = solved.results.shipments
    rows = table[table["scenario"] == scenario]
    return {(int(r["period_sent"]), r["period_arriving"]): float(r["units"])
            for _, r in rows.iterrows()}


def scenario_cost(solved, scenario, column="total_cost"):
    return float(table_row(solved.results.scenario_costs, scenario=scenario)[column])


def assert_shipments(got, expected):
    assert set(got) == set(expected)
    for key, units in expected.items():
        assert got[key] == pytest.approx(units, rel=REL, abs=ABS_QTY)


def onset_row(scenario, country="*", good="*", start=1):
    """A demand_surge of factor 1: no demand changes, but it sets the onset."""
    return {"scenario": scenario, "kind": "demand_surge", "country": country, "good": good,
            "start": start, "factor": 1}


# --- the v2 newsvendor -----------------------------------------------------------------------


def newsvendor_cost(x, yearly, k, penalty, refill, demands, probabilities):
    """F + k·Σ π C for stock x: every unit held costs `yearly`; in scenario ω the
    min(x, d) units drawn cost refill each (drawing is optional: a unit is drawn only if
    refill < penalty) and the rest of d is short."""
    drawn_cost = min(refill, penalty)
    return yearly * x + k * sum(
        pi * (drawn_cost * min(x, d) + penalty * max(0.0, d - x))
        for d, pi in zip(demands, probabilities, strict=True))


def fractile_rule(yearly, k, penalty, refill, demands, probabilities):
    """x* = the smallest shortfall level with P(d ≤ x) ≥ 1 − yearly / (k·(penalty −
    refill)); 0 when that ratio is ≤ 0 or penalty ≤ refill (a unit drawn saves nothing)."""
    if penalty <= refill:
        return 0.0
    ratio = 1.0 - yearly / (k * (penalty - refill))
    if ratio <= 0:
        return 0.0
    cumulative = 0.0
    for d, pi in sorted(zip(demands, probabilities, strict=True)):
        cumulative += pi
        if cumulative >= ratio - 1e-12:
            return d
    raise AssertionError("probabilities do not reach the ratio")


TEN = [20.0 * i for i in range(1, 11)]  # d = 20, 40, ..., 200, each with π = 0.1
NEWSVENDOR_V2 = [
    # id, periods_per_year (H = 1, so k = it), capital_rate, loss_rate, purchase, holding,
    # refill, penalty
    ("k1-capital-charge", 1, 0.05, 0.0, 40.0, 1.5, 0.0, 10.0),
    ("k4", 4, 0.05, 0.0, 40.0, 1.5, 0.0, 10.0),
    ("loss-rate", 1, 0.05, 0.3, 10.0, 1.0, 0.0, 10.0),
    ("refill-cost", 1, 0.05, 0.0, 20.0, 0.5, 4.0, 10.0),
    ("all-k3", 3, 0.1, 0.1, 10.0, 0.1, 3.0, 5.0),
    ("k-half", 0.5, 0.05, 0.0, 10.0, 0.25, 2.0, 10.0),
    ("ratio-below-zero", 1, 0.05, 0.0, 100.0, 1.0, 5.0, 10.0),
    ("refill-above-penalty", 1, 0.05, 0.0, 2.0, 0.0, 12.0, 10.0),
]


@pytest.mark.parametrize("per_year, rate, loss, purchase, holding, refill, penalty",
                         [c[1:] for c in NEWSVENDOR_V2], ids=[c[0] for c in NEWSVENDOR_V2])
def test_v2_newsvendor(tmp_path, formulation, per_year, rate, loss, purchase, holding,
                       refill, penalty):
    """One ally, one good, one period (H = 1, so k = periods_per_year), the only supply
    the stock x; scenario ω has demand d_ω (a demand_surge row from period 1: onset 1)
    with d = 20, 40, ..., 200, each π = 0.1. A unit held costs c = (r + δ)·purchase +
    holding a year; a unit drawn saves k·(penalty − refill) in expectation when d > x.
    The objective c·x + k·Σ π (refill·min(x, d) + penalty·(d − x)⁺) is convex
    piecewise linear with slope c − k·(penalty − refill)·P(d > x): x* is the smallest
    d with P(d ≤ x) ≥ 1 − c / (k·(penalty − refill)) (0 if that ratio is ≤ 0, or if
    refill ≥ penalty, when a drawn unit saves nothing and x = 0, nothing drawn).

      k1-capital-charge: c = 0.05·40 + 1.5 = 3.5, ratio 1 − 3.5/10 = 0.65 → x = 140
        (P(d ≤ 120) = 0.6 < 0.65 ≤ 0.7); objective 3.5·140 + 0.1·10·(20 + 40 + 60)
        = 490 + 120 = 610.
      k4: the same with k = 4: ratio 1 − 3.5/40 = 0.9125 → x = 200; objective 700.
      loss-rate: c = (0.05 + 0.3)·10 + 1 = 4.5, ratio 0.55 → x = 120; objective
        540 + 0.1·10·(20 + 40 + 60 + 80) = 740.
      refill-cost: c = 0.05·20 + 0.5 = 1.5, ratio 1 − 1.5/(10 − 4) = 0.75 → x = 160;
        objective 240 + 4·0.1·(20 + ... + 160 + 160 + 160) + 10·0.1·(20 + 40)
        = 240 + 416 + 60 = 716.
      all-k3: c = 0.2·10 + 0.1 = 2.1, ratio 1 − 2.1/(3·(5 − 3)) = 0.65 → x = 140.
      k-half: c = 0.05·10 + 0.25 = 0.75, ratio 1 − 0.75/(0.5·8) = 0.8125 → x = 180.
      ratio-below-zero: c = 6 ≥ 1·(10 − 5): x = 0, objective 10·E[d] = 1100.
      refill-above-penalty: x = 0, nothing drawn, objective 1100.
    Each figure is recomputed below by the rule and checked against a brute-force
    minimum over the breakpoints before the product is asked.
    """
    demands, probabilities = TEN, [0.1] * len(TEN)
    yearly = (rate + loss) * purchase + holding
    k = per_year
    best_x = fractile_rule(yearly, k, penalty, refill, demands, probabilities)
    costs = {x: newsvendor_cost(x, yearly, k, penalty, refill, demands, probabilities)
             for x in [0.0, *demands]}
    best = min(costs.values())
    minimisers = [x for x, c in costs.items() if c <= best + 1e-9 * max(1.0, best)]
    assert minimisers == [best_x]  # unique, and the rule finds it
    sheets = {
        "Settings": {"periods": 1, "periods_per_year": per_year, "capital_rate": rate},
        "Countries": [{"country": "A"}],
        "Goods": [{"good": "g", "shortage_penalty": penalty}],
        "Demand": [{"country": "A", "good": "g", "demand": 100}],
        "Stockpiles": [{"country": "A", "good": "g", "purchase_cost": purchase,
                        "holding_cost": holding, "loss_rate": loss,
                        "refill_cost": refill}],
        "Scenarios": [{"scenario": f"s{i}", "probability": 0.1} for i in range(10)],
        "Disruptions": [{"scenario": f"s{i}", "kind": "demand_surge", "country": "A",
                         "good": "g", "start": 1, "factor": d / 100}
                        for i, d in enumerate(demands)],
    }
    solved = solve(tmp_path, formulation, sheets)
    assert solved.results.objective == pytest.approx(best, rel=REL)
    assert stock_level(solved) == pytest.approx(best_x, rel=REL, abs=ABS_QTY)
    stock = table_row(solved.results.stockpiles, country="A", good="g")
    assert float(stock["capital_cost"]) == pytest.approx((rate + loss) * purchase * best_x,
                                                         rel=REL, abs=1e-6)
    assert solved.results.stage_one_cost == pytest.approx(yearly * best_x, rel=REL,
                                                          abs=1e-6)
    for i, d in enumerate(demands):
        drawn = min(best_x, d) if refill < penalty else 0.0
        assert plan_column(solved, f"s{i}", "drawn") == approx_list([drawn])
        assert plan_column(solved, f"s{i}", "short") == approx_list([d - drawn])
        assert scenario_cost(solved, f"s{i}", "refill_cost") == pytest.approx(
            refill * drawn, rel=REL, abs=1e-6)


def test_v2_newsvendor_hand_figures(tmp_path, formulation):
    """The worked figures of the docstring above, asserted as numbers: k1-capital-charge
    610 at x = 140 and refill-cost 716 at x = 160."""
    for per_year, rate, loss, purchase, holding, refill, penalty, objective, level in [
            (1, 0.05, 0.0, 40.0, 1.5, 0.0, 10.0, 610.0, 140.0),
            (1, 0.05, 0.0, 20.0, 0.5, 4.0, 10.0, 716.0, 160.0)]:
        yearly = (rate + loss) * purchase + holding
        assert newsvendor_cost(level, yearly, per_year, penalty, refill, TEN,
                               [0.1] * 10) == pytest.approx(objective, rel=1e-12)
        sheets = {
            "Settings": {"periods": 1, "periods_per_year": per_year, "capital_rate": rate},
            "Countries": [{"country": "A"}],
            "Goods": [{"good": "g", "shortage_penalty": penalty}],
            "Demand": [{"country": "A", "good": "g", "demand": 100}],
            "Stockpiles": [{"country": "A", "good": "g", "purchase_cost": purchase,
                            "holding_cost": holding, "refill_cost": refill}],
            "Scenarios": [{"scenario": f"s{i}", "probability": 0.1} for i in range(10)],
            "Disruptions": [{"scenario": f"s{i}", "kind": "demand_surge", "country": "A",
                             "good": "g", "start": 1, "factor": d / 100}
                            for i, d in enumerate(TEN)],
        }
        solved = solve(tmp_path, formulation, sheets, name=f"nv{objective:g}")
        assert solved.results.objective == pytest.approx(objective, rel=REL)
        assert stock_level(solved) == pytest.approx(level, rel=REL, abs=ABS_QTY)


# --- normal times: the instruments stay idle -------------------------------------------------


def normal_times_sheets():
    return {
        "Settings": {"periods": 2, "periods_per_year": 2},
        "Countries": [{"country": "A"}, {"country": "B"},
                      {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10}],
        "Production": [{"country": "A", "good": "g", "capacity": 0, "unit_cost": 2,
                        "spare_cost": 3, "spare_max": 10},
                       {"country": "B", "good": "g", "capacity": 20, "unit_cost": 1}],
        "Imports": [{"origin": "S", "destination": "A", "good": "g", "volume": 10,
                     "unit_cost": 50}],
        "Stockpiles": [{"country": "A", "good": "g", "max": 20, "holding_cost": 1,
                        "refill_cost": 0}],
        "Sharing": [{"from": "B", "to": "A", "good": "g", "unit_cost": 0.5,
                     "capacity": 10}],
        "Scenarios": [{"scenario": "normal", "probability": 0.6},
                      {"scenario": "crisis", "probability": 0.4}],
        "Disruptions": [{"scenario": "crisis", "kind": "export_cut", "country": "S",
                         "partner": "A", "good": "g", "start": 2, "end": 2, "factor": 0},
                        {"scenario": "crisis", "kind": "demand_surge", "country": "A",
                         "good": "g", "start": 2, "end": 2, "factor": 4}],
    }


def test_no_draw_spare_or_shipment_in_normal_times(tmp_path, formulation):
    """H = 2, k = 1 (periods_per_year 2). A needs 10/period and imports 10 from S at 50
    (dear); penalty 100. Instruments: stock at A (max 20, 1 a year per unit, purchase
    0 so no capital charge, refill 0: drawing is free), spare capacity at A (3 a year,
    up to 10, unit cost 2, capacity 0), link B→A (B makes up to 20 at 1, ship at 0.5,
    capacity 10). Scenario normal (π 0.6) has no Disruptions rows; crisis (π 0.4) cuts
    the import and quadruples A's demand (40) in period 2, its onset.

    In normal times every instrument would beat the import at 50 (a drawn unit is free,
    the spare makes one at 2, a shipped one costs 1.5) but none may act: A imports 10
    in each period, C = 1000.
    crisis: period 1 (before the onset) imports 10 for 500. Period 2 needs 40 with no
    import; per unit covered, in expected yearly cost: ship 0.4·1.5 = 0.6 (≤ 10), stock
    1 + 0 (≤ 20), spare 3 + 0.4·2 = 3.8 (≤ 10), short 0.4·100 = 40: all three at their
    limits, 10 + 20 + 10 = 40. C = 500 + B's 10 + shipping 5 + spare's production 20
    = 535. F = 20·1 + 10·3 = 50.
    Objective 50 + 0.6·1000 + 0.4·535 = 864.
    """
    solved = solve(tmp_path, formulation, normal_times_sheets())
    assert solved.results.objective == pytest.approx(864.0, rel=REL)
    assert stock_level(solved) == pytest.approx(20.0, rel=REL)
    assert spare_level(solved) == pytest.approx(10.0, rel=REL)
    assert plan_column(solved, "normal", "drawn") == approx_list([0, 0])
    assert plan_column(solved, "normal", "produced") == approx_list([0, 0])
    assert plan_column(solved, "normal", "received") == approx_list([0, 0])
    assert plan_column(solved, "normal", "imported") == approx_list([10, 10])
    assert shipments_of(solved, "normal") == {}
    assert scenario_cost(solved, "normal") == pytest.approx(1000.0, rel=REL)
    assert plan_column(solved, "crisis", "drawn") == approx_list([0, 20])
    assert plan_column(solved, "crisis", "produced") == approx_list([0, 10])
    assert plan_column(solved, "crisis", "imported") == approx_list([10, 0])
    assert plan_column(solved, "crisis", "short") == approx_list([0, 0])
    assert_shipments(shipments_of(solved, "crisis"), {(2, 2): 10.0})
    assert scenario_cost(solved, "crisis") == pytest.approx(535.0, rel=REL)


ONSET_CASES = [
    # id, the scenario's Disruptions rows, onset, objective
    ("row-hitting-nothing", [{"kind": "capacity_loss", "country": "B", "good": "h",
                              "start": 2, "factor": 0.5}], 2, 1010.0),
    ("start-blank", [{"kind": "export_cut", "country": "S", "factor": 0.5}], 1, 20.0),
    ("surge-elsewhere", [{"kind": "demand_surge", "country": "B", "good": "g", "start": 2,
                          "factor": 0}], 2, 1010.0),
    ("earliest-of-two", [{"kind": "export_cut", "country": "S", "start": 2, "factor": 0},
                         {"kind": "demand_surge", "country": "B", "good": "h", "start": 1,
                          "end": 1, "factor": 2}], 1, 20.0),
]


@pytest.mark.parametrize("rows, onset, objective", [c[1:] for c in ONSET_CASES],
                         ids=[c[0] for c in ONSET_CASES])
def test_the_onset_is_the_first_start_of_any_row(tmp_path, formulation, rows, onset,
                                                 objective):
    """H = 2, k = 1. A needs 10 of g per period (penalty 100) and has no supply but its
    stock (1 a year per unit, purchase 0: no capital charge, refill 0). The scenario's
    onset is the smallest start of its Disruptions rows, whatever they hit (here rows
    on a good nobody makes, on B's demand of g, which B does not have, or on no import
    route) and whatever their factor; a blank start is 1.

      onset 2: period 1 short 10 (1000), period 2 drawn from x = 10: 1010.
      onset 1: x = 20 drawn over both periods: 20.
    """
    sheets = {
        "Settings": {"periods": 2, "periods_per_year": 2},
        "Countries": [{"country": "A"}, {"country": "B"},
                      {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": 100},
                  {"good": "h", "shortage_penalty": 1}],
        "Demand": [{"country": "A", "good": "g", "demand": 10}],
        "Stockpiles": [{"country": "A", "good": "g", "holding_cost": 1}],
        "Scenarios": [{"scenario": "o", "probability": 1}],
        "Disruptions": [{"scenario": "o", **row} for row in rows],
    }
    solved = solve(tmp_path, formulation, sheets)
    assert solved.data.onset == {"o": onset}
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    drawn = [0.0, 10.0] if onset == 2 else [10.0, 10.0]
    assert plan_column(solved, "o", "drawn") == approx_list(drawn)


# --- ramp-up counted from the onset ----------------------------------------------------------


RAMP_CASES = [
    # id, ramp_periods, objective, stock, spare
    ("ramp-6", 6, 240.0, 20.0, 0.0),
    ("ramp-2", 2, 240.0, 20.0, 0.0),
    ("ramp-1", 1, 180.1, 10.0, 10.0),
    ("ramp-0", 0, 120.1, 0.0, 10.0),
]


@pytest.mark.parametrize("ramp, objective, stock, spare", [c[1:] for c in RAMP_CASES],
                         ids=[c[0] for c in RAMP_CASES])
def test_ramp_up_counts_from_the_onset(tmp_path, formulation, ramp, objective, stock, spare):
    """H = 12 monthly periods (period_days 30 by default, so periods_per_year 12, k = 1).
    A needs 10/period, imports 10 from S at 1; penalty 100. An embargo (π 0.5) cuts the
    import in periods 10–11: onset 10. Spare capacity at A is cheap (0.01 a year per
    unit, up to 10, unit cost 1, capacity 0) and runs from t0 + ramp; stock costs
    0.05·10 + 1 = 1.5 a year per unit and 10 per unit drawn (refill = purchase 10),
    so a unit drawn costs 1.5 + 0.5·10 = 6.5 against 0.5·100 = 50 short.

      ramp 6 (and 2): spare would run from period 16 (12) > 11: it is worthless, none
        reserved however cheap (v1 counted the ramp from period 1: 7 ≤ 10, so it ran).
        x = 20: F 30; normal C = 120; embargo C = 100 + refill 200 = 300 →
        30 + 0.5·120 + 0.5·300 = 240.
      ramp 1: spare runs in period 11 only: y = 10 (0.01·10 + 0.5·10 = 5.1 for 10
        units), stock for period 10: x = 10. F = 15 + 0.1; embargo C = 100 + refill 100
        + production 10 = 210 → 15.1 + 60 + 105 = 180.1.
      ramp 0: spare runs in both periods: y = 10, x = 0. F = 0.1; embargo C = 100 + 20
        = 120 → 0.1 + 60 + 60 = 120.1.
    """
    sheets = {
        "Settings": {"periods": 12},
        "Countries": [{"country": "A"}, {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10}],
        "Production": [{"country": "A", "good": "g", "capacity": 0, "unit_cost": 1,
                        "spare_cost": 0.01, "spare_max": 10, "ramp_periods": ramp}],
        "Imports": [{"origin": "S", "destination": "A", "good": "g", "volume": 10,
                     "unit_cost": 1}],
        "Stockpiles": [{"country": "A", "good": "g", "purchase_cost": 10,
                        "holding_cost": 1}],
        "Scenarios": [{"scenario": "normal", "probability": 0.5},
                      {"scenario": "embargo", "probability": 0.5}],
        "Disruptions": [{"scenario": "embargo", "kind": "export_cut", "country": "S",
                         "good": "g", "start": 10, "end": 11, "factor": 0}],
    }
    solved = solve(tmp_path, formulation, sheets)
    assert solved.data.case.settings.periods_per_year == 12
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    assert stock_level(solved) == pytest.approx(stock, rel=REL, abs=ABS_QTY)
    assert spare_level(solved) == pytest.approx(spare, rel=REL, abs=ABS_QTY)
    produced = plan_column(solved, "embargo", "produced")
    assert produced[:9 + ramp] == approx_list([0] * min(12, 9 + ramp))
    assert plan_column(solved, "embargo", "short") == approx_list([0] * 12)
    assert plan_column(solved, "normal", "produced") == approx_list([0] * 12)


# --- re-exports out of the exporter's own supply ---------------------------------------------


def test_a_re_export_fails_when_the_exporters_supply_is_cut(tmp_path, formulation):
    """One period, k = 1. B imports from S (20 at 1) and re-exports to A on an Imports
    route with an ally origin (B → A, 15 at 0.5); B needs 5, A needs 10; penalty 100.
    The cut (π 0.3) stops S → B only; the B → A route itself is not cut.

    normal (π 0.7): B imports 15 (5 for itself, 10 for A) → 15; A imports 10 from B →
      5; C = 20.
    cut: B has nothing, so it can export nothing (its exports leave its own balance):
      A short 10 and B short 5 → C = 1500.
    Objective 0.7·20 + 0.3·1500 = 464. (Were B's route a supplier's, A would still get
    10 in the cut: C = 505, objective 165.5.)
    """
    sheets = {
        "Settings": {"periods": 1, "periods_per_year": 1},
        "Countries": [{"country": "A"}, {"country": "B"},
                      {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10},
                   {"country": "B", "good": "g", "demand": 5}],
        "Imports": [{"origin": "S", "destination": "B", "good": "g", "volume": 20,
                     "unit_cost": 1},
                    {"origin": "B", "destination": "A", "good": "g", "volume": 15,
                     "unit_cost": 0.5}],
        "Scenarios": [{"scenario": "normal", "probability": 0.7},
                      {"scenario": "cut", "probability": 0.3}],
        "Disruptions": [{"scenario": "cut", "kind": "export_cut", "country": "S",
                         "partner": "B", "good": "g", "start": 1, "factor": 0}],
    }
    solved = solve(tmp_path, formulation, sheets)
    assert solved.results.objective == pytest.approx(464.0, rel=REL)
    assert plan_column(solved, "normal", "imported", "B") == approx_list([15])
    assert plan_column(solved, "normal", "exported", "B") == approx_list([10])
    assert plan_column(solved, "normal", "imported", "A") == approx_list([10])
    assert plan_column(solved, "cut", "imported", "A") == approx_list([0])
    assert plan_column(solved, "cut", "exported", "B") == approx_list([0])
    assert plan_column(solved, "cut", "short", "A") == approx_list([10])
    assert plan_column(solved, "cut", "short", "B") == approx_list([5])
    assert scenario_cost(solved, "normal", "import_cost") == pytest.approx(20.0, rel=REL)


# --- release limit and release lag ---------------------------------------------------------


RELEASE_CASES = [
    # id, max_draw, release_lag, drawn by period, short by period
    ("no-limit", None, 0, [50, 50], [0, 0]),
    ("max-draw-30", 30, 0, [30, 30], [20, 20]),
    ("max-draw-30-lag-1", 30, 1, [0, 30], [50, 20]),
    ("lag-1", None, 1, [0, 50], [50, 0]),
]


@pytest.mark.parametrize("max_draw, lag, drawn, short", [c[1:] for c in RELEASE_CASES],
                         ids=[c[0] for c in RELEASE_CASES])
def test_release_limit_and_release_lag(tmp_path, formulation, max_draw, lag, drawn, short):
    """A holds 100 units (initial 100, min = max = 100, purchase and holding 0: free,
    refill 0); it needs 50 per period over H = 2, k = 1 (periods_per_year 2); its only
    import (50 from S) is cut in periods 1–2 (one scenario, onset 1); penalty 100.

      no limit: draw 50 + 50, nothing short: objective 0.
      max_draw 30: draw 30 + 30, short 20 + 20 = 40: objective 4000.
      max_draw 30, release_lag 1: nothing before period 2, then 30: short 50 + 20 = 70:
        objective 7000.
      release_lag 1: short 50 in period 1, draw 50 in period 2: objective 5000.
    """
    stock = {"country": "A", "good": "g", "initial": 100, "min": 100, "max": 100,
             "release_lag": lag}
    if max_draw is not None:
        stock["max_draw"] = max_draw
    sheets = {
        "Settings": {"periods": 2, "periods_per_year": 2},
        "Countries": [{"country": "A"}, {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 50}],
        "Imports": [{"origin": "S", "destination": "A", "good": "g", "volume": 50}],
        "Stockpiles": [stock],
        "Scenarios": [{"scenario": "cut", "probability": 1}],
        "Disruptions": [{"scenario": "cut", "kind": "export_cut", "country": "S",
                         "start": 1, "end": 2, "factor": 0}],
    }
    solved = solve(tmp_path, formulation, sheets)
    assert solved.results.objective == pytest.approx(100.0 * sum(short), rel=REL, abs=1e-9)
    assert solved.results.stage_one_cost == pytest.approx(0.0, abs=1e-9)
    assert plan_column(solved, "cut", "drawn") == approx_list(drawn)
    assert plan_column(solved, "cut", "short") == approx_list(short)


# --- activation lag on a sharing link -------------------------------------------------------


ACTIVATION_CASES = [
    # id, activation_lag, lead, objective, shipments in the cut, A short by period
    ("lag-0", 0, 0, 62.5, {(2, 2): 10.0, (3, 3): 10.0, (4, 4): 10.0}, [0, 0, 0, 0]),
    ("lag-1", 1, 0, 550.0, {(3, 3): 10.0, (4, 4): 10.0}, [0, 10, 0, 0]),
    ("lag-2", 2, 0, 1037.5, {(4, 4): 10.0}, [0, 10, 10, 0]),
    ("lag-3", 3, 0, 1525.0, {}, [0, 10, 10, 10]),
    ("lag-1-lead-1", 1, 1, 1037.5, {(3, 4): 10.0}, [0, 10, 10, 0]),
]


@pytest.mark.parametrize("lag, lead, objective, shipments, short",
                         [c[1:] for c in ACTIVATION_CASES],
                         ids=[c[0] for c in ACTIVATION_CASES])
def test_activation_lag_on_a_sharing_link(tmp_path, formulation, lag, lead, objective,
                                          shipments, short):
    """H = 4, k = 1 (periods_per_year 4). A needs 10/period and imports 10 from S at 1;
    B (no demand) makes up to 30 at 2 and ships to A at 0.5 (lead `lead`), the link
    usable from t0 + activation_lag; penalty 100. The cut (π 0.5) stops the import in
    periods 2–4: onset 2. Normal C = 40.

    A shipped unit costs 2.5 < 100, so every unit that can be sent from the link's
    opening and land by period 4 is shipped; the cut's period 1 imports 10 (10).
      lag 0: ship 10 in 2, 3, 4: C = 10 + 75 = 85 → 0.5·40 + 0.5·85 = 62.5.
      lag 1: ship in 3, 4; short 10 in period 2: C = 10 + 50 + 1000 = 1060 → 550.
      lag 2: ship in 4; short 20: C = 10 + 25 + 2000 = 2035 → 1037.5.
      lag 3: the link would open in period 5 > H: short 30: C = 3010 → 1525.
      lag 1, lead 1: sent from period 3, landing in 4 (a period-4 shipment would land
        after H): short in 2 and 3, C = 10 + 25 + 2000 = 2035 → 1037.5.
    """
    sheets = {
        "Settings": {"periods": 4, "periods_per_year": 4},
        "Countries": [{"country": "A"}, {"country": "B"},
                      {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10}],
        "Production": [{"country": "B", "good": "g", "capacity": 30, "unit_cost": 2}],
        "Imports": [{"origin": "S", "destination": "A", "good": "g", "volume": 10,
                     "unit_cost": 1}],
        "Sharing": [{"from": "B", "to": "A", "good": "g", "lead_periods": lead,
                     "unit_cost": 0.5, "activation_lag": lag}],
        "Scenarios": [{"scenario": "normal", "probability": 0.5},
                      {"scenario": "cut", "probability": 0.5}],
        "Disruptions": [{"scenario": "cut", "kind": "export_cut", "country": "S",
                         "partner": "A", "start": 2, "end": 4, "factor": 0}],
    }
    solved = solve(tmp_path, formulation, sheets)
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    assert_shipments(shipments_of(solved, "cut"), shipments)
    assert shipments_of(solved, "normal") == {}
    assert plan_column(solved, "cut", "short") == approx_list(short)
    assert scenario_cost(solved, "normal") == pytest.approx(40.0, rel=REL)


# --- recipes ---------------------------------------------------------------------------------


def test_a_cut_on_ore_becomes_a_magnet_shortage(tmp_path, formulation):
    """Two processing steps at A: oxide from 2 ore per unit (processing 1), magnet from
    0.5 oxide per unit (processing 2); only magnets are demanded (10, penalty 100); ore
    is imported from S (10 at 0.1). One period, k = 1. The cut (π 0.2) halves the ore
    import.

    normal (π 0.8): 10 magnets need 5 oxide, which need 10 ore: C = 1 + 5 + 20 = 26.
    cut: 5 ore → 2.5 oxide → 5 magnets, 5 magnets short: C = 0.5 + 2.5 + 10 + 500 = 513.
    Objective 0.8·26 + 0.2·513 = 20.8 + 102.6 = 123.4.
    """
    sheets = {
        "Settings": {"periods": 1, "periods_per_year": 1},
        "Countries": [{"country": "A"}, {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "ore", "shortage_penalty": 1},
                  {"good": "oxide", "shortage_penalty": 1},
                  {"good": "magnet", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "magnet", "demand": 10}],
        "Production": [{"country": "A", "good": "oxide", "capacity": 100, "unit_cost": 1},
                       {"country": "A", "good": "magnet", "capacity": 100,
                        "unit_cost": 2}],
        "Recipes": [{"country": "*", "good": "oxide", "input": "ore", "ratio": 2},
                    {"country": "*", "good": "magnet", "input": "oxide", "ratio": 0.5}],
        "Imports": [{"origin": "S", "destination": "A", "good": "ore", "volume": 10,
                     "unit_cost": 0.1}],
        "Scenarios": [{"scenario": "normal", "probability": 0.8},
                      {"scenario": "cut", "probability": 0.2}],
        "Disruptions": [{"scenario": "cut", "kind": "export_cut", "country": "S",
                         "good": "ore", "start": 1, "factor": 0.5}],
    }
    solved = solve(tmp_path, formulation, sheets)
    assert solved.results.objective == pytest.approx(123.4, rel=REL)
    for scenario, ore, oxide, magnets, short in [("normal", 10, 5, 10, 0),
                                                 ("cut", 5, 2.5, 5, 5)]:
        assert plan_column(solved, scenario, "imported", good="ore") == approx_list([ore])
        assert plan_column(solved, scenario, "used_in_processing", good="ore") == \
            approx_list([ore])
        assert plan_column(solved, scenario, "produced", good="oxide") == approx_list([oxide])
        assert plan_column(solved, scenario, "used_in_processing", good="oxide") == \
            approx_list([oxide])
        assert plan_column(solved, scenario, "produced", good="magnet") == \
            approx_list([magnets])
        assert plan_column(solved, scenario, "short", good="magnet") == approx_list([short])
    processing = solved.results.processing
    cut_magnets = table_row(processing, scenario="cut", good="magnet", input="oxide")
    assert float(cut_magnets["input_used"]) == pytest.approx(2.5, rel=REL)
    assert scenario_cost(solved, "cut") == pytest.approx(513.0, rel=REL)


def test_a_star_recipe_with_a_per_ally_override(tmp_path, formulation):
    """A and B both make magnets (processing free, capacity 100) and each needs 10
    (penalty 100). Recipes: '*' magnet ← 0.5 oxide and '*' magnet ← 1 coating; B's own
    row magnet ← 0.25 oxide overrides the '*' oxide row for B only (B still needs the
    coating). S sells oxide at 1 (4 to A, 5 to B) and coating at 0.1 (100 to each). One
    period, one scenario (no Disruptions rows: recipes are not emergency instruments),
    k = 1.

    A: 4 oxide make 8 magnets (8 coating); 2 short: 4 + 0.8 + 200 = 204.8.
    B: 10 magnets need 2.5 oxide and 10 coating: 2.5 + 1 = 3.5.
    Objective 208.3. (Were the '*' oxide row applied at B too, B would buy 5 oxide:
    204.8 + 5 + 1 = 210.8.)
    """
    sheets = {
        "Settings": {"periods": 1, "periods_per_year": 1},
        "Countries": [{"country": "A"}, {"country": "B"},
                      {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "oxide", "shortage_penalty": 1},
                  {"good": "coating", "shortage_penalty": 1},
                  {"good": "magnet", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "magnet", "demand": 10},
                   {"country": "B", "good": "magnet", "demand": 10}],
        "Production": [{"country": "A", "good": "magnet", "capacity": 100},
                       {"country": "B", "good": "magnet", "capacity": 100}],
        "Recipes": [{"country": "*", "good": "magnet", "input": "oxide", "ratio": 0.5},
                    {"country": "*", "good": "magnet", "input": "coating", "ratio": 1},
                    {"country": "B", "good": "magnet", "input": "oxide", "ratio": 0.25}],
        "Imports": [{"origin": "S", "destination": "A", "good": "oxide", "volume": 4,
                     "unit_cost": 1},
                    {"origin": "S", "destination": "B", "good": "oxide", "volume": 5,
                     "unit_cost": 1},
                    {"origin": "S", "destination": "A", "good": "coating", "volume": 100,
                     "unit_cost": 0.1},
                    {"origin": "S", "destination": "B", "good": "coating", "volume": 100,
                     "unit_cost": 0.1}],
        "Scenarios": [{"scenario": "only", "probability": 1}],
    }
    solved = solve(tmp_path, formulation, sheets)
    assert solved.data.case.recipes == {("A", "magnet"): {"oxide": 0.5, "coating": 1.0},
                                        ("B", "magnet"): {"oxide": 0.25, "coating": 1.0}}
    assert solved.results.objective == pytest.approx(208.3, rel=REL)
    assert plan_column(solved, "only", "produced", "A", "magnet") == approx_list([8])
    assert plan_column(solved, "only", "short", "A", "magnet") == approx_list([2])
    assert plan_column(solved, "only", "produced", "B", "magnet") == approx_list([10])
    assert plan_column(solved, "only", "short", "B", "magnet") == approx_list([0])
    processing = solved.results.processing
    for country, source, used in [("A", "oxide", 4), ("A", "coating", 8),
                                  ("B", "oxide", 2.5), ("B", "coating", 10)]:
        row = table_row(processing, scenario="only", country=country, input=source)
        assert float(row["input_used"]) == pytest.approx(used, rel=REL)


# --- a 24-period horizon with monthly periods -----------------------------------------------


HORIZON_CASES = [
    # id, periods_per_year (None: the default 12), penalty, objective, stock
    ("monthly-k-half", None, 100, 162.5, 20.0),
    ("k-1", 24, 100, 305.0, 20.0),
    ("monthly-k-half-penalty-16", None, 16, 157.5, 0.0),
    ("k-1-penalty-16", 24, 16, 305.0, 20.0),
]


@pytest.mark.parametrize("per_year, penalty, objective, stock",
                         [c[1:] for c in HORIZON_CASES], ids=[c[0] for c in HORIZON_CASES])
def test_a_24_month_horizon_halves_the_scenario_weight(tmp_path, formulation, per_year,
                                                       penalty, objective, stock):
    """H = 24 periods of 30 days: periods_per_year defaults to 12, so k = 12/24 = 1/2
    (the scenario costs are per two years, F per year). A needs 10/period, imports 10
    from S at 1; stock at A costs 0.05·10 + 0.5 = 1 a year per unit and 10 per unit
    drawn. A cut (π 0.25) stops the import in periods 13–14 (onset 13).

    A unit of stock covers one cut unit for 1 + k·0.25·10 against k·0.25·penalty short:
      k = 1/2, penalty 100: 2.25 < 12.5 → x = 20. F = 20; normal C = 240; cut C = 220 +
        refill 200 = 420: 20 + 0.5·(0.75·240 + 0.25·420) = 20 + 142.5 = 162.5.
      k = 1 (periods_per_year 24), penalty 100: 3.5 < 25 → x = 20: 20 + 180 + 105 = 305.
      k = 1/2, penalty 16: 2.25 > 2 → no stock, short 20 in the cut: C = 220 + 320 =
        540: 0.5·(180 + 135) = 157.5.
      k = 1, penalty 16: 3.5 < 4 → x = 20: 305 again.
    """
    settings = {"periods": 24}
    if per_year is not None:
        settings["periods_per_year"] = per_year
    sheets = {
        "Settings": settings,
        "Countries": [{"country": "A"}, {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": penalty}],
        "Demand": [{"country": "A", "good": "g", "demand": 10}],
        "Imports": [{"origin": "S", "destination": "A", "good": "g", "volume": 10,
                     "unit_cost": 1}],
        "Stockpiles": [{"country": "A", "good": "g", "purchase_cost": 10,
                        "holding_cost": 0.5}],
        "Scenarios": [{"scenario": "normal", "probability": 0.75},
                      {"scenario": "cut", "probability": 0.25}],
        "Disruptions": [{"scenario": "cut", "kind": "export_cut", "country": "S",
                         "start": 13, "end": 14, "factor": 0}],
    }
    solved = solve(tmp_path, formulation, sheets)
    k = (per_year or 12) / 24
    assert solved.data.horizon_weight == pytest.approx(k, rel=1e-15)
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    assert stock_level(solved) == pytest.approx(stock, rel=REL, abs=ABS_QTY)
    assert solved.results.stage_one_cost == pytest.approx(stock, rel=REL, abs=1e-6)
    days = table_row(solved.results.stockpiles, country="A", good="g")["days_of_cover"]
    assert float(days) == pytest.approx(stock / 10 * 30, rel=REL, abs=1e-6)
    cut = 220.0 + (10.0 * stock + penalty * (20.0 - stock))
    assert scenario_cost(solved, "normal") == pytest.approx(240.0, rel=REL)
    assert scenario_cost(solved, "cut") == pytest.approx(cut, rel=REL)
    assert solved.results.expected_scenario_cost == pytest.approx(
        k * (0.75 * 240.0 + 0.25 * cut), rel=REL)


# --- shadow prices with the capital charge --------------------------------------------------


def shadow_sheets(per_year, stock, settings=None, **extra):
    """A needs 10 in one period (penalty 100); one scenario (π 1) with a factor-1 onset
    row in period 1; k = periods_per_year."""
    sheets = {
        "Settings": {"periods": 1, "periods_per_year": per_year, **(settings or {})},
        "Countries": [{"country": "A"}, {"country": "B"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10}],
        "Scenarios": [{"scenario": "only", "probability": 1}],
        "Disruptions": [onset_row("only")],
    }
    if stock:
        sheets["Stockpiles"] = stock
    sheets.update(extra)
    return sheets


def shadow_value(solved, limit):
    table = solved.results.shadow_prices
    return table[table["limit"] == limit]["value"].tolist()


def test_storage_limit_value_with_the_capital_charge(tmp_path, formulation):
    """k = 4 (periods_per_year 4, H = 1). Stock at A: max 6, purchase 20, holding 1,
    capital_rate 0.05: 2 a year per unit; refill 5. x = 6: F 12; C = 6·5 + 4·100 = 430;
    objective 12 + 4·430 = 1732. One more unit of storage: one unit less short, one
    more drawn and held: saves 4·(100 − 5) − 2 = 378."""
    solved = solve(tmp_path, formulation, shadow_sheets(4, [
        {"country": "A", "good": "g", "max": 6, "purchase_cost": 20, "holding_cost": 1,
         "refill_cost": 5}]))
    assert solved.results.objective == pytest.approx(1732.0, rel=REL)
    assert shadow_value(solved, "storage limit") == pytest.approx([378.0], rel=1e-9)
    stock = table_row(solved.results.stockpiles, country="A", good="g")
    assert float(stock["capital_cost"]) == pytest.approx(6.0, rel=REL)
    assert float(stock["holding_cost"]) == pytest.approx(6.0, rel=REL)


BUDGET_SHADOW_CASES = [
    # id, loss_rate, objective, stock level, value of one more currency unit of budget
    ("capital-charge", 0.0, 1732.0, 6.0, 189.0),
    ("capital-and-loss", 0.1, 2872.0, 3.0, 94.0),
]


@pytest.mark.parametrize("loss, objective, level, value",
                         [c[1:] for c in BUDGET_SHADOW_CASES],
                         ids=[c[0] for c in BUDGET_SHADOW_CASES])
def test_budget_value_with_the_capital_charge(tmp_path, formulation, loss, objective,
                                              level, value):
    """k = 4. A's budget 12 caps its yearly cost ((0.05 + δ)·20 + 1)·x; refill 5 per
    unit drawn, penalty 100, so each unit held saves 4·(100 − 5) = 380 against its
    yearly cost: the budget binds.
      capital-charge (δ 0): 2 per unit, x = 6; C = 30 + 400 = 430; objective
        12 + 1720 = 1732. One more currency unit: 0.5 unit more, F + 1, scenario cost
        − 0.5·380: value 190 − 1 = 189.
      capital-and-loss (δ 0.1): 4 per unit, x = 3; C = 15 + 700 = 715; objective
        12 + 2860 = 2872; value 0.25·380 − 1 = 94.
    """
    sheets = shadow_sheets(4, [{"country": "A", "good": "g", "purchase_cost": 20,
                                "holding_cost": 1, "loss_rate": loss, "refill_cost": 5}])
    sheets["Countries"][0]["budget"] = 12
    solved = solve(tmp_path, formulation, sheets)
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    assert stock_level(solved) == pytest.approx(level, rel=REL)
    assert shadow_value(solved, "budget") == pytest.approx([value], rel=1e-9)
    purchases = table_row(solved.results.purchases, country="A")
    assert float(purchases["yearly_cost"]) == pytest.approx(12.0, rel=REL)
    assert float(purchases["purchase_outlay"]) == pytest.approx(20.0 * level, rel=REL)


def test_stock_floor_value_with_capital_and_loss(tmp_path, formulation):
    """A floor of 5 at B (no demand there, so never drawn): purchase 20, holding 1,
    capital_rate 0.05, loss_rate 0.1 → (0.15·20 + 1) = 4 a year per unit: value −4.
    A has no supply: short 10, k = 4: objective 20 + 4000 = 4020."""
    solved = solve(tmp_path, formulation, shadow_sheets(4, [
        {"country": "B", "good": "g", "min": 5, "purchase_cost": 20, "holding_cost": 1,
         "loss_rate": 0.1}]))
    assert solved.results.objective == pytest.approx(4020.0, rel=REL)
    assert shadow_value(solved, "stock floor") == pytest.approx([-4.0], rel=1e-9)


def test_link_capacity_value_with_k_above_one(tmp_path, formulation):
    """k = 4. B makes g at 1 and ships to A at 0.5, at most 4: C = 4·1.5 + 6·100 = 606,
    objective 4·606 = 2424. One more unit of capacity saves 4·(100 − 1.5) = 394 a
    year."""
    solved = solve(tmp_path, formulation, shadow_sheets(
        4, [], Production=[{"country": "B", "good": "g", "capacity": 20, "unit_cost": 1}],
        Sharing=[{"from": "B", "to": "A", "good": "g", "unit_cost": 0.5, "capacity": 4}]))
    assert solved.results.objective == pytest.approx(2424.0, rel=REL)
    assert shadow_value(solved, "link capacity") == pytest.approx([394.0], rel=1e-9)


def test_link_capacity_is_valued_only_where_the_link_is_open(tmp_path, formulation):
    """H = 2, periods_per_year 4: k = 2. As above, but over two periods with
    activation_lag 1 (onset 1 from the factor-1 row): the link is closed in period 1
    (A short 10 → 1000) and carries 4 in period 2 (4·1.5 + 6·100 = 606): C = 1606,
    objective 2·1606 = 3212. The closed period-1 shipment sits at its bound 0 too, but
    more capacity would not open it: the value is period 2's alone, 2·98.5 = 197."""
    sheets = shadow_sheets(
        4, [], Production=[{"country": "B", "good": "g", "capacity": 20, "unit_cost": 1}],
        Sharing=[{"from": "B", "to": "A", "good": "g", "unit_cost": 0.5, "capacity": 4,
                  "activation_lag": 1}])
    sheets["Settings"]["periods"] = 2
    solved = solve(tmp_path, formulation, sheets)
    assert solved.results.objective == pytest.approx(3212.0, rel=REL)
    assert_shipments(shipments_of(solved, "only"), {(2, 2): 4.0})
    assert shadow_value(solved, "link capacity") == pytest.approx([197.0], rel=1e-9)
