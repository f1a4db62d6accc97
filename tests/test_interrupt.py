"""A run killed midway (SIGTERM, Ctrl-C) stops promptly and leaves no partial file."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.synthetic import SizeSpec, make_case, write_case_workbook

ROOT = Path(__file__).resolve().parents[1]
# A case that HiGHS needs several seconds for on this machine (about 500k columns).
MEDIUM = SizeSpec(allies=10, goods=12, periods=12, scenarios=40, suppliers=4, link_pairs=58,
                  recipes=2)


@pytest.fixture(scope="module")
def medium_case(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("medium") / "medium.xlsx"
    write_case_workbook(make_case(MEDIUM), path)
    return path


@pytest.mark.parametrize("mode", ["in parts", "as one LP"])
@pytest.mark.parametrize(("sent", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_solve_killed_midway_leaves_no_partial_file(tmp_path, medium_case, sent, code,
                                                      mode):
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "optimizer", "solve", str(medium_case), "-o",
         str(out / "report.xlsx"), "--json", str(out / "summary.json"),
         *(["--no-decompose"] if mode == "as one LP" else [])],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in process.stderr:  # wait for a progress line printed while HiGHS runs
        seen.append(line)
        if line.split()[:1] == ["solve"] and "running" in line:
            break
    assert process.poll() is None, "the solve ended before it could be interrupted"
    assert ("independent parts" in seen[-1]) == (mode == "in parts")
    process.send_signal(sent)
    started = time.perf_counter()
    try:
        process.wait(timeout=10)
    finally:
        process.kill()
    assert time.perf_counter() - started < 5, "the run did not stop promptly"
    stderr = "".join(seen) + process.stderr.read()
    assert process.returncode == code, stderr
    assert "interrupted" in stderr
    assert "Traceback" not in stderr
    assert list(out.iterdir()) == []
