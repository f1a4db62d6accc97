"""Properties of the optimum over random small valid cases (model v2).

A seeded generator (`random_case`) writes cases with 2–4 allies, 1–2 suppliers, 1–3 goods,
2–4 periods and 2–4 scenarios (w0 always normal times), random demand, production (with
spare options and ramps), imports (some from allies, out of their own supply), recipes
without cycles (`*` rows and per-ally rows), stockpiles (with floors, limits, initial
stock, refill costs, loss rates, release limits and lags), sharing links with lead 0–2
and activation lags (some `*`), random disruptions, the odd budget (at least the v2
floor cost) and random capital_rate, periods_per_year and period_days. Every check
recomputes what it needs from the generator's own sheets, not from the product's
validated case, so that reading, validation, model and report are all under test.
"""

from __future__ import annotations

import copy
import math
import random
from collections import defaultdict

import pytest
from casebuilder import load, write_case

from optimizer.pipeline import Timings, solve_case

SEEDS = list(range(25))
MONOTONE_REL = 1e-7
MONOTONE_ABS = 1e-6
COST_REL = 1e-6


# --- the generator ---------------------------------------------------------------------------


def _money(rng: random.Random, low: float, high: float, zero_share: float = 0.15) -> float:
    return 0.0 if rng.random() < zero_share else round(rng.uniform(low, high), 2)


