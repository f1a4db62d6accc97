"""The decision workbook's Fairness sheet, written when the case sets a burden-sharing
rule (Settings fairness, release_rule): the rules, the price of fairness (the fair plan's
expected annual cost against the least-cost plan without the rules) and, per ally and
good, the fill rates of both plans (`optimizer.results.fairness`)."""

from __future__ import annotations

import pandas as pd

from optimizer.results.columns import AMOUNT, GENERAL, PERCENT
from optimizer.results.extras import Extras
from optimizer.results.fairness import ally_fill_rates, fairness_term, is_fair

FILL_HEADERS = {
    "country": "ally", "good": "good", "unit": "unit",
    "expected_fill_rate": "expected fill rate",
    "worst_fill_rate": "worst scenario's fill rate",
    "worst_scenario": "worst scenario",
    "lowest_period_fill_rate": "lowest fill rate in one period",
    "expected_fill_rate_unconstrained": "expected fill rate without the rules",
    "worst_fill_rate_unconstrained": "worst scenario's fill rate without the rules",
    "worst_scenario_unconstrained": "worst scenario without the rules",
}


def write_fairness_sheet(writer, extras: Extras | None) -> None:
    """The Fairness sheet on `writer` (a `DecisionWriter`), if the case has a rule."""
    case, results = writer.case, writer.results
    if not is_fair(case):
        return
    c = writer.currency
    settings = case.settings
    price = extras.fairness if extras else None
    rows: list[tuple[str, object]] = [
        ("fairness", settings.fairness),
        ("fairness weight", settings.fairness_weight if settings.fairness == "maxmin"
         else "—"),
        ("release rule", settings.release_rule),
        (f"fairness term in the objective (maxmin; {c}/year)", fairness_term(case, results)),
    ]
    if price is not None:
        rows += [(f"yearly cost of the fair plan, the case's objective ({c}/year)",
                  price.cost_fair),
                 (f"yearly cost without the rules ({c}/year)",
                  price.cost_unconstrained),
                 (f"price of fairness ({c}/year)", price.price)]
        sentence = price.meaning(c)
    else:
        sentence = ("The price of fairness was not computed (--no-extras, or its re-solve "
                    "did not reach optimality).")
    frame = pd.DataFrame(rows, columns=["figure", "value"], dtype=object)
    sheet = writer.table_sheet("Fairness", "Fair burden sharing", sentence, frame,
                               headers={"figure": "figure", "value": "value"},
                               formats={"value": AMOUNT})
    fill = ally_fill_rates(case, results, price)
    top = 3 + len(frame) + 3
    sheet.text(top - 1, 0, "Fill rates per ally and good (share of demand met over the "
               "horizon)", bold=True)
    writer.table(sheet, top, 0, fill, headers={k: FILL_HEADERS[k] for k in fill.columns},
                 formats={k: PERCENT if "fill_rate" in k else GENERAL for k in fill.columns},
                 name="Fairness fill rates")


def summary_cost_rows(case, results, money) -> list[tuple[str, float, object, bool]]:
    """The Summary's cost line for the maxmin fairness term (none for other rules), so
    that the lines under the expected annual cost add up to it."""
    if case.settings.fairness != "maxmin":
        return []
    return [("  fairness term (maxmin: weight × largest fraction short)",
             fairness_term(case, results), money, False)]


def summary_value_rows(case, extras: Extras | None) -> list[tuple[str, str, float | None]]:
    """The Summary's price-of-fairness line (label, sheet, figure), with a rule only."""
    if not is_fair(case):
        return []
    price = extras.fairness if extras else None
    return [("Price of fairness: the fair plan's cost above the least-cost one", "Fairness",
             price.price if price else None)]
