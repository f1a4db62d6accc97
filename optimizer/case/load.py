"""Read and validate a case workbook: the case layer's entry point."""

from __future__ import annotations

from pathlib import Path

from models.data import Case
from optimizer.case.validation import validate
from optimizer.case.workbook_reader import ReadLimits, read_workbook
from optimizer.errors import Problem
from optimizer.timings import Timings


def case_name(path: str | Path) -> str:
    return Path(path).stem


def load_case(path: str | Path, timings: Timings,
              limits: ReadLimits | None = None) -> tuple[Case, list[Problem]]:
    """Read and validate a case workbook; raises `InputError` with every problem."""
    with timings.phase("read"):
        raw = read_workbook(path, limits)
    with timings.phase("validate"):
        return validate(raw, case_name(path))
