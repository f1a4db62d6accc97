"""The risk objectives (`models.risk`): Settings objective = cvar (cvar_alpha α,
risk_weight λ) and worst_case, on cases solved by hand (both formulations), what-if
re-solves over λ and α on the built model, no decomposition of a risk objective, a
property over random cases, and the validation of the new settings.

The hand cases are newsvendors: one ally, one good, one period, the stock x its only
supply, k = 1 (periods_per_year = periods = 1), capital_rate 1, purchase_cost 0, so a
unit held costs c = holding_cost a year; refill_cost 0. Scenario ω has demand d_ω
(a demand_surge from period 1, so the onset is 1 and the stock may be drawn) and its cost
is C_ω(x) = p · (d_ω − x)⁺.
"""

from __future__ import annotations

import dataclasses
import json
import math

import openpyxl
import pytest
from casebuilder import base_case, load, write_case
from test_properties import random_case

from models.components import independent_parts
from optimizer import cli
from optimizer.analyses.extras import run_extras
from optimizer.decomposition import solve_in_parts
from optimizer.errors import InputError
from optimizer.pipeline import CaseSolver, Timings, load_case, solve_case
from optimizer.results.risk import risk_profile

REL = 1e-9


def newsvendor(holding, penalty, demands, probabilities, **settings):
    scenarios = [f"s{i}" for i in range(len(demands))]
    return {
        "Settings": {"periods": 1, "periods_per_year": 1, "capital_rate": 1, **settings},
        "Countries": [{"country": "A", "role": "ally"}],
        "Goods": [{"good": "g", "unit": "t", "shortage_penalty": penalty}],
        "Demand": [{"country": "A", "good": "g", "demand": 100}],
        "Stockpiles": [{"country": "A", "good": "g", "initial": 0, "min": 0,
                        "purchase_cost": 0, "holding_cost": holding, "refill_cost": 0}],
        "Scenarios": [{"scenario": s, "probability": pi}
                      for s, pi in zip(scenarios, probabilities, strict=True)],
        "Disruptions": [{"scenario": s, "kind": "demand_surge", "country": "A", "good": "g",
                         "start": 1, "end": 1, "factor": d / 100}
                        for s, d in zip(scenarios, demands, strict=True)],
    }


def solve(tmp_path, sheets, formulation, name="case"):
    solved = solve_case(load(write_case(tmp_path / f"{name}.xlsx", sheets)), Timings(),
                        formulation=formulation)
    assert solved.outcome.status == "optimal"
    return solved


def level(solved) -> float:
    return float(solved.results.stockpiles["level"].iloc[0])


def cvar(costs, probabilities, alpha) -> float:
    """Rockafellar–Uryasev by brute force: min over η ∈ {C_ω} of
    η + Σ π (C − η)⁺ / (1 − α) (the minimum of this convex piecewise-linear function of
    η lies at a breakpoint)."""
    return min(eta + sum(p * max(0.0, c - eta) for c, p in
                         zip(costs, probabilities, strict=True)) / (1 - alpha)
               for eta in costs)


def cvar_newsvendor_objective(x, c, p, demands, probabilities, alpha, weight) -> float:
    costs = [p * max(0.0, d - x) for d in demands]
    expected = sum(pi * cost for pi, cost in zip(probabilities, costs, strict=True))
    return c * x + (1 - weight) * expected + weight * cvar(costs, probabilities, alpha)


TEN = [20.0 * k for k in range(1, 11)]  # d = 20, 40, …, 200, each π = 0.1


