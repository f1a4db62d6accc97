"""The workbook writer: what openpyxl (normal and read-only) and pandas read back is what
was written, text never becomes a formula, and no row is dropped."""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import openpyxl
import pandas as pd
import pytest
from casebuilder import base_case, write_case

from optimizer.pipeline import Timings, load_case, solve_case
from optimizer.report.workbook import labelled, write_detail
from optimizer.report.xlsx_writer import (
    AMOUNT,
    GENERAL,
    MAX_ROWS,
    PERCENT,
    WHOLE,
    Rows,
    Table,
    sheet_names,
    write_workbook,
)

# Floats whose shortest repr is long, tiny, huge, negative zero, subnormal, 2**53.
FLOATS = [0.1, 1 / 3, 2 / 3 * 1e-300, 5e-324, 1.7976931348623157e308, -0.0, -1.5,
          123456789.12345679, 9007199254740992.0, 1e16, 0.0]
BIG_INTS = [2**53 + 1, 10**18, -(2**63), 2**63 - 1, 0, 7, -3, 1, 42, 99, 100]


def sheet_xml(path: Path, number: int) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{number}.xml").decode()


def read_rows(path: Path, sheet: str, read_only: bool) -> list[tuple]:
    workbook = openpyxl.load_workbook(path, read_only=read_only)
    try:
        return list(workbook[sheet].iter_rows(values_only=True))
    finally:
        if read_only:
            workbook.close()


def numbers_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "name": [f"row {i}" for i in range(len(FLOATS))],
        "value (units)": FLOATS,
        "count": np.array(BIG_INTS, dtype=np.int64),
        "flag": [i % 2 == 0 for i in range(len(FLOATS))],
    })


@pytest.mark.parametrize("read_only", [False, True])
def test_values_and_types_read_back_exactly_with_openpyxl(tmp_path, read_only):
    path = tmp_path / "n.xlsx"
    frame = numbers_frame()
    assert write_workbook(path, [Table("Numbers", frame)]) == ["Numbers"]
    rows = read_rows(path, "Numbers", read_only)
    assert rows[0] == tuple(frame.columns)
    assert len(rows) == 1 + len(frame)
    for row, expected in zip(rows[1:], frame.itertuples(index=False), strict=True):
        name, value, count, flag = row
        assert name == expected.name
        assert type(value) is float and value == expected[1]
        assert math.copysign(1, value) == math.copysign(1, expected[1])  # -0.0 stays
        assert type(count) is int and count == expected.count
        assert type(flag) is bool and flag == expected.flag


def test_values_read_back_exactly_with_pandas(tmp_path):
    path = tmp_path / "n.xlsx"
    frame = numbers_frame()
    write_workbook(path, [Table("Numbers", frame)])
    back = pd.read_excel(path, sheet_name="Numbers")
    assert list(back.columns) == list(frame.columns)
    assert back["name"].tolist() == frame["name"].tolist()
    # (pandas turns integral floats into ints, so -0.0 comes back as 0: compare values)
    assert back["value (units)"].tolist() == FLOATS
    assert back["count"].tolist() == BIG_INTS
    assert back["flag"].tolist() == frame["flag"].tolist()


def test_python_ints_beyond_int64_and_numpy_scalars_in_object_columns(tmp_path):
    path = tmp_path / "o.xlsx"
    frame = pd.DataFrame({"mixed": pd.Series(
        [10**20, np.int64(-5), np.float64(0.1), np.bool_(True), np.float32(0.5), "x",
         None], dtype=object)})
    write_workbook(path, [Table("Mixed", frame)])
    values = [row[0] for row in read_rows(path, "Mixed", read_only=False)[1:]]
    assert values[:6] == [10**20, -5, 0.1, True, 0.5, "x"]
    assert [type(v) for v in values[:6]] == [int, int, float, bool, float, str]
    assert len(values) == 6 or values[6] is None


