"""Mutation properties: a valid case with one bad cell is rejected, at that cell.

Hypothesis draws a valid case (`random_case` of test_properties, or casebuilder's
`base_case`), breaks it in one place and runs the command line on it. Every broken
case must end with exit code 2, no traceback and no "internal error" on stderr, an
``error:`` line that names the broken cell (``Imports!D3``; the sheet and column range
for the probability sum, ``Sheet!1:1`` for a missing column), and no report file.

The invalid values come from the schema (`optimizer.case.schema`), so columns and settings
added later are mutated too: text, booleans and dates where a number belongs, numbers
below the minimum, zero where the minimum is strict, non-whole numbers in whole-number
columns, numbers above a maximum, unknown ids, suppliers where an ally belongs, wrong
choices, blanks in required cells. Rules that tie cells together (max ≥ min, from ≠ to,
start ≤ end ≤ periods, factor ≤ 1 for cuts, budgets against the yearly cost of the
floors, the probability sum, a recipe's input ≠ its good, no recipe cycle, a
periods_per_year default of 0) and duplicate keys and headers have their own
properties. Two control properties keep the others from passing vacuously: an unmutated
case validates, and so does one with harmless changes (header case and blanks, padded
ids, choice case, the largest numbers a range allows).

The valid cases are `random_case` or `base_case`, with budgets raised where needed to pay
for the yearly cost of their floors (model v2: ((capital_rate + loss_rate) ·
purchase_cost + holding_cost) · min) and, when there are two goods or more, an optional
acyclic Recipes sheet, so that the v2 columns and sheet are mutated too.
"""

from __future__ import annotations

import copy
import datetime
import itertools
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from casebuilder import base_case, write_case
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter
from test_properties import random_case

from optimizer.case.schema import ANY, SETTINGS, SETTINGS_BY_KEY, SHEETS_BY_NAME, Column
from optimizer.cli import main


