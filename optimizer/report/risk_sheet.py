"""The decision workbook's Risk sheet: the plan's cost under each objective beside the
expected-cost plan's, where VaR_α and CVaR_α sit, and the distribution of the scenario
costs as a table and a native chart (the costs sorted, against their cumulative
probability: the quantile curve, with VaR_α and CVaR_α marked at α).

`optimizer.results.risk` computes every figure; this module only lays them out, with
the decision workbook's own helpers (`optimizer.report.decision.DecisionWriter`).
"""

from __future__ import annotations

import pandas as pd

from optimizer.results.columns import PERCENT, WHOLE
from optimizer.results.risk import RiskProfile

SHEET = "Risk"
CHART_COLUMN = 7


def write_risk_sheet(writer, profile: RiskProfile) -> None:
    """Add the Risk sheet to the workbook `writer` is writing."""
    c = writer.currency
    money = f"{c}/year"
    comparison = profile.comparison()
    sheet = writer.table_sheet(
        SHEET, "Risk: the distribution of scenario costs", profile.meaning(c), comparison,
        headers={"measure": "measure", "this_plan": f"this plan ({money})",
                 "expected_cost_plan": f"expected-cost plan ({money})",
                 "cost_difference": f"difference ({money})"},
        formats={"this_plan": WHOLE, "expected_cost_plan": WHOLE, "cost_difference": WHOLE},
        wrap=("measure",))
    top = sheet.headers[-1][0] + len(comparison) + 4
    figures = pd.DataFrame({
        "figure": [f"VaR at α = {profile.alpha:g}", f"CVaR at α = {profile.alpha:g}",
                   "expected scenario cost", f"worst scenario ({profile.worst_scenario})"],
        "level": [profile.alpha, profile.alpha, None, 1.0],
        "amount": [profile.var, profile.cvar, profile.expected_scenario_cost,
                   profile.worst_scenario_cost]})
    sheet.text(top - 1, 0, f"Where VaR and CVaR sit (k × scenario cost, {money})", bold=True)
    key = writer.table(sheet, top, 0, figures, headers={
        "figure": "figure", "level": "cumulative probability", "amount": f"amount ({money})"},
        formats={"level": PERCENT, "amount": WHOLE}, name="Risk measures")
    top = key[2] + 4
    sheet.text(top - 1, 0, "Scenario costs, lowest first, with their cumulative probability",
               bold=True)
    spread = writer.table(sheet, top, 0, profile.distribution, headers={
        "scenario": "scenario", "probability": "probability",
        "annual_cost": f"scenario cost × k ({money})",
        "cumulative_probability": "cumulative probability",
        "in_tail": "in the worst 1 − α"},
        formats={"probability": PERCENT, "annual_cost": WHOLE,
                 "cumulative_probability": PERCENT}, name="Risk distribution")
    chart = writer.book.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
    first, last = spread[0] + 1, spread[2]
    chart.add_series({"name": "scenario cost",
                      "categories": [SHEET, first, 3, last, 3],
                      "values": [SHEET, first, 2, last, 2],
                      "marker": {"type": "circle", "size": 5}})
    for k, label in enumerate(("VaR", "CVaR")):
        row = key[0] + 1 + k
        chart.add_series({"name": [SHEET, row, 0], "categories": [SHEET, row, 1, row, 1],
                          "values": [SHEET, row, 2, row, 2], "line": {"none": True},
                          "marker": {"type": "diamond" if label == "VaR" else "square",
                                     "size": 9}})
    chart.set_title({"name": "Scenario costs against their cumulative probability",
                     "name_font": {"size": 12}})
    chart.set_x_axis({"name": "cumulative probability", "num_format": "0%", "min": 0,
                      "max": 1})
    chart.set_y_axis({"name": f"scenario cost × k ({money})", "num_format": "#,##0",
                      "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 620, "height": 360})
    sheet.ws.insert_chart(sheet.headers[0][0], CHART_COLUMN, chart, {"x_offset": 10, "y_offset": 5})