def random_case(seed: int) -> dict:
    """A random valid case as casebuilder sheets."""
    rng = random.Random(seed)
    allies = [f"A{i}" for i in range(1, rng.randint(2, 4) + 1)]
    suppliers = [f"S{i}" for i in range(1, rng.randint(1, 2) + 1)]
    goods = [f"g{i}" for i in range(1, rng.randint(1, 3) + 1)]
    periods = rng.randint(2, 4)
    scenario_count = rng.randint(2, 4)

    settings = {"periods": periods}
    if rng.random() < 0.3:
        settings["period_days"] = rng.choice([7, 14, 30.4, 45, 91])
    if rng.random() < 0.4:
        settings["periods_per_year"] = rng.choice(
            [periods, 1, 4, 12, 26, round(rng.uniform(0.5, 30), 2)])
    if rng.random() < 0.6:
        settings["capital_rate"] = _money(rng, 0.01, 0.3, 0.2)
    rate = settings.get("capital_rate", 0.05)

    goods_rows = [{"good": g, "unit": "t", "shortage_penalty": round(rng.uniform(20, 200), 2)}
                  for g in goods]

    demand_rows = []
    for a in allies:
        for g in goods:
            if rng.random() < 0.7:
                row = {"country": a, "good": g,
                       "demand": 0.0 if rng.random() < 0.1 else round(rng.uniform(1, 50), 2)}
                if rng.random() < 0.2:
                    row["shortage_penalty"] = round(rng.uniform(20, 300), 2)
                demand_rows.append(row)
    if not any(r["demand"] > 0 for r in demand_rows):
        demand_rows = [r for r in demand_rows
                       if (r["country"], r["good"]) != (allies[0], goods[0])]
        demand_rows.append({"country": allies[0], "good": goods[0], "demand": 10.0})

    production_rows = []
    for a in allies:
        for g in goods:
            if rng.random() < 0.4:
                row = {"country": a, "good": g, "capacity": _money(rng, 1, 40, 0.2),
                       "unit_cost": _money(rng, 0.5, 10)}
                if rng.random() < 0.5:
                    row.update(spare_cost=_money(rng, 0.5, 30, 0.1),
                               spare_max=_money(rng, 1, 20, 0.1),
                               ramp_periods=rng.randint(0, periods))
                production_rows.append(row)

    # Recipes without cycles: a good is made only from goods listed before it.
    recipe_rows = {}
    if len(goods) > 1 and rng.random() < 0.6:
        for j in range(1, len(goods)):
            if rng.random() < 0.3:
                continue
            made = goods[j]
            for source in rng.sample(goods[:j], rng.randint(1, j)):
                recipe_rows["*", made, source] = round(rng.uniform(0.2, 3), 2)
            if rng.random() < 0.6:
                makers = [r["country"] for r in production_rows if r["good"] == made]
                ally = rng.choice(makers or allies)
                recipe_rows[ally, made, rng.choice(goods[:j])] = round(rng.uniform(0.2, 3), 2)

    import_rows = []
    for origin in suppliers + allies:
        for d in allies:
            if origin == d:
                continue
            for g in goods:
                chance = 0.5 if origin in suppliers else 0.12
                if rng.random() < chance:
                    import_rows.append({"origin": origin, "destination": d, "good": g,
                                        "volume": _money(rng, 1, 40, 0.1),
                                        "unit_cost": _money(rng, 0.5, 8)})

    stock_rows = []
    for a in allies:
        for g in goods:
            if rng.random() < 0.5:
                minimum = 0.0 if rng.random() < 0.6 else round(rng.uniform(0, 20), 2)
                row = {"country": a, "good": g,
                       "initial": 0.0 if rng.random() < 0.5 else round(rng.uniform(0, 30), 2),
                       "min": minimum,
                       "purchase_cost": _money(rng, 0.5, 10),
                       "holding_cost": _money(rng, 0.1, 3)}
                if rng.random() < 0.5:
                    row["max"] = round(minimum + rng.uniform(0, 60), 2)
                if rng.random() < 0.4:
                    row["refill_cost"] = _money(rng, 0.5, 12)
                if rng.random() < 0.3:
                    row["loss_rate"] = round(rng.uniform(0, 0.3), 3)
                if rng.random() < 0.3:
                    row["max_draw"] = _money(rng, 1, 30, 0.1)
                if rng.random() < 0.3:
                    row["release_lag"] = rng.randint(0, periods)
                stock_rows.append(row)

    sharing_rows = []
    for a in allies:
        for b in allies:
            if a == b or rng.random() >= 0.35:
                continue
            chosen = ["*"] if rng.random() < 0.3 else rng.sample(goods, rng.randint(1, len(goods)))
            for g in chosen:
                row = {"from": a, "to": b, "good": g, "lead_periods": rng.randint(0, 2),
                       "unit_cost": _money(rng, 0.1, 3)}
                if rng.random() < 0.5:
                    row["capacity"] = _money(rng, 1, 30, 0.1)
                if rng.random() < 0.3:
                    row["activation_lag"] = rng.randint(0, periods)
                sharing_rows.append(row)

    weights = [rng.randint(1, 10) for _ in range(scenario_count)]
    total = sum(weights)
    probabilities = [w / total for w in weights]
    scenario_rows = [{"scenario": f"w{i}", "probability": p, "description": f"scenario {i}"}
                     for i, p in enumerate(probabilities)]

    disruption_rows = []
    for i in range(1, scenario_count):  # w0 stays normal times
        for _ in range(rng.randint(0, 3)):
            kind = rng.choice(["export_cut", "capacity_loss", "demand_surge"])
            start = rng.randint(1, periods)
            row = {"scenario": f"w{i}", "kind": kind,
                   "good": "*" if rng.random() < 0.3 else rng.choice(goods),
                   "start": start}
            if rng.random() < 0.7:
                row["end"] = rng.randint(start, periods)
            if kind == "export_cut":
                row["country"] = "*" if rng.random() < 0.2 else rng.choice(suppliers + allies)
                row["partner"] = "*" if rng.random() < 0.4 else rng.choice(allies)
                row["factor"] = 0.0 if rng.random() < 0.3 else round(rng.uniform(0, 1), 3)
            elif kind == "capacity_loss":
                row["country"] = "*" if rng.random() < 0.2 else rng.choice(allies)
                row["factor"] = 0.0 if rng.random() < 0.3 else round(rng.uniform(0, 1), 3)
            else:
                row["country"] = "*" if rng.random() < 0.2 else rng.choice(allies)
                row["factor"] = round(rng.uniform(0.5, 2.5), 3)
            disruption_rows.append(row)

    countries_rows = [{"country": a, "role": "ally"} for a in allies]
    countries_rows += [{"country": s, "role": "supplier"} for s in suppliers]
    for row in countries_rows[:len(allies)]:
        if rng.random() < 0.3:
            # At least the v2 floor: what holding the mandated floors costs a year; a
            # little above it, so that some budgets bind.
            floors = sum(((rate + s.get("loss_rate", 0.0)) * s["purchase_cost"]
                          + s["holding_cost"]) * s["min"]
                         for s in stock_rows if s["country"] == row["country"])
            row["budget"] = round(floors + rng.uniform(0.5, 40), 2)

    sheets = {
        "Settings": settings,
        "Countries": countries_rows,
        "Goods": goods_rows,
        "Demand": demand_rows,
        "Production": production_rows,
        "Recipes": [{"country": c, "good": g, "input": i, "ratio": ratio}
                    for (c, g, i), ratio in recipe_rows.items()],
        "Imports": import_rows,
        "Stockpiles": stock_rows,
        "Sharing": sharing_rows,
        "Scenarios": scenario_rows,
        "Disruptions": disruption_rows,
    }
    return {name: rows for name, rows in sheets.items() if rows}


# --- solving, with the unmodified case solved once per seed ----------------------------------


_BASE: dict[int, object] = {}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("properties")


def solve_sheets(directory, sheets, name):
    path = write_case(directory / f"{name}.xlsx", sheets)
    solved = solve_case(load(path), Timings())
    assert solved.outcome.status == "optimal", name
    assert solved.results is not None
    return solved


def base_solve(workdir, seed):
    if seed not in _BASE:
        _BASE[seed] = solve_sheets(workdir, random_case(seed), f"base{seed}")
    return _BASE[seed]


def assert_not_above(new, old, what):
    assert new <= old + MONOTONE_REL * abs(old) + MONOTONE_ABS, (
        f"{what}: optimum rose from {old!r} to {new!r}")


def assert_not_below(new, old, what):
    assert new >= old - MONOTONE_REL * abs(old) - MONOTONE_ABS, (
        f"{what}: optimum fell from {old!r} to {new!r}")


