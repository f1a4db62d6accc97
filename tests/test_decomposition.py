"""Exact decomposition by independent parts (`models.components`,
`optimizer.decomposition`): the same optimum as one LP, parts split only where no row
couples them, the onset kept global."""

from __future__ import annotations

import dataclasses

import pytest
from casebuilder import load, write_case

from benchmarks.synthetic import SizeSpec, make_case, write_case_workbook
from models.components import independent_parts
from optimizer.analyses.extras import merge_extras, run_extras
from optimizer.decomposition import solve_in_parts
from optimizer.pipeline import CaseSolver, Timings, load_case, solve_case

SMALL = SizeSpec(allies=4, goods=5, periods=4, scenarios=5, suppliers=2, link_pairs=4,
                 recipes=1)


def two_goods(budget=None, recipe=False):
    """Goods g and h at ally A, no link between them. Scenario s (probability 0.5) has
    an export cut on g from period 1 (its onset is 1) and a demand surge ×2 on h in
    period 2; normal times (0.5) nothing. h's stock is free to hold (purchase 0,
    holding 1 a year, capital 0), has release_lag 1, and h has no other supply in
    period 2 beyond its import of 10: demand 10 → 20, so 10 units are short unless
    drawn from stock. With the scenario's onset (period 1, set by g's row) the stock
    may be drawn from period 2, so x_h = 10 (cost 10 a year, saves 0.5 · 10 · 100).
    Were h's onset taken from h's own rows (period 2), it could be drawn only from
    period 3 and would be worthless. g: demand 5, import 5 at 1 cut to 0 in periods
    1–2 of s, stock at holding 1, penalty 100: x_g = 10 (two periods of 5)."""
    sheets = {
        "Settings": {"periods": 2, "periods_per_year": 2, "capital_rate": 0},
        "Countries": [{"country": "A", "budget": budget}, {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}, {"good": "h", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 5},
                   {"country": "A", "good": "h", "demand": 10}],
        "Imports": [{"origin": "S", "destination": "A", "good": "g", "volume": 5,
                     "unit_cost": 1},
                    {"origin": "S", "destination": "A", "good": "h", "volume": 10,
                     "unit_cost": 1}],
        "Stockpiles": [{"country": "A", "good": "g", "holding_cost": 1, "refill_cost": 0},
                       {"country": "A", "good": "h", "holding_cost": 1, "refill_cost": 0,
                        "release_lag": 1}],
        "Scenarios": [{"scenario": "normal", "probability": 0.5},
                      {"scenario": "s", "probability": 0.5}],
        "Disruptions": [{"scenario": "s", "kind": "export_cut", "country": "S", "good": "g",
                         "start": 1, "end": 2, "factor": 0},
                        {"scenario": "s", "kind": "demand_surge", "country": "A",
                         "good": "h", "start": 2, "end": 2, "factor": 2}],
    }
    if recipe:
        sheets["Production"] = [{"country": "A", "good": "h", "capacity": 0}]
        sheets["Recipes"] = [{"country": "*", "good": "h", "input": "g", "ratio": 1}]
    return sheets


def test_independent_goods_split_and_keep_the_global_onset(tmp_path):
    case = load(write_case(tmp_path / "two.xlsx", two_goods()))
    parts = independent_parts(case)
    assert sorted(sorted(p.demand) for p in parts) == [[("A", "g")], [("A", "h")]]
    assert all(len(p.disruptions) == 2 for p in parts)  # every row: the onset is global
    timings = Timings()
    solved = solve_in_parts(case, parts, timings, jobs=1)
    # the JSON summary's phase keys stay (the build and hand-over happen in the parts)
    assert {"build", "handover", "solve", "extract"} <= set(timings.seconds)
    assert timings.seconds["parts_build"] > 0
    table = solved.results.stockpiles
    levels = {(r.country, r.good): r.level for r in table.itertuples(index=False)}
    assert levels == pytest.approx({("A", "g"): 10.0, ("A", "h"): 10.0})
    # F = 10 + 10; normal: 2·5 + 2·10 = 30; s: g short 0 (stock), h 10 + 10 imported,
    # 10 drawn: 20; k = 1: 20 + 0.5·30 + 0.5·20 = 45
    assert solved.results.objective == pytest.approx(45.0, rel=1e-12)
    whole = solve_case(case, Timings())
    assert whole.results.objective == pytest.approx(45.0, rel=1e-12)


