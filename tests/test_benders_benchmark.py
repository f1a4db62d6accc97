"""The Benders experiment of `benchmarks/benders.py` must stay a fair one: it reaches the
one-LP optimum on a budget-coupled case (its README figures depend on that)."""

from __future__ import annotations

import dataclasses

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
