"""Hostile workbooks (README, "Untrusted workbooks"): a file crafted to exhaust memory or
time when read, or to smuggle XML entities, must be rejected fast and small, by exit code
2 with one problem naming the file or the sheet and the limit (name and value) or the
rule it breaks, no traceback and no report. Lying metadata (a sheet's dimension) must not
change what is read. Legitimate workbooks must still read as openpyxl reads them.

Each hostile file starts from the valid workbook that `casebuilder.write_case` writes for
the base case; parts are replaced or added by hand and the zip is written byte by byte
(`package`), so a test controls what the zip directory declares. Big parts repeat one
block of XML between full flushes of the deflate stream, so they cost little to build.

Memory is measured once for all the files: one subprocess imports the command line and
forks a child per file that runs ``validate`` on it; the child's peak resident memory
(`os.wait4`) covers the whole command (running ``python -m optimizer validate FILE``
per file would measure the same but pay the imports each time).
"""

from __future__ import annotations

import bz2
import json
import os
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import openpyxl
import pytest
from casebuilder import base_case, write_case

from optimizer.case.workbook_reader import ReadLimits, read_workbook
from optimizer.cli import main
from optimizer.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inputs" / "rare_earths.xlsx"

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHARED_STRINGS_TYPE = ("application/vnd.openxmlformats-officedocument.spreadsheetml."
                       "sharedStrings+xml")
DEMAND = "xl/worksheets/sheet4.xml"  # write_case's sheet order: Settings, Countries, ...
SCENARIOS = "xl/worksheets/sheet9.xml"
MB = 2**20
SECONDS = 10.0
PEAK_MB = 1024


# --- writing a package by hand ---------------------------------------------------------


class Part(NamedTuple):
    """A zip member as stored: its compressed bytes and what the directory declares."""

    payload: bytes
    crc: int
    size: int
    method: int = zipfile.ZIP_DEFLATED


def deflated(data: bytes) -> Part:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Part(compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data))


