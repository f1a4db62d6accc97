"""A small, fast writer of tidy-table workbooks (.xlsx), with no dependency beyond the
standard library's `zipfile`, numpy and pandas.

Why: openpyxl, even in write-only mode, builds a Python object per cell and serialises
it through an XML library, about 45k-100k cells/s here. The report of the benchmark
case M (≈640k cells, mostly 'Supply plan', 43k rows × 11, and 'Shipments', 17k × 8)
took 15 s that way (more under load), over half of the whole run; size L took about
two minutes. This writer builds the cell XML a column at a time with numpy/pandas (each
distinct string is escaped once per sheet, numbers are converted with C-level `map`)
and streams it into the zip a block of rows at a time: the same report takes 0.45 s.

What is guaranteed:

- **No formulas.** No `<f>` element is ever written. Text goes into inline-string cells
  (``t="inlineStr"``), which every reader takes as text, whatever it says, and keeps its
  value exactly. Text that a spreadsheet would take as a formula (``= + - @``, tab, CR:
  `optimizer.report.cells.looks_like_formula`, checked *after* the characters illegal
  in XML are removed) also gets the cell's quote-prefix style (``quotePrefix="1"``,
  what Excel does when a user types ``'=1+1``), so that it stays text when the cell is
  edited. Excel's ``_xHHHH_`` escapes are
  themselves escaped (``_x005F_xHHHH_``, as Excel does), so a text such as
  ``_x003D_SUM(A1)`` cannot turn into ``=SUM(A1)`` in Excel or LibreOffice. (openpyxl
  does not decode these escapes in inline strings, so it reads such a text back with
  the ``_x005F_`` prefix; it is the only text that does not round-trip through
  openpyxl exactly.)
- **Well-formed XML.** ``& < > "`` are escaped; characters illegal in XML 1.0 (control
  characters other than tab, LF and CR; lone surrogates; U+FFFE, U+FFFF) are removed; a
  CR is written as ``&#13;`` so XML parsers keep it; text with leading or trailing
  white space is marked ``xml:space="preserve"``.
- **Values.** str → text; bool → boolean cell; int → number (digits as written; Excel
  keeps 15 significant digits, openpyxl and pandas read larger ints back exactly);
  finite float → number written with `repr`, so it reads back bit for bit; None, NaN,
  ``pd.NA`` and ``NaT`` → no cell at all (empty); ±inf → text, so that it shows
  rather than vanishing: ``inf`` and ``-inf`` (quote-prefixed, as any text starting
  with ``-``);
  an empty string → no cell (Excel has no empty-text constant either).
  numpy scalars and pandas nullable dtypes are handled;
  anything else is written as its `str` text.
- **Every row.** A sheet holds at most 1,048,576 rows (Excel's limit, header
  included). A table with more rows continues on further sheets named
  ``'<name> (2)'``, ``'<name> (3)'`` … (the name shortened to keep within 31
  characters), each starting with the header row again. `sheet_names` tells a caller
  in advance which sheets a table will take, and `write_workbook` returns the names
  written. A table with more than 16,384 columns is refused (`ValueError`).
- **Valid OOXML**: content types, package and workbook relationships, docProps,
  workbook, styles and one worksheet part per sheet, every row and cell with its
  reference (``r``), elements in the schema's order: the parts Excel itself writes for
  such a workbook, less the theme and the shared-strings table. Checked with openpyxl
  (normal and read-only), pandas and LibreOffice 7.4 (headless conversion to CSV).

Layout: a `Table` sheet has a bold header row, frozen below it, column widths from the
header lengths (12 to 40 characters), and the number format its caller gives each column
(``#,##0.00``, ``#,##0``, ``0.0%`` or General). A `Rows` sheet (a summary) is a
plain list of rows under an optional title. The DataFrame index is not written.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from optimizer.case.xlsx_reader import column_letter
from optimizer.report.cells import looks_like_formula

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_NAME = 31
# zlib level 1: the M report in 0.44 s, 3.0 MB; level 6: 0.69 s, 2.3 MB (measured).
COMPRESSLEVEL = 1
# Rows of sheet XML built and compressed at a time: bounds the memory held.
BLOCK_ROWS = 16_384

GENERAL = "General"
AMOUNT = "#,##0.00"
WHOLE = "#,##0"
PERCENT = "0.0%"

# Indices into styles.xml's cellXfs; text styles have a quote-prefixed twin.
_PLAIN, _HEADER, _TITLE, _AMOUNT, _PERCENT, _WHOLE = range(6)
_QUOTED = {_PLAIN: 6, _HEADER: 7, _TITLE: 8}
_FORMAT_STYLES = {GENERAL: _PLAIN, AMOUNT: _AMOUNT, PERCENT: _PERCENT, WHOLE: _WHOLE}

_FORBIDDEN_IN_NAME = re.compile(r"[\[\]:*?/\\]")
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EXCEL_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                              "\r": "&#13;"})


@dataclass(frozen=True)
class Table:
    """A tidy table on a sheet of its own: header row, then one row per record.
    `formats` gives the number format of named columns (`GENERAL`, `AMOUNT`, `WHOLE`
    or `PERCENT`); any other column is General."""

    name: str
    frame: pd.DataFrame
    formats: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rows:
    """A free-form sheet such as a summary: an optional title (bold, large) in A1, then
    `rows`, each a sequence of values (an empty one is a blank row). `widths` are the
    widths of the first columns in characters; `bold_first_column` sets labels in bold;
    floats get `float_format`."""

    name: str
    rows: Sequence[Sequence[object]]
    title: str | None = None
    widths: Sequence[float] = ()
    bold_first_column: bool = False
    float_format: str = AMOUNT


OutputSheet = Table | Rows


def sheet_names(sheet: OutputSheet, max_rows: int = MAX_ROWS) -> list[str]:
    """The names of the sheets `sheet` will be written on: its own name, then
    ``'<name> (2)'``, … for the rows that do not fit on one sheet of `max_rows` rows."""
    _check_max_rows(max_rows)
    count = len(_row_ranges(sheet, max_rows))
    return [_continuation_name(sheet.name, k) for k in range(1, count + 1)]


def write_workbook(target: str | Path | BinaryIO, sheets: Iterable[OutputSheet], *,
                   max_rows: int = MAX_ROWS, compresslevel: int = COMPRESSLEVEL
                   ) -> list[str]:
    """Write `sheets` (in order) as an .xlsx workbook to `target` (a path or a seekable
    binary file) and return the names of the sheets written, continuation sheets
    included (see the module docstring).

    `max_rows` (rows per sheet, header included) is Excel's limit; a smaller value is
    for tests. Raises `ValueError` for an invalid or duplicate sheet name, too many
    columns or an unknown number format, before anything is written.
    """
    _check_max_rows(max_rows)
    parts: list[tuple[str, OutputSheet, int, int]] = []  # (sheet name, source, first, stop)
    for sheet in sheets:
        _check_name(sheet.name)
        if isinstance(sheet, Table):
            if sheet.frame.shape[1] > MAX_COLUMNS:
                raise ValueError(f"table {sheet.name!r} has {sheet.frame.shape[1]} columns;"
                                 f" a sheet holds at most {MAX_COLUMNS}")
            for name, fmt in sheet.formats.items():
                if fmt not in _FORMAT_STYLES:
                    raise ValueError(f"unknown number format {fmt!r} for column {name!r}")
        else:
            if sheet.float_format not in _FORMAT_STYLES:
                raise ValueError(f"unknown number format {sheet.float_format!r}")
            if max((len(row) for row in sheet.rows), default=0) > MAX_COLUMNS:
                raise ValueError(f"sheet {sheet.name!r} has a row of more than "
                                 f"{MAX_COLUMNS} values, the columns of a sheet")
        for k, (first, stop) in enumerate(_row_ranges(sheet, max_rows), start=1):
            parts.append((_continuation_name(sheet.name, k), sheet, first, stop))
    names = [name for name, *_ in parts]
    folded = [name.casefold() for name in names]
    duplicates = sorted({n for n, f in zip(names, folded, strict=True) if folded.count(f) > 1})
    if duplicates:
        raise ValueError(f"duplicate sheet names: {duplicates}")
    if not parts:
        raise ValueError("a workbook needs at least one sheet")

    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED,
                         compresslevel=compresslevel) as archive:
        archive.writestr("[Content_Types].xml", _content_types(len(parts)))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("docProps/app.xml", _app(names))
        archive.writestr("docProps/core.xml", _core())
        archive.writestr("xl/workbook.xml", _workbook(names))
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(parts)))
        archive.writestr("xl/styles.xml", _STYLES)
        for number, (_, sheet, first, stop) in enumerate(parts, start=1):
            blocks = (_table_xml(sheet, first, stop, selected=number == 1)
                      if isinstance(sheet, Table)
                      else _rows_xml(sheet, first, stop, selected=number == 1))
            _stream(archive, f"xl/worksheets/sheet{number}.xml", blocks, stop - first)
    return names


# --- sheets and rows ---------------------------------------------------------------------


def _check_max_rows(max_rows: int) -> None:
    if not 2 <= max_rows <= MAX_ROWS:
        raise ValueError(f"max_rows must be between 2 and {MAX_ROWS}, not {max_rows}")


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name or len(name) > MAX_NAME:
        raise ValueError(f"sheet name {name!r} must be 1 to {MAX_NAME} characters")
    if _FORBIDDEN_IN_NAME.search(name) or name[0] == "'" or name[-1] == "'":
        raise ValueError(f"sheet name {name!r} may not contain []:*?/\\ nor start or end "
                         "with an apostrophe")
    if _ILLEGAL_XML.search(name):
        raise ValueError(f"sheet name {name!r} contains a character illegal in XML")


def _continuation_name(name: str, k: int) -> str:
    if k == 1:
        return name
    suffix = f" ({k})"
    return name[:MAX_NAME - len(suffix)].rstrip("'") + suffix


def _row_ranges(sheet: OutputSheet, max_rows: int) -> list[tuple[int, int]]:
    """(first, stop) of the data rows on each sheet the source takes: a table's header
    is repeated on every sheet; a Rows title only heads the first."""
    if isinstance(sheet, Table):
        count, per_sheet = len(sheet.frame), max_rows - 1
        starts = range(0, count, per_sheet) if count else [0]
        return [(s, min(s + per_sheet, count)) for s in starts]
    count = len(sheet.rows)
    first = max_rows - (sheet.title is not None)
    ranges = [(0, min(first, count))]
    ranges += [(s, min(s + max_rows, count)) for s in range(first, count, max_rows)]
    return ranges


def _stream(archive: zipfile.ZipFile, name: str, blocks: Iterable[str], rows: int) -> None:
    """Write the blocks of a sheet's XML (head and header, then blocks of up to
    BLOCK_ROWS rows, then tail) into the archive as they are built. Zip64 is used only
    when the part might outgrow 2 GiB, projected from the first block of rows (some
    readers dislike Zip64 where it is not needed)."""
    blocks = iter(blocks)
    pending = [next(blocks).encode()]
    sample = next(blocks, None)
    large = False
    if sample is not None:
        pending.append(sample.encode())
        per_row = len(pending[1]) / max(1, min(BLOCK_ROWS, rows))
        large = 2 * per_row * rows > zipfile.ZIP64_LIMIT
    with archive.open(name, "w", force_zip64=large) as stream:
        for data in pending:
            stream.write(data)
        for block in blocks:
            stream.write(block.encode())


def _table_xml(table: Table, first: int, stop: int, selected: bool) -> Iterable[str]:
    """The XML of one sheet of a table (data rows first..stop), in blocks: head, blocks
    of up to BLOCK_ROWS rows, tail."""
    frame = table.frame
    headers = [str(column) for column in frame.columns]
    letters = [column_letter(j + 1) for j in range(len(headers))]
    last_row = 1 + stop - first
    widths = [max(12, min(40, len(h) + 2)) for h in headers]
    pane = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>')
    header_cells = "".join(
        f'<c r="{letter}1"{_value_body(header, _PLAIN, _HEADER)}'
        for letter, header in zip(letters, headers, strict=True))
    yield (_sheet_head(letters, last_row, widths, selected, pane)
           + (f'<row r="1">{header_cells}</row>\n' if header_cells else ""))
    columns = [_Column(frame.iloc[:, j], _FORMAT_STYLES[
        table.formats.get(headers[j], GENERAL)])
        for j in range(len(headers))]
    for start in range(first, stop, BLOCK_ROWS):
        end = min(start + BLOCK_ROWS, stop)
        row_numbers = list(map(str, range(start - first + 2, end - first + 2)))
        cells = [column.cells(letter, row_numbers, start, end)
                 for letter, column in zip(letters, columns, strict=True)]
        opens = [f'<row r="{number}">' for number in row_numbers]
        yield "".join(["".join(parts) + "</row>\n"
                       for parts in zip(opens, *cells, strict=True)])
    yield _SHEET_TAIL


def _rows_xml(sheet: Rows, first: int, stop: int, selected: bool) -> Iterable[str]:
    """The XML of one sheet of a Rows source (a few rows: built value by value)."""
    rows: list[tuple[int, Sequence[object]]] = []
    if sheet.title is not None and first == 0:
        rows.append((_TITLE, [sheet.title]))
    rows += [(-1, row) for row in sheet.rows[first:stop]]
    columns = max((len(row) for _, row in rows), default=0)
    letters = [column_letter(j + 1) for j in range(max(columns, len(sheet.widths)))]
    yield _sheet_head(letters[:columns], len(rows), sheet.widths, selected, "")
    number_style = _FORMAT_STYLES[sheet.float_format]
    lines = []
    for number, (style, row) in enumerate(rows, start=1):
        cells = []
        for j, value in enumerate(row):
            text_style = (style if style >= 0 else
                          _HEADER if j == 0 and sheet.bold_first_column else _PLAIN)
            body = _value_body(value, number_style if isinstance(value, float | np.floating)
                               else text_style, text_style)
            if body:
                cells.append(f'<c r="{letters[j]}{number}"{body}')
        lines.append(f'<row r="{number}">{"".join(cells)}</row>\n')
    yield "".join(lines)
    yield _SHEET_TAIL


def _sheet_head(letters: Sequence[str], last_row: int, widths: Sequence[float],
                selected: bool, pane: str) -> str:
    ref = f"A1:{letters[-1]}{last_row}" if letters and last_row else "A1"
    tab = ' tabSelected="1"' if selected else ""
    cols = "".join(f'<col min="{j}" max="{j}" width="{width:g}" customWidth="1"/>'
                   for j, width in enumerate(widths, start=1))
    return (_XML_DECLARATION + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f'<dimension ref="{ref}"/>'
            f'<sheetViews><sheetView{tab} workbookViewId="0">{pane}</sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>\n")


_SHEET_TAIL = ('</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75"'
               ' header="0.3" footer="0.3"/></worksheet>')


# --- cells -------------------------------------------------------------------------------
#
# A cell is written as '<c r="B7"' + body, where body is the rest of the element: its
# style and type attributes, then the value, then '</c>'. An empty body means no cell.


def _number_body(text: str, style: int) -> str:
    return f' s="{style}"><v>{text}</v></c>' if style else f"><v>{text}</v></c>"


def _text_body(value: str, style: int = _PLAIN) -> str:
    """An inline-string body: illegal characters removed, quote-prefixed if it looks
    like a formula, then Excel's and XML's escapes. Empty text is no cell, as in
    Excel."""
    text = _ILLEGAL_XML.sub("", value)
    if not text:
        return ""
    if looks_like_formula(text):
        style = _QUOTED[style]
    escaped = _EXCEL_ESCAPE.sub("_x005F_", text).translate(_XML_ESCAPES)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    styled = f' s="{style}"' if style else ""
    return f'{styled} t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


_BOOL_BODIES = {True: ' t="b"><v>1</v></c>', False: ' t="b"><v>0</v></c>'}


def _value_body(value: object, number_style: int, text_style: int) -> str:
    """The body of any one value (see the module docstring for the rules)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return _BOOL_BODIES[value]
    if isinstance(value, int):
        return _number_body(str(value), number_style)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if math.isinf(value):
            return _text_body("inf" if value > 0 else "-inf", text_style)
        return _number_body(repr(value), number_style)
    if isinstance(value, str):
        return _text_body(value, text_style)
    return _text_body(str(value), text_style)


