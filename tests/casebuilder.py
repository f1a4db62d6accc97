"""Build case workbooks for tests from plain Python: sheets as lists of row dicts."""

from __future__ import annotations

import copy
from pathlib import Path

from openpyxl import Workbook

from models.data import Case
from optimizer.pipeline import Timings, load_case, solve_case

SHEET_ORDER = ["Settings", "Countries", "Goods", "Demand", "Production", "Recipes", "Imports",
               "Stockpiles", "Sharing", "Scenarios", "Disruptions"]


def write_case(path: str | Path, sheets: dict[str, list[dict]]) -> Path:
    """Write `sheets` (name → rows as dicts; Settings as {key: value}) to an .xlsx.

    The header of each sheet is the union of its rows' keys, in first-seen order.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name in sorted(sheets, key=lambda s: SHEET_ORDER.index(s) if s in SHEET_ORDER
                       else len(SHEET_ORDER)):
        rows = sheets[name]
        sheet = workbook.create_sheet(name)
        if name == "Settings" and isinstance(rows, dict):
            sheet.append(["key", "value"])
            for key, value in rows.items():
                sheet.append([key, value])
            continue
        header: list[str] = []
        for row in rows:
            header += [k for k in row if k not in header]
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(column) for column in header])
        for line in sheet.iter_rows():
            for cell in line:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # literal text, as a planner might paste it
    path = Path(path)
    workbook.save(path)
    return path


def load(path: str | Path) -> Case:
    case, _ = load_case(path, Timings())
    return case


def base_case() -> dict:
    """A small valid case: two allies, one supplier, one good, three periods."""
    return copy.deepcopy({
        "Settings": {"periods": 3},
        "Countries": [{"country": "A", "role": "ally"}, {"country": "B", "role": "ally"},
                      {"country": "S", "role": "supplier"}],
        "Goods": [{"good": "g", "unit": "t", "shortage_penalty": 100}],
        "Demand": [{"country": "A", "good": "g", "demand": 10},
                   {"country": "B", "good": "g", "demand": 5}],
        "Production": [{"country": "B", "good": "g", "capacity": 4, "unit_cost": 2}],
        "Imports": [{"origin": "S", "destination": "A", "good": "g", "volume": 10,
                     "unit_cost": 1},
                    {"origin": "S", "destination": "B", "good": "g", "volume": 2,
                     "unit_cost": 1}],
        "Stockpiles": [{"country": "A", "good": "g", "initial": 0, "min": 0, "max": 100,
                        "purchase_cost": 5, "holding_cost": 1}],
        "Sharing": [{"from": "B", "to": "A", "good": "*", "lead_periods": 1,
                     "unit_cost": 0.5, "capacity": 3}],
        "Scenarios": [{"scenario": "normal", "probability": 0.9, "description": "no cut"},
                      {"scenario": "cut", "probability": 0.1}],
        "Disruptions": [{"scenario": "cut", "kind": "export_cut", "country": "S",
                         "partner": "A", "good": "g", "start": 2, "end": 3, "factor": 0}],
    })


def solve_optimal(tmp_path: Path, sheets: dict, formulation: str, name: str = "case"):
    """Write `sheets`, load and solve them on `formulation`; the solve must be optimal."""
    solved = solve_case(load(write_case(tmp_path / f"{name}.xlsx", sheets)), Timings(),
                        formulation=formulation)
    assert solved.outcome.status == "optimal"
    return solved
