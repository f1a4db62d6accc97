"""The fast path's contract with the model (`optimizer.lp.replicated`): its template
block's sparsity covers every scenario, its objective comes from the compiled
objective, and a model it cannot replicate stops with an `InternalError` naming the
component; the what-if contract is declared once (`models.parameters`)."""

from __future__ import annotations

import dataclasses

import pyomo.environ as pyo
import pytest
from casebuilder import base_case, load, write_case

from models.index_sets import build_model_data
from models.parameters import MUTABLE_INPUTS, structure_key
from optimizer.errors import InternalError
from optimizer.lp.replicated import ReplicatedLP
from optimizer.pipeline import Timings, solve_case


def spare_case(tmp_path):
    """Spare capacity reserved for an emergency: the coefficient of y in the row
    q − b·open·y ≤ b·capacity is 0 in normal times and in periods before onset + ramp,
    −1 after. Normal times (probability 0.5): demand 10 met by an import of 10 at 1.
    Cut (0.5): the import is cut in periods 2–3; production capacity 0 plus spare y
    (ramp 0, from the onset 2), spare_cost 1 a year per unit/period, unit cost 2,
    penalty 100, k = 1. Reserving y = 10 costs 10 and saves 0.5 · 2 · 10 · (100 − 2)
    = 980, so y = 10 and the objective is 10 + 0.5 · 30 + 0.5 · (10 + 2 · 20) = 50."""
    sheets = {
        "Settings": {"periods": 3, "periods_per_year": 3},
        "Countries": [{"country": "A"}, {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10}],
        "Production": [{"country": "A", "good": "g", "capacity": 0, "unit_cost": 2,
                        "spare_cost": 1, "spare_max": 50}],
        "Imports": [{"origin": "S", "destination": "A", "good": "g", "volume": 10,
                     "unit_cost": 1}],
        "Scenarios": [{"scenario": "normal", "probability": 0.5},
                      {"scenario": "cut", "probability": 0.5}],
        "Disruptions": [{"scenario": "cut", "kind": "export_cut", "country": "S",
                         "good": "g", "start": 2, "end": 3, "factor": 0}],
    }
    return load(write_case(tmp_path / "spare.xlsx", sheets))


@pytest.mark.parametrize("formulation", ["replicated", "plain"])
def test_a_coefficient_zero_in_normal_times_solves_identically(tmp_path, formulation):
    solved = solve_case(spare_case(tmp_path), Timings(), formulation=formulation)
    assert solved.outcome.is_optimal
    assert solved.results.objective == pytest.approx(50.0, rel=1e-12)
    assert solved.results.spare_capacity["reserved"].tolist() == pytest.approx([10.0])
    plan = solved.results.supply_plan
    normal = plan[plan["scenario"] == "normal"]
    assert normal["produced"].sum() == 0.0  # spare capacity idle in normal times


def test_the_objective_is_read_from_the_compiled_arrays(tmp_path):
    lp = ReplicatedLP(build_model_data(spare_case(tmp_path)))
    compiled = lp.compile()
    # c⁰ is 0 (the expected objective has no π-free block term), c¹ the block's k·C
    assert not lp.block_cost_fixed.any()
    assert lp.block_cost_per_probability.max() == pytest.approx(100.0)
    assert compiled.cost.size == compiled.num_columns


def test_a_row_linking_scenarios_is_an_internal_error_naming_it(tmp_path):
    lp = ReplicatedLP(build_model_data(spare_case(tmp_path)))
    model = lp.model
    block = lp.template
    model.linking = pyo.Constraint(expr=model.spare["A", "g"] >= block.short["A", "g", 1])
    with pytest.raises(InternalError, match="linking"):
        lp.compile()


def test_an_objective_not_affine_in_the_probability_is_an_internal_error(tmp_path):
    lp = ReplicatedLP(build_model_data(spare_case(tmp_path)))
    objective = lp.model.total_cost
    block = lp.template
    objective.set_value(objective.expr + block.probability ** 2 * block.short["A", "g", 1])
    with pytest.raises(InternalError, match="affine"):
        lp.compile()


def test_mutable_inputs_keep_the_structure_and_others_change_it(tmp_path):
    """Every field MUTABLE_INPUTS names may change without a rebuild; a change to any
    other input changes the structure key."""
    case = load(write_case(tmp_path / "base.xlsx", base_case()))
    key = structure_key(case)
    changed = dataclasses.replace(
        case,
        goods={g: dataclasses.replace(v, shortage_penalty=v.shortage_penalty * 2)
               for g, v in case.goods.items()},
        demand={k: dataclasses.replace(v, shortage_penalty=7.0) for k, v in case.demand.items()},
        scenarios={s: dataclasses.replace(v, probability=0.5, description="x")
                   for s, v in case.scenarios.items()},
        disruptions=[],
        settings=dataclasses.replace(case.settings, cvar_alpha=0.5, risk_weight=1.0))
    assert set(MUTABLE_INPUTS) == {"goods", "demand", "countries", "scenarios", "disruptions",
                                   "settings"}
    assert structure_key(changed) == key
    for objective in ("cvar", "worst_case"):  # the objective's kind is structure
        other = dataclasses.replace(case, settings=dataclasses.replace(
            case.settings, objective=objective))
        assert structure_key(other) != key
    for table, field, value in [("demand", "demand", 11.0), ("production", "capacity", 9.0),
                                ("stockpiles", "max", 5.0), ("sharing", "lead_periods", 2),
                                ("imports", "unit_cost", 3.0)]:
        records = getattr(case, table)
        first = next(iter(records))
        other = dataclasses.replace(case, **{table: {
            **records, first: dataclasses.replace(records[first], **{field: value})}})
        assert structure_key(other) != key, (table, field)
    budgeted = dataclasses.replace(case, countries={
        **case.countries, "A": dataclasses.replace(case.countries["A"], budget=1e6)})
    assert structure_key(budgeted) != key  # having a budget is structure; its value is not
    for field in ("alliance_budget", "alliance_purchase_budget"):
        capped = dataclasses.replace(case, settings=dataclasses.replace(
            case.settings, **{field: 1e6}))
        assert structure_key(capped) != key
        other = dataclasses.replace(capped, settings=dataclasses.replace(
            capped.settings, **{field: 2e6}))
        assert structure_key(other) == structure_key(capped)  # its value is mutable


def test_the_parameter_walk_finds_what_pyomos_visitor_finds():
    """`mutable_params` replaces Pyomo's `identify_mutable_parameters` for speed: on
    every row and bound of the bundled example's template (recipes, spare options,
    stock, sharing) and of a case with spare capacity, both find the same parameters."""
    from pathlib import Path

    from pyomo.core.expr.visitor import identify_mutable_parameters

    from optimizer.case.load import load_case
    from optimizer.lp.replicated import mutable_params

    example = Path(__file__).resolve().parents[1] / "inputs" / "rare_earths.xlsx"
    case = load_case(example, Timings())[0]
    model = ReplicatedLP(build_model_data(case)).model
    checked = 0
    for con in model.component_data_objects(pyo.Constraint, descend_into=True):
        expected = {id(p) for p in identify_mutable_parameters(con.expr)}
        assert {id(p) for p in mutable_params(con.expr)} == expected, con.name
        checked += bool(expected)
    for var in model.component_data_objects(pyo.Var, descend_into=True):
        for bound in (var.lower, var.upper):
            if bound is not None:
                assert ({id(p) for p in mutable_params(bound)}
                        == {id(p) for p in identify_mutable_parameters(bound)}), var.name
    assert checked > 100  # rows that hold a scenario's parameters were compared