def test_missing_values_are_no_cell_at_all(tmp_path):
    path = tmp_path / "m.xlsx"
    frame = pd.DataFrame({
        "float": [1.5, np.nan, 2.5],
        "object": pd.Series([None, "b", np.nan], dtype=object),
        "Int64": pd.array([1, None, 3], dtype="Int64"),
        "Float64": pd.array([None, 0.25, 0.5], dtype="Float64"),
        "boolean": pd.array([True, None, False], dtype="boolean"),
        "string": pd.array(["a", None, "c"], dtype="string"),
        "category": pd.Categorical(["u", None, "u"]),
        "text": ["", "kept", "x"],
    })
    write_workbook(path, [Table("Gaps", frame)])
    assert read_rows(path, "Gaps", read_only=True)[1:] == [
        (1.5, None, 1, None, True, "a", "u", None),
        (None, "b", None, 0.25, None, None, None, "kept"),
        (2.5, None, 3, 0.5, False, "c", "u", "x"),
    ]
    xml = sheet_xml(path, 1)
    for reference in ("B2", "A3", "C3", "D2", "E3", "F3", "G3", "H2", "B4"):
        assert f'r="{reference}"' not in xml
    back = pd.read_excel(path, sheet_name="Gaps")
    assert back.isna().sum().tolist() == [1, 2, 1, 1, 1, 1, 1, 1]


def test_infinities_are_written_as_text(tmp_path):
    path = tmp_path / "inf.xlsx"
    frame = pd.DataFrame({"x": [math.inf, -math.inf, 1.0],
                          "y": pd.Series([math.inf, -math.inf, None], dtype=object)})
    write_workbook(path, [Table("Inf", frame)])
    assert read_rows(path, "Inf", read_only=False)[1:] == [
        ("inf", "inf"), ("-inf", "-inf"), (1.0, None)]


TRICKY = ["a & b < c > d \"q\" 'a'", "bell\x01ring", "emoji 🙂 ok", "  leading",
          "trailing  ", "line\nbreak\tand tab", "cr\rhere", "lone \ud800 surrogate",
          "non\ufffechar\uffff", "ünïcödé ≤ ≥ ∞", "</t></is></c><c><f>1+1</f>"]
CLEANED = ["a & b < c > d \"q\" 'a'", "bellring", "emoji 🙂 ok", "  leading",
           "trailing  ", "line\nbreak\tand tab", "cr\rhere", "lone  surrogate",
           "nonchar", "ünïcödé ≤ ≥ ∞", "</t></is></c><c><f>1+1</f>"]


@pytest.mark.parametrize("read_only", [False, True])
def test_text_is_escaped_and_illegal_characters_removed(tmp_path, read_only):
    path = tmp_path / "t.xlsx"
    write_workbook(path, [Table("Text", pd.DataFrame({"text": TRICKY})),
                          Rows("Free", [(text,) for text in TRICKY])])
    assert [row[0] for row in read_rows(path, "Text", read_only)[1:]] == CLEANED
    assert [row[0] for row in read_rows(path, "Free", read_only)] == CLEANED
    assert pd.read_excel(path, sheet_name="Text")["text"].tolist() == CLEANED
    xml = sheet_xml(path, 1)
    assert '<t xml:space="preserve">  leading</t>' in xml
    assert '<t xml:space="preserve">trailing  </t>' in xml


def test_every_part_is_well_formed_xml_and_declared(tmp_path):
    path = tmp_path / "p.xlsx"
    write_workbook(path, [Rows("Summary", [("a", 1)], title="T"),
                          Table("Text", pd.DataFrame({"text": TRICKY}))])
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names[0] == "[Content_Types].xml"
        assert {"_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                "xl/styles.xml", "docProps/app.xml", "docProps/core.xml",
                "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"} <= set(names)
        types = archive.read("[Content_Types].xml").decode()
        for name in names:
            ElementTree.fromstring(archive.read(name))
            if name.startswith("xl/worksheets/"):
                assert f'PartName="/{name}"' in types
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist())


