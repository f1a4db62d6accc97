"""Problems found in a case, and the typed errors a run can end with.

Each error class maps to one exit code of the command line, so a batch script can act
on the outcome without parsing messages.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INPUT = 2
EXIT_NOT_OPTIMAL = 3
EXIT_OUTPUT = 4
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM


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

    exit_code = EXIT_INTERNAL


class InternalError(StockpileError):
    """A bug in stockpile, detected (an infeasible LP for a valid case)."""

    exit_code = EXIT_INTERNAL


class InputError(StockpileError):
    """The case cannot be solved as given; carries every problem found at once."""

    exit_code = EXIT_INPUT

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None):
        self.problems = problems
        self.warnings = warnings or []
        super().__init__("\n".join(str(p) for p in problems))


class SolverError(StockpileError):
    """HiGHS stopped without proving optimality (time limit, numerical trouble)."""

    exit_code = EXIT_NOT_OPTIMAL


class OutputError(StockpileError):
    """A report or summary could not be written (permissions, disk full)."""

    exit_code = EXIT_OUTPUT
