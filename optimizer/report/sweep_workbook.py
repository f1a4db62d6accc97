"""The sweep workbook and JSON list (XlsxWriter; both written atomically). Every figure
is read from the sweep's points as the JSON list holds them
(`optimizer.analyses.sweep.SweepPoint.as_json`), so the two always agree.

Sheets: Points (one row per value of the lever: status, expected annual cost, insurance
cost, expected disruption cost, expected shortfall, the marginal value of the lever where
it is a limit, time, whether the point rebuilt the LP, then every stock and spare-capacity
level), Charts (the frontiers: the lever against the expected shortfall, and against the
expected annual cost split into insurance and disruption), About (the case, the lever
and what it means).
"""

from __future__ import annotations

import json
from pathlib import Path

from optimizer.files import write_atomically
from optimizer.report.plain_book import finish_chart, open_book, write_cell, write_table

POINT_COLUMNS = [  # (header, key, kind); the value's header is the lever's label
    ("status", "status", "text"),
    ("expected annual cost (per year)", "objective", "money"),
    ("insurance cost: stock and spare capacity (per year)", "stage_one_cost", "money"),
    ("expected disruption and supply cost (per year)", "expected_scenario_cost", "money"),
    ("expected shortfall (units over the horizon, all goods)", "expected_shortfall",
     "quantity"),
    ("marginal value (per year, per unit of the lever)", "marginal_value", "quantity"),
    ("time (s)", "seconds", "quantity"),
    ("rebuilt the LP", "rebuilt", "text"),
]


def write_sweep_json(path: str | Path, points: list[dict]) -> Path:
    text = json.dumps(points, indent=2, default=float) + "\n"
    return write_atomically(path, lambda temporary: temporary.write_text(text,
                                                                         encoding="utf-8"))


def write_sweep_workbook(path: str | Path, points: list[dict], about: dict) -> Path:
    """`points`: the JSON list; `about`: case, lever, label (the value's header),
    meaning, currency and any other (name, value) to list on the About sheet."""
    return write_atomically(path, lambda temporary: _write(temporary, points, about))


def _levels(points: list[dict], key: str) -> list[tuple[str, str]]:
    """Every (ally, good) with a level in any point, in first-seen order."""
    found: dict[tuple[str, str], None] = {}
    for point in points:
        for entry in point[key]:
            found[entry["country"], entry["good"]] = None
    return list(found)


def _write(path: Path, points: list[dict], about: dict) -> None:
    book, formats = open_book(path)
    try:
        book.set_properties({"title": f"Sweep of {about['label']}: {about['case']}",
                             "subject": "One lever, many values", "author": "stockpile"})
        table = book.add_worksheet("Points")
        charts = book.add_worksheet("Charts")
        info = book.add_worksheet("About")
        stocks, spares = _levels(points, "stockpile"), _levels(points, "spare_capacity")
        columns = ([(about["label"], "value")] + [(h, k) for h, _, k in POINT_COLUMNS]
                   + [(f"stock {a} {g} (units)", "quantity") for a, g in stocks]
                   + [(f"spare {a} {g} (units/period)", "quantity") for a, g in spares])
        rows = []
        for point in points:
            stock = {(s["country"], s["good"]): s["level"] for s in point["stockpile"]}
            spare = {(s["country"], s["good"]): s["level"] for s in point["spare_capacity"]}
            rows.append([point["value"]]
                        + [("yes" if point[key] else "no") if key == "rebuilt" else point[key]
                           for _, key, _ in POINT_COLUMNS]
                        + [stock.get(k) for k in stocks] + [spare.get(k) for k in spares])
        write_table(table, formats, f"Sweep of {about['label']}",
               f"{about['meaning']}. One row per value, each solved to its own optimum "
               f"({about['currency']}; empty where a point has no plan).", columns, rows,
               "Points")
        if rows:
            table.conditional_format(4, 1, 3 + len(rows), 1, {
                "type": "cell", "criteria": "!=", "value": '"optimal"',
                "format": formats["failed"]})
        _charts(book, charts, formats, points, about, len(rows))
        info.write_string(0, 0, "About this sweep", formats["title"])
        for i, (name, value) in enumerate(about.items(), start=2):
            info.write_string(i, 0, name)
            write_cell(info, i, 1, value, "text" if isinstance(value, str) else "quantity",
                  formats)
        info.set_column(0, 0, 24)
        info.set_column(1, 1, 90)
    finally:
        book.close()


def _charts(book, sheet, formats: dict, points: list[dict], about: dict, count: int) -> None:
    """Scatter charts drawn from the Points table's columns (rows 5 to 4 + count)."""
    sheet.write_string(0, 0, "Frontiers", formats["title"])
    if not any(p["objective"] is not None for p in points):
        sheet.write_string(1, 0, "No point has a plan to chart.")
        return
    sheet.write_string(1, 0, f"Each point is the optimal plan for one value of "
                             f"{about['label']}: what it costs and what stays short.")
    first, last = 4, 3 + count
    x = ["Points", first, 0, last, 0]
    unit = about["currency"]
    column = {key: j for j, (_, key, _) in enumerate(POINT_COLUMNS, start=1)}

    shortfall = book.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
    shortfall.add_series({"name": "expected shortfall", "categories": x,
                          "values": ["Points", first, column["expected_shortfall"], last,
                                     column["expected_shortfall"]]})
    finish_chart(shortfall, f"Expected shortfall against {about['label']}", about["label"],
            "units over the horizon")
    shortfall.set_legend({"none": True})
    sheet.insert_chart(3, 0, shortfall)

    cost = book.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
    for key, name in (("objective", "expected annual cost"),
                      ("stage_one_cost", "insurance"),
                      ("expected_scenario_cost", "expected disruption and supply cost")):
        cost.add_series({"name": name, "categories": x,
                         "values": ["Points", first, column[key], last, column[key]]})
    finish_chart(cost, f"Cost against {about['label']}", about["label"], f"{unit} per year")
    sheet.insert_chart(3, 10, cost)
