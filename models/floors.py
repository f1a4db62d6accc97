"""Policy floors in days of cover (Stockpiles ``min_days``): Japan's JOGMEC aims at 60 days
of use, the IEA asks 90 days of net imports.

The floor of a stockpile (n, g) is

    floor = max(min, min_days / period_days · basis[n,g])

with basis, per period, from the case's inputs (normal times, before any plan):

- ``demand``: D[n,g], the Demand sheet's demand (0 without a row);
- ``net_imports``: max(0, Σ_o volume[o,n,g] − Σ_d volume[n,d,g]): the normal volumes of
  every Imports route of the good into n, from any origin, less those of the routes out
  of n (an ally that exports), never below 0. Reserved contract volume is not counted.

The floor is the stock variable's lower bound (`models.stage_one`); validation resolves
it into `Stockpile.min`, so every rule on floors (max ≥ floor, a budget that must pay
for it) reads one number.
"""

from __future__ import annotations

from collections.abc import Mapping

Node = tuple[str, str]
Route = tuple[str, str, str]

BASES = ("demand", "net_imports")


def basis_per_period(basis: str, node: Node, demand: Mapping[Node, float],
                     volumes: Mapping[Route, float]) -> float:
    """Units per period the days are counted in (module docstring)."""
    if basis == "demand":
        return demand.get(node, 0.0)
    ally, good = node
    inflow = sum(v for (o, d, g), v in volumes.items() if d == ally and g == good)
    outflow = sum(v for (o, d, g), v in volumes.items() if o == ally and g == good)
    return max(0.0, inflow - outflow)


def days_floor(min_days: float, period_days: float, basis_units: float) -> float:
    """min_days / period_days · basis: the floor the days ask for, in units."""
    return min_days / period_days * basis_units
