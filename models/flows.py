"""Stage two's variables, with their one-variable limits as bounds, in one scenario block.

=================  ======================  ==============================================
variable           index                   bounds
=================  ======================  ==============================================
``produce`` q      (n, g) ∈ P, t           0 ≤ q ≤ b·capacity; with a spare option the
                                           row of `models.spare_capacity` limits q
``imported`` v     (o, d, g) ∈ R, t        0 ≤ v ≤ a·volume; with a contract option
                                           the row of `models.contracts` limits v
``draw`` w         (n, g) ∈ K, t           0 ≤ w ≤ draw_limit (max_draw from t0 +
                                           release_lag, 0 before and in normal times)
``ship`` s         (a, b, g) ∈ L, t        0 ≤ s ≤ ship_limit (capacity from t0 +
                                           activation_lag, 0 before and in normal times)
``short`` z        (n, g) with demand, t   0 ≤ z ≤ D·m
=================  ======================  ==============================================
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.concentration import capped_nodes
from models.contracts import contract_routes
from models.index_sets import ModelData
from models.parameters import open_values, scenario_parameter_values


def add_scenario_parameters(block: pyo.Block, data: ModelData, scenario: str | None) -> None:
    """The scenario's mutable parameters (`models.parameters`), on every entry and
    period: factors default to 1, instruments to open, then the scenario's values."""
    values = scenario_parameter_values(data, scenario)
    opened = open_values(data)
    periods = data.periods
    block.probability = pyo.Param(mutable=True, initialize=values["probability"])
    block.production_factor = pyo.Param(
        [(n, g, t) for n, g in data.production for t in periods], mutable=True, default=1.0,
        initialize=values["production_factor"])
    block.import_factor = pyo.Param(
        [(o, d, g, t) for o, d, g in data.routes for t in periods], mutable=True,
        default=1.0, initialize=values["import_factor"])
    block.demand_factor = pyo.Param(
        [(n, g, t) for n, g in data.demand for t in periods], mutable=True, default=1.0,
        initialize=values["demand_factor"])
    block.origin_cap_open = pyo.Param(capped_nodes(data), mutable=True, default=1.0,
                                      initialize=values["origin_cap_open"])
    for name in ("spare_open", "draw_limit", "ship_limit"):
        block.add_component(name, pyo.Param(list(opened[name]), mutable=True,
                                             initialize={**opened[name], **values[name]}))


def add_flows(block: pyo.Block, data: ModelData) -> None:
    """q, v, w, s and z with their bounds (table above)."""
    case = data.case
    periods = data.periods
    spare = set(data.spare)
    contracts = set(contract_routes(data))

    def production_limit(b, n, g, t):
        if (n, g) in spare:
            return 0.0, None
        return 0.0, b.production_factor[n, g, t] * case.production[n, g].capacity

    block.produce = pyo.Var([(n, g, t) for n, g in data.production for t in periods],
                            bounds=production_limit)
    def import_limit(b, o, d, g, t):
        if (o, d, g) in contracts:
            return 0.0, None
        return 0.0, b.import_factor[o, d, g, t] * case.imports[o, d, g].volume

    block.imported = pyo.Var([(o, d, g, t) for o, d, g in data.routes for t in periods],
                             bounds=import_limit)
    block.draw = pyo.Var([(n, g, t) for n, g in data.draw_nodes for t in periods],
                         bounds=lambda b, n, g, t: (0.0, b.draw_limit[n, g, t]))
    block.ship = pyo.Var([(a, b, g, t) for a, b, g in data.links for t in periods],
                         bounds=lambda blk, a, b, g, t: (0.0, blk.ship_limit[a, b, g, t]))
    block.short = pyo.Var(
        [(n, g, t) for n, g in data.demand for t in periods],
        bounds=lambda b, n, g, t: (0.0, b.demand_factor[n, g, t] * data.demand[n, g]))
