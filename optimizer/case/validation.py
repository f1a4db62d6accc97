"""Validation: raw workbook rows to a `Case`, reporting every problem at once.

Cell rules come from the schema (`optimizer.case.schema`); the rules that tie cells together
are the ``_check_*`` functions below, each named for its rule. Nothing here builds a
model: a case that leaves this module is solvable as given.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Iterable

from models.data import (
    Case,
    Country,
    Demand,
    Disruption,
    Good,
    ImportRoute,
    Production,
    Scenario,
    Settings,
    SharingLink,
    Stockpile,
    default_periods_per_year,
)
from models.floors import basis_per_period, days_floor
from models.index_sets import scenario_onsets
from optimizer.case.fairness_checks import check_fairness_settings, fairness_warnings
from optimizer.case.schema import (
    ANY,
    DAYS_PER_YEAR,
    MAX_PERIODS_PER_YEAR,
    REQUIRED,
    SETTINGS,
    SETTINGS_BY_KEY,
    SHEETS_BY_NAME,
    Column,
)
from optimizer.case.workbook_reader import RawRow, RawSheet, RawWorkbook
from optimizer.errors import InputError, Problem

PROBABILITY_TOLERANCE = 1e-6
EXCEL_ERRORS = frozenset({"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!",
                          "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"})
INVALID = object()

Node = tuple[str, str]
"""(ally, good)."""


class _Parsed:
    """A row that passed its cell checks: its Excel row and its values by column."""

    __slots__ = ("row", "values")

    def __init__(self, row: RawRow, values: dict[str, object]):
        self.row = row
        self.values = values

    def __getitem__(self, column: str) -> object:
        return self.values[column]


def validate(raw: RawWorkbook, name: str) -> tuple[Case, list[Problem]]:
    """Check every rule of the case format; return the case and its warnings.

    Raises `InputError` listing every problem found, in sheet and row order.
    """
    problems: list[Problem] = list(raw.problems)
    warnings = list(raw.warnings)
    sheets = raw.sheets

    settings, setting_values = _settings(sheets.get("settings"), problems)
    warnings += _unused_risk_settings(sheets.get("settings"), setting_values)
    check_fairness_settings(sheets.get("settings"), setting_values, problems)
    periods = settings.periods if settings else None

    countries_rows = _parse(sheets.get("countries"), {}, problems)
    countries = {r["country"]: Country(r["role"], r["budget"], r["purchase_budget"])
                 for r in countries_rows}
    goods_rows = _parse(sheets.get("goods"), {}, problems)
    goods = {r["good"]: Good(r["unit"], r["shortage_penalty"]) for r in goods_rows}
    scenario_rows = _parse(sheets.get("scenarios"), {}, problems)
    scenarios = {r["scenario"]: Scenario(r["probability"], r["description"])
                 for r in scenario_rows}
    refs = _known_ids(sheets)
    _check_budget_only_for_allies(sheets.get("countries"), countries_rows, problems)
    _check_probabilities_sum_to_one(sheets.get("scenarios"), scenario_rows, problems)

    demand_rows = _parse(sheets.get("demand"), refs, problems)
    _check_restraint_has_a_cost(sheets.get("demand"), demand_rows, problems)
    demand = {(r["country"], r["good"]): Demand(
        r["demand"], _penalty(r, goods), r["restraint_share"], r["restraint_cost"] or 0.0)
        for r in demand_rows}
    production_rows = _parse(sheets.get("production"), refs, problems)
    production = {
        (r["country"], r["good"]): Production(
            r["capacity"], r["unit_cost"], r["spare_cost"], r["spare_max"], r["ramp_periods"])
        for r in production_rows
    }
    recipe_rows = _parse(sheets.get("recipes"), refs, problems)
    _check_different(sheets.get("recipes"), recipe_rows, "good", "input", problems)
    recipe_rows = [r for r in recipe_rows if r["good"] != r["input"]]
    _check_recipes_have_no_cycle(sheets.get("recipes"), recipe_rows, problems)
    import_rows = _parse(sheets.get("imports"), refs, problems)
    _check_different(sheets.get("imports"), import_rows, "origin", "destination", problems)
    imports = {(r["origin"], r["destination"], r["good"]): ImportRoute(
        r["volume"], r["unit_cost"], r["extra_max"], r["extra_cost"]) for r in import_rows}
    stock_rows = _parse(sheets.get("stockpiles"), refs, problems)
    _resolve_day_floors(stock_rows, demand_rows, import_rows,
                        setting_values.get("period_days"))
    _check_max_at_least_min(sheets.get("stockpiles"), stock_rows, problems)
    stockpiles = {(r["country"], r["good"]): Stockpile(
        r["initial"], r["min"], r["max"], r["purchase_cost"], r["holding_cost"],
        refill_cost=(r["purchase_cost"] if r["refill_cost"] is None else r["refill_cost"]),
        loss_rate=r["loss_rate"], max_draw=r["max_draw"], release_lag=r["release_lag"],
        min_days=r["min_days"], min_days_basis=r["min_days_basis"])
        for r in stock_rows}
    sharing_rows = _parse(sheets.get("sharing"), refs, problems)
    _check_different(sheets.get("sharing"), sharing_rows, "from", "to", problems)
    sharing = _expand_sharing(sharing_rows, goods)
    tier_rows = _parse(sheets.get("shortagetiers"), refs, problems)
    tiers = _shortage_tiers(sheets, tier_rows, demand_rows, goods_rows, problems)
    disruption_rows = _parse(sheets.get("disruptions"), refs, problems)
    disruptions = _disruptions(sheets.get("disruptions"), disruption_rows, periods, refs,
                               problems)
    _check_budgets_cover_floors(sheets, countries_rows, stock_rows, stockpiles,
                                setting_values, problems)

    if problems or settings is None:
        raise InputError(sorted(problems, key=_reading_order), warnings)
    recipes, recipe_sources = expand_recipes(
        [(r["country"], r["good"], r["input"], r["ratio"]) for r in recipe_rows], production)
    case = Case(name, settings, countries, goods, demand, production, imports, stockpiles,
                sharing, scenarios, disruptions, recipes, tiers)
    obtainable = obtainable_nodes(case)
    found: list[Problem] = []
    found += _recipes_without_effect(sheets.get("recipes"), recipe_rows, recipe_sources,
                                     case)
    found += _unobtainable_inputs(sheets.get("recipes"), recipe_rows, recipe_sources,
                                  obtainable)
    found += _empty_export_routes(sheets.get("imports"), import_rows, case, obtainable)
    found += _unsupplied_demand(sheets.get("demand"), demand_rows, obtainable)
    found += _idle_links(sheets.get("sharing"), sharing_rows, case)
    found += _lags_past_the_horizon(sheets, production_rows, stock_rows, sharing_rows, case)
    found += fairness_warnings(sheets, stock_rows, case)
    found += _tiers_without_effect(sheets.get("shortagetiers"), tier_rows, case)
    found += _day_floors_without_basis(sheets.get("stockpiles"), stock_rows)
    return case, warnings + sorted(found, key=_reading_order)


def _penalty(row: _Parsed, goods: dict[str, Good]) -> float | None:
    """The Demand row's own penalty, else its good's (None if the good's row is bad,
    which is reported there)."""
    if row["shortage_penalty"] is not None:
        return row["shortage_penalty"]
    good = goods.get(row["good"])
    return good.shortage_penalty if good else None


def _known_ids(sheets: dict[str, RawSheet]) -> dict[str, set[str] | None]:
    """The ids other sheets may refer to: every row whose id cell is valid counts, even
    if another of its cells is not (that cell is reported once, not at every
    reference). None for a sheet that could not be read: its references go unchecked."""

    def ids(name: str, column: str, keep=lambda row: True) -> set[str] | None:
        sheet = sheets.get(name)
        if sheet is None:
            return None
        schema_column = sheet.schema.column(column)
        found = set()
        for row in sheet.rows:
            value, message = parse_cell(row.values.get(column), schema_column)
            if message is None and value != ANY and keep(row):
                found.add(value)
        return found

    role = SHEETS_BY_NAME["countries"].column("role")

    def may_be_ally(row: RawRow) -> bool:
        value, message = parse_cell(row.values.get("role"), role)
        return message is not None or value == "ally"

    return {
        "country": ids("countries", "country"),
        "ally": ids("countries", "country", may_be_ally),
        "good": ids("goods", "good"),
        "scenario": ids("scenarios", "scenario"),
    }


def _reading_order(problem: Problem) -> tuple:
    order = list(SHEETS_BY_NAME)
    sheet = problem.sheet.lower()
    index = order.index(sheet) if sheet in order else len(order)
    digits = "".join(ch for ch in problem.cell.split(":")[0] if ch.isdigit())
    return index, int(digits) if digits else 0, problem.cell


# --- cells -------------------------------------------------------------------------------


def parse_cell(value: object, column: Column) -> tuple[object, str | None]:
    """Parse one cell by its column's rule: (value, None) or (INVALID, message)."""
    if value is None:
        if column.required:
            return INVALID, f"{column.name} is required"
        return column.default, None
    if isinstance(value, str) and value.upper() in EXCEL_ERRORS:
        return INVALID, (f"{column.name} holds the Excel error {value}: fix the formula "
                         f"behind it or type the value")
    if column.kind in ("id", "text"):
        text = _as_text(value)
        if text is None:
            return INVALID, f"{column.name} must be {column.rule()}, got {value!r}"
        return text, None
    if column.kind == "choice":
        text = _as_text(value)
        if text is None or text.lower() not in column.choices:
            return INVALID, f"{column.name} must be {column.rule()}, got {value!r}"
        return text.lower(), None
    number = _as_number(value)
    ok = number is not None and (column.kind != "integer" or float(number).is_integer())
    if ok and column.minimum is not None:
        ok = number > column.minimum if column.strict_minimum else number >= column.minimum
    if ok and column.maximum is not None:
        ok = number < column.maximum if column.strict_maximum else number <= column.maximum
    if not ok:
        return INVALID, f"{column.name} must be {column.rule()}, got {value!r}"
    return (int(number) if column.kind == "integer" else float(number)), None