def repeated(head: bytes, block: bytes, count: int, tail: bytes = b"") -> Part:
    """`head`, `block` `count` times and `tail`, deflated without inflating it here: after
    a full flush the compressor starts afresh, so every copy of `block` compresses to the
    same bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    middle = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    return Part(start + middle * count + end, zlib.crc32(tail, crc),
                len(head) + len(block) * count + len(tail))


def package(path: Path, parts: dict[str, bytes | Part],
            declared_count: int | None = None) -> Path:
    """Write `parts` as a zip, local headers, central directory and end record by hand
    (`declared_count`: what the end record says the count of parts is)."""
    body, directory = bytearray(), bytearray()
    for name, part in parts.items():
        if not isinstance(part, Part):
            part = deflated(part)
        encoded = name.encode()
        offset = len(body)
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, part.method, 0, 0x21,
                            part.crc, len(part.payload), part.size, len(encoded), 0)
        body += encoded + part.payload
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, part.method, 0,
                                 0x21, part.crc, len(part.payload), part.size, len(encoded),
                                 0, 0, 0, 0, 0, offset) + encoded
    count = len(parts) if declared_count is None else declared_count
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory),
                      len(body), 0)
    path.write_bytes(bytes(body + directory + end))
    return path


# --- XML by hand -----------------------------------------------------------------------


def worksheet(rows: str, dimension: str | None = None, prolog: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0"?>{prolog}<worksheet xmlns="{MAIN_NS}">{dim}<sheetData>'
            f"{rows}</sheetData></worksheet>").encode()


def split_sheet(rows: str = "", open_tags: str = "") -> tuple[bytes, bytes]:
    """A worksheet cut where a repeated block goes: after `rows` and `open_tags`."""
    whole = worksheet(rows + open_tags + "\0")
    head, tail = whole.split(b"\0")
    return head, tail


def filled(open_tags: str, block: bytes, count: int, close_tags: str = "") -> Part:
    """Demand's worksheet with `block` repeated `count` times after its rows and
    `open_tags` (and `close_tags` after)."""
    head, tail = split_sheet(DEMAND_ROWS, open_tags)
    return repeated(head, block, count, close_tags.encode() + tail)


def text(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def number(ref: str, value: object) -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


DEMAND_ROWS = (f'<row r="1">{text("A1", "country")}{text("B1", "good")}'
               f'{text("C1", "demand")}</row>'
               f'<row r="2">{text("A2", "A")}{text("B2", "g")}{number("C2", 10)}</row>'
               f'<row r="3">{text("A3", "B")}{text("B3", "g")}{number("C3", 5)}</row>')

LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
          + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
          + "]>")
"""Billion laughs: ``&lol9;`` expands to 10⁹ × "lol"."""


def with_doctype(xml: bytes, reference_into: bytes = b"") -> bytes:
    """`xml` with the billion-laughs DTD before its root (and `&lol9;` put where
    `reference_into` was, if given)."""
    source = xml.decode()
    if source.startswith("<?xml"):
        end = source.index("?>") + 2
        source = source[:end] + LAUGHS + source[end:]
    else:
        source = LAUGHS + source
    if reference_into:
        source = source.replace(reference_into.decode(), "&lol9;", 1)
    return source.encode()


# --- the hostile files -----------------------------------------------------------------

Parts = dict[str, bytes | Part]


def with_shared_strings(parts: Parts, strings: bytes | Part) -> Parts:
    """Add a shared-strings part (write_case writes inline strings only)."""
    types = parts["[Content_Types].xml"].decode().replace(
        "</Types>", f'<Override PartName="/xl/sharedStrings.xml" '
                    f'ContentType="{SHARED_STRINGS_TYPE}"/></Types>')
    relationships = parts["xl/_rels/workbook.xml.rels"].decode().replace(
        "</Relationships>", f'<Relationship Type="{RELATIONSHIPS}/sharedStrings" '
                            f'Target="sharedStrings.xml" Id="rId99"/></Relationships>')
    return {**parts, "[Content_Types].xml": types.encode(),
            "xl/_rels/workbook.xml.rels": relationships.encode(),
            "xl/sharedStrings.xml": strings}


def many_sheets(parts: Parts, count: int) -> Parts:
    names = range(count)
    workbook = parts["xl/workbook.xml"].decode().replace("</sheets>", "".join(
        f'<sheet name="extra {i}" sheetId="{100 + i}" r:id="rX{i}"/>' for i in names)
        + "</sheets>")
    relationships = parts["xl/_rels/workbook.xml.rels"].decode().replace(
        "</Relationships>", "".join(
            f'<Relationship Type="{RELATIONSHIPS}/worksheet" Target="/xl/worksheets/x{i}.xml" '
            f'Id="rX{i}"/>' for i in names) + "</Relationships>")
    empty = deflated(worksheet(""))
    return {**parts, "xl/workbook.xml": workbook.encode(),
            "xl/_rels/workbook.xml.rels": relationships.encode(),
            **{f"xl/worksheets/x{i}.xml": empty for i in names}}


def one_part_two_sheets(parts: Parts, part: Part) -> Parts:
    """Demand's part, here `part`, also serves as the Production sheet."""
    relationships = parts["xl/_rels/workbook.xml.rels"].decode().replace(
        'Target="/xl/worksheets/sheet5.xml"', f'Target="/{DEMAND}"')
    return {**parts, DEMAND: part, "xl/_rels/workbook.xml.rels": relationships.encode()}


class Hostile(NamedTuple):
    build: Callable[[Parts], Parts]
    words: tuple[str, ...]  # all on stderr
    declared_count: int | None = None


HEAD, TAIL = split_sheet(DEMAND_ROWS)
SPACE = b" " * MB

