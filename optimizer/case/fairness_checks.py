"""Validation of the burden-sharing settings (Settings fairness, fairness_weight,
release_rule; `models.fairness`).

No rule can make the LP infeasible (every ally fully short, with nothing drawn, always
satisfies them), so the only error is a setting the rule cannot do without; the rest are
warnings, each naming the cell that explains a surprise:

- error: fairness = maxmin without a fairness_weight (the fairness cell);
- warning: a fairness_weight with another rule (ignored; its cell);
- warning: release_rule = proportional but no good has two stockpiles at allies with
  demand for it (the rule changes nothing; its cell);
- warning: under release_rule = proportional, a participant whose release_lag is longer
  than another's of the same good (the whole good's release waits for it), or whose
  max_draw is 0 (no participant of the good can ever release); the Stockpiles cell.
"""

from __future__ import annotations

from models.burden_sharing import release_shares
from models.data import Case
from optimizer.case.workbook_reader import RawSheet
from optimizer.errors import Problem


def _setting_cell(sheet: RawSheet, key: str) -> str:
    """The value cell of the Settings row `key` (blank if there is none)."""
    for row in sheet.rows:
        if str(row.values.get("key") or "").strip().lower() == key:
            return sheet.cell("value", row.number)
    return ""


def check_fairness_settings(sheet: RawSheet | None, values: dict[str, object],
                            problems: list[Problem]) -> None:
    """fairness = maxmin needs fairness_weight."""
    if sheet is None:
        return
    if values.get("fairness") == "maxmin" and values.get("fairness_weight") is None:
        problems.append(Problem(sheet.title, _setting_cell(sheet, "fairness"),
                                "fairness = maxmin needs fairness_weight (the yearly cost "
                                "of the largest fraction short, ≥ 0): add a Settings row "
                                "with key 'fairness_weight'"))


def fairness_warnings(sheets: dict[str, RawSheet], stock_rows: list, case: Case
                      ) -> list[Problem]:
    """The warnings listed above."""
    settings_sheet = sheets["settings"]
    settings = case.settings
    found = []
    if settings.fairness_weight is not None and settings.fairness != "maxmin":
        found.append(Problem(settings_sheet.title,
                             _setting_cell(settings_sheet, "fairness_weight"),
                             f"fairness_weight is used with fairness = maxmin only; with "
                             f"fairness = {settings.fairness} it is ignored",
                             is_error=False))
    if settings.release_rule != "proportional":
        return found
    demand = {k: d.demand for k, d in case.demand.items()}
    shares = release_shares(demand, case.stockpiles)
    if not shares:
        found.append(Problem(settings_sheet.title,
                             _setting_cell(settings_sheet, "release_rule"),
                             "release_rule = proportional changes nothing: no good has "
                             "stockpiles at two allies with demand for it", is_error=False))
        return found
    stocks = sheets["stockpiles"]
    for row in stock_rows:
        ally, good = row["country"], row["good"]
        if ally not in shares.get(good, {}):
            continue
        others = [case.stockpiles[a, good] for a in shares[good] if a != ally]
        shortest = min(other.release_lag for other in others)
        if row["release_lag"] > shortest:
            found.append(Problem(
                stocks.title, stocks.cell("release_lag", row.row.number),
                f"release_lag {row['release_lag']} under release_rule = proportional: "
                f"{good} is released by every participant together, so none releases "
                f"before {ally} can (another participant's lag is {shortest})",
                is_error=False))
        if row["max_draw"] == 0:
            found.append(Problem(
                stocks.title, stocks.cell("max_draw", row.row.number),
                f"max_draw 0 under release_rule = proportional: {ally} can release no "
                f"{good}, so no participant of {good}'s coordinated release can",
                is_error=False))
    return found