def _as_text(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None


def _as_number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value):
        return None
    return value


def _parse(sheet: RawSheet | None, refs: dict[str, set[str] | None],
           problems: list[Problem]) -> list[_Parsed]:
    """Parse every row of `sheet`: cell rules, references, duplicate keys. Rows with a
    problem are reported and left out."""
    if sheet is None:
        return []
    parsed: list[_Parsed] = []
    first_row_of_key: dict[tuple, int] = {}
    for row in sheet.rows:
        values: dict[str, object] = {}
        ok = True
        for column in sheet.schema.columns:
            value, message = parse_cell(row.values.get(column.name), column)
            if message is None and column.kind == "id":
                message = (_reference_problem(value, column, refs) if column.refers_to
                           else _new_id_problem(value, column))
            if message is not None:
                problems.append(Problem(sheet.title, sheet.cell(column.name, row.number),
                                        message))
                ok = False
            values[column.name] = value
        if not ok:
            continue
        if sheet.schema.key:
            key = tuple(values[c] for c in sheet.schema.key)
            if key in first_row_of_key:
                problems.append(Problem(
                    sheet.title, sheet.cell(sheet.schema.key[0], row.number),
                    f"duplicate row: same {', '.join(sheet.schema.key)} as row "
                    f"{first_row_of_key[key]}"))
                continue
            first_row_of_key[key] = row.number
        parsed.append(_Parsed(row, values))
    return parsed


