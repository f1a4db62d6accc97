"""The report: the decision workbook (`optimizer.report.decision`, XlsxWriter: the
answer on the first screen, charts, Excel tables, print setup) and, next to it, the
detail workbook ``<report>.detail.xlsx`` with the bulk per-period tables: the full
supply plan of every scenario, period, ally and good and every shipment.

Why two files: the bulk tables are what makes a report large and slow (the benchmark's
M case: a 43,200-row supply plan and 18,300 shipments, 700,000 cells), and they are
read by scripts and pivot tables, not by a decision maker. XlsxWriter writes about
150,000 cells a second here; the streaming writer (`optimizer.report.xlsx_writer`)
about 1.4 million. So the decision workbook holds what a reader looks at (tens of
thousands of cells at most) and is written with the library that makes charts and
tables, and the detail workbook is streamed: writing both takes a fraction of the solve
on the benchmark's M and L cases.

Both are written to a temporary file and renamed into place (`write_atomically`): an
existing report is only ever replaced by a complete one. No cell is a formula.

A detail table longer than a sheet (1,048,576 rows, header included) continues on
sheets '<name> (2)', … and the detail workbook's About sheet says so.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from models.data import Case
from optimizer.files import WriteBeside, write_atomically
from optimizer.report.decision import RunInfo, write_decision_workbook
from optimizer.report.xlsx_writer import MAX_ROWS, Rows, Table, sheet_names, write_workbook
from optimizer.results.columns import column
from optimizer.results.tables import Results

DETAIL_TITLE = "Stockpile and reallocation plan: detail"
SUMMARY_WIDTHS = (40, 90)


def detail_path(report: str | Path) -> Path:
    """Where the detail workbook of `report` goes: ``<report>.detail.xlsx``."""
    return Path(report).with_suffix(".detail.xlsx")


def labelled(title: str, frame: pd.DataFrame, currency: str) -> Table:
    """A result table as a report sheet: each column headed ``label (unit)`` and
    formatted by its unit (`optimizer.results.columns`)."""
    infos = {name: column(name) for name in frame.columns}
    headers = {name: info.header(currency) for name, info in infos.items()}
    return Table(title, frame.rename(columns=headers),
                 formats={headers[name]: info.number_format for name, info in infos.items()})


def write_detail(path: str | Path, case: Case, results: Results, report_name: str = "",
                 max_rows: int = MAX_ROWS) -> Path:
    """Write the detail workbook (About, Supply plan, Shipments) to `path` atomically.
    (`max_rows`, the rows a sheet holds, is Excel's limit; a smaller value is for
    tests.)"""
    currency = case.settings.currency
    tables = [labelled("Supply plan", results.supply_plan, currency),
              labelled("Shipments", results.shipments, currency)]
    rows: list[tuple] = [
        (),
        ("Case", case.name),
        ("Decision workbook", report_name or "(not written)"),
        ("Supply plan", "every scenario, ally, good and period: every term of the balance "
                        "(produced + imported + drawn + received + short = demand + sent + "
                        "exported + used in processing; + restrained on the left in a case "
                        "with demand restraint), in the good's units"),
        ("Shipments", "every shipment between allies that carries something: scenario, "
                      "link, periods sent and arriving, units and cost"),
    ]
    for table in tables:
        names = sheet_names(table, max_rows)
        if len(names) > 1:
            continued = ", ".join(f"'{name}'" for name in names[1:])
            rows.append(("Note", f"'{table.name}' has {len(table.frame):,} rows, more "
                                 f"than one sheet holds: it continues on {continued}"))
    about = Rows("About", rows, title=DETAIL_TITLE, widths=SUMMARY_WIDTHS,
                 bold_first_column=True)
    return write_atomically(path, lambda temporary: write_workbook(
        temporary, [about, *tables], max_rows=max_rows))


def write_report(path: str | Path, case: Case, results: Results, status: str,
                 run: RunInfo | None = None, detail: bool = True) -> list[Path]:
    """Write the decision workbook to `path` and (if `detail`) the detail workbook next
    to it, each atomically, the detail workbook in a child process meanwhile (the two
    take about as long: M 0.69 s and 0.36 s); returns the paths written."""
    path = Path(path)
    run = run or RunInfo(status=status)
    run.status = status
    if not detail:
        return [write_atomically(path, lambda temporary: write_decision_workbook(
            temporary, case, results, run))]
    run.detail_file = detail_path(path).name
    beside = WriteBeside(lambda: write_detail(detail_path(path), case, results, path.name))
    try:
        decision = write_atomically(path, lambda temporary: write_decision_workbook(
            temporary, case, results, run))
    except BaseException:
        beside.cancel()
        raise
    return [decision, beside.result()]