HOSTILE: dict[str, Hostile] = {
    # 1. XML entities, in every part that is parsed
    "entity bomb in a worksheet": Hostile(
        lambda p: {**p, DEMAND: worksheet(DEMAND_ROWS + f'<row r="4">{text("A4", "&lol9;")}'
                                          "</row>", prolog=LAUGHS)},
        ("Demand", DEMAND, "DTD")),
    "entity bomb in the shared strings": Hostile(
        lambda p: with_shared_strings(p, f'<?xml version="1.0"?>{LAUGHS}<sst xmlns='
                                         f'"{MAIN_NS}"><si><t>&lol9;</t></si></sst>'.encode()),
        ("case.xlsx", "xl/sharedStrings.xml", "DTD")),
    "entity bomb in the workbook": Hostile(
        lambda p: {**p, "xl/workbook.xml": with_doctype(p["xl/workbook.xml"], b"Demand")},
        ("case.xlsx", "xl/workbook.xml", "DTD")),
    "entity bomb in the styles": Hostile(
        lambda p: {**p, "xl/styles.xml": with_doctype(p["xl/styles.xml"])},
        ("case.xlsx", "xl/styles.xml", "DTD")),
    "entity bomb in the content types": Hostile(
        lambda p: {**p, "[Content_Types].xml": with_doctype(p["[Content_Types].xml"])},
        ("case.xlsx", "[Content_Types].xml", "DTD")),
    "entity bomb in the relationships": Hostile(
        lambda p: {**p, "xl/_rels/workbook.xml.rels":
                   with_doctype(p["xl/_rels/workbook.xml.rels"])},
        ("case.xlsx", "xl/_rels/workbook.xml.rels", "DTD")),
    "external entity": Hostile(
        lambda p: {**p, DEMAND: worksheet(
            DEMAND_ROWS + f'<row r="4">{text("A4", "&secret;")}</row>',
            prolog='<!DOCTYPE w [<!ENTITY secret SYSTEM "file:///etc/passwd">]>')},
        ("Demand", "DTD")),
    # 2. sizes: declared, lied about, or reached by reading one part twice
    "sheet declared at 300 MB": Hostile(
        lambda p: {**p, DEMAND: repeated(HEAD, SPACE, 300, TAIL)},
        ("case.xlsx", "limit max_uncompressed_bytes = 209,715,200")),
    "directory declares 20 kB, part inflates to 500 MB": Hostile(
        lambda p: {**p, DEMAND: repeated(HEAD, SPACE, 500, TAIL)._replace(size=20_000)},
        ("Demand", DEMAND, "inflates past the 20,000 bytes its zip directory declares")),
    "one 150 MB part read as two sheets": Hostile(
        lambda p: one_part_two_sheets(p, repeated(
            f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}">'.encode(), SPACE, 150,
            f"<sheetData>{DEMAND_ROWS}</sheetData></worksheet>".encode())),
        ("Production", "limit max_uncompressed_bytes = 209,715,200")),
    "bzip2 part": Hostile(
        lambda p: {**p, DEMAND: Part(bz2.compress(HEAD + b" " * (20 * MB) + TAIL), 0, 20_000,
                                     zipfile.ZIP_BZIP2)},
        ("Demand", "compression method 12")),
    "30,000 zip parts, the end record says 5": Hostile(
        lambda p: {**p, **{f"junk/{i}": Part(b"", 0, 0, zipfile.ZIP_STORED)
                           for i in range(30_000)}},
        ("case.xlsx", "limit max_parts = 10,000"), declared_count=5),
    # 3. a single cell far away
    "one cell at XFD1048576": Hostile(
        lambda p: {**p, DEMAND: worksheet(DEMAND_ROWS + '<row r="1048576">'
                                          f'{number("XFD1048576", 1)}</row>')},
        ("Demand!XFD1048576", "limit max_rows = 200,000")),
    "one cell at XFD2": Hostile(
        lambda p: {**p, DEMAND: worksheet(DEMAND_ROWS.replace(
            '</row><row r="3">', f'{number("XFD2", 1)}</row><row r="3">'))},
        ("Demand!XFD2", "beyond column BL", "limit max_columns = 64")),
    # 5. many sheets, many rows, many cells, many elements
    "5,000 sheets": Hostile(lambda p: many_sheets(p, 5000),
                            ("case.xlsx", "limit max_sheets = 100")),
    "a million tiny rows": Hostile(
        lambda p: {**p, DEMAND: repeated(HEAD, b"<row><c><v>1</v></c></row>" * 1000, 1000,
                                         TAIL)},
        ("Demand!A200001", "limit max_rows = 200,000")),
    "a row of 6.5 million cells": Hostile(
        lambda p: {**p, DEMAND: filled('<row r="4">', b"<c><v>1</v></c>" * 65536, 100,
                                       "</row>")},
        ("Demand!BM4", "limit max_columns = 64")),
    "the same row a million times": Hostile(
        lambda p: {**p, DEMAND: repeated(HEAD, f'<row r="3">{number("C3", 5)}</row>'.encode()
                                         * 1000, 1000, TAIL)},
        ("Demand", "row 3 comes after row 3", "ascending order")),
    "millions of empty formatted cells": Hostile(
        lambda p: {**p, DEMAND: repeated(HEAD, b'<row><c s="0"/><c s="0"/><c s="0"/></row>'
                                         * 4096, 300, TAIL)},
        ("Demand", "limit max_xml_elements = 2,000,000")),
    "millions of shared strings": Hostile(
        lambda p: with_shared_strings(p, repeated(f'<sst xmlns="{MAIN_NS}">'.encode(),
                                                  b"<si><t>x</t></si>" * 8192, 500,
                                                  b"</sst>")),
        ("case.xlsx", "limit max_xml_elements = 2,000,000")),
    # and the parser's own bounds
    "elements nested 39 million deep": Hostile(
        lambda p: {**p, DEMAND: repeated(HEAD, b"<a>" * 65536, 600)},
        ("Demand", "nests XML elements more than 64 deep")),
    "a 150 MB text": Hostile(
        lambda p: {**p, DEMAND: filled('<row r="4"><c r="A4" t="inlineStr"><is><t>',
                                       b"x" * MB, 150, "</t></is></c></row>")},
        ("Demand", "limit max_text_chars = 32,767")),
    "a tag with 1.2 million attributes": Hostile(
        lambda p: {**p, DEMAND: filled('<row r="4"><c r="A4"', b"".join(
            b' a%d=""' % i for i in range(1_200_000)), 1, "/></row>")},
        ("Demand", "a single XML tag or comment longer than 1,048,576 bytes")),
    "a 150 MB attribute": Hostile(
        lambda p: {**p, DEMAND: filled('<row r="4"><c r="A4" x="', b"y" * MB, 150,
                                       '"/></row>')},
        ("Demand", "a single XML tag or comment longer than 1,048,576 bytes")),
    "a 150 MB comment": Hostile(
        lambda p: {**p, DEMAND: filled("<!--", b"-x" * (MB // 2), 150, "-->")},
        ("Demand", "a single XML tag or comment longer than 1,048,576 bytes")),
}
"""Name → how the base case's parts become the hostile file, and what stderr says."""

LYING_DIMENSIONS = {
    "dimension says A1:XFD1048576, sheet holds 3 rows": "A1:XFD1048576",
    "dimension says A1:B2, sheet holds 3 rows of 3 columns": "A1:B2",
}


@pytest.fixture(scope="module")
def base_parts(tmp_path_factory) -> Parts:
    path = write_case(tmp_path_factory.mktemp("base") / "case.xlsx", base_case())
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def file_name(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


@pytest.fixture(scope="module")
def files(tmp_path_factory, base_parts) -> dict[str, Path]:
    """Every crafted file, each named case.xlsx in its own folder."""
    root = tmp_path_factory.mktemp("hostile")
    made = {}
    for name, hostile in HOSTILE.items():
        folder = root / file_name(name)
        folder.mkdir()
        made[name] = package(folder / "case.xlsx", hostile.build(dict(base_parts)),
                             hostile.declared_count)
    for name, ref in LYING_DIMENSIONS.items():
        folder = root / file_name(name)
        folder.mkdir()
        made[name] = package(folder / "case.xlsx",
                             {**base_parts, DEMAND: worksheet(DEMAND_ROWS, dimension=ref)})
    return made


MEASURE = r"""
import json, os, resource, signal, sys, time
from optimizer.cli import main

def child(path):
    try:  # a regression must not take the machine down: 3 GB more address space, 60 s
        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (size + 3 * 2**30, resource.RLIM_INFINITY))
    except (OSError, ValueError):
        pass
    signal.alarm(60)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    try:
        code = main(["validate", path])
    except BaseException:
        code = 99
    os._exit(code)

results = {}
for path in sys.argv[1:]:
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        child(path)
    _, status, usage = os.wait4(pid, 0)
    results[path] = {"exit": os.waitstatus_to_exitcode(status),
                     "peak_mb": usage.ru_maxrss / 1024,
                     "seconds": time.perf_counter() - start}
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def measured(files) -> dict[str, dict]:
    """Exit code, peak resident memory (MB) and wall time of ``validate`` on every file,
    each run in a child of one process that has imported the command line."""
    if not hasattr(os, "fork") or not hasattr(os, "wait4"):
        pytest.skip("measuring a child's peak memory needs fork and wait4")
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", MEASURE, *map(str, files.values())],
                          capture_output=True, text=True, timeout=600, env=env, check=True)
    by_path = json.loads(done.stdout)
    return {name: by_path[str(path)] for name, path in files.items()}


# --- the tests -------------------------------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_file_is_rejected_fast_and_small(name, files, measured, tmp_path, capsys):
    child = measured[name]
    assert child["exit"] == 2, child
    assert child["peak_mb"] < PEAK_MB, child
    assert child["seconds"] < SECONDS, child

    out, summary = tmp_path / "report.xlsx", tmp_path / "summary.json"
    start = time.perf_counter()
    code = main(["solve", str(files[name]), "-o", str(out), "--json", str(summary), "-q"])
    seconds = time.perf_counter() - start
    err = capsys.readouterr().err
    assert code == 2
    for words in HOSTILE[name].words:
        assert words in err, err
    assert "1 problem found" in err
    assert len(err) < 1000, "one short message, not a flood"
    assert "Traceback" not in err
    assert "internal error" not in err
    assert "root:" not in err  # nothing of /etc/passwd
    assert seconds < SECONDS
    assert not out.exists()
    assert not summary.exists()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", LYING_DIMENSIONS)
def test_lying_dimension_changes_nothing(name, files, measured, tmp_path, capsys):
    child = measured[name]
    assert child["exit"] == 0, child
    assert child["peak_mb"] < PEAK_MB, child
    start = time.perf_counter()
    assert main(["validate", str(files[name])]) == 0
    assert time.perf_counter() - start < SECONDS
    assert "valid case" in capsys.readouterr().out
    demand = read_workbook(files[name]).sheets["demand"]
    assert [(row.number, row.values) for row in demand.rows] == [
        (2, {"country": "A", "good": "g", "demand": 10}),
        (3, {"country": "B", "good": "g", "demand": 5})]


LIMITS = {
    "max_file_bytes": (ReadLimits(max_file_bytes=1000), "case.xlsx"),
    "max_uncompressed_bytes": (ReadLimits(max_uncompressed_bytes=10_000), "case.xlsx"),
    "max_parts": (ReadLimits(max_parts=10), "case.xlsx"),
    "max_sheets": (ReadLimits(max_sheets=9), "case.xlsx"),
    "max_rows": (ReadLimits(max_rows=2), "Countries!A3"),
    "max_columns": (ReadLimits(max_columns=2), "Goods!C1"),
    "max_xml_elements": (ReadLimits(max_xml_elements=100), "case.xlsx"),
    "max_text_chars": (ReadLimits(max_text_chars=5), "Settings!A2"),
}


@pytest.mark.parametrize("limit", LIMITS)
def test_every_limit_is_a_setting_named_when_hit(limit, tmp_path):
    """The base case breaks each limit set low enough; the problem names the place and
    the limit with its value."""
    limits, place = LIMITS[limit]
    path = write_case(tmp_path / "case.xlsx", base_case())
    with pytest.raises(InputError) as info:
        read_workbook(path, limits)
    [problem] = info.value.problems
    message = str(problem)
    assert message.startswith(place), message
    assert f"limit {limit} = {getattr(limits, limit):,}" in message


def test_default_limits_read_the_base_case(tmp_path):
    raw = read_workbook(write_case(tmp_path / "case.xlsx", base_case()), ReadLimits())
    assert not raw.problems
    assert len(raw.sheets) == 10


# --- legitimate workbooks: read as openpyxl reads them -----------------------------------


def excel_style_parts(base: Parts, prefix: str = "", date1904: bool = False) -> Parts:
    """The base case with two sheets as Excel and other writers store them: shared
    strings (rich text, a phonetic run), inline rich text, formulas with cached values,
    numbers in exponent form, dates and a duration by cell format, booleans, an error,
    rows and cells without their ``r``, an ignored column, a prefixed namespace."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns{":" + prefix if prefix else ""}="{MAIN_NS}"'
    strings = ["country", "role", "budget", "A", "ally", "B", "S", "supplier"]
    items = "".join(f"<{p}si><{p}t>{s}</{p}t></{p}si>" for s in strings)
    items += (f"<{p}si><{p}r><{p}rPr><{p}b/></{p}rPr><{p}t>Bé</{p}t></{p}r><{p}r>"
              f'<{p}t xml:space="preserve">ta </{p}t></{p}r><{p}rPh sb="0" eb="1"><{p}t>ベ'
              f"</{p}t></{p}rPh></{p}si>")
    shared = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}sst {xmlns} '
              f'count="9" uniqueCount="9">{items}</{p}sst>').encode()

    def c(ref: str | None, body: str, kind: str | None = None, style: str | None = None):
        attrs = ((f' r="{ref}"' if ref else "") + (f' t="{kind}"' if kind else "")
                 + (f' s="{style}"' if style else ""))
        return f"<{p}c{attrs}>{body}</{p}c>"

    def v(value: object) -> str:
        return f"<{p}v>{value}</{p}v>"

    def row(cells: str, number: int | None = None) -> str:
        return f'<{p}row{f" r={chr(34)}{number}{chr(34)}" if number else ""}>{cells}</{p}row>'

    countries = (row(c("A1", v(0), "s") + c("B1", v(1), "s") + c("C1", v(2), "s"), 1)
                 + row(c(None, v(3), "s") + c(None, v(4), "s")
                       + c(None, f"<{p}f>1+1</{p}f>" + v("2.5E3")))
                 + row(c("A3", v(5), "s") + c("B3", v(4), "s") + c("C3", v(1), "b"), 3)
                 + row(c("A5", v(6), "s") + c("B5", v(7), "s") + c("C5", "", None, "1"), 5))
    scenarios = (
        row(c("A1", f"<{p}is><{p}t>scenario</{p}t></{p}is>", "inlineStr")
            + c("B1", v("probability"), "str")
            + c("C1", f"<{p}is><{p}r><{p}t>descr</{p}t></{p}r><{p}r><{p}t>iption</{p}t>"
                      f"</{p}r></{p}is>", "inlineStr") + c("D1", v("extra"), "str"), 1)
        + row(c("A2", v(8), "s") + c("B2", v("0.9")) + c("C2", v("45000.5"), None, "2")
              + c("D2", v(1), "b"), 2)
        + row(c("A3", v("cut"), "str") + c("B3", v("1E-1")) + c("C3", v("#N/A"), "e"), 3)
        + row(c("A4", v("  "), "str") + c("B4", "")
              + c("C4", v("2024-03-01T10:00:00"), "d"), 4)
        + row(c("C5", v("0.25"), None, "3"), 5))

    def sheet(rows: str) -> bytes:
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet '
                f'{xmlns}><{p}dimension ref="A1:C3"/><{p}sheetData>{rows}</{p}sheetData>'
                f'<{p}pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
                f'header="0.3" footer="0.3"/></{p}worksheet>').encode()

    styles = (f'<?xml version="1.0"?><{p}styleSheet {xmlns}><{p}numFmts count="1">'
              f'<{p}numFmt numFmtId="164" formatCode="[h]:mm:ss"/></{p}numFmts>'
              f'<{p}cellStyleXfs count="1"><{p}xf numFmtId="14"/></{p}cellStyleXfs>'
              f'<{p}cellXfs count="4"><{p}xf numFmtId="0"/><{p}xf numFmtId="0"/>'
              f'<{p}xf numFmtId="22" applyNumberFormat="1"/><{p}xf numFmtId="164"/>'
              f"</{p}cellXfs></{p}styleSheet>").encode()
    workbook = base["xl/workbook.xml"].decode()
    if date1904:
        workbook = workbook.replace("<workbookPr />", '<workbookPr date1904="1"/>')
    parts = with_shared_strings(base, shared)
    return {**parts, "xl/styles.xml": styles, "xl/workbook.xml": workbook.encode(),
            "xl/worksheets/sheet2.xml": sheet(countries), SCENARIOS: sheet(scenarios)}


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")
@pytest.mark.parametrize(("prefix", "date1904"), [("", False), ("x", False), ("", True)],
                         ids=["plain", "prefixed namespace", "1904 dates"])
