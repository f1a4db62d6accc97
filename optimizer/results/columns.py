"""What each result column means: its label, its unit and how it is shown.

Result tables (`optimizer.results.tables`) have plain snake_case columns; the report
writes each as ``label (unit)`` with the number format of its unit, the JSON summary
uses the names themselves. ``currency`` in a unit stands for the case's currency.
"""

from __future__ import annotations

from dataclasses import dataclass

AMOUNT = "#,##0.00"
WHOLE = "#,##0"
PERCENT = "0.0%"
SECONDS = "#,##0.000"
GENERAL = "General"

FORMAT_OF_UNIT = {
    "units": AMOUNT, "units/period": AMOUNT, "currency": WHOLE, "currency/year": WHOLE,
    "currency/year per unit": AMOUNT, "currency/unit": AMOUNT, "days": WHOLE,
    "fraction": PERCENT, "periods": GENERAL, "seconds": SECONDS, "0–10,000": WHOLE,
    "": GENERAL,
}
"""Totals of money and days are shown whole (a billion needs no cents); quantities,
unit prices and marginal values keep two decimals."""


@dataclass(frozen=True)
class ColumnInfo:
    label: str
    unit: str = ""

    @property
    def number_format(self) -> str:
        return FORMAT_OF_UNIT[self.unit]

    def header(self, currency: str) -> str:
        """``label (unit)``; a fraction or a unitless column shows its label alone."""
        unit = self.unit.replace("currency", currency)
        return f"{self.label} ({unit})" if unit and unit != "fraction" else self.label


def _ids(*names: str) -> dict[str, ColumnInfo]:
    return {name: ColumnInfo(name.replace("_", " ")) for name in names}