def _new_id_problem(value: object, column: Column) -> str | None:
    if value == ANY:
        return f"'{ANY}' means every {column.name} and cannot be an id; choose another"
    return None


def _reference_problem(value: object, column: Column,
                       refs: dict[str, set[str] | None]) -> str | None:
    if column.wildcard and value == ANY:
        return None
    known = refs.get(column.refers_to or "")
    if known is None or value in known:
        return None
    if column.refers_to == "ally" and value in (refs.get("country") or set()):
        return f"{column.name} '{value}' is a supplier; it must be {column.rule()}"
    return f"{column.name} '{value}' is unknown; it must be {column.rule()}"


# --- Settings ----------------------------------------------------------------------------


def _settings(sheet: RawSheet | None,
              problems: list[Problem]) -> tuple[Settings | None, dict[str, object]]:
    """Settings rows to `Settings` (None if one is bad) and the values that parsed; an
    unknown key is an error naming the known ones. periods_per_year is resolved: blank,
    it is 365 / period_days rounded to the nearest whole number (halves up)."""
    if sheet is None:
        return None, {}
    values: dict[str, object] = {}
    rows_of_key: dict[str, int] = {}
    key_column = sheet.schema.column("key")
    for row in sheet.rows:
        key, message = parse_cell(row.values.get("key"), key_column)
        if message:
            problems.append(Problem(sheet.title, sheet.cell("key", row.number), message))
            continue
        key = str(key).strip().lower()
        where = sheet.cell("value", row.number)
        if key not in SETTINGS_BY_KEY:
            known = ", ".join(s.key for s in SETTINGS)
            problems.append(Problem(sheet.title, sheet.cell("key", row.number),
                                    f"unknown setting '{key}'; known settings: {known}"))
            continue
        if key in rows_of_key:
            problems.append(Problem(sheet.title, sheet.cell("key", row.number),
                                    f"duplicate setting '{key}': also in row "
                                    f"{rows_of_key[key]}"))
            continue
        rows_of_key[key] = row.number
        value, message = parse_cell(row.values.get("value"),
                                    SETTINGS_BY_KEY[key].as_column())
        if message:
            problems.append(Problem(sheet.title, where, message))
            continue
        values[key] = value
    for setting in SETTINGS:
        if setting.key not in values and setting.key not in rows_of_key:
            if setting.default is REQUIRED:
                problems.append(Problem(sheet.title, "", f"setting '{setting.key}' is "
                                        f"required: add a row with key '{setting.key}'"))
            else:
                values[setting.key] = setting.default
    if values.get("periods_per_year", 0) is None and "period_days" in values:
        where = (sheet.cell("value", rows_of_key["period_days"])
                 if "period_days" in rows_of_key else "")
        resolved = _default_periods_per_year(values["period_days"])
        if isinstance(resolved, str):
            problems.append(Problem(sheet.title, where, resolved))
            del values["periods_per_year"]
        else:
            values["periods_per_year"] = resolved
    if any(s.key not in values for s in SETTINGS) or values["periods_per_year"] is None:
        return None, values
    return Settings(**values), values


RISK_SETTINGS = {"cvar_alpha": ("cvar",), "risk_weight": ("cvar",)}
"""Settings keys that only some objectives read."""


def _unused_risk_settings(sheet: RawSheet | None, values: dict[str, object]) -> list[Problem]:
    """A warning for each risk setting given a value other than its default that the
    chosen objective ignores (cvar_alpha or risk_weight with objective expected or
    worst_case): a planner may keep them while trying objectives, so it is not an error,
    and the template's default rows say nothing."""
    objective = values.get("objective")
    if sheet is None or objective is None:
        return []
    found = []
    for row in sheet.rows:
        key = row.values.get("key")
        key = key.strip().lower() if isinstance(key, str) else key
        if (key in RISK_SETTINGS and objective not in RISK_SETTINGS[key]
                and values.get(key, SETTINGS_BY_KEY[key].default)
                != SETTINGS_BY_KEY[key].default):
            found.append(Problem(sheet.title, sheet.cell("value", row.number),
                                 f"{key} has no effect with objective '{objective}' (it is "
                                 f"read with objective {' or '.join(RISK_SETTINGS[key])})",
                                 is_error=False))
    return found


