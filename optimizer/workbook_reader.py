"""Reading a case workbook safely into raw rows that keep their Excel places.

The workbook may come from anywhere, so reading it is bounded: the file must be a real
.xlsx (a zip), its declared uncompressed size is checked before any XML is parsed,
openpyxl parses in read-only, values-only mode (through defusedxml when installed, which
the package requires), and no sheet is read past `ReadLimits`. Nothing in the file is
evaluated: formulas are read as their cached values.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from optimizer.problems import InputError, Problem
from optimizer.schema import IGNORED_SHEETS, SHEETS_BY_NAME, Sheet

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what a workbook may hold; a file past one is rejected, naming it."""

    max_file_bytes: int = 50 * 2**20
    max_uncompressed_bytes: int = 200 * 2**20
    max_rows: int = 200_000
    max_columns: int = 64


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

    Raises `InputError` for a file that is not a readable .xlsx or breaks a size limit;
    missing sheets or columns are returned as problems, cell checks left to validation.
    """
    path = Path(path)
    limits = limits or ReadLimits()
    _check_container(path, limits)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken package
        raise InputError([Problem(path.name, "", f"not a readable .xlsx workbook ({exc})")]) \
            from None
    try:
        return _read_sheets(workbook, limits)
    finally:
        workbook.close()


def _check_container(path: Path, limits: ReadLimits) -> None:
    def fail(message: str) -> None:
        raise InputError([Problem(path.name, "", message)])

    if not path.is_file():
        fail("no such file")
    size = path.stat().st_size
    if size == 0:
        fail("the file is empty")
    if size > limits.max_file_bytes:
        fail(f"the file is {size:,} bytes, over the limit of {limits.max_file_bytes:,}")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == OLE_MAGIC:
        fail("this is an old .xls workbook or an encrypted .xlsx; save it as an "
             "unencrypted Excel workbook (.xlsx)")
    if not zipfile.is_zipfile(path):
        fail("not an .xlsx workbook (it is not a zip package; a CSV or text file "
             "renamed .xlsx?)")
    try:
        with zipfile.ZipFile(path) as package:
            declared = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        fail(f"the workbook package is corrupt ({exc})")
    if declared > limits.max_uncompressed_bytes:
        fail(f"the workbook inflates to {declared:,} bytes, over the limit of "
             f"{limits.max_uncompressed_bytes:,}")


def _read_sheets(workbook, limits: ReadLimits) -> RawWorkbook:
    problems: list[Problem] = []
    warnings: list[Problem] = []
    sheets: dict[str, RawSheet] = {}
    for title in workbook.sheetnames:
        canonical = title.strip().lower()
        schema = SHEETS_BY_NAME.get(canonical)
        if schema is None:
            if canonical not in IGNORED_SHEETS:
                warnings.append(Problem(title, "", "sheet is not part of the case format "
                                        "and is ignored", is_error=False))
            continue
        if schema.name.lower() in sheets:
            problems.append(Problem(title, "", f"a second sheet named '{schema.name}'"))
            continue
        sheet = _read_sheet(workbook[title], schema, limits, problems, warnings)
        if sheet is not None:
            sheets[schema.name.lower()] = sheet
    for schema in SHEETS_BY_NAME.values():
        if schema.required and schema.name.lower() not in sheets and not any(
            p.sheet.strip().lower() == schema.name.lower() for p in problems
        ):
            problems.append(Problem(schema.name, "", "required sheet is missing"))
    return RawWorkbook(sheets, warnings, problems)


def _read_sheet(worksheet, schema: Sheet, limits: ReadLimits,
                problems: list[Problem], warnings: list[Problem]) -> RawSheet | None:
    title = worksheet.title
    rows = worksheet.iter_rows(min_row=1, max_row=limits.max_rows + 1,
                               max_col=limits.max_columns, values_only=True)
    header = next(rows, None)
    known = {column.name for column in schema.columns}
    positions: dict[str, int] = {}
    for index, value in enumerate(header or ()):
        name = str(value).strip().lower() if value is not None else ""
        letter = get_column_letter(index + 1)
        if not name or name.startswith("#") or name in ("note", "notes", "comment", "comments"):
            continue
        if name not in known:
            warnings.append(Problem(title, f"{letter}1", f"column '{value}' is not part of "
                                    f"sheet {schema.name} and is ignored; its columns are "
                                    f"{', '.join(sorted(known))}", is_error=False))
        elif name in positions:
            problems.append(Problem(title, f"{letter}1", f"column '{name}' appears twice"))
        else:
            positions[name] = index
    missing = [c.name for c in schema.columns if c.required and c.name not in positions]
    for name in missing:
        problems.append(Problem(title, "1:1", f"required column '{name}' is missing"))
    if missing:
        return None
    sheet = RawSheet(schema, title,
                     {name: get_column_letter(i + 1) for name, i in positions.items()})
    for number, values in enumerate(rows, start=2):
        if number > limits.max_rows:
            if any(_present(v) for v in values):
                problems.append(Problem(title, f"{number}:{number}", f"more than "
                                        f"{limits.max_rows:,} rows (limit max_rows)"))
            break
        record = {name: _clean(values[i]) for name, i in positions.items() if i < len(values)}
        if any(v is not None for v in record.values()):
            sheet.rows.append(RawRow(number, record))
    return sheet


def _present(value: object) -> bool:
    return _clean(value) is not None


def _clean(value: object) -> object:
    """Blank strings become None; text is stripped."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
