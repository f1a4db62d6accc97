"""The fast path: compile one scenario block with Pyomo, replicate it as arrays.

Every scenario block of the LP has the same shape; scenarios differ only in the values
of the block's mutable parameters (`models.parameters`). So Pyomo builds and compiles
the *template* (`models.scenario_model.build_scenario_model(data, None)`: stage one plus
one block with every factor 1 and every emergency instrument open, so that its sparsity
covers every scenario's) once, and the full LP is assembled with numpy:

    columns  [stage one | block ω=1 | … | block ω=|Ω|]
    rows     [stage-one rows | block rows ω=1 | … ]
    cost     [c_stage | c⁰ + π_1 · c¹ | … | c⁰ + π_|Ω| · c¹]

Where a scenario's parameters differ from the template's, the numbers that depend on
them (variable bounds, row bounds, coefficients) are re-evaluated by Pyomo from the
template's own expressions with the scenario's values set, and patched in; a coefficient
the template does not have raises `InternalError` naming its constraint. The objective's
block coefficients are read from the compiled objective at two values of the block's
probability (c⁰ at π = 0, c⁰ + c¹ at π = 1) and checked to be affine in it at a third.
The math is written once, in `models`; this module only copies numbers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.common.numeric_types import native_types
from pyomo.core.base.param import ParamData
from pyomo.core.expr.numeric_expr import (
    NegationExpression,
    NPV_NegationExpression,
    NPV_ProductExpression,
    ProductExpression,
)
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler
from pyomo.repn.standard_repn import generate_standard_repn

from models.index_sets import ModelData
from models.parameters import (
    scenario_parameter_values,
    stage_parameter_values,
    structure_key,
)
from models.scenario_model import SCENARIO_BLOCK, build_scenario_model
from optimizer.errors import InternalError
from optimizer.lp.plan import SCENARIO_COSTS, PlanValues, component_values
from optimizer.solver import CompiledModel, SolverOutcome

NATIVE = (int, float)


@dataclass
class _Patch:
    """One scenario's numbers that differ from the template's, in local positions."""

    col_index: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_index: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    entry_in_bb: np.ndarray
    """Per patched entry: in the block's own columns (True) or in stage one's."""
    entry_index: np.ndarray
    entry_value: np.ndarray


class _LinearForm:
    """A linear expression's coefficients over a set of columns (its standard repn,
    compiled once). The constant coefficients sit in `base`; those that are constant ×
    a product of mutable parameters (`_Monomial`: a probability times a penalty, say)
    are kept as arrays and evaluated at once with numpy from the parameters' current
    values, so that a what-if re-reads them after a change; any other coefficient (none
    in today's model) is kept as a Pyomo expression and evaluated by Pyomo."""

    def __init__(self, repn, position: dict[int, int], size: int):
        self.base = np.zeros(size)
        self.size = size
        columns, monomials = [], []
        self.other: list[tuple[int, object]] = []
        for var, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
            column = position.get(id(var))
            if column is None:
                continue
            if type(coef) in NATIVE:
                self.base[column] += coef
                continue
            monomial = _Monomial.of(coef)
            if isinstance(monomial, _Monomial):
                columns.append(column)
                monomials.append(monomial)
            else:
                self.other.append((column, coef))
        self.params = list({id(p): p for m in monomials for p in m.objects}.values())
        self.columns = np.array(columns, dtype=np.int64)
        self.terms = _MonomialArrays({id(p): k for k, p in enumerate(self.params)}).of(
            monomials, 0.0)
        self.refresh()

    def refresh(self) -> np.ndarray:
        """The coefficient vector at the parameters' current values."""
        values = np.array([param.value for param in self.params] + [1.0], dtype=float)
        self.vector = self.base + np.bincount(self.columns, minlength=self.size,
                                              weights=self.terms.evaluate(values))
        for column, coef in self.other:
            self.vector[column] += pyo.value(coef)
        return self.vector


class ReplicatedLP:
    """The LP of `data` as the template model replicated over the scenarios."""

    def __init__(self, data: ModelData):
        self.data = data
        self.model = build_scenario_model(data, None)
        self.template = getattr(self.model, SCENARIO_BLOCK)

    # --- compiling the template --------------------------------------------------------

    def compile(self) -> CompiledModel:
        """Compile the template once, then assemble the full LP's arrays."""
        template = self.template
        info = LinearStandardFormCompiler().write(self.model, mixed_form=True)
        in_block, self.stage_vars, self.block_vars, local_col = _split(
            info.columns, lambda var: var.parent_block() is template)
        row_in_block, self.stage_rows, self.block_rows, local_row = _split(
            info.rows, lambda row: row[0].parent_block() is template)

        matrix = info.A.tocoo()
        row_block, col_block = row_in_block[matrix.row], in_block[matrix.col]
        linking = np.flatnonzero(~row_block & col_block)
        if linking.size:
            con = info.rows[int(matrix.row[linking[0]])][0]
            raise InternalError(f"the stage-one row {con.name} refers to the scenario "
                                f"variable {info.columns[int(matrix.col[linking[0]])].name}: "
                                "a row linking scenarios cannot be replicated per block")
        self.parts = {}
        for name, mask in (("ss", ~row_block & ~col_block), ("bs", row_block & ~col_block),
                           ("bb", row_block & col_block)):
            self.parts[name] = (local_row[matrix.row[mask]], local_col[matrix.col[mask]],
                                matrix.data[mask].astype(float))

        rhs = np.asarray(info.rhs, dtype=float)
        kinds = np.fromiter((kind for _, kind in info.rows), dtype=np.int8,
                            count=len(info.rows))
        row_lower = np.where(kinds == 1, -np.inf, rhs)
        row_upper = np.where(kinds == -1, np.inf, rhs)
        self.stage_row_bounds = (row_lower[~row_in_block], row_upper[~row_in_block])
        self.block_row_bounds = (row_lower[row_in_block], row_upper[row_in_block])
        self.stage_col_bounds = _bounds(self.stage_vars)
        self.block_col_bounds = _bounds(self.block_vars)
        self.offset = float(info.c_offset[0])
        self._index_dependencies()
        self._cost_accounts()
        return self.assemble()

    def _cost_accounts(self) -> None:
        """Linear forms of the objective (over stage-one and block columns: one repn,
        read twice) and of the cost expressions reported per scenario (C_ω and its
        parts) and F."""
        template, model = self.template, self.model
        n_stage, n_block = len(self.stage_vars), len(self.block_vars)
        objective = _repn(next(model.component_data_objects(pyo.Objective, active=True)).expr)
        self.forms = {
            "objective_stage": _LinearForm(objective, self.stage_position, n_stage),
            "objective_block": _LinearForm(objective, self.position, n_block),
            "stage_one_cost": _LinearForm(_repn(model.stage_one_cost.expr),
                                          self.stage_position, n_stage),
            **{name: _LinearForm(_repn(getattr(template, name).expr), self.position, n_block)
               for name in SCENARIO_COSTS}}
        self._evaluate_costs()

    def _evaluate_costs(self) -> None:
        """Cost vectors at the mutable parameters' current values."""
        vectors = {name: form.refresh() for name, form in self.forms.items()}
        self.stage_cost = vectors["objective_stage"]
        self.block_cost_fixed, self.block_cost_per_probability = self._objective_in_probability()
        self.stage_one_cost_vector = vectors["stage_one_cost"]
        self.cost_vectors = {name: vectors[name] for name in SCENARIO_COSTS}

    def _objective_in_probability(self) -> tuple[np.ndarray, np.ndarray]:
        """c⁰, c¹ with block objective coefficients c⁰ + π · c¹, read from the compiled
        objective at π = 1 (the template's value) and 0, and checked at π = 2."""
        probability = self.template.probability
        form = self.forms["objective_block"]
        at_one = form.vector.copy()
        saved = probability.value
        try:
            probability.set_value(0.0)
            fixed = form.refresh().copy()
            probability.set_value(2.0)
            at_two = form.refresh().copy()
        finally:
            probability.set_value(saved)
            form.refresh()
        slope = at_one - fixed
        if not np.allclose(at_two, fixed + 2.0 * slope, rtol=1e-12, atol=0.0):
            raise InternalError("the objective's scenario-block coefficients are not affine "
                                "in the block's probability: the fast path cannot weigh "
                                "the blocks; solve with the reference formulation")
        return fixed, slope

    def _index_dependencies(self) -> None:
        """Which template numbers depend on which scenario parameter."""
        template = self.template
        self.position = {id(v): i for i, v in enumerate(self.block_vars)}
        self.stage_position = {id(v): i for i, v in enumerate(self.stage_vars)}
        self.cols_of = defaultdict(list)
        self.rows_of = defaultdict(list)
        for col, var in enumerate(self.block_vars):
            for bound in (var.lower, var.upper):
                if bound is not None and type(bound) not in NATIVE:
                    for param in mutable_params(bound):
                        if param.parent_block() is template:
                            self.cols_of[id(param)].append(col)
        self.stage_param_rows = defaultdict(list)
        for row, (con, _) in enumerate(self.block_rows):
            for param in mutable_params(con.expr):
                rows = self.rows_of if param.parent_block() is template else \
                    self.stage_param_rows
                rows[id(param)].append(row)
        self.entries_of_row = {}
        dependent = list(set().union(*self.rows_of.values()))
        indexed = set(dependent).union(*self.stage_param_rows.values())
        for name in ("bs", "bb"):
            rows, cols, _ = self.parts[name]
            for k in np.flatnonzero(np.isin(rows, list(indexed))):
                self.entries_of_row.setdefault(int(rows[k]), {})[(name, int(cols[k]))] = k
        self._index_formulas(dependent)

    def _index_formulas(self, dependent_rows: list[int]) -> None:
        """Every number that depends on a scenario parameter (column bounds, row
        coefficients and bounds) as constant × product of parameters (`_Monomial`), put
        into arrays so that a scenario's numbers are computed at once with numpy
        (`_evaluate_patch`). If one is not such a product, every patch is re-evaluated by
        Pyomo instead (`_evaluate_with_pyomo`)."""
        self.dependent_cols = np.array(sorted(set().union(*self.cols_of.values())),
                                       dtype=np.int64)
        lower, upper = [], []
        for col in self.dependent_cols.tolist():
            var = self.block_vars[col]
            lower.append(_Monomial.of(var.lower))
            upper.append(_Monomial.of(var.upper))
        entry_parts, entry_index, coefficients = [], [], []
        self.dependent_rows = np.array(sorted(dependent_rows), dtype=np.int64)
        row_lower, row_upper, row_constant = [], [], []
        for row in self.dependent_rows.tolist():
            con, kind = self.block_rows[row]
            repn = generate_standard_repn(con.body, compute_values=False)
            entries = self.entries_of_row[row]
            of_row = dict.fromkeys(entries, _Monomial(0.0))  # a coefficient may now be 0
            for var, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
                key = self._entry_key(var)
                if key not in entries:
                    raise InternalError(
                        f"the row {con.name} has a coefficient of {var.name} in a scenario "
                        "that the template block does not have: its rule must not depend "
                        "on the scenario for which variables appear")
                of_row[key] = _Monomial.of(coef)
            for key, formula in of_row.items():
                entry_parts.append(key[0] == "bb")
                entry_index.append(entries[key])
                coefficients.append(formula)
            row_constant.append(_Monomial.of(repn.constant))
            row_lower.append(None if kind == 1 else _Monomial.of(con.lower))
            row_upper.append(None if kind == -1 else _Monomial.of(con.upper))
        formulas = [*lower, *upper, *coefficients, *row_constant, *row_lower, *row_upper]
        self.vectorised = not any(f is _NOT_MONOMIAL for f in formulas)
        if not self.vectorised:
            return
        self.param_number = {}
        for formula in formulas:
            for param in formula.objects if formula is not None else ():
                self.param_number.setdefault(id(param), len(self.param_number))
        self.template_values = np.ones(len(self.param_number) + 1)  # the last slot: 1
        for formula in formulas:
            for param in formula.objects if formula is not None else ():
                self.template_values[self.param_number[id(param)]] = param.value
        self.number_of_entry = {}
        for component in self.template.component_objects(pyo.Param, descend_into=False):
            numbers = {index: self.param_number[id(param)]
                       for index, param in component.items()
                       if id(param) in self.param_number}
            if numbers:
                self.number_of_entry[component.local_name] = numbers
        arrays = _MonomialArrays(self.param_number)
        self.col_lower_of = arrays.of(lower, -np.inf)
        self.col_upper_of = arrays.of(upper, np.inf)
        self.entry_in_bb = np.array(entry_parts, dtype=bool)
        self.entry_index = np.array(entry_index, dtype=np.int64)
        self.coefficient_of = arrays.of(coefficients, 0.0)
        self.row_constant_of = arrays.of(row_constant, 0.0)
        self.row_lower_of = arrays.of(row_lower, -np.inf)
        self.row_upper_of = arrays.of(row_upper, np.inf)
        self.template_numbers = self._numbers(self.template_values)

    def _entry_key(self, var) -> tuple[str, int]:
        """Where a row's coefficient of `var` sits: in the block's own columns ("bb") or
        in stage one's ("bs"), at the column's local position."""
        if id(var) in self.position:
            return "bb", self.position[id(var)]
        return "bs", self.stage_position[id(var)]

    def _row_coefficients(self, row: int) -> list[tuple[tuple, int, float]]:
        """Every compiled entry of block row `row` at the parameters' current values:
        (entry key, position in its part's arrays, coefficient); a coefficient may now
        be 0, and one the compiled template lacks is an `InternalError`."""
        con, _ = self.block_rows[row]
        repn = generate_standard_repn(con.body, compute_values=True)
        entries = self.entries_of_row[row]
        values_of_row = dict.fromkeys(entries, 0.0)
        for var, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
            key = self._entry_key(var)
            if key not in entries:
                raise InternalError(f"the row {con.name} has a coefficient of "
                                    f"{var.name} that the compiled template lacks")
            values_of_row[key] = float(coef)
        return [(key, entries[key], value) for key, value in values_of_row.items()]

    def _refresh_template_rows(self, changed: list) -> None:
        """Block rows whose numbers hold a stage-one parameter (the CVaR row
        e ≥ C_ω − η holds the shortage penalties, `models.risk`) are the same in every
        block: after a what-if changed such a parameter (`changed`), their numbers are
        re-read into the template's arrays, which every block copies and against which
        the scenarios' patches are taken."""
        rows = sorted({r for p in changed for r in self.stage_param_rows.get(id(p), ())})
        if not rows:
            return
        for row in rows:
            for key, position, value in self._row_coefficients(row):
                self.parts[key[0]][2][position] = value
        lower, upper = _row_bounds([self.block_rows[row] for row in rows])
        self.block_row_bounds[0][rows] = lower
        self.block_row_bounds[1][rows] = upper
        if self.vectorised:
            for param in changed:
                number = self.param_number.get(id(param))
                if number is not None:
                    self.template_values[number] = param.value
            self.template_numbers = self._numbers(self.template_values)

    def _numbers(self, values: np.ndarray) -> tuple[np.ndarray, ...]:
        """Every dependent number at the parameter values `values`: column lower and
        upper bounds, row coefficients, row lower and upper bounds."""
        constant = self.row_constant_of.evaluate(values)
        return (self.col_lower_of.evaluate(values), self.col_upper_of.evaluate(values),
                self.coefficient_of.evaluate(values),
                self.row_lower_of.evaluate(values) - constant,
                self.row_upper_of.evaluate(values) - constant)

    # --- scenarios ---------------------------------------------------------------------

    def _patch(self, scenario: str) -> _Patch:
        """The scenario's numbers that differ from the template's."""
        return self._evaluate_patch(scenario_parameter_values(self.data, scenario))

    def _evaluate_patch(self, values: dict) -> _Patch:
        """The numbers that depend on the scenario's parameter values (`values`, as
        `models.parameters.scenario_parameter_values` gives them), computed at once from
        their formulas (`_index_formulas`); those that differ from the template's are
        the patch."""
        if not self.vectorised:
            return self._evaluate_with_pyomo(values)
        at = self.template_values.copy()
        for name, entries in values.items():
            numbers = self.number_of_entry.get(name)
            if numbers:
                for index, value in entries.items():
                    number = numbers.get(index)
                    if number is not None:
                        at[number] = value
        lower, upper, coefficients, row_lower, row_upper = self._numbers(at)
        old_lower, old_upper, old_coefficients, old_row_lower, old_row_upper = \
            self.template_numbers
        cols = (lower != old_lower) | (upper != old_upper)
        rows = (row_lower != old_row_lower) | (row_upper != old_row_upper)
        entries = coefficients != old_coefficients
        return _Patch(
            self.dependent_cols[cols], lower[cols], upper[cols],
            self.dependent_rows[rows], row_lower[rows], row_upper[rows],
            self.entry_in_bb[entries], self.entry_index[entries], coefficients[entries])

    def _evaluate_with_pyomo(self, values: dict) -> _Patch:
        """Set the scenario's parameter values on the template, re-evaluate what depends
        on them, and restore the template."""
        params, new = [], {}
        for name, entries in values.items():
            if name == "probability":
                continue
            component = getattr(self.template, name)
            for index, value in entries.items():
                param = component[index]
                if param.value != value:
                    params.append(param)
                    new[id(param)] = value
        cols = sorted({c for p in params for c in self.cols_of.get(id(p), ())})
        rows = sorted({r for p in params for r in self.rows_of.get(id(p), ())})
        saved = [(param, param.value) for param in params]
        for param in params:
            param.set_value(new[id(param)])
        try:
            lower = [pyo.value(self.block_vars[c].lower) for c in cols]
            upper = [pyo.value(self.block_vars[c].upper) for c in cols]
            in_bb, index, value = [], [], []
            for row in rows:
                for key, position, coef in self._row_coefficients(row):
                    in_bb.append(key[0] == "bb")
                    index.append(position)
                    value.append(coef)
            row_lower, row_upper = _row_bounds([self.block_rows[row] for row in rows])
        finally:
            for param, old in saved:
                param.set_value(old)
        return _Patch(
            np.array(cols, dtype=np.int64), _floats(lower, -np.inf), _floats(upper, np.inf),
            np.array(rows, dtype=np.int64), row_lower, row_upper,
            np.array(in_bb, dtype=bool), np.array(index, dtype=np.int64),
            np.array(value, dtype=float))

    def assemble(self) -> CompiledModel:
        """The full LP: stage one plus one copy of the block per scenario, patched."""
        scenarios = self.data.scenarios
        count = len(scenarios)
        n_stage, n_block = len(self.stage_vars), len(self.block_vars)
        m_stage, m_block = len(self.stage_rows), len(self.block_rows)
        col_lower = [self.stage_col_bounds[0]] + [self.block_col_bounds[0].copy()
                                                  for _ in scenarios]
        col_upper = [self.stage_col_bounds[1]] + [self.block_col_bounds[1].copy()
                                                  for _ in scenarios]
        row_lower = [self.stage_row_bounds[0]] + [self.block_row_bounds[0].copy()
                                                  for _ in scenarios]
        row_upper = [self.stage_row_bounds[1]] + [self.block_row_bounds[1].copy()
                                                  for _ in scenarios]
        values = {name: np.tile(self.parts[name][2], (count, 1)) for name in ("bs", "bb")}
        for k, scenario in enumerate(scenarios):
            patch = self._patch(scenario)
            col_lower[k + 1][patch.col_index] = patch.col_lower
            col_upper[k + 1][patch.col_index] = patch.col_upper
            row_lower[k + 1][patch.row_index] = patch.row_lower
            row_upper[k + 1][patch.row_index] = patch.row_upper
            in_bb = patch.entry_in_bb
            values["bb"][k, patch.entry_index[in_bb]] = patch.entry_value[in_bb]
            values["bs"][k, patch.entry_index[~in_bb]] = patch.entry_value[~in_bb]

        offsets_row = m_stage + m_block * np.arange(count)[:, None]
        offsets_col = n_stage + n_block * np.arange(count)[:, None]
        ss_rows, ss_cols, ss_vals = self.parts["ss"]
        bs_rows, bs_cols, _ = self.parts["bs"]
        bb_rows, bb_cols, _ = self.parts["bb"]
        rows = np.concatenate([ss_rows, (bs_rows + offsets_row).ravel(),
                               (bb_rows + offsets_row).ravel()])
        cols = np.concatenate([ss_cols, np.broadcast_to(bs_cols, (count, len(bs_cols))).ravel(),
                               (bb_cols + offsets_col).ravel()])
        vals = np.concatenate([ss_vals, values["bs"].ravel(), values["bb"].ravel()])
        probability = np.array([self.data.probability[s] for s in scenarios])
        cost = np.concatenate([
            self.stage_cost, (self.block_cost_fixed[None, :]
                              + np.outer(probability, self.block_cost_per_probability)).ravel()])
        self.compiled = CompiledModel(
            num_columns=n_stage + count * n_block, num_rows=m_stage + count * m_block,
            cost=cost, offset=self.offset, col_lower=np.concatenate(col_lower),
            col_upper=np.concatenate(col_upper), row_lower=np.concatenate(row_lower),
            row_upper=np.concatenate(row_upper),
            entries=(rows.astype(np.int32), cols.astype(np.int32), vals))
        return self.compiled

    # --- what-if updates -----------------------------------------------------------------

    def can_update(self, data: ModelData) -> bool:
        """True if `data` differs from the built model's only in its mutable parameters
        (penalties, budgets, probabilities, disruptions, the CVaR's α and λ)."""
        return structure_key(data.case) == structure_key(self.data.case)

    def update(self, data: ModelData) -> CompiledModel:
        """Set the new data's parameter values and re-assemble the LP's arrays. The
        structure is unchanged, so the result differs from the previous arrays only in
        numbers (see `optimizer.solver.apply_changes`)."""
        if not self.can_update(data):
            raise ValueError("the case's structure changed: build a new model")
        self.data = data
        changed = []
        for name, values in stage_parameter_values(data).items():
            component = getattr(self.model, name)
            for index, value in values.items():
                param = component[index]
                if param.value != value:
                    param.set_value(value)
                    changed.append(param)
        self._refresh_template_rows(changed)
        self._evaluate_costs()
        self.stage_row_bounds = _row_bounds(self.stage_rows)
        return self.assemble()

    def expected_cost(self) -> np.ndarray:
        """The full LP's cost vector of F + k·Σ_ω π_ω C_ω, the ``expected`` objective,
        whatever the case's objective (`models.risk`)."""
        probability = np.array([self.data.probability[s] for s in self.data.scenarios])
        return np.concatenate([self.stage_one_cost_vector, self.data.horizon_weight * np.outer(
            probability, self.cost_vectors["cost"]).ravel()])

    # --- the solution ------------------------------------------------------------------

    def plan(self, outcome: SolverOutcome) -> PlanValues:
        """HiGHS's arrays for the full LP → values, reduced costs and stage-one duals by
        component, and the scenario costs."""
        scenarios = self.data.scenarios
        n_stage, n_block = len(self.stage_vars), len(self.block_vars)

        def split(vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return vector[None, :n_stage], vector[n_stage:].reshape(len(scenarios), n_block)

        stage, blocks = split(outcome.column_values)
        stage_reduced, blocks_reduced = split(outcome.column_duals)
        template = self.template
        block_components = list(template.component_objects(pyo.Var, descend_into=False))
        stage_components = list(self.model.component_objects(pyo.Var, descend_into=False))
        row_position = {id(con): i for i, (con, _) in enumerate(self.stage_rows)}
        stage_duals = outcome.row_duals[None, :len(self.stage_rows)]
        costs = {name: blocks @ vector for name, vector in self.cost_vectors.items()}
        stage_one_cost = float(stage[0] @ self.stage_one_cost_vector)
        return PlanValues(
            scenarios=list(scenarios),
            stage_one={c.local_name: component_values(c, self.stage_position, stage)
                       for c in stage_components},
            stage_two={c.local_name: component_values(c, self.position, blocks)
                       for c in block_components},
            scenario_costs=costs, stage_one_cost=stage_one_cost,
            objective=float(self.compiled.cost @ outcome.column_values) + self.compiled.offset,
            stage_one_reduced_costs={
                c.local_name: component_values(c, self.stage_position, stage_reduced, 0.0)
                for c in stage_components},
            stage_two_reduced_costs={
                c.local_name: component_values(c, self.position, blocks_reduced, 0.0)
                for c in block_components},
            stage_one_duals={
                c.local_name: component_values(c, row_position, stage_duals, 0.0)
                for c in self.model.component_objects(pyo.Constraint, descend_into=False)},
        )


class _Monomial:
    """A number of the LP written as constant × a product of mutable parameters
    (``b · capacity``, ``−b · open``, a bound that is a parameter)."""

    __slots__ = ("constant", "objects")

    def __init__(self, constant: float, objects: tuple = ()):
        self.constant = constant
        self.objects = objects

    @classmethod
    def of(cls, expr) -> _Monomial | None | object:
        """The monomial of a Pyomo expression; None for a missing bound; `_NOT_MONOMIAL`
        for anything else."""
        if expr is None:
            return None
        kind = type(expr)
        if kind in NATIVE:
            return cls(float(expr), ())
        if kind in _PRODUCTS:
            left, right = expr.args
            left, right = cls.of(left), cls.of(right)
            if type(left) is cls and type(right) is cls:
                return cls(left.constant * right.constant, left.objects + right.objects)
            return _NOT_MONOMIAL
        if kind in _NEGATIONS:
            inner = cls.of(expr.args[0])
            return cls(-inner.constant, inner.objects) if type(inner) is cls else _NOT_MONOMIAL
        if isinstance(expr, ParamData):
            return cls(1.0, (expr,))
        return _NOT_MONOMIAL


_PRODUCTS = frozenset({NPV_ProductExpression, ProductExpression})
_NEGATIONS = frozenset({NPV_NegationExpression, NegationExpression})
_NOT_MONOMIAL = object()


class _MonomialArrays:
    """Builds `_MonomialArray`s over one numbering of the parameters."""

    def __init__(self, number: dict[int, int]):
        self.number = number
        self.one = len(number)  # the slot that always holds 1

    def of(self, formulas: list, missing: float) -> _MonomialArray:
        """`formulas` (monomials, or None where a bound is missing: `missing`)."""
        width = max([len(f.objects) for f in formulas if f is not None] + [1])
        constant = np.full(len(formulas), missing)
        params = np.full((len(formulas), width), self.one, dtype=np.int64)
        for k, formula in enumerate(formulas):
            if formula is not None:
                constant[k] = formula.constant
                params[k, :len(formula.objects)] = [self.number[id(p)] for p in formula.objects]
        return _MonomialArray(constant, params)


class _MonomialArray:
    """Numbers constant_k × Π_j values[params_kj], all evaluated at once."""

    def __init__(self, constant: np.ndarray, params: np.ndarray):
        self.constant = constant
        self.params = params

    def evaluate(self, values: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):  # a missing bound: ±inf × 1
            return self.constant * values[self.params].prod(axis=1)


def _split(items: list, in_block) -> tuple[np.ndarray, list, list, np.ndarray]:
    """Columns or rows of the compiled template into stage one and the block: a mask
    (True: in the block), both lists, and each item's position within its own list."""
    mask = np.fromiter((in_block(item) for item in items), dtype=bool, count=len(items))
    stage = [item for item, inside in zip(items, mask, strict=True) if not inside]
    block = [item for item, inside in zip(items, mask, strict=True) if inside]
    local = np.empty(len(items), dtype=np.int64)
    local[~mask] = np.arange(len(stage))
    local[mask] = np.arange(len(block))
    return mask, stage, block, local


def mutable_params(expr) -> list:
    """The mutable parameters of a Pyomo expression, each once: what Pyomo's
    `identify_mutable_parameters` finds (a test checks it on every number of a
    template), walked without its visitor's set-up, which dominated on rows of a few
    terms (called once per row and bound of the template)."""
    found: dict[int, object] = {}
    stack = [expr]
    while stack:
        node = stack.pop()
        if node.__class__ in native_types:
            continue
        if node.is_expression_type():
            stack.extend(node.args)
        elif not node.is_variable_type() and node.is_fixed() and not node.is_constant():
            found[id(node)] = node
    return list(found.values())


def _repn(expr):
    """The standard repn of `expr` with its mutable parameters kept as expressions."""
    return generate_standard_repn(expr, compute_values=False)


def _row_bounds(rows) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of compiled rows ((constraint, kind) pairs, kind 0: =,
    1: ≤, −1: ≥), re-evaluated from the constraints' current parameter values."""
    lower, upper = [], []
    for con, kind in rows:
        constant = generate_standard_repn(con.body, compute_values=True).constant
        low = None if con.lower is None else pyo.value(con.lower) - constant
        high = None if con.upper is None else pyo.value(con.upper) - constant
        lower.append(-np.inf if kind == 1 or low is None else low)
        upper.append(np.inf if kind == -1 or high is None else high)
    return np.array(lower, dtype=float), np.array(upper, dtype=float)


def _bounds(variables) -> tuple[np.ndarray, np.ndarray]:
    lower = _floats([v.lb for v in variables], -np.inf)
    upper = _floats([v.ub for v in variables], np.inf)
    return lower, upper


def _floats(values: list, missing: float) -> np.ndarray:
    return np.array([missing if v is None else v for v in values], dtype=float)