# --- independent reading of the sheets -------------------------------------------------------


def rows(sheets, name):
    return sheets.get(name, [])


def periods_of(sheets):
    return sheets["Settings"]["periods"]


def capital_rate(sheets):
    return sheets["Settings"].get("capital_rate", 0.05)


def horizon_weight(sheets):
    """k = periods_per_year / H; periods_per_year defaults to 365 / period_days rounded
    half up (period_days defaults to 30)."""
    settings = sheets["Settings"]
    per_year = settings.get("periods_per_year")
    if per_year is None:
        per_year = math.floor(365 / settings.get("period_days", 30) + 0.5)
    return per_year / periods_of(sheets)


def yearly_cost_per_unit(sheets, row):
    """(r + δ) · purchase_cost + holding_cost."""
    return ((capital_rate(sheets) + row.get("loss_rate", 0.0)) * row["purchase_cost"]
            + row["holding_cost"])


def refill_cost(row):
    value = row.get("refill_cost")
    return row["purchase_cost"] if value is None else value


def has_spare_option(row):
    return row.get("spare_cost") is not None and row.get("spare_max", 0.0) > 0


def onset(sheets, scenario):
    """The smallest start of the scenario's Disruptions rows; None in normal times."""
    starts = [r.get("start", 1) for r in rows(sheets, "Disruptions")
              if r["scenario"] == scenario]
    return min(starts) if starts else None


def acts(sheets, scenario, period, lag):
    """An emergency instrument with this lag may act in `period` of `scenario`."""
    start = onset(sheets, scenario)
    return start is not None and period >= start + (lag or 0)


def penalties(sheets):
    """Effective shortage penalty per (ally, good) with demand: the Demand override, else
    the good's."""
    good_penalty = {r["good"]: r["shortage_penalty"] for r in rows(sheets, "Goods")}
    return {(r["country"], r["good"]): r.get("shortage_penalty") or good_penalty[r["good"]]
            for r in rows(sheets, "Demand")}


def sharing_links(sheets):
    """(from, to, good) → row, `*` expanded; a row naming the good beats the `*` row."""
    goods = [r["good"] for r in rows(sheets, "Goods")]
    links = {}
    for r in rows(sheets, "Sharing"):
        if r["good"] == "*":
            for g in goods:
                links.setdefault((r["from"], r["to"], g), r)
    for r in rows(sheets, "Sharing"):
        if r["good"] != "*":
            links[r["from"], r["to"], r["good"]] = r
    return links


def recipes(sheets):
    """(ally, good made) → {input: ratio} for every Production entry: the good's `*`
    rows, each overridden by a row naming the ally for the same input, plus the ally's
    own rows for other inputs."""
    result = {}
    for p in rows(sheets, "Production"):
        ally, good = p["country"], p["good"]
        inputs = {r["input"]: r["ratio"] for r in rows(sheets, "Recipes")
                  if r["good"] == good and r["country"] == "*"}
        inputs.update({r["input"]: r["ratio"] for r in rows(sheets, "Recipes")
                       if r["good"] == good and r["country"] == ally})
        if inputs:
            result[ally, good] = inputs
    return result


def _hits(pattern, value):
    return pattern in ("*", value)


def factor(sheets, scenario, kind, period, country, good, partner=None):
    """Product of the scenario's Disruptions rows of `kind` that hit this flow in `period`
    (for export_cut `country` is the origin and `partner` the destination)."""
    result = 1.0
    for r in rows(sheets, "Disruptions"):
        if r["scenario"] != scenario or r["kind"] != kind:
            continue
        end = r.get("end") or periods_of(sheets)
        if not r["start"] <= period <= end:
            continue
        if not (_hits(r["country"], country) and _hits(r.get("good", "*"), good)):
            continue
        if kind == "export_cut" and not _hits(r.get("partner", "*"), partner):
            continue
        result *= r["factor"]
    return result


def quantity_scale(sheets):
    values = [1.0]
    surge = max([r["factor"] for r in rows(sheets, "Disruptions")
                 if r["kind"] == "demand_surge"] + [1.0])
    values += [r["demand"] * surge ** 3 for r in rows(sheets, "Demand")]
    values += [r["capacity"] + r.get("spare_max", 0.0) for r in rows(sheets, "Production")]
    values += [r["volume"] for r in rows(sheets, "Imports")]
    values += [r["initial"] + r["min"] + (r.get("max") or 0.0) for r in rows(sheets, "Stockpiles")]
    ratio = max([r["ratio"] for r in rows(sheets, "Recipes")] + [1.0])
    return max(values) * ratio ** 2


def route_imports(solved):
    """(scenario, (origin, destination, good, period), units) for every import route, from
    the solved plan's variable values (the supply plan sums them per destination)."""
    imported = solved.plan.stage_two["imported"]
    for row, scenario in enumerate(solved.plan.scenarios):
        for key, units in imported.by_index(row).items():
            yield scenario, key, units


def plan_by_key(solved):
    plan = solved.results.supply_plan
    return {(r["scenario"], r["country"], r["good"], int(r["period"])): r
            for r in plan.to_dict("records")}


