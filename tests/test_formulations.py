"""The fast path (one scenario block compiled and replicated) and the plain path (the
whole Pyomo model compiled) must give the same optimum: speed never changes the answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from casebuilder import base_case, load, write_case

from optimizer.pipeline import Timings, load_case, solve_case

EXAMPLE = Path(__file__).resolve().parents[1] / "inputs" / "rare_earths.xlsx"


def both_paths(case):
    fast = solve_case(case, Timings(), formulation="replicated")
    plain = solve_case(case, Timings(), formulation="plain")
    assert fast.outcome.is_optimal and plain.outcome.is_optimal
    return fast, plain


def assert_same_answer(fast, plain):
    """Same optimum; the sizes are not compared: the fast path's template block keeps
    every emergency instrument open (its sparsity covers every scenario's), so a column
    a scenario closes is fixed at 0 there, where the plain path's compiler may drop it."""
    assert fast.results.objective == pytest.approx(plain.results.objective, rel=1e-9)
    assert fast.outcome.objective == pytest.approx(plain.outcome.objective, rel=1e-9)
    assert fast.results.stage_one_cost == pytest.approx(plain.results.stage_one_cost,
                                                        rel=1e-9, abs=1e-9)
    assert fast.results.expected_scenario_cost == pytest.approx(
        plain.results.expected_scenario_cost, rel=1e-9, abs=1e-9)
    # The plan's own accounting agrees with HiGHS's objective on both paths.
    for solved in (fast, plain):
        assert solved.results.objective == pytest.approx(solved.outcome.objective, rel=1e-9)


def test_example_case_same_optimum_both_paths():
    case, _ = load_case(EXAMPLE, Timings())
    assert_same_answer(*both_paths(case))


def v2_inputs(sheets):
    """Every v2 input away from its default."""
    sheets["Settings"].update(capital_rate=0.1, periods_per_year=6)
    sheets["Stockpiles"][0].update(refill_cost=2, loss_rate=0.1, max_draw=4, release_lag=1)
    sheets["Sharing"][0]["activation_lag"] = 1
    sheets["Production"][0].update(spare_cost=1, spare_max=5, ramp_periods=1)


def ally_origin(sheets):
    """B re-exports to A on an Imports route out of its own supply."""
    sheets["Imports"].append({"origin": "B", "destination": "A", "good": "g", "volume": 3,
                              "unit_cost": 0.2})
    sheets["Disruptions"].append({"scenario": "cut", "kind": "export_cut", "country": "S",
                                  "partner": "B", "good": "g", "start": 3, "factor": 0.5})


def recipe(sheets):
    """B makes g from 2 units of ore, imported from S; the cut also hits ore."""
    sheets["Goods"].append({"good": "ore", "unit": "t", "shortage_penalty": 1})
    sheets["Recipes"] = [{"country": "*", "good": "g", "input": "ore", "ratio": 2}]
    sheets["Imports"].append({"origin": "S", "destination": "B", "good": "ore",
                              "volume": 20, "unit_cost": 0.3})
    sheets["Stockpiles"].append({"country": "B", "good": "ore", "purchase_cost": 0.5,
                                 "holding_cost": 0.1})
    sheets["Disruptions"].append({"scenario": "cut", "kind": "export_cut", "country": "S",
                                  "partner": "B", "good": "ore", "start": 2, "end": 2,
                                  "factor": 0})


def normal_times_only(sheets):
    """No Disruptions rows: both scenarios are normal times, every instrument idle."""
    del sheets["Disruptions"]


V2_VARIANTS = {"v2-inputs": v2_inputs, "ally-origin": ally_origin, "recipe": recipe,
               "normal-times-only": normal_times_only}


@pytest.mark.parametrize("variant", ["base", "spare", "surge", "budget", *V2_VARIANTS])
def test_small_cases_same_optimum_both_paths(tmp_path, variant):
    sheets = base_case()
    if variant in V2_VARIANTS:
        V2_VARIANTS[variant](sheets)
    if variant == "spare":
        sheets["Production"][0].update(spare_cost=1, spare_max=5, ramp_periods=1)
        sheets["Disruptions"].append({"scenario": "cut", "kind": "capacity_loss",
                                      "country": "B", "good": "g", "start": 1, "end": 3,
                                      "factor": 0.5})
    if variant == "surge":
        sheets["Disruptions"].append({"scenario": "cut", "kind": "demand_surge",
                                      "country": "*", "good": "*", "start": 1,
                                      "factor": 1.5})
    if variant == "budget":
        sheets["Countries"][0]["budget"] = 20
    case = load(write_case(tmp_path / f"{variant}.xlsx", sheets))
    assert_same_answer(*both_paths(case))
