"""Small cases whose optimum is worked out by hand (derivation in each docstring).

Every test asserts the optimal objective (relative 1e-9) and the decisions that make it.
Where the optimum is not unique, only what every optimum shares is asserted. Every case
is solved by both formulations (the replicated fast path and the plain reference).

Model v2 (MODEL.md, "The linear program"): objective F + k·Σ_ω π_ω C_ω with
k = periods_per_year / H; F = Σ ((r + δ)·purchase_cost + holding_cost)·x + Σ spare_cost·y
(every unit held, initial stock included; the purchase itself is reported, not charged);
a unit drawn costs refill_cost; stock, spare capacity and sharing act only from the
scenario's onset (the smallest start of its Disruptions rows) plus their lag, never in
a scenario without Disruptions rows. Most cases here pin the v2 settings that keep the
arithmetic of a hand derivation short: Settings periods_per_year = periods (k = 1),
capital_rate 1 with initial 0 (so the yearly charge per unit is purchase_cost +
holding_cost, what v1 charged), Stockpiles refill_cost 0; each docstring says which.
A one-scenario case gets a demand_surge row of factor 1 from period 1 (`ONSET_ROW`):
it changes no demand but makes period 1 the onset, so the instruments may act.
"""

from __future__ import annotations

import pytest
from casebuilder import load, write_case

from optimizer.pipeline import Timings, solve_case
from optimizer.results.tables import extract_results
from optimizer.solver import SolverOptions, new_highs, pass_model, run

REL = 1e-9
ABS_QTY = 1e-6  # units: solver tolerance on a quantity of order 100


@pytest.fixture(params=["replicated", "plain"], autouse=True)
def formulation(request):
    """Every test runs once per formulation; `solve` reads the current one."""
    global FORMULATION
    FORMULATION = request.param
    yield request.param
    FORMULATION = "replicated"


FORMULATION = "replicated"


def solve(tmp_path, sheets, name="case", formulation=None):
    path = write_case(tmp_path / f"{name}.xlsx", sheets)
    solved = solve_case(load(path), Timings(), formulation=formulation or FORMULATION)
    assert solved.outcome.status == "optimal"
    assert solved.results is not None
    return solved


def stock_level(solved, country="A", good="g"):
    table = solved.results.stockpiles
    row = table[(table["country"] == country) & (table["good"] == good)]
    assert len(row) == 1
    return float(row["level"].iloc[0]), float(row["bought"].iloc[0])


def spare_level(solved, country="A", good="g"):
    table = solved.results.spare_capacity
    row = table[(table["country"] == country) & (table["good"] == good)]
    assert len(row) == 1
    return float(row["reserved"].iloc[0])


def plan_rows(solved, scenario, country="A", good="g"):
    plan = solved.results.supply_plan
    rows = plan[(plan["scenario"] == scenario) & (plan["country"] == country)
                & (plan["good"] == good)].sort_values("period")
    return rows


def plan_column(solved, scenario, column, country="A", good="g"):
    return [float(v) for v in plan_rows(solved, scenario, country, good)[column]]


def approx_list(values, rel=REL, abs=ABS_QTY):
    return pytest.approx(values, rel=rel, abs=abs)


def onset_row(scenario, country="A", good="g"):
    """A demand_surge of factor 1 from period 1 to the end: no demand changes, but the
    scenario's onset is period 1, so stock, spare capacity and sharing may act."""
    return {"scenario": scenario, "kind": "demand_surge", "country": country, "good": good,
            "start": 1, "factor": 1}


def k_one(periods, **settings):
    """Settings with periods_per_year = periods, so k = periods_per_year / H = 1."""
    return {"periods": periods, "periods_per_year": periods, **settings}


# --- a. single-period newsvendor -------------------------------------------------------------


def newsvendor_sheets(h, p, factors, probabilities, base_demand=100.0, purchase=0.0):
    scenarios = [f"s{i}" for i in range(len(factors))]
    return {
        "Settings": k_one(1, capital_rate=1),
        "Countries": [{"country": "A", "role": "ally"}],
        "Goods": [{"good": "g", "unit": "t", "shortage_penalty": p}],
        "Demand": [{"country": "A", "good": "g", "demand": base_demand}],
        "Stockpiles": [{"country": "A", "good": "g", "initial": 0, "min": 0,
                        "purchase_cost": purchase, "holding_cost": h, "refill_cost": 0}],
        "Scenarios": [{"scenario": s, "probability": pi}
                      for s, pi in zip(scenarios, probabilities, strict=True)],
        "Disruptions": [{"scenario": s, "kind": "demand_surge", "country": "A", "good": "g",
                         "start": 1, "end": 1, "factor": m}
                        for s, m in zip(scenarios, factors, strict=True)],
    }


def newsvendor_cost(x, unit_cost, p, demands, probabilities):
    return unit_cost * x + sum(pi * p * max(0.0, d - x)
                               for d, pi in zip(demands, probabilities, strict=True))


def critical_fractile(unit_cost, p, demands, probabilities):
    """Smallest stock level x with P(d ≤ x) ≥ 1 − c/p (0 when that ratio is ≤ 0)."""
    ratio = 1.0 - unit_cost / p
    if ratio <= 0:
        return 0.0
    cumulative = 0.0
    for d, pi in sorted(zip(demands, probabilities, strict=True)):
        cumulative += pi
        if cumulative >= ratio - 1e-12:
            return d
    raise AssertionError("probabilities do not reach the ratio")


