"""A scenario's cost over the horizon, by account."""

from __future__ import annotations

import pyomo.environ as pyo

from models.index_sets import ModelData
from models.restraint import restraint_cost
from models.tiers import tier_cost


def add_scenario_cost(block: pyo.Block, data: ModelData) -> None:
    """C_ω = Σ_t (Σ unit_cost·q + Σ unit_cost·v + Σ unit_cost·s + Σ refill_cost·w
    + Σ penalty·z + Σ restraint_cost·zr): ``production_cost``, ``import_cost``,
    ``shipping_cost``, ``refill_cost`` (a unit drawn is bought back after the emergency),
    ``shortage_cost`` (with tiered penalties, `models.tiers`), ``restraint_cost``
    (demand restrained, `models.restraint`) and their sum ``cost``."""
    case = data.case
    block.production_cost = pyo.Expression(expr=pyo.quicksum(
        (case.production[n, g].unit_cost * q for (n, g, t), q in block.produce.items())))
    block.import_cost = pyo.Expression(expr=pyo.quicksum(
        (case.imports[o, d, g].unit_cost * v for (o, d, g, t), v in block.imported.items())))
    block.shipping_cost = pyo.Expression(expr=pyo.quicksum(
        (case.sharing[a, b, g].unit_cost * s for (a, b, g, t), s in block.ship.items())))
    block.refill_cost = pyo.Expression(expr=pyo.quicksum(
        (case.stockpiles[n, g].refill_cost * w for (n, g, t), w in block.draw.items())))
    top = block.model()
    block.shortage_cost = pyo.Expression(expr=pyo.quicksum(
        top.penalty[n, g] * z for (n, g, t), z in block.short.items()) + tier_cost(block, data))
    block.restraint_cost = pyo.Expression(expr=restraint_cost(block, data))
    block.cost = pyo.Expression(expr=block.production_cost + block.import_cost
                                + block.shipping_cost + block.refill_cost
                                + block.shortage_cost + block.restraint_cost)
