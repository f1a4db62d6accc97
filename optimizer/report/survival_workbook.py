"""The survival-times workbook (`stockpile survive`), written with the decision
workbook's helpers (`optimizer.report.decision`: Excel tables with units in their
headers, number formats, frozen headers, fitted widths, landscape print setup one page
wide with the header repeated, quote-prefixed formula-like text, no formulas).

Sheets: Summary (what was computed, the definitions, the costliest knockouts, links),
Ranking (every knockout by its shortage cost with the plan, with and without it),
Time to survive (knockout × ally × good), Stage one (the plan tested and no new
insurance), Charts (native Excel charts: the shortage cost of each knockout and the
network's time to survive with and without the plan, and each ally's time to survive
under the costliest knockout), Chart data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter

from models.data import Case
from optimizer.files import write_atomically
from optimizer.report.decision import (
    ACCENT,
    HEADER_ROW,
    DecisionWriter,
    Formats,
    Sheet,
)
from optimizer.results.columns import AMOUNT, WHOLE

TITLE = "Survival times"
TOP_SHOWN = 5
"""Knockouts listed on the Summary, the costliest first."""
PERIODS = "0"


def write_survival_workbook(path: str | Path, case: Case, ranking: pd.DataFrame,
                            times: pd.DataFrame, stage_one: pd.DataFrame,
                            definitions: dict[str, str], run: dict) -> Path:
    """Write the workbook atomically. `ranking`, `times` and `stage_one` are the tables
    of `optimizer.analyses.survival.Survival`; `run` has objective, solves, seconds,
    tool_version and periods."""
    return write_atomically(path, lambda temporary: SurvivalWriter(
        temporary, case, ranking, times, stage_one, definitions, run).write())


class SurvivalWriter(DecisionWriter):
    """The decision workbook's table, sheet and chart helpers, on a workbook of its own
    (none of the decision workbook's result tables is needed, so its `__init__` is not
    called)."""

    def __init__(self, path: Path, case: Case, ranking: pd.DataFrame, times: pd.DataFrame,
                 stage_one: pd.DataFrame, definitions: dict[str, str], run: dict):
        self.case, self.currency = case, case.settings.currency
        self.book = xlsxwriter.Workbook(str(path), {
            "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "nan_inf_to_errors": False})
        self.formats = Formats(self.book)
        self.footer = f"{case.name}: survival times"
        self.table_names: set[str] = set()
        self.sheets: list[Sheet] = []
        self.sheet_notes: list[tuple[str, str]] = []
        self.ranking, self.times, self.stage_one = ranking, times, stage_one
        self.definitions, self.facts = definitions, run
        settings = case.settings
        self.periods = f"{settings.period_unit}s"
        self.money = f"{self.currency} per horizon"

    def write(self) -> None:
        summary = Sheet(self, "Summary")
        charts = Sheet(self, "Charts")
        self.sheet_notes.append(("Charts", "the knockouts in pictures"))
        c, p = self.money, self.periods
        ranking = self.table_sheet(
            "Ranking", "Knockouts ranked by shortage cost",
            f"Every knockout lasting the whole horizon ({self.facts['periods']} {p}), the "
            "costliest with the plan first: the penalty-priced shortfall and the whole cost "
            f"of the least-cost response ({c}, not scaled to a year), and the periods in "
            "which every ally's demand is met in full.", self.ranking,
            headers={
                "knockout": "knockout", "kind": "kind", "country": "country", "good": "good",
                "shortage_cost_with_plan": f"shortage cost with the plan ({c})",
                "shortage_cost_without_plan": f"shortage cost without new insurance ({c})",
                "scenario_cost_with_plan": f"whole cost with the plan ({c})",
                "scenario_cost_without_plan": f"whole cost without new insurance ({c})",
                "network_tts_with_plan": f"network time to survive with the plan ({p})",
                "network_tts_without_plan": f"network time to survive without new "
                                            f"insurance ({p})",
                "rank_with_plan": "rank with the plan",
                "rank_without_plan": "rank without new insurance"},
            formats={"shortage_cost_with_plan": WHOLE, "shortage_cost_without_plan": WHOLE,
                     "scenario_cost_with_plan": WHOLE, "scenario_cost_without_plan": WHOLE,
                     "network_tts_with_plan": PERIODS, "network_tts_without_plan": PERIODS,
                     "rank_with_plan": PERIODS, "rank_without_plan": PERIODS})
        self.table_sheet(
            "Time to survive", "Time to survive, per knockout, ally and good",
            f"The periods from the knockout in which the ally's demand for the good can be "
            f"met in full with the alliance giving it priority ({self.facts['periods']}: "
            "the whole horizon), with the plan and without new insurance; and the units "
            "short over the horizon in the least-cost response.", self.times,
            headers={"knockout": "knockout", "ally": "ally", "good": "good", "unit": "unit",
                     "demand": "demand (units/period)",
                     "tts_with_plan": f"time to survive with the plan ({p})",
                     "tts_without_plan": f"time to survive without new insurance ({p})",
                     "tts_gain": f"periods the plan adds ({p})",
                     "short_with_plan": "short with the plan (units over the horizon)",
                     "short_without_plan": "short without new insurance (units over the "
                                           "horizon)"},
            formats={"demand": AMOUNT, "tts_with_plan": PERIODS, "tts_without_plan": PERIODS,
                     "tts_gain": PERIODS, "short_with_plan": AMOUNT,
                     "short_without_plan": AMOUNT})
        self.table_sheet(
            "Stage one", "The two stage ones tested",
            "Stock (units) and spare capacity (units per period) of the case's optimal plan, "
            "and with no new insurance (stock at its initial level clipped to [min, max], "
            "no spare capacity); each is fixed while the knockouts are solved.",
            self.stage_one,
            headers={"kind": "kind", "country": "ally", "good": "good", "unit": "unit",
                     "with_plan": "with the plan", "without_plan": "without new insurance"},
            formats={"with_plan": AMOUNT, "without_plan": AMOUNT})
        chart_data = Sheet(self, "Chart data")
        self.sheet_notes.append(("Chart data", "the figures the third chart draws"))
        self._charts(charts, ranking, chart_data)
        self._summary(summary)
        for sheet in self.sheets:
            if sheet.name not in ("Summary", "Charts"):
                sheet.finish()
        summary.ws.activate()
        self.book.set_properties({
            "title": f"{TITLE}: {self.case.name}",
            "subject": "Time to survive and shortage cost of supplier and production "
                       "knockouts, with and without the plan",
            "author": "stockpile optimizer", "category": "survival times",
            "keywords": "time to survive, knockout, stockpile, Simchi-Levi"})
        self.book.close()

    def _charts(self, charts: Sheet, ranking: Sheet, data: Sheet) -> None:
        charts.heading("Charts", "Native Excel charts, editable, drawn from the Ranking "
                                 "table and from 'Chart data'.")
        charts.print_setup()
        data.heading("Chart data", "The figures the third chart draws, as values.")
        data.print_setup()
        count = len(self.ranking)
        placed = []
        if count:
            first, last = HEADER_ROW + 1, HEADER_ROW + count
            label = self.ranking.columns.get_loc("knockout")

            def series(column: str, name: str) -> dict:
                j = self.ranking.columns.get_loc(column)
                return {"name": name, "categories": ["Ranking", first, label, last, label],
                        "values": ["Ranking", first, j, last, j]}

            cost = self.book.add_chart({"type": "bar"})
            cost.add_series(series("shortage_cost_with_plan", "with the plan"))
            cost.add_series(series("shortage_cost_without_plan", "without new insurance"))
            self._finish(cost, "Shortage cost of a knockout lasting the horizon", self.money,
                         "knockout")
            cost.set_x_axis({"name": self.money, "num_format": "#,##0",
                             "major_gridlines": {"visible": True}})
            cost.set_y_axis({"name": "knockout", "reverse": True})
            placed.append(cost)
            network = self.book.add_chart({"type": "bar"})
            network.add_series(series("network_tts_with_plan", "with the plan"))
            network.add_series(series("network_tts_without_plan", "without new insurance"))
            self._finish(network, "Network time to survive (all demand met in full)",
                         self.periods, "knockout")
            network.set_x_axis({"name": self.periods, "min": 0,
                                "max": self.facts["periods"],
                                "major_gridlines": {"visible": True}})
            network.set_y_axis({"name": "knockout", "reverse": True})
            placed.append(network)
            worst = str(self.ranking["knockout"].iloc[0])
            rows = self.times.loc[self.times["knockout"] == worst]
            frame = pd.DataFrame({
                "ally_good": (rows["ally"] + ", " + rows["good"]).tolist(),
                "tts_with_plan": rows["tts_with_plan"].tolist(),
                "tts_without_plan": rows["tts_without_plan"].tolist()})
            data.text(HEADER_ROW - 1, 0, f"Time to survive under {worst} ({self.periods})",
                      bold=True)
            area = self.table(data, HEADER_ROW, 0, frame, headers={
                "ally_good": "ally, good",
                "tts_with_plan": f"with the plan ({self.periods})",
                "tts_without_plan": f"without new insurance ({self.periods})"},
                formats={"tts_with_plan": PERIODS, "tts_without_plan": PERIODS},
                name="Chart time to survive")
            if len(frame):
                chart = self.book.add_chart({"type": "column"})
                chart.add_series(self._series(data, area, 1))
                chart.add_series(self._series(data, area, 2))
                self._finish(chart, f"Time to survive under the costliest knockout: {worst}",
                             "ally, good", self.periods)
                chart.set_y_axis({"name": self.periods, "min": 0,
                                  "max": self.facts["periods"],
                                  "major_gridlines": {"visible": True}})
                placed.append(chart)
        else:
            charts.text(HEADER_ROW, 0, "No knockout to chart: the case has no supplier and "
                                       "no production that reaches demand.", italic=True)
        height = max(330, 22 * count + 120)
        for k, chart in enumerate(placed):
            chart.set_size({"width": 620, "height": height})
            charts.ws.insert_chart(HEADER_ROW + 1 + (k // 2) * (height // 20 + 2),
                                   (k % 2) * 9, chart, {"x_offset": 5, "y_offset": 5})
        charts.ws.set_column(0, 17, 9.3)
        charts.ws.hide_gridlines(2)

    def _summary(self, sheet: Sheet) -> None:
        facts, ws = self.facts, sheet.ws
        sheet.text(0, 0, f"{TITLE}: {self.case.name}", bold=True, font_size=16,
                   font_color=ACCENT)
        sheet.text(1, 0, f"stockpile {facts['tool_version']} · {facts['solves']:,} linear "
                         f"programs solved by HiGHS in {facts['seconds']:.1f} s · the "
                         f"plan's expected annual cost {facts['objective']:,.0f} "
                         f"{self.currency}/year", italic=True, font_color="#595959")
        section = {"bold": True, "font_color": "white", "bg_color": ACCENT}
        row = 3
        sheet.text(row, 0, "The costliest knockouts (lasting the whole horizon)", **section)
        labels = ("with the plan", "without new insurance", "network time to survive "
                  f"with / without ({self.periods})")
        for j, label in enumerate(labels, start=1):
            sheet.text(row, j, label, text_wrap=True, **section)
        ws.set_row(row, 47)
        row += 1
        money = self.formats.number(WHOLE)
        for r in self.ranking.head(TOP_SHOWN).itertuples(index=False):
            sheet.text(row, 0, r.knockout)
            ws.write_number(row, 1, r.shortage_cost_with_plan, money)
            ws.write_number(row, 2, r.shortage_cost_without_plan, money)
            sheet.text(row, 3, f"{r.network_tts_with_plan} / {r.network_tts_without_plan}")
            row += 1
        if self.ranking.empty:
            sheet.text(row, 0, "none: no supplier and no production reaches demand",
                       italic=True)
            row += 1
        sheet.text(row, 0, f"shortage cost in {self.money}; every knockout on 'Ranking'",
                   italic=True)
        row += 2
        sheet.text(row, 0, "What the figures mean", **section)
        for j in range(1, 4):
            ws.write_blank(row, j, None, self.formats.get(**section))
        row += 1
        for term, meaning in self.definitions.items():
            sheet.text(row, 0, term.replace("_", " "), bold=True, valign="top")
            ws.merge_range(row, 1, row, 3, "", self.formats.get(text_wrap=True, valign="top"))
            sheet.text(row, 1, meaning, text_wrap=True, valign="top")
            ws.set_row(row, 15 * max(1, -(-len(meaning) // 75)) + 2)
            row += 1
        row += 1
        sheet.text(row, 0, "Every sheet of this workbook", **section)
        for j in range(1, 4):
            ws.write_blank(row, j, None, self.formats.get(**section))
        row += 1
        for k, (name, _) in enumerate(self.sheet_notes):
            sheet.link(row + k // 4, k % 4, name, name)
        ws.set_column(0, 0, 40)
        ws.set_column(1, 3, 26)
        ws.hide_gridlines(2)
        sheet.print_setup(tall=1)