def test_excel_style_workbook_reads_as_openpyxl_reads_it(tmp_path, base_parts, prefix,
                                                         date1904):
    path = package(tmp_path / "case.xlsx", excel_style_parts(base_parts, prefix, date1904))
    raw = read_workbook(path)
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for key, sheet in raw.sheets.items():
            expected = []
            source = workbook[sheet.title]
            source.reset_dimensions()  # the dimension of these sheets lies (A1:C3)
            for number, values in enumerate(source.iter_rows(
                    min_row=2, max_col=64, values_only=True), start=2):
                record = {}
                for column, letter in sheet.column_letters.items():
                    value = values[openpyxl.utils.column_index_from_string(letter) - 1]
                    if isinstance(value, str):
                        value = value.strip() or None
                    record[column] = value
                if any(v is not None for v in record.values()):
                    expected.append((number, record))
            assert [(row.number, row.values) for row in sheet.rows] == expected, key
    finally:
        workbook.close()
    scenarios = raw.sheets["scenarios"].rows
    assert scenarios[0].values["scenario"] == "Béta"  # runs joined, phonetic run left out
    assert scenarios[0].values["description"].year == (2027 if date1904 else 2023)
    assert [w.cell for w in raw.warnings] == ["D1"]  # the column 'extra'


def test_bundled_case_reads_within_the_default_limits(capsys):
    start = time.perf_counter()
    assert main(["validate", str(EXAMPLE)]) == 0
    assert time.perf_counter() - start < SECONDS
    assert "valid case" in capsys.readouterr().out


