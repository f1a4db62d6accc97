"""Validation: raw workbook rows to a `Case`, reporting every problem at once.

Cell rules come from the schema (`optimizer.case.schema`); the rules that tie cells together
are the ``_check_*`` functions below, each named for its rule. Nothing here builds a
model: a case that leaves this module is solvable as given.
"""

from __future__ import annotations

import math
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
)
from models.index_sets import supplied_nodes
from optimizer.case.schema import (
    ANY,
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

    settings = _settings(sheets.get("settings"), problems)
    periods = settings.periods if settings else None

    countries_rows = _parse(sheets.get("countries"), {}, problems)
    countries = {r["country"]: Country(r["role"], r["budget"]) for r in countries_rows}
    goods = {r["good"]: Good(r["unit"], r["shortage_penalty"])
             for r in _parse(sheets.get("goods"), {}, problems)}
    scenario_rows = _parse(sheets.get("scenarios"), {}, problems)
    scenarios = {r["scenario"]: Scenario(r["probability"], r["description"])
                 for r in scenario_rows}
    refs = _known_ids(sheets)
    _check_budget_only_for_allies(sheets.get("countries"), countries_rows, problems)
    _check_probabilities_sum_to_one(sheets.get("scenarios"), scenario_rows, problems)

    demand_rows = _parse(sheets.get("demand"), refs, problems)
    demand = {(r["country"], r["good"]): Demand(r["demand"], _penalty(r, goods))
              for r in demand_rows}
    production = {
        (r["country"], r["good"]): Production(
            r["capacity"], r["unit_cost"], r["spare_cost"], r["spare_max"], r["ramp_periods"])
        for r in _parse(sheets.get("production"), refs, problems)
    }
    import_rows = _parse(sheets.get("imports"), refs, problems)
    _check_different(sheets.get("imports"), import_rows, "origin", "destination", problems)
    imports = {(r["origin"], r["destination"], r["good"]): ImportRoute(r["volume"],
                                                                        r["unit_cost"])
               for r in import_rows}
    stock_rows = _parse(sheets.get("stockpiles"), refs, problems)
    _check_max_at_least_min(sheets.get("stockpiles"), stock_rows, problems)
    stockpiles = {(r["country"], r["good"]): Stockpile(
        r["initial"], r["min"], r["max"], r["purchase_cost"], r["holding_cost"])
        for r in stock_rows}
    sharing_rows = _parse(sheets.get("sharing"), refs, problems)
    _check_different(sheets.get("sharing"), sharing_rows, "from", "to", problems)
    sharing = _expand_sharing(sharing_rows, goods)
    disruption_rows = _parse(sheets.get("disruptions"), refs, problems)
    disruptions = _disruptions(sheets.get("disruptions"), disruption_rows, periods, refs,
                               problems)
    _check_budgets_cover_floors(sheets, countries_rows, stock_rows, problems)

    if problems or settings is None:
        raise InputError(sorted(problems, key=_reading_order), warnings)
    case = Case(name, settings, countries, goods, demand, production, imports, stockpiles,
                sharing, scenarios, disruptions)
    warnings += _unsupplied_demand(sheets.get("demand"), demand_rows, case)
    warnings += _idle_links(sheets.get("sharing"), sharing_rows, case)
    return case, warnings


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
        ok = number <= column.maximum
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


def _settings(sheet: RawSheet | None, problems: list[Problem]) -> Settings | None:
    """Settings rows to `Settings`; an unknown key is an error naming the known ones."""
    if sheet is None:
        return None
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
    if any(s.key not in values for s in SETTINGS):
        return None
    return Settings(**values)


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
        if r["role"] == "supplier" and r["budget"] is not None:
            problems.append(Problem(sheet.title, sheet.cell("budget", r.row.number),
                                    "budget applies to allies only; leave it blank for a "
                                    "supplier"))


def _check_different(sheet: RawSheet | None, rows: list[_Parsed], first: str, second: str,
                     problems: list[Problem]) -> None:
    """`first` and `second` name different countries (no route or link to itself)."""
    for r in rows:
        if r[first] == r[second]:
            problems.append(Problem(sheet.title, sheet.cell(second, r.row.number),
                                    f"{second} must differ from {first}, both are "
                                    f"'{r[first]}'"))


def _check_max_at_least_min(sheet: RawSheet | None, rows: list[_Parsed],
                            problems: list[Problem]) -> None:
    for r in rows:
        if r["max"] is not None and r["max"] < r["min"]:
            problems.append(Problem(sheet.title, sheet.cell("max", r.row.number),
                                    f"max must be ≥ min ({r['min']:g}), got {r['max']:g}"))


def _check_budgets_cover_floors(sheets: dict[str, RawSheet], countries: list[_Parsed],
                                stocks: list[_Parsed], problems: list[Problem]) -> None:
    """An ally's budget must pay for its mandated stock floors (purchase above initial
    plus holding), or the plan would be infeasible."""
    for country in countries:
        budget = country["budget"]
        if budget is None:
            continue
        floors = [s for s in stocks if s["country"] == country["country"] and s["min"] > 0]
        cost = math.fsum(s["purchase_cost"] * max(0.0, s["min"] - s["initial"])
                         + s["holding_cost"] * s["min"] for s in floors)
        if cost > budget * (1 + 1e-9):
            stock_sheet = sheets["stockpiles"]
            cells = ", ".join(f"{stock_sheet.title}!{stock_sheet.cell('min', s.row.number)}"
                              for s in floors)
            problems.append(Problem(
                sheets["countries"].title, sheets["countries"].cell("budget",
                                                                    country.row.number),
                f"budget {budget:,.10g} cannot pay for the mandated stock floors ({cells}) "
                f"that cost {cost:,.10g} a year"))


def _unsupplied_demand(sheet: RawSheet | None, rows: list[_Parsed],
                       case: Case) -> list[Problem]:
    """Warn of demand that nothing can meet: no production, import, stockpile or sharing
    link can bring the good to the ally, so all of it will be short."""
    reachable = supplied_nodes(case)
    return [Problem(sheet.title, sheet.cell("good", r.row.number),
                    f"{r['country']} needs {r['good']} but no production, import route, "
                    f"stockpile or sharing link can supply it: all of it will be short",
                    is_error=False)
            for r in rows if r["demand"] > 0 and (r["country"], r["good"]) not in reachable]


def _idle_links(sheet: RawSheet | None, rows: list[_Parsed], case: Case) -> list[Problem]:
    """Warn of a Sharing row naming a good that neither of its allies holds (no demand,
    production, import or stockpile of it at either end)."""
    held = (set(case.demand) | set(case.production) | set(case.stockpiles)
            | {(d, g) for _, d, g in case.imports})
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
        link = SharingLink(r["lead_periods"], r["unit_cost"], r["capacity"])
        targets: Iterable[str] = goods if r["good"] == ANY else (r["good"],)
        for good in targets:
            key = (r["from"], r["to"], good)
            if r["good"] == ANY and key in named:
                continue
            links[key] = link
    return links


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