def _default_periods_per_year(period_days: float) -> float | str:
    """365 / period_days rounded (halves up), or why it cannot be the default."""
    ratio = DAYS_PER_YEAR / period_days
    fix = ("set periods_per_year (a Settings row with key 'periods_per_year') to the "
           "number of periods in a year")
    if not ratio < MAX_PERIODS_PER_YEAR + 1:
        return (f"period_days {period_days:g} would make the default periods_per_year "
                f"(365 / period_days) above {MAX_PERIODS_PER_YEAR}: {fix}")
    resolved = default_periods_per_year(period_days)
    if resolved == 0:
        return (f"period_days {period_days:g} is longer than two years, so the default "
                f"periods_per_year (365 / period_days, rounded) would be 0: {fix}")
    if resolved > MAX_PERIODS_PER_YEAR:
        return (f"period_days {period_days:g} would make the default periods_per_year "
                f"(365 / period_days) {resolved}, above {MAX_PERIODS_PER_YEAR}: {fix}")
    return float(resolved)


# --- rules across cells ------------------------------------------------------------------


def _check_probabilities_sum_to_one(sheet: RawSheet | None, rows: list[_Parsed],
                                    problems: list[Problem]) -> None:
    """Scenario probabilities sum to 1 (±1e-6), over rows that parsed."""
    if sheet is None:
        return
    if not sheet.rows:
        problems.append(Problem(sheet.title, "A2", "at least one scenario is required"))
        return
    if len(rows) != len(sheet.rows):
        return  # a bad probability cell is reported already; the sum would mislead
    total = math.fsum(r["probability"] for r in rows)
    if abs(total - 1.0) > PROBABILITY_TOLERANCE:
        first, last = sheet.rows[0].number, sheet.rows[-1].number
        letter = sheet.column_letters["probability"]
        problems.append(Problem(sheet.title, f"{letter}{first}:{letter}{last}",
                                f"probabilities must sum to 1 (±1e-6), got {total:.10g}"))


def _check_budget_only_for_allies(sheet: RawSheet | None, rows: list[_Parsed],
                                  problems: list[Problem]) -> None:
    for r in rows:
        for column in ("budget", "purchase_budget"):
            if r["role"] == "supplier" and r[column] is not None:
                problems.append(Problem(sheet.title, sheet.cell(column, r.row.number),
                                        f"{column} applies to allies only; leave it blank "
                                        "for a supplier"))


def _check_different(sheet: RawSheet | None, rows: list[_Parsed], first: str, second: str,
                     problems: list[Problem]) -> None:
    """`first` and `second` name different countries (no route or link to itself)."""
    for r in rows:
        if r[first] == r[second]:
            problems.append(Problem(sheet.title, sheet.cell(second, r.row.number),
                                    f"{second} must differ from {first}, both are "
                                    f"'{r[first]}'"))


def _check_restraint_has_a_cost(sheet: RawSheet | None, rows: list[_Parsed],
                                problems: list[Problem]) -> None:
    """A Demand row with a restraint_share above 0 names its restraint_cost."""
    for r in rows:
        if r["restraint_share"] > 0 and r["restraint_cost"] is None:
            problems.append(Problem(sheet.title, sheet.cell("restraint_cost", r.row.number),
                                    f"restraint_cost is required with a restraint_share "
                                    f"above 0 (here {r['restraint_share']:g})"))


FLOOR_FROM_DAYS = "floor_from_days"
"""Key of a Stockpiles row's parsed values: the days-of-cover floor in words, when it
is the row's effective floor (set by `_resolve_day_floors`)."""


DAY_BASIS = "day_basis"
"""Key of a Stockpiles row's parsed values: the basis per period of its min_days."""


def _floor_cell(sheet: RawSheet, row: _Parsed) -> str:
    """The cell that sets the row's effective floor: min_days when the days ask for more
    than min, else min."""
    return sheet.cell("min_days" if FLOOR_FROM_DAYS in row.values else "min", row.row.number)


def _resolve_day_floors(stocks: list[_Parsed], demand: list[_Parsed],
                        imports: list[_Parsed], period_days: object) -> None:
    """Each Stockpiles row's min becomes its effective floor, max(min, min_days /
    period_days · basis) (`models.floors`), over the Demand and Imports rows that parsed.
    Unresolved while period_days is bad (reported there)."""
    if not isinstance(period_days, float):
        return
    demands = {(r["country"], r["good"]): r["demand"] for r in demand}
    volumes = {(r["origin"], r["destination"], r["good"]): r["volume"] for r in imports}
    for r in stocks:
        if r["min_days"] <= 0:
            continue
        basis = basis_per_period(r["min_days_basis"], (r["country"], r["good"]), demands,
                                 volumes)
        r.values[DAY_BASIS] = basis
        floor = days_floor(r["min_days"], period_days, basis)
        if floor > r["min"]:
            r.values["min"] = floor
            r.values[FLOOR_FROM_DAYS] = (
                f"{r['min_days']:g} days of {r['min_days_basis'].replace('_', ' ')} "
                f"({basis:g} a period; period_days {period_days:g})")


def _check_max_at_least_min(sheet: RawSheet | None, rows: list[_Parsed],
                            problems: list[Problem]) -> None:
    """max ≥ the effective floor: min, or the days-of-cover floor (naming its cell)."""
    for r in rows:
        if r["max"] is None or r["max"] >= r["min"]:
            continue
        if FLOOR_FROM_DAYS in r.values:
            message = (f"max must be ≥ the days-of-cover floor {r['min']:g} set by "
                       f"{sheet.title}!{_floor_cell(sheet, r)} "
                       f"({r.values[FLOOR_FROM_DAYS]}), got {r['max']:g}")
        else:
            message = f"max must be ≥ min ({r['min']:g}), got {r['max']:g}"
        problems.append(Problem(sheet.title, sheet.cell("max", r.row.number), message))


