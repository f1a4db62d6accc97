"""Sweeps: one lever of a case (`optimizer.analyses.levers`) set to a series of values,
every point solved by one `optimizer.engine.CaseSolver`.

Every lever changes only mutable inputs, so the first point builds the LP and every
later point only sends HiGHS the numbers that changed (`CaseSolver.solve` reuses the
built model when the structure key is unchanged), and HiGHS warm-starts from the last
point's basis. Each point records whether it rebuilt (only the first should). The case
is solved as one LP, never by independent parts: the warm start is what makes a point
cheap, and the alliance budget joins every part anyway.

A point is one dict (`SweepPoint.as_json`), the JSON list's entry and the sweep
workbook's row (`optimizer.report.sweep_workbook`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from models.data import Case
from optimizer.analyses.levers import LEVERS, Lever
from optimizer.engine import CaseSolver
from optimizer.errors import InputError, Problem
from optimizer.solver import SolverOptions
from optimizer.timings import Timings

MAX_POINTS = 1000
"""More points than this is a typing mistake (0:1e9:1e9)."""

MARGINAL_LIMIT = {"budget": "alliance budget"}
"""The shadow price reported as a point's marginal value, for the levers that are a
limit of the LP: what one more unit of the lever's value saves."""


def parse_values(option: str, text: str) -> list[float]:
    """``START:STOP:COUNT`` (COUNT values evenly spaced from START to STOP, both
    included) or a comma list ``V1,V2,...``; a bad text is an `InputError` naming the
    option."""
    def bad(why: str) -> InputError:
        return InputError([Problem("", "", f"--{option} {text}: {why}")])

    def number(part: str) -> float:
        try:
            value = float(part)
        except ValueError:
            raise bad(f"'{part.strip()}' is not a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise bad(f"'{part.strip()}' is not a finite number")
        return value

    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise bad("a range is START:STOP:COUNT (e.g. 0:500e6:11)")
        start, stop = number(parts[0]), number(parts[1])
        if not re.fullmatch(r"\s*\d+\s*", parts[2]) or not 2 <= int(parts[2]) <= MAX_POINTS:
            raise bad(f"COUNT must be a whole number from 2 to {MAX_POINTS}, got "
                      f"'{parts[2].strip()}'")
        count = int(parts[2])
        return [start + (stop - start) * k / (count - 1) for k in range(count)]
    values = [number(part) for part in text.split(",") if part.strip()]
    if not values:
        raise bad("give START:STOP:COUNT or a comma list of values")
    if len(values) > MAX_POINTS:
        raise bad(f"at most {MAX_POINTS} values")
    return values


def check_values(case: Case, lever: Lever, values: list[float]) -> None:
    """Every value the lever cannot take for this case, at once, as an `InputError`
    naming the option and the value."""
    problems = [Problem("", "", f"--{lever.name} {value:g}: {why}")
                for value in values if (why := lever.problem(case, value)) is not None]
    if problems:
        raise InputError(problems)


@dataclass
class SweepPoint:
    lever: str
    value: float
    status: str
    seconds: float
    rebuilt: bool
    objective: float | None = None
    stage_one_cost: float | None = None
    expected_scenario_cost: float | None = None
    expected_shortfall: float | None = None
    marginal_value: float | None = None
    stockpile: list[dict] = field(default_factory=list)
    spare_capacity: list[dict] = field(default_factory=list)

    @property
    def is_optimal(self) -> bool:
        return self.status == "optimal"

    def as_json(self, case: Case) -> dict:
        """case, currency, lever, value, status, objective, stage_one_cost,
        expected_scenario_cost (as in the JSON summary), expected_shortfall (units over
        the horizon, probability-weighted, every ally and good), marginal_value (what
        one more unit of the lever saves, per year: the budget's shadow price; null for
        a lever that is not a limit), stockpile and spare_capacity levels, seconds,
        rebuilt (whether the point built the LP: only the first)."""
        return {"case": case.name, "currency": case.settings.currency, "lever": self.lever,
                "value": self.value, "status": self.status, "objective": self.objective,
                "stage_one_cost": self.stage_one_cost,
                "expected_scenario_cost": self.expected_scenario_cost,
                "expected_shortfall": self.expected_shortfall,
                "marginal_value": self.marginal_value, "stockpile": self.stockpile,
                "spare_capacity": self.spare_capacity, "seconds": round(self.seconds, 6),
                "rebuilt": self.rebuilt}


@dataclass
class Sweep:
    case: Case
    lever: Lever
    points: list[SweepPoint]

    @property
    def not_optimal(self) -> list[SweepPoint]:
        return [p for p in self.points if not p.is_optimal]

    def as_json(self) -> list[dict]:
        return [point.as_json(self.case) for point in self.points]


def run_sweep(case: Case, lever_name: str, values: list[float],
              options: SolverOptions | None = None,
              point_done: Callable[[SweepPoint], None] | None = None,
              solver: CaseSolver | None = None) -> Sweep:
    """Solve `case` with the lever `lever_name` at each of `values`, in order, on one
    `CaseSolver` (the built LP re-solved with HiGHS's warm start). Every value is
    checked first (`check_values`). `point_done` hears each point as it ends."""
    lever = LEVERS[lever_name]
    check_values(case, lever, values)
    solver = solver or CaseSolver(options)
    points = []
    for value in values:
        started = time.perf_counter()
        built = solver.lp
        solved = solver.solve(lever.apply(case, value), Timings())
        point = SweepPoint(lever.name, value, solved.outcome.status,
                           time.perf_counter() - started, rebuilt=solver.lp is not built)
        results = solved.results
        if results is not None:
            point.objective = results.objective
            point.stage_one_cost = results.stage_one_cost
            point.expected_scenario_cost = results.expected_scenario_cost
            point.expected_shortfall = float(results.expected_shortfall["units"].sum())
            point.stockpile = [{"country": r.country, "good": r.good, "level": r.level}
                               for r in results.stockpiles.itertuples(index=False)]
            point.spare_capacity = [
                {"country": r.country, "good": r.good, "level": r.reserved}
                for r in results.spare_capacity.itertuples(index=False)]
            limit = MARGINAL_LIMIT.get(lever.name)
            if limit is not None:
                prices = results.shadow_prices
                point.marginal_value = float(prices.loc[prices["limit"] == limit,
                                                        "value"].sum())
        points.append(point)
        if point_done is not None:
            point_done(point)
    return Sweep(case, lever, points)