# --- (i) free extra stock never raises the optimal cost --------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_initial_stock_does_not_change_the_cost(workdir, seed):
    """In v2 every unit held carries its yearly charge ((r + δ) · purchase_cost +
    holding_cost), initial stock included (it could be sold at its price), and the
    purchase is not charged: `initial` enters no row and no cost. Raising it on existing
    stockpile rows (or adding a stockpile row with initial stock where the case has
    none, whose yearly charge is 0) leaves the optimum where it was, or lower for the
    new free row; the report's bought and outlay follow the new initial."""
    sheets = random_case(seed)
    base = base_solve(workdir, seed)
    rng = random.Random(1000 + seed)
    changed = copy.deepcopy(sheets)
    stocks = changed.get("Stockpiles", [])
    if stocks:
        for row in rng.sample(stocks, rng.randint(1, len(stocks))):
            row["initial"] = round(row["initial"] + rng.uniform(1, 40), 2)
        solved = solve_sheets(workdir, changed, f"initial{seed}")
        assert_not_above(solved.results.objective, base.results.objective,
                         "more initial stock")
        assert_not_below(solved.results.objective, base.results.objective,
                         "more initial stock")
    else:
        _add_free_stock_row(changed, rng)
        solved = solve_sheets(workdir, changed, f"initial{seed}")
        assert_not_above(solved.results.objective, base.results.objective, "free stock")
    stock_rows = {(r["country"], r["good"]): r for r in rows(changed, "Stockpiles")}
    for r in solved.results.stockpiles.to_dict("records"):
        entry = stock_rows[r["country"], r["good"]]
        bought = max(0.0, r["level"] - entry["initial"])
        assert r["bought"] == pytest.approx(bought, rel=1e-9, abs=1e-9)
        assert r["purchase_outlay"] == pytest.approx(entry["purchase_cost"] * bought,
                                                     rel=1e-9, abs=1e-9)


def _add_free_stock_row(sheets, rng):
    held = {(r["country"], r["good"]) for r in rows(sheets, "Stockpiles")}
    allies = [r["country"] for r in sheets["Countries"] if r["role"] == "ally"]
    goods = [r["good"] for r in sheets["Goods"]]
    # Prefer a place with demand, so the new stock can be used.
    free = [(r["country"], r["good"]) for r in sheets["Demand"]
            if (r["country"], r["good"]) not in held and r["demand"] > 0]
    free = free or [(a, g) for a in allies for g in goods if (a, g) not in held]
    if not free:
        return False
    country, good = rng.choice(free)
    sheets.setdefault("Stockpiles", []).append(
        {"country": country, "good": good, "initial": round(rng.uniform(0, 30), 2),
         "min": 0, "purchase_cost": 0, "holding_cost": 0,
         "release_lag": rng.randint(0, periods_of(sheets))})
    return True


@pytest.mark.parametrize("seed", SEEDS)
def test_a_free_stockpile_row_never_raises_the_cost(workdir, seed):
    """A new stockpile row with purchase_cost 0 and holding_cost 0 (so no capital or
    loss charge, and refill_cost 0 by default) adds an option that costs nothing (x = 0
    repeats the old plan): the optimum cannot rise. Where every (ally, good) already
    has a row, an existing row's purchase, holding and refill costs are set to 0
    instead (the old plan stays feasible, budgets only relax)."""
    sheets = random_case(seed)
    base = base_solve(workdir, seed)
    rng = random.Random(2000 + seed)
    changed = copy.deepcopy(sheets)
    if not _add_free_stock_row(changed, rng):
        row = rng.choice(changed["Stockpiles"])
        row["purchase_cost"] = 0
        row["holding_cost"] = 0
        row["refill_cost"] = 0
    solved = solve_sheets(workdir, changed, f"freestock{seed}")
    assert_not_above(solved.results.objective, base.results.objective, "free stock")


# --- (ii) adding a sharing link never raises it ----------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_adding_a_sharing_link_never_raises_the_cost(workdir, seed):
    """A new link adds shipment variables s ≥ 0 and nothing else; s = 0 repeats the old
    plan. The link is new for its (from, to, good): no row of the pair names the good
    and there is no `*` row for the pair (which a named row would override). Where no
    such link is left, the comparison runs the other way round: the case without one of
    its named rows (or, failing one, a `*` row) must not be cheaper."""
    sheets = random_case(seed)
    base = base_solve(workdir, seed)
    rng = random.Random(3000 + seed)
    allies = [r["country"] for r in sheets["Countries"] if r["role"] == "ally"]
    goods = [r["good"] for r in sheets["Goods"]]
    taken = {(r["from"], r["to"], r["good"]) for r in rows(sheets, "Sharing")}
    free = [(a, b, g) for a in allies for b in allies for g in goods
            if a != b and (a, b, g) not in taken and (a, b, "*") not in taken]
    changed = copy.deepcopy(sheets)
    if free:
        a, b, g = rng.choice(free)
        link = {"from": a, "to": b, "good": g, "lead_periods": rng.randint(0, 2),
                "unit_cost": _money(rng, 0.1, 3),
                "activation_lag": rng.randint(0, periods_of(sheets))}
        if rng.random() < 0.5:
            link["capacity"] = round(rng.uniform(1, 30), 2)
        changed.setdefault("Sharing", []).append(link)
        solved = solve_sheets(workdir, changed, f"link{seed}")
        assert_not_above(solved.results.objective, base.results.objective, "new link")
    else:
        named = [r for r in changed["Sharing"] if r["good"] != "*"
                 and (r["from"], r["to"], "*") not in taken]
        # Without a named row that stands alone, a `*` row goes (several links at once).
        changed["Sharing"].remove(rng.choice(named or changed["Sharing"]))
        if not changed["Sharing"]:
            del changed["Sharing"]
        solved = solve_sheets(workdir, changed, f"link{seed}")
        assert_not_below(solved.results.objective, base.results.objective, "removed link")


