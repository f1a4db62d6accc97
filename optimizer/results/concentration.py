"""Supplier concentration of each ally's supply of each good in normal times.

Normal times are the scenarios without Disruptions rows (Ω₀), weighted by their
probabilities (renormalised over Ω₀). For each ally n and good g (each good is a
processing stage: ore, oxide, magnet) its supply per period is what it produces plus
what it imports on each route, averaged over the periods of the horizon:

    supply[n,g] = Σ_{ω∈Ω₀} π_ω / π(Ω₀) · Σ_t (q[n,g,t] + Σ_o v[o,n,g,t]) / H

Sources are the ally's own production and each origin. The *largest non-ally origin* is
the supplier country (role ``supplier``) with the largest share of that supply; the
Herfindahl–Hirschman index is HHI = 10,000 · Σ_sources share² (10,000: one source).
A share above `BENCHMARK` (the EU Critical Raw Materials Act's 65 %) is flagged. A case
without normal times (every scenario has Disruptions rows) has no table.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from models.index_sets import ModelData
from optimizer.lp.plan import PlanValues

BENCHMARK = 0.65
"""The EU Critical Raw Materials Act: at most 65 % of any strategic raw material from a
single third country."""

COLUMNS = ["country", "good", "unit", "supply", "largest_origin", "largest_share", "hhi"]


def concentration_table(plan: PlanValues, data: ModelData) -> pd.DataFrame:
    """One row per ally and good with supply in normal times (module docstring)."""
    normal = [k for k, s in enumerate(plan.scenarios) if data.onset[s] is None]
    if not normal:
        return pd.DataFrame(columns=COLUMNS)
    weights = np.array([data.probability[plan.scenarios[k]] for k in normal])
    weights = weights / weights.sum() / len(data.periods)
    sources: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for name, node_and_source in (("imported", lambda o, d, g, t: ((d, g), o)),
                                  ("produce", lambda n, g, t: ((n, g), n))):
        component = plan.stage_two[name]
        if not component.indices:
            continue
        units = weights @ component.values[normal]
        for index, value in zip(component.indices, units.tolist(), strict=True):
            node, source = node_and_source(*index)
            sources[node][source] += value
    countries = data.case.countries
    rows = []
    for node in data.nodes:
        by_source = sources.get(node)
        total = sum(by_source.values()) if by_source else 0.0
        if total <= 1e-9:
            continue
        tolerance = 1e-9 * total
        shares = {s: v / total for s, v in by_source.items() if v > tolerance}
        foreign = {s: v for s, v in shares.items() if not countries[s].is_ally}
        largest = max(foreign, key=foreign.get) if foreign else None
        rows.append((*node, data.case.goods[node[1]].unit, total, largest,
                     foreign.get(largest, 0.0) if largest else 0.0,
                     10_000.0 * sum(v * v for v in shares.values())))
    return pd.DataFrame(rows, columns=COLUMNS)


def with_before(after: pd.DataFrame, before: pd.DataFrame | None) -> pd.DataFrame:
    """The plan's concentration beside "before the plan" (no new insurance: the value of
    the plan's re-solve), and whether the plan's largest share is above `BENCHMARK`.
    Without `before` (extras off) its columns are blank."""
    table = after.copy()
    names = {"largest_origin": "largest_origin_before",
             "largest_share": "largest_share_before", "hhi": "hhi_before"}
    if before is not None and not before.empty:
        table = table.merge(before[["country", "good", *names]].rename(columns=names),
                            on=["country", "good"], how="left")
    else:
        for column in names.values():
            table[column] = None
    table["over_benchmark"] = table["largest_share"] > BENCHMARK
    return table
