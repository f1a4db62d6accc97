"""The decision workbook: the answer on the first screen, in pictures, every figure
traceable to the case that produced it. Written with XlsxWriter (native charts, Excel
tables, conditional formats, print setup, document properties).

Sheets: Summary (the recommendation and its value, links to every sheet), Charts, one
Excel table a sheet for each result (units in headers, number formats by unit, frozen
header, fitted widths, colour scales on fill rates and data bars on shortfalls, printed
landscape one page wide with the header repeated), the value of the plan, of cooperation
and of planning for uncertainty, Run (input file and SHA-256, versions, timings,
settings, warnings, the extra solves), Chart data, and the case's own tables (Input …).

Every figure is a value, never a formula. Every text copied from the input is written
with `write_string` exactly as the input has it; text a spreadsheet would read as a
formula (`optimizer.report.cells.looks_like_formula`) gets the cell's quote-prefix style.
The bulk per-period detail (the supply plan of every scenario, period, ally and good and
every shipment) is in the detail workbook (`optimizer.report.workbook`), not here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from models.data import Case
from optimizer.case.schema import SETTINGS, SHEETS
from optimizer.report.cells import looks_like_formula
from optimizer.report.fairness_sheet import (
    summary_cost_rows,
    summary_value_rows,
    write_fairness_sheet,
)
from optimizer.report.levers_sheets import write_concentration_sheet, write_lever_sheets
from optimizer.report.risk_sheet import write_risk_sheet
from optimizer.results.columns import AMOUNT, GENERAL, PERCENT, WHOLE, column
from optimizer.results.extras import Extras
from optimizer.results.risk import objective_in_words, risk_profile
from optimizer.results.supply_levers import concentration, has_restraint
from optimizer.results.tables import Results

TITLE = "Stockpile and reallocation plan"
TABLE_STYLE = "Table Style Medium 2"
HEADER_ROW = 3
"""Row (0-based) of every data sheet's table header: title, sentence, link above it."""
SUMMARY_LIST_ROWS = 8
"""Rows of each list on the Summary (stock, spare, sharing): the first screen."""
PAPER_A4 = 9

RED, YELLOW, GREEN = "#F8696B", "#FFEB84", "#63BE7B"
BAR = "#F4A582"
ACCENT = "#1F4E79"


@dataclass
class RunInfo:
    """What the Run sheet and the document properties tell about the run."""

    status: str = "optimal"
    case_file: str | None = None
    sha256: str | None = None
    solver_name: str = "HiGHS"
    solver_version: str | None = None
    solver_status: str | None = None
    solver_seconds: float | None = None
    lp_size: tuple[int, int, int] | None = None
    """columns, rows, nonzeros."""
    settings: list[tuple[str, object]] = field(default_factory=list)
    """The run's own settings (solver options, extras, decomposition)."""
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    extras: Extras | None = None
    detail_file: str | None = None
    tool_version: str = ""
    """`optimizer.__version__` (given by the caller: the package is above this layer)."""
    lower_bound: float | None = None
    """For a plan found by another engine (mpi-sppy's progressive hedging or L-shaped
    method) and evaluated here with stage one fixed: its proven lower bound on the
    optimum, from which the Run sheet states the gap. None: the LP's own optimum."""


# --- what the workbook says --------------------------------------------------------------


def worst_scenario(results: Results) -> str:
    """The scenario with the largest shortage cost (the largest total cost if none is
    short)."""
    costs = results.scenario_costs
    key = "shortage_cost" if (costs["shortage_cost"] > 0).any() else "total_cost"
    return str(costs.loc[costs[key].idxmax(), "scenario"])


def cost_split(case: Case, results: Results) -> pd.DataFrame:
    """The expected annual cost by account: the insurance (stage one, per year) and
    k · Σ_ω π_ω × each scenario account."""
    costs = results.scenario_costs
    k = case.settings.horizon_weight
    weight = costs["probability"].to_numpy() * k
    accounts = [("insurance: stock", float(results.stockpiles["yearly_cost"].sum())),
                ("insurance: spare capacity", float(results.spare_capacity["yearly_cost"].sum()))]
    if not results.contracts.empty:
        accounts.append(("insurance: supply contracts",
                         float(results.contracts["yearly_cost"].sum())))
    for name, label in (("production_cost", "production"), ("import_cost", "imports"),
                        ("shipping_cost", "shipping"), ("refill_cost", "refilling drawn stock"),
                        ("shortage_cost", "shortage penalty")):
        accounts.append((label, float(weight @ costs[name].to_numpy())))
    if has_restraint(case):
        accounts.append(("demand restraint",
                         float(weight @ costs["restraint_cost"].to_numpy())))
    return pd.DataFrame(accounts, columns=["figure", "amount"])


def sharing_load(results: Results) -> pd.DataFrame:
    """Per scenario and link that carries anything: units over the horizon, cost, the
    first period used and the peak units in one period."""
    ships = results.shipments
    if ships.empty:
        return pd.DataFrame(columns=["scenario", "from", "to", "good", "units", "cost",
                                     "first_period", "peak_units"])
    grouped = ships.groupby(["scenario", "from", "to", "good"], sort=False)
    table = grouped.agg(units=("units", "sum"), cost=("cost", "sum"),
                        first_period=("period_sent", "min"),
                        peak_units=("units", "max")).reset_index()
    return table.loc[table["units"] > 0].reset_index(drop=True)