def _check_budgets_cover_floors(sheets: dict[str, RawSheet], countries: list[_Parsed],
                                stocks: list[_Parsed], stockpiles: dict[Node, Stockpile],
                                setting_values: dict[str, object],
                                problems: list[Problem]) -> None:
    """Every budget must pay for the mandated stock floors it covers, or the plan would be
    infeasible: a yearly budget (Countries budget: the ally's floors; Settings
    alliance_budget: every floor) their yearly cost Σ ((capital_rate + loss_rate) ·
    purchase_cost + holding_cost) · min; a purchase budget (Countries purchase_budget,
    Settings alliance_purchase_budget) buying them, Σ purchase_cost · max(0, min −
    initial). min is the effective floor (days of cover included). The problem sits at
    the budget's cell and names the floors' cells (min_days where the days set the
    floor). Unchecked while capital_rate is bad (reported there)."""
    rate = setting_values.get("capital_rate")
    if not isinstance(rate, float):
        return

    def yearly(entry: Stockpile) -> float:
        return entry.yearly_cost_per_unit(rate) * entry.min

    def purchase(entry: Stockpile) -> float:
        return entry.floor_purchase

    costs = {"budget": yearly, "alliance_budget": yearly, "purchase_budget": purchase,
             "alliance_purchase_budget": purchase}
    budgets = []  # (sheet, cell, name, limit, the Stockpiles rows it covers)
    for country in countries:
        for column in ("budget", "purchase_budget"):
            if country[column] is not None:
                budgets.append((sheets["countries"], sheets["countries"].cell(
                    column, country.row.number), column, country[column],
                    [s for s in stocks if s["country"] == country["country"]]))
    for key in ("alliance_budget", "alliance_purchase_budget"):
        if setting_values.get(key) is not None:
            budgets.append((sheets["settings"], _setting_cell(sheets["settings"], key), key,
                            setting_values[key], stocks))
    for sheet, cell, name, limit, rows in budgets:
        cost = costs[name]
        floors = [s for s in rows if s["min"] > 0]
        total = math.fsum(cost(stockpiles[s["country"], s["good"]]) for s in floors)
        if total > limit * (1 + 1e-9):
            stock_sheet = sheets["stockpiles"]
            cells = ", ".join(f"{stock_sheet.title}!{_floor_cell(stock_sheet, s)}"
                              for s in floors if cost(stockpiles[s["country"], s["good"]]))
            what = (f"holding them costs {total:,.10g} a year (((capital_rate + loss_rate) "
                    "× purchase_cost + holding_cost) × min)" if cost is yearly else
                    f"buying them costs {total:,.10g} (purchase_cost × (min − initial))")
            problems.append(Problem(sheet.title, cell, f"{name} {limit:,.10g} cannot pay for "
                                    f"the mandated stock floors ({cells}): {what}"))


def _setting_cell(sheet: RawSheet, key: str) -> str:
    """The value cell of the Settings row of `key` (it exists: its value parsed)."""
    column = sheet.schema.column("key")
    for row in sheet.rows:
        name, message = parse_cell(row.values.get("key"), column)
        if message is None and str(name).strip().lower() == key:
            return sheet.cell("value", row.number)
    return ""


def _unsupplied_demand(sheet: RawSheet | None, rows: list[_Parsed],
                       obtainable: set[Node]) -> list[Problem]:
    """Warn of demand that nothing can meet: no production (with its recipe's inputs),
    import, stockpile or sharing link can bring the good to the ally, so all of it will
    be short."""
    return [Problem(sheet.title, sheet.cell("good", r.row.number),
                    f"{r['country']} needs {r['good']} but no production, import route, "
                    f"stockpile or sharing link can supply it: all of it will be short",
                    is_error=False)
            for r in rows if r["demand"] > 0 and (r["country"], r["good"]) not in obtainable]


def _idle_links(sheet: RawSheet | None, rows: list[_Parsed], case: Case) -> list[Problem]:
    """Warn of a Sharing row naming a good that neither of its allies holds (no demand,
    production, import, export, stockpile or recipe use of it at either end)."""
    held = (set(case.demand) | set(case.production) | set(case.stockpiles)
            | {(d, g) for _, d, g in case.imports} | {(o, g) for o, _, g in case.imports}
            | {(n, i) for (n, _), inputs in case.recipes.items() for i in inputs})
    return [Problem(sheet.title, sheet.cell("good", r.row.number),
                    f"neither {r['from']} nor {r['to']} holds {r['good']}: this link can "
                    "carry only what others pass through it", is_error=False)
            for r in rows if r["good"] != ANY
            and (r["from"], r["good"]) not in held and (r["to"], r["good"]) not in held]


def _expand_sharing(rows: list[_Parsed], goods: dict) -> dict[tuple[str, str, str],
                                                              SharingLink]:
    """Sharing rows to links per good: ``*`` means every good, and a row that names the
    good overrides the ``*`` row of the same pair."""
    links: dict[tuple[str, str, str], SharingLink] = {}
    named = {(r["from"], r["to"], r["good"]) for r in rows if r["good"] != ANY}
    for r in rows:
        link = SharingLink(r["lead_periods"], r["unit_cost"], r["capacity"],
                           r["activation_lag"])
        targets: Iterable[str] = goods if r["good"] == ANY else (r["good"],)
        for good in targets:
            key = (r["from"], r["to"], good)
            if r["good"] == ANY and key in named:
                continue
            links[key] = link
    return links