# --- (iii) raising a penalty never lowers it -------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_raising_a_penalty_never_lowers_the_cost(workdir, seed):
    """Every feasible plan's cost is non-decreasing in each penalty (z ≥ 0), so the minimum
    over the same feasible set is too. Raises one good's penalty, or one Demand row's
    effective penalty (as an override), by a factor 1.2–3."""
    sheets = random_case(seed)
    base = base_solve(workdir, seed)
    rng = random.Random(4000 + seed)
    changed = copy.deepcopy(sheets)
    effective = penalties(changed)
    if rng.random() < 0.5:
        row = rng.choice(changed["Goods"])
        row["shortage_penalty"] = round(row["shortage_penalty"] * rng.uniform(1.2, 3), 2)
    else:
        row = rng.choice(changed["Demand"])
        key = (row["country"], row["good"])
        row["shortage_penalty"] = round(effective[key] * rng.uniform(1.2, 3), 2)
    solved = solve_sheets(workdir, changed, f"penalty{seed}")
    assert_not_below(solved.results.objective, base.results.objective, "higher penalty")


# --- (iv) the objective recomputed from the reported tables ----------------------------------


def recomputed_costs(sheets, solved):
    """(F, {scenario: {account: cost}}) from the report tables and the sheets' unit
    costs: F = Σ ((r + δ)·purchase_cost + holding_cost)·level + Σ spare_cost·reserved;
    C_ω by account, refills at refill_cost per unit drawn."""
    results = solved.results
    stock_cost = {(r["country"], r["good"]): r for r in rows(sheets, "Stockpiles")}
    first = 0.0
    for r in results.stockpiles.to_dict("records"):
        first += yearly_cost_per_unit(sheets, stock_cost[r["country"], r["good"]]) * r["level"]
    production = {(r["country"], r["good"]): r for r in rows(sheets, "Production")}
    for r in results.spare_capacity.to_dict("records"):
        spare_cost = production[r["country"], r["good"]].get("spare_cost") or 0.0
        first += spare_cost * r["reserved"]

    imports = {(r["origin"], r["destination"], r["good"]): r for r in rows(sheets, "Imports")}
    links = sharing_links(sheets)
    penalty = penalties(sheets)
    scenarios = [r["scenario"] for r in sheets["Scenarios"]]
    accounts = ("production_cost", "import_cost", "shipping_cost", "refill_cost",
                "shortage_cost")
    cost = {s: dict.fromkeys(accounts, 0.0) for s in scenarios}
    for r in results.supply_plan.to_dict("records"):
        key = (r["country"], r["good"])
        if key in production:
            cost[r["scenario"]]["production_cost"] += production[key]["unit_cost"] * r["produced"]
        if key in stock_cost:
            cost[r["scenario"]]["refill_cost"] += refill_cost(stock_cost[key]) * r["drawn"]
        if r["short"]:
            cost[r["scenario"]]["shortage_cost"] += penalty[key] * r["short"]
    for s, (o, d, g, _), units in route_imports(solved):
        cost[s]["import_cost"] += imports[o, d, g]["unit_cost"] * units
    for r in results.shipments.to_dict("records"):
        cost[r["scenario"]]["shipping_cost"] += (
            links[r["from"], r["to"], r["good"]]["unit_cost"] * r["units"])
    return first, cost