def test_the_readers_own_constants_agree_with_openpyxl():
    """The reader imports openpyxl only for a workbook that needs it (a custom number
    format, a date), so it holds openpyxl's content types and its classification of the
    built-in number formats itself: they must stay openpyxl's."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
    from openpyxl.utils import column_index_from_string, get_column_letter
    from openpyxl.xml.constants import SHARED_STRINGS, XLSM, XLSX, XLTM, XLTX

    from optimizer.case import xlsx_reader

    assert xlsx_reader.WORKBOOK_TYPES == (XLSX, XLSM, XLTX, XLTM)
    assert xlsx_reader.SHARED_STRINGS == SHARED_STRINGS
    dates = {n for n, code in BUILTIN_FORMATS.items() if is_date_format(code)}
    durations = {n for n, code in BUILTIN_FORMATS.items() if is_timedelta_format(code)}
    assert (dates, durations) == (xlsx_reader.BUILTIN_DATES, xlsx_reader.BUILTIN_DURATIONS)
    for number in (1, 26, 27, 52, 53, 702, 703, 16_384):
        letters = get_column_letter(number)
        assert xlsx_reader.column_letter(number) == letters
        assert xlsx_reader.column_number(letters) == column_index_from_string(letters)
        assert xlsx_reader.column_number(letters.lower()) == number
    for bad in ("", "XFE", "AAAA", "A1", "É", "$A"):
        assert xlsx_reader.column_number(bad) is None


def test_validating_a_plain_workbook_imports_neither_openpyxl_nor_numpy():
    """`stockpile validate` starts at once: the bundled example (no custom number
    format, no date) is read without importing openpyxl, numpy or pandas."""
    script = ("import sys\nfrom optimizer.cli import main\n"
              f"assert main(['validate', {str(EXAMPLE)!r}]) == 0\n"
              "print(sorted({m.split('.')[0] for m in sys.modules} & "
              "{'openpyxl', 'numpy', 'pandas', 'pyomo'}))\n")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True,
                               text=True, timeout=60, cwd=ROOT)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip().splitlines()[-1] == "[]"
