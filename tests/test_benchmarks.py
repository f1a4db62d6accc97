"""The benchmarks must stay fair: the yardstick pays for none of the product's imports,
and the Benders experiment reaches the one-LP optimum (the README's figures depend on
both)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

from benchmarks.benders import benders, monolithic
from benchmarks.synthetic import SIZES, make_case, write_case_workbook
from optimizer.case.load import load_case
from optimizer.timings import Timings


def test_benders_reaches_the_one_lp_optimum_on_a_budget_coupled_case(tmp_path):
    spec = dataclasses.replace(SIZES["S"], budget_share=1.0)
    case = load_case(write_case_workbook(make_case(spec, 0), tmp_path / "s.xlsx"),
                     Timings())[0]
    whole = monolithic(case)["objective"]
    split = benders(case, tol=1e-7)
    assert split["parts"] > 1 and split["iterations"] > 1  # the budgets do bind
    assert split["lower_bound"] <= whole * (1 + 1e-9)
    assert abs(split["upper_bound"] - whole) <= 1e-6 * whole


def test_the_yardstick_imports_neither_pyomo_nor_pandas(tmp_path):
    """`benchmarks.direct_highs` reads the case with the product's reader and sets HiGHS
    up with its options; neither may bring Pyomo's or pandas's start-up into the
    yardstick's time."""
    case = write_case_workbook(make_case("S", 0), tmp_path / "s.xlsx")
    script = ("import sys\nfrom benchmarks.direct_highs import solve_direct\n"
              f"solve_direct({str(case)!r})\n"
              "print(sorted(m for m in ('pyomo', 'pandas', 'scipy.stats') if m in sys.modules))")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True,
                               text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip().splitlines()[-1] == "[]"