def _shortage_tiers(sheets: dict[str, RawSheet], rows: list[_Parsed],
                    demand: list[_Parsed], goods: list[_Parsed],
                    problems: list[Problem]) -> dict[Node, tuple[tuple[float, float], ...]]:
    """ShortageTiers rows to `Case.tiers`, with their rules: within a good and country
    (an ally or '*'), in row order, penalties non-decreasing and shares summing to at
    most 1; the base penalty (the Demand row's, else the good's) of every ally the tiers
    apply to at least every tier's penalty (named with its cell). The rows naming an ally
    replace the good's '*' rows for it; allies without demand for the good are left
    out (their tiers price nothing)."""
    sheet = sheets.get("shortagetiers")
    if sheet is None:
        return {}
    groups: dict[tuple[str, str], list[_Parsed]] = defaultdict(list)
    for r in rows:
        groups[r["good"], r["country"]].append(r)
    for (good, country), members in groups.items():
        for previous, r in zip(members, members[1:], strict=False):
            if r["penalty"] < previous["penalty"]:
                problems.append(Problem(sheet.title, sheet.cell("penalty", r.row.number), (
                    f"penalty must be ≥ the previous tier's of {good} for {country} "
                    f"({previous['penalty']:g}, row {previous.row.number}): tiers are "
                    "listed from the cheapest up")))
        total = math.fsum(r["share"] for r in members)
        if total > 1 + 1e-9:
            numbers = ", ".join(str(r.row.number) for r in members)
            problems.append(Problem(sheet.title, sheet.cell("share", members[-1].row.number),
                                    f"the shares of the tiers of {good} for {country} (rows "
                                    f"{numbers}) sum to {total:g}: at most 1"))
    goods_by_name = {r["good"]: r for r in goods}
    reported: set[int] = set()
    tiers: dict[Node, tuple[tuple[float, float], ...]] = {}
    for d in demand:
        ally, good = d["country"], d["good"]
        members = groups.get((good, ally)) or groups.get((good, ANY))
        if not members or d["demand"] <= 0:
            continue
        if d["shortage_penalty"] is not None:
            base, where = d["shortage_penalty"], (sheets["demand"], d, "Demand")
        elif good in goods_by_name:
            base, where = goods_by_name[good]["shortage_penalty"], (
                sheets["goods"], goods_by_name[good], "Goods")
        else:
            continue  # the good's row is bad, reported there
        base_sheet, base_row, _ = where
        for r in members:
            if r["penalty"] > base and r.row.number not in reported:
                reported.add(r.row.number)
                problems.append(Problem(sheet.title, sheet.cell("penalty", r.row.number), (
                    f"penalty {r['penalty']:g} is above the shortage penalty {base:g} of "
                    f"{ally} for {good} ({base_sheet.title}!"
                    f"{base_sheet.cell('shortage_penalty', base_row.row.number)}), which "
                    "prices the demand beyond the tiers and must be at least every "
                    "tier's")))
        tiers[ally, good] = tuple((r["share"], r["penalty"]) for r in members)
    return tiers


def _disruptions(sheet: RawSheet | None, rows: list[_Parsed], periods: int | None,
                 refs: dict[str, set[str]], problems: list[Problem]) -> list[Disruption]:
    """Disruption rows with their period and factor rules:
    1 ≤ start ≤ end ≤ periods; factor ≤ 1 for export_cut and capacity_loss;
    partner only for export_cut; capacity_loss and demand_surge hit an ally."""
    result = []
    for r in rows:
        where = r.row.number

        def bad(column: str, message: str, where=where) -> None:
            problems.append(Problem(sheet.title, sheet.cell(column, where), message))

        end = r["end"] if r["end"] is not None else periods
        ok = True
        if periods is not None and r["start"] > periods:
            bad("start", f"start must be ≤ periods ({periods}), got {r['start']}")
            ok = False
        elif periods is not None and end > periods:
            bad("end", f"end must be ≤ periods ({periods}), got {end}")
            ok = False
        elif end is not None and end < r["start"]:
            bad("end", f"end must be ≥ start ({r['start']}), got {end}")
            ok = False
        if r["kind"] in ("export_cut", "capacity_loss") and r["factor"] > 1:
            bad("factor", f"factor of a {r['kind']} is the fraction that remains, in "
                          f"[0, 1]; got {r['factor']:g}")
            ok = False
        if r["kind"] != "export_cut" and r["partner"] != ANY:
            bad("partner", f"partner applies to export_cut only; leave it blank or '*' "
                           f"for {r['kind']}")
            ok = False
        if (r["kind"] != "export_cut" and r["country"] != ANY
                and refs["ally"] is not None and r["country"] not in refs["ally"]):
            bad("country", f"country of a {r['kind']} must be an ally or '*', got "
                           f"'{r['country']}' (a supplier)")
            ok = False
        if ok and end is not None:
            result.append(Disruption(r["scenario"], r["kind"], r["country"], r["partner"],
                                     r["good"], r["start"], end, r["factor"]))
    return result


