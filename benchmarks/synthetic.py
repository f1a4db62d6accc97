"""Synthetic case workbooks of a chosen size, deterministic from a seed.

The structure imitates a real alliance case (see ``inputs/rare_earths_data.py``): a few
suppliers export most goods to most allies, every ally demands most goods, some allies
produce with an option to reserve spare capacity, most ally-goods may be stockpiled,
allies share goods over links (mostly ``*`` rows, some rows naming a good), and the
scenarios cut exports, knock out capacity and raise demand on random subsets and period
windows. Shortage penalties are 20 to 50 times the price of a good, so shortfall is the
last resort.

The LP size is driven by ``SIZES``: columns ≈ scenarios × periods × (production + routes
+ stockpiles + links + demand entries), which ``link_pairs`` and the route densities tune
(M ≈ 300,000 and L ≈ 3.5 million columns as reported by the product).

    python -m benchmarks.synthetic M /tmp/M.xlsx
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from openpyxl import Workbook

# Column names exactly as MODEL.md lists them, in its order.
HEADERS: dict[str, list[str]] = {
    "Countries": ["country", "role", "budget"],
    "Goods": ["good", "unit", "shortage_penalty"],
    "Demand": ["country", "good", "demand", "shortage_penalty"],
    "Production": ["country", "good", "capacity", "unit_cost", "spare_cost", "spare_max",
                   "ramp_periods"],
    "Imports": ["origin", "destination", "good", "volume", "unit_cost"],
    "Stockpiles": ["country", "good", "initial", "min", "max", "purchase_cost",
                   "holding_cost"],
    "Sharing": ["from", "to", "good", "lead_periods", "unit_cost", "capacity"],
    "Scenarios": ["scenario", "probability", "description"],
    "Disruptions": ["scenario", "kind", "country", "partner", "good", "start", "end",
                    "factor"],
}
SHEET_ORDER = ["Settings", *HEADERS]


@dataclass(frozen=True)
class SizeSpec:
    """Shape of a synthetic case."""

    allies: int
    goods: int
    periods: int
    scenarios: int
    suppliers: int
    link_pairs: int  # ordered ally pairs with a sharing link
    route_share: float = 0.6  # chance that a supplier exports a demanded good to an ally
    ally_route_share: float = 0.03  # chance of an import route between two allies
    demand_share: float = 0.85  # chance that an ally demands a good
    producer_share: float = 0.3  # chance that an ally produces a good
    stock_share: float = 0.85  # chance that a demanded good may be stockpiled


# link_pairs tuned at seed 0: S 15,401, M 300,066 and L 3,502,542 LP columns.
SIZES: dict[str, SizeSpec] = {
    "S": SizeSpec(allies=6, goods=4, periods=12, scenarios=10, suppliers=3, link_pairs=10),
    "M": SizeSpec(allies=10, goods=12, periods=12, scenarios=30, suppliers=4, link_pairs=34),
    "L": SizeSpec(allies=14, goods=20, periods=24, scenarios=60, suppliers=5, link_pairs=61),
}

Row = dict[str, object]


def make_case(size: str | SizeSpec, seed: int = 0) -> dict[str, list[Row] | dict]:
    """All sheets of a synthetic case: name → rows as dicts (Settings as key → value)."""
    spec = SIZES[size] if isinstance(size, str) else size
    rng = np.random.default_rng(seed)
    allies = [f"A{i:02d}" for i in range(spec.allies)]
    suppliers = [f"S{i:02d}" for i in range(spec.suppliers)]
    goods = [f"G{i:02d}" for i in range(spec.goods)]
    price = {g: float(rng.integers(50, 201)) for g in goods}

    demand = _demand(rng, spec, allies, goods, price)
    production = _production(rng, spec, allies, goods, price, demand)
    imports = _imports(rng, spec, allies, suppliers, goods, price, demand, production)
    stockpiles = _stockpiles(rng, spec, price, demand)
    scenarios, disruptions = _scenarios(rng, spec, allies, suppliers, goods, production)
    return {
        "Settings": {"periods": spec.periods, "period_unit": "month", "period_days": 30,
                     "currency": "USD"},
        "Countries": _countries(rng, allies, suppliers, stockpiles),
        "Goods": [{"good": g, "unit": "t", "shortage_penalty": round(price[g] * 30)}
                  for g in goods],
        "Demand": demand,
        "Production": production,
        "Imports": imports,
        "Stockpiles": stockpiles,
        "Sharing": _sharing(rng, spec, allies, goods),
        "Scenarios": scenarios,
        "Disruptions": disruptions,
    }


def _demand(rng, spec: SizeSpec, allies, goods, price) -> list[Row]:
    """Each ally demands most goods; a few rows override the good's penalty."""
    rows = []
    for a in allies:
        for g in goods:
            if rng.random() < spec.demand_share:
                penalty = round(price[g] * rng.uniform(20, 50)) if rng.random() < 0.2 else None
                rows.append({"country": a, "good": g, "demand": int(rng.integers(50, 1001)),
                             "shortage_penalty": penalty})
    return rows


