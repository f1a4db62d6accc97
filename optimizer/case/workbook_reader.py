"""Reading a case workbook safely into raw rows that keep their Excel places.

The workbook may come from anywhere, so reading it is bounded in memory and in time
(`ReadLimits`) and nothing in it is evaluated: formulas are read as their cached values.
The .xlsx package itself is read by `optimizer.case.xlsx_reader`, which says how (nothing
inflated before the zip directory is checked, no DTD, budgets on the XML); this module
reads only the worksheets of the case's sheets, matching sheet titles and header names
to `optimizer.case.schema`, and keeps the rows with a value in a known column.
"""

from __future__ import annotations

import difflib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from optimizer.case.schema import IGNORED_SHEETS, SHEETS_BY_NAME, Sheet
from optimizer.case.xlsx_reader import (
    CellContext,
    Done,
    SheetHandler,
    XlsxReader,
    column_letter,
)
from optimizer.errors import Problem


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what a workbook may hold; a file past one is rejected, naming it.

    The defaults are far above any real case and keep the worst file within about five
    seconds and a few hundred MB.
    """

    max_file_bytes: int = 50 * 2**20
    """Size of the .xlsx file."""
    max_uncompressed_bytes: int = 200 * 2**20
    """All parts together, as the zip directory declares them and as they really
    inflate when read."""
    max_parts: int = 10_000
    """Parts (zip members) in the package."""
    max_sheets: int = 100
    """Sheets the workbook lists."""
    max_rows: int = 200_000
    """Rows per sheet, header included: a value in a later row rejects the workbook."""
    max_columns: int = 64
    """Columns per sheet: a value in a later column rejects the workbook."""
    max_xml_elements: int = 2_000_000
    """XML elements parsed in the whole workbook (a filled cell is two, a row one more):
    it bounds the time a read takes."""
    max_text_chars: int = 32_767
    """Characters in one cell or shared string (Excel's own limit)."""


@dataclass
class RawRow:
    """One record: its Excel row number and its cells by canonical column name."""

    number: int
    values: dict[str, object]


@dataclass
class RawSheet:
    """A sheet as read: its title in the workbook, where each known column sits, and its
    non-blank rows."""

    schema: Sheet
    title: str
    column_letters: dict[str, str]
    rows: list[RawRow] = field(default_factory=list)

    def cell(self, column: str, row: int) -> str:
        """Excel reference of `column` in `row` (``D7``), or the row alone if the
        column is absent."""
        letter = self.column_letters.get(column)
        return f"{letter}{row}" if letter else f"{row}:{row}"


@dataclass
class RawWorkbook:
    """The known sheets that could be read, and the problems found in the headers
    (missing sheets or columns), which validation reports with all the others."""

    sheets: dict[str, RawSheet]
    warnings: list[Problem]
    problems: list[Problem] = field(default_factory=list)


def read_workbook(path: str | Path, limits: ReadLimits | None = None) -> RawWorkbook:
    """Read every known sheet of the case workbook at `path`.

    Raises `InputError` for a file that is not a readable .xlsx or breaks a limit (the
    problem names the file or the sheet, and the limit with its value); missing sheets
    or columns are returned as problems, cell checks left to validation.
    """
    path = Path(path)
    reader = _Reader(path, limits or ReadLimits())
    reader.check_file()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError,
            EOFError) as exc:
        reader.fail(f"the workbook package is corrupt ({exc})")
    with archive:
        reader.archive = archive
        return reader.read()


