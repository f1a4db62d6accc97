"""A bounded, safe reader of an .xlsx package: its parts, parsed as they stream.

A workbook may come from anywhere, so reading it is bounded in memory and in time (the
limits, `ReadLimits` of `optimizer.case.workbook_reader`) and nothing in it is evaluated:
formulas are read as their cached values. This module guarantees that

- nothing is inflated before the file is known to be a real .xlsx (a zip package) within
  the size limit and its zip directory is checked: the number of parts, their compression
  method (deflate or stored only) and their declared uncompressed sizes;
- each part is inflated through a bounded stream that stops as soon as it passes the size
  the zip directory declared or the workbook's budget, and its CRC is checked;
- each part is parsed as it streams by expat, which here

  - refuses any DTD: no entity can be declared, so none is expanded and no external
    entity is fetched;
  - counts the XML elements against one budget for the whole workbook, and bounds the
    nesting and the length of a single tag or text;

- of a worksheet, only the cells of the first `max_columns` columns of the first
  `max_rows` rows are kept; a value beyond them rejects the workbook, naming the cell and
  the limit.

It reads the content types, the workbook and its relationships, the styles (which cells
hold dates) and the shared strings, and decodes the cell values of a worksheet
(`SheetHandler`) as openpyxl does with ``data_only=True``. What is done with the rows is
left to a subclass of `SheetHandler`.

The dimension a sheet declares (``<dimension ref=...>``) is ignored: the cells say where
they are. Rows must come in ascending order, as every spreadsheet application writes them.
"""

from __future__ import annotations

import copy
import functools
import posixpath
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.parsers import expat

from optimizer.errors import InputError, Problem

if TYPE_CHECKING:
    from optimizer.case.workbook_reader import ReadLimits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_STYLES = 65_490
"""Excel's own limit on cell formats (and so on number formats) in a workbook."""
MAX_XML_DEPTH = 64
"""No part of a workbook nests elements half as deep."""
MAX_TOKEN_BYTES = 2**20
"""The longest stretch of XML without a parser event: a tag with its attributes, a
comment. Legitimate tags take well under a kilobyte (text is reported as it streams);
expat re-scans an unfinished token with every chunk, so a long one costs its square."""
CHUNK_BYTES = 64 * 2**10
_SHEET_ML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
WORKBOOK_TYPES = (f"{_SHEET_ML}.sheet.main+xml", "application/vnd.ms-excel.sheet.macroEnabled"
                  ".main+xml", f"{_SHEET_ML}.template.main+xml",
                  "application/vnd.ms-excel.template.macroEnabled.main+xml")
"""The content types of a workbook part: .xlsx, .xlsm, .xltx, .xltm (openpyxl's
constants, which a test checks these against: openpyxl itself is imported only for a
workbook that needs it, a custom number format or a date, so that ``stockpile
validate`` starts at once)."""
SHARED_STRINGS = f"{_SHEET_ML}.sharedStrings+xml"
BUILTIN_DATES = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
"""Built-in number formats (numFmtId) that show a date or a time, and, of them, those
that show a duration: as openpyxl classifies its BUILTIN_FORMATS (a test checks it)."""
BUILTIN_DURATIONS = frozenset({46})


def column_letter(number: int) -> str:
    """A column's letters: 1 → A, 26 → Z, 27 → AA, …"""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@functools.lru_cache(maxsize=EXCEL_MAX_COLUMNS)
def column_number(letters: str) -> int | None:
    """A column's number from its letters, in either case (A → 1); None for anything
    that is not a column from A to XFD."""
    letters = letters.upper()
    if not (1 <= len(letters) <= 3 and letters.isascii() and letters.isalpha()):
        return None
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number if number <= EXCEL_MAX_COLUMNS else None


def _limit_text(limits: ReadLimits, name: str) -> str:
    """``limit max_rows = 200,000``: how a rejection names the limit it hit."""
    return f"limit {name} = {getattr(limits, name):,}"


class Done(Exception):
    """Raised by a handler that has read all it needs of a part."""


class _Handler:
    """What the parse of one part does: ``start_<name>(attrs)`` and ``end_<name>()``
    for the elements it cares about (local names: namespaces are dropped), and
    `text` while `collecting`."""

    collecting = False

    def handlers(self, prefix: str) -> dict[str, object]:
        return {name[len(prefix):]: getattr(self, name) for name in dir(self)
                if name.startswith(prefix)}

    def text(self, data: str) -> None:
        pass