def shadow_price_meanings(table: pd.DataFrame, case: Case) -> list[str]:
    """One sentence per shadow price, in a planner's words."""
    currency, period = case.settings.currency, case.settings.period_unit
    objective = case.settings.objective
    measure = ("expected cost" if objective == "expected"
               else f"the objective minimised ({objective})")
    sentences = []
    for row in table.itertuples(index=False):
        unit = case.goods[row.good].unit if row.good in case.goods else "unit"
        value, limit = row.value, row.limit_value
        worth = f"{_amount(abs(value))} {currency} a year"
        if row.limit == "storage limit":
            sentences.append(
                f"Storage for {row.good} in {row.country} is full at {_amount(limit)} {unit}: "
                f"one more {unit} of storage would save {worth}.")
        elif row.limit == "stock floor":
            sentences.append(
                f"The mandated floor of {_amount(limit)} {unit} of {row.good} in "
                f"{row.country} costs money: lowering it by one {unit} would save {worth}.")
        elif row.limit == "spare limit":
            sentences.append(
                f"One more {unit} per {period} of spare-capacity limit for {row.good} in "
                f"{row.country} (now {_amount(limit)}) would save {worth}." if value > 0 else
                f"The spare-capacity limit for {row.good} in {row.country} does not bind: "
                "raising it would save nothing.")
        elif row.limit == "link capacity":
            sentences.append(
                f"One more {unit} per {period} of capacity on the link {row.country} → "
                f"{row.to} for {row.good} (now {_amount(limit)}) would save {worth}."
                if value > 0 else
                f"The link {row.country} → {row.to} for {row.good} never runs full: more "
                "capacity would save nothing.")
        elif row.limit == "budget":
            sentences.append(
                f"One more {currency} a year of budget for {row.country} (now "
                f"{_amount(limit)}) would lower the expected cost by {_amount(value)} "
                f"{currency} a year." if value > 0 else
                f"The budget of {row.country} does not bind: more would save nothing.")
        elif row.limit == "purchase budget":
            sentences.append(
                f"One more {currency} of {row.country}'s purchase budget (one-time, now "
                f"{_amount(limit)}) would save {worth} in {measure}." if value > 0 else
                f"The purchase budget of {row.country} does not bind: more would save "
                "nothing.")
        elif row.limit == "alliance budget":
            sentences.append(
                f"One more {currency} a year of the alliance's budget (all allies together, "
                f"now {_amount(limit)}) would save {worth} in {measure}." if value > 0
                else "The alliance's budget does not bind: more would save nothing.")
        elif row.limit == "alliance purchase budget":
            sentences.append(
                f"One more {currency} of the alliance's purchase budget (one-time, all allies "
                f"together, now {_amount(limit)}) would save {worth} in {measure}."
                if value > 0 else
                "The alliance's purchase budget does not bind: more would save nothing.")
        else:
            sentences.append("")
    return sentences


def _amount(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no limit"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value else "0"


def input_tables(case: Case) -> list[tuple[str, pd.DataFrame]]:
    """The case's own tables as the model read them (defaults filled in, '*' in Sharing,
    Recipes and ShortageTiers expanded), in the schema's order and column names;
    ShortageTiers only in a case that has tiers."""
    settings = case.settings
    records: dict[str, list[tuple]] = {
        "Settings": [(setting.key, getattr(settings, setting.key)) for setting in SETTINGS],
        "Countries": [(k, c.role, c.budget, c.purchase_budget)
                      for k, c in case.countries.items()],
        "Goods": [(k, g.unit, g.shortage_penalty) for k, g in case.goods.items()],
        "Demand": [(*k, d.demand, d.shortage_penalty, d.restraint_share,
                    d.restraint_cost if d.restraint_share > 0 else None)
                   for k, d in case.demand.items()],
        "Production": [(*k, p.capacity, p.unit_cost, p.spare_cost, p.spare_max,
                        p.ramp_periods) for k, p in case.production.items()],
        "Recipes": [(*k, i, ratio) for k, inputs in case.recipes.items()
                    for i, ratio in inputs.items()],
        "Imports": [(*k, r.volume, r.unit_cost, r.extra_max, r.extra_cost)
                    for k, r in case.imports.items()],
        "Stockpiles": [(*k, s.initial, s.min, s.min_days, s.min_days_basis, s.max,
                        s.purchase_cost, s.holding_cost, s.refill_cost, s.loss_rate,
                        s.max_draw, s.release_lag) for k, s in case.stockpiles.items()],
        "Sharing": [(*k, s.lead_periods, s.unit_cost, s.capacity, s.activation_lag)
                    for k, s in case.sharing.items()],
        **({"ShortageTiers": [(g, n, share, penalty) for (n, g), tiers in case.tiers.items()
                              for share, penalty in tiers]} if case.tiers else {}),
        "Scenarios": [(k, s.probability, s.description) for k, s in case.scenarios.items()],
        "Disruptions": [(d.scenario, d.kind, d.country, d.partner, d.good, d.start, d.end,
                         d.factor) for d in case.disruptions],
    }
    tables = []
    for sheet in SHEETS:
        rows = records.get(sheet.name)
        if rows is None:
            continue
        names = [c.name for c in sheet.columns]
        units = {c.name: c.unit for c in sheet.columns}
        frame = pd.DataFrame(rows, columns=names, dtype=object)
        frame.attrs["units"] = units
        tables.append((sheet.name, frame))
    return tables


# --- the writer --------------------------------------------------------------------------


@dataclass
class Formats:
    """The workbook's cell formats, made once."""

    book: xlsxwriter.Workbook
    cache: dict = field(default_factory=dict)

    def get(self, **properties) -> object:
        key = tuple(sorted(properties.items()))
        if key not in self.cache:
            self.cache[key] = self.book.add_format(properties)
        return self.cache[key]

    def number(self, fmt: str, **extra):
        return self.get(num_format=fmt, **extra) if fmt != GENERAL else self.get(**extra)


class Sheet:
    """A worksheet with the write helpers every sheet uses."""

    def __init__(self, writer: DecisionWriter, name: str):
        self.writer = writer
        self.name = name
        self.ws = writer.book.add_worksheet(name)
        self.formats = writer.formats
        self.widths: dict[int, float] = {}
        """Column widths fitted to every table of the sheet (the widest wins)."""
        self.headers: list[tuple[int, dict[int, str]]] = []
        self.wrapped: list[tuple[int, int, str]] = []
        self.sentence: str | None = None
        writer.sheets.append(self)

    def fit(self, col: int, width: float) -> None:
        self.widths[col] = max(self.widths.get(col, 0.0), width)

    def finish(self) -> None:
        """Set the fitted widths, then the heights of rows whose text wraps (the header
        rows of tables, wrapped cells, the sentence under the title): neither Excel nor
        LibreOffice grows a row for wrapped text written by a library."""
        ws = self.ws
        for col, width in self.widths.items():
            ws.set_column(col, col, width)
        heights: dict[int, int] = {}
        for row, labels in self.headers:
            lines = max((_lines(len(label) + 3, self.widths.get(col, 8.43), bold=True)
                         for col, label in labels.items()), default=1)
            heights[row] = max(heights.get(row, 1), min(lines, 4))
        for row, col, text in self.wrapped:
            lines = sum(_lines(len(part), self.widths.get(col, 8.43) - 1)
                        for part in text.split("\n"))
            heights[row] = max(heights.get(row, 1), lines)
        if self.sentence:
            last = max(self.widths, default=0)
            total = sum(self.widths.get(c, 8.43) for c in range(last + 1))
            fmt = self.formats.get(italic=True, text_wrap=True, valign="top")
            if last > 0:
                ws.merge_range(1, 0, 1, last, "", fmt)
            self.text(1, 0, self.sentence, italic=True, text_wrap=True, valign="top")
            heights[1] = max(heights.get(1, 1), _lines(len(self.sentence), max(total, 60)))
        for row, lines in heights.items():
            if lines > 1:
                ws.set_row(row, 15 * lines + 2)

    def text(self, row: int, col: int, value: object, **properties) -> None:
        """A string cell equal to `value`, quote-prefixed if it looks like a formula."""
        if value is None:
            return
        value = str(value)
        if not value:
            return
        if looks_like_formula(value):
            properties = {**properties, "quote_prefix": True}
        self.ws.write_string(row, col, value,
                             self.formats.get(**properties) if properties else None)

    def value(self, row: int, col: int, value: object, number_format: str = GENERAL,
              **properties) -> None:
        """Any value: a number with its format, a bool as "yes"/"no" (a reader's words,
        not Excel's TRUE/FALSE), text (as `text`), or nothing."""
        if value is None or value is pd.NA:
            return
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, bool):
            self.text(row, col, "yes" if value else "no", **properties)
        elif isinstance(value, int | float):
            if isinstance(value, float) and math.isnan(value):
                return
            if isinstance(value, float) and math.isinf(value):
                self.text(row, col, "no limit" if value > 0 else "-inf", **properties)
                return
            fmt = self.formats.number(number_format, **properties)
            self.ws.write_number(row, col, value, fmt)
        else:
            self.text(row, col, value, **properties)

    def column_of_values(self, row: int, col: int, values: list, number_format: str) -> None:
        """`values` down from (row, col), top-aligned, as `value` writes each; text (most
        of such a column) with its two formats looked up once rather than per cell."""
        plain = self.formats.get(valign="top")
        quoted = self.formats.get(valign="top", quote_prefix=True)
        for i, value in enumerate(values):
            if type(value) is str:
                if value:
                    self.ws.write_string(row + i, col, value,
                                         quoted if looks_like_formula(value) else plain)
            else:
                self.value(row + i, col, value, number_format, valign="top")

    def link(self, row: int, col: int, target: str, label: str, **properties) -> None:
        """A link to cell A1 of another sheet of this workbook (no formula)."""
        quoted = target.replace("'", "''")
        fmt = self.formats.get(font_color="blue", underline=1, **properties)
        self.ws.write_url(row, col, f"internal:'{quoted}'!A1", fmt, string=label)

    def heading(self, title: str, sentence: str | None = None) -> None:
        self.text(0, 0, title, bold=True, font_size=14, font_color=ACCENT)
        self.sentence = sentence
        if self.name != "Summary":
            self.link(2, 0, "Summary", "◂ back to the Summary")

    def print_setup(self, header_row: int | None = None, tall: int = 0) -> None:
        ws = self.ws
        ws.set_landscape()
        ws.set_paper(PAPER_A4)
        ws.fit_to_pages(1, tall)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        if header_row is not None:
            ws.repeat_rows(header_row)
        ws.set_footer("&L&A&CPage &P of &N&R" + self.writer.footer.replace("&", "&&"))


