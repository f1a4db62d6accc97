"""The command line, the JSON contract, the report workbook and the bundled example."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import highspy
import openpyxl
import pytest
from casebuilder import base_case, write_case

import optimizer
from optimizer import cli
from optimizer.case.schema import SHEETS
from optimizer.collector import YOUNG_THRESHOLD

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inputs" / "rare_earths.xlsx"

# Recorded optimum of the bundled example (USD/year); a change here is a change of the
# answer and must be explained in the commit that makes it.
EXAMPLE_OBJECTIVE = 2_442_995_890.175  # model v2, the magnet chain case (commit 25f148a)
EXAMPLE_STAGE_ONE = 59_394_600.0

REPORT_SHEETS = ["Summary", "Charts", "Stockpiles", "Spare capacity", "Sharing",
                 "Purchases by ally", "Shortfalls", "Fill rates", "Scenario costs",
                 "Processing", "Shadow prices", "Value of the plan", "Cooperation",
                 "Uncertainty", "Risk", "Run", "Chart data", "Concentration"] + [
                     f"Input {sheet.name}" for sheet in SHEETS
                     if sheet.name != "ShortageTiers"]  # written only for a case with tiers
DETAIL_SHEETS = ["About", "Supply plan", "Shipments"]
HEADER_ROW = 4  # title, sentence, link to the Summary, then the table's header
SUMMARY_KEYS = {"status", "objective", "stage_one_cost", "expected_scenario_cost",
                "stockpile", "spare_capacity", "expected_shortfall", "timings_s", "solver"}


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("example")
    report, summary = folder / "report.xlsx", folder / "summary.json"
    completed = subprocess.run(
        [sys.executable, "-m", "optimizer", "solve", str(EXAMPLE), "-o", str(report),
         "--json", str(summary)], capture_output=True, text=True, cwd=folder, timeout=300)
    return completed, report, summary


def test_example_solves_to_its_recorded_optimum(example_run):
    completed, report, summary = example_run
    assert completed.returncode == 0, completed.stderr
    document = json.loads(summary.read_text())
    assert document["status"] == "optimal"
    assert document["objective"] == pytest.approx(EXAMPLE_OBJECTIVE, rel=1e-9)
    assert document["stage_one_cost"] == pytest.approx(EXAMPLE_STAGE_ONE, rel=1e-9)
    assert document["objective"] == pytest.approx(
        document["stage_one_cost"] + document["expected_scenario_cost"], rel=1e-12)


def test_summary_json_keeps_its_contract(example_run):
    _, _, summary = example_run
    document = json.loads(summary.read_text())
    assert set(document) >= SUMMARY_KEYS
    assert {"name", "version", "status", "run_time_s"} <= set(document["solver"])
    assert document["solver"]["name"] == "HiGHS"
    assert {"read", "validate", "build", "handover", "solve", "extract", "report"} <= set(
        document["timings_s"])
    for entry in document["stockpile"] + document["spare_capacity"]:
        assert set(entry) == {"country", "good", "level"}
    for entry in document["expected_shortfall"]:
        assert set(entry) == {"country", "good", "units"}
    assert any(s["level"] > 0 for s in document["stockpile"])


def test_stdout_has_the_summary_and_stderr_the_phases(example_run):
    completed, report, _ = example_run
    assert "expected annual cost" in completed.stdout
    assert "2,442,995,890.18" in completed.stdout
    assert str(report) in completed.stdout
    for phase in ("read", "validate", "build", "handover", "solve", "extract", "report"):
        assert phase in completed.stderr
    assert "Running HiGHS" not in completed.stdout


def test_report_has_every_sheet_with_headers(example_run):
    _, report, _ = example_run
    workbook = openpyxl.load_workbook(report, read_only=True)
    assert workbook.sheetnames == REPORT_SHEETS
    stock = list(workbook["Stockpiles"].iter_rows(min_row=HEADER_ROW, values_only=True))
    assert stock[0][:3] == ("country", "good", "unit")
    assert "cover (days)" in stock[0]
    assert len(stock) == 1 + 10  # one row per Stockpiles entry of the example
    detail = openpyxl.load_workbook(report.with_suffix(".detail.xlsx"), read_only=True)
    assert detail.sheetnames == DETAIL_SHEETS
    plan_header = next(detail["Supply plan"].iter_rows(values_only=True))
    assert plan_header[:4] == ("scenario", "country", "good", "period")
    assert plan_header[4:] == ("demand (units)", "produced (units)", "imported (units)",
                               "drawn from stock (units)", "received (units)",
                               "sent (units)", "exported (units)",
                               "used in processing (units)", "short (units)")


def test_default_report_path_is_reports_case_name(tmp_path):
    case = write_case(tmp_path / "tiny.xlsx", base_case())
    completed = subprocess.run([sys.executable, "-m", "optimizer", "solve", str(case), "-q"],
                               capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "reports" / "tiny.xlsx").is_file()


def test_validate_command_reports_a_valid_case(tmp_path, capsys):
    case = write_case(tmp_path / "tiny.xlsx", base_case())
    assert cli.main(["validate", str(case)]) == 0
    assert "valid case with 2 allies, 1 goods, 3 periods and 2 scenarios" in \
        capsys.readouterr().out


def test_template_has_every_sheet_and_explains_every_column(tmp_path):
    out = tmp_path / "blank.xlsx"
    assert cli.main(["template", str(out)]) == 0
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["About"] + [sheet.name for sheet in SHEETS]
    about = {(row[0], row[1]) for row in workbook["About"].iter_rows(min_row=2,
                                                                      values_only=True)}
    for sheet in SHEETS:
        header = [c.value for c in workbook[sheet.name][1]]
        assert header == [column.name for column in sheet.columns]
        if sheet.name != "Settings":
            for column in sheet.columns:
                assert (sheet.name, column.name) in about


def test_filled_template_round_trips_to_a_valid_case(tmp_path):
    """Fill the blank template with the base case and it validates and solves."""
    out = tmp_path / "blank.xlsx"
    cli.main(["template", str(out)])
    workbook = openpyxl.load_workbook(out)
    case = base_case()
    settings = workbook["Settings"]
    for row in settings.iter_rows(min_row=2):
        if row[0].value == "periods":
            row[1].value = case["Settings"]["periods"]
    for name, rows in case.items():
        if name == "Settings":
            continue
        sheet = workbook[name]
        header = [c.value for c in sheet[1]]
        for record in rows:
            sheet.append([record.get(column) for column in header])
    workbook.save(out)
    assert cli.main(["solve", str(out), "-o", str(tmp_path / "r.xlsx"), "-q"]) == 0


def test_text_from_inputs_never_becomes_a_formula(tmp_path):
    """Formula-like ids and texts come back as the exact input text, in string cells
    with the quote-prefix style, in both workbooks; no cell holds a formula."""
    case = base_case()
    case["Scenarios"][1]["description"] = "=HYPERLINK(\"http://x\",\"click\")"
    case["Countries"][0]["country"] = "+A"
    for table in ("Demand", "Stockpiles"):
        for row in case[table]:
            if row["country"] == "A":
                row["country"] = "+A"
    case["Imports"][0]["destination"] = "+A"
    case["Sharing"][0]["to"] = "+A"
    case["Disruptions"][0]["partner"] = "+A"
    case["Goods"][0]["unit"] = "@t"
    path = write_case(tmp_path / "inj.xlsx", case)
    report = tmp_path / "r.xlsx"
    assert cli.main(["solve", str(path), "-o", str(report), "-q"]) == 0
    for book in (report, report.with_suffix(".detail.xlsx")):
        workbook = openpyxl.load_workbook(book)
        cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row
                 if isinstance(cell.value, str)]
        assert all(cell.data_type == "s" for cell in cells)
        risky = [cell for cell in cells if cell.value.startswith(("=", "+", "-", "@"))]
        assert risky and all(cell.quotePrefix for cell in risky)
        texts = {cell.value for cell in cells}
        assert "+A" in texts and "'+A" not in texts
        if book == report:
            assert "=HYPERLINK(\"http://x\",\"click\")" in texts and "@t" in texts


def test_failed_report_write_leaves_no_file(tmp_path, monkeypatch):
    """The report is complete on disk before the rename fails: nothing may remain."""
    from optimizer import files

    path = write_case(tmp_path / "tiny.xlsx", base_case())
    report = tmp_path / "out" / "r.xlsx"

    def full_disk(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full_disk)
    assert cli.main(["solve", str(path), "-o", str(report), "-q"]) == 4
    assert list(report.parent.iterdir()) == []


def test_time_limit_without_a_plan_exits_3_and_writes_nothing(tmp_path):
    path = write_case(tmp_path / "tiny.xlsx", base_case())
    report = tmp_path / "r.xlsx"
    summary = tmp_path / "s.json"
    code = cli.main(["solve", str(path), "-o", str(report), "--json", str(summary),
                     "--time-limit", "0", "-q"])
    assert code == 3
    assert not report.exists()
    assert json.loads(summary.read_text())["status"] == "stopped_at_limit"


def test_readme_workbook_table_is_generated_from_the_schema():
    from optimizer.case.schema_docs import markdown_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = readme.split("<!-- schema:start -->\n")[1].split("<!-- schema:end -->")[0]
    assert documented == markdown_table()


def test_report_gets_ordinary_file_permissions(tmp_path):
    import os
    import stat

    path = write_case(tmp_path / "tiny.xlsx", base_case())
    report = tmp_path / "r.xlsx"
    old = os.umask(0o022)
    try:
        assert cli.main(["solve", str(path), "-o", str(report), "-q"]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(report.stat().st_mode) == 0o644


def test_badly_scaled_data_is_warned_about_before_solving(tmp_path, capsys):
    case = base_case()
    case["Settings"]["periods_per_year"] = 3  # k = 1: costs are π · unit cost
    case["Goods"][0]["shortage_penalty"] = 1e12
    case["Imports"][0]["unit_cost"] = 1e-3
    path = write_case(tmp_path / "scaled.xlsx", case)
    cli.main(["solve", str(path), "-o", str(tmp_path / "r.xlsx"), "--json",
              str(tmp_path / "s.json"), "-q"])
    err = capsys.readouterr().err
    assert "warning: badly scaled data: cost coefficients range from 0.0001 to 9e+11" in err
    document = json.loads((tmp_path / "s.json").read_text())
    assert document["warnings"][0].startswith("badly scaled data: cost coefficients")


def test_an_infeasible_lp_is_a_bug_report_with_the_lp_on_disk(tmp_path, monkeypatch, capsys):
    """A valid case cannot be infeasible (shortfall is priced); force HiGHS to find one
    so and check the run says it is a bug and leaves the LP for inspection."""
    from optimizer import engine

    original = engine.pass_model

    def contradictory(highs, compiled):
        original(highs, compiled)
        highs.changeColBounds(0, 5.0, 5.0)
        highs.changeColCost(0, -1.0)
        highs.changeRowBounds(0, 1e9, 1e9)

    monkeypatch.setattr(engine, "pass_model", contradictory)
    path = write_case(tmp_path / "tiny.xlsx", base_case())
    report = tmp_path / "r.xlsx"
    assert cli.main(["solve", str(path), "-o", str(report), "-q"]) == 1
    err = capsys.readouterr().err
    assert "this is a bug in stockpile" in err
    assert (tmp_path / "r.infeasible.mps").is_file()
    assert not report.exists()


def test_a_flood_of_problems_is_cut_short(tmp_path, capsys):
    case = base_case()
    case["Demand"] += [{"country": "A", "good": "g", "demand": -1} for _ in range(300)]
    path = write_case(tmp_path / "flood.xlsx", case)
    assert cli.main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("error: ") == 200
    assert "... and 100 more problems, not shown" in err
    assert "300 problems found; nothing was solved." in err


def test_version_is_printed():
    completed = subprocess.run([sys.executable, "-m", "optimizer", "--version"],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0
    assert completed.stdout.strip() == f"stockpile {optimizer.__version__}"


@pytest.mark.parametrize("mpi", [False, True])
def test_the_command_exits_at_once_with_its_code_and_its_output_flushed(mpi):
    """`cli.entry` (the ``stockpile`` command) tunes the collector, runs `main` and ends
    the process without Python's clean-up, after flushing what it printed (a pipe is
    block-buffered); a run that loaded MPI exits normally, so that MPI is finalised."""
    script = ("import atexit, gc, sys, types\n"
              "from optimizer import cli\n"
              + ("sys.modules['mpi4py'] = types.ModuleType('mpi4py')\n" if mpi else "")
              + "atexit.register(lambda: print(' clean-up ran', end=''))\n"
              "cli.main = lambda: print('threshold', gc.get_threshold()[0], end='') or 3\n"
              "cli.entry()\n")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True,
                               text=True, timeout=60, cwd=ROOT)
    assert completed.returncode == 3, completed.stderr
    assert completed.stdout == f"threshold {YOUNG_THRESHOLD}" + (" clean-up ran" if mpi else "")


def test_save_lp_writes_the_lp_highs_solves(tmp_path):
    case = write_case(tmp_path / "tiny.xlsx", base_case())
    lp = tmp_path / "out" / "tiny.mps"
    assert cli.main(["solve", str(case), "-o", str(tmp_path / "r.xlsx"), "--save-lp", str(lp),
                     "-q"]) == 0
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.readModel(str(lp))
    highs.run()
    assert highs.getInfo().objective_function_value == pytest.approx(
        solve_objective(case, tmp_path), rel=1e-9)


def solve_objective(case: Path, folder: Path) -> float:
    target = folder / "objective.json"
    assert cli.main(["solve", str(case), "-o", str(folder / "r3.xlsx"), "--json", str(target),
                     "-q"]) == 0
    return json.loads(target.read_text())["objective"]


def test_an_unwritable_report_path_fails_before_solving(tmp_path, capsys):
    case = write_case(tmp_path / "tiny.xlsx", base_case())
    assert cli.main(["solve", str(case), "-o", str(tmp_path), "-q"]) == 4
    err = capsys.readouterr().err
    assert f"cannot write {tmp_path}: it is a folder" in err
    assert "solve" not in err  # no phase ran
    assert list(tmp_path.iterdir()) == [case]


def test_validate_json_lists_problems_and_warnings(tmp_path, capsys):
    sheets = base_case()
    sheets["Imports"][0]["volume"] = "ten"
    case = write_case(tmp_path / "bad.xlsx", sheets)
    out = tmp_path / "check.json"
    assert cli.main(["validate", str(case), "--json", str(out)]) == 2
    document = json.loads(out.read_text())
    assert document["valid"] is False
    assert {"sheet": "Imports", "cell": "D2",
            "message": "volume must be a number ≥ 0 and ≤ 1e15, got 'ten'"} \
        in document["problems"]
    good = write_case(tmp_path / "good.xlsx", base_case())
    capsys.readouterr()
    assert cli.main(["validate", str(good), "--json", "-"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document == {"case": str(good), "valid": True, "problems": [], "warnings": []}


def test_a_solve_does_not_import_scipy_stats(tmp_path):
    """Pyomo's scipy hook would import scipy.stats (0.35 s or more of start-up) on the
    first ``import scipy``; `optimizer.solver` drops it. The check runs a real solve in
    a fresh interpreter and lists what it imported."""
    case = write_case(tmp_path / "case.xlsx", base_case())
    script = ("import sys\nfrom optimizer.cli import main\n"
              f"code = main(['solve', {str(case)!r}, '-q', '--no-extras',"
              f" '-o', {str(tmp_path / 'r.xlsx')!r}])\n"
              "assert code == 0, code\n"
              "print(sorted(m for m in sys.modules if m.startswith('scipy.')))\n")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True,
                               text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    imported = completed.stdout.strip().splitlines()[-1]
    assert "'scipy.sparse'" in imported
    assert "'scipy.stats'" not in imported and "'scipy.integrate'" not in imported