FORMULA_LIKE = ["=SUM(A1:A2)", "+1", "-2", "@cmd", "\tTab", "\rCR",
                "=HYPERLINK(\"http://x\",\"click\")", "\x01=1+1", "\x00-1"]


@pytest.mark.parametrize("read_only", [False, True])
def test_formula_like_text_stays_text(tmp_path, read_only):
    path = tmp_path / "f.xlsx"
    frame = pd.DataFrame({"=header": FORMULA_LIKE, "n": range(len(FORMULA_LIKE))})
    write_workbook(path, [Table("F", frame),
                          Rows("=Free", [("=label", "+value")], title="=title")])
    workbook = openpyxl.load_workbook(path, read_only=read_only)
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row
             if cell.value is not None]
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert all(cell.data_type in ("s", "n") for cell in cells)
    # the exact input text, quote-prefixed (as Excel does for a typed '=1+1)
    assert "=SUM(A1:A2)" in texts and "=HYPERLINK(\"http://x\",\"click\")" in texts
    # a control character removed must not uncover a formula
    assert "=1+1" in texts and "-1" in texts
    assert {"=header", "=title", "=label", "+value"} <= set(texts)
    if not read_only:
        formula_like = [c for c in cells if isinstance(c.value, str)
                        and c.value.startswith(("=", "+", "-", "@", "\t", "\r"))]
        assert len(formula_like) >= 13
        assert all(c.quotePrefix for c in formula_like)
        assert not any(c.quotePrefix for c in cells if isinstance(c.value, str)
                       and c.value == "n")
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            assert not re.search(rb"<f[ >/]", archive.read(name)), name


def test_excel_escapes_in_text_are_escaped(tmp_path):
    """Excel decodes _xHHHH_ in text: '_x003D_1+1' would show as '=1+1'."""
    path = tmp_path / "x.xlsx"
    write_workbook(path, [Table("X", pd.DataFrame({"t": ["_x003D_1+1", "a_x00e9_b"]}))])
    xml = sheet_xml(path, 1)
    assert "<t>_x005F_x003D_1+1</t>" in xml and "<t>a_x005F_x00e9_b</t>" in xml


def test_header_is_bold_and_frozen_with_widths_and_number_formats(tmp_path):
    path = tmp_path / "s.xlsx"
    frame = pd.DataFrame({
        "country": ["A", "B"],
        "level (units)": [1.5, 2.0],
        "cost (USD/year)": [1000.25, 3.0],
        "fill rate": [0.5, 1.0],
        "probability": [0.25, 0.75],
        "period": [1, 2],
        "a header much longer than forty characters in all": [1.0, 2.0],
    })
    amounts = {"level (units)": AMOUNT, "cost (USD/year)": AMOUNT, "fill rate": PERCENT}
    write_workbook(path, [Table("Plan", frame, formats=amounts),
                          Table("Other", frame, formats={**amounts, "probability": PERCENT,
                                                         "cost (USD/year)": GENERAL})])
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Plan"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert not any(cell.font.b for cell in sheet[2])
    assert [cell.number_format for cell in sheet[2]] == [
        "General", "#,##0.00", "#,##0.00", "0.0%", "General", "General", "General"]
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFG"]
    assert widths == [12, 15, 17, 12, 13, 12, 40]
    other = workbook["Other"]
    assert [cell.number_format for cell in other[3]] == [
        "General", "#,##0.00", "General", "0.0%", "0.0%", "General", "General"]
    assert Table("T", frame).formats == {}  # no format given: General everywhere
    assert workbook.sheetnames == ["Plan", "Other"]
    read_only = openpyxl.load_workbook(path, read_only=True)
    assert read_only["Plan"].max_row == 3 and read_only["Plan"].max_column == 7