@pytest.mark.parametrize("coupling", ["budget", "recipe"])
def test_a_budget_or_a_recipe_joining_goods_keeps_them_together(tmp_path, coupling):
    sheets = two_goods(budget=1e6) if coupling == "budget" else two_goods(recipe=True)
    case = load(write_case(tmp_path / f"{coupling}.xlsx", sheets))
    assert independent_parts(case) == [case]


def synthetic(tmp_path, seed: int, budgets: bool):
    sheets = make_case(dataclasses.replace(SMALL, budget_share=0.5 if budgets else 0.0), seed)
    path = write_case_workbook(sheets, tmp_path / f"case{seed}.xlsx")
    return load_case(path, Timings())[0]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("budgets", [False, True])
def test_decomposed_and_monolithic_solves_agree(tmp_path, seed, budgets):
    case = synthetic(tmp_path, seed, budgets)
    parts = independent_parts(case)
    whole = solve_case(case, Timings())
    assert whole.outcome.is_optimal
    for jobs in (1, 2):
        split = solve_in_parts(case, parts, Timings(), jobs=jobs)
        assert split.outcome.is_optimal
        assert split.results.objective == pytest.approx(whole.results.objective, rel=1e-9)
        assert split.results.stage_one_cost == pytest.approx(whole.results.stage_one_cost,
                                                             rel=1e-9, abs=1e-9)
        assert split.results.expected_scenario_cost == pytest.approx(
            whole.results.expected_scenario_cost, rel=1e-9)
        assert split.outcome.num_columns == whole.outcome.num_columns or len(parts) > 1
        for table in ("stockpiles", "spare_capacity", "shadow_prices"):
            assert list(getattr(split.results, table).columns) == list(
                getattr(whole.results, table).columns)
            assert len(getattr(split.results, table)) == len(getattr(whole.results, table))


def test_budgets_join_an_allys_options_and_each_budget_row_lies_in_one_part(tmp_path):
    free = independent_parts(synthetic(tmp_path, 0, budgets=False))
    assert len(free) > 1
    joined = synthetic(tmp_path, 0, budgets=True)
    parts = independent_parts(joined)
    for ally, country in joined.countries.items():
        if country.budget is None:
            continue
        holding = [p for p in parts if any(
            n == ally for n, _ in [*p.stockpiles, *(k for k, v in p.production.items()
                                                    if v.has_spare_option)])]
        assert len(holding) <= 1  # its stock and spare options are in one part
        assert sum(p.countries[ally].budget is not None for p in parts) == 1


def test_shadow_prices_agree_where_unique(tmp_path):
    """two_goods with a storage limit of 6 on h: x_h = 6 at its limit, worth one more
    unit 0.5 · 100 − 1 = 49 a year (a unit drawn in s saves a shortfall of 100)."""
    sheets = two_goods()
    sheets["Stockpiles"][1]["max"] = 6
    case = load(write_case(tmp_path / "limit.xlsx", sheets))
    split = solve_in_parts(case, independent_parts(case), Timings(), jobs=2)
    whole = solve_case(case, Timings())
    for solved in (split, whole):
        prices = solved.results.shadow_prices
        row = prices[(prices["limit"] == "storage limit") & (prices["good"] == "h")]
        assert row["value"].tolist() == pytest.approx([49.0], rel=1e-12)
    assert dataclasses.asdict(split.outcome)["status"] == "optimal"


def test_extra_figures_by_parts_equal_those_of_one_lp(tmp_path):
    """Each extra solve's LP is the direct sum of the parts' (stage one fixed at the
    initial stock, links removed, one scenario alone, the average scenario), so the
    extras run in each worker on its part and added up equal those of one LP."""
    case = synthetic(tmp_path, 1, budgets=False)
    parts = independent_parts(case)
    assert len(parts) > 1
    split = solve_in_parts(case, parts, Timings(), jobs=2, also=run_extras)
    by_parts = merge_extras(split.per_part)
    solver = CaseSolver()
    whole = run_extras(solver, solver.solve(case, Timings()))
    assert by_parts.plan.cost_without_plan == pytest.approx(whole.plan.cost_without_plan,
                                                            rel=1e-9)
    assert by_parts.cooperation.objective_alone == pytest.approx(
        whole.cooperation.objective_alone, rel=1e-9)
    assert by_parts.evpi.value == pytest.approx(whole.evpi.value, rel=1e-7, abs=1e-6)
    assert by_parts.vss.value == pytest.approx(whole.vss.value, rel=1e-7, abs=1e-6)