def optimal_interval(unit_cost, p, demands, probabilities):
    """The set of minimisers of the convex piecewise-linear cost, as [low, high]: the cost
    is linear between breakpoints {0} ∪ {d_ω} and rises beyond the largest (slope c > 0),
    so its minimisers are the breakpoints reaching the minimum and the span between."""
    points = sorted({0.0, *demands})
    costs = [newsvendor_cost(x, unit_cost, p, demands, probabilities) for x in points]
    best = min(costs)
    optimal = [x for x, c in zip(points, costs, strict=True)
               if c <= best + 1e-9 * max(1.0, abs(best))]
    return min(optimal), max(optimal), best


NEWSVENDOR_CASES = [
    # id, h, p, purchase, demand factors (× 100), probabilities, boundary?
    ("ratio-0.9", 1.0, 10.0, 0.0, [0.5, 1.0, 1.5, 2.0], [0.1, 0.2, 0.3, 0.4], False),
    ("ratio-0.5", 5.0, 10.0, 0.0, [0.5, 1.0, 1.5, 2.0], [0.1, 0.2, 0.3, 0.4], False),
    ("ratio-0.2", 8.0, 10.0, 0.0, [0.5, 1.0, 1.5, 2.0], [0.1, 0.2, 0.3, 0.4], False),
    ("holding-above-penalty", 12.0, 10.0, 0.0, [0.5, 1.0, 1.5, 2.0], [0.1, 0.2, 0.3, 0.4],
     False),
    ("ten-uniform", 3.0, 20.0, 0.0, [0.2 * k for k in range(1, 11)], [0.1] * 10, False),
    ("purchase-plus-holding", 1.0, 10.0, 2.0, [0.5, 1.0, 1.5, 2.0], [0.1, 0.2, 0.3, 0.4],
     False),
    ("boundary-0.75", 1.0, 4.0, 0.0, [0.5, 1.0, 1.5], [0.25, 0.5, 0.25], True),
    ("boundary-at-zero-demand", 2.0, 4.0, 0.0, [0.0, 1.0, 2.0], [0.5, 0.25, 0.25], True),
]


@pytest.mark.parametrize("h, p, purchase, factors, probabilities, boundary",
                         [c[1:] for c in NEWSVENDOR_CASES], ids=[c[0] for c in NEWSVENDOR_CASES])
def test_newsvendor_stock_is_the_critical_fractile(tmp_path, h, p, purchase, factors,
                                                   probabilities, boundary):
    """One ally, one good, one period, no production, imports or sharing: the only supply
    is the stock x. Settings periods_per_year 1 (k = 1) and capital_rate 1, refill_cost
    0 and initial 0: a unit held costs c = 1·purchase_cost + holding_cost a year, drawing
    it costs nothing, and bought = x. Every scenario has a demand_surge row from period
    1, so its onset is 1 and the stock may be drawn. Scenario ω has demand
    d_ω = 100 · m_ω (demand_surge m_ω) with probability π_ω, and the balance
    w + z = d_ω with Σ w ≤ x makes the shortfall z_ω = (d_ω − x)⁺.
    So the LP is min_x c·x + Σ_ω π_ω p (d_ω − x)⁺, convex piecewise linear with slope
    c − p·P(d > x) on each piece. The slope turns ≥ 0 at the smallest demand level
    with P(d ≤ x) ≥ 1 − c/p (x = 0 if c ≥ p). When 1 − c/p equals a cumulative
    probability exactly, the slope is 0 up to the next demand level: every x in that
    interval is optimal, with the same objective.

    e.g. ratio-0.9: c/p = 0.1, P(d ≤ 150) = 0.6 < 0.9 ≤ P(d ≤ 200) = 1 → x = 200,
    objective 1·200 = 200. boundary-0.75: P(d ≤ 100) = 0.75 = 1 − 1/4 → x ∈ [100, 150],
    objective 100 + 0.25·4·50 = 150 = 150 + 0.
    """
    demands = [100.0 * m for m in factors]
    unit_cost = purchase + h
    low, high, best = optimal_interval(unit_cost, p, demands, probabilities)
    fractile = critical_fractile(unit_cost, p, demands, probabilities)
    # The hand rule and the brute-force minimum agree before the product is asked.
    assert fractile == low
    assert (low < high) == boundary
    expected = newsvendor_cost(fractile, unit_cost, p, demands, probabilities)
    assert best == pytest.approx(expected, rel=1e-12)

    solved = solve(tmp_path, newsvendor_sheets(h, p, factors, probabilities,
                                               purchase=purchase))
    assert solved.results.objective == pytest.approx(expected, rel=REL)
    level, bought = stock_level(solved)
    assert low - ABS_QTY <= level <= high + ABS_QTY
    if not boundary:
        assert level == pytest.approx(fractile, rel=REL, abs=ABS_QTY)
    assert bought == pytest.approx(level, rel=REL, abs=ABS_QTY)
    for i, d in enumerate(demands):
        short = plan_column(solved, f"s{i}", "short")
        assert short == approx_list([max(0.0, d - level)])
        assert plan_column(solved, f"s{i}", "demand") == approx_list([d])


# --- b. sharing with a lead time covers a cut ------------------------------------------------


