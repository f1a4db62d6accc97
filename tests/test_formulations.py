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
    assert fast.results.objective == pytest.approx(plain.results.objective, rel=1e-9)
    assert fast.outcome.objective == pytest.approx(plain.outcome.objective, rel=1e-9)
    assert fast.outcome.num_columns == plain.outcome.num_columns
    assert fast.outcome.num_rows == plain.outcome.num_rows
    assert fast.outcome.num_nonzeros == plain.outcome.num_nonzeros
    # The plan's own accounting agrees with HiGHS's objective on both paths.
    for solved in (fast, plain):
        assert solved.results.objective == pytest.approx(solved.outcome.objective, rel=1e-9)


def test_example_case_same_optimum_both_paths():
    case, _ = load_case(EXAMPLE, Timings())
    assert_same_answer(*both_paths(case))


@pytest.mark.parametrize("variant", ["base", "spare", "surge", "budget"])
def test_small_cases_same_optimum_both_paths(tmp_path, variant):
    sheets = base_case()
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