# --- recipes -----------------------------------------------------------------------------


def expand_recipes(rows: list[tuple[str, str, str, float]], producers: Iterable[Node]
                   ) -> tuple[dict[Node, dict[str, float]], dict[tuple[str, str, str], int]]:
    """Recipes rows (country or '*', good, input, ratio) to `Case.recipes`: for every
    producer (ally, good), the '*' rows of the good, each overridden by the row naming
    the ally for the same input, plus the ally's own rows for other inputs. Producers
    without a row are left out, and so are rows for allies that do not produce the good.

    Also returns, for every (ally, good, input) of the result, the index in `rows` of the
    row it comes from."""
    every: dict[str, list[int]] = defaultdict(list)
    own: dict[Node, list[int]] = defaultdict(list)
    for index, (country, good, _, _) in enumerate(rows):
        if country == ANY:
            every[good].append(index)
        else:
            own[country, good].append(index)
    recipes: dict[Node, dict[str, float]] = {}
    sources: dict[tuple[str, str, str], int] = {}
    for ally, good in producers:
        inputs: dict[str, float] = {}
        for index in every.get(good, []) + own.get((ally, good), []):
            _, _, source, ratio = rows[index]
            inputs[source] = ratio
            sources[ally, good, source] = index
        if inputs:
            recipes[ally, good] = inputs
    return recipes, sources


def _check_recipes_have_no_cycle(sheet: RawSheet | None, rows: list[_Parsed],
                                 problems: list[Problem]) -> None:
    """The goods' recipe graph (good → input, over every row whatever its country) has no
    cycle: a good cannot be made, directly or through other goods, from itself. One
    problem per strongly connected group of goods, at the input cell of its first row,
    naming one cycle through that row and the rows that form it."""
    edges: dict[tuple[str, str], list[int]] = defaultdict(list)
    graph: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        edge = (r["good"], r["input"])
        if edge not in edges:
            graph[r["good"]].append(r["input"])
        edges[edge].append(r.row.number)
    component = _strong_components(graph)
    reported: set[int] = set()
    for r in rows:
        good, source = r["good"], r["input"]
        group = component.get(good)
        if group is None or group != component.get(source) or group in reported:
            continue
        reported.add(group)
        path = _shortest_path(graph, source, good, lambda g, group=group:
                              component.get(g) == group)
        cycle = [good, *path]
        numbers = sorted({n for step in zip(cycle, cycle[1:], strict=False)
                          for n in edges[step]})
        problems.append(Problem(
            sheet.title, sheet.cell("input", r.row.number),
            f"recipe cycle {' → '.join(cycle)} (rows {', '.join(map(str, numbers))}): a "
            "good cannot be made, directly or through other goods, from itself"))