@pytest.mark.parametrize("alpha, weight, stock", [
    (0.5, 0.5, 160.0),   # factor 1.5: quantile 1 − 8.5 / 30 = 0.717 → 160
    (0.5, 1.0, 160.0),   # factor 2:   quantile 1 − 8.5 / 40 = 0.788 → 160
    (0.6, 0.25, 140.0),  # factor 1.375: quantile 1 − 8.5 / 27.5 = 0.691 ≥ α → 140
    (0.5, 0.0, 120.0),   # λ = 0: the expected newsvendor, 1 − 8.5 / 20 = 0.575 → 120
])
def test_cvar_newsvendor_moves_the_stock_to_the_risk_adjusted_quantile(
        tmp_path, formulation, alpha, weight, stock):
    """c = 8.5, p = 20, ten demands 20, 40, …, 200 of probability 0.1 each. The cost
    is c·x + (1 − λ)·E[p(d − x)⁺] + λ·CVaR_α[p(d − x)⁺], convex piecewise linear in x
    with breakpoints at the demands. With G(x) = P(d > x), E's slope is −p·G and
    CVaR's −p·min(1, G / (1 − α)) (the worst 1 − α of the probability lies where
    d > x while G ≥ 1 − α, and then every unit of stock cuts each tail cost by p). So
    where G ≤ 1 − α the slope is c − p·(1 − λ + λ / (1 − α))·G, and the optimum is
    the smallest demand with P(d ≤ x) ≥ 1 − c / (k·p·(1 − λ + λ / (1 − α))) (k = 1
    here), provided that level is ≥ α; λ = 0 gives the expected newsvendor's
    1 − c / (k·p) = 0.575 → 120. E.g. α = 0.5, λ = 0.5: 1 − 8.5 / (20 · 1.5) = 0.717,
    P(d ≤ 140) = 0.7 < 0.717 ≤ 0.8 = P(d ≤ 160) → x = 160, objective
    8.5·160 + 0.5·E (= 20·(0.1·20 + 0.1·40) = 120) + 0.5·CVaR (tail: costs 400 and 800
    of 0.1 each over 1 − α = 0.5: 240) = 1360 + 60 + 120 = 1540."""
    settings = {"objective": "cvar", "cvar_alpha": alpha, "risk_weight": weight}
    solved = solve(tmp_path, newsvendor(8.5, 20, TEN, [0.1] * 10, **settings), formulation)
    factor = 1 - weight + weight / (1 - alpha)
    quantile = 1 - 8.5 / (20 * factor)
    assert quantile >= alpha - 1e-12 or weight == 0
    cumulative = [0.1 * k for k in range(1, 11)]
    assert stock == next(d for d, q in zip(TEN, cumulative, strict=True)
                         if q >= quantile - 1e-12)
    assert level(solved) == pytest.approx(stock, abs=1e-6)
    best = min(cvar_newsvendor_objective(x, 8.5, 20, TEN, [0.1] * 10, alpha, weight)
               for x in [0.0, *TEN])
    assert solved.results.objective == pytest.approx(best, rel=REL)
    assert solved.results.objective == pytest.approx(
        cvar_newsvendor_objective(stock, 8.5, 20, TEN, [0.1] * 10, alpha, weight), rel=REL)
    if (alpha, weight) == (0.5, 0.5):
        assert solved.results.objective == pytest.approx(1540.0, rel=REL)


def test_worst_case_newsvendor_on_two_scenarios(tmp_path, formulation):
    """c = 5, p = 10; demand 100 with probability 0.9, 200 with 0.1. Expected: the
    fractile 1 − 5/10 = 0.5 ≤ 0.9 → x = 100, objective 500 + 0.1·10·100 = 600.
    Worst case: min 5x + max(10·(100 − x)⁺, 10·(200 − x)⁺) = 5x + 10·(200 − x)⁺, slope
    5 − 10 < 0 up to 200 → x = 200, objective 1000; the probabilities play no part."""
    expected = solve(tmp_path, newsvendor(5, 10, [100, 200], [0.9, 0.1]), formulation, "e")
    assert level(expected) == pytest.approx(100.0, abs=1e-6)
    assert expected.results.objective == pytest.approx(600.0, rel=REL)
    worst = solve(tmp_path, newsvendor(5, 10, [100, 200], [0.9, 0.1],
                                       objective="worst_case"), formulation, "w")
    assert level(worst) == pytest.approx(200.0, abs=1e-6)
    assert worst.results.objective == pytest.approx(1000.0, rel=REL)
    # the summary figures stay what they mean: F and k·E[C] of the chosen plan
    assert worst.results.stage_one_cost == pytest.approx(1000.0, rel=REL)
    assert worst.results.expected_scenario_cost == pytest.approx(0.0, abs=1e-6)