class DecisionWriter:
    def __init__(self, path: Path, case: Case, results: Results, run: RunInfo):
        self.case, self.results, self.run = case, results, run
        self.currency = case.settings.currency
        self.book = xlsxwriter.Workbook(str(path), {
            "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "nan_inf_to_errors": False})
        self.formats = Formats(self.book)
        self.footer = f"{case.name}: {run.status}"
        self.table_names: set[str] = set()
        self.sheets: list[Sheet] = []
        self.sheet_notes: list[tuple[str, str]] = []  # (sheet, what it holds)
        self.risk = risk_profile(case, results, run.extras.expected_plan if run.extras
                                 else None)

    # --- tables ------------------------------------------------------------------------

    def table_sheet(self, name: str, title: str, sentence: str, frame: pd.DataFrame, *,
                    headers: dict[str, str] | None = None,
                    formats: dict[str, str] | None = None,
                    wrap: Sequence[str] = (), note: str | None = None) -> Sheet:
        sheet = Sheet(self, name)
        sheet.heading(title, sentence)
        if note:
            sheet.text(2, 3, note, italic=True)
        self.table(sheet, HEADER_ROW, 0, frame, headers=headers, formats=formats, wrap=wrap,
                   name=name)
        sheet.ws.freeze_panes(HEADER_ROW + 1, 0)
        sheet.print_setup(header_row=HEADER_ROW)
        self.sheet_notes.append((name, sentence))
        return sheet

    def table(self, sheet: Sheet, top: int, left: int, frame: pd.DataFrame, *,
              headers: dict[str, str] | None = None, formats: dict[str, str] | None = None,
              wrap: Sequence[str] = (), name: str | None = None
              ) -> tuple[int, int, int, int]:
        """`frame` as an Excel table with its header at (top, left): labelled and
        formatted from `optimizer.results.columns` unless `headers`/`formats` say
        otherwise; a colour scale on fill rates and data bars on shortfalls. Returns the
        table's range (first row, first col, last row, last col)."""
        headers = headers or {}
        formats = formats or {}
        ws = sheet.ws
        labels, number_formats = [], []
        for col in frame.columns:
            if col in headers:
                labels.append(headers[col])
                number_formats.append(formats.get(col, GENERAL))
            else:
                info = column(col)
                labels.append(info.header(self.currency))
                number_formats.append(formats.get(col, info.number_format))
        count = len(frame)
        last_row = top + max(count, 1)
        last_col = left + len(frame.columns) - 1
        columns = frame.columns.tolist()
        for j, col in enumerate(columns):
            values = frame[col].tolist()
            number_format = number_formats[j]
            wrapped = col in wrap
            series = frame[col]
            if (not wrapped and isinstance(series.dtype, np.dtype)
                    and series.dtype.kind in "fiu"):  # numbers: one format, no per-cell checks
                fmt = self.formats.number(number_format, valign="top")
                write_number = ws.write_number
                for i, value in enumerate(values):
                    if value != value:  # NaN: no cell
                        continue
                    if math.isinf(value):
                        sheet.value(top + 1 + i, left + j, value, number_format, valign="top")
                    else:
                        write_number(top + 1 + i, left + j, value, fmt)
                continue
            if not wrapped:
                sheet.column_of_values(top + 1, left + j, values, number_format)
                continue
            for i, value in enumerate(values):  # wrapped text: its rows grow to fit
                sheet.value(top + 1 + i, left + j, value, number_format, text_wrap=True,
                            valign="top")
                if isinstance(value, str):
                    sheet.wrapped.append((top + 1 + i, left + j, value))
        table_name = self._table_name(name or sheet.name)
        header_format = self.formats.get(bold=True, text_wrap=True, valign="top",
                                         font_color="white", bg_color=ACCENT)
        quoted_header = self.formats.get(bold=True, text_wrap=True, valign="top",
                                         font_color="white", bg_color=ACCENT,
                                         quote_prefix=True)
        ws.add_table(top, left, last_row, last_col, {
            "name": table_name, "style": TABLE_STYLE, "autofilter": True,
            "banded_rows": True,
            "columns": [{"header": label,
                         "header_format": quoted_header if looks_like_formula(label)
                         else header_format,
                         "format": self.formats.number(fmt) if fmt != GENERAL else None}
                        for label, fmt in zip(labels, number_formats, strict=True)]})
        if count:
            for j, col in enumerate(columns):
                if col == "fill_rate":
                    ws.conditional_format(top + 1, left + j, last_row, left + j, {
                        "type": "3_color_scale", "min_type": "num", "min_value": 0,
                        "min_color": RED, "mid_type": "num", "mid_value": 0.9,
                        "mid_color": YELLOW, "max_type": "num", "max_value": 1,
                        "max_color": GREEN})
                elif col in ("short", "with_plan", "without_plan", "together", "alone"):
                    ws.conditional_format(top + 1, left + j, last_row, left + j, {
                        "type": "data_bar", "bar_color": BAR, "bar_solid": True})
        for j, col in enumerate(columns):
            sheet.fit(left + j, _fit_width(labels[j], frame[col], number_formats[j],
                                           col in wrap))
        sheet.headers.append((top, {left + j: label for j, label in enumerate(labels)}))
        return top, left, last_row, last_col

    def _table_name(self, name: str) -> str:
        base = "t_" + re.sub(r"\W", "_", name, flags=re.ASCII)
        candidate, k = base, 2
        while candidate.casefold() in self.table_names:
            candidate, k = f"{base}_{k}", k + 1
        self.table_names.add(candidate.casefold())
        return candidate

    # --- the workbook ------------------------------------------------------------------

    def write(self) -> None:
        extras = self.run.extras
        summary = Sheet(self, "Summary")
        charts = Sheet(self, "Charts")
        self.sheet_notes.append(("Charts", "the plan in pictures"))
        self._result_sheets()
        write_lever_sheets(self)
        self._extras_sheets(extras)
        write_risk_sheet(self, self.risk)
        write_fairness_sheet(self, extras)
        self._run_sheet()
        chart_data = Sheet(self, "Chart data")
        self.sheet_notes.append(("Chart data", "the figures every chart draws"))
        self._charts(charts, chart_data)
        write_concentration_sheet(self)
        inputs = self._input_sheets()
        self._summary(summary, inputs)
        for sheet in self.sheets:
            if sheet.name not in ("Summary", "Charts"):
                sheet.finish()
        summary.ws.activate()
        self._properties()
        self.book.close()

    def _result_sheets(self) -> None:
        case, results = self.case, self.results
        c = self.currency
        self.table_sheet("Stockpiles", "Stockpiles",
                         "What each ally should hold of each good, what it costs, and the days "
                         "of demand it covers.", results.stockpiles)
        self.table_sheet("Spare capacity", "Spare capacity",
                         "Production capacity to reserve now, to run after a disruption "
                         "(once its ramp-up from the onset is over).", results.spare_capacity)
        self.table_sheet("Sharing", "Sharing between allies",
                         "Which link carries how much in which scenario: units over the "
                         "horizon, the first period used and the busiest period (every "
                         "shipment by period is in the detail workbook).", sharing_load(results))
        self.table_sheet("Purchases by ally", "Purchases by ally",
                         f"Each ally's one-time purchase ({c}) beside the yearly cost of its "
                         f"insurance ({c}/year) and its budgets.", results.purchases)
        self.table_sheet("Shortfalls", "Shortfalls",
                         "Every period in which an ally is short of a good, in each scenario "
                         "that remains short even with the plan.", results.shortfalls)
        self.table_sheet("Fill rates", "Fill rates",
                         "Share of demand met over the horizon, per scenario, ally and good.",
                         results.fill_rates)
        self.table_sheet("Scenario costs", "Scenario costs",
                         f"Each scenario's probability and its cost over the horizon by account "
                         f"({c}).", results.scenario_costs, wrap=("description",))
        self.table_sheet("Processing", "Processing",
                         "Units made from recipe inputs over the horizon and the input they "
                         "used, per scenario.", results.processing)
        prices = results.shadow_prices.copy()
        prices = prices.iloc[np.argsort(-prices["value"].abs().to_numpy(), kind="stable")]
        prices["meaning"] = shadow_price_meanings(prices, case)
        self.table_sheet("Shadow prices", "Marginal values",
                         f"What one more unit of each limit is worth, in expected cost "
                         f"({c}/year; positive: a saving), with what it means; the limits "
                         "that matter most first.", prices,
                         wrap=("meaning",))

    def _tables_below(self, sheet, rows_above: int, tables: list) -> None:
        """Further (title, frame, table name) tables under a sheet's first table of
        `rows_above` rows, each with its title in bold and two blank rows between."""
        top = HEADER_ROW + max(rows_above, 1) + 3
        for title, frame, name in tables:
            sheet.text(top - 1, 0, title, bold=True)
            self.table(sheet, top, 0, frame, name=name)
            top += max(len(frame), 1) + 3

    def _extras_sheets(self, extras: Extras | None) -> None:
        c = self.currency
        off = "Not computed: the extra solves were turned off (--no-extras)."
        plan = extras.plan if extras else None
        if plan is not None:
            frame = plan.expected_shortfall()
            worst = plan.worst_shortfall()
            sheet = self.table_sheet(
                "Value of the plan", "Value of the plan", plan.meaning(c), frame)
            self._tables_below(sheet, len(frame), [
                ("Shortfall in the worst scenario, per good (units over the horizon)",
                 worst, "Value of the plan worst"),
                ("Shortfall per scenario and good, with and without the plan (units over "
                 "the horizon)", plan.shortfall, "Value of the plan scenarios")])
        else:
            self._empty_sheet("Value of the plan", off if extras is None else
                              "Not computed: the re-solve did not reach optimality.")
        coop = extras.cooperation if extras else None
        if coop is not None:
            sheet = self.table_sheet("Cooperation", "Value of cooperation", coop.meaning(c),
                                     coop.allies)
            self._tables_below(sheet, len(coop.allies), [
                ("Expected shortfall per ally and good, together and alone (units over the "
                 "horizon)", coop.shortfall, "Cooperation shortfall")])
        else:
            self._empty_sheet("Cooperation", off if extras is None else
                              "Not computed: the re-solve did not reach optimality.")
        evpi, vss = (extras.evpi, extras.vss) if extras else (None, None)
        if evpi is None and vss is None:
            self._empty_sheet("Uncertainty", off if extras is None else
                              "Not computed: a re-solve did not reach optimality.")
            return
        rows = []
        if evpi is not None:
            rows += [("here-and-now plan (this plan)", evpi.here_and_now),
                     ("wait-and-see: Σ π × each scenario planned for alone", evpi.wait_and_see),
                     ("EVPI: expected value of perfect information", evpi.value)]
        if vss is not None:
            rows += [("plan for the average scenario, faced with every scenario",
                      vss.average_plan_cost),
                     ("the average scenario's own cost", vss.average_scenario_cost),
                     ("VSS: value of the stochastic solution", vss.value)]
        sentence = " ".join(x.meaning(c) for x in (evpi, vss) if x is not None)
        frame = pd.DataFrame(rows, columns=["figure", "amount"])
        sheet = self.table_sheet("Uncertainty", "Value of planning for uncertainty", sentence,
                                 frame)
        top = HEADER_ROW + len(frame) + 3
        if evpi is not None:
            sheet.text(top - 1, 0, "Each scenario planned for alone (wait-and-see)", bold=True)
            self.table(sheet, top, 0, evpi.by_scenario, name="Uncertainty wait and see")
            top += len(evpi.by_scenario) + 3
        if vss is not None:
            sheet.text(top - 1, 0, "This plan against the plan for the average scenario",
                       bold=True)
            self.table(sheet, top, 0, vss.plans, name="Uncertainty plans")

    def _empty_sheet(self, name: str, sentence: str) -> None:
        sheet = Sheet(self, name)
        sheet.heading(name, sentence)
        sheet.ws.set_column(0, 0, 90)
        sheet.print_setup()
        self.sheet_notes.append((name, sentence))

    def _run_sheet(self) -> None:
        run, case = self.run, self.case
        sheet = Sheet(self, "Run")
        sheet.heading("The run", "Where every figure of this workbook comes from.")
        rows: list[tuple[str, object]] = [
            ("Case", case.name),
            ("Input file", run.case_file),
            ("Input file SHA-256", run.sha256),
            ("Tool", f"stockpile {run.tool_version}"),
            ("Solver", f"{run.solver_name} {run.solver_version or ''}".strip()),
            ("Status", run.status),
            ("Solver status", run.solver_status),
            ("Gap", self._gap_in_words()),
            ("Solver time (s)", run.solver_seconds),
        ]
        if run.lp_size:
            rows += [("LP columns", run.lp_size[0]), ("LP rows", run.lp_size[1]),
                     ("LP nonzeros", run.lp_size[2])]
        if run.detail_file:
            rows.append(("Detail workbook", run.detail_file))
        rows.append(("Written", datetime.now().strftime("%Y-%m-%d %H:%M:%S")))
        row = HEADER_ROW
        for label, value in rows:
            sheet.text(row, 0, label, bold=True)
            sheet.value(row, 1, value, AMOUNT if isinstance(value, float) else GENERAL)
            row += 1
        row += 1
        settings = [(f.replace("_", " "), getattr(case.settings, f)) for f in (
            "periods", "period_unit", "period_days", "currency", "capital_rate",
            "periods_per_year", "objective", "cvar_alpha", "risk_weight", "fairness",
            "fairness_weight", "release_rule")] + list(run.settings)
        sections = [
            ("Settings of the case and of the run",
             pd.DataFrame(settings, columns=["setting", "value"], dtype=object), "Run settings"),
            ("Time per phase (s)", pd.DataFrame(list(run.timings.items()),
                                                columns=["phase", "seconds"]), "Run timings"),
        ]
        solves = run.extras.solves if run.extras else []
        sections.append(("Extra solves" + ("" if run.extras else
                                           " (turned off: --no-extras)"),
                         pd.DataFrame([(s.name, s.status, s.seconds, s.objective)
                                       for s in solves],
                                      columns=["solve", "status", "seconds", "objective"]),
                         "Run extra solves"))
        sections.append(("Warnings", pd.DataFrame({"warning": run.warnings or []},
                                                  dtype=object), "Run warnings"))
        for title, frame, table_name in sections:
            sheet.text(row, 0, title, bold=True, font_size=12)
            headers = {"setting": "setting", "value": "value", "phase": "phase",
                       "warning": "warning"}
            self.table(sheet, row + 1, 0, frame, headers=headers, name=table_name,
                       wrap=("warning", "solve"))
            row += max(len(frame), 1) + 4
        sheet.fit(0, 44)
        sheet.fit(1, 70)
        sheet.print_setup()
        self.sheet_notes.append(("Run", "input file and SHA-256, versions, status, timings, "
                                        "settings, warnings and the extra solves"))

    def _gap_in_words(self) -> str:
        run, objective = self.run, self.results.objective
        if run.lower_bound is not None:
            gap = max(0.0, objective - run.lower_bound) / max(abs(objective), 1e-12)
            return (f"{gap:.4%}: the plan's cost {objective:,.2f} against the lower bound "
                    f"{run.lower_bound:,.2f} proven by the engine that found the plan")
        if run.status == "optimal":
            return "none: a linear program solved to optimality by the simplex method"
        return "unknown: HiGHS stopped before proving optimality"

    def _input_sheets(self) -> list[str]:
        names = []
        for sheet_name, frame in input_tables(self.case):
            units = frame.attrs.get("units", {})
            headers = {name: f"{name} ({unit.replace('currency', self.currency)})"
                       if unit and unit != "fraction" else name for name, unit in units.items()}
            name = f"Input {sheet_name}"
            self.table_sheet(name, f"Input: {sheet_name}",
                             "The case's own table, as the model read it (defaults filled "
                             "in, '*' expanded).", frame, headers=headers)
            names.append(name)
        return names

    # --- charts ------------------------------------------------------------------------

    def _charts(self, charts: Sheet, data: Sheet) -> None:
        case, results, extras = self.case, self.results, self.run.extras
        data.heading("Chart data", "The figures each chart draws, as values.")
        data.print_setup()
        charts.heading("Charts", "The plan in pictures; every chart is an Excel chart, "
                                 "editable, drawn from the tables of 'Chart data'.")
        charts.print_setup(tall=0)
        worst = worst_scenario(results)
        row = HEADER_ROW
        placed = []

        def block(title: str, frame: pd.DataFrame, headers: dict, formats: dict,
                  name: str) -> tuple[int, int, int, int]:
            nonlocal row
            data.text(row - 1, 0, title, bold=True)
            area = self.table(data, row, 0, frame, headers=headers, formats=formats,
                              name=name)
            row = area[2] + 4
            return area

        # 1. stock by ally and good
        stock = results.stockpiles.pivot_table(index="country", columns="good",
                                               values="level", aggfunc="sum", sort=False)
        stock = stock.reindex(index=[a for a in case.allies if a in stock.index])
        units = {g: case.goods[g].unit for g in stock.columns}
        frame = stock.reset_index()
        frame.columns = ["country", *[f"{g} ({units[g]})" for g in stock.columns]]
        area = block("Stock by ally and good (units of each good)", frame,
                     {c: c for c in frame.columns}, {c: AMOUNT for c in frame.columns[1:]},
                     "Chart stock")
        chart = self.book.add_chart({"type": "column"})
        for j in range(1, len(frame.columns)):
            chart.add_series(self._series(data, area, j))
        unit_label = _common_unit(units.values())
        self._finish(chart, "Stock to hold, by ally and good", "ally",
                     f"stock ({unit_label})")
        placed.append(chart)

        # 2. shortfall by scenario with and without the plan
        plan = extras.plan if extras else None
        if plan is not None:
            by = plan.shortfall.groupby("scenario", sort=False)[
                ["with_plan", "without_plan"]].sum().reindex(list(case.scenarios))
            frame = by.reset_index()
        else:
            short = results.fill_rates.groupby("scenario", sort=False)["short"].sum()
            frame = pd.DataFrame({"scenario": list(case.scenarios),
                                  "with_plan": [float(short.get(s, 0.0))
                                                for s in case.scenarios]})
        unit_label = _common_unit(g.unit for g in case.goods.values())
        area = block(f"Shortfall by scenario ({unit_label} over the horizon, all goods)",
                     frame, {"scenario": "scenario", "with_plan": "with the plan",
                             "without_plan": "without new insurance"},
                     {"with_plan": AMOUNT, "without_plan": AMOUNT}, "Chart shortfall")
        chart = self.book.add_chart({"type": "column"})
        for j in range(1, len(frame.columns)):
            chart.add_series(self._series(data, area, j))
        self._finish(chart, "Shortfall by scenario, with and without the plan", "scenario",
                     f"short over the horizon ({unit_label})")
        placed.append(chart)

        # 3. fill rate by ally over the periods of the worst scenario
        plan_rows = results.supply_plan.loc[results.supply_plan["scenario"] == worst]
        grouped = plan_rows.groupby(["period", "country"], sort=False)[
            ["demand", "short"]].sum()
        rate = (1.0 - grouped["short"] / grouped["demand"].where(grouped["demand"] > 0))
        rate = rate.unstack("country")
        allies = [a for a in case.allies if a in rate.columns]
        frame = rate[allies].reset_index()
        frame.columns = ["period", *allies]
        area = block(f"Fill rate by ally in each period of the worst scenario ({worst})",
                     frame, {c: str(c) for c in frame.columns},
                     {a: PERCENT for a in allies}, "Chart fill rate")
        chart = self.book.add_chart({"type": "line"})
        for j in range(1, len(frame.columns)):
            chart.add_series({**self._series(data, area, j), "marker": {"type": "circle",
                                                                        "size": 4}})
        self._finish(chart, f"Fill rate by ally in the worst scenario: {worst}",
                     f"period ({case.settings.period_unit})", "share of demand met")
        chart.set_y_axis({"name": "share of demand met", "num_format": "0%", "min": 0,
                          "max": 1, "major_gridlines": {"visible": True}})
        placed.append(chart)

        # 4. the cost split
        frame = cost_split(case, results)
        area = block(f"Expected annual cost by account ({self.currency}/year)", frame,
                     {"figure": "account", "amount": f"amount ({self.currency}/year)"},
                     {"amount": WHOLE}, "Chart cost split")
        chart = self.book.add_chart({"type": "bar"})
        chart.add_series({**self._series(data, area, 1), "data_labels": {
            "value": True, "num_format": "#,##0"}})
        self._finish(chart, "Expected annual cost: insurance and expected disruption cost",
                     f"{self.currency}/year", "account", legend=False)
        # (in a bar chart XlsxWriter's x axis is the horizontal one: here the values)
        chart.set_x_axis({"name": f"{self.currency}/year", "num_format": "#,##0",
                          "major_gridlines": {"visible": True}})
        chart.set_y_axis({"name": "account", "reverse": True})
        placed.append(chart)

        # 5. supply by source in the worst scenario
        demanded = plan_rows.loc[plan_rows["demand"] > 0]
        sources = demanded.groupby("period", sort=True)[
            ["produced", "imported", "drawn", "received", "short"]].sum().reset_index()
        area = block(f"Supply by source in the worst scenario ({worst}), goods with demand "
                     f"({_common_unit(g.unit for g in case.goods.values())})", sources,
                     {"period": "period", "produced": "production", "imported": "imports",
                      "drawn": "stock", "received": "sharing", "short": "short"},
                     {c: AMOUNT for c in sources.columns[1:]}, "Chart supply")
        chart = self.book.add_chart({"type": "column", "subtype": "stacked"})
        for j in range(1, len(sources.columns)):
            chart.add_series({**self._series(data, area, j), "gap": 50})
        self._finish(chart, f"Supply by source in the worst scenario: {worst}",
                     f"period ({case.settings.period_unit})",
                     f"units ({_common_unit(g.unit for g in case.goods.values())})")
        placed.append(chart)

        # a chart with nothing to draw (a case with no stockpile) is left out
        for k, chart in enumerate(c for c in placed if c.series):
            chart.set_size({"width": 620, "height": 330})
            charts.ws.insert_chart(HEADER_ROW + 1 + (k // 2) * 18, (k % 2) * 9, chart,
                                   {"x_offset": 5, "y_offset": 5})
        charts.ws.set_column(0, 17, 9.3)
        charts.ws.hide_gridlines(2)

    def _series(self, sheet: Sheet, area: tuple[int, int, int, int], j: int) -> dict:
        top, left, last, _ = area
        return {"name": [sheet.name, top, left + j],
                "categories": [sheet.name, top + 1, left, last, left],
                "values": [sheet.name, top + 1, left + j, last, left + j]}

    def _finish(self, chart, title: str, x_title: str, y_title: str,
                legend: bool = True) -> None:
        chart.set_title({"name": title, "name_font": {"size": 12}})
        chart.set_x_axis({"name": x_title})
        chart.set_y_axis({"name": y_title, "num_format": "#,##0",
                          "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"} if legend else {"none": True})

    # --- the summary -------------------------------------------------------------------

    def _summary(self, sheet: Sheet, inputs: list[str]) -> None:
        case, results, run = self.case, self.results, self.run
        extras = run.extras
        c = self.currency
        ws = sheet.ws
        sheet.text(0, 0, f"{TITLE}: {case.name}", bold=True, font_size=16, font_color=ACCENT)
        status = ("solved to proven optimality" if run.status == "optimal" else
                  f"NOT proven optimal ({run.status})")
        sheet.text(1, 0, f"{status} by {run.solver_name} {run.solver_version or ''} · case "
                   f"file {run.case_file or case.name} · SHA-256 "
                   f"{(run.sha256 or '')[:16]}… · stockpile {run.tool_version} · "
                   f"{datetime.now():%Y-%m-%d}", italic=True, font_color="#595959")
        money = self.formats.number(WHOLE)
        bold_money = self.formats.number(WHOLE, bold=True)
        section = {"bold": True, "font_color": "white", "bg_color": ACCENT}

        row = 3
        sheet.text(row, 0, "The cost of the plan", **section)
        sheet.text(row, 1, f"{c}/year", **section)
        row += 1
        stock_cost = float(results.stockpiles["yearly_cost"].sum())
        spare_cost = float(results.spare_capacity["yearly_cost"].sum())
        settings = case.settings
        expected_cost = (results.objective if settings.objective == "expected" else
                         results.stage_one_cost + results.expected_scenario_cost)
        contracts = ([("  insurance: supply contracts",
                       float(results.contracts["yearly_cost"].sum()), money, False)]
                     if not results.contracts.empty else [])
        for label, value, fmt, bold in [
                ("Expected annual cost", expected_cost, bold_money, True),
                ("  insurance: stockpiles", stock_cost, money, False),
                ("  insurance: spare capacity", spare_cost, money, False), *contracts,
                ("  expected disruption cost (supply in every scenario)",
                 results.expected_scenario_cost, money, False),
                *summary_cost_rows(case, results, money)]:
            sheet.text(row, 0, label, bold=bold)
            ws.write_number(row, 1, value, fmt)
            row += 1
        sheet.text(row, 0, f"One-time stock purchases ({c}, once)")
        ws.write_number(row, 1, float(results.stockpiles["purchase_outlay"].sum()), money)
        row += 1
        if settings.objective != "expected":
            sheet.text(row, 0, "Minimised: " + objective_in_words(
                settings.objective, settings.cvar_alpha, settings.risk_weight), bold=True)
            ws.write_number(row, 1, results.objective, bold_money)
            row += 1
        row += 1

        sheet.text(row, 0, "What the plan buys", **section)
        ws.set_row(row, 32)
        for j, label in enumerate(("with the plan", "without new insurance", "difference"),
                                  start=1):
            sheet.text(row, j, label, text_wrap=True, **section)
        row += 1
        plan = extras.plan if extras else None
        if plan is not None:
            sheet.text(row, 0, f"Expected annual cost ({c}/year)" if settings.objective
                       == "expected" else f"Annual cost by the objective, {settings.objective} "
                       f"({c}/year)")
            for j, value in enumerate((plan.cost_with_plan, plan.cost_without_plan,
                                       plan.cost_difference), start=1):
                ws.write_number(row, j, value, money)
            row += 1
            amount = self.formats.number(AMOUNT)
            for unit, e_with, e_without, w_with, w_without, s_with, s_without in plan.by_unit():
                sheet.text(row, 0, f"Expected shortfall ({unit} over the horizon)")
                for j, value in enumerate((e_with, e_without, e_without - e_with), start=1):
                    ws.write_number(row, j, value, amount)
                row += 1
                sheet.text(row, 0, f"Shortfall in the worst scenario ({unit})")
                for j, value in enumerate((w_with, w_without, w_without - w_with), start=1):
                    ws.write_number(row, j, value, amount)
                row += 1
                sheet.text(row, 0, "  worst scenario", italic=True)
                sheet.text(row, 1, s_with, italic=True)
                sheet.text(row, 2, s_without, italic=True)
                row += 1
        else:
            sheet.text(row, 0, "Not computed (--no-extras)" if extras is None else
                       "Not computed: the re-solve did not reach optimality", italic=True)
            row += 1
        row += 1
        sheet.text(row, 0, "The value of cooperation and of planning for uncertainty",
                   **section)
        sheet.text(row, 1, f"{c}/year", **section)
        row += 1
        for label, target, figure in [
                ("Saving from sharing between allies", "Cooperation",
                 extras.cooperation.saving if extras and extras.cooperation else None),
                ("EVPI: worth of knowing the scenario in advance", "Uncertainty",
                 extras.evpi.value if extras and extras.evpi else None),
                ("VSS: worth of planning for every scenario, not the average", "Uncertainty",
                 extras.vss.value if extras and extras.vss else None),
                (f"Risk: CVaR at α = {self.risk.alpha:g}, the mean scenario cost of the "
                 f"worst {1 - self.risk.alpha:.0%}", "Risk", self.risk.cvar),
                *summary_value_rows(case, extras)]:
            sheet.link(row, 0, target, label)
            if figure is None:
                sheet.text(row, 1, "not computed", italic=True)
            else:
                ws.write_number(row, 1, figure, money)
            row += 1
        left_end = row

        # the recommendation, on the right
        col = 5
        row = 3
        stock = results.stockpiles.loc[(results.stockpiles["level"] > 0)]
        row = self._summary_list(
            sheet, row, col, "Stock to hold", "Stockpiles",
            ["ally", "good", "level", "unit", "cover (days)"],
            [(r.country, r.good, r.level, r.unit, r.days_of_cover)
             for r in stock.sort_values("level", ascending=False).itertuples()],
            [GENERAL, GENERAL, AMOUNT, GENERAL, WHOLE])
        spare = results.spare_capacity.loc[results.spare_capacity["reserved"] > 0]
        period = case.settings.period_unit
        row = self._summary_list(
            sheet, row + 1, col, "Spare capacity to reserve", "Spare capacity",
            ["ally", "good", f"per {period}", "unit"],
            [(r.country, r.good, r.reserved, r.unit)
             for r in spare.sort_values("reserved", ascending=False).itertuples()],
            [GENERAL, GENERAL, AMOUNT, GENERAL])
        if not results.contracts.empty:
            reserved = results.contracts.loc[results.contracts["reserved_extra"] > 0]
            row = self._summary_list(
                sheet, row + 1, col, "Supply contracts to reserve", "Supply contracts",
                ["origin → ally", "good", f"per {period}", "unit"],
                [(f"{r.origin} → {r.destination}", r.good, r.reserved_extra, r.unit)
                 for r in reserved.sort_values("reserved_extra", ascending=False
                                               ).itertuples()],
                [GENERAL, GENERAL, AMOUNT, GENERAL])
        load = sharing_load(results).sort_values("units", ascending=False)
        row = self._summary_list(
            sheet, row + 1, col, "Sharing that carries the load", "Sharing",
            ["from → to", "good", "scenario", "units", "from period"],
            [(f"{r[2]} → {r[3]}", r[4], r[1], r[5], r[7]) for r in load.itertuples()],
            [GENERAL, GENERAL, GENERAL, AMOUNT, GENERAL])
        flagged = concentration(results, extras.plan if extras else None)
        flagged = flagged.loc[flagged["over_benchmark"]].sort_values("largest_share",
                                                                     ascending=False)
        row = self._summary_list(
            sheet, row + 1, col, "Over 65 % from one supplier in normal times (EU CRMA)",
            "Concentration", ["ally", "good", "origin", "share", "HHI"],
            [(r.country, r.good, r.largest_origin, r.largest_share, r.hhi)
             for r in flagged.itertuples()], [GENERAL, GENERAL, GENERAL, PERCENT, WHOLE])

        # links to every sheet
        row = max(row, left_end) + 1
        sheet.text(row, 0, "Every sheet of this workbook", **section)
        for j in range(1, 10):
            ws.write_blank(row, j, None, self.formats.get(**section))
        row += 1
        names = [name for name, _ in self.sheet_notes if not name.startswith("Input ")]
        per_row = 5
        for k, name in enumerate(names):
            sheet.link(row + k // per_row, (k % per_row) * 2, name, name)
        row += (len(names) + per_row - 1) // per_row + 1
        sheet.text(row, 0, "The case as read:", italic=True)
        for k, name in enumerate(inputs):
            sheet.link(row + 1 + k // per_row, (k % per_row) * 2, name, name)
        if run.detail_file:
            row += 2 + (len(inputs) + per_row - 1) // per_row
            sheet.text(row, 0, f"Every shipment and the full supply plan of every scenario, "
                       f"period, ally and good: {run.detail_file}", italic=True)
        ws.set_column(0, 0, 50)
        ws.set_column(1, 3, 17)
        ws.set_column(4, 4, 3)
        ws.set_column(5, 5, 22)
        ws.set_column(6, 6, 11)
        ws.set_column(7, 7, 20)
        ws.set_column(8, 9, 12)
        ws.hide_gridlines(2)
        sheet.print_setup(tall=1)

    def _summary_list(self, sheet: Sheet, row: int, col: int, title: str, target: str,
                      header: list[str], rows: list[tuple], formats: list[str]) -> int:
        section = {"bold": True, "font_color": "white", "bg_color": ACCENT}
        sheet.text(row, col, title, **section)
        for j in range(1, len(header)):
            sheet.ws.write_blank(row, col + j, None, self.formats.get(**section))
        row += 1
        for j, label in enumerate(header):
            sheet.text(row, col + j, label, bold=True, bottom=1)
        row += 1
        if not rows:
            sheet.text(row, col, "none", italic=True)
            return row + 1
        for values in rows[:SUMMARY_LIST_ROWS]:
            for j, (value, fmt) in enumerate(zip(values, formats, strict=False)):
                sheet.value(row, col + j, value, fmt)
            row += 1
        if len(rows) > SUMMARY_LIST_ROWS:
            sheet.link(row, col, target, f"… {len(rows) - SUMMARY_LIST_ROWS:,} more: "
                                         f"see '{target}'", italic=True)
            row += 1
        return row

    def _properties(self) -> None:
        case, run = self.case, self.run
        self.book.set_properties({
            "title": f"{TITLE}: {case.name}",
            "subject": "Stockpiles, spare capacity and allied sharing of critical goods "
                       "under disruption scenarios",
            "author": "stockpile optimizer",
            "company": "",
            "category": "decision report",
            "keywords": "stockpile, spare capacity, sharing, two-stage stochastic LP",
            "comments": f"Case file {run.case_file or case.name} (SHA-256 {run.sha256}); "
                        f"stockpile {run.tool_version}; {run.solver_name} {run.solver_version}; "
                        f"status {run.status}.",
            "status": run.status,
            "created": datetime.now(),
        })
        for name, value in (("case", case.name), ("case_sha256", run.sha256 or ""),
                            ("tool_version", run.tool_version),
                            ("solver", f"{run.solver_name} {run.solver_version or ''}"),
                            ("status", run.status)):
            self.book.set_custom_property(name, str(value))


def _common_unit(units) -> str:
    found = list(dict.fromkeys(units))
    return found[0] if len(found) == 1 else "units of each good"


def _fit_width(label: str, values: pd.Series, number_format: str, wrapped: bool) -> float:
    """A column width that fits the values and, over at most three lines, the header
    (plus its filter button)."""
    def longest_text() -> int:  # over the distinct values: a column repeats its labels
        return int(values.drop_duplicates().map(
            lambda v: len(str(v)) if v is not None and v == v else 0).max())

    if wrapped:
        data = min(longest_text() if len(values) else 10, 100)
    elif values.empty:
        data = 6
    elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        finite = values[np.isfinite(values.astype(float))]
        biggest = float(finite.abs().max()) if len(finite) else 0.0
        data = len(_formatted(biggest, number_format)) + (1 if (finite < 0).any() else 0)
    else:
        data = longest_text()
    data = min(max(data, 4), 100)
    header = len(label) + 3
    width = max(data + 2, min(header, max(12, math.ceil(header / 3) + 2)))
    return float(max(width, min(header, max(len(word) for word in label.split()) + 3)))


def _lines(characters: int, width: float, bold: bool = False) -> int:
    """Lines that `characters` of text take in a column `width` characters wide (a width
    counts digits; text runs narrower, bold text less so)."""
    return max(1, math.ceil(characters / max(width * (1.0 if bold else 1.25), 1.0)))


def _formatted(value: float, number_format: str) -> str:
    if number_format == AMOUNT:
        return f"{value:,.2f}"
    if number_format == WHOLE:
        return f"{value:,.0f}"
    if number_format == PERCENT:
        return f"{value:.1%}"
    return f"{value:g}"


def write_decision_workbook(path: Path, case: Case, results: Results, run: RunInfo) -> None:
    """Write the decision workbook to `path` (the caller makes it atomic)."""
    DecisionWriter(path, case, results, run).write()

