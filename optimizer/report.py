"""The report workbook: a Summary sheet, then one tidy table a sheet.

Written in openpyxl's write-only (streaming) mode and atomically; every text cell passes
through `safe_text`, so nothing copied from an input can become a formula.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from optimizer.case import Case
from optimizer.cells import safe_text
from optimizer.files import write_atomically
from optimizer.results import Results

HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
NUMBER_FORMAT = "#,##0.00"


def summary_rows(case: Case, results: Results, status: str) -> list[tuple[str, object]]:
    """The headline figures and the case's settings, as (label, value) pairs."""
    currency = case.settings.currency
    settings = case.settings
    return [
        ("Case", case.name),
        ("Solver status", status),
        (f"Expected annual cost ({currency}/year)", results.objective),
        (f"Stage-one cost: stockpiles and spare capacity ({currency}/year)",
         results.stage_one_cost),
        (f"Expected scenario cost ({currency}/year)", results.expected_scenario_cost),
        ("Periods in horizon", settings.periods),
        ("Period", f"{settings.period_unit} ({settings.period_days:g} days)"),
        ("Currency", currency),
        ("Allies", len(case.allies)),
        ("Goods", len(case.goods)),
        ("Scenarios", len(case.scenarios)),
    ]


def write_report(path: str | Path, case: Case, results: Results, status: str) -> Path:
    """Write the report workbook to `path` atomically."""
    tables = {
        "Stockpiles": results.stockpiles,
        "Spare capacity": results.spare_capacity,
        "Shortfalls": shortfall_table(results.supply_plan),
        "Fill rates": results.fill_rates,
        "Shipments": results.shipments,
        "Scenario costs": results.scenario_costs,
        "Shadow prices": results.shadow_prices,
        "Supply plan": results.supply_plan.rename(columns=_with_units),
    }

    def write(temporary: Path) -> None:
        workbook = Workbook(write_only=True)
        _write_summary(workbook, summary_rows(case, results, status))
        for title, table in tables.items():
            _write_table(workbook, title, table)
        workbook.save(temporary)

    return write_atomically(path, write)


def shortfall_table(plan: pd.DataFrame) -> pd.DataFrame:
    """The periods with unmet demand, with the fill rate of each."""
    short = plan.loc[plan["short"] > 0, ["scenario", "country", "good", "period", "demand",
                                         "short"]].copy()
    short["fill rate"] = 1.0 - short["short"] / short["demand"]
    return short.rename(columns={"demand": "demand (units)", "short": "short (units)"})


def _with_units(column: str) -> str:
    return column if column in ("scenario", "country", "good", "period") else \
        f"{column} (units)"


def _write_summary(workbook: Workbook, rows: list[tuple[str, object]]) -> None:
    sheet = workbook.create_sheet("Summary")
    sheet.column_dimensions["A"].width = 58
    sheet.column_dimensions["B"].width = 24
    title = WriteOnlyCell(sheet, value="Stockpile and reallocation plan")
    title.font = TITLE_FONT
    sheet.append([title])
    sheet.append([])
    for label, value in rows:
        sheet.append([_cell(sheet, label, bold=True), _cell(sheet, value)])


def _write_table(workbook: Workbook, title: str, table: pd.DataFrame) -> None:
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(table.columns):
        width = max(12, min(40, len(str(column)) + 2))
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, column, bold=True) for column in table.columns])
    for record in table.itertuples(index=False, name=None):
        sheet.append([_cell(sheet, value) for value in record])


def _cell(sheet, value: object, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, float) and math.isnan(value):
        value = None
    elif hasattr(value, "item"):  # numpy scalar
        value = value.item()
    cell = WriteOnlyCell(sheet, value=safe_text(value))
    if bold:
        cell.font = HEADER_FONT
        cell.alignment = Alignment(wrap_text=True)
    elif isinstance(value, float):
        cell.number_format = NUMBER_FORMAT
    return cell