def test_cvar_with_full_weight_and_alpha_near_one_is_the_worst_case(tmp_path, formulation):
    """With λ = 1, CVaR_α is the mean of the worst 1 − α of the probability. When
    1 − α is at most the probability of the costliest scenario (here α = 0.99 against
    π = 0.1 for the cut), that tail lies inside it: CVaR_α = max_ω C_ω for every plan,
    so the two objectives are the same function of the plan and have the same optimum.
    The base case (two allies, a cut on A's imports in periods 2–3, sharing from B) is
    not solved by hand here: the check is that both objectives agree with each other,
    and with F + k·max_ω C_ω of the plan found."""
    sheets = base_case()
    sheets["Settings"].update(objective="cvar", cvar_alpha=0.99, risk_weight=1)
    by_cvar = solve(tmp_path, sheets, formulation, "cvar")
    sheets["Settings"] = {"periods": 3, "objective": "worst_case"}
    by_worst = solve(tmp_path, sheets, formulation, "worst")
    assert by_cvar.results.objective == pytest.approx(by_worst.results.objective, rel=REL)
    for solved in (by_cvar, by_worst):
        costs = solved.results.scenario_costs["total_cost"]
        k = solved.data.horizon_weight
        assert solved.results.objective == pytest.approx(
            solved.results.stage_one_cost + k * costs.max(), rel=REL)
    expected = solve(tmp_path, {**sheets, "Settings": {"periods": 3}}, formulation, "exp")
    assert expected.results.objective < by_worst.results.objective


# --- what-if re-solves ---------------------------------------------------------------------


def with_settings(case, penalty=None, **changes):
    settings = dataclasses.replace(case.settings, **changes)
    if penalty is None:
        return dataclasses.replace(case, settings=settings)
    return dataclasses.replace(
        case, settings=settings,
        goods={g: dataclasses.replace(v, shortage_penalty=penalty)
               for g, v in case.goods.items()},
        demand={k: dataclasses.replace(v, shortage_penalty=penalty)
                for k, v in case.demand.items()})


def test_a_sweep_over_the_risk_weight_re_solves_the_built_model(tmp_path):
    """CaseSolver keeps its built LP (and HiGHS's basis) when only λ, α or a penalty
    changes under cvar, and each re-solve equals a fresh solve of the reference path.
    A penalty is a coefficient of the block row e ≥ C_ω − η, the same in every block:
    the fast path must re-read it into its template (a stale template would keep the
    old penalty in the tail and miss the plain path's optimum)."""
    case = load(write_case(tmp_path / "nv.xlsx", newsvendor(
        8.5, 20, TEN, [0.1] * 10, objective="cvar", cvar_alpha=0.5, risk_weight=0.5)))
    solver = CaseSolver()
    solver.solve(case, Timings())
    built = solver.lp
    for weight, alpha, penalty in [(0.9, 0.5, None), (0.0, 0.5, None), (1.0, 0.8, None),
                                   (0.5, 0.5, 30.0), (0.7, 0.6, 15.0)]:
        variant = with_settings(case, penalty, risk_weight=weight, cvar_alpha=alpha)
        again = solver.solve(variant, Timings())
        assert solver.lp is built
        fresh = solve_case(variant, Timings(), formulation="plain")
        assert again.results.objective == pytest.approx(fresh.results.objective, rel=REL)
        assert again.results.objective == pytest.approx(
            cvar_newsvendor_objective(level(again), 8.5, penalty or 20, TEN, [0.1] * 10,
                                      alpha, weight), rel=REL)
    solver.solve(with_settings(case, objective="worst_case"), Timings())
    assert solver.lp is not built  # the objective's kind is structure: a rebuild