def _strong_components(graph: dict[str, list[str]]) -> dict[str, int]:
    """Tarjan's strongly connected components, iteratively: node → component number,
    for the nodes of components with more than one node."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: dict[str, int] = {}
    counter = 0
    for root in list(graph):
        if root in index:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1:
                    for member in members:
                        result[member] = index[node]
    return result


def _shortest_path(graph: dict[str, list[str]], start: str, goal: str, allowed) -> list[str]:
    """Nodes from `start` to `goal` (both included) along `graph`, through allowed nodes."""
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            break
        for child in graph.get(node, ()):
            if child not in previous and allowed(child):
                previous[child] = node
                queue.append(child)
    path = [goal]
    while previous[path[-1]] is not None:
        path.append(previous[path[-1]])
    return path[::-1]


def _recipes_without_effect(sheet: RawSheet | None, rows: list[_Parsed],
                            sources: dict[tuple[str, str, str], int],
                            case: Case) -> list[Problem]:
    """Warn of a Recipes row that no Production entry uses: its ally does not produce the
    good, or (a '*' row) no ally does, or every producer overrides it."""
    used = set(sources.values())
    producers: dict[str, list[str]] = defaultdict(list)
    for ally, good in case.production:
        producers[good].append(ally)
    found = []
    for index, r in enumerate(rows):
        if index in used:
            continue
        if r["country"] != ANY:
            message = (f"{r['country']} has no Production row for {r['good']}: this recipe "
                       "row has no effect")
        elif not producers.get(r["good"]):
            message = (f"no ally has a Production row for {r['good']}: this recipe row has "
                       "no effect")
        else:
            message = (f"every producer of {r['good']} has its own row for input "
                       f"{r['input']}: this '*' row has no effect")
        found.append(Problem(sheet.title, sheet.cell("country", r.row.number), message,
                             is_error=False))
    return found


def _unobtainable_inputs(sheet: RawSheet | None, rows: list[_Parsed],
                         sources: dict[tuple[str, str, str], int],
                         obtainable: set[Node]) -> list[Problem]:
    """Warn of a recipe input that a producer using the row can never obtain (no
    production, import, stockpile or sharing link can bring it there): that producer
    can never make the good."""
    lacking: dict[int, list[str]] = defaultdict(list)
    for (ally, _, source), index in sources.items():
        if (ally, source) not in obtainable:
            lacking[index].append(ally)
    found = []
    for index in sorted(lacking):
        r = rows[index]
        allies = ", ".join(lacking[index])
        found.append(Problem(
            sheet.title, sheet.cell("input", r.row.number),
            f"{allies} can never obtain {r['input']} (no production, import route, stockpile "
            f"or sharing link can bring it there), so cannot make {r['good']} by this "
            "recipe", is_error=False))
    return found


def obtainable_nodes(case: Case) -> set[Node]:
    """(ally, good) pairs where some of the good can ever be: stock, imports from a
    supplier, production whose recipe inputs are all obtainable there, imports from an
    ally origin that can itself obtain the good, sharing from an ally that can. Existence
    only (a zero capacity counts): what is left out can certainly never be had."""
    allies = set(case.allies)
    waiting: dict[Node, int] = {}
    needed_by: dict[Node, list[Node]] = defaultdict(list)
    for node in case.production:
        inputs = case.recipes.get(node, {})
        waiting[node] = len(inputs)
        for source in inputs:
            needed_by[node[0], source].append(node)
    onward: dict[Node, list[Node]] = defaultdict(list)
    for origin, destination, good in case.imports:
        if origin in allies:
            onward[origin, good].append((destination, good))
    for sender, receiver, good in case.sharing:
        onward[sender, good].append((receiver, good))

    start = set(case.stockpiles) | {node for node, count in waiting.items() if count == 0}
    start |= {(d, g) for o, d, g in case.imports if o not in allies}
    seen: set[Node] = set()
    frontier = list(start)
    while frontier:
        node = frontier.pop()
        if node in seen:
            continue
        seen.add(node)
        frontier += [n for n in onward.get(node, ()) if n not in seen]
        for product in needed_by.get(node, ()):
            waiting[product] -= 1
            if waiting[product] == 0 and product not in seen:
                frontier.append(product)
    return seen


# --- warnings ----------------------------------------------------------------------------


def _empty_export_routes(sheet: RawSheet | None, rows: list[_Parsed], case: Case,
                         obtainable: set[Node]) -> list[Problem]:
    """Warn of an Imports route from an ally that can never hold the good: its exports
    leave its own balance, so the route can never carry anything."""
    return [Problem(sheet.title, sheet.cell("origin", r.row.number),
                    f"{r['origin']} can never hold {r['good']} (no production, import "
                    "route, stockpile or sharing link brings it there): this route from it "
                    "can never carry anything", is_error=False)
            for r in rows if r["origin"] in case.countries
            and case.countries[r["origin"]].is_ally
            and (r["origin"], r["good"]) not in obtainable]


def _tiers_without_effect(sheet: RawSheet | None, rows: list[_Parsed],
                          case: Case) -> list[Problem]:
    """Warn of a ShortageTiers row that prices nothing: it names an ally without demand
    for the good, or is a '*' row that no ally with demand for the good uses (none has
    demand, or each has rows of its own)."""
    found = []
    named = {(r["country"], r["good"]) for r in rows if r["country"] != ANY}
    for r in rows:
        ally, good = r["country"], r["good"]
        if ally != ANY:
            used = case.demand.get((ally, good)) is not None and \
                case.demand[ally, good].demand > 0
            what = f"{ally} has no demand for {good}"
        else:
            used = any(d.demand > 0 and (n, g) not in named
                       for (n, g), d in case.demand.items() if g == good)
            what = f"no ally with demand for {good} uses the '*' rows"
        if not used:
            found.append(Problem(sheet.title, sheet.cell("country", r.row.number),
                                 f"{what}: this tier row has no effect", is_error=False))
    return found


def _day_floors_without_basis(sheet: RawSheet | None, rows: list[_Parsed]) -> list[Problem]:
    """Warn of a min_days whose basis is 0 (no demand, or no net imports): it asks for no
    stock."""
    return [Problem(sheet.title, sheet.cell("min_days", r.row.number),
                    f"min_days {r['min_days']:g} counts {r['min_days_basis'].replace('_', ' ')}"
                    f", which is 0 for {r['country']} and {r['good']}: this floor asks for "
                    "no stock", is_error=False)
            for r in rows if r["min_days"] > 0 and r.values.get(DAY_BASIS) == 0.0]


def _lags_past_the_horizon(sheets: dict[str, RawSheet], production: list[_Parsed],
                           stocks: list[_Parsed], sharing: list[_Parsed],
                           case: Case) -> list[Problem]:
    """Warn of a release_lag, a ramp_periods (of an entry with a spare option) or an
    activation_lag so long that onset + lag > periods in every scenario with an onset:
    the instrument can never act."""
    starts = [t0 for t0 in scenario_onsets(case).values() if t0 is not None]
    if not starts:
        return []
    earliest = min(starts)
    horizon = case.settings.periods
    checks = [
        ("stockpiles", stocks, "release_lag", "stock could first be released",
         "this stock can never be drawn", lambda r: True),
        ("production", production, "ramp_periods", "reserved spare capacity could first run",
         "the spare capacity reserved here can never run",
         lambda r: case.production[r["country"], r["good"]].has_spare_option),
        ("sharing", sharing, "activation_lag", "the link could first be used",
         "this link can never carry anything", lambda r: True),
    ]
    found = []
    for name, rows, column, first, consequence, applies in checks:
        for r in rows:
            lag = r[column]
            if earliest + lag > horizon and applies(r):
                found.append(Problem(
                    sheets[name].title, sheets[name].cell(column, r.row.number),
                    f"{column} {lag} is too long: {first} in period {earliest + lag} "
                    f"(the earliest onset of any scenario, period {earliest}, + {lag}), "
                    f"after the last period ({horizon}): {consequence}", is_error=False))
    return found