def fast(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

A_DATE = datetime.datetime(2010, 9, 21)  # the 2010 rare-earth embargo on Japan began
KEYED_SHEETS = [s.name for s in SHEETS_BY_NAME.values() if s.key and s.name != "Settings"]
CAPITAL_RATE = SETTINGS_BY_KEY["capital_rate"].default
_COUNTER = itertools.count()


# --- cases, files and the command line ------------------------------------------------------


def _with_settings_rows(sheets: dict) -> dict:
    """Settings as rows ({"key", "value"}), so that rows can repeat and be mutated."""
    sheets = copy.deepcopy(sheets)
    if isinstance(sheets["Settings"], dict):
        sheets["Settings"] = [{"key": k, "value": v} for k, v in sheets["Settings"].items()]
    return sheets


@st.composite
def valid_cases(draw) -> dict:
    source = draw(st.one_of(st.just("base"), st.integers(0, 2**16)))
    note(f"case: {'base_case()' if source == 'base' else f'random_case({source})'}")
    sheets = base_case() if source == "base" else random_case(source)
    sheets = _with_budgets_for_floors(_without_repeated_demand(sheets))
    goods = [r["good"] for r in sheets["Goods"]]
    if len(goods) > 1 and draw(st.booleans()):
        sheets["Recipes"] = draw(_acyclic_recipes(sheets))
        note(f"recipes: {sheets['Recipes']}")
    return _with_settings_rows(sheets)


def floor_cost(sheets: dict, ally: str) -> float:
    """Yearly cost of an ally's mandated floors, as the oracle of the budget rule:
    Σ ((capital_rate + loss_rate) · purchase_cost + holding_cost) · min, with the case's
    own capital_rate (its default where the Settings sheet does not set it)."""
    rate = _setting(sheets, "capital_rate", CAPITAL_RATE)
    return sum(((rate + s.get("loss_rate", 0.0)) * s.get("purchase_cost", 0.0)
                + s.get("holding_cost", 0.0)) * s.get("min", 0.0)
               for s in sheets.get("Stockpiles", []) if s["country"] == ally)


def _setting(sheets: dict, key: str, default: float) -> float:
    """A Settings value, whether the sheet is given as {key: value} or as key/value rows."""
    settings = sheets.get("Settings", {})
    if isinstance(settings, dict):
        value = settings.get(key)
    else:
        value = next((r["value"] for r in settings if r.get("key") == key), None)
    return default if value is None else value


def _with_budgets_for_floors(sheets: dict) -> dict:
    """`random_case` sizes a budget by the v1 floor cost (purchase above initial plus
    holding); raise a budget that falls short of the v2 yearly cost of the floors."""
    for row in sheets["Countries"]:
        budget = row.get("budget")
        if budget is not None and budget < floor_cost(sheets, row["country"]) * 1.001:
            row["budget"] = round(floor_cost(sheets, row["country"]) + 1, 2)
    return sheets


@st.composite
def _acyclic_recipes(draw, sheets: dict) -> list[dict]:
    """1–4 Recipes rows, each making a later good of the Goods sheet from an earlier
    one (so the recipe graph has no cycle), for '*' or an ally, keys distinct."""
    goods = [r["good"] for r in sheets["Goods"]]
    allies = [r["country"] for r in sheets["Countries"] if r.get("role", "ally") == "ally"]
    rows, keys = [], set()
    for _ in range(draw(st.integers(1, 4))):
        made = draw(st.integers(1, len(goods) - 1))
        key = (draw(st.sampled_from([ANY, *allies])), goods[made],
               goods[draw(st.integers(0, made - 1))])
        if key not in keys:
            keys.add(key)
            rows.append({"country": key[0], "good": key[1], "input": key[2],
                         "ratio": draw(st.sampled_from([0.25, 1, 2.5, 40]))})
    return rows


def _without_repeated_demand(sheets: dict) -> dict:
    """`random_case` adds a Demand row of 10 for its first ally and good when every drawn
    demand is 0, even if that pair already has a (zero) row: a duplicate key (about one
    seed in 700, e.g. 668 and 2127). Keep the added row only."""
    rows = sheets["Demand"]
    last = {(r["country"], r["good"]): i for i, r in enumerate(rows)}
    sheets["Demand"] = [r for i, r in enumerate(rows) if last[r["country"], r["good"]] == i]
    return sheets


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mutations")


def _paths(workdir: Path) -> tuple[Path, Path]:
    n = next(_COUNTER)
    return workdir / f"case{n}.xlsx", workdir / f"report{n}.xlsx"


def _run(capsys, command: str, case: Path, out: Path) -> tuple[int, str]:
    capsys.readouterr()
    if command == "solve":
        code = main(["solve", str(case), "-o", str(out), "-q"])
    else:
        code = main(["validate", str(case)])
    return code, capsys.readouterr().err


def _header_letters(sheets: dict) -> dict[str, dict[str, str]]:
    """Column letter of every header `write_case` writes for `sheets` (the union of the
    rows' keys in first-seen order; Settings as key, value): sheet → name → letter.
    Checked against the written files by `test_an_unmutated_case_validates`."""
    result = {}
    for name, rows in sheets.items():
        header: list[str] = []
        for row in ([{"key": 0, "value": 0}] if isinstance(rows, dict) else rows):
            header += [k for k in row if k not in header]
        result[name] = {k.lower(): get_column_letter(i + 1) for i, k in enumerate(header)}
    return result


def _headers(path: Path) -> dict[str, dict[str, str]]:
    """Column letter of every header of the written workbook: sheet → name → letter."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        result = {}
        for sheet in workbook.worksheets:
            first = next(sheet.iter_rows(max_row=1, values_only=True), ())
            result[sheet.title] = {str(v).strip().lower(): get_column_letter(i + 1)
                                   for i, v in enumerate(first) if v is not None}
        return result
    finally:
        workbook.close()


@dataclass
class Place:
    """Where the error must be reported: a cell (`column` in Excel `row`), the column of
    every data row (`span`), the header row (`header`), a header cell (`header_letter`)
    or the sheet as a whole (`whole_sheet`)."""

    sheet: str
    column: str | None = None
    row: int | None = None
    span: bool = False
    header: bool = False
    header_letter: str | None = None
    whole_sheet: bool = False

    def reference(self, headers: dict[str, dict[str, str]], sheets: dict) -> str:
        if self.whole_sheet:
            return self.sheet
        if self.header:
            return f"{self.sheet}!1:1"
        if self.header_letter:
            return f"{self.sheet}!{self.header_letter}1"
        letter = headers[self.sheet][self.column]
        if self.span:
            return f"{self.sheet}!{letter}2:{letter}{len(sheets[self.sheet]) + 1}"
        return f"{self.sheet}!{letter}{self.row}"


def _assert_rejected(capsys, workdir: Path, sheets: dict, places: list[Place],
                     command: str = "solve", edit=None) -> None:
    """Write `sheets` (then apply `edit` to the saved workbook), run `command` and check
    the rejection names every place."""
    case, out = _paths(workdir)
    write_case(case, sheets)
    if edit is not None:
        edit(case)
    headers = _header_letters(sheets)
    references = [p.reference(headers, sheets) for p in places]
    note(f"{command} {case.name}; expected at {references}")
    code, err = _run(capsys, command, case, out)
    note(f"stderr:\n{err}")
    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    assert code == 2, f"exit code {code}\n{err}"
    for reference in references:
        assert f"error: {reference}:" in err, f"no error at {reference}:\n{err}"
    assert "nothing was solved" in err
    assert not out.exists()


def _excel_row(index: int) -> int:
    return index + 2


# --- what each column must not hold ------------------------------------------------------------


def _ids(sheets: dict) -> dict[str, list[str]]:
    countries = sheets["Countries"]
    return {
        "country": [r["country"] for r in countries],
        "ally": [r["country"] for r in countries if r.get("role", "ally") == "ally"],
        "supplier": [r["country"] for r in countries if r.get("role") == "supplier"],
        "good": [r["good"] for r in sheets["Goods"]],
        "scenario": [r["scenario"] for r in sheets["Scenarios"]],
    }


def invalid_values(column: Column, sheets: dict) -> list[tuple[str, object]]:
    """(label, value) pairs that break `column`'s own rule, whatever the row."""
    values: list[tuple[str, object]] = []
    if column.kind in ("number", "integer"):
        values += [("word", "ten"), ("decimal comma", "1,5"), ("formula as text", "=1+1"),
                   ("error value", "#N/A"), ("number stored as text", "10"),
                   ("boolean", True), ("boolean", False), ("date", A_DATE)]
        if column.minimum is not None:
            low = column.minimum
            values += [("below the minimum", low - 1), ("far below the minimum", -1e308)]
            if column.kind == "number":
                values.append(("just below the minimum", low - 0.25))
            if column.strict_minimum:
                values.append(("at the strict minimum", low))
        if column.kind == "integer":
            values += [("non-whole", (column.minimum or 0) + 1.5),
                       ("non-whole", (column.minimum or 0) + 0.25)]
        if column.maximum is not None:
            # well above: a workbook keeps 15-16 significant digits, so max + 0.5 could
            # round back to the maximum itself
            values += [("above the maximum", column.maximum * 1.5 + 1), ("huge", 1e308)]
    elif column.kind == "choice":
        wrong = ["exportcut", "export cut", "export-cut", "allied", "Ally_", "supplyer", "*",
                 "al ly"]
        values += [("wrong choice", w) for w in wrong
                   if w.strip().lower() not in column.choices]
        values += [("number", 1), ("boolean", True), ("date", A_DATE)]
    elif column.kind == "id":
        values += [("boolean", True), ("boolean", False), ("date", A_DATE),
                   ("non-whole number", 1.5)]
        if column.refers_to:
            known = _ids(sheets)
            values += [("unknown id", "ZZ"), ("unknown numeric id", 404),
                       ("huge numeric id", 1e308)]
            for existing in known[column.refers_to][:2]:
                variant = existing.swapcase()
                if variant not in known["country"] + known["good"] + known["scenario"]:
                    values.append(("id in another case", variant))
            if column.refers_to == "ally":
                values += [("a supplier", s) for s in known["supplier"][:1]]
        elif not column.wildcard:
            values.append(("'*' as a new id", ANY))
    elif column.kind == "text":
        values += [("boolean", True), ("date", A_DATE)]
    if column.required:
        values += [("blank", None), ("empty text", ""), ("only spaces", "   ")]
    return values


def _kind(sheet: str, column: str) -> str:
    return SHEETS_BY_NAME[sheet.lower()].column(column).kind


def _settings_column(key: object) -> Column | None:
    return SETTINGS_BY_KEY[key].as_column() if key in SETTINGS_BY_KEY else None


# --- control: unmutated and harmlessly changed cases are valid ---------------------------------


@fast(30)
@given(sheets=valid_cases())
def test_an_unmutated_case_validates(capsys, workdir, sheets):
    """The generator makes valid cases, so the rejections below come from the mutation."""
    case, out = _paths(workdir)
    write_case(case, sheets)
    assert _header_letters(sheets) == _headers(case)
    code, err = _run(capsys, "validate", case, out)
    assert code == 0, err
    assert "error" not in err


HUGE_IS_VALID = {
    ("Goods", "shortage_penalty"), ("Demand", "demand"), ("Demand", "shortage_penalty"),
    ("Production", "capacity"), ("Production", "unit_cost"), ("Production", "spare_cost"),
    ("Production", "spare_max"), ("Production", "ramp_periods"), ("Imports", "volume"),
    ("Imports", "unit_cost"), ("Stockpiles", "initial"), ("Stockpiles", "max"),
    ("Sharing", "lead_periods"), ("Sharing", "unit_cost"), ("Sharing", "capacity"),
    ("Stockpiles", "refill_cost"), ("Stockpiles", "max_draw"), ("Stockpiles", "release_lag"),
    ("Sharing", "activation_lag"), ("Recipes", "ratio"),
}
"""Columns whose only rule is a range, whatever the other cells: the largest value the
range allows is valid there (`validate` only: whether the LP copes is another matter).
Not purchase_cost, holding_cost or loss_rate: they raise the yearly cost of the floors,
which a budget must pay. A lag past the horizon is only warned about."""


@st.composite
def harmless_changes(draw, sheets: dict) -> tuple[dict, list[str], object]:
    """Changes a planner may make that keep the case valid: header case and blanks,
    blanks around ids and choices, choice case, the largest number a range allows."""
    sheets = copy.deepcopy(sheets)
    done = []
    for _ in range(draw(st.integers(1, 4))):
        change = draw(st.sampled_from(["pad id", "choice case", "huge", "header"]))
        name = draw(st.sampled_from(sorted(n for n in sheets if n != "Settings")))
        rows = sheets[name]
        row = draw(st.sampled_from(rows))
        schema = SHEETS_BY_NAME[name.lower()]
        if change == "pad id":
            columns = [c.name for c in schema.columns if c.kind == "id" and c.name in row]
            column = draw(st.sampled_from(columns))
            row[column] = f"  {row[column]} "
        elif change == "choice case":
            columns = [c.name for c in schema.columns if c.kind == "choice" and c.name in row]
            if not columns:
                continue
            column = draw(st.sampled_from(columns))
            row[column] = f" {row[column].upper()}  "
        elif change == "huge":
            columns = sorted(c for s, c in HUGE_IS_VALID if s == name)
            if not columns:
                continue
            column = draw(st.sampled_from(columns))
            row[column] = SHEETS_BY_NAME[name.lower()].column(column).maximum
        done.append(f"{change} {name} {row}")
    header_case = draw(st.booleans())

    def edit(path: Path) -> None:
        if not header_case:
            return
        workbook = openpyxl.load_workbook(path)
        for sheet in workbook.worksheets:
            for cell in sheet[1]:
                if isinstance(cell.value, str):
                    cell.value = f" {cell.value.upper()} "
        workbook.save(path)

    return sheets, done + (["headers upper-cased and padded"] if header_case else []), edit


@fast(30)
@given(data=st.data())
def test_harmless_changes_keep_a_case_valid(capsys, workdir, data):
    sheets = data.draw(valid_cases())
    changed, done, edit = data.draw(harmless_changes(sheets))
    note(f"changes: {done}")
    case, out = _paths(workdir)
    write_case(case, changed)
    edit(case)
    code, err = _run(capsys, "validate", case, out)
    assert code == 0, err
    assert "Traceback" not in err


# --- one bad cell, by its column's own rule ----------------------------------------------------


@st.composite
def one_bad_cell(draw, sheets: dict) -> tuple[dict, Place, str]:
    """A copy of `sheets` with one cell broken by its column's own rule."""
    sheets = copy.deepcopy(sheets)
    name = draw(st.sampled_from(sorted(sheets)))
    rows = sheets[name]
    if name == "Settings":
        target = draw(st.sampled_from(["key"] + [s.key for s in SETTINGS]))
        if target == "key":
            index = draw(st.integers(0, len(rows) - 1))
            column_name = "key"
            choices = [("unknown key", "perods"), ("unknown key", "period days"),
                       ("unknown key", "horizon"), ("boolean", True), ("date", A_DATE),
                       ("blank", None), ("only spaces", "  ")]
        else:
            index = next((i for i, r in enumerate(rows) if r["key"] == target), None)
            if index is None:
                rows.append({"key": target, "value": None})
                index = len(rows) - 1
            column_name = "value"
            choices = invalid_values(_settings_column(target), sheets)
    else:
        schema = SHEETS_BY_NAME[name.lower()]
        index = draw(st.integers(0, len(rows) - 1))
        columns = [c for c in schema.columns if invalid_values(c, sheets)]
        column = draw(st.sampled_from(columns))
        column_name = column.name
        choices = invalid_values(column, sheets)
    label, value = draw(st.sampled_from(choices))
    note(f"{name} row {_excel_row(index)} {column_name}: {label} {value!r} "
         f"(was {rows[index].get(column_name)!r})")
    rows[index][column_name] = value
    event(f"{label} in a {column_name if name == 'Settings' else _kind(name, column_name)} "
          "cell")
    event(f"sheet {name}")
    return sheets, Place(name, column_name, _excel_row(index)), label


@fast(180)
@given(data=st.data())
def test_one_bad_cell_is_reported_at_that_cell(capsys, workdir, data):
    sheets = data.draw(valid_cases())
    mutated, place, _ = data.draw(one_bad_cell(sheets))
    command = data.draw(st.sampled_from(["solve", "solve", "validate"]))
    _assert_rejected(capsys, workdir, mutated, [place], command)


# --- rules that tie cells together -------------------------------------------------------------


def _row_of(sheets: dict, name: str, draw, new_row: dict, where=lambda row: True) -> int:
    """Index of a drawn row of `name` that satisfies `where`; `new_row` appended if none."""
    rows = sheets.setdefault(name, [])
    candidates = [i for i, r in enumerate(rows) if where(r)]
    if not candidates:
        rows.append(new_row)
        return len(rows) - 1
    return draw(st.sampled_from(candidates))


def _periods(sheets: dict) -> int:
    return next(r["value"] for r in sheets["Settings"] if r["key"] == "periods")


@st.composite
def broken_rule(draw, sheets: dict) -> tuple[dict, list[Place]]:
    """A copy of `sheets` that breaks one rule tying cells together (or a rule a cell
    breaks only given its row), with the places the error must name."""
    sheets = copy.deepcopy(sheets)
    ids = _ids(sheets)
    ally, good, scenario = ids["ally"][0], ids["good"][0], ids["scenario"][-1]
    supplier = ids["supplier"][0]
    periods = _periods(sheets)
    rule = draw(st.sampled_from([
        "max below min", "route to itself", "link to itself", "cut factor above 1",
        "partner on a non-cut", "supplier hit by loss or surge", "start after horizon",
        "end after horizon", "end before start", "budget of a supplier",
        "budget below floors", "probabilities do not sum to 1", "unknown setting",
        "setting twice", "ally turned supplier", "recipe input is its good",
        "recipe cycle", "period_days too long for the default periods_per_year"]))
    note(f"rule: {rule}")
    event(rule)

    def disruption(kinds: tuple[str, ...]) -> tuple[int, dict]:
        new = {"scenario": scenario, "kind": kinds[0], "country": ally, "good": good,
               "start": 1, "factor": 0.5}
        i = _row_of(sheets, "Disruptions", draw, new, lambda r: r["kind"] in kinds)
        return i, sheets["Disruptions"][i]

    if rule == "max below min":
        new = {"country": ally, "good": good, "initial": 0, "min": 4, "max": 2}
        i = _row_of(sheets, "Stockpiles", draw, new)
        row = sheets["Stockpiles"][i]
        if row["min"] <= 0:
            row["min"] = 4.0
        row["max"] = draw(st.sampled_from([0.0, round(row["min"] / 2, 2),
                                           row["min"] - 1e-6]))
        return sheets, [Place("Stockpiles", "max", _excel_row(i))]
    if rule == "route to itself":
        new = {"origin": supplier, "destination": ally, "good": good, "volume": 1}
        i = _row_of(sheets, "Imports", draw, new)
        row = sheets["Imports"][i]
        row["origin"] = row["destination"]
        return sheets, [Place("Imports", "destination", _excel_row(i))]
    if rule == "link to itself":
        new = {"from": ally, "to": ally, "good": ANY}
        i = _row_of(sheets, "Sharing", draw, new)
        row = sheets["Sharing"][i]
        row["to"] = row["from"]
        return sheets, [Place("Sharing", "to", _excel_row(i))]
    if rule == "cut factor above 1":
        i, row = disruption(("export_cut", "capacity_loss"))
        row["factor"] = draw(st.sampled_from([1.000001, 1.5, 2, 1e308]))
        return sheets, [Place("Disruptions", "factor", _excel_row(i))]
    if rule == "partner on a non-cut":
        i, row = disruption(("capacity_loss", "demand_surge"))
        row["partner"] = draw(st.sampled_from(ids["ally"]))
        return sheets, [Place("Disruptions", "partner", _excel_row(i))]
    if rule == "supplier hit by loss or surge":
        i, row = disruption(("capacity_loss", "demand_surge"))
        row["country"] = draw(st.sampled_from(ids["supplier"]))
        return sheets, [Place("Disruptions", "country", _excel_row(i))]
    if rule == "start after horizon":
        i, row = disruption(("export_cut", "capacity_loss", "demand_surge"))
        row["start"] = draw(st.sampled_from([periods + 1, periods + 7, 1e308]))
        row.pop("end", None)
        return sheets, [Place("Disruptions", "start", _excel_row(i))]
    if rule == "end after horizon":
        i, row = disruption(("export_cut", "capacity_loss", "demand_surge"))
        row["end"] = draw(st.sampled_from([periods + 1, 1e308]))
        return sheets, [Place("Disruptions", "end", _excel_row(i))]
    if rule == "end before start":
        i, row = disruption(("export_cut", "capacity_loss", "demand_surge"))
        row["start"] = draw(st.integers(2, periods))
        row["end"] = draw(st.integers(1, row["start"] - 1))
        return sheets, [Place("Disruptions", "end", _excel_row(i))]
    if rule == "budget of a supplier":
        i = next(i for i, r in enumerate(sheets["Countries"]) if r.get("role") == "supplier")
        sheets["Countries"][i]["budget"] = draw(st.sampled_from([0, 100, 1e308]))
        return sheets, [Place("Countries", "budget", _excel_row(i))]
    if rule == "budget below floors":
        i = next(i for i, r in enumerate(sheets["Countries"]) if r["country"] == ally)
        new = {"country": ally, "good": good}
        k = _row_of(sheets, "Stockpiles", draw, new, lambda r: r["country"] == ally)
        stock = sheets["Stockpiles"][k]
        # initial stock at the floor: v2 charges the capital and loss on every unit held
        stock.update(initial=draw(st.sampled_from([0, 10, 50])), min=10, purchase_cost=5,
                     holding_cost=1, loss_rate=draw(st.sampled_from([0, 0.5])))
        if stock.get("max") is not None:
            stock["max"] = max(stock["max"], 50)
        cost = floor_cost(sheets, ally)  # ≥ ((0.05 + loss_rate) · 5 + 1) · 10 ≥ 12.5
        sheets["Countries"][i]["budget"] = draw(st.sampled_from([0, 1, round(cost * 0.999,
                                                                             2)]))
        note(f"floors cost {cost} a year, budget {sheets['Countries'][i]['budget']}")
        return sheets, [Place("Countries", "budget", _excel_row(i))]
    if rule == "probabilities do not sum to 1":
        rows = sheets["Scenarios"]
        i = draw(st.integers(0, len(rows) - 1))
        p = rows[i]["probability"]
        rows[i]["probability"] = draw(st.sampled_from([p / 2, p + (1 - p) / 2, p + 2e-6]))
        if rows[i]["probability"] > 1:
            rows[i]["probability"] = p / 2
        return sheets, [Place("Scenarios", "probability", span=True)]
    if rule == "unknown setting":
        key = draw(st.sampled_from(["perods", "period days", "Currency code", "horizon"]))
        sheets["Settings"].append({"key": key, "value": 3})
        return sheets, [Place("Settings", "key", _excel_row(len(sheets["Settings"]) - 1))]
    if rule == "setting twice":
        key = draw(st.sampled_from(["periods", " Periods ", "PERIODS"]))
        sheets["Settings"].append({"key": key, "value": periods})
        return sheets, [Place("Settings", "key", _excel_row(len(sheets["Settings"]) - 1))]
    if rule == "recipe input is its good":
        country = draw(st.sampled_from([ANY, *ids["ally"]]))
        rows = sheets.setdefault("Recipes", [])
        rows.append({"country": country, "good": good, "input": good,
                     "ratio": draw(st.sampled_from([1, 0.5]))})
        return sheets, [Place("Recipes", "input", _excel_row(len(rows) - 1))]
    if rule == "recipe cycle":
        # new goods zz1.. make a cycle good → zz1 → … → good after the acyclic rows
        length = draw(st.integers(1, 2))
        new = [f"zz{n}" for n in range(1, length + 1)]
        sheets["Goods"] += [{"good": g, "shortage_penalty": 1} for g in new]
        chain = [good, *new, good]
        rows = sheets.setdefault("Recipes", [])
        first = len(rows)
        for made, used in zip(chain, chain[1:], strict=False):
            rows.append({"country": draw(st.sampled_from([ANY, *ids["ally"]])),
                         "good": made, "input": used, "ratio": 1})
        return sheets, [Place("Recipes", "input", _excel_row(first))]
    if rule == "period_days too long for the default periods_per_year":
        rows = sheets["Settings"]
        rows[:] = [r for r in rows if r["key"] not in ("period_days", "periods_per_year")]
        if draw(st.booleans()):
            rows.append({"key": "periods_per_year", "value": None})
        rows.append({"key": "period_days", "value": draw(st.sampled_from([730.5, 731, 1e308]))})
        return sheets, [Place("Settings", "value", _excel_row(len(rows) - 1))]
    # an ally used in Demand becomes a supplier: every Demand row of it is reported
    demanded = sorted({r["country"] for r in sheets["Demand"]})
    country = draw(st.sampled_from(demanded))
    for row in sheets["Countries"]:
        if row["country"] == country:
            row["role"] = "supplier"
            row.pop("budget", None)
    return sheets, [Place("Demand", "country", _excel_row(i))
                    for i, r in enumerate(sheets["Demand"]) if r["country"] == country]


@fast(90)
@given(data=st.data())
def test_a_broken_rule_between_cells_is_reported_at_its_cell(capsys, workdir, data):
    sheets = data.draw(valid_cases())
    mutated, places = data.draw(broken_rule(sheets))
    command = data.draw(st.sampled_from(["solve", "validate"]))
    _assert_rejected(capsys, workdir, mutated, places, command)


# --- duplicate keys ------------------------------------------------------------------------------


@fast(50)
@given(data=st.data())
def test_a_duplicate_key_is_reported_at_the_later_row(capsys, workdir, data):
    """A copy of a row (its first key padded with blanks, which are ignored) or one key
    cell set to another row's, so that two rows share the sheet's key."""
    sheets = data.draw(valid_cases())
    name = data.draw(st.sampled_from([n for n in KEYED_SHEETS if n in sheets]))
    key = SHEETS_BY_NAME[name.lower()].key
    rows = sheets[name]
    pairs = [(i, j) for i in range(len(rows)) for j in range(len(rows)) if i != j
             and sum(rows[i][k] != rows[j][k] for k in key) == 1]
    if pairs and data.draw(st.booleans()):
        i, j = data.draw(st.sampled_from(pairs))
        column = next(k for k in key if rows[i][k] != rows[j][k])
        rows[j][column] = rows[i][column]
        later = max(i, j)
        note(f"{name}: {column} of row {_excel_row(j)} set to row {_excel_row(i)}'s")
    else:
        i = data.draw(st.integers(0, len(rows) - 1))
        copied = copy.deepcopy(rows[i])
        if data.draw(st.booleans()):
            copied[key[0]] = f" {copied[key[0]]}  "
        rows.append(copied)
        later = len(rows) - 1
        note(f"{name}: row {_excel_row(i)} copied to row {_excel_row(later)}")
    place = Place(name, key[0], _excel_row(later))
    command = data.draw(st.sampled_from(["solve", "validate"]))
    _assert_rejected(capsys, workdir, sheets, [place], command)


# --- headers -------------------------------------------------------------------------------------


@fast(30)
@given(data=st.data())
def test_a_broken_header_is_reported(capsys, workdir, data):
    """One header cell of the written workbook changed: a required column renamed,
    blanked or commented out is reported missing (``Sheet!1:1``); a header that repeats
    another column's name is reported at the later of the two."""
    sheets = data.draw(valid_cases())
    headers = _header_letters(sheets)
    name = data.draw(st.sampled_from(sorted(sheets)))
    schema = SHEETS_BY_NAME[name.lower()]
    present = headers[name]
    required = [c.name for c in schema.columns if c.required and c.name in present]
    how = data.draw(st.sampled_from(["rename", "blank", "comment", "repeat"]))
    if how == "repeat":
        column = data.draw(st.sampled_from(sorted(present)))
        copied = data.draw(st.sampled_from([c for c in present if c != column]))
        later = max(present[column], present[copied], key=lambda x: (len(x), x))
        places = [Place(name, header_letter=later)]
        if column in required:
            places.append(Place(name, header=True))
        new = copied.upper()
    else:
        column = data.draw(st.sampled_from(required))
        places = [Place(name, header=True)]
        new = {"rename": column + "s", "blank": None, "comment": "#" + column}[how]
    event(f"header {how}")
    note(f"{name} header {column!r} at {present[column]}1 → {new!r}")

    def edit(path: Path) -> None:
        workbook = openpyxl.load_workbook(path)
        workbook[name][f"{present[column]}1"].value = new
        workbook.save(path)

    _assert_rejected(capsys, workdir, sheets, places,
                     data.draw(st.sampled_from(["solve", "validate"])), edit)


# --- regressions: valid by the schema, yet the run breaks ------------------------------------


def _run_base(capsys, workdir: Path, change) -> tuple[int, str, Path]:
    sheets = base_case()
    change(sheets)
    case, out = _paths(workdir)
    write_case(case, sheets)
    code, err = _run(capsys, "solve", case, out)
    return code, err, out


def test_an_absurd_horizon_is_an_input_error(capsys, workdir):
    code, err, out = _run_base(capsys, workdir,
                               lambda s: s["Settings"].update(periods=1e308))
    assert "Traceback" not in err
    assert code == 2, err
    assert "error: Settings!B2:" in err
    assert not out.exists()


@pytest.mark.parametrize(("sheet", "column", "letter"), [
    ("Sharing", "lead_periods", "D"), ("Sharing", "activation_lag", "G"),
    ("Stockpiles", "release_lag", "H"), ("Production", "ramp_periods", "E"),
])
def test_a_huge_lag_is_an_input_error(capsys, workdir, sheet, column, letter):
    """1e308 periods is above the schema's maximum (MAX_PERIODS): exit 2 at that cell,
    never a solve and never an internal error."""
    assert SHEETS_BY_NAME[sheet.lower()].column(column).maximum < 1e308
    code, err, out = _run_base(capsys, workdir,
                               lambda s: s[sheet][0].update({column: 1e308}))
    assert "Traceback" not in err
    assert "internal error" not in err
    assert code == 2, err
    assert f"error: {sheet}!{letter}2:" in err
    assert not out.exists()


@pytest.mark.parametrize(("sheet", "column"), [
    ("Sharing", "lead_periods"), ("Sharing", "activation_lag"),
    ("Stockpiles", "release_lag"), ("Production", "ramp_periods"),
])
def test_the_longest_lag_allowed_is_valid(capsys, workdir, sheet, column):
    """At the schema's maximum the case is valid (the lag can never act: a warning) and
    solves."""
    maximum = SHEETS_BY_NAME[sheet.lower()].column(column).maximum
    code, err, out = _run_base(capsys, workdir,
                               lambda s: s[sheet][0].update({column: maximum}))
    assert "Traceback" not in err
    assert code == 0, err
    assert "error" not in err
    assert out.exists()


@fast(12)
@given(data=st.data())
def test_a_misnamed_required_sheet_is_reported(capsys, workdir, data):
    """A required sheet's tab renamed (a typo, a plural) is reported missing by name; the
    renamed tab is only warned about."""
    sheets = data.draw(valid_cases())
    name = data.draw(st.sampled_from([s.name for s in SHEETS_BY_NAME.values() if s.required]))
    title = data.draw(st.sampled_from([name[:-1], name + "s", name + "_", "Copy of " + name]))
    note(f"sheet {name} renamed {title!r}")

    def edit(path: Path) -> None:
        workbook = openpyxl.load_workbook(path)
        workbook[name].title = title
        workbook.save(path)

    _assert_rejected(capsys, workdir, sheets, [Place(name, whole_sheet=True)],
                     data.draw(st.sampled_from(["solve", "validate"])), edit)
