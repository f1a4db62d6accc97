"""`stockpile batch`: many cases, each in a worker process of its own; failures, crashes
and time limits reported by name; --resume; the batch workbook against the cases' JSON."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from casebuilder import base_case, write_case

import optimizer
from optimizer import batch
from optimizer.batch import BatchRequest, run_batch

ROOT = Path(__file__).resolve().parents[1]


def good(folder: Path, name: str, demand: float = 10) -> Path:
    case = base_case()
    case["Demand"][0]["demand"] = demand
    return write_case(folder / f"{name}.xlsx", case)


def bad(folder: Path, name: str = "bad") -> Path:
    case = base_case()
    case["Demand"][0]["demand"] = -5
    return write_case(folder / f"{name}.xlsx", case)


def zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"\0" * 300_000_000)
    return path


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """Two good cases, an input error, a renamed CSV and a zip bomb, by the command."""
    folder = tmp_path_factory.mktemp("mixed")
    cases = folder / "cases"
    cases.mkdir()
    good(cases, "alpha", 10)
    good(cases, "beta", 12)
    bad(cases)
    (cases / "renamed.xlsx").write_text("a,b\n1,2\n")
    zip_bomb(cases / "bomb.xlsx")
    completed = subprocess.run(
        [sys.executable, "-m", "optimizer", "batch", str(cases), "--out-dir",
         str(folder / "out"), "--jobs", "2"],
        capture_output=True, text=True, cwd=folder, timeout=300)
    return completed, folder / "out"


def test_good_cases_solve_and_bad_ones_are_reported_by_name(mixed):
    completed, out = mixed
    assert completed.returncode == 2, completed.stderr  # an input error, no bug
    assert "Traceback" not in completed.stderr
    failed = [line for line in completed.stderr.splitlines() if line.startswith("failed:")]
    assert sorted(line.split(":")[1].strip() for line in failed) == [
        "bad.xlsx", "bomb.xlsx", "renamed.xlsx"]
    assert "Demand!C2" in completed.stderr
    document = json.loads((out / "batch.json").read_text())
    by_file = {case["file"]: case for case in document["cases"]}
    assert set(by_file) == {"alpha.xlsx", "beta.xlsx", "bad.xlsx", "renamed.xlsx",
                            "bomb.xlsx"}
    for name in ("alpha", "beta"):
        case = by_file[f"{name}.xlsx"]
        assert (case["outcome"], case["exit_code"], case["status"]) == ("solved", 0,
                                                                         "optimal")
        for path in (out / f"{name}.xlsx", out / f"{name}.detail.xlsx", out / f"{name}.json"):
            assert path.is_file() and str(path) in case.values()
        assert json.loads((out / f"{name}.json").read_text())["objective"] == case["objective"]
    for name in ("bad", "renamed", "bomb"):
        case = by_file[f"{name}.xlsx"]
        assert (case["outcome"], case["exit_code"]) == ("input_error", 2)
        assert case["error"] and case["report"] is None
        assert not (out / f"{name}.xlsx").exists()
    assert document["exit_code"] == 2
    assert document["counts"] == {"cases": 5, "solved": 2, "skipped": 0, "failed": 3}
    assert not list(out.glob(".*.part"))


def test_the_case_json_carries_its_input_hash_and_tool_version(mixed):
    _, out = mixed
    document = json.loads((out / "alpha.json").read_text())
    digest = __import__("hashlib").sha256((out.parent / "cases" / "alpha.xlsx")
                                          .read_bytes()).hexdigest()
    assert document["input_sha256"] == digest
    assert document["tool_version"] == optimizer.__version__


def test_the_batch_workbook_figures_equal_each_case_json(mixed):
    _, out = mixed
    book = openpyxl.load_workbook(out / "batch.xlsx", read_only=True)
    assert book.sheetnames == ["Cases", "Charts", "Stockpiles"]
    rows = list(book["Cases"].iter_rows(min_row=4, values_only=True))
    header, rows = rows[0], rows[1:]
    cases = {row[header.index("file")]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(cases) == {"alpha.xlsx", "beta.xlsx", "bad.xlsx", "renamed.xlsx",
                          "bomb.xlsx"}
    stock_rows = list(book["Stockpiles"].iter_rows(min_row=5, values_only=True))
    for name in ("alpha", "beta"):
        document = json.loads((out / f"{name}.json").read_text())
        row = cases[f"{name}.xlsx"]
        assert row["expected annual cost (per year)"] == document["objective"]
        assert (row["insurance cost: stock and spare capacity (per year)"]
                == document["stage_one_cost"])
        assert (row["expected disruption and supply cost (per year)"]
                == document["expected_scenario_cost"])
        assert row["expected shortfall (units over the horizon, all goods)"] == pytest.approx(
            sum(s["units"] for s in document["expected_shortfall"]), rel=1e-12)
        assert (row["value of the plan (expected cost saved per year)"]
                == document["value_of_plan"]["expected_cost"]["difference"])
        held = sorted((s for s in document["stockpile"] if s["level"] > 0),
                      key=lambda s: -s["level"])
        assert held, "the test case should hold stock"
        assert (row["largest stockpile: ally"], row["largest stockpile: good"],
                row["largest stockpile: level"]) == (held[0]["country"], held[0]["good"],
                                                     held[0]["level"])
        assert [r[1:] for r in stock_rows if r[0] == name] == [
            (s["country"], s["good"], s["level"]) for s in held[:5]]
    assert cases["bad.xlsx"]["expected annual cost (per year)"] is None
    assert cases["bad.xlsx"]["exit code"] == 2


def test_a_worker_that_dies_is_reported_and_the_batch_goes_on(tmp_path, monkeypatch):
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in ("one", "crash", "two"):
        good(cases, name)
    real = batch.run_case

    def hostile(request, *args, **kwargs):
        if request.case_path.stem == "crash":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(request, *args, **kwargs)

    monkeypatch.setattr(batch, "run_case", hostile)  # the forked workers inherit it
    outcome = run_batch(BatchRequest(cases=[cases], out_dir=tmp_path / "out", jobs=2,
                                     extras=False, detail=False))
    by_file = {case.file: case for case in outcome.cases}
    assert by_file["crash.xlsx"].outcome == "worker_died"
    assert "SIGKILL" in by_file["crash.xlsx"].error
    assert [by_file[f].outcome for f in ("one.xlsx", "two.xlsx")] == ["solved", "solved"]
    assert outcome.exit_code == 1
    assert not (tmp_path / "out" / "crash.xlsx").exists()


def test_a_case_past_its_time_limit_is_stopped_and_reported(tmp_path, monkeypatch):
    cases = tmp_path / "cases"
    cases.mkdir()
    good(cases, "slow")
    good(cases, "quick")
    real = batch.run_case

    def slow(request, *args, **kwargs):
        if request.case_path.stem == "slow":
            import time
            time.sleep(60)
        return real(request, *args, **kwargs)

    monkeypatch.setattr(batch, "run_case", slow)
    outcome = run_batch(BatchRequest(cases=[cases], out_dir=tmp_path / "out", jobs=1,
                                     case_time_limit_s=5.0, extras=False, detail=False))
    # 5 s: room for the quick case on a loaded machine; the slow one would take 60 s
    by_file = {case.file: case for case in outcome.cases}
    assert by_file["slow.xlsx"].outcome == "case_time_limit"
    assert "--case-time-limit" in by_file["slow.xlsx"].error
    assert by_file["slow.xlsx"].seconds < 20
    assert by_file["quick.xlsx"].outcome == "solved"
    assert outcome.exit_code == 3


def test_resume_solves_nothing_done_and_resolves_a_changed_input(tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in ("one", "two", "three"):
        good(cases, name)
    request = BatchRequest(cases=[cases], out_dir=tmp_path / "out", jobs=2, resume=True,
                           extras=False, tool_version="9.9")
    first = run_batch(request)
    assert [c.outcome for c in first.cases] == ["solved"] * 3
    good(cases, "two", demand=11)  # changed input: a new SHA-256
    written = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()}
    second = run_batch(request)
    now = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()}
    rewritten = sorted(name for name in written if now[name] != written[name])
    assert rewritten == ["batch.json", "batch.xlsx", "two.detail.xlsx", "two.json",
                         "two.xlsx"]
    by_file = {case.file: case for case in second.cases}
    assert by_file["two.xlsx"].outcome == "solved"
    assert by_file["one.xlsx"].outcome == by_file["three.xlsx"].outcome == "skipped"
    assert by_file["one.xlsx"].objective == first.cases[0].objective
    assert second.exit_code == 0
    # another tool version re-solves everything
    third = run_batch(BatchRequest(cases=[cases], out_dir=tmp_path / "out", jobs=2,
                                   resume=True, extras=False, tool_version="10.0"))
    assert [c.outcome for c in third.cases] == ["solved"] * 3


def test_two_cases_writing_the_same_report_are_refused_before_solving(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    good(tmp_path / "a", "same")
    good(tmp_path / "b", "same")
    completed = subprocess.run(
        [sys.executable, "-m", "optimizer", "batch", str(tmp_path / "a" / "same.xlsx"),
         str(tmp_path / "b" / "same.xlsx"), "--out-dir", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2
    assert "would both write" in completed.stderr and "Traceback" not in completed.stderr
    assert not (tmp_path / "out").exists()


def test_an_empty_folder_is_an_input_error(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "optimizer", "batch", str(tmp_path), "--out-dir",
         str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2
    assert "no case workbooks" in completed.stderr and "Traceback" not in completed.stderr
