"""The decision workbook read back (sheets, Excel tables, charts and their series,
number formats, conditional formats, print setup, the Summary against the JSON summary,
formula-like input text kept exact), the extra figures on cases solved by hand, and the
report as LibreOffice prints it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from casebuilder import base_case, load, write_case

from optimizer import cli
from optimizer.analyses.extras import run_extras
from optimizer.engine import CaseSolver
from optimizer.timings import Timings

FORMULA_IDS = ['=HYPERLINK("http://example.invalid","click")', "=1+1"]
HEADER_ROW = 4  # 1-based: title, sentence, link, then the table header
TABLE_SHEETS = ["Stockpiles", "Spare capacity", "Sharing", "Purchases by ally", "Shortfalls",
                "Fill rates", "Scenario costs", "Processing", "Shadow prices"]


def formula_case() -> dict:
    """The base case with formula-like ids: ally A is '=HYPERLINK(...)', the good
    '=1+1', and a scenario description '+cut'."""
    case = base_case()
    ally, good = FORMULA_IDS

    def rename(rows, column, old, new):
        for row in rows:
            if row.get(column) == old:
                row[column] = new

    rename(case["Countries"], "country", "A", ally)
    for table in ("Demand", "Stockpiles"):
        rename(case[table], "country", "A", ally)
    rename(case["Imports"], "destination", "A", ally)
    rename(case["Sharing"], "to", "A", ally)
    rename(case["Disruptions"], "partner", "A", ally)
    case["Goods"][0]["good"] = good
    for table in ("Demand", "Production", "Imports", "Stockpiles", "Disruptions"):
        rename(case[table], "good", "g", good)
    case["Scenarios"][1]["description"] = "+cut"
    return case


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("decision")
    case = write_case(folder / "formula.xlsx", formula_case())
    path, summary = folder / "report.xlsx", folder / "summary.json"
    assert cli.main(["solve", str(case), "-o", str(path), "--json", str(summary), "-q"]) == 0
    return path, json.loads(summary.read_text()), case


@pytest.fixture(scope="module")
def workbook(report):
    return openpyxl.load_workbook(report[0])


def header(sheet) -> list[str]:
    return [cell.value for cell in sheet[HEADER_ROW] if cell.value is not None]


def test_sheets_come_in_reading_order(workbook):
    names = workbook.sheetnames
    assert names[:2] == ["Summary", "Charts"]
    assert names[2:11] == TABLE_SHEETS
    assert names[11:17] == ["Value of the plan", "Cooperation", "Uncertainty", "Risk",
                            "Run", "Chart data"]
    assert [n for n in names if n.startswith("Input ")] == [
        "Input Settings", "Input Countries", "Input Goods", "Input Demand",
        "Input Production", "Input Recipes", "Input Imports", "Input Stockpiles",
        "Input Sharing",
        "Input Scenarios", "Input Disruptions"]
    assert workbook.active.title == "Summary"


def test_every_data_sheet_is_an_excel_table_with_frozen_header_and_print_setup(workbook):
    for name in TABLE_SHEETS + ["Value of the plan", "Cooperation", "Input Countries"]:
        sheet = workbook[name]
        tables = list(sheet.tables.values())
        assert tables, name
        main = tables[0]
        assert main.ref.startswith(f"A{HEADER_ROW}:"), (name, main.ref)
        assert main.tableStyleInfo.showRowStripes and main.autoFilter is not None
        assert [c.name for c in main.tableColumns] == header(sheet)
        assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
        assert sheet.page_setup.orientation == "landscape"
        # one page wide (1 is the default, so it may be left out), as tall as needed
        assert sheet.page_setup.fitToWidth in (None, 1)
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$4:$4"
        assert all(sheet.column_dimensions[letter].width >= 6
                   for letter in "ABC"[:len(header(sheet))])


def test_units_are_in_headers_and_number_formats_follow_them(workbook):
    stock = workbook["Stockpiles"]
    labels = header(stock)
    assert {"level (units)", "one-time purchase (USD)", "yearly cost (USD/year)",
            "cover (days)"} <= set(labels)
    row = stock[HEADER_ROW + 1]
    formats = {label: row[j].number_format for j, label in enumerate(labels)}
    assert formats["level (units)"] == "#,##0.00"
    assert formats["one-time purchase (USD)"] == "#,##0"
    assert formats["yearly cost (USD/year)"] == "#,##0"
    fill = workbook["Fill rates"]
    j = header(fill).index("fill rate")
    assert fill.cell(HEADER_ROW + 1, j + 1).number_format == "0.0%"


def test_conditional_formats_colour_fill_rates_and_bar_shortfalls(workbook):
    def rules(sheet):
        return {(str(cf.sqref), rule.type) for cf in sheet.conditional_formatting
                for rule in cf.rules}

    fill = workbook["Fill rates"]
    rate = openpyxl.utils.get_column_letter(header(fill).index("fill rate") + 1)
    short = openpyxl.utils.get_column_letter(header(fill).index("short (units)") + 1)
    last = fill.max_row
    assert (f"{rate}{HEADER_ROW + 1}:{rate}{last}", "colorScale") in rules(fill)
    assert (f"{short}{HEADER_ROW + 1}:{short}{last}", "dataBar") in rules(fill)
    shortfalls = workbook["Shortfalls"]
    if shortfalls.max_row > HEADER_ROW + 1:
        assert {kind for _, kind in rules(shortfalls)} == {"colorScale", "dataBar"}


def test_charts_are_native_with_titled_axes_and_series_on_chart_data(workbook):
    charts = workbook["Charts"]._charts
    kinds = [(type(c).__name__, getattr(c, "barDir", None), getattr(c, "grouping", None))
             for c in charts]
    assert kinds == [("BarChart", "col", "clustered"), ("BarChart", "col", "clustered"),
                     ("LineChart", None, "standard"), ("BarChart", "bar", "clustered"),
                     ("BarChart", "col", "stacked")]
    data = workbook["Chart data"]
    for chart in charts:
        assert chart.title is not None
        assert chart.x_axis.title is not None and chart.y_axis.title is not None
        for series in chart.series:
            reference = series.val.numRef.f
            match = re.fullmatch(r"'Chart data'!\$([A-Z]+)\$(\d+)(?::\$([A-Z]+)\$(\d+))?",
                                 reference)
            assert match, reference
            column, first, _, last = match.groups()
            last = last or first
            values = [data[f"{column}{r}"].value for r in range(int(first), int(last) + 1)]
            assert all(isinstance(v, int | float) for v in values), (reference, values)
    # the stock chart draws the levels of the Stockpiles sheet
    stock_series = charts[0].series[0].val.numRef.f
    column, first = re.search(r"\$([A-Z]+)\$(\d+)", stock_series).groups()
    assert data[f"{column}{first}"].value == pytest.approx(
        next(r[6] for r in workbook["Stockpiles"].iter_rows(min_row=HEADER_ROW + 1,
                                                            values_only=True)))
    # shortfall with and without the plan, one category per scenario
    assert len(charts[1].series) == 2


def test_summary_key_figures_equal_the_json_summary(workbook, report):
    _, document, _ = report
    sheet = workbook["Summary"]
    figures = {row[0]: row[1:4] for row in sheet.iter_rows(values_only=True)
               if isinstance(row[0], str)}
    assert figures["Expected annual cost"][0] == pytest.approx(document["objective"])
    assert figures["  insurance: stockpiles"][0] + figures["  insurance: spare capacity"][0] \
        == pytest.approx(document["stage_one_cost"])
    assert figures["  expected disruption cost (supply in every scenario)"][0] == \
        pytest.approx(document["expected_scenario_cost"])
    plan = document["value_of_plan"]["expected_cost"]
    assert figures["Expected annual cost (USD/year)"] == pytest.approx(
        (plan["with_plan"], plan["without_plan"], plan["difference"]))
    assert figures["Saving from sharing between allies"][0] == pytest.approx(
        document["value_of_cooperation"]["saving"])
    assert figures["EVPI: worth of knowing the scenario in advance"][0] == pytest.approx(
        document["evpi"]["value"])
    assert figures["VSS: worth of planning for every scenario, not the average"][0] == \
        pytest.approx(document["vss"]["value"])
    links = {cell.hyperlink.location for row in sheet.iter_rows() for cell in row
             if cell.hyperlink is not None}
    assert {f"'{name}'!A1" for name in workbook.sheetnames if name != "Summary"} <= links


def test_formula_like_input_text_comes_back_exactly_and_never_as_a_formula(workbook, report):
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row
             if cell.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    texts = [c for c in cells if isinstance(c.value, str)]
    for text in (*FORMULA_IDS, "+cut"):
        found = [c for c in texts if c.value == text]
        assert found, text
        assert all(c.quotePrefix for c in found)
    assert not [c for c in texts if c.value.startswith("'=")]
    countries = workbook["Input Countries"]
    assert countries.cell(HEADER_ROW + 1, 1).value == FORMULA_IDS[0]
    with zipfile.ZipFile(report[0]) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >/]", archive.read(name)), name


def test_run_sheet_and_document_properties_trace_the_input(workbook, report):
    import hashlib

    import optimizer

    _, document, case = report
    run = {row[0]: row[1] for row in workbook["Run"].iter_rows(values_only=True) if row[0]}
    assert run["Input file"] == case.name
    assert run["Input file SHA-256"] == hashlib.sha256(case.read_bytes()).hexdigest()
    assert run["Tool"] == f"stockpile {optimizer.__version__}"
    assert run["Solver"] == f"HiGHS {document['solver']['version']}"
    assert run["Status"] == "optimal"
    texts = {row[0] for row in workbook["Run"].iter_rows(values_only=True)}
    assert any(str(t).startswith("EVPI: scenario") for t in texts)
    assert {"read", "solve", "extras", "capital rate", "extra solves"} <= texts
    assert workbook.properties.title.startswith("Stockpile and reallocation plan")
    assert workbook.properties.creator == "stockpile optimizer"


def test_no_extras_leaves_the_figures_null(tmp_path):
    case = write_case(tmp_path / "c.xlsx", base_case())
    summary = tmp_path / "s.json"
    assert cli.main(["solve", str(case), "-o", str(tmp_path / "r.xlsx"), "--json",
                     str(summary), "--no-extras", "-q"]) == 0
    document = json.loads(summary.read_text())
    for key in ("value_of_plan", "value_of_cooperation", "evpi", "vss"):
        assert key in document and document[key] is None
    assert "extras" not in document["timings_s"]
    book = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)
    sentence = next(book["Cooperation"].iter_rows(min_row=2, max_row=2, values_only=True))[0]
    assert "--no-extras" in sentence


def test_a_case_without_stockpiles_gets_its_report_without_the_empty_chart(tmp_path):
    """No Stockpiles sheet: nothing to draw in 'stock by ally and good'; XlsxWriter
    refuses a chart without a series, so that chart is left out and the others stay."""
    sheets = base_case()
    del sheets["Stockpiles"]
    case = write_case(tmp_path / "c.xlsx", sheets)
    assert cli.main(["solve", str(case), "-o", str(tmp_path / "r.xlsx"), "-q"]) == 0
    with zipfile.ZipFile(tmp_path / "r.xlsx") as package:
        charts = " ".join(package.read(n).decode() for n in package.namelist()
                          if n.startswith("xl/charts/chart"))
    assert "Stock to hold" not in charts
    assert "Shortfall by scenario" in charts and "Supply by source" in charts


# --- the extra figures, worked out by hand ------------------------------------------------


def newsvendor(initial: float = 2.0, floor: float = 0.0) -> dict:
    """One ally A, one good g, one period, k = periods_per_year / periods = 1. Demand 10
    scaled by 0.5 ('low', π = 0.5) or 1.5 ('high', π = 0.5): 5 or 15 units, both from
    period 1 (the onset), nothing else supplies it. Stock costs (capital_rate 0.1 ×
    purchase_cost 10) = 1 a unit a year; refill_cost 0; shortage 10 a unit.

    Here-and-now: cost x + Σ π · 10 · (d − x)⁺, newsvendor ratio 1 − 1/10 = 0.9 → x = 15,
    RP = 15. Wait-and-see: low alone x = 5, cost 5; high alone x = 15, cost 15; WS = 10,
    EVPI = 15 − 10 = 5. Average scenario: demand 10 → x = 10 (EV objective 10); on every
    scenario: 10 + 0.5 · 0 + 0.5 · 10 · 5 = 35, VSS = 35 − 15 = 20.
    No new insurance: x = max(initial, floor). initial 2, floor 0: 2 + 0.5 · 30 + 0.5 ·
    130 = 82 (value 67), expected shortfall 0.5 · 3 + 0.5 · 13 = 8, worst 13 (high);
    floor 4: x = 4, 4 + 0.5 · 10 + 0.5 · 110 = 64 (value 49)."""
    return {
        "Settings": {"periods": 1, "periods_per_year": 1, "capital_rate": 0.1},
        "Countries": [{"country": "A", "role": "ally"}],
        "Goods": [{"good": "g", "unit": "t", "shortage_penalty": 10}],
        "Demand": [{"country": "A", "good": "g", "demand": 10}],
        "Stockpiles": [{"country": "A", "good": "g", "initial": initial, "min": floor,
                        "purchase_cost": 10, "holding_cost": 0, "refill_cost": 0}],
        "Scenarios": [{"scenario": "low", "probability": 0.5},
                      {"scenario": "high", "probability": 0.5}],
        "Disruptions": [{"scenario": "low", "kind": "demand_surge", "country": "A",
                         "good": "g", "start": 1, "end": 1, "factor": 0.5},
                        {"scenario": "high", "kind": "demand_surge", "country": "A",
                         "good": "g", "start": 1, "end": 1, "factor": 1.5}],
    }


def extras_of(tmp_path: Path, sheets: dict, formulation: str = "replicated"):
    case = load(write_case(tmp_path / f"case_{formulation}.xlsx", sheets))
    solver = CaseSolver(formulation=formulation)
    solved = solver.solve(case, Timings())
    return solved, run_extras(solver, solved)


@pytest.mark.parametrize("formulation", ["replicated", "plain"])
def test_evpi_and_vss_of_a_two_scenario_newsvendor(tmp_path, formulation):
    solved, extras = extras_of(tmp_path, newsvendor(), formulation)
    assert solved.results.objective == pytest.approx(15.0)
    assert extras.evpi.by_scenario["wait_and_see"].tolist() == pytest.approx([5.0, 15.0])
    assert extras.evpi.wait_and_see == pytest.approx(10.0)
    assert extras.evpi.value == pytest.approx(5.0)
    assert extras.vss.average_scenario_cost == pytest.approx(10.0)
    assert extras.vss.average_plan_cost == pytest.approx(35.0)
    assert extras.vss.value == pytest.approx(20.0)
    assert extras.vss.plans["expected_value_level"].tolist() == pytest.approx([10.0])
    assert {s.status for s in extras.solves} == {"optimal"}


@pytest.mark.parametrize(("floor", "without", "level"), [(0.0, 82.0, 2.0), (4.0, 64.0, 4.0)])
def test_value_of_the_plan_of_the_newsvendor(tmp_path, floor, without, level):
    _, extras = extras_of(tmp_path, newsvendor(initial=2.0, floor=floor))
    plan = extras.plan
    assert plan.cost_with_plan == pytest.approx(15.0)
    assert plan.cost_without_plan == pytest.approx(without)
    assert plan.cost_difference == pytest.approx(without - 15.0)
    expected = plan.expected_shortfall().iloc[0]
    assert expected["with_plan"] == pytest.approx(0.0)
    assert expected["without_plan"] == pytest.approx(0.5 * (5 - level) + 0.5 * (15 - level))
    worst = plan.worst_shortfall().iloc[0]
    assert worst["without_plan"] == pytest.approx(15 - level)
    assert worst["without_plan_scenario"] == "high"


def sharing_case() -> dict:
    """A (demand 10, no supply) and B (demand 5, capacity 20 at 1 a unit) in one period,
    k = 1, one scenario 'cut' (π = 1, onset in period 1: a factor-1 surge row); a link
    B → A, lead 0, 2 a unit, capacity 4; shortage 100 a unit.

    Together: B makes 9 and ships 4, A is short 6: 9 + 8 + 600 = 617. Alone: A short 10,
    B makes 5: 1000 + 5 = 1005. The alliance saves 388. Attributed (shipments to the
    receiver, production to the producer): A 608 together, 1000 alone (saves 392); B 9
    together, 5 alone (−4: it makes A's 4 units). A's expected shortfall 6 against 10."""
    return {
        "Settings": {"periods": 1, "periods_per_year": 1, "capital_rate": 0.05},
        "Countries": [{"country": "A", "role": "ally"}, {"country": "B", "role": "ally"}],
        "Goods": [{"good": "g", "unit": "t", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10},
                   {"country": "B", "good": "g", "demand": 5}],
        "Production": [{"country": "B", "good": "g", "capacity": 20, "unit_cost": 1}],
        "Sharing": [{"from": "B", "to": "A", "good": "g", "lead_periods": 0, "unit_cost": 2,
                     "capacity": 4}],
        "Scenarios": [{"scenario": "cut", "probability": 1.0}],
        "Disruptions": [{"scenario": "cut", "kind": "demand_surge", "country": "A",
                         "good": "g", "start": 1, "end": 1, "factor": 1.0}],
    }


@pytest.mark.parametrize("formulation", ["replicated", "plain"])
def test_value_of_cooperation_by_hand(tmp_path, formulation):
    solved, extras = extras_of(tmp_path, sharing_case(), formulation)
    coop = extras.cooperation
    assert coop.objective_together == pytest.approx(617.0)
    assert coop.objective_alone == pytest.approx(1005.0)
    assert coop.saving == pytest.approx(388.0)
    allies = coop.allies.set_index("country")
    assert allies.loc["A"].tolist() == pytest.approx([608.0, 1000.0, 392.0])
    assert allies.loc["B"].tolist() == pytest.approx([9.0, 5.0, -4.0])
    short = coop.shortfall.set_index("country")
    assert short.loc["A", ["together", "alone"]].tolist() == pytest.approx([6.0, 10.0])
    # the solved HiGHS instance holds the case's own LP again: same optimum
    again = solved.lp and CaseSolver(formulation=formulation)
    assert again.solve(solved.case, Timings()).results.objective == pytest.approx(617.0)


def test_extras_restore_the_solved_lp(tmp_path):
    """After the extras the instance re-solves to the case's own optimum."""
    case = load(write_case(tmp_path / "c.xlsx", newsvendor()))
    solver = CaseSolver()
    solved = solver.solve(case, Timings())
    run_extras(solver, solved)
    from optimizer.solver import run

    outcome = run(solver.highs, solver.compiled)
    assert outcome.objective == pytest.approx(15.0)
    assert np.allclose(solver.highs.getLp().col_lower_, solver.compiled.col_lower)


# --- as LibreOffice prints it --------------------------------------------------------------


SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                    "install libreoffice-calc to check the report as it prints (.ci/run "
                    "does)")
