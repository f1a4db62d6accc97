"""The reference path: the whole Pyomo model (every scenario block built), compiled by
Pyomo's standard-form compiler. Slower than `optimizer.lp.replicated` on large cases,
and the yardstick the fast path must agree with to the last digit."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler
from pyomo.repn.standard_repn import generate_standard_repn

from models.index_sets import ModelData
from models.scenario_model import SCENARIO_BLOCK, build_model
from optimizer.lp.plan import SCENARIO_COSTS, ComponentValues, PlanValues, component_values
from optimizer.solver import CompiledModel, SolverOutcome


class PlainLP:
    """The full model, built with Pyomo in one piece."""

    def __init__(self, data: ModelData):
        self.data = data
        self.model = build_model(data)

    def compile(self) -> CompiledModel:
        """Pyomo model → arrays, through the standard-form compiler in mixed form (each
        row ≤, = or ≥ its right-hand side)."""
        info = LinearStandardFormCompiler().write(self.model, mixed_form=True)
        self.columns = info.columns
        self.rows = info.rows
        rhs = np.asarray(info.rhs, dtype=float)
        kinds = np.fromiter((kind for _, kind in info.rows), dtype=np.int8,
                            count=len(info.rows))
        lower = np.array([-np.inf if v.lb is None else v.lb for v in self.columns], float)
        upper = np.array([np.inf if v.ub is None else v.ub for v in self.columns], float)
        return CompiledModel(
            num_columns=len(self.columns), num_rows=len(info.rows),
            cost=np.asarray(info.c.toarray(), dtype=float).reshape(-1),
            offset=float(info.c_offset[0]), matrix=info.A, col_lower=lower,
            col_upper=upper, row_lower=np.where(kinds == 1, -np.inf, rhs),
            row_upper=np.where(kinds == -1, np.inf, rhs))

    def expected_cost(self) -> np.ndarray:
        """The LP's cost vector of F + k·Σ_ω π_ω C_ω, the ``expected`` objective,
        whatever the case's objective (`models.risk`)."""
        repn = generate_standard_repn(self.model.stage_one_cost.expr
                                      + self.model.expected_scenario_cost.expr)
        position = {id(v): i for i, v in enumerate(self.columns)}
        cost = np.zeros(len(self.columns))
        for var, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
            if id(var) in position:
                cost[position[id(var)]] += coef
        return cost

    def plan(self, outcome: SolverOutcome) -> PlanValues:
        """Load the values into the Pyomo variables and read the plan back; costs are
        evaluated by Pyomo from the model's own expressions."""
        model = self.model
        for var in model.component_data_objects(pyo.Var):
            var.set_value(var.lb if var.lb is not None else 0.0, skip_validation=True)
        for var, value in zip(self.columns, outcome.column_values.tolist(), strict=True):
            var.set_value(value, skip_validation=True)
        position = {id(v): i for i, v in enumerate(self.columns)}
        row_position = {id(con): i for i, (con, _) in enumerate(self.rows)}
        values = outcome.column_values[None, :]
        reduced = outcome.column_duals[None, :]
        blocks = [getattr(model, SCENARIO_BLOCK)[s] for s in self.data.scenarios]
        names = [c.local_name for c in blocks[0].component_objects(pyo.Var,
                                                                   descend_into=False)]
        stage_components = list(model.component_objects(pyo.Var, descend_into=False))

        def per_scenario(name: str, vector: np.ndarray, absent=None) -> ComponentValues:
            rows = [component_values(getattr(b, name), position, vector, absent)
                    for b in blocks]
            return ComponentValues(rows[0].indices, np.vstack([r.values for r in rows]))

        return PlanValues(
            scenarios=list(self.data.scenarios),
            stage_one={c.local_name: component_values(c, position, values)
                       for c in stage_components},
            stage_two={name: per_scenario(name, values) for name in names},
            scenario_costs={name: np.array([pyo.value(getattr(b, name)) for b in blocks])
                            for name in SCENARIO_COSTS},
            stage_one_cost=pyo.value(model.stage_one_cost),
            objective=pyo.value(model.total_cost),
            stage_one_reduced_costs={c.local_name: component_values(c, position, reduced, 0.0)
                                     for c in stage_components},
            stage_two_reduced_costs={name: per_scenario(name, reduced, 0.0) for name in names},
            stage_one_duals={
                c.local_name: component_values(c, row_position,
                                               outcome.row_duals[None, :], 0.0)
                for c in model.component_objects(pyo.Constraint, descend_into=False)},
        )
