"""What-if re-solves: a case that changes only penalties, budgets, probabilities or
disruptions reuses the built model and HiGHS's basis, and gives exactly the optimum of a
solve from scratch."""

from __future__ import annotations

import pytest
from casebuilder import base_case, load, write_case

from optimizer.pipeline import CaseSolver, Timings, solve_case


def variant(tmp_path, name, change):
    sheets = base_case()
    sheets["Production"][0].update(spare_cost=1, spare_max=5, ramp_periods=1)
    sheets["Stockpiles"].append({"country": "B", "good": "g", "purchase_cost": 3,
                                 "holding_cost": 1})
    sheets["Countries"][1]["budget"] = 40
    change(sheets)
    return load(write_case(tmp_path / f"{name}.xlsx", sheets))


def penalty(sheets):
    sheets["Goods"][0]["shortage_penalty"] = 4


def demand_penalty(sheets):
    # A's own penalty (B is never short: in v2 its stock and link are idle in normal
    # times and the cut does not reach it, so an override on B changes nothing).
    sheets["Demand"][0]["shortage_penalty"] = 7


def probabilities(sheets):
    sheets["Scenarios"][0]["probability"] = 0.6
    sheets["Scenarios"][1]["probability"] = 0.4


def budget(sheets):
    # B's share of F at the base optimum is 2.30 a year (2 units at 0.05 · 3 + 1): a
    # budget of 1 binds.
    sheets["Countries"][1]["budget"] = 1


def disruptions(sheets):
    sheets["Disruptions"] = [
        {"scenario": "cut", "kind": "capacity_loss", "country": "B", "good": "g",
         "start": 1, "end": 3, "factor": 0.25},
        {"scenario": "normal", "kind": "demand_surge", "country": "*", "good": "*",
         "start": 2, "factor": 1.4},
        {"scenario": "cut", "kind": "export_cut", "country": "S", "factor": 0.5}]


def later_onset(sheets):
    # The cut starts in period 3: its onset moves from 2 to 3, so stock, spare capacity
    # and the link (the v2 instrument limits, mutable parameters) close in period 2.
    sheets["Disruptions"][0]["start"] = 3


def normal_times(sheets):
    # The cut scenario loses its only row: normal times, every instrument idle.
    del sheets["Disruptions"]


@pytest.mark.parametrize("change", [penalty, demand_penalty, probabilities, budget,
                                    disruptions, later_onset, normal_times])
def test_resolve_matches_a_fresh_solve_and_reuses_the_model(tmp_path, change):
    base = variant(tmp_path, "base", lambda sheets: None)
    changed = variant(tmp_path, "changed", change)
    solver = CaseSolver()
    first = solver.solve(base, Timings())
    built = solver.lp
    timings = Timings()
    second = solver.solve(changed, timings)
    assert solver.lp is built, "the model was rebuilt for a change of data only"
    fresh = solve_case(changed, Timings(), formulation="plain")
    assert second.outcome.is_optimal
    assert second.results.objective == pytest.approx(fresh.results.objective, rel=1e-9)
    assert second.results.objective != pytest.approx(first.results.objective, rel=1e-6)
    # and back again: the first case's optimum is restored exactly
    third = solver.solve(base, Timings())
    assert third.results.objective == pytest.approx(first.results.objective, rel=1e-9)


def test_a_structural_change_rebuilds(tmp_path):
    solver = CaseSolver()
    solver.solve(variant(tmp_path, "base", lambda sheets: None), Timings())
    built = solver.lp

    def more_capacity(sheets):
        sheets["Production"][0]["capacity"] = 9

    changed = variant(tmp_path, "capacity", more_capacity)
    second = solver.solve(changed, Timings())
    assert solver.lp is not built
    fresh = solve_case(changed, Timings(), formulation="plain")
    assert second.results.objective == pytest.approx(fresh.results.objective, rel=1e-9)