@pytest.mark.parametrize("seed", SEEDS)
def test_objective_is_stage_one_plus_expected_scenario_cost(workdir, seed):
    """objective = F + k · Σ_ω π_ω C_ω, k = periods_per_year / H, with F from the
    stockpile levels (capital, loss and holding charge on every unit held) and the
    reserved spare, and C_ω from production, imports, shipments, refills of drawn stock
    and shortfall, all priced from the sheets; the reported accounts agree."""
    sheets = random_case(seed)
    solved = base_solve(workdir, seed)
    first, accounts = recomputed_costs(sheets, solved)
    scenario_cost = {s: math.fsum(c.values()) for s, c in accounts.items()}
    probability = {r["scenario"]: r["probability"] for r in sheets["Scenarios"]}
    k = horizon_weight(sheets)
    expected = k * math.fsum(probability[s] * c for s, c in scenario_cost.items())
    results = solved.results
    scale = max(1.0, abs(results.objective))
    close = {"rel": COST_REL, "abs": COST_REL * scale}
    assert results.objective == pytest.approx(first + expected, **close)
    assert results.stage_one_cost == pytest.approx(first, **close)
    assert results.expected_scenario_cost == pytest.approx(expected, **close)
    reported = results.scenario_costs.set_index("scenario")
    for s, c in scenario_cost.items():
        assert reported.loc[s, "total_cost"] == pytest.approx(c, **close)
        for account, value in accounts[s].items():
            assert reported.loc[s, account] == pytest.approx(value, **close), (s, account)
        assert reported.loc[s, "probability"] == pytest.approx(probability[s], rel=1e-12)
    assert solved.outcome.objective == pytest.approx(results.objective, **close)
    stock_rows = {(r["country"], r["good"]): r for r in rows(sheets, "Stockpiles")}
    for r in results.stockpiles.to_dict("records"):
        entry = stock_rows[r["country"], r["good"]]
        capital = ((capital_rate(sheets) + entry.get("loss_rate", 0.0))
                   * entry["purchase_cost"] * r["level"])
        assert r["capital_cost"] == pytest.approx(capital, **close)
        assert r["holding_cost"] == pytest.approx(entry["holding_cost"] * r["level"], **close)
        assert r["yearly_cost"] == pytest.approx(
            yearly_cost_per_unit(sheets, entry) * r["level"], **close)


# --- (v) balances and stock in the reported plan ---------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_every_reported_balance_holds(workdir, seed):
    """For every scenario, ally, good and period in the plan:
    produced + imported + drawn + received + short = demand + sent + exported +
    used_in_processing, with demand D · m recomputed from the Demand and Disruptions
    sheets; every ally and good with demand is in the plan; `received`/`sent` agree with
    the shipments table (a shipment arrives lead_periods later, and not at all after
    the horizon); `imported`/`exported` with the routes' values (an ally origin ships
    out of its own balance); `used_in_processing` with the recipes (expanded from the
    sheet) times what the producer made."""
    sheets = random_case(seed)
    solved = base_solve(workdir, seed)
    tol = 1e-6 * quantity_scale(sheets)
    horizon = periods_of(sheets)
    plan = plan_by_key(solved)
    demand = {(r["country"], r["good"]): r["demand"] for r in rows(sheets, "Demand")}
    allies = {r["country"] for r in sheets["Countries"] if r["role"] == "ally"}
    scenarios = [r["scenario"] for r in sheets["Scenarios"]]
    for s in scenarios:
        for (n, g), d in demand.items():
            if d > 0:
                for t in range(1, horizon + 1):
                    assert (s, n, g, t) in plan, f"no plan row for {(s, n, g, t)}"
    links = sharing_links(sheets)
    received = defaultdict(float)
    sent = defaultdict(float)
    for r in solved.results.shipments.to_dict("records"):
        t = int(r["period_sent"])
        lead = links[r["from"], r["to"], r["good"]].get("lead_periods") or 0
        sent[r["scenario"], r["from"], r["good"], t] += r["units"]
        if t + lead <= horizon:
            received[r["scenario"], r["to"], r["good"], t + lead] += r["units"]
            assert r["period_arriving"] == t + lead
        else:
            assert r["period_arriving"] is None or math.isnan(r["period_arriving"])
    imported = defaultdict(float)
    exported = defaultdict(float)
    for s, (o, d, g, t), units in route_imports(solved):
        imported[s, d, g, t] += units
        if o in allies:
            exported[s, o, g, t] += units
    used = defaultdict(float)
    recipe = recipes(sheets)
    for (s, n, g, t), r in plan.items():
        for source, ratio in recipe.get((n, g), {}).items():
            used[s, n, source, t] += ratio * r["produced"]
            if r["produced"] > tol:
                assert (s, n, source, t) in plan, f"no plan row for the input {source}"
    for (s, n, g, t), r in plan.items():
        wanted = demand.get((n, g), 0.0) * factor(sheets, s, "demand_surge", t, n, g)
        assert r["demand"] == pytest.approx(wanted, rel=1e-9, abs=tol)
        supply = r["produced"] + r["imported"] + r["drawn"] + r["received"] + r["short"]
        uses = r["demand"] + r["sent"] + r["exported"] + r["used_in_processing"]
        assert supply == pytest.approx(uses, abs=tol), f"balance {(s, n, g, t)}"
        assert r["received"] == pytest.approx(received[s, n, g, t], abs=tol)
        assert r["sent"] == pytest.approx(sent[s, n, g, t], abs=tol)
        assert r["imported"] == pytest.approx(imported[s, n, g, t], abs=tol)
        assert r["exported"] == pytest.approx(exported[s, n, g, t], abs=tol)
        assert r["used_in_processing"] == pytest.approx(used[s, n, g, t], abs=tol), (
            f"inputs used {(s, n, g, t)}")