class _Column:
    """One table column, ready to render the cells of any block of its rows.

    numpy bool, int and float columns are converted with array operations and C-level
    `map`; a column of strings is factorised once per sheet, so each distinct string is
    escaped once; anything else (mixed object columns, nullable dtypes) value by value.
    """

    def __init__(self, column: pd.Series, number_style: int):
        self.style = number_style
        dtype = column.dtype
        self.kind = "any"
        if isinstance(dtype, np.dtype) and dtype.kind == "b":
            self.kind, self.values = "bool", column.to_numpy()
        elif isinstance(dtype, np.dtype) and dtype.kind in "iu":
            self.kind, self.values = "int", column.to_numpy()
        elif isinstance(dtype, np.dtype) and dtype.kind == "f":
            self.kind, self.values = "float", column.to_numpy()
        elif pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
            codes, uniques = pd.factorize(column, use_na_sentinel=True)
            bodies = [_text_body(str(u)) for u in uniques] + [""]  # code -1: missing
            self.kind, self.values = "codes", codes
            self.bodies = np.array(bodies, dtype=object)
        else:
            self.values = column.to_numpy(dtype=object, na_value=None)

    def cells(self, letter: str, row_numbers: list[str], start: int, end: int
              ) -> list[str]:
        """The cells of rows start..end ('' where a value is missing), each built by one
        f-string: the reference, then the value's body."""
        values = self.values[start:end]
        ref = f'<c r="{letter}'
        if self.kind in ("codes", "bool", "any"):
            if self.kind == "codes":
                bodies = self.bodies[values].tolist()
            elif self.kind == "bool":
                bodies = [_BOOL_BODIES[v] for v in values.tolist()]
            else:
                bodies = [_value_body(v, self.style, _PLAIN) for v in values]
            return [f'{ref}{row}"{body}' if body else ""
                    for row, body in zip(row_numbers, bodies, strict=True)]
        head, tail = ((f' s="{self.style}"><v>', "</v></c>") if self.style
                      else ("><v>", "</v></c>"))
        numbers = values.tolist()
        if self.kind == "int":
            return [f'{ref}{row}"{head}{v}{tail}'
                    for row, v in zip(row_numbers, numbers, strict=True)]
        cells = [f'{ref}{row}"{head}{v!r}{tail}'
                 for row, v in zip(row_numbers, numbers, strict=True)]
        for k in np.flatnonzero(~np.isfinite(values)).tolist():  # no cell, or "inf" as text
            v = numbers[k]
            cells[k] = "" if v != v else f'{ref}{row_numbers[k]}"' + _text_body(
                "inf" if v > 0 else "-inf")
        return cells