def _production(rng, spec: SizeSpec, allies, goods, price, demand) -> list[Row]:
    """Some allies produce part of their demand; most of them may reserve spare capacity."""
    needed = {(r["country"], r["good"]): r["demand"] for r in demand}
    rows = []
    for a in allies:
        for g in goods:
            if rng.random() >= spec.producer_share:
                continue
            base = needed.get((a, g), 200)
            row: Row = {"country": a, "good": g,
                        "capacity": int(base * rng.uniform(0.1, 0.5)),
                        "unit_cost": round(price[g] * rng.uniform(1.0, 1.4), 2),
                        "spare_cost": None, "spare_max": None, "ramp_periods": None}
            if rng.random() < 0.7:
                row.update(spare_cost=round(price[g] * rng.uniform(0.5, 1.5), 2),
                           spare_max=int(base * rng.uniform(0.2, 0.6)),
                           ramp_periods=int(rng.integers(0, 4)))
            rows.append(row)
    return rows


def _imports(rng, spec: SizeSpec, allies, suppliers, goods, price, demand,
             production) -> list[Row]:
    """Suppliers export to most allies; normal supply roughly covers demand.

    The import volume of a demanded ally-good is 70-100 % of what production leaves
    uncovered, split among its routes; a few routes run between allies.
    """
    made = {(r["country"], r["good"]): r["capacity"] for r in production}
    rows = []
    for r in demand:
        a, g = r["country"], r["good"]
        origins = [s for s in suppliers if rng.random() < spec.route_share]
        origins += [b for b in allies if b != a and rng.random() < spec.ally_route_share]
        if not origins:
            origins = [suppliers[int(rng.integers(len(suppliers)))]]
        gap = max(r["demand"] - made.get((a, g), 0), 10) * rng.uniform(0.7, 1.0)
        shares = rng.dirichlet(np.ones(len(origins)))
        for origin, share in zip(origins, shares, strict=True):
            markup = 1.2 if origin in allies else rng.uniform(0.9, 1.1)
            rows.append({"origin": origin, "destination": a, "good": g,
                         "volume": max(1, int(gap * share)),
                         "unit_cost": round(price[g] * markup, 2)})
    return rows


def _stockpiles(rng, spec: SizeSpec, price, demand) -> list[Row]:
    """Most demanded ally-goods may be stockpiled, up to about six months of demand."""
    rows = []
    for r in demand:
        if rng.random() >= spec.stock_share:
            continue
        g, monthly = r["good"], r["demand"]
        initial = int(monthly * rng.uniform(0, 1)) if rng.random() < 0.3 else 0
        floor = initial if rng.random() < 0.5 else 0
        rows.append({"country": r["country"], "good": g, "initial": initial, "min": floor,
                     "max": None if rng.random() < 0.1 else 6 * monthly,
                     "purchase_cost": round(price[g] * 1.3, 2),
                     "holding_cost": round(price[g] * 1.3 * 0.12, 2)})
    return rows


def _countries(rng, allies, suppliers, stockpiles) -> list[Row]:
    """Allies, a third of them with a budget that pays the floors and then some."""
    rows = []
    for a in allies:
        budget = None
        if rng.random() < 0.33:
            floors = sum(s["purchase_cost"] * max(0, s["min"] - s["initial"])
                         + s["holding_cost"] * s["min"]
                         for s in stockpiles if s["country"] == a)
            budget = round(floors + float(rng.uniform(2e5, 2e6)))
        rows.append({"country": a, "role": "ally", "budget": budget})
    rows += [{"country": s, "role": "supplier", "budget": None} for s in suppliers]
    return rows