def sharing_sheets(lead, capacity=None, warned=False):
    """H = 3 with k = 1 (periods_per_year 3); no stock, so capital and refill play no
    part. `warned` adds to the cut scenario a demand_surge row of factor 1 in period 1:
    nothing changes but the onset, which moves from 2 (the cut's start) to 1."""
    link = {"from": "B", "to": "A", "good": "g", "lead_periods": lead, "unit_cost": 0.5}
    if capacity is not None:
        link["capacity"] = capacity
    disruptions = [{"scenario": "cut", "kind": "export_cut", "country": "S",
                    "partner": "A", "good": "g", "start": 2, "end": 3, "factor": 0}]
    if warned:
        disruptions.append({**onset_row("cut"), "end": 1})
    return {
        "Settings": k_one(3),
        "Countries": [{"country": "A", "role": "ally"}, {"country": "B", "role": "ally"},
                      {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "unit": "t", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10},
                   {"country": "B", "good": "g", "demand": 5}],
        "Production": [{"country": "B", "good": "g", "capacity": 20, "unit_cost": 2}],
        "Imports": [{"origin": "S", "destination": "A", "good": "g", "volume": 10,
                     "unit_cost": 1}],
        "Sharing": [link],
        "Scenarios": [{"scenario": "normal", "probability": 0.9},
                      {"scenario": "cut", "probability": 0.1}],
        "Disruptions": disruptions,
    }


def shipments_of(solved, scenario):
    table = solved.results.shipments
    rows = table[table["scenario"] == scenario]
    return {(int(r["period_sent"]), r["period_arriving"]): float(r["units"])
            for _, r in rows.iterrows()}


SHARING_CASES = [
    # id, lead, capacity, warned, objective, cut-scenario shipments
    # {(sent, arrives): units}, A's shortfall by period in the cut
    ("lead-0", 0, None, False, 63.0, {(2, 2): 10.0, (3, 3): 10.0}, [0, 0, 0]),
    ("lead-1", 1, None, False, 160.5, {(2, 3): 10.0}, [0, 10, 0]),
    ("lead-1-capacity-8", 1, 8, False, 180.0, {(2, 3): 8.0}, [0, 10, 2]),
    ("lead-2", 2, None, False, 258.0, {}, [0, 10, 10]),
    ("warned-lead-0", 0, None, True, 63.0, {(2, 2): 10.0, (3, 3): 10.0}, [0, 0, 0]),
    ("warned-lead-1", 1, None, True, 63.0, {(1, 2): 10.0, (2, 3): 10.0}, [0, 0, 0]),
    ("warned-lead-1-capacity-8", 1, 8, True, 102.0, {(1, 2): 8.0, (2, 3): 8.0}, [0, 2, 2]),
    ("warned-lead-2", 2, None, True, 160.5, {(1, 3): 10.0}, [0, 10, 0]),
    ("warned-lead-3", 3, None, True, 258.0, {}, [0, 10, 10]),
]


@pytest.mark.parametrize("lead, capacity, warned, objective, shipments, short_a",
                         [c[1:] for c in SHARING_CASES], ids=[c[0] for c in SHARING_CASES])
def test_sharing_with_lead_time_covers_an_import_cut(tmp_path, lead, capacity, warned,
                                                     objective, shipments, short_a):
    """H = 3, k = 1 (periods_per_year 3). A needs 10/period, imports 10 from S at 1; B
    needs 5/period and produces up to 20 at 2; link B→A costs 0.5/unit; penalty 100.
    Scenario cut (π = 0.1) removes A's import in periods 2..3; normal (π = 0.9) has no
    Disruptions rows, so its link carries nothing.

    normal: A imports 10 × 3 at 1 = 30, B produces 5 × 3 at 2 = 30 → C = 60.
    cut: A imports 10 in period 1 (10). A unit shipped from B costs 2 + 0.5 = 2.5 < 100,
    so every period 2..3 unit that can arrive in time is shipped. The link opens at the
    onset t0 (activation_lag 0); what is sent in t lands in t + lead.

    Onset 2 (the cut's start; v1 allowed period-1 shipments, v2 does not):
      lead 0: ship 10 in periods 2 and 3; B produces 5, 15, 15 = 35 → 70; ship 20 × 0.5
        = 10 → C = 10 + 70 + 10 = 90; objective 0.9·60 + 0.1·90 = 63.
      lead 1: the period-2 need could only be met by a period-1 shipment, before the
        onset: short 10 → 1000; ship 10 in period 2 (lands in 3); a period-3 shipment
        would land in 4 > H (it only costs, so none). B produces 5, 15, 5 = 25 → 50;
        ship 5 → C = 10 + 50 + 5 + 1000 = 1065 → 54 + 106.5 = 160.5.
      lead 1, capacity 8: 8 sent in 2, short 10 + 2 = 12 → 1200; B produces 5 + 13 + 5
        = 23 → 46; ship 4 → C = 10 + 46 + 4 + 1200 = 1260 → 54 + 126 = 180.
      lead 2: a period-2 shipment lands in 4 > H: short 20 → 2000, B produces 15 → 30 →
        C = 10 + 30 + 2000 = 2040 → 54 + 204 = 258.
    Onset 1 (`warned`: a factor-1 row in period 1, so the link is open from period 1;
    the v1 answers):
      lead 0: as above, 63 (nothing is cut in period 1, so nothing is shipped then).
      lead 1: ship 10 in periods 1 and 2 (land in 2, 3); same costs as lead 0 → 63.
      lead 1, capacity 8: 8 land in 2 and 3, A short 2 + 2 = 4 → 400; B produces
        13 + 13 + 5 = 31 → 62; ship 16 × 0.5 = 8 → C = 10 + 62 + 8 + 400 = 480 →
        54 + 48 = 102.
      lead 2: only the period-1 shipment lands in time (in 3); period 2 short 10 → 1000;
        B produces 15 + 5 + 5 → 50; ship 5 → C = 10 + 50 + 5 + 1000 = 1065 → 160.5.
      lead 3: nothing lands within the horizon: 258 as for lead 2 at onset 2.
    """
    solved = solve(tmp_path, sharing_sheets(lead, capacity, warned))
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    assert shipments_of(solved, "normal") == {}
    got = shipments_of(solved, "cut")
    assert set(got) == set(shipments)
    for key, units in shipments.items():
        assert got[key] == pytest.approx(units, rel=REL, abs=ABS_QTY)
    assert plan_column(solved, "cut", "short") == approx_list([float(s) for s in short_a])
    assert plan_column(solved, "normal", "short") == approx_list([0.0, 0.0, 0.0])
    assert plan_column(solved, "cut", "short", country="B") == approx_list([0.0, 0.0, 0.0])
    costs = solved.results.scenario_costs.set_index("scenario")["total_cost"]
    assert costs["normal"] == pytest.approx(60.0, rel=REL)
    assert costs["cut"] == pytest.approx((objective - 54.0) / 0.1, rel=1e-8)