class XlsxReader:
    """Reads the parts of one .xlsx package within `limits`; a part breaking one
    rejects the workbook (`InputError`)."""

    def __init__(self, path: Path, limits: ReadLimits):
        self.path = path
        self.name = path.name
        self.limits = limits
        self.archive: zipfile.ZipFile | None = None
        self.names: set[str] = set()
        self.lower_names: dict[str, str] = {}
        self.shared_strings_override: str | None = None
        self.warnings: list[Problem] = []
        self.inflated = 0
        self.elements = 0

    # --- rejections --------------------------------------------------------------------

    def fail(self, message: str, place: str | None = None, cell: str = ""):
        raise InputError([Problem(place or self.name, cell, message)], self.warnings)

    def over(self, name: str, what: str, place: str | None = None, cell: str = ""):
        self.fail(f"{what} ({_limit_text(self.limits, name)})", place, cell)

    # --- the file and its zip directory ------------------------------------------------

    def check_file(self) -> None:
        path, limits = self.path, self.limits
        if not path.is_file():
            self.fail("no such file")
        size = path.stat().st_size
        if size == 0:
            self.fail("the file is empty")
        if size > limits.max_file_bytes:
            self.over("max_file_bytes", f"the file is {size:,} bytes")
        try:
            with path.open("rb") as handle:
                head = handle.read(8)
                if head == OLE_MAGIC:
                    self.fail("this is an old .xls workbook or an encrypted .xlsx; save it "
                              "as an unencrypted Excel workbook (.xlsx)")
                if not zipfile.is_zipfile(handle):
                    self.fail("not an .xlsx workbook (it is not a zip package; a CSV or "
                              "text file renamed .xlsx?)")
                self._count_parts(handle, size)
        except OSError as exc:
            self.fail(f"the file cannot be read ({exc.strerror or exc})")

    def _count_parts(self, handle, size: int) -> None:
        """Count the zip directory's entries before `zipfile` builds one object per
        entry, finding the directory as zipfile does; the end record's count may lie,
        so the entries themselves are counted."""
        start = max(0, size - 22 - 0xFFFF)
        handle.seek(start)
        tail = handle.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return  # zipfile says what is wrong
        count, directory_size, directory_offset = struct.unpack_from("<10xH2L", tail, at)
        directory_end = start + at
        if at >= 20 and tail.startswith(b"PK\x06\x07", at - 20):  # zip64
            (record_at,) = struct.unpack_from("<8xQ", tail, at - 20)
            handle.seek(record_at)
            record = handle.read(56)
            if len(record) < 56 or not record.startswith(b"PK\x06\x06"):
                return
            count, directory_size, directory_offset = struct.unpack_from("<32x3Q", record)
            directory_end -= 76  # the zip64 end record and its locator
        if count > self.limits.max_parts:
            self.over("max_parts", f"the package holds {count:,} parts")
        directory_start = directory_end - directory_size
        if directory_start < 0:
            return
        handle.seek(directory_start)
        directory = handle.read(directory_size)
        offset = entries = 0
        while directory.startswith(b"PK\x01\x02", offset) and offset + 46 <= len(directory):
            entries += 1
            if entries > self.limits.max_parts:
                self.over("max_parts", "the package holds more than "
                          f"{self.limits.max_parts:,} parts")
            name, extra, comment = struct.unpack_from("<3H", directory, offset + 28)
            offset += 46 + name + extra + comment

    def _check_directory(self) -> None:
        infos = self.archive.infolist()
        if len(infos) > self.limits.max_parts:
            self.over("max_parts", f"the package holds {len(infos):,} parts")
        declared = sum(info.file_size for info in infos)
        if declared > self.limits.max_uncompressed_bytes:
            self.over("max_uncompressed_bytes",
                      f"the workbook's parts inflate to {declared:,} bytes")
        for info in infos:
            self.names.add(info.filename)
            self.lower_names.setdefault(info.filename.lower(), info.filename)

    # --- parts ---------------------------------------------------------------------------

    def member(self, part: str) -> str | None:
        """The zip member holding `part` (part names ignore case)."""
        part = part.lstrip("/")
        return part if part in self.names else self.lower_names.get(part.lower())

    def parse(self, part: str, handler: _Handler, place: str | None = None) -> None:
        """Stream `part` through expat into `handler`, within every limit."""
        place = place or self.name
        info = self.archive.getinfo(part)
        if info.flag_bits & 0x1:
            self.fail(f"part {part} is encrypted", place)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            self.fail(f"part {part} uses compression method {info.compress_type}; an .xlsx "
                      "uses only deflate", place)
        # Read one byte past the declared size, to catch a directory that lies (the CRC
        # is checked here, since zipfile would check it against the cut-off data).
        probe = copy.copy(info)
        probe.file_size = info.file_size + 1
        probe.CRC = None
        parser, progress = self._parser(part, handler, place)
        size = stalled = crc = 0
        seen = progress()
        try:
            with self.archive.open(probe) as stream:
                while chunk := stream.read(CHUNK_BYTES):
                    size += len(chunk)
                    self.inflated += len(chunk)
                    if size > info.file_size:
                        self.fail(f"part {part} inflates past the {info.file_size:,} bytes "
                                  "its zip directory declares (a corrupt or hostile file)",
                                  place)
                    if self.inflated > self.limits.max_uncompressed_bytes:
                        self.over("max_uncompressed_bytes", "the parts read inflate to more "
                                  f"than {self.limits.max_uncompressed_bytes:,} bytes", place)
                    crc = zlib.crc32(chunk, crc)
                    parser.Parse(chunk, False)
                    now = progress()
                    stalled = stalled + len(chunk) if now == seen else 0
                    seen = now
                    if stalled > MAX_TOKEN_BYTES:
                        self.fail(f"part {part} holds a single XML tag or comment longer "
                                  f"than {MAX_TOKEN_BYTES:,} bytes", place)
            if crc != info.CRC:
                self.fail(f"part {part} is corrupt (its checksum does not match)", place)
            parser.Parse(b"", True)
        except Done:
            pass
        except expat.ExpatError as exc:
            self.fail(f"part {part} is not well-formed XML ({exc})", place)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            self.fail(f"part {part} is corrupt ({exc})", place)
        finally:
            self.elements = progress(elements_only=True)

    def _parser(self, part: str, handler: _Handler, place: str):
        """An expat parser feeding `handler` that refuses DTDs and counts the elements
        and the nesting; and a function saying how many events it has seen."""
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.buffer_size = CHUNK_BYTES
        limit = self.limits.max_xml_elements
        budget = limit - self.elements
        depth = texts = 0
        starts, ends = handler.handlers("start_"), handler.handlers("end_")
        start_of: dict[str, object] = {}  # by the name as expat gives it ("ns local")
        end_of: dict[str, object] = {}

        def refuse(*_args) -> None:
            self.fail(f"part {part} declares a DTD (<!DOCTYPE>); XML entities are not "
                      "allowed in a workbook (an entity-expansion attack?)", place)

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal budget, depth
            budget -= 1
            depth += 1
            if budget < 0:
                self.over("max_xml_elements", f"the workbook holds more than {limit:,} XML "
                          "elements", place)
            if depth > MAX_XML_DEPTH:
                self.fail(f"part {part} nests XML elements more than {MAX_XML_DEPTH} "
                          "deep", place)
            try:
                handle = start_of[name]
            except KeyError:
                local = name[name.rfind(" ") + 1:]
                handle = start_of[name] = starts.get(local)
                end_of[name] = ends.get(local)
            if handle is not None:
                handle(attrs)

        def end(name: str) -> None:
            nonlocal depth
            depth -= 1
            handle = end_of[name]
            if handle is not None:
                handle()

        def text(data: str) -> None:
            nonlocal texts
            texts += 1
            if handler.collecting:
                handler.text(data)

        def progress(elements_only: bool = False) -> int:
            return limit - budget + (0 if elements_only else texts)

        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        parser.ExternalEntityRefHandler = refuse
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text
        return parser, progress

    # --- the package ---------------------------------------------------------------------

    def read_package(self) -> tuple[list[tuple[str, str]], dict[str, tuple[str, str]],
                                    CellContext]:
        """Check the zip directory and read the parts every sheet depends on: the sheets
        the workbook lists (title, relationship id), the workbook's relationships and
        what decoding a cell needs."""
        self._check_directory()
        workbook_part = self._workbook_part()
        sheets, date1904 = self._sheets(workbook_part)
        relationships = self._relationships(workbook_part, {rid for _, rid in sheets})
        styles = self._styles(relationships)
        strings = self._shared_strings(relationships)
        context = CellContext(strings, styles, date1904)
        return sheets, relationships, context

    def _workbook_part(self) -> str:
        if self.member("[Content_Types].xml") is None:
            self.fail("not a readable .xlsx workbook (it has no [Content_Types].xml)")
        types = _ContentTypes()
        self.parse(self.member("[Content_Types].xml"), types)
        for kind in WORKBOOK_TYPES:
            if kind in types.overrides:
                part = self.member(types.overrides[kind])
                break
        else:
            part = self.member("xl/workbook.xml") if types.default_workbook else None
        if part is None:
            self.fail("not a readable .xlsx workbook (it has no workbook part)")
        self.shared_strings_override = types.overrides.get(SHARED_STRINGS)
        return part

    def _sheets(self, part: str) -> tuple[list[tuple[str, str]], bool]:
        handler = _WorkbookHandler(self)
        self.parse(part, handler)
        return handler.sheets, handler.date1904

    def _relationships(self, workbook_part: str,
                       wanted: set[str]) -> dict[str, tuple[str, str]]:
        """Relationship id → (type, part) of the workbook, for the sheets and for the
        styles and shared strings (by type, under their own key)."""
        folder, name = posixpath.split(workbook_part)
        part = self.member(posixpath.join(folder, "_rels", f"{name}.rels"))
        if part is None:
            self.fail("not a readable .xlsx workbook (the workbook's relationships are "
                      "missing)")
        handler = _RelationshipsHandler(wanted, folder)
        self.parse(part, handler)
        return handler.relationships

    def _styles(self, relationships: dict[str, tuple[str, str]]) -> _Styles:
        part = relationships.get("styles", ("", "xl/styles.xml"))[1]
        styles = _StylesHandler(self)
        if self.member(part) is not None:
            self.parse(self.member(part), styles)
        return styles.result()

    def _shared_strings(self, relationships: dict[str, tuple[str, str]]) -> list[str]:
        if "sharedStrings" in relationships:
            part = self.member(relationships["sharedStrings"][1])
        elif self.shared_strings_override:
            part = self.member(self.shared_strings_override)
        else:
            return []
        if part is None:
            self.fail("not a readable .xlsx workbook (its shared strings are missing)")
        handler = _SharedStringsHandler(self)
        self.parse(part, handler)
        return handler.strings