def _sharing(rng, spec: SizeSpec, allies, goods) -> list[Row]:
    """Links between `link_pairs` ordered ally pairs: mostly one ``*`` row per pair with
    a per-good capacity, some overridden for one good; a few pairs share one good only."""
    pairs = [(a, b) for a in allies for b in allies if a != b]
    chosen = rng.choice(len(pairs), size=min(spec.link_pairs, len(pairs)), replace=False)
    rows = []
    for index in sorted(chosen):
        a, b = pairs[index]
        lead = int(rng.integers(0, 3))
        capacity = None if rng.random() < 0.15 else int(rng.integers(20, 201))
        if rng.random() < 0.9:
            rows.append({"from": a, "to": b, "good": "*", "lead_periods": lead,
                         "unit_cost": round(float(rng.uniform(2, 10)), 2),
                         "capacity": capacity})
        if rng.random() < 0.3:
            g = goods[int(rng.integers(len(goods)))]
            rows.append({"from": a, "to": b, "good": g, "lead_periods": min(lead + 1, 2),
                         "unit_cost": round(float(rng.uniform(5, 20)), 2),
                         "capacity": int(rng.integers(10, 101))})
    return rows


def _scenarios(rng, spec: SizeSpec, allies, suppliers, goods,
               production) -> tuple[list[Row], list[Row]]:
    """Normal times (half the probability) and disruption scenarios of 1-3 rows each."""
    names = ["normal"] + [f"D{i:03d}" for i in range(1, spec.scenarios)]
    probabilities = _probabilities(rng, len(names))
    producers = sorted({r["country"] for r in production}) or allies
    scenarios, disruptions = [], []
    for name, probability in zip(names, probabilities, strict=True):
        rows = [] if name == "normal" else [
            _disruption(rng, spec, name, allies, suppliers, goods, producers)
            for _ in range(int(rng.integers(1, 4)))]
        kinds = ", ".join(sorted({r["kind"] for r in rows})) or "none"
        scenarios.append({"scenario": name, "probability": probability,
                          "description": f"synthetic: {kinds}"})
        disruptions += rows
    return scenarios, disruptions


def _probabilities(rng, count: int) -> list[float]:
    """`count` probabilities > 0 rounded to 1e-6 that sum to 1: the first is 0.5, the
    last is 1 minus the sum of the others."""
    if count == 1:
        return [1.0]
    rest = rng.dirichlet(np.ones(count - 1)) * 0.5
    values = [0.5] + [max(round(float(p), 6), 1e-6) for p in rest[:-1]]
    values.append(round(1.0 - sum(values), 6))
    if values[-1] <= 0:
        raise ValueError("probabilities do not leave room for the last scenario")
    return values


def _disruption(rng, spec: SizeSpec, scenario, allies, suppliers, goods, producers) -> Row:
    """One random Disruptions row over a random window of periods."""
    kind = rng.choice(["export_cut", "export_cut", "capacity_loss", "demand_surge"])
    start = int(rng.integers(1, spec.periods + 1))
    end = min(spec.periods, start + int(rng.integers(0, max(1, spec.periods // 2))))
    good = "*" if rng.random() < 0.3 else goods[int(rng.integers(len(goods)))]
    row: Row = {"scenario": scenario, "kind": str(kind), "partner": None, "good": good,
                "start": start, "end": end}
    if kind == "export_cut":
        row["country"] = suppliers[int(rng.integers(len(suppliers)))]
        row["partner"] = "*" if rng.random() < 0.5 else allies[int(rng.integers(len(allies)))]
        row["factor"] = round(float(rng.uniform(0, 0.5)), 3)
    elif kind == "capacity_loss":
        row["country"] = "*" if rng.random() < 0.2 else producers[
            int(rng.integers(len(producers)))]
        row["factor"] = round(float(rng.uniform(0, 0.6)), 3)
    else:
        row["country"] = "*" if rng.random() < 0.3 else allies[int(rng.integers(len(allies)))]
        row["factor"] = round(float(rng.uniform(1.1, 1.6)), 3)
    return row


def write_case_workbook(sheets: dict[str, list[Row] | dict], path: str | Path) -> Path:
    """Write `sheets` to an .xlsx with openpyxl's write-only mode; headers are the
    MODEL.md column names, Settings is written as key/value rows."""
    workbook = Workbook(write_only=True)
    for name in sorted(sheets, key=SHEET_ORDER.index):
        sheet = workbook.create_sheet(name)
        if name == "Settings":
            sheet.append(["key", "value"])
            for key, value in sheets[name].items():
                sheet.append([key, value])
            continue
        header = HEADERS[name]
        sheet.append(header)
        for row in sheets[name]:
            sheet.append([row.get(column) for column in header])
    path = Path(path)
    workbook.save(path)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="write a synthetic case workbook")
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    write_case_workbook(make_case(args.size, args.seed), args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