def resolve_with_fixed_shipment(solved, scenario, index, units):
    """Solve the LP of `solved` again with the shipment variable `index` of `scenario`
    fixed to `units`, through the product's own hand-over, and extract its results.

    plain path: the Pyomo model has a block per scenario; bound the variable there.
    replicated path: the assembled columns are [stage one | block ω=1 | …] (see
    optimizer.lp.replicated), so the scenario's copy of the template variable is found
    by its position in the block.
    """
    lp = solved.lp
    if FORMULATION == "plain":
        var = lp.model.scenario[scenario].ship[index]
        var.setlb(units)
        var.setub(units)
        compiled = lp.compile()
    else:
        compiled = lp.compile()
        k = solved.data.scenarios.index(scenario)
        var = lp.template.ship[index]
        column = len(lp.stage_vars) + k * len(lp.block_vars) + lp.position[id(var)]
        compiled.col_lower[column] = units
        compiled.col_upper[column] = units
    highs = new_highs(SolverOptions())
    pass_model(highs, compiled)
    outcome = run(highs, compiled)
    assert outcome.status == "optimal"
    return extract_results(lp.plan(outcome), solved.data)


def test_a_shipment_landing_after_the_horizon_delivers_nothing(tmp_path):
    """The warned lead-1 case above (onset 1, objective 63), with the period-3 shipment
    B→A of the cut scenario forced to 5 units (period 3 is after the onset: the link is
    open). It would land in period 4 > H = 3, so it must deliver
    nothing: B still produces and pays for it (5 × 2 + 5 × 0.5 = 12.5 in the cut, so the
    objective rises by 0.1 × 12.5 = 1.25 to 64.25), and A still needs the period-2
    shipment of 10 for period 3. If the late shipment counted in period 3 (clamped to the
    horizon, or wrapped), the period-2 shipment would drop to 5 and the objective would
    stay 63.
    """
    solved = solve(tmp_path, sharing_sheets(1, warned=True))
    assert solved.results.objective == pytest.approx(63.0, rel=REL)
    results = resolve_with_fixed_shipment(solved, "cut", ("B", "A", "g", 3), 5.0)
    assert results.objective == pytest.approx(64.25, rel=REL)
    plan = results.supply_plan
    cut = plan[plan["scenario"] == "cut"].set_index(["country", "period"])
    assert [float(cut.loc[("A", t), "received"]) for t in (1, 2, 3)] == approx_list(
        [0.0, 10.0, 10.0])
    assert [float(cut.loc[("B", t), "sent"]) for t in (1, 2, 3)] == approx_list(
        [10.0, 10.0, 5.0])
    assert [float(cut.loc[("B", t), "produced"]) for t in (1, 2, 3)] == approx_list(
        [15.0, 15.0, 10.0])
    assert [float(cut.loc[("A", t), "short"]) for t in (1, 2, 3)] == approx_list(
        [0.0, 0.0, 0.0])
    ships = results.shipments
    late_rows = ships[(ships["scenario"] == "cut") & (ships["period_sent"] == 3)]
    assert len(late_rows) == 1
    assert late_rows["period_arriving"].isna().all()
    assert float(late_rows["units"].iloc[0]) == pytest.approx(5.0, rel=REL)


# --- c. spare capacity vs stock --------------------------------------------------------------


def spare_sheets(ramp, spare_max=10, kind="export_cut"):
    """H = 4 with k = 1 (periods_per_year 4), A needs 10/period, penalty 100; stock
    costs 1·4 + 1 = 5/unit a year (capital_rate 1, purchase 4, holding 1, initial 0),
    drawing it nothing (refill_cost 0); spare 3 per unit/period; a cut (π = 0.2) in
    periods 3..4, so the onset is 3; every flow is free."""
    sheets = {
        "Settings": k_one(4, capital_rate=1),
        "Countries": [{"country": "A", "role": "ally"}, {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "unit": "t", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10}],
        "Stockpiles": [{"country": "A", "good": "g", "purchase_cost": 4, "holding_cost": 1,
                        "refill_cost": 0}],
        "Scenarios": [{"scenario": "normal", "probability": 0.8},
                      {"scenario": "cut", "probability": 0.2}],
    }
    if kind == "export_cut":
        sheets["Production"] = [{"country": "A", "good": "g", "capacity": 0, "unit_cost": 0,
                                 "spare_cost": 3, "spare_max": spare_max,
                                 "ramp_periods": ramp}]
        sheets["Imports"] = [{"origin": "S", "destination": "A", "good": "g", "volume": 10,
                              "unit_cost": 0}]
        sheets["Disruptions"] = [{"scenario": "cut", "kind": "export_cut", "country": "S",
                                  "partner": "A", "good": "g", "start": 3, "end": 4,
                                  "factor": 0}]
    else:
        sheets["Production"] = [{"country": "A", "good": "g", "capacity": 10,
                                 "unit_cost": 0, "spare_cost": 3, "spare_max": spare_max,
                                 "ramp_periods": ramp}]
        sheets["Disruptions"] = [{"scenario": "cut", "kind": "capacity_loss",
                                  "country": "A", "good": "g", "start": 3, "end": 4,
                                  "factor": 0.5}]
    return sheets


