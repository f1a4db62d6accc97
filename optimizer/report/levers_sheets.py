"""The decision workbook's sheets for the supply- and demand-side levers, each written
only when the case uses the lever: Restraint (demand restrained per scenario, ally and
good), Supply contracts (the extra volume reserved on each route with the option) and
Shortage tiers (units short in each tier of the penalty); and, for every case, the
Concentration sheet (supplier concentration in normal times, with and without the plan).

`write_lever_sheets` and `write_concentration_sheet` are each called once by
`optimizer.report.decision.DecisionWriter`."""

from __future__ import annotations

from optimizer.results.concentration import BENCHMARK
from optimizer.results.supply_levers import (
    concentration,
    has_contracts,
    has_restraint,
    restraint_table,
)


def write_lever_sheets(writer) -> None:
    """Add the lever sheets the case needs to `writer` (a `DecisionWriter`)."""
    case, results = writer.case, writer.results
    c = writer.currency
    if has_restraint(case):
        writer.table_sheet(
            "Restraint", "Demand restraint",
            f"Demand cut by policy instead of left short, per scenario, ally and good: "
            f"units over the horizon and the restraint's cost ({c}); restrained and short "
            "together are at most the demand.", restraint_table(case, results))
    if has_contracts(case):
        writer.table_sheet(
            "Supply contracts", "Reserved supply contracts",
            f"Extra volume to reserve now on each import route with a contract option "
            f"(units per {case.settings.period_unit}, paid every year, {c}/year): the "
            "route then carries up to its factor × (volume + reserved) in every scenario.",
            results.contracts)
    if case.tiers:
        writer.table_sheet(
            "Shortage tiers", "Tiered shortage penalties",
            "Units short in each tier of the penalty, per scenario, ally and good, over the "
            "horizon: the first units short cost the cheapest tier's penalty, up to its "
            "share of demand; what is short beyond the tiers costs the base penalty.",
            results.shortage_tiers)


def write_concentration_sheet(writer) -> None:
    """The Concentration sheet: every ally and good's supply in normal times, its largest
    non-ally origin's share and the HHI, with the plan and with no new insurance."""
    extras = writer.run.extras
    table = concentration(writer.results, extras.plan if extras else None)
    sentence = (
        f"Supply of each ally and good in normal times (the scenarios without disruption "
        f"rows), the largest single non-ally origin's share of it and the "
        f"Herfindahl–Hirschman index (10,000: one source), with the plan and with no new "
        f"insurance; shares above {BENCHMARK:.0%} (the EU Critical Raw Materials Act "
        f"benchmark) are flagged.")
    if table.empty:
        sentence += " The case has no normal-times scenario, so nothing is shown."
    elif extras is None or extras.plan is None:
        sentence += " Without the extra solves the columns without new insurance are blank."
    writer.table_sheet("Concentration", "Supplier concentration", sentence, table)