@pytest.mark.parametrize("seed", SEEDS)
def test_drawdown_never_exceeds_the_stock_level(workdir, seed):
    """Σ_t drawn ≤ x in every scenario, drawn ≤ max_draw in every period; min ≤ x ≤
    max; drawing only where a stockpile row exists."""
    sheets = random_case(seed)
    solved = base_solve(workdir, seed)
    tol = 1e-6 * quantity_scale(sheets)
    stock_rows = {(r["country"], r["good"]): r for r in rows(sheets, "Stockpiles")}
    levels = {(r["country"], r["good"]): r["level"]
              for r in solved.results.stockpiles.to_dict("records")}
    assert set(levels) == set(stock_rows)
    for key, level in levels.items():
        assert level >= stock_rows[key]["min"] - tol
        if stock_rows[key].get("max") is not None:
            assert level <= stock_rows[key]["max"] + tol
    drawn = defaultdict(float)
    for (s, n, g, t), r in plan_by_key(solved).items():
        assert r["drawn"] >= -tol
        if (n, g) not in stock_rows:
            assert r["drawn"] == pytest.approx(0.0, abs=tol)
        elif stock_rows[n, g].get("max_draw") is not None:
            assert r["drawn"] <= stock_rows[n, g]["max_draw"] + tol, (s, n, g, t)
        drawn[s, n, g] += r["drawn"]
    for (s, n, g), total in drawn.items():
        assert total <= levels.get((n, g), 0.0) + tol, f"drew {total} > stock in {(s, n, g)}"


@pytest.mark.parametrize("seed", SEEDS)
def test_emergency_instruments_act_only_from_the_onset(workdir, seed):
    """The onset t0_ω is the smallest start of ω's Disruptions rows (none: normal
    times). Stock is drawn only from t0 + release_lag, shipments leave only from
    t0 + activation_lag, reserved spare runs only from t0 + ramp_periods (before then
    production stays within b · capacity); in normal times none of them acts. Onsets
    and lags are read from the sheets."""
    sheets = random_case(seed)
    solved = base_solve(workdir, seed)
    tol = 1e-6 * quantity_scale(sheets)
    stock_rows = {(r["country"], r["good"]): r for r in rows(sheets, "Stockpiles")}
    production = {(r["country"], r["good"]): r for r in rows(sheets, "Production")}
    for (s, n, g, t), r in plan_by_key(solved).items():
        stock = stock_rows.get((n, g))
        if stock is None or not acts(sheets, s, t, stock.get("release_lag")):
            assert r["drawn"] == pytest.approx(0.0, abs=tol), f"draw {(s, n, g, t)}"
        entry = production.get((n, g))
        if entry is not None and not acts(sheets, s, t, entry.get("ramp_periods")):
            limit = factor(sheets, s, "capacity_loss", t, n, g) * entry["capacity"]
            assert r["produced"] <= limit + tol, f"spare used early {(s, n, g, t)}"
    links = sharing_links(sheets)
    for r in solved.results.shipments.to_dict("records"):
        lag = links[r["from"], r["to"], r["good"]].get("activation_lag")
        assert acts(sheets, r["scenario"], int(r["period_sent"]), lag), (
            f"shipment before the link opens: {r}")


@pytest.mark.parametrize("seed", SEEDS)
def test_flows_respect_their_limits(workdir, seed):
    """Imports ≤ a · volume (per route, from the plan's variable values), production ≤
    b · (capacity + y once t ≥ t0 + ramp_periods), shipments ≤ link capacity, spare ≤
    spare_max; factors and onsets recomputed from the Disruptions sheet."""
    sheets = random_case(seed)
    solved = base_solve(workdir, seed)
    tol = 1e-6 * quantity_scale(sheets)
    imports = {(r["origin"], r["destination"], r["good"]): r for r in rows(sheets, "Imports")}
    for s, (o, d, g, t), units in route_imports(solved):
        limit = factor(sheets, s, "export_cut", t, o, g, partner=d) * imports[o, d, g]["volume"]
        assert -tol <= units <= limit + tol, f"import {(s, o, d, g, t)}"
    production = {(r["country"], r["good"]): r for r in rows(sheets, "Production")}
    spare = {(r["country"], r["good"]): r["reserved"]
             for r in solved.results.spare_capacity.to_dict("records")}
    # Options at a producer that cannot reach any demand are left out of the model.
    assert set(spare) <= {k for k, r in production.items() if has_spare_option(r)}
    for key, y in spare.items():
        assert -tol <= y <= production[key]["spare_max"] + tol
    for (s, n, g, t), r in plan_by_key(solved).items():
        if (n, g) not in production:
            assert r["produced"] == pytest.approx(0.0, abs=tol)
            continue
        entry = production[n, g]
        running = acts(sheets, s, t, entry.get("ramp_periods"))
        extra = spare.get((n, g), 0.0) if running else 0.0
        limit = factor(sheets, s, "capacity_loss", t, n, g) * (entry["capacity"] + extra)
        assert -tol <= r["produced"] <= limit + tol, f"production {(s, n, g, t)}"
    links = sharing_links(sheets)
    for r in solved.results.shipments.to_dict("records"):
        capacity = links[r["from"], r["to"], r["good"]].get("capacity")
        assert r["units"] >= -tol
        if capacity is not None:
            assert r["units"] <= capacity + tol