SPARE_CASES = [
    # id, ramp, spare_max, kind, objective, stock x, spare y
    ("export-ramp-0", 0, 10, "export_cut", 30.0, 0.0, 10.0),
    ("export-ramp-1", 1, 10, "export_cut", 80.0, 10.0, 10.0),
    ("export-ramp-2", 2, 10, "export_cut", 100.0, 20.0, 0.0),
    ("export-ramp-4", 4, 10, "export_cut", 100.0, 20.0, 0.0),
    ("export-ramp-0-spare-max-6", 0, 6, "export_cut", 58.0, 8.0, 6.0),
    ("export-ramp-1-spare-max-6", 1, 6, "export_cut", 88.0, 14.0, 6.0),
    ("loss-ramp-0", 0, 10, "capacity_loss", 30.0, 0.0, 10.0),
    ("loss-ramp-1", 1, 10, "capacity_loss", 50.0, 10.0, 0.0),
]


@pytest.mark.parametrize("ramp, spare_max, kind, objective, stock, spare",
                         [c[1:] for c in SPARE_CASES], ids=[c[0] for c in SPARE_CASES])
def test_spare_capacity_or_stock_by_ramp_up(tmp_path, ramp, spare_max, kind, objective,
                                            stock, spare):
    """H = 4, k = 1, A needs 10/period; the cut (π = 0.2) lasts 2 periods (3..4), onset
    t0 = 3. Stock x costs 5 per unit a year and covers one unit of one period; reserved
    spare y costs 3 per unit/period and adds y to production in every period
    t ≥ t0 + ramp (v2 counts the ramp from the onset; v1 counted it from period 1); a
    short unit costs 0.2 · 100 = 20 in expectation. Every flow is free, and the normal
    scenario (no Disruptions rows) never draws stock or runs spare capacity: it costs 0.

    export_cut (A's import of 10 is cut to 0; A's own capacity is 0):
      ramp 0: spare runs in both cut periods, so one unit of y covers 2 units for 3
        (1.5 each) against 5 for stock: y = 10, x = 0, objective 30. (Dual check:
        prices 1.5 in periods 3 and 4; stock 5 ≥ 1.5, spare 3 = 1.5 + 1.5; 10·3 = 30.)
      ramp 1: spare runs only in period 4 (3 per unit < 5); period 3 needs stock
        (5 < 20): x = 10, y = 10, objective 50 + 30 = 80. Stock is needed for the periods
        before the ramp ends.
      ramp 2 (and 4): t0 + ramp ≥ 5 > H, spare never runs: x = 20, y = 0, objective 100
        (in v1 ramp 2 still ran in both cut periods: 30).
      ramp 0, spare_max 6: y = 6 at its limit (1.5 per unit covered beats 5), the other
        4 + 4 from stock: objective 18 + 40 = 58.
      ramp 1, spare_max 6: y = 6 covers 6 of period 4 at 3 each (< 5); period 3 (10) and
        the rest of period 4 (4) from stock: x = 14, objective 18 + 70 = 88.
    capacity_loss (A produces 10, factor 0.5 in 3..4, which also halves the spare:
    q ≤ 0.5·(10 + y)):
      ramp 0: q = 10 needs y = 10: 3 per reserved unit gives 0.5 + 0.5 = 1 unit, 3 < 5:
        y = 10, x = 0, objective 30 (if the factor skipped the spare, y = 5 would do: 15).
      ramp 1: period 3 needs 5 from stock (25); in period 4 a reserved unit gives only
        0.5 unit, 6 per unit > 5: stock again. x = 10, y = 0, objective 50.
    """
    solved = solve(tmp_path, spare_sheets(ramp, spare_max, kind))
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    level, bought = stock_level(solved)
    assert level == pytest.approx(stock, rel=REL, abs=ABS_QTY)
    assert bought == pytest.approx(stock, rel=REL, abs=ABS_QTY)
    assert spare_level(solved) == pytest.approx(spare, rel=REL, abs=ABS_QTY)
    assert plan_column(solved, "cut", "short") == approx_list([0.0] * 4)
    produced = plan_column(solved, "cut", "produced")
    for t, q in enumerate(produced, start=1):
        if kind == "export_cut" and t < 3 + ramp:
            assert q == pytest.approx(0.0, abs=ABS_QTY)  # spare not yet running
    assert sum(plan_column(solved, "cut", "drawn")) == pytest.approx(
        stock, rel=REL, abs=ABS_QTY)
    assert plan_column(solved, "cut", "drawn")[:2] == approx_list([0.0, 0.0])
    assert plan_column(solved, "normal", "drawn") == approx_list([0.0] * 4)
    normal_produced = plan_column(solved, "normal", "produced")
    assert max(normal_produced) <= (10.0 if kind == "capacity_loss" else 0.0) + ABS_QTY
    assert solved.results.scenario_costs.set_index("scenario").loc[
        "normal", "total_cost"] == pytest.approx(0.0, abs=1e-9)


# --- d. stock floor, initial stock, storage limit --------------------------------------------