# --- package parts -----------------------------------------------------------------------

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _attribute(text: str) -> str:
    return text.translate(_XML_ESCAPES)


def _content_types(sheets: int) -> str:
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        f'ContentType="{main}.worksheet+xml"/>' for n in range(1, sheets + 1))
    return (_XML_DECLARATION
            + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{main}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{main}.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            f"{overrides}</Types>")


_ROOT_RELS = (
    _XML_DECLARATION + f'<Relationships xmlns="{_PACKAGE_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
    'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>")


def _app(names: Sequence[str]) -> str:
    titles = "".join(f"<vt:lpstr>{_attribute(name)}</vt:lpstr>" for name in names)
    return (_XML_DECLARATION
            + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/'
            'officeDocument/2006/docPropsVTypes"><Application>stockpile optimizer'
            "</Application><HeadingPairs><vt:vector size=\"2\" baseType=\"variant\">"
            "<vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>"
            f"<vt:variant><vt:i4>{len(names)}</vt:i4></vt:variant></vt:vector>"
            f'</HeadingPairs><TitlesOfParts><vt:vector size="{len(names)}" '
            f'baseType="lpstr">{titles}</vt:vector></TitlesOfParts></Properties>')


def _core() -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (_XML_DECLARATION
            + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<dc:creator>stockpile optimizer</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
            "</cp:coreProperties>")


def _workbook(names: Sequence[str]) -> str:
    sheets = "".join(f'<sheet name="{_attribute(name)}" sheetId="{n}" r:id="rId{n}"/>'
                     for n, name in enumerate(names, start=1))
    return (_XML_DECLARATION + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            '<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets></workbook>")


def _workbook_rels(sheets: int) -> str:
    relations = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" '
        f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, sheets + 1))
    return (_XML_DECLARATION + f'<Relationships xmlns="{_PACKAGE_REL}">{relations}'
            f'<Relationship Id="rId{sheets + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>")


# cellXfs: 0 plain, 1 header (bold, wrapped), 2 title (bold 14 pt), 3 #,##0.00 (built-in
# format 4), 4 0.0% (custom format 164), 5 #,##0 (built-in format 3); 6-8 plain, header
# and title with the quote prefix (text that would otherwise read as a formula).
# (No theme part is written, so fonts name their face rather than the theme's.)
_FONT = '<sz val="{size}"/><name val="Calibri"/><family val="2"/>'
_STYLES = (
    _XML_DECLARATION + f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>'
    '<fonts count="3">'
    f'<font>{_FONT.format(size=11)}</font>'
    f'<font><b/>{_FONT.format(size=11)}</font>'
    f'<font><b/>{_FONT.format(size=14)}</font>'
    "</fonts>"
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    "</cellStyleXfs>"
    '<cellXfs count="9">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
    'applyAlignment="1"><alignment wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/>'
    '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
    'applyAlignment="1" quotePrefix="1"><alignment wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" '
    'quotePrefix="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16"/></styleSheet>')
