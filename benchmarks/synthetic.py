"""Synthetic case workbooks of a chosen size, deterministic from a seed (model v2 inputs).

The structure imitates a real alliance case (see ``inputs/rare_earths_data.py``): a few
suppliers export most goods to most allies, every ally demands most goods, some allies
produce with an option to reserve spare capacity (a few produce more than they use and
export to other allies: Imports routes whose origin is an ally), most ally-goods may be
stockpiled, allies share goods over links (mostly ``*`` rows, some rows naming a good),
and the scenarios cut exports, knock out capacity and raise demand on random subsets and
period windows. Shortage penalties are 20 to 50 times the price of a good, so shortfall
is the last resort.

Model v2 inputs: Settings ``capital_rate`` and ``periods_per_year``; Stockpiles
``refill_cost``, ``loss_rate``, ``max_draw`` and ``release_lag`` (each sometimes blank,
taking its default); Sharing ``activation_lag``; a Recipes sheet joining ``recipes``
pairs of goods (a ``*`` row per pair, the first pair also with a row naming one
producer), every producer of a processed good with a feedstock import route for its
input; most goods stay independent. Budgets are set between the yearly cost of the
floors and that of the full storage and spare capacity, so that some of them bind.

The LP size is driven by ``SIZES``: columns ≈ scenarios × periods × (production + routes
+ demand entries + the stockpiles and links usable from the onset), which
``link_pairs`` and the route densities tune (M ≈ 300,000 and L ≈ 3.5 million columns as
reported by the yardstick).

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
                   "holding_cost", "refill_cost", "loss_rate", "max_draw", "release_lag"],
    "Sharing": ["from", "to", "good", "lead_periods", "unit_cost", "capacity",
                "activation_lag"],
    "Scenarios": ["scenario", "probability", "description"],
    "Disruptions": ["scenario", "kind", "country", "partner", "good", "start", "end",
                    "factor"],
    "Recipes": ["country", "good", "input", "ratio"],
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
    ally_route_share: float = 0.4  # chance that an exporting ally sells to another ally
    demand_share: float = 0.85  # chance that an ally demands a good
    producer_share: float = 0.3  # chance that an ally produces a good
    exporter_share: float = 0.25  # chance that a producer makes more than it uses
    stock_share: float = 0.85  # chance that a demanded good may be stockpiled
    recipes: int = 0  # pairs of goods joined by a recipe (at most goods // 2)
    budget_share: float = 0.0  # chance that an ally has a budget (it couples its goods)


# link_pairs tuned at seed 0 (LP columns as the yardstick builds them): S 11,468,
# M 299,623 and L 3,500,290.
SIZES: dict[str, SizeSpec] = {
    "S": SizeSpec(allies=6, goods=4, periods=12, scenarios=10, suppliers=3, link_pairs=10,
                  recipes=1),
    "M": SizeSpec(allies=10, goods=12, periods=12, scenarios=30, suppliers=4, link_pairs=58,
                  recipes=2),
    "L": SizeSpec(allies=14, goods=20, periods=24, scenarios=60, suppliers=5, link_pairs=100,
                  recipes=3),
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
    recipes = _recipe_pairs(rng, spec, goods, price)
    settings = {"periods": spec.periods, "period_unit": "month", "period_days": 30,
                "currency": "USD", "capital_rate": round(float(rng.uniform(0.03, 0.07)), 3),
                "periods_per_year": 12}

    demand = _demand(rng, spec, allies, goods, price)
    production = _production(rng, spec, allies, goods, price, demand, recipes)
    imports = _imports(rng, spec, allies, suppliers, price, demand, production)
    recipe_rows = _recipes(rng, recipes, production)
    imports = _feedstock(rng, suppliers, price, production, recipe_rows, imports)
    stockpiles = _stockpiles(rng, spec, price, demand)
    scenarios, disruptions = _scenarios(rng, spec, allies, suppliers, goods, production)
    sheets: dict[str, list[Row] | dict] = {
        "Settings": settings,
        "Countries": _countries(rng, allies, suppliers, demand, stockpiles, production,
                                settings["capital_rate"], spec.budget_share),
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
    if recipe_rows:
        sheets["Recipes"] = recipe_rows
    return sheets


def _recipe_pairs(rng, spec: SizeSpec, goods, price) -> dict[str, tuple[str, float]]:
    """processed good → (input good, ratio) for `spec.recipes` disjoint pairs (so the
    recipe graph has no cycle); a processed good is priced above its input's cost."""
    count = min(spec.recipes, len(goods) // 2)
    chosen = [goods[int(i)] for i in rng.choice(len(goods), size=2 * count, replace=False)]
    pairs = {}
    for good, feed in zip(chosen[::2], chosen[1::2], strict=True):
        ratio = round(float(rng.uniform(1.1, 2.0)), 2)
        price[good] = round(ratio * price[feed] * float(rng.uniform(1.3, 1.8)))
        pairs[good] = (feed, ratio)
    return pairs


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


def _production(rng, spec: SizeSpec, allies, goods, price, demand, recipes) -> list[Row]:
    """Some allies produce part of their demand (a few, the exporters, more than all of
    it); most may reserve spare capacity. A processed good has at least one producer,
    whose unit_cost is the processing cost alone."""
    needed = {(r["country"], r["good"]): r["demand"] for r in demand}
    rows = []
    for g in goods:
        makers = [a for a in allies if rng.random() < spec.producer_share]
        if g in recipes and not makers:
            makers = [allies[int(rng.integers(len(allies)))]]
        for a in makers:
            base = needed.get((a, g), 200)
            share = (rng.uniform(1.2, 2.0) if rng.random() < spec.exporter_share
                     else rng.uniform(0.1, 0.5))
            cost = price[g] * (rng.uniform(0.2, 0.4) if g in recipes else rng.uniform(1.0, 1.4))
            row: Row = {"country": a, "good": g, "capacity": int(base * share),
                        "unit_cost": round(cost, 2), "spare_cost": None, "spare_max": None,
                        "ramp_periods": None}
            if rng.random() < 0.7:
                row.update(spare_cost=round(price[g] * rng.uniform(0.5, 1.5), 2),
                           spare_max=int(base * rng.uniform(0.2, 0.6)),
                           ramp_periods=int(rng.integers(0, 4)))
            rows.append(row)
    return rows


def _imports(rng, spec: SizeSpec, allies, suppliers, price, demand, production) -> list[Row]:
    """Suppliers export to most allies, exporting allies to some; normal supply covers
    demand (stock and sharing act only in an emergency, so normal times should not be
    short).

    The import volume of a demanded ally-good is 100-130 % of what production leaves
    uncovered. An ally that makes more than it uses exports part of its surplus (its
    exports leave its own balance, so it never sells more than that surplus); suppliers
    share the rest.
    """
    needed = {(r["country"], r["good"]): r["demand"] for r in demand}
    made = {(r["country"], r["good"]): r["capacity"] for r in production}
    surplus = {key: capacity - needed.get(key, 0) for key, capacity in made.items()}
    rows = []
    for r in demand:
        a, g = r["country"], r["good"]
        origins = [s for s in suppliers if rng.random() < spec.route_share]
        if not origins:
            origins = [suppliers[int(rng.integers(len(suppliers)))]]
        gap = max(r["demand"] - made.get((a, g), 0), 10) * rng.uniform(1.0, 1.3)
        for b in allies:
            left = surplus.get((b, g), 0)
            if b == a or left < 2 or rng.random() >= spec.ally_route_share:
                continue
            volume = int(min(left / 2, gap * rng.uniform(0.2, 0.5)))
            if volume >= 1:
                surplus[b, g] -= volume
                gap -= volume
                rows.append({"origin": b, "destination": a, "good": g, "volume": volume,
                             "unit_cost": round(price[g] * 1.1, 2)})
        shares = rng.dirichlet(np.ones(len(origins)))
        for origin, share in zip(origins, shares, strict=True):
            rows.append({"origin": origin, "destination": a, "good": g,
                         "volume": max(1, int(gap * share)),
                         "unit_cost": round(price[g] * rng.uniform(0.9, 1.1), 2)})
    return rows


def _recipes(rng, recipes, production) -> list[Row]:
    """A ``*`` row per processed good; the first also with a row naming one of its
    producers (another ratio, overriding the ``*`` row there)."""
    rows: list[Row] = []
    for number, (good, (feed, ratio)) in enumerate(recipes.items()):
        rows.append({"country": "*", "good": good, "input": feed, "ratio": ratio})
        makers = [r["country"] for r in production if r["good"] == good]
        if number == 0 and makers:
            rows.append({"country": makers[int(rng.integers(len(makers)))], "good": good,
                         "input": feed, "ratio": round(ratio * float(rng.uniform(0.8, 1.2)), 2)})
    return rows


def _feedstock(rng, suppliers, price, production, recipe_rows, imports) -> list[Row]:
    """Every producer of a processed good gets a supplier route for its input, sized to
    80-120 % of what its capacity uses (added to an existing route's volume)."""
    ratio = {(r["country"], r["good"]): r["ratio"] for r in recipe_rows}
    feed = {r["good"]: r["input"] for r in recipe_rows}
    routes = {(r["origin"], r["destination"], r["good"]): r for r in imports}
    for p in production:
        good, maker = p["good"], p["country"]
        if good not in feed:
            continue
        use = p["capacity"] * ratio.get((maker, good), ratio["*", good])
        origin = suppliers[int(rng.integers(len(suppliers)))]
        volume = max(1, int(use * rng.uniform(0.8, 1.2)))
        key = (origin, maker, feed[good])
        if key in routes:
            routes[key]["volume"] += volume
        else:
            routes[key] = {"origin": origin, "destination": maker, "good": feed[good],
                           "volume": volume,
                           "unit_cost": round(price[feed[good]] * rng.uniform(0.9, 1.1), 2)}
    return list(routes.values())


def _stockpiles(rng, spec: SizeSpec, price, demand) -> list[Row]:
    """Most demanded ally-goods may be stockpiled, up to about six months of demand;
    release limits and lags, refill prices and losses vary, some blank (defaults)."""
    rows = []
    for r in demand:
        if rng.random() >= spec.stock_share:
            continue
        g, monthly = r["good"], r["demand"]
        initial = int(monthly * rng.uniform(0, 1)) if rng.random() < 0.3 else 0
        floor = initial if rng.random() < 0.5 else 0
        purchase = round(price[g] * 1.3, 2)
        rows.append({"country": r["country"], "good": g, "initial": initial, "min": floor,
                     "max": None if rng.random() < 0.1 else 6 * monthly,
                     "purchase_cost": purchase,
                     "holding_cost": round(purchase * 0.03, 2),
                     "refill_cost": (None if rng.random() < 0.3
                                     else round(purchase * rng.uniform(1.0, 1.5), 2)),
                     "loss_rate": (None if rng.random() < 0.4
                                   else round(float(rng.uniform(0, 0.05)), 3)),
                     "max_draw": (None if rng.random() < 0.4
                                  else int(monthly * rng.uniform(0.5, 1.5))),
                     "release_lag": None if rng.random() < 0.3 else int(rng.integers(0, 3))})
    return rows


def _countries(rng, allies, suppliers, demand, stockpiles, production,
               capital_rate, budget_share) -> list[Row]:
    """Allies, a share of them with a budget between the yearly cost (F) of their floors
    and that of their full storage (six months of demand where it has no limit) and
    spare capacity."""
    needed = {(r["country"], r["good"]): r["demand"] for r in demand}
    rows = []
    for a in allies:
        budget = None
        if rng.random() < budget_share:
            floors, full = 0.0, 0.0
            for s in (s for s in stockpiles if s["country"] == a):
                per_unit = ((capital_rate + (s["loss_rate"] or 0.0)) * s["purchase_cost"]
                            + s["holding_cost"])
                floors += per_unit * s["min"]
                limit = s["max"] if s["max"] is not None else 6 * needed[a, s["good"]]
                full += per_unit * limit
            full += sum(p["spare_cost"] * p["spare_max"] for p in production
                        if p["country"] == a and p["spare_cost"] is not None)
            budget = round(floors + float(rng.uniform(0.1, 0.6)) * max(full - floors, 0.0), 2)
        rows.append({"country": a, "role": "ally", "budget": budget})
    rows += [{"country": s, "role": "supplier", "budget": None} for s in suppliers]
    return rows


def _sharing(rng, spec: SizeSpec, allies, goods) -> list[Row]:
    """Links between `link_pairs` ordered ally pairs: mostly one ``*`` row per pair with
    a per-good capacity, some overridden for one good; a few pairs share one good only.
    Activation lags of 0-2 periods (some blank)."""
    pairs = [(a, b) for a in allies for b in allies if a != b]
    chosen = rng.choice(len(pairs), size=min(spec.link_pairs, len(pairs)), replace=False)
    rows = []
    for index in sorted(chosen):
        a, b = pairs[index]
        lead = int(rng.integers(0, 3))
        capacity = None if rng.random() < 0.15 else int(rng.integers(20, 201))
        activation = None if rng.random() < 0.3 else int(rng.integers(0, 3))
        if rng.random() < 0.9:
            rows.append({"from": a, "to": b, "good": "*", "lead_periods": lead,
                         "unit_cost": round(float(rng.uniform(2, 10)), 2),
                         "capacity": capacity, "activation_lag": activation})
        if rng.random() < 0.3:
            g = goods[int(rng.integers(len(goods)))]
            rows.append({"from": a, "to": b, "good": g, "lead_periods": min(lead + 1, 2),
                         "unit_cost": round(float(rng.uniform(5, 20)), 2),
                         "capacity": int(rng.integers(10, 101)),
                         "activation_lag": activation})
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
