"""Problems found in a case, and the typed errors a run can end with.

Each error class maps to one exit code of the command line, so a batch script can act
on the outcome without parsing messages.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One finding, placed in Excel terms: ``Imports!D7: volume must be ...``."""

    sheet: str
    cell: str
    message: str
    is_error: bool = True

    def __str__(self) -> str:
        place = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{place}: {self.message}" if place else self.message


class StockpileError(Exception):
    """Base of every anticipated failure; `exit_code` is the command line's."""

    exit_code = 1


class InternalError(StockpileError):
    """A bug in stockpile, detected (an infeasible LP for a valid case)."""

    exit_code = 1


class InputError(StockpileError):
    """The case cannot be solved as given; carries every problem found at once."""

    exit_code = 2

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None):
        self.problems = problems
        self.warnings = warnings or []
        super().__init__("\n".join(str(p) for p in problems))


class SolverError(StockpileError):
    """HiGHS stopped without proving optimality (time limit, numerical trouble)."""

    exit_code = 3


class OutputError(StockpileError):
    """A report or summary could not be written (permissions, disk full)."""

    exit_code = 4
