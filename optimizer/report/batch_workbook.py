"""The batch workbook: the cases of a batch run side by side (XlsxWriter, written
atomically). Its figures are read from each case's JSON summary, never recomputed, so
they equal what the case's own summary says.

Sheets: Cases (one row per case: outcome, exit code, status, objective, insurance cost,
expected scenario cost, expected shortfall, value of the plan, the largest stockpile,
the reason it failed), Stockpiles (the largest stockpiles of every case), Charts (the
expected annual cost of each case split into insurance and disruption; the value of the
plan by case).
"""

from __future__ import annotations

from pathlib import Path

from optimizer.files import write_atomically
from optimizer.report.plain_book import finish_chart, open_book, write_cell, write_table

LARGEST_STOCKPILES = 5
"""Stockpiles listed per case on the Stockpiles sheet, the largest first."""

CASE_COLUMNS = [  # (header, key, kind)
    ("file", "file", "text"), ("case", "case", "text"), ("outcome", "outcome", "text"),
    ("exit code", "exit_code", "int"), ("status", "status", "text"),
    ("currency", "currency", "text"),
    ("expected annual cost (per year)", "objective", "money"),
    ("insurance cost: stock and spare capacity (per year)", "stage_one_cost", "money"),
    ("expected disruption and supply cost (per year)", "expected_scenario_cost", "money"),
    ("expected shortfall (units over the horizon, all goods)", "expected_shortfall",
     "quantity"),
    ("value of the plan (expected cost saved per year)", "value_of_plan", "money"),
    ("largest stockpile: ally", "largest_country", "text"),
    ("largest stockpile: good", "largest_good", "text"),
    ("largest stockpile: level", "largest_level", "quantity"),
    ("time (s)", "seconds", "quantity"), ("warnings", "warnings", "int"),
    ("error", "error", "text"), ("report", "report", "text"),
]


def case_figures(entry: dict, document: dict | None) -> dict:
    """A Cases row: the batch entry's outcome with the figures of the case's JSON
    summary (`document`, None when the case wrote none)."""
    row = {key: entry.get(key) for _, key, _ in CASE_COLUMNS}
    document = document or {}
    row["currency"] = document.get("currency")
    for key in ("objective", "stage_one_cost", "expected_scenario_cost"):
        row[key] = document.get(key)
    shortfall = document.get("expected_shortfall")
    row["expected_shortfall"] = (sum(s["units"] for s in shortfall)
                                 if document.get("objective") is not None and shortfall
                                 is not None else None)
    plan = document.get("value_of_plan")
    row["value_of_plan"] = (plan or {}).get("expected_cost", {}).get("difference")
    largest = largest_stockpiles(document)[:1]
    row["largest_country"], row["largest_good"], row["largest_level"] = (
        (largest[0]["country"], largest[0]["good"], largest[0]["level"]) if largest
        else (None, None, None))
    return row


def largest_stockpiles(document: dict | None, count: int = LARGEST_STOCKPILES) -> list[dict]:
    held = [s for s in (document or {}).get("stockpile") or [] if s["level"] > 0]
    return sorted(held, key=lambda s: -s["level"])[:count]


def write_batch_workbook(path: str | Path, entries: list[dict],
                         documents: list[dict | None]) -> Path:
    """`entries`: the batch JSON's cases; `documents`: each case's JSON summary (None
    when it has none), in the same order."""
    return write_atomically(path, lambda temporary: _write(temporary, entries, documents))


def _write(path: Path, entries: list[dict], documents: list[dict | None]) -> None:
    book, formats = open_book(path)
    try:
        book.set_properties({"title": "Batch of stockpile cases",
                             "subject": "Cases side by side", "author": "stockpile"})
        rows = [case_figures(entry, document) for entry, document in zip(entries, documents,
                                                                          strict=True)]
        cases = book.add_worksheet("Cases")
        charts = book.add_worksheet("Charts")
        stock = book.add_worksheet("Stockpiles")
        write_table(cases, formats, "Cases side by side",
               "One row per case: its outcome and the figures of its JSON summary "
               "(empty where it has none).",
               [(header, kind) for header, _, kind in CASE_COLUMNS],
               [[row[key] for _, key, _ in CASE_COLUMNS] for row in rows], "Cases")
        if rows:
            cases.conditional_format(4, 3, 3 + len(rows), 3, {
                "type": "cell", "criteria": ">", "value": 0, "format": formats["failed"]})
        stock_rows = [[entry.get("case"), s["country"], s["good"], s["level"]]
                      for entry, document in zip(entries, documents, strict=True)
                      for s in largest_stockpiles(document)]
        write_table(stock, formats, "The largest stockpiles",
               f"Each case's {LARGEST_STOCKPILES} largest stockpiles (units), the "
               "largest first.",
               [("case", "text"), ("ally", "text"), ("good", "text"),
                ("level (units)", "quantity")], stock_rows, "Stockpiles")
        _charts(book, charts, formats, rows)
    finally:
        book.close()


def _charts(book, sheet, formats: dict, rows: list[dict]) -> None:
    sheet.write_string(0, 0, "Charts", formats["title"])
    solved = [row for row in rows if row["objective"] is not None]
    if not solved:
        sheet.write_string(1, 0, "No case has a plan to chart.")
        return
    sheet.write_string(1, 0, "The expected annual cost of each case with a plan, split into "
                             "insurance and the expected cost of supply and disruption; "
                             "the value of the plan by case (with extra solves only).")
    # the charts' data, as values, beside them (the Cases table may have gaps)
    top = 40
    sheet.write_string(top, 0, "chart data", formats["title"])
    headers = ["case", "insurance (per year)", "expected disruption and supply cost "
               "(per year)", "value of the plan (per year)"]
    for j, header in enumerate(headers):
        sheet.write_string(top + 1, j, header)
    for i, row in enumerate(solved, start=top + 2):
        write_cell(sheet, i, 0, row["case"], "text", formats)
        for j, key in enumerate(("stage_one_cost", "expected_scenario_cost",
                                 "value_of_plan"), start=1):
            write_cell(sheet, i, j, row[key], "money", formats)
    last = top + 1 + len(solved)
    currencies = {row["currency"] for row in solved}
    unit = currencies.pop() if len(currencies) == 1 else "mixed currencies"
    cost = book.add_chart({"type": "column", "subtype": "stacked"})
    for j in (1, 2):
        cost.add_series({"name": ["Charts", top + 1, j],
                         "categories": ["Charts", top + 2, 0, last, 0],
                         "values": ["Charts", top + 2, j, last, j]})
    finish_chart(cost, "Expected annual cost by case", "case", f"{unit} per year")
    sheet.insert_chart(3, 0, cost)
    if any(row["value_of_plan"] is not None for row in solved):
        value = book.add_chart({"type": "column"})
        value.add_series({"name": ["Charts", top + 1, 3],
                          "categories": ["Charts", top + 2, 0, last, 0],
                          "values": ["Charts", top + 2, 3, last, 3]})
        finish_chart(value, "Value of the plan by case", "case", f"{unit} per year")
        sheet.insert_chart(3, 9, value)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 3, 22, formats["money"])