class _Reader(XlsxReader):
    """The package reader, reading the case's sheets."""

    def read(self) -> RawWorkbook:
        sheets, relationships, context = self.read_package()
        return self._read_sheets(sheets, relationships, context)

    def _read_sheets(self, sheets: list[tuple[str, str]],
                     relationships: dict[str, tuple[str, str]],
                     context: CellContext) -> RawWorkbook:
        problems: list[Problem] = []
        found: dict[str, RawSheet] = {}
        for title, rid in sheets:
            canonical = title.strip().lower()
            schema = SHEETS_BY_NAME.get(canonical)
            if schema is None:
                _unknown_sheet(title, {t.strip().lower() for t, _ in sheets}, problems,
                               self.warnings)
                continue
            if schema.name.lower() in found:
                problems.append(Problem(title, "", f"a second sheet named '{schema.name}'"))
                continue
            kind, target = relationships.get(rid, ("", ""))
            part = self.member(target) if target else None
            if part is None:
                problems.append(Problem(title, "", "the workbook holds no data for this "
                                        "sheet (a damaged workbook?)"))
                continue
            if kind != "worksheet":
                problems.append(Problem(title, "", f"this sheet is a {kind}; the case needs "
                                        "a worksheet of rows"))
                continue
            handler = _SheetHandler(self, schema, title, context, problems)
            self.parse(part, handler, title)
            sheet = handler.finish()
            if sheet is not None:
                found[schema.name.lower()] = sheet
        for schema in SHEETS_BY_NAME.values():
            if schema.required and schema.name.lower() not in found and not any(
                p.sheet.strip().lower() == schema.name.lower() for p in problems
            ):
                problems.append(Problem(schema.name, "", "required sheet is missing"))
        return RawWorkbook(found, self.warnings, problems)


def _unknown_sheet(title: str, titles: set[str], problems: list[Problem],
                   warnings: list[Problem]) -> None:
    """A sheet the format does not know: an error if its name is a near miss of a case
    sheet the workbook lacks ('Import' for 'Imports': its rows would be lost without a
    word), a warning otherwise; documentation sheets (About, Sources…) pass silently."""
    canonical = title.strip().lower()
    if canonical in IGNORED_SHEETS:
        return
    missing = [name for name in SHEETS_BY_NAME if name not in titles]
    near = difflib.get_close_matches(canonical, missing, n=1, cutoff=0.75)
    if near:
        problems.append(Problem(title, "", f"sheet name is not part of the case format; "
                                f"did you mean '{SHEETS_BY_NAME[near[0]].name}'?"))
    else:
        warnings.append(Problem(title, "", "sheet is not part of the case format and is "
                                "ignored", is_error=False))


class _SheetHandler(SheetHandler):
    """Streams one worksheet's ``sheetData`` into a `RawSheet`: the header row, then
    the rows with a value in a known column; stops at the end of ``sheetData``."""

    def __init__(self, reader: _Reader, schema: Sheet, title: str, context: CellContext,
                 problems: list[Problem]):
        super().__init__(reader, title, context)
        self.schema = schema
        self.problems = problems
        self.header_read = False
        self.positions: dict[str, int] | None = None
        self.sheet: RawSheet | None = None

    def _row_done(self) -> None:
        number, values = self.row, self.values
        self.values = None
        if number > self.max_rows:
            return
        if not self.header_read:
            self._header(values if number == 1 else {})
            if number == 1:
                return
        if self.sheet is None:
            raise Done
        if values:
            record = {name: values.get(column) for name, column in self.positions.items()}
            if any(v is not None for v in record.values()):
                self.sheet.rows.append(RawRow(number, record))

    # --- the header --------------------------------------------------------------------

    def _header(self, values: dict[int, object]) -> None:
        self.header_read = True
        title, schema = self.title, self.schema
        known = {column.name for column in schema.columns}
        positions: dict[str, int] = {}
        for column in sorted(values):
            value = values[column]
            name = str(value).strip().lower()
            letter = column_letter(column)
            if not name or name.startswith("#") or name in ("note", "notes", "comment",
                                                            "comments"):
                continue
            if name not in known:
                self.reader.warnings.append(Problem(
                    title, f"{letter}1", f"column '{value}' is not part of sheet "
                    f"{schema.name} and is ignored; its columns are "
                    f"{', '.join(sorted(known))}", is_error=False))
            elif name in positions:
                self.problems.append(Problem(title, f"{letter}1",
                                             f"column '{name}' appears twice"))
            else:
                positions[name] = column
        missing = [c.name for c in schema.columns if c.required and c.name not in positions]
        for name in missing:
            self.problems.append(Problem(title, "1:1", f"required column '{name}' is missing"))
        if not missing:
            self.positions = positions
            self.sheet = RawSheet(schema, title, {name: column_letter(column)
                                                  for name, column in positions.items()})

    def finish(self) -> RawSheet | None:
        if not self.header_read:
            self._header({})
        return self.sheet