# --- the fast path and the reference agree -----------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_both_formulations_find_the_same_optimum(workdir, seed):
    """The replicated fast path (one block compiled, patched per scenario) and the plain
    reference (every block built by Pyomo) solve the same LP: the same optimum to 1e-9,
    on random disruptions that hit imports, production and demand and move the onset.
    Their sizes are not compared: the template block keeps every instrument open, so
    the fast path may carry columns that a scenario fixes at 0."""
    base = base_solve(workdir, seed)
    path = write_case(workdir / f"plain{seed}.xlsx", random_case(seed))
    plain = solve_case(load(path), Timings(), formulation="plain")
    assert plain.outcome.status == "optimal"
    assert base.results.objective == pytest.approx(plain.results.objective, rel=1e-9,
                                                   abs=1e-9)
    assert base.outcome.objective == pytest.approx(plain.outcome.objective, rel=1e-9,
                                                   abs=1e-9)


# --- (vi) shortfall never exceeds demand -----------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_shortfall_never_exceeds_demand(workdir, seed):
    """0 ≤ z ≤ D · m everywhere, with D · m recomputed from the sheets; fill rates in
    [0, 1]."""
    sheets = random_case(seed)
    solved = base_solve(workdir, seed)
    tol = 1e-6 * quantity_scale(sheets)
    demand = {(r["country"], r["good"]): r["demand"] for r in rows(sheets, "Demand")}
    for (s, n, g, t), r in plan_by_key(solved).items():
        wanted = demand.get((n, g), 0.0) * factor(sheets, s, "demand_surge", t, n, g)
        assert -tol <= r["short"] <= wanted + tol, f"short {(s, n, g, t)}"
    fill = solved.results.fill_rates["fill_rate"]
    assert ((fill >= -1e-9) & (fill <= 1 + 1e-9)).all()


def test_the_generator_covers_the_features():
    """The seeds used above exercise every feature at least once (so the properties are
    not vacuous): sharing with each lead, `*` links, activation lags, budgets, spare
    options, floors, limits, initial stock, refill costs, loss rates, release limits and
    lags, each disruption kind, wildcards in disruptions, capital_rate, periods_per_year
    and period_days (k ≠ 1), ally-origin routes, recipes with `*` rows and per-ally
    rows, normal times beside emergencies."""
    seen = defaultdict(int)
    for seed in SEEDS:
        sheets = random_case(seed)
        allies = {r["country"] for r in sheets["Countries"] if r["role"] == "ally"}
        settings = sheets["Settings"]
        seen["capital_rate"] += "capital_rate" in settings
        seen["periods_per_year"] += "periods_per_year" in settings
        seen["period_days"] += "period_days" in settings
        seen["k != 1"] += abs(horizon_weight(sheets) - 1) > 1e-12
        for r in rows(sheets, "Sharing"):
            seen[f"lead {r['lead_periods']}"] += 1
            seen["star link"] += r["good"] == "*"
            seen["activation lag"] += r.get("activation_lag", 0) > 0
        seen["budget"] += any("budget" in r for r in sheets["Countries"])
        seen["spare"] += any("spare_cost" in r for r in rows(sheets, "Production"))
        for r in rows(sheets, "Stockpiles"):
            seen["floor"] += r["min"] > 0
            seen["limit"] += "max" in r
            seen["initial"] += r["initial"] > 0
            seen["refill_cost"] += "refill_cost" in r
            seen["loss_rate"] += r.get("loss_rate", 0) > 0
            seen["max_draw"] += "max_draw" in r
            seen["release lag"] += r.get("release_lag", 0) > 0
        seen["ally origin"] += sum(r["origin"] in allies for r in rows(sheets, "Imports"))
        seen["recipe *"] += sum(r["country"] == "*" for r in rows(sheets, "Recipes"))
        seen["recipe ally"] += sum(r["country"] != "*" for r in rows(sheets, "Recipes"))
        seen["recipe in use"] += len(recipes(sheets))
        for r in rows(sheets, "Disruptions"):
            seen[r["kind"]] += 1
            seen["star disruption"] += r["country"] == "*"
        onsets = [onset(sheets, r["scenario"]) for r in sheets["Scenarios"]]
        seen["normal and emergency"] += None in onsets and any(onsets)
        seen["late onset"] += any(t is not None and t > 1 for t in onsets)
    for feature in ["lead 0", "lead 1", "lead 2", "star link", "activation lag", "budget",
                    "spare", "floor", "limit", "initial", "refill_cost", "loss_rate",
                    "max_draw", "release lag", "export_cut", "capacity_loss", "demand_surge",
                    "star disruption", "capital_rate", "periods_per_year", "period_days",
                    "k != 1", "ally origin", "recipe *", "recipe ally", "recipe in use",
                    "normal and emergency", "late onset"]:
        assert seen[feature] > 0, f"no seed exercises {feature}"
