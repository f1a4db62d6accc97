"""The reference path: the whole Pyomo model (every scenario block built), compiled by
Pyomo's standard-form compiler. Slower than `optimizer.replicated_lp` on large cases,
and the yardstick the fast path must agree with to the last digit."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from models.index_sets import ModelData
from models.stockpile import build_model
from optimizer.results import SCENARIO_COSTS, ComponentValues, PlanValues
from optimizer.solver import CompiledModel


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

    def plan(self, column_values: np.ndarray) -> PlanValues:
        """Load the values into the Pyomo variables and read the plan back."""
        for var in self.model.component_data_objects(pyo.Var):
            var.set_value(var.lb if var.lb is not None else 0.0, skip_validation=True)
        for var, value in zip(self.columns, column_values.tolist(), strict=True):
            var.set_value(value, skip_validation=True)
        model = self.model
        scenarios = self.data.scenarios
        blocks = [model.scenario[s] for s in scenarios]
        stage_two = {}
        for component in blocks[0].component_objects(pyo.Var, descend_into=False):
            name = component.local_name
            stage_two[name] = ComponentValues(
                list(component.keys()),
                np.array([[v.value for v in getattr(b, name).values()] for b in blocks],
                         dtype=float).reshape(len(blocks), len(component)))
        stage_one = {
            component.local_name: ComponentValues(
                list(component.keys()),
                np.array([[v.value for v in component.values()]], dtype=float))
            for component in model.component_objects(pyo.Var, descend_into=False)}
        return PlanValues(
            scenarios=list(scenarios), stage_one=stage_one, stage_two=stage_two,
            scenario_costs={name: np.array([pyo.value(getattr(b, name)) for b in blocks])
                            for name in SCENARIO_COSTS},
            stage_one_cost=pyo.value(model.stage_one_cost),
            objective=pyo.value(model.total_cost))
