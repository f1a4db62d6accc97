"""What each result column means: its label, its unit and how it is shown.

Result tables (`optimizer.results.tables`) have plain snake_case columns; the report
writes each as ``label (unit)`` with the number format of its unit, the JSON summary
uses the names themselves. ``currency`` in a unit stands for the case's currency.
"""

from __future__ import annotations

from dataclasses import dataclass

AMOUNT = "#,##0.00"
PERCENT = "0.0%"
GENERAL = "General"

FORMAT_OF_UNIT = {
    "units": AMOUNT, "units/period": AMOUNT, "currency": AMOUNT, "currency/year": AMOUNT,
    "currency/year per unit": AMOUNT, "currency/unit": AMOUNT, "days": AMOUNT,
    "fraction": PERCENT, "periods": GENERAL, "": GENERAL,
}


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
    "total_cost": ColumnInfo("total", "currency"),
    # shadow prices
    "limit_value": ColumnInfo("limit value"),
    "value": ColumnInfo("value", "currency/year per unit"),
    # purchases by ally
    "stock_yearly_cost": ColumnInfo("stock", "currency/year"),
    "spare_yearly_cost": ColumnInfo("spare capacity", "currency/year"),
    "budget": ColumnInfo("budget", "currency/year"),
}


def column(name: str) -> ColumnInfo:
    """The metadata of a result column; a column without any is a bug."""
    return COLUMNS[name]
