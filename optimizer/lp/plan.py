"""A solved plan as plain arrays by model component, whichever path solved it: what the
LP hand-over gives the results layer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SCENARIO_COSTS = ("production_cost", "import_cost", "shipping_cost", "refill_cost",
                  "shortage_cost", "restraint_cost", "cost")
"""The scenario block's cost expressions (C_ω and its parts) read back per scenario."""


@dataclass
class ComponentValues:
    """One variable component: its indices (in the template's order) and its values,
    one row per scenario for stage two (one row for stage one)."""

    indices: list[tuple]
    values: np.ndarray

    def by_index(self, row: int = 0) -> dict[tuple, float]:
        return dict(zip(self.indices, self.values[row].tolist(), strict=True))


def component_values(component, position: dict[int, int], values: np.ndarray,
                     absent: float | None = None) -> ComponentValues:
    """The entries of a Pyomo component (variables or constraints) read from the rows
    of `values` (one per scenario) at `position[id(entry)]`. An entry the compiler left
    out takes `absent`, or for a variable its lower bound (0 if it has none): it
    appears nowhere, so that is where it sits at the optimum."""
    indices = list(component.keys())
    columns = np.array([position.get(id(e), -1) for e in component.values()],
                       dtype=np.int64)
    present = columns >= 0
    result = np.zeros((values.shape[0], len(indices)))
    result[:, present] = values[:, columns[present]]
    if not present.all():
        floor = np.array([absent if absent is not None else (e.lb or 0.0)
                          for e in component.values()])
        result[:, ~present] = floor[~present]
    return ComponentValues(indices, result)


@dataclass
class PlanValues:
    """A solved plan as plain arrays, whichever way it was solved: values, reduced
    costs (by variable component) and the duals of stage-one constraints."""

    scenarios: list[str]
    stage_one: dict[str, ComponentValues]
    stage_two: dict[str, ComponentValues]
    scenario_costs: dict[str, np.ndarray]
    stage_one_cost: float
    objective: float
    stage_one_reduced_costs: dict[str, ComponentValues]
    stage_two_reduced_costs: dict[str, ComponentValues]
    stage_one_duals: dict[str, ComponentValues]


def merge_plans(plans: list[PlanValues]) -> PlanValues:
    """The plan of an LP that is the direct sum of the parts' LPs (`models.components`):
    every component's entries side by side, costs and objectives added."""
    def side_by_side(tables: list[dict[str, ComponentValues]]) -> dict[str, ComponentValues]:
        return {name: ComponentValues(
            [index for table in tables for index in table[name].indices],
            np.hstack([table[name].values for table in tables]))
            for name in tables[0]}

    return PlanValues(
        scenarios=plans[0].scenarios,
        stage_one=side_by_side([p.stage_one for p in plans]),
        stage_two=side_by_side([p.stage_two for p in plans]),
        scenario_costs={name: np.sum([p.scenario_costs[name] for p in plans], axis=0)
                        for name in plans[0].scenario_costs},
        stage_one_cost=float(sum(p.stage_one_cost for p in plans)),
        objective=float(sum(p.objective for p in plans)),
        stage_one_reduced_costs=side_by_side([p.stage_one_reduced_costs for p in plans]),
        stage_two_reduced_costs=side_by_side([p.stage_two_reduced_costs for p in plans]),
        stage_one_duals=side_by_side([p.stage_one_duals for p in plans]),
    )
