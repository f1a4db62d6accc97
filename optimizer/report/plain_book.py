"""Plain workbooks of tables and charts (XlsxWriter): the batch and sweep workbooks.

Each sheet holds a title, a sentence and one Excel table whose columns have a kind
(``text``, ``money``, ``quantity``, ``int``, ``value``) that picks the number format.
Text from inputs is written as text, never as a formula (a quote prefix where it looks
like one), and stays exactly the input's text.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from optimizer.report.cells import looks_like_formula

WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False, "nan_inf_to_errors": False}
"""Strings are strings: XlsxWriter never turns them into formulas, links or numbers."""


def open_book(path: str | Path):
    """A new workbook at `path` and its formats by kind (plus ``title``, ``quoted``
    and ``failed``, a red fill for a row that did not solve)."""
    book = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    formats = {"money": book.add_format({"num_format": "#,##0"}),
               "quantity": book.add_format({"num_format": "#,##0.00"}),
               "value": book.add_format({"num_format": "#,##0.####"}),
               "int": book.add_format({"num_format": "0"}),
               "text": book.add_format({"text_wrap": False}),
               "quoted": book.add_format({"quote_prefix": True}),
               "title": book.add_format({"bold": True, "font_size": 14}),
               "failed": book.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})}
    return book, formats


def write_table(sheet, formats: dict, title: str, sentence: str,
                columns: list[tuple[str, str]], rows: list[list], name: str) -> None:
    """`title` and `sentence` above an Excel table named `name` (header row 4), columns
    (header, kind) sized to their contents, the header frozen."""
    sheet.write_string(0, 0, title, formats["title"])
    sheet.write_string(1, 0, sentence)
    first = 3
    for j, (header, kind) in enumerate(columns):
        width = max([len(header) * 0.7] + [len(str(row[j])) for row in rows
                                            if row[j] is not None] + [8])
        sheet.set_column(j, j, min(width + 2, 60), formats[kind])
    for i, row in enumerate(rows, start=first + 1):
        for j, ((_, kind), value) in enumerate(zip(columns, row, strict=True)):
            write_cell(sheet, i, j, value, kind, formats)
    sheet.add_table(first, 0, first + max(len(rows), 1), len(columns) - 1, {
        "name": name, "style": "Table Style Medium 2",
        "columns": [{"header": header} for header, _ in columns]})
    sheet.freeze_panes(first + 1, 0)


def write_cell(sheet, i: int, j: int, value, kind: str, formats: dict) -> None:
    """One value: blank for None, text as text (never a formula), numbers formatted by
    `kind`."""
    if value is None:
        sheet.write_blank(i, j, None)
    elif kind == "text" or isinstance(value, str):
        text = str(value)[:32_767]
        sheet.write_string(i, j, text, formats["quoted"] if looks_like_formula(text)
                           else None)
    else:
        sheet.write_number(i, j, float(value), formats[kind])


def finish_chart(chart, title: str, x_name: str, y_name: str) -> None:
    """Title, titled axes, gridlines, the legend below, a common size."""
    chart.set_title({"name": title})
    chart.set_x_axis({"name": x_name})
    chart.set_y_axis({"name": y_name, "num_format": "#,##0",
                      "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 620, "height": 360})