def test_report_columns_take_label_unit_and_format_from_the_metadata():
    frame = pd.DataFrame({"country": ["A"], "level": [1.5], "yearly_cost": [2.0],
                          "fill_rate": [0.5], "period": [3]})
    table = labelled("Stockpiles", frame, "EUR")
    assert list(table.frame.columns) == ["country", "level (units)",
                                         "yearly cost (EUR/year)", "fill rate",
                                         "period"]
    assert table.formats == {"country": GENERAL, "level (units)": AMOUNT,
                             "yearly cost (EUR/year)": WHOLE, "fill rate": PERCENT,
                             "period": GENERAL}
    with pytest.raises(KeyError):
        labelled("X", pd.DataFrame({"no_such_column": [1.0]}), "EUR")


def test_rows_sheet_has_a_title_bold_labels_and_formatted_floats(tmp_path):
    path = tmp_path / "r.xlsx"
    rows = [(), ("Cost (USD/year)", 1234.5), ("Periods", 12), ("Status", "optimal"),
            ("Flag", False), ("Missing", None)]
    write_workbook(path, [Rows("Summary", rows, title="Plan", widths=(58, 24),
                               bold_first_column=True)])
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Summary"]
    assert [tuple(row) for row in sheet.iter_rows(values_only=True)] == [
        ("Plan", None), (None, None), ("Cost (USD/year)", 1234.5), ("Periods", 12),
        ("Status", "optimal"), ("Flag", False), ("Missing", None)]
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert sheet["A3"].font.b and not sheet["B3"].font.b
    assert sheet["B3"].number_format == "#,##0.00"
    assert sheet["B4"].number_format == "General"
    assert sheet.freeze_panes is None
    assert sheet.column_dimensions["A"].width == 58
    assert sheet.column_dimensions["B"].width == 24


def test_empty_table_is_its_header_alone(tmp_path):
    path = tmp_path / "e.xlsx"
    empty = pd.DataFrame({"a": pd.Series(dtype=float), "b": pd.Series(dtype=object)})
    names = write_workbook(path, [Table("Empty", empty), Table("Nothing", pd.DataFrame()),
                                  Rows("Blank", [])])
    assert names == ["Empty", "Nothing", "Blank"]
    assert read_rows(path, "Empty", read_only=False) == [("a", "b")]
    assert read_rows(path, "Empty", read_only=True) == [("a", "b")]
    assert read_rows(path, "Nothing", read_only=True) == []
    assert pd.read_excel(path, sheet_name="Empty").columns.tolist() == ["a", "b"]
    assert len(pd.read_excel(path, sheet_name="Empty")) == 0


def test_rows_beyond_a_sheet_continue_on_further_sheets(tmp_path):
    path = tmp_path / "split.xlsx"
    frame = pd.DataFrame({"i": range(7), "s": [f"r{i}" for i in range(7)]})
    long_name = "A table with a thirty-one chars"
    assert len(long_name) == 31
    sheets = [Table("T", frame), Table(long_name, frame.head(4)), Table("Fits", frame.head(3)),
              Rows("R", [(i,) for i in range(9)], title="title")]
    names = write_workbook(path, sheets, max_rows=4)
    assert names == ["T", "T (2)", "T (3)", long_name, "A table with a thirty-one c (2)",
                     "Fits", "R", "R (2)", "R (3)"]
    assert [n for sheet in sheets for n in sheet_names(sheet, max_rows=4)] == names
    assert all(len(name) <= 31 for name in names)
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.sheetnames == names
    parts = [list(workbook[n].iter_rows(values_only=True)) for n in ("T", "T (2)", "T (3)")]
    assert [len(p) for p in parts] == [4, 4, 2]
    assert all(p[0] == ("i", "s") for p in parts)
    assert [row for p in parts for row in p[1:]] == list(frame.itertuples(index=False,
                                                                           name=None))
    assert len(list(workbook["Fits"].iter_rows())) == 4
    rows = [list(workbook[n].iter_rows(values_only=True)) for n in ("R", "R (2)", "R (3)")]
    assert rows == [[("title",), (0,), (1,), (2,)], [(3,), (4,), (5,), (6,)], [(7,), (8,)]]
    # no frame of Excel size needed: the default is Excel's limit
    assert sheet_names(Table("Big", frame)) == ["Big"]
    assert MAX_ROWS == 2**20