def test_the_report_prints_with_charts_and_no_table_cut_across_pages(report, tmp_path):
    if not shutil.which("pdftotext") or not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftotext, pdftoppm) is not installed")
    path = report[0]
    completed = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        capture_output=True, text=True, timeout=240)
    pdf = tmp_path / "report.pdf"
    assert pdf.is_file(), completed.stderr
    pages = _pages(pdf)
    workbook = openpyxl.load_workbook(path)
    sheet_of_page = []
    for text in pages:
        footer = [line for line in text.splitlines() if "Page " in line]
        assert footer, text[-200:]
        sheet_of_page.append(footer[-1].split("Page ")[0].strip())
    assert set(sheet_of_page) == set(workbook.sheetnames)
    for name in TABLE_SHEETS + ["Input Stockpiles", "Input Sharing"]:
        labels = header(workbook[name])
        first, last = labels[0].split()[0], labels[-1].split()[0]
        for number, (sheet, text) in enumerate(zip(sheet_of_page, pages, strict=True)):
            if sheet == name:  # every page of a table shows its first and last column
                words = text.split()
                assert first in words and last in words, (name, number + 1)
    charts_page = sheet_of_page.index("Charts")
    text = pages[charts_page]
    for title in ("Stock to hold", "Shortfall by scenario", "Fill rate by ally",
                  "Expected annual cost", "Supply by source"):
        assert title in text
    assert _ink(pdf, charts_page + 1) > 0.03  # the charts are drawn, not blank frames
    assert sheet_of_page.count("Summary") == 1


def _pages(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    return [subprocess.run(["pdftotext", "-f", str(k), "-l", str(k), "-layout", str(pdf),
                            "-"], capture_output=True, text=True).stdout
            for k in range(1, count + 1)]


def _ink(pdf: Path, page: int) -> float:
    """Share of the page's pixels that are not white."""
    out = pdf.with_name(f"page{page}")
    subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", "30", "-gray",
                    "-singlefile", str(pdf), str(out)], check=True)
    data = out.with_suffix(".pgm").read_bytes()
    width, height, _ = (int(x) for x in data.split(maxsplit=4)[1:4])
    pixels = np.frombuffer(data[-width * height:], dtype=np.uint8)
    return float((pixels < 200).mean())