COLUMNS: dict[str, ColumnInfo] = {
    **_ids("scenario", "country", "good", "unit", "description", "to", "from", "limit",
           "input"),
    "period": ColumnInfo("period"),
    "probability": ColumnInfo("probability"),
    # stockpiles
    "initial": ColumnInfo("initial", "units"),
    "min": ColumnInfo("min", "units"),
    "max": ColumnInfo("max", "units"),
    "level": ColumnInfo("level", "units"),
    "bought": ColumnInfo("bought", "units"),
    "purchase_outlay": ColumnInfo("one-time purchase", "currency"),
    "capital_cost": ColumnInfo("capital and loss charge", "currency/year"),
    "holding_cost": ColumnInfo("storage and insurance", "currency/year"),
    "yearly_cost": ColumnInfo("yearly cost", "currency/year"),
    "demand_per_period": ColumnInfo("demand", "units/period"),
    "days_of_cover": ColumnInfo("cover", "days"),
    "max_draw": ColumnInfo("release limit", "units/period"),
    "release_lag": ColumnInfo("release lag", "periods"),
    # spare capacity
    "capacity": ColumnInfo("capacity", "units/period"),
    "reserved": ColumnInfo("reserved spare", "units/period"),
    "spare_max": ColumnInfo("spare max", "units/period"),
    "ramp_periods": ColumnInfo("ramp-up from onset", "periods"),
    # the supply plan: every term of the balance
    "demand": ColumnInfo("demand", "units"),
    "produced": ColumnInfo("produced", "units"),
    "imported": ColumnInfo("imported", "units"),
    "drawn": ColumnInfo("drawn from stock", "units"),
    "received": ColumnInfo("received", "units"),
    "sent": ColumnInfo("sent", "units"),
    "exported": ColumnInfo("exported", "units"),
    "used_in_processing": ColumnInfo("used in processing", "units"),
    "short": ColumnInfo("short", "units"),
    "restrained": ColumnInfo("restrained", "units"),
    "fill_rate": ColumnInfo("fill rate", "fraction"),
    # shipments
    "period_sent": ColumnInfo("period sent"),
    "period_arriving": ColumnInfo("period arriving"),
    "units": ColumnInfo("quantity", "units"),
    "cost": ColumnInfo("cost", "currency"),
    # processing
    "ratio": ColumnInfo("input per unit made"),
    "input_used": ColumnInfo("input used", "units"),
    # scenario costs (per horizon)
    "production_cost": ColumnInfo("production", "currency"),
    "import_cost": ColumnInfo("imports", "currency"),
    "shipping_cost": ColumnInfo("shipping", "currency"),
    "refill_cost": ColumnInfo("refilling drawn stock", "currency"),
    "shortage_cost": ColumnInfo("shortage penalty", "currency"),
    "restraint_cost": ColumnInfo("demand restraint", "currency"),
    "total_cost": ColumnInfo("total", "currency"),
    # shadow prices
    "limit_value": ColumnInfo("limit value"),
    "value": ColumnInfo("value", "currency/year per unit"),
    # purchases by ally
    "stock_yearly_cost": ColumnInfo("stock", "currency/year"),
    "spare_yearly_cost": ColumnInfo("spare capacity", "currency/year"),
    "contract_yearly_cost": ColumnInfo("supply contracts", "currency/year"),
    # reserved supply contracts
    "origin": ColumnInfo("origin"),
    "destination": ColumnInfo("destination"),
    "volume": ColumnInfo("normal volume", "units/period"),
    "reserved_extra": ColumnInfo("reserved extra volume", "units/period"),
    "extra_max": ColumnInfo("extra max", "units/period"),
    "extra_cost": ColumnInfo("yearly cost per unit/period", "currency/year per unit"),
    # concentration (normal times)
    "supply": ColumnInfo("supply in normal times", "units/period"),
    "largest_origin": ColumnInfo("largest non-ally origin"),
    "largest_share": ColumnInfo("its share", "fraction"),
    "hhi": ColumnInfo("HHI", "0–10,000"),
    "largest_origin_before": ColumnInfo("largest non-ally origin, no new insurance"),
    "largest_share_before": ColumnInfo("its share, no new insurance", "fraction"),
    "hhi_before": ColumnInfo("HHI, no new insurance", "0–10,000"),
    "over_benchmark": ColumnInfo("above 65 %"),
    # shortage tiers
    "tier": ColumnInfo("tier"),
    "share": ColumnInfo("share of demand", "fraction"),
    "penalty": ColumnInfo("penalty", "currency/unit"),
    # demand restraint
    "restraint_share": ColumnInfo("restrainable share", "fraction"),
    "budget": ColumnInfo("budget", "currency/year"),
    "purchase_budget": ColumnInfo("purchase budget", "currency"),
    # shadow prices in a planner's words
    "meaning": ColumnInfo("what it means"),
    # sharing: load per scenario and link
    "first_period": ColumnInfo("first period used"),
    "peak_units": ColumnInfo("peak", "units/period"),
    # value of the plan, of cooperation, of planning for uncertainty
    "measure": ColumnInfo("measure"),
    "with_plan": ColumnInfo("with the plan", "units"),
    "without_plan": ColumnInfo("without new insurance", "units"),
    "difference": ColumnInfo("difference", "units"),
    "with_plan_scenario": ColumnInfo("worst scenario with the plan"),
    "without_plan_scenario": ColumnInfo("worst scenario without new insurance"),
    "cost_with_plan": ColumnInfo("with the plan", "currency/year"),
    "cost_without_plan": ColumnInfo("without new insurance", "currency/year"),
    "cost_difference": ColumnInfo("difference", "currency/year"),
    "together": ColumnInfo("together", "units"),
    "alone": ColumnInfo("alone", "units"),
    "cost_together": ColumnInfo("expected cost together", "currency/year"),
    "cost_alone": ColumnInfo("expected cost alone", "currency/year"),
    "saving": ColumnInfo("saving from sharing", "currency/year"),
    "wait_and_see": ColumnInfo("wait-and-see cost", "currency/year"),
    "here_and_now_level": ColumnInfo("level, here-and-now plan", "units"),
    "expected_value_level": ColumnInfo("level, average-scenario plan", "units"),
    "figure": ColumnInfo("figure"),
    "kind": ColumnInfo("kind"),
    "amount": ColumnInfo("amount", "currency/year"),
    # the run
    "solve": ColumnInfo("solve"),
    "status": ColumnInfo("status"),
    "seconds": ColumnInfo("time", "seconds"),
    "objective": ColumnInfo("objective", "currency/year"),
}


def column(name: str) -> ColumnInfo:
    """The metadata of a result column; a column without any is a bug."""
    return COLUMNS[name]