def test_report_says_when_a_table_continues(tmp_path):
    sheets = base_case()
    sheets["Settings"]["periods"] = 12  # a supply plan of 2 × 2 × 12 = 48 rows
    case = load_case(write_case(tmp_path / "case.xlsx", sheets), Timings())[0]
    solved = solve_case(case, Timings())
    report = tmp_path / "r.detail.xlsx"
    write_detail(report, case, solved.results, "r.xlsx", max_rows=21)
    workbook = openpyxl.load_workbook(report, read_only=True)
    assert workbook.sheetnames[:2] == ["About", "Supply plan"]
    plan_sheets = [n for n in workbook.sheetnames if n.startswith("Supply plan")]
    assert plan_sheets == ["Supply plan", "Supply plan (2)", "Supply plan (3)"]
    rows = [row for n in plan_sheets for row in list(workbook[n].iter_rows(values_only=True))[1:]]
    assert rows == list(solved.results.supply_plan.itertuples(index=False, name=None))
    notes = [row[1] for row in workbook["About"].iter_rows(values_only=True)
             if row[0] == "Note"]
    assert any(note.startswith("'Supply plan' has") and "'Supply plan (2)'" in note
               for note in notes)


@pytest.mark.parametrize("name", ["", "a" * 32, "a/b", "a[1]", "x:y", "q?", "s*", "b\\s",
                                  "'quoted'", "bell\x07"])
def test_invalid_sheet_names_are_refused_before_writing(tmp_path, name):
    path = tmp_path / "bad.xlsx"
    with pytest.raises(ValueError):
        write_workbook(path, [Table(name, pd.DataFrame({"a": [1]}))])
    assert not path.exists()


def test_other_mistakes_are_refused(tmp_path):
    frame = pd.DataFrame({"a": [1]})
    with pytest.raises(ValueError, match="duplicate"):
        write_workbook(tmp_path / "d.xlsx", [Table("Same", frame), Rows("same", [])])
    with pytest.raises(ValueError, match="duplicate"):
        write_workbook(tmp_path / "d.xlsx", [Table("T", pd.concat([frame] * 3)),
                                             Table("T (2)", frame)], max_rows=2)
    with pytest.raises(ValueError, match="max_rows"):
        write_workbook(tmp_path / "m.xlsx", [Table("T", frame)], max_rows=1)
    with pytest.raises(ValueError, match="max_rows"):
        write_workbook(tmp_path / "m.xlsx", [Table("T", frame)], max_rows=MAX_ROWS + 1)
    with pytest.raises(ValueError, match="format"):
        write_workbook(tmp_path / "f.xlsx", [Table("T", frame, formats={"a": "0.000"})])
    with pytest.raises(ValueError, match="columns"):
        write_workbook(tmp_path / "c.xlsx", [Table("T", pd.DataFrame(
            np.zeros((1, 16_385))))])
    with pytest.raises(ValueError, match="at least one sheet"):
        write_workbook(tmp_path / "n.xlsx", [])


def test_widest_sheet_uses_the_last_column_letter(tmp_path):
    path = tmp_path / "w.xlsx"
    frame = pd.DataFrame(np.arange(16_384, dtype=np.int64).reshape(1, -1),
                         columns=[f"c{j}" for j in range(16_384)])
    write_workbook(path, [Table("Wide", frame)])
    sheet = openpyxl.load_workbook(path, read_only=True)["Wide"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == tuple(range(16_384))
    assert '<dimension ref="A1:XFD2"/>' in sheet_xml(path, 1)