def floor_sheets(initial, minimum, maximum, demand):
    row = {"country": "A", "good": "g", "initial": initial, "min": minimum,
           "purchase_cost": 4, "holding_cost": 1, "refill_cost": 0}
    if maximum is not None:
        row["max"] = maximum
    return {
        "Settings": k_one(1, capital_rate=0.25),
        "Countries": [{"country": "A", "role": "ally"}],
        "Goods": [{"good": "g", "unit": "t", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": demand}],
        "Stockpiles": [row],
        "Scenarios": [{"scenario": "only", "probability": 1}],
        "Disruptions": [onset_row("only")],
    }


FLOOR_CASES = [
    # id, initial, min, max, demand, objective, level, bought, short
    ("floor-binds", 30, 50, None, 10, 100.0, 50.0, 20.0, 0.0),
    ("initial-above-need", 30, 0, None, 10, 20.0, 10.0, 0.0, 0.0),
    ("buy-above-initial", 30, 0, None, 60, 120.0, 60.0, 30.0, 0.0),
    ("storage-limit-binds", 30, 0, 40, 60, 2080.0, 40.0, 10.0, 20.0),
    ("floor-equals-limit", 0, 25, 25, 60, 3550.0, 25.0, 25.0, 35.0),
]


@pytest.mark.parametrize("initial, minimum, maximum, demand, objective, level, bought, short",
                         [c[1:] for c in FLOOR_CASES], ids=[c[0] for c in FLOOR_CASES])
def test_stock_floor_initial_and_storage_limit(tmp_path, initial, minimum, maximum, demand,
                                               objective, level, bought, short):
    """One period, one scenario with the factor-1 onset row (so stock can be drawn),
    k = 1 (periods_per_year 1), no other supply; purchase_cost 4, holding 1,
    capital_rate 0.25, refill_cost 0, penalty 100. In v2 every unit held costs
    (0.25 · 4 + 1) = 2 a year, initial stock included (it could be sold at its price),
    and the purchase of max(0, x − initial) units is reported (outlay 4 per unit), not
    charged: F = 2x, shortfall (D − x)⁺ at 100. So x = D unless a floor or a limit
    binds, whatever the initial stock (v1 made initial stock free).

      floor-binds: need 10 but min 50: x = 50, bought 20: F = 100, objective 100.
      initial-above-need: x = 10, 20 of the 30 held let go, nothing bought: 20.
      buy-above-initial: x = 60, bought 30: 120.
      storage-limit-binds: x = max = 40, bought 10, short 20: 80 + 2000 = 2080.
      floor-equals-limit: x = 25, bought 25, short 35: 50 + 3500 = 3550.
    The stockpile table splits the yearly cost: capital 0.25 · 4 · x = x, holding 1 · x.
    """
    solved = solve(tmp_path, floor_sheets(initial, minimum, maximum, demand))
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    got_level, got_bought = stock_level(solved)
    assert got_level == pytest.approx(level, rel=REL, abs=ABS_QTY)
    assert got_bought == pytest.approx(bought, rel=REL, abs=ABS_QTY)
    assert plan_column(solved, "only", "short") == approx_list([short])
    assert plan_column(solved, "only", "drawn") == approx_list([min(level, demand)])
    table = solved.results.stockpiles.iloc[0]
    assert float(table["purchase_outlay"]) == pytest.approx(4 * bought, rel=REL,
                                                               abs=1e-6)
    assert float(table["capital_cost"]) == pytest.approx(level, rel=REL, abs=1e-6)
    assert float(table["holding_cost"]) == pytest.approx(level, rel=REL, abs=1e-6)
    assert float(table["yearly_cost"]) == pytest.approx(2 * level, rel=REL, abs=1e-6)
    assert solved.results.stage_one_cost == pytest.approx(2 * level, rel=REL)


# --- e. budget caps an ally's stage-one spending ---------------------------------------------


def budget_sheets(budget_a, initial_a=0, spare_a=False):
    sheets = {
        "Settings": k_one(1, capital_rate=1),
        "Countries": [{"country": "A", "role": "ally", "budget": budget_a},
                      {"country": "B", "role": "ally"}],
        "Goods": [{"good": "g", "unit": "t", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 100},
                   {"country": "B", "good": "g", "demand": 100}],
        "Stockpiles": [{"country": "A", "good": "g", "initial": initial_a,
                        "purchase_cost": 4, "holding_cost": 1, "refill_cost": 0},
                       {"country": "B", "good": "g", "purchase_cost": 4,
                        "holding_cost": 1, "refill_cost": 0}],
        "Scenarios": [{"scenario": "only", "probability": 1}],
        "Disruptions": [onset_row("only", country="*")],
    }
    if spare_a:
        sheets["Production"] = [{"country": "A", "good": "g", "capacity": 0, "unit_cost": 0,
                                 "spare_cost": 2, "spare_max": 100, "ramp_periods": 0}]
    return sheets


BUDGET_CASES = [
    # id, budget A, initial A, spare option at A, objective, x_A, y_A, short A
    ("stock-capped", 300, 0, False, 4800.0, 60.0, 0.0, 40.0),
    ("budget-not-binding", 1000, 0, False, 1000.0, 100.0, 0.0, 0.0),
    ("capped-with-initial", 200, 50, False, 6700.0, 40.0, 0.0, 60.0),
    ("capped-spare-first", 100, 0, True, 5600.0, 0.0, 50.0, 50.0),
]


@pytest.mark.parametrize("budget, initial, spare, objective, stock, reserved, short",
                         [c[1:] for c in BUDGET_CASES], ids=[c[0] for c in BUDGET_CASES])
def test_budget_caps_an_allys_stage_one_spending(tmp_path, budget, initial, spare, objective,
                                                 stock, reserved, short):
    """One period, one scenario with the factor-1 onset row, k = 1; A and B each need
    100 with no supply but stock. capital_rate 1 and refill_cost 0: a unit held costs
    1 · 4 + 1 = 5 a year, drawing it nothing; penalty 100. B has no budget: x_B = 100
    for 500. A's yearly share of F, 5·x (+ 2·y), must stay within its budget; in v2
    the initial stock is charged like any unit held (v1 charged purchases above it):
      stock-capped, 300: 5x ≤ 300 → x = 60, short 40: 300 + 4000 + 500 = 4800.
      budget-not-binding, 1000: x = 100 for 500: 500 + 500 = 1000.
      capped-with-initial, 200 with 50 held: 5x ≤ 200 → x = 40 (10 of the 50 let go),
        short 60: 200 + 6000 + 500 = 6700 (v1: x = 80, 2700).
      capped-spare-first, 100, with spare capacity at 2 per unit (ramp 0 from the onset
        1, so one unit of y covers the one period): spare is cheaper per unit covered
        than stock, so the budget goes to y = 50, x = 0, short 50: 100 + 5000 + 500 = 5600.
    """
    solved = solve(tmp_path, budget_sheets(budget, initial, spare))
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    level_a, _ = stock_level(solved, "A")
    level_b, _ = stock_level(solved, "B")
    assert level_a == pytest.approx(stock, rel=REL, abs=ABS_QTY)
    assert level_b == pytest.approx(100.0, rel=REL, abs=ABS_QTY)
    if spare:
        assert spare_level(solved, "A") == pytest.approx(reserved, rel=REL, abs=ABS_QTY)
    assert plan_column(solved, "only", "short") == approx_list([short])
    assert plan_column(solved, "only", "short", country="B") == approx_list([0.0])
    spent_a = 5 * level_a + (2 * spare_level(solved, "A") if spare else 0.0)
    assert spent_a <= budget * (1 + 1e-9) + 1e-6
    purchases = solved.results.purchases.set_index("country")
    assert float(purchases.loc["A", "yearly_cost"]) == pytest.approx(spent_a, rel=REL,
                                                                     abs=1e-6)
    assert float(purchases.loc["A", "purchase_outlay"]) == pytest.approx(
        4 * max(0.0, level_a - initial), rel=REL, abs=1e-6)


# --- f. disruption rows that hit the same flow multiply --------------------------------------


def stacked_sheets(rows, periods=3):
    return {
        "Settings": k_one(periods),
        "Countries": [{"country": "A", "role": "ally"}, {"country": "B", "role": "ally"},
                      {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "unit": "t", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10},
                   {"country": "B", "good": "g", "demand": 10}],
        "Production": [{"country": "B", "good": "g", "capacity": 10, "unit_cost": 2}],
        "Imports": [{"origin": "S", "destination": "A", "good": "g", "volume": 10,
                     "unit_cost": 1}],
        "Scenarios": [{"scenario": "hit", "probability": 1}],
        "Disruptions": [{"scenario": "hit", **row} for row in rows],
    }


CUT = {"kind": "export_cut", "country": "S", "partner": "A", "good": "g"}
STACK_CASES = [
    # id, disruption rows, A's short by period, B's short by period, objective
    ("two-cuts-0.5-0.5", [{**CUT, "start": 1, "end": 3, "factor": 0.5},
                          {**CUT, "start": 1, "end": 3, "factor": 0.5}],
     [7.5, 7.5, 7.5], [0, 0, 0], 3 * (2.5 * 1 + 7.5 * 100) + 3 * 10 * 2),
    ("overlap-in-period-2", [{**CUT, "start": 1, "end": 2, "factor": 0.5},
                             {**CUT, "start": 2, "end": 3, "factor": 0.5}],
     [5, 7.5, 5], [0, 0, 0], (5 + 2.5 + 5) * 1 + (5 + 7.5 + 5) * 100 + 30 * 2),
    ("wildcard-and-named", [{**CUT, "start": 1, "end": 3, "factor": 0.5},
                            {"kind": "export_cut", "country": "*", "partner": "*",
                             "good": "*", "start": 1, "end": 3, "factor": 0.5}],
     [7.5, 7.5, 7.5], [0, 0, 0], 3 * (2.5 * 1 + 7.5 * 100) + 3 * 10 * 2),
    ("capacity-losses", [{"kind": "capacity_loss", "country": "B", "good": "g",
                          "start": 2, "end": 2, "factor": 0.5},
                         {"kind": "capacity_loss", "country": "*", "good": "g",
                          "start": 2, "end": 3, "factor": 0.4}],
     [0, 0, 0], [0, 8, 6], 3 * 10 + (10 + 2 + 4) * 2 + (8 + 6) * 100),
    ("demand-surges", [{"kind": "demand_surge", "country": "A", "good": "g",
                        "start": 3, "end": 3, "factor": 1.5},
                       {"kind": "demand_surge", "country": "A", "good": "*",
                        "start": 3, "end": 3, "factor": 2}],
     [0, 0, 20], [0, 0, 0], 3 * 10 + 20 * 100 + 3 * 10 * 2),
]


@pytest.mark.parametrize("rows, short_a, short_b, objective", [c[1:] for c in STACK_CASES],
                         ids=[c[0] for c in STACK_CASES])
def test_disruption_rows_on_the_same_flow_multiply(tmp_path, rows, short_a, short_b,
                                                   objective):
    """H = 3, k = 1 (periods_per_year 3), one scenario (π = 1), no sharing, stock or
    spare (so the onset plays no part). A needs 10 and imports up to 10
    from S at 1; B needs 10 and produces up to 10 at 2; penalty 100, so every available
    unit is used.

      two-cuts-0.5-0.5: factor 0.5 × 0.5 = 0.25 → A imports 2.5, short 7.5 each period:
        3·(2.5 + 750) + B's 3·20 = 2317.5 (one row alone: 1575; factor 0: 3060).
      overlap-in-period-2: factors 0.5, 0.25, 0.5 → imports 5, 2.5, 5; short 5, 7.5, 5:
        12.5 + 1750 + 60 = 1822.5.
      wildcard-and-named: a named row and a `*` row both hit S→A: 0.25 as above.
      capacity-losses: B's capacity × 0.5·0.4 = 0.2 in period 2, × 0.4 in period 3 →
        produces 10, 2, 4, short 0, 8, 6: 30 + 32 + 1400 = 1462.
      demand-surges: A's demand × 1.5·2 = 3 in period 3 → 30, import 10, short 20:
        30 + 2000 + 60 = 2090.
    """
    solved = solve(tmp_path, stacked_sheets(rows))
    assert solved.results.objective == pytest.approx(objective, rel=REL)
    assert plan_column(solved, "hit", "short") == approx_list([float(s) for s in short_a])
    assert plan_column(solved, "hit", "short", country="B") == approx_list(
        [float(s) for s in short_b])


def test_stacked_factors_reach_the_model_bounds(tmp_path):
    """Two export_cut rows 0.5 and 0.5 on S→A in period 1..3: the factor stored is their
    product 0.25, and A imports its bound 0.25 · 10 = 2.5 in every period (a unit
    imported at 1 saves a penalty of 100, so the bound binds)."""
    rows = [{**CUT, "start": 1, "end": 3, "factor": 0.5},
            {**CUT, "start": 1, "end": 3, "factor": 0.5}]
    solved = solve(tmp_path, stacked_sheets(rows))
    for t in (1, 2, 3):
        assert solved.data.factors["hit"].imports["S", "A", "g", t] == pytest.approx(0.25)
    assert plan_column(solved, "hit", "imported") == approx_list([2.5, 2.5, 2.5])


def test_budget_on_an_ally_without_stage_one_options(tmp_path):
    """A has a budget of 50 but nothing to spend it on (no stockpile row, no spare
    option); B holds stock at 1 per unit a year (capital_rate 1 × purchase_cost 1,
    refill_cost 0). One period, one scenario with the factor-1 onset row, k = 1, penalty
    100, both need 10 with no other supply: B holds x_B = 10 (10), A is short 10 (1000):
    objective 1010.
    A budget with nothing under it caps nothing; the case is valid per MODEL.md (an
    earlier build raised InvalidConstraintError here: the budget row was the constant
    `0 <= B`)."""
    sheets = {
        "Settings": k_one(1, capital_rate=1),
        "Countries": [{"country": "A", "role": "ally", "budget": 50},
                      {"country": "B", "role": "ally"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10},
                   {"country": "B", "good": "g", "demand": 10}],
        "Stockpiles": [{"country": "B", "good": "g", "purchase_cost": 1, "refill_cost": 0}],
        "Scenarios": [{"scenario": "only", "probability": 1}],
        "Disruptions": [onset_row("only", country="*")],
    }
    solved = solve(tmp_path, sheets)
    assert solved.results.objective == pytest.approx(1010.0, rel=REL)
    assert stock_level(solved, "B")[0] == pytest.approx(10.0, rel=REL, abs=ABS_QTY)
    assert plan_column(solved, "only", "short") == approx_list([10.0])


def free_spare_sheets(ramp, producer):
    return {
        "Settings": k_one(1),
        "Countries": [{"country": "A", "role": "ally"}, {"country": "B", "role": "ally"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10}],
        "Production": [{"country": producer, "good": "g", "capacity": 10, "unit_cost": 2,
                        "spare_cost": 0, "spare_max": 5, "ramp_periods": ramp}],
        "Scenarios": [{"scenario": "only", "probability": 1}],
        "Disruptions": [onset_row("only", country="*")],
    }


def test_free_spare_option_whose_ramp_outlasts_the_horizon(tmp_path):
    """One period, one scenario with the factor-1 onset row (onset 1), k = 1; A needs 10
    (penalty 100) and produces up to 10 at 2; a free spare option (spare_cost 0,
    spare_max 5) with ramp_periods 1 would run from t0 + 1 = 2 > H = 1: never.
    A produces 10 at 2: objective 20, F = 0 (a valid case: spare_cost ≥ 0, ramp ≥ 0).
    The spare variable enters no row and no cost, so the compiler drops it; an earlier
    build then failed to evaluate F (ValueError: no value for spare[A,g])."""
    solved = solve(tmp_path, free_spare_sheets(ramp=1, producer="A"))
    assert solved.results.objective == pytest.approx(20.0, rel=REL)
    assert solved.results.stage_one_cost == pytest.approx(0.0, abs=1e-9)
    assert plan_column(solved, "only", "produced") == approx_list([10.0])


def test_free_spare_option_at_a_producer_without_demand(tmp_path):
    """As above but B produces (ramp 0), with no demand and no link to A: nothing can
    reach A, which is short 10: objective 1000, F = 0."""
    solved = solve(tmp_path, free_spare_sheets(ramp=0, producer="B"))
    assert solved.results.objective == pytest.approx(1000.0, rel=REL)
    assert solved.results.stage_one_cost == pytest.approx(0.0, abs=1e-9)
    assert plan_column(solved, "only", "short") == approx_list([10.0])