# --- decomposition ---------------------------------------------------------------------------


def two_independent_goods(**settings):
    """Goods g and h at ally A, nothing joining them but the objective: each has an
    import of 10 (demand 10) cut to 0 in scenario s_g resp. s_h (probability 0.1
    each; normal times 0.8), a stock costing 6 a year, penalty 10, k = 1."""
    return {
        "Settings": {"periods": 1, "periods_per_year": 1, "capital_rate": 0, **settings},
        "Countries": [{"country": "A"}, {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": 10}, {"good": "h", "shortage_penalty": 10}],
        "Demand": [{"country": "A", "good": "g", "demand": 10},
                   {"country": "A", "good": "h", "demand": 10}],
        "Imports": [{"origin": "S", "destination": "A", "good": good, "volume": 10}
                    for good in ("g", "h")],
        "Stockpiles": [{"country": "A", "good": good, "holding_cost": 6, "refill_cost": 0}
                       for good in ("g", "h")],
        "Scenarios": [{"scenario": "normal", "probability": 0.8},
                      {"scenario": "s_g", "probability": 0.1},
                      {"scenario": "s_h", "probability": 0.1}],
        "Disruptions": [{"scenario": f"s_{good}", "kind": "export_cut", "country": "S",
                         "good": good, "start": 1, "end": 1, "factor": 0}
                        for good in ("g", "h")],
    }


@pytest.mark.parametrize("settings", [{"objective": "worst_case"},
                                      {"objective": "cvar", "cvar_alpha": 0.85,
                                       "risk_weight": 1}], ids=["worst_case", "cvar"])
def test_a_risk_objective_keeps_independent_goods_together(tmp_path, formulation,
                                                           settings):
    """Scenario costs (normal, s_g, s_h) = (0, 10(10 − x_g), 10(10 − x_h)). Expected:
    each good is a newsvendor with 1 − 6/10 = 0.4 ≤ P(no cut) = 0.9 → no stock,
    objective 2 · 0.1 · 100 = 20, and the case splits into its goods. Worst case:
    min 6(x_g + x_h) + max(10(10 − x_g), 10(10 − x_h)): the max falls only when both
    stocks rise (12 a year for 10 less) → no stock, objective 100. CVaR_0.85 with
    λ = 1: the worst 15 % is s_h's 0.1 and half of s_g's (or the other way round), so
    one unit on the good of the smaller cut cost saves 10 · 0.05 / 0.15 = 3.3 for 6, and
    both together 10 for 12 → no stock, objective CVaR(0, 100, 100) = 100 (checked on a
    grid of plans). Split into goods, each part would see (0, 100, 0) and stock fully
    (worst case: 6·10 against 100; CVaR: 60 against 0.1·100/0.15 = 66.7): 60 + 60 =
    120 ≠ 100. So a risk objective must not split; its one LP meets the hand value."""
    expected = load(write_case(tmp_path / "e.xlsx", two_independent_goods()))
    assert len(independent_parts(expected)) == 2
    assert solve_case(expected, Timings(), formulation=formulation).results.objective \
        == pytest.approx(20.0, rel=REL)
    case = load(write_case(tmp_path / "r.xlsx", two_independent_goods(**settings)))
    assert independent_parts(case) == [case]
    solved = solve_in_parts(case, independent_parts(case), Timings(), jobs=1)
    assert solved.results.objective == pytest.approx(100.0, rel=REL)
    assert solve(tmp_path, two_independent_goods(**settings), formulation).results.objective \
        == pytest.approx(100.0, rel=REL)
    if settings["objective"] == "cvar":
        grid = [k / 2 for k in range(21)]
        best = min(6 * (a + b) + cvar([0.0, 10 * (10 - a), 10 * (10 - b)], [0.8, 0.1, 0.1],
                                      0.85) for a in grid for b in grid)
        assert best == pytest.approx(100.0, rel=REL)
    by_parts = [dataclasses.replace(part, settings=case.settings)
                for part in independent_parts(expected)]
    assert sum(solve_case(part, Timings()).results.objective for part in by_parts) \
        == pytest.approx(120.0, rel=REL)


# --- property on random cases ----------------------------------------------------------------

WEIGHTS = [0.0, 0.25, 0.5, 0.75, 1.0]


@pytest.mark.parametrize("seed", range(8))
def test_a_larger_risk_weight_never_raises_the_cvar_nor_lowers_the_expected_cost(
        tmp_path, seed):
    """Write f = F + k·E[C] and g = F + k·CVaR_α[C] of a plan; the objective is
    (1 − λ)·f + λ·g. For λ < λ' with optimal plans x and x', each is at least as good
    as the other at its own λ: (1 − λ)f(x) + λg(x) ≤ (1 − λ)f(x') + λg(x') and
    (1 − λ')f(x') + λ'g(x') ≤ (1 − λ')f(x) + λ'g(x). Adding them gives
    (λ' − λ)·((g(x') − g(x)) − (f(x') − f(x))) ≤ 0; with the first inequality that
    gives f(x') ≥ f(x), with the second g(x') ≤ g(x): F + k·CVaR never rises and the
    expected cost never falls, whichever optimal plans HiGHS returns. Each objective is
    also checked to equal (1 − λ)·f + λ·g of its plan.
    Checked over λ = 0, 0.25, …, 1 by re-solves on the built model (α = 0.8), with the
    CVaR recomputed from the scenario costs by brute force (`cvar`)."""
    sheets = random_case(seed)
    sheets["Settings"].update(objective="cvar", cvar_alpha=0.8, risk_weight=0.0)
    case = load(write_case(tmp_path / "r.xlsx", sheets))
    solver = CaseSolver()
    probabilities = [sc.probability for sc in case.scenarios.values()]
    previous = None
    for weight in WEIGHTS:
        solved = solver.solve(with_settings(case, risk_weight=weight), Timings())
        assert solved.outcome.status == "optimal"
        results = solved.results
        k = solved.data.horizon_weight
        costs = list(results.scenario_costs["total_cost"])
        expected = results.stage_one_cost + results.expected_scenario_cost
        tail = results.stage_one_cost + k * cvar(costs, probabilities, 0.8)
        assert results.objective == pytest.approx((1 - weight) * expected + weight * tail,
                                                  rel=1e-6)
        if previous is not None:
            scale = 1e-6 * max(1.0, abs(tail))
            assert tail <= previous[1] + scale
            assert expected >= previous[0] - scale
        previous = (expected, tail)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("settings", [{"objective": "cvar", "cvar_alpha": 0.8,
                                       "risk_weight": 0.6}, {"objective": "worst_case"}],
                         ids=["cvar", "worst_case"])
def test_both_paths_agree_on_random_cases_with_a_risk_objective(tmp_path, seed, settings):
    """The fast path (template block replicated, the CVaR row holding the penalties) and
    the reference path (the whole Pyomo model) give the same optimum, and it is
    F + k·((1 − λ)E + λ·CVaR) resp. F + k·max C of the plan found."""
    sheets = random_case(seed)
    sheets["Settings"].update(settings)
    case = load(write_case(tmp_path / "r.xlsx", sheets))
    fast = solve_case(case, Timings(), formulation="replicated")
    reference = solve_case(case, Timings(), formulation="plain")
    assert fast.results.objective == pytest.approx(reference.results.objective, rel=REL)
    results = fast.results
    k = fast.data.horizon_weight
    costs = list(results.scenario_costs["total_cost"])
    if settings["objective"] == "cvar":
        probabilities = [sc.probability for sc in case.scenarios.values()]
        expected = results.stage_one_cost + results.expected_scenario_cost
        tail = results.stage_one_cost + k * cvar(costs, probabilities, 0.8)
        assert results.objective == pytest.approx(0.4 * expected + 0.6 * tail, rel=1e-7)
    else:
        assert results.objective == pytest.approx(results.stage_one_cost + k * max(costs),
                                                  rel=1e-7)


# --- validation ------------------------------------------------------------------------------


def problems(tmp_path, **settings):
    sheets = base_case()
    sheets["Settings"].update(settings)
    with pytest.raises(InputError) as info:
        load_case(write_case(tmp_path / "bad.xlsx", sheets), Timings())
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("settings, cell, fragment", [
    ({"objective": "minimax"}, "Settings!B3",
     "objective must be one of 'expected', 'cvar', 'worst_case', got 'minimax'"),
    ({"objective": "cvar", "cvar_alpha": 0}, "Settings!B4",
     "cvar_alpha must be a number > 0 and < 1, got 0"),
    ({"objective": "cvar", "cvar_alpha": 1}, "Settings!B4",
     "cvar_alpha must be a number > 0 and < 1, got 1"),
    ({"objective": "cvar", "cvar_alpha": "90%"}, "Settings!B4", "cvar_alpha must be a number"),
    ({"objective": "cvar", "risk_weight": -0.1}, "Settings!B4",
     "risk_weight must be a number ≥ 0 and ≤ 1, got -0.1"),
    ({"objective": "cvar", "risk_weight": 1.5}, "Settings!B4",
     "risk_weight must be a number ≥ 0 and ≤ 1, got 1.5"),
], ids=["objective unknown", "alpha 0", "alpha 1", "alpha text", "weight negative",
        "weight above 1"])
def test_each_risk_setting_rule_broken_is_reported_at_its_cell(tmp_path, settings, cell,
                                                               fragment):
    found = problems(tmp_path, **settings)
    assert any(p.startswith(cell) and fragment in p for p in found), found


@pytest.mark.parametrize("objective", ["expected", "worst_case"])
def test_cvar_settings_without_cvar_are_a_warning_naming_the_cell(tmp_path, objective):
    """A value the objective ignores is a warning at its cell; a blank or the default
    (as the template writes it) is not."""
    sheets = base_case()
    sheets["Settings"].update(objective=objective, cvar_alpha=0.95, risk_weight=None)
    case, warnings = load_case(write_case(tmp_path / "w.xlsx", sheets), Timings())
    assert case.settings.objective == objective
    texts = [str(w) for w in warnings]
    assert any(t.startswith("Settings!B4: cvar_alpha has no effect with objective "
                            f"'{objective}'") for t in texts), texts
    assert not any("risk_weight" in t for t in texts)  # blank: nothing to warn about
    sheets["Settings"].update(cvar_alpha=0.9, risk_weight=0.5)  # the defaults
    _, warnings = load_case(write_case(tmp_path / "d.xlsx", sheets), Timings())
    assert not any("no effect" in str(w) for w in warnings), [str(w) for w in warnings]


def test_default_objective_is_expected_and_the_case_is_unchanged(tmp_path):
    case = load(write_case(tmp_path / "d.xlsx", base_case()))
    assert (case.settings.objective, case.settings.cvar_alpha,
            case.settings.risk_weight) == ("expected", 0.9, 0.5)
    default = solve_case(case, Timings())
    explicit = solve_case(with_settings(case, objective="expected"), Timings())
    assert default.results.objective == explicit.results.objective
    assert default.outcome.num_columns == explicit.outcome.num_columns
    assert math.isfinite(default.results.objective)


# --- the extra solves, the report and the JSON summary ---------------------------------------


def test_the_expected_cost_plan_and_the_extras_under_cvar(tmp_path, formulation):
    """The cvar newsvendor of α = 0.5, λ = 0.5 holds x = 160 (above); the expected-cost
    plan is the λ = 0 one, x = 120. Its measures: F = 8.5·120 = 1020; E[C] = 20·0.1·
    (20 + 40 + 60 + 80) = 400 → 1420; the worst half of the probability holds the
    losses 400, 800, 1200, 1600 (0.1 each) and a loss of 0 → CVaR 400 / 0.5 = 800 →
    1820; worst 1600 → 2620. This plan's: 1360 + 120 = 1480, 1360 + 240 = 1600,
    1360 + 800 = 2160. Value of the plan by the case's objective: with no stock every
    cost is 20·d: E = 2200, CVaR_0.5 = mean of the top half 20·(120 + … + 200)/5 = 3200
    → 0.5·2200 + 0.5·3200 = 2700, against 1540. EVPI is not reported (warned)."""
    case = load(write_case(tmp_path / "nv.xlsx", newsvendor(
        8.5, 20, TEN, [0.1] * 10, objective="cvar", cvar_alpha=0.5, risk_weight=0.5)))
    solver = CaseSolver(formulation=formulation)
    solved = solver.solve(case, Timings())
    extras = run_extras(solver, solved)
    found = extras.expected_plan
    assert (found.expected, found.cvar, found.worst_case) == pytest.approx(
        (1420.0, 1820.0, 2620.0), rel=REL)
    assert extras.plan.cost_without_plan == pytest.approx(2700.0, rel=REL)
    assert extras.plan.cost_with_plan == pytest.approx(1540.0, rel=REL)
    assert extras.evpi is None
    assert any("EVPI is not reported" in w for w in extras.warnings)
    assert extras.vss is not None and extras.vss.value >= -1e-9
    # the LP HiGHS holds is the case's own again: a warm re-run gives its optimum
    again = solver.solve(case, Timings())
    assert again.results.objective == pytest.approx(1540.0, rel=REL)


def test_the_report_and_the_json_summary_show_the_risk(tmp_path):
    path = write_case(tmp_path / "nv.xlsx", newsvendor(
        8.5, 20, TEN, [0.1] * 10, objective="cvar", cvar_alpha=0.5, risk_weight=0.5))
    report, summary = tmp_path / "nv_report.xlsx", tmp_path / "nv.json"
    assert cli.main(["solve", str(path), "-o", str(report), "--json", str(summary),
                     "-q", "--no-detail"]) == 0
    risk = json.loads(summary.read_text())["risk"]
    assert risk["objective"] == "cvar" and (risk["alpha"], risk["weight"]) == (0.5, 0.5)
    assert (risk["var"], risk["cvar"]) == pytest.approx((0.0, 240.0), abs=1e-6)
    assert (risk["expected_scenario_cost"], risk["worst_scenario_cost"]) == pytest.approx(
        (120.0, 800.0), rel=REL)
    assert risk["worst_scenario"] == "s9"
    assert risk["plan_cost"] == pytest.approx(
        {"expected": 1480.0, "cvar": 1600.0, "worst_case": 2160.0}, rel=REL)
    assert risk["expected_cost_plan_cost"] == pytest.approx(
        {"expected": 1420.0, "cvar": 1820.0, "worst_case": 2620.0}, rel=REL)
    book = openpyxl.load_workbook(report)
    sheet = book["Risk"]
    assert len(sheet._charts) == 1
    assert {"t_Risk", "t_Risk_measures", "t_Risk_distribution"} <= set(sheet.tables)
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    flat = [v for row in cells for v in row if v is not None]
    assert 1820.0 in flat and 1600.0 in flat and 240.0 in flat
    assert any(isinstance(v, str) and v.startswith("Risk: CVaR")
               for row in book["Summary"].iter_rows() for v in (c.value for c in row))


def test_an_expected_case_reports_its_risk_without_an_extra_solve(tmp_path):
    """objective expected: the JSON's risk block measures the plan (VaR and CVaR at the
    default α = 0.9) and has no expected-cost plan beside it (the plan is that plan).
    The expected newsvendor (c = 5, p = 10, demand 100 w.p. 0.9, 200 w.p. 0.1) holds
    x = 100: C = (0, 1000); VaR_0.9 = 0 (P(C ≤ 0) = 0.9 reaches α), CVaR_0.9 =
    0.1·1000 / 0.1 = 1000."""
    path = write_case(tmp_path / "e.xlsx", newsvendor(5, 10, [100, 200], [0.9, 0.1]))
    summary = tmp_path / "e.json"
    assert cli.main(["solve", str(path), "-o", str(tmp_path / "e_report.xlsx"),
                     "--json", str(summary), "-q", "--no-detail"]) == 0
    document = json.loads(summary.read_text())
    risk = document["risk"]
    assert (risk["objective"], risk["alpha"], risk["weight"]) == ("expected", 0.9, None)
    assert (risk["var"], risk["cvar"]) == pytest.approx((0.0, 1000.0), abs=1e-6)
    assert risk["expected_cost_plan_cost"] is None
    assert document["evpi"] is not None


def test_the_extras_under_the_worst_case(tmp_path, formulation):
    """The worst-case newsvendor (c = 5, p = 10, demand 100 w.p. 0.9 and 200 w.p. 0.1)
    holds x = 200 at 1000. θ stays free when stage one is fixed, so the value of the
    plan is measured by the worst case too: with no stock the worst cost is 10·200 =
    2000. The expected-cost plan is x = 100: F = 500, E = 0.1·10·100 = 100 → 600;
    CVaR at the default α = 0.9 is the cost of the 0.1 tail, 1000 → 1500; worst case
    500 + 1000 = 1500. VSS: the average scenario (demand 110) plans x = 110 (5 < 10),
    faced with the worst case 550 + 10·90 = 1450, against 1000: 450."""
    case = load(write_case(tmp_path / "w.xlsx", newsvendor(
        5, 10, [100, 200], [0.9, 0.1], objective="worst_case")))
    solver = CaseSolver(formulation=formulation)
    extras = run_extras(solver, solver.solve(case, Timings()))
    assert extras.plan.cost_without_plan == pytest.approx(2000.0, rel=REL)
    found = extras.expected_plan
    assert (found.expected, found.cvar, found.worst_case) == pytest.approx(
        (600.0, 1500.0, 1500.0), rel=REL)
    assert extras.vss.value == pytest.approx(450.0, rel=REL)
    assert extras.evpi is None


def test_the_distribution_marks_the_scenarios_of_the_tail(tmp_path):
    """At x = 160 (α = 0.5, λ = 0.5) the costs sorted are 0 (×8), 400, 800, each of
    probability 0.1: the worst half of the probability is s5…s9 (cumulative 0.6 to 1),
    whose mean cost (3·0 + 400 + 800) · 0.1 / 0.5 = 240 is the CVaR; VaR is 0."""
    solved = solve(tmp_path, newsvendor(8.5, 20, TEN, [0.1] * 10, objective="cvar",
                                        cvar_alpha=0.5, risk_weight=0.5), "replicated")
    profile = risk_profile(solved.case, solved.results)
    table = profile.distribution
    assert list(table["scenario"][table["in_tail"]]) == ["s5", "s6", "s7", "s8", "s9"]
    assert list(table["annual_cost"]) == pytest.approx([0.0] * 8 + [400.0, 800.0], abs=1e-6)
    assert list(table["cumulative_probability"]) == pytest.approx([0.1 * k for k in
                                                                    range(1, 11)])
    assert (profile.var, profile.cvar) == pytest.approx((0.0, 240.0), abs=1e-6)
    assert profile.expected_plan is None