# --- handlers of the workbook's parts ------------------------------------------------------


class _ContentTypes(_Handler):
    def __init__(self):
        self.overrides: dict[str, str] = {}
        self.default_workbook = False

    def start_Override(self, attrs: dict[str, str]) -> None:
        kind = attrs.get("ContentType")
        if kind in WORKBOOK_TYPES or kind == SHARED_STRINGS:
            self.overrides.setdefault(kind, attrs.get("PartName", ""))

    def start_Default(self, attrs: dict[str, str]) -> None:
        self.default_workbook = self.default_workbook or attrs.get("ContentType") in \
            WORKBOOK_TYPES


class _WorkbookHandler(_Handler):
    def __init__(self, reader: XlsxReader):
        self.reader = reader
        self.sheets: list[tuple[str, str]] = []
        self.date1904 = False

    def start_sheet(self, attrs: dict[str, str]) -> None:
        if len(self.sheets) >= self.reader.limits.max_sheets:
            self.reader.over("max_sheets", "the workbook lists more than "
                             f"{self.reader.limits.max_sheets:,} sheets")
        rid = next((v for k, v in attrs.items() if k.endswith(" id")), "")
        self.sheets.append((attrs.get("name", ""), rid))

    def start_workbookPr(self, attrs: dict[str, str]) -> None:
        self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")


class _RelationshipsHandler(_Handler):
    def __init__(self, wanted: set[str], folder: str):
        self.wanted = wanted
        self.folder = folder
        self.relationships: dict[str, tuple[str, str]] = {}

    def start_Relationship(self, attrs: dict[str, str]) -> None:
        if attrs.get("TargetMode") == "External":
            return
        kind = attrs.get("Type", "").rpartition("/")[2]
        target = attrs.get("Target", "")
        target = (target.lstrip("/") if target.startswith("/")
                  else posixpath.normpath(posixpath.join(self.folder, target)))
        rid = attrs.get("Id", "")
        if rid in self.wanted:
            self.relationships[rid] = (kind, target)
        if kind in ("styles", "sharedStrings"):
            self.relationships.setdefault(kind, (kind, target))


@dataclass
class _Styles:
    dates: frozenset[int]
    durations: frozenset[int]


class _StylesHandler(_Handler):
    """Which cell formats (``s`` of a cell) show a date or a duration, as openpyxl
    decides it: by the number format of each ``cellXfs`` entry."""

    def __init__(self, reader: XlsxReader):
        self.reader = reader
        self.custom: dict[int, str] = {}
        self.formats: list[int] = []
        self.in_cell_formats = False

    def start_numFmt(self, attrs: dict[str, str]) -> None:
        if len(self.custom) >= EXCEL_MAX_STYLES:
            self.reader.fail(f"the styles hold more than {EXCEL_MAX_STYLES:,} number "
                             "formats (Excel's limit)")
        self.custom[_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")

    def start_cellXfs(self, attrs: dict[str, str]) -> None:
        self.in_cell_formats = True

    def end_cellXfs(self) -> None:
        self.in_cell_formats = False

    def start_xf(self, attrs: dict[str, str]) -> None:
        if self.in_cell_formats:
            if len(self.formats) >= EXCEL_MAX_STYLES:
                self.reader.fail(f"the styles hold more than {EXCEL_MAX_STYLES:,} cell "
                                 "formats (Excel's limit)")
            self.formats.append(_int(attrs.get("numFmtId")))

    def result(self) -> _Styles:
        dates, durations = set(), set()
        for index, number in enumerate(self.formats):
            if number in self.custom:
                from openpyxl.styles.numbers import is_date_format, is_timedelta_format

                code = self.custom[number]
                date, duration = is_date_format(code), is_timedelta_format(code)
            else:
                date, duration = number in BUILTIN_DATES, number in BUILTIN_DURATIONS
            if date:
                dates.add(index)
            if duration:
                durations.add(index)
        return _Styles(frozenset(dates), frozenset(durations))


def _from_excel(value: float, date1904: bool, duration: bool) -> object:
    """A date-formatted number as openpyxl reads it: a datetime, a time or (for a
    duration format) a timedelta."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    return from_excel(value, CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900,
                      timedelta=duration)


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return -1


class _TextCollector(_Handler):
    """Gathers the text of ``<t>`` elements (rich-text runs included, phonetic runs
    left out), within `max_text_chars`."""

    def __init__(self, reader: XlsxReader, place: str):
        self.reader = reader
        self.place = place
        self.pieces: list[str] = []
        self.length = 0
        self.phonetic = False
        self.max_text_chars = reader.limits.max_text_chars

    def text(self, data: str) -> None:
        self.length += len(data)
        if self.length > self.max_text_chars:
            self.too_long()
        self.pieces.append(data)

    def too_long(self) -> None:
        self.reader.over("max_text_chars", "a text longer than "
                         f"{self.max_text_chars:,} characters", self.place)

    def take(self) -> str:
        pieces = self.pieces
        text = pieces[0] if len(pieces) == 1 else "".join(pieces)
        self.pieces = []
        self.length = 0
        return text

    def end_t(self) -> None:
        self.collecting = False

    def start_rPh(self, attrs: dict[str, str]) -> None:
        self.phonetic = True

    def end_rPh(self) -> None:
        self.phonetic = False


class _SharedStringsHandler(_TextCollector):
    def __init__(self, reader: XlsxReader):
        super().__init__(reader, reader.name)
        self.strings: list[str] = []

    def too_long(self) -> None:
        self.reader.over("max_text_chars", f"shared string {len(self.strings)} is longer "
                         f"than {self.max_text_chars:,} characters")

    def start_si(self, attrs: dict[str, str]) -> None:
        self.pieces = []
        self.length = 0

    def end_si(self) -> None:
        text = self.take()
        self.strings.append(text.replace("x005F_", "") if "x005F_" in text else text)

    def start_t(self, attrs: dict[str, str]) -> None:
        self.collecting = not self.phonetic



@dataclass
class CellContext:
    strings: list[str]
    styles: _Styles
    date1904: bool
    """Dates count from 1904 (a Mac workbook's setting), not 1900."""


class SheetHandler(_TextCollector):
    """Streams one worksheet's ``sheetData``, decoding its cells; each finished row's
    values (by column number, in `values`) go to `_row_done`, which a subclass defines
    and which may raise `Done` to stop reading the sheet."""

    def __init__(self, reader: XlsxReader, title: str, context: CellContext):
        super().__init__(reader, title)
        self.title = title
        self.context = context
        limits = reader.limits
        self.max_rows = limits.max_rows
        self.max_columns = limits.max_columns
        self.in_data = False
        self.row = 0
        self.values: dict[int, object] | None = None  # the current row's, by column
        self.column = 0
        self.kind = "n"
        self.style: str | None = None
        self.inline = False
        self.has_inline = False

    def too_long(self) -> None:
        self.reader.over("max_text_chars", "a text longer than "
                         f"{self.max_text_chars:,} characters", self.title, self._reference())

    # --- elements ----------------------------------------------------------------------

    def start_sheetData(self, attrs: dict[str, str]) -> None:
        self.in_data = True

    def end_sheetData(self) -> None:
        raise Done

    def start_row(self, attrs: dict[str, str]) -> None:
        if not self.in_data:
            return
        number = attrs.get("r")
        if number is None:
            number = self.row + 1
        else:
            try:
                number = int(number)
            except ValueError:
                self.reader.fail(f"row number '{number[:20]}' is not a number (a damaged "
                                 "workbook?)", self.title)
        if number <= self.row:
            self.reader.fail(f"row {number:,} comes after row {self.row:,}; rows must be in "
                             "ascending order (a damaged workbook?)", self.title)
        if number > EXCEL_MAX_ROWS:
            self.reader.fail(f"row {number:,} is beyond Excel's last row "
                             f"({EXCEL_MAX_ROWS:,})", self.title)
        self.row = number
        self.values = {}
        self.column = 0

    def end_row(self) -> None:
        if self.values is not None:
            self._row_done()

    def start_c(self, attrs: dict[str, str]) -> None:
        if self.values is None:
            return
        reference = attrs.get("r")
        if reference is None:
            column = self.column + 1
            if column > EXCEL_MAX_COLUMNS:
                self.reader.fail(f"row {self.row:,} has cells beyond Excel's last column "
                                 "(XFD)", self.title)
        else:
            letters = reference.rstrip("0123456789")
            column = column_number(letters)
            if column is None:
                self.reader.fail(f"'{reference[:20]}' is not a cell reference within "
                                 "Excel's columns A to XFD", self.title)
        self.column = column
        self.kind = attrs.get("t", "n")
        self.style = attrs.get("s")
        self.has_inline = False
        self.pieces = []
        self.length = 0

    def end_c(self) -> None:
        if self.values is None or not self.pieces and not self.has_inline:
            return  # outside a row, or an empty cell (formatting only)
        value = _clean(self._value())
        if value is None:
            return
        if self.row > self.max_rows:
            self.reader.over("max_rows", f"a value beyond row {self.max_rows:,}", self.title,
                             self._reference())
        if self.column > self.max_columns:
            self.reader.over("max_columns", "a value beyond column "
                             f"{column_letter(self.max_columns)}", self.title,
                             self._reference())
        self.values[self.column] = value

    def start_v(self, attrs: dict[str, str]) -> None:
        self.collecting = self.values is not None and not self.inline

    def end_v(self) -> None:
        self.collecting = False

    def start_is(self, attrs: dict[str, str]) -> None:
        self.inline = self.has_inline = True

    def end_is(self) -> None:
        self.inline = False

    def start_t(self, attrs: dict[str, str]) -> None:
        self.collecting = self.inline and not self.phonetic


    def _reference(self) -> str:
        return f"{column_letter(self.column)}{self.row}"

    def _value(self) -> object:
        """The cell's value as openpyxl reads it with ``data_only=True``."""
        kind = self.kind
        if kind == "inlineStr":
            return self.take() if self.has_inline else None
        raw = self.take() or None
        if raw is None:
            return None
        try:
            if kind == "n":
                value = float(raw) if "." in raw or "e" in raw or "E" in raw else int(raw)
                styles = self.context.styles
                if self.style and styles.dates and _int(self.style) in styles.dates:
                    try:
                        return _from_excel(value, self.context.date1904,
                                           _int(self.style) in styles.durations)
                    except (OverflowError, ValueError):
                        return "#VALUE!"
                return value
            if kind == "s":
                index = int(raw)
                if index < 0:
                    raise IndexError(index)
                return self.context.strings[index]
            if kind == "b":
                return bool(int(raw))
            if kind == "d":
                from openpyxl.utils.datetime import from_ISO8601

                return from_ISO8601(raw)
        except (ValueError, IndexError, TypeError):
            self.reader.fail(f"the stored value '{raw[:40]}' of type '{kind[:10]}' cannot be "
                             "read (a damaged workbook?)", self.title, self._reference())
        return raw  # str, e (an error such as #N/A) and unknown types: the text as stored

    def _row_done(self) -> None:
        """Called at the end of every row; a reader of a given format takes the row's
        values here (`optimizer.case.workbook_reader` maps them to the case's columns)."""


def _clean(value: object) -> object:
    """Blank strings become None; text is stripped."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
