"""Validation of the input workbook: every rule of the case format (MODEL.md, "Input
workbook") broken once in an otherwise valid case must end in `InputError` with a problem
that names the exact sheet and cell and states the rule; the command line must turn that
into exit code 2 with the cell on stderr, no traceback and no report.

Each case starts from `casebuilder.base_case()` and breaks one cell (a few rules need a
second cell to set the scene, e.g. a disruption kind before its factor). Cell letters
follow from `write_case`: the header is the union of the rows' keys in first-seen order,
so a column a mutation adds lands after the base case's columns.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Callable

import pytest
from casebuilder import base_case, write_case

from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.pipeline import Timings, load_case

KNOWN_SETTINGS = ("periods", "period_unit", "period_days", "currency", "capital_rate",
                  "periods_per_year", "alliance_budget", "alliance_purchase_budget")

Mutation = Callable[[dict], None]


# --- mutations ---------------------------------------------------------------------------


def put(sheet: str, index: int, column: str, value: object) -> Mutation:
    """Set one cell: row `index` (0-based, Excel row index + 2) of `sheet`."""

    def mutate(case: dict) -> None:
        case[sheet][index][column] = value

    return mutate


def setting(key: str, value: object) -> Mutation:
    def mutate(case: dict) -> None:
        case["Settings"][key] = value

    return mutate


def drop_setting(key: str) -> Mutation:
    def mutate(case: dict) -> None:
        del case["Settings"][key]

    return mutate


def drop_sheet(sheet: str) -> Mutation:
    def mutate(case: dict) -> None:
        del case[sheet]

    return mutate


def drop_column(sheet: str, column: str) -> Mutation:
    def mutate(case: dict) -> None:
        if sheet == "Settings":  # as rows: the other column stays
            case[sheet] = [{k: v for k, v in {"key": key, "value": value}.items()
                            if k != column} for key, value in case[sheet].items()]
            return
        for row in case[sheet]:
            row.pop(column, None)

    return mutate


def repeat_row(sheet: str, index: int = 0) -> Mutation:
    """Append a copy of row `index`: a duplicate key."""

    def mutate(case: dict) -> None:
        if sheet == "Settings":
            rows = [{"key": k, "value": v} for k, v in case[sheet].items()]
            case[sheet] = rows + [dict(rows[index])]
            return
        case[sheet].append(dict(case[sheet][index]))

    return mutate


def append_row(sheet: str, row: dict) -> Mutation:
    def mutate(case: dict) -> None:
        case[sheet].append(dict(row))

    return mutate


def disruption(**cells: object) -> Mutation:
    """Overwrite cells of the only Disruptions row (its columns keep their letters:
    scenario A, kind B, country C, partner D, good E, start F, end G, factor H)."""

    def mutate(case: dict) -> None:
        case["Disruptions"][0].update(cells)

    return mutate


def recipes(*rows: tuple[str, str, str, object], goods: tuple[str, ...] = ("ore", "mag")
            ) -> Mutation:
    """Add goods `goods` and a Recipes sheet of (country, good, input, ratio) rows
    (columns: country A, good B, input C, ratio D; row 2 first)."""

    def mutate(case: dict) -> None:
        case["Goods"] += [{"good": g, "unit": "t", "shortage_penalty": 10} for g in goods]
        case["Recipes"] = [{"country": c, "good": g, "input": i, "ratio": r}
                           for c, g, i, r in rows]

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(case: dict) -> None:
        for m in mutations:
            m(case)

    return mutate


# --- helpers -----------------------------------------------------------------------------


def problems_of(tmp_path, case: dict) -> list:
    path = write_case(tmp_path / "case.xlsx", case)
    with pytest.raises(InputError) as info:
        load_case(path, Timings())
    return info.value.problems


def mutated(mutation: Mutation) -> dict:
    case = base_case()
    mutation(case)
    return case


def assert_reported(problems: list, sheet: str, cell: str, fragments: tuple[str, ...]):
    listing = "\n".join(f"  {p.sheet}!{p.cell}: {p.message}" for p in problems)
    at_place = [p for p in problems if p.sheet == sheet and p.cell == cell]
    assert at_place, f"no problem at {sheet}!{cell}; problems were:\n{listing}"
    matching = [p for p in at_place if all(f in p.message for f in fragments)]
    assert matching, (f"no problem at {sheet}!{cell} says {fragments!r}; problems "
                      f"were:\n{listing}")
    assert all(p.is_error for p in matching)


def rule(description: str, mutation: Mutation, sheet: str, cell: str, *fragments: str):
    return pytest.param(description, mutation, sheet, cell, fragments, id=description)


NUMBER_GE_0 = "must be a number ≥ 0"
WHOLE_GE_0 = "must be a whole number ≥ 0"

# (description, mutation, expected sheet, expected cell, expected message fragments)
RULES = [
    # --- sheets and columns --------------------------------------------------------------
    *[rule(f"missing sheet {s}", drop_sheet(s), s, "", "required sheet is missing")
      for s in ("Settings", "Countries", "Goods", "Demand", "Scenarios")],
    *[rule(f"missing column {s}.{c}", drop_column(s, c), s, "1:1",
           f"required column '{c}' is missing")
      for s, c in [("Settings", "key"), ("Countries", "country"), ("Goods", "good"),
                   ("Goods", "shortage_penalty"), ("Demand", "country"),
                   ("Demand", "good"), ("Demand", "demand"), ("Production", "country"),
                   ("Production", "good"), ("Production", "capacity"),
                   ("Imports", "origin"), ("Imports", "destination"), ("Imports", "good"),
                   ("Imports", "volume"), ("Stockpiles", "country"), ("Stockpiles", "good"),
                   ("Sharing", "from"), ("Sharing", "to"), ("Sharing", "good"),
                   ("Scenarios", "scenario"), ("Scenarios", "probability"),
                   ("Disruptions", "scenario"), ("Disruptions", "kind"),
                   ("Disruptions", "country"), ("Disruptions", "factor")]],
    # --- a required cell left blank ------------------------------------------------------
    rule("blank Countries country", put("Countries", 1, "country", None), "Countries", "A3",
         "country is required"),
    rule("blank Goods good", put("Goods", 0, "good", None), "Goods", "A2",
         "good is required"),
    rule("blank Goods shortage_penalty", put("Goods", 0, "shortage_penalty", None), "Goods",
         "C2", "shortage_penalty is required"),
    rule("blank Demand demand", put("Demand", 1, "demand", None), "Demand", "C3",
         "demand is required"),
    rule("blank Production capacity", put("Production", 0, "capacity", None), "Production",
         "C2", "capacity is required"),
    rule("blank Imports volume", put("Imports", 1, "volume", None), "Imports", "D3",
         "volume is required"),
    rule("blank Stockpiles good", put("Stockpiles", 0, "good", None), "Stockpiles", "B2",
         "good is required"),
    rule("blank Sharing to", put("Sharing", 0, "to", None), "Sharing", "B2",
         "to is required"),
    rule("blank Scenarios probability", put("Scenarios", 0, "probability", None),
         "Scenarios", "B2", "probability is required"),
    rule("blank Disruptions scenario", disruption(scenario=None), "Disruptions", "A2",
         "scenario is required"),
    rule("blank Disruptions kind", disruption(kind=None), "Disruptions", "B2",
         "kind is required"),
    rule("blank Disruptions country", disruption(country=None), "Disruptions", "C2",
         "country is required"),
    rule("blank Disruptions factor", disruption(factor=None), "Disruptions", "H2",
         "factor is required"),
    # --- text where a number belongs -----------------------------------------------------
    rule("text in Imports volume", put("Imports", 1, "volume", "ten"), "Imports", "D3",
         "volume must be a number", "'ten'"),
    rule("text in Demand demand", put("Demand", 0, "demand", "ten"), "Demand", "C2",
         "demand must be a number", "'ten'"),
    rule("text in Goods shortage_penalty", put("Goods", 0, "shortage_penalty", "ten"),
         "Goods", "C2", "shortage_penalty must be a number", "'ten'"),
    rule("text in Stockpiles max", put("Stockpiles", 0, "max", "ten"), "Stockpiles", "E2",
         "max must be a number", "'ten'"),
    rule("text in Sharing lead_periods", put("Sharing", 0, "lead_periods", "ten"),
         "Sharing", "D2", "lead_periods must be a whole number", "'ten'"),
    rule("text in Scenarios probability", put("Scenarios", 0, "probability", "ten"),
         "Scenarios", "B2", "probability must be a number", "'ten'"),
    rule("text in Disruptions factor", disruption(factor="ten"), "Disruptions", "H2",
         "factor must be a number", "'ten'"),
    rule("text in Disruptions start", disruption(start="ten"), "Disruptions", "F2",
         "start must be a whole number", "'ten'"),
    rule("text in Settings periods", setting("periods", "ten"), "Settings", "B2",
         "periods must be a whole number", "'ten'"),
    # --- negative numbers ----------------------------------------------------------------
    rule("negative Countries budget", put("Countries", 0, "budget", -1), "Countries", "C2",
         f"budget {NUMBER_GE_0}", "-1"),
    rule("negative Goods shortage_penalty", put("Goods", 0, "shortage_penalty", -1), "Goods",
         "C2", "shortage_penalty must be a number > 0", "-1"),
    rule("negative Demand demand", put("Demand", 1, "demand", -1), "Demand", "C3",
         f"demand {NUMBER_GE_0}", "-1"),
    rule("negative Demand shortage_penalty", put("Demand", 0, "shortage_penalty", -1),
         "Demand", "D2", "shortage_penalty must be a number > 0", "-1"),
    rule("negative Production capacity", put("Production", 0, "capacity", -1), "Production",
         "C2", f"capacity {NUMBER_GE_0}", "-1"),
    rule("negative Production unit_cost", put("Production", 0, "unit_cost", -1),
         "Production", "D2", f"unit_cost {NUMBER_GE_0}", "-1"),
    rule("negative Production spare_cost", put("Production", 0, "spare_cost", -1),
         "Production", "E2", f"spare_cost {NUMBER_GE_0}", "-1"),
    rule("negative Production spare_max", put("Production", 0, "spare_max", -1),
         "Production", "E2", f"spare_max {NUMBER_GE_0}", "-1"),
    rule("negative Production ramp_periods", put("Production", 0, "ramp_periods", -1),
         "Production", "E2", f"ramp_periods {WHOLE_GE_0}", "-1"),
    rule("negative Imports volume", put("Imports", 1, "volume", -1), "Imports", "D3",
         f"volume {NUMBER_GE_0}", "-1"),
    rule("negative Imports unit_cost", put("Imports", 0, "unit_cost", -1), "Imports", "E2",
         f"unit_cost {NUMBER_GE_0}", "-1"),
    rule("negative Stockpiles initial", put("Stockpiles", 0, "initial", -1), "Stockpiles",
         "C2", f"initial {NUMBER_GE_0}", "-1"),
    rule("negative Stockpiles min", put("Stockpiles", 0, "min", -1), "Stockpiles", "D2",
         f"min {NUMBER_GE_0}", "-1"),
    rule("negative Stockpiles max", put("Stockpiles", 0, "max", -1), "Stockpiles", "E2",
         f"max {NUMBER_GE_0}", "-1"),
    rule("negative Stockpiles purchase_cost", put("Stockpiles", 0, "purchase_cost", -1),
         "Stockpiles", "F2", f"purchase_cost {NUMBER_GE_0}", "-1"),
    rule("negative Stockpiles holding_cost", put("Stockpiles", 0, "holding_cost", -1),
         "Stockpiles", "G2", f"holding_cost {NUMBER_GE_0}", "-1"),
    rule("negative Sharing lead_periods", put("Sharing", 0, "lead_periods", -1), "Sharing",
         "D2", f"lead_periods {WHOLE_GE_0}", "-1"),
    rule("negative Sharing unit_cost", put("Sharing", 0, "unit_cost", -1), "Sharing", "E2",
         f"unit_cost {NUMBER_GE_0}", "-1"),
    rule("negative Sharing capacity", put("Sharing", 0, "capacity", -1), "Sharing", "F2",
         f"capacity {NUMBER_GE_0}", "-1"),
    rule("negative Scenarios probability", put("Scenarios", 0, "probability", -0.1),
         "Scenarios", "B2", "probability must be a number > 0", "-0.1"),
    rule("negative demand_surge factor", disruption(kind="demand_surge", partner=None,
                                                    country="A", factor=-0.5),
         "Disruptions", "H2", f"factor {NUMBER_GE_0}", "-0.5"),
    rule("negative Settings period_days", setting("period_days", -30), "Settings", "B3",
         "period_days must be a number > 0", "-30"),
    # --- strictly positive ---------------------------------------------------------------
    rule("zero Goods shortage_penalty", put("Goods", 0, "shortage_penalty", 0), "Goods",
         "C2", "shortage_penalty must be a number > 0", "got 0"),
    rule("zero Demand shortage_penalty", put("Demand", 1, "shortage_penalty", 0), "Demand",
         "D3", "shortage_penalty must be a number > 0", "got 0"),
    # --- choices -------------------------------------------------------------------------
    rule("role not ally/supplier", put("Countries", 1, "role", "friend"), "Countries", "B3",
         "role must be one of 'ally', 'supplier'", "'friend'"),
    rule("unknown disruption kind", disruption(kind="embargo"), "Disruptions", "B2",
         "kind must be one of 'export_cut', 'capacity_loss', 'demand_surge'", "'embargo'"),
    # --- duplicate keys (the message names the earlier row) ------------------------------
    rule("duplicate Settings key", repeat_row("Settings"), "Settings", "A3",
         "duplicate setting 'periods'", "row 2"),
    rule("duplicate Countries row", repeat_row("Countries", 0), "Countries", "A5",
         "duplicate", "row 2"),
    rule("duplicate Goods row", repeat_row("Goods"), "Goods", "A3", "duplicate", "row 2"),
    rule("duplicate Demand row", put("Demand", 1, "country", "A"), "Demand", "A3",
         "duplicate", "row 2"),
    rule("duplicate Production row", repeat_row("Production"), "Production", "A3",
         "duplicate", "row 2"),
    rule("duplicate Imports row", put("Imports", 1, "destination", "A"), "Imports", "A3",
         "duplicate", "row 2"),
    rule("duplicate Stockpiles row", repeat_row("Stockpiles"), "Stockpiles", "A3",
         "duplicate", "row 2"),
    rule("duplicate Sharing row", repeat_row("Sharing"), "Sharing", "A3", "duplicate",
         "row 2"),
    rule("duplicate Scenarios row", repeat_row("Scenarios", 1), "Scenarios", "A4",
         "duplicate", "row 3"),
    # --- unknown references --------------------------------------------------------------
    rule("unknown Demand country", put("Demand", 0, "country", "X"), "Demand", "A2",
         "country 'X' is unknown"),
    rule("unknown Demand good", put("Demand", 1, "good", "h"), "Demand", "B3",
         "good 'h' is unknown"),
    rule("unknown Production country", put("Production", 0, "country", "X"), "Production",
         "A2", "country 'X' is unknown"),
    rule("unknown Production good", put("Production", 0, "good", "h"), "Production", "B2",
         "good 'h' is unknown"),
    rule("unknown Imports origin", put("Imports", 1, "origin", "X"), "Imports", "A3",
         "origin 'X' is unknown"),
    rule("unknown Imports destination", put("Imports", 0, "destination", "X"), "Imports",
         "B2", "destination 'X' is unknown"),
    rule("unknown Imports good", put("Imports", 0, "good", "h"), "Imports", "C2",
         "good 'h' is unknown"),
    rule("unknown Stockpiles country", put("Stockpiles", 0, "country", "X"), "Stockpiles",
         "A2", "country 'X' is unknown"),
    rule("unknown Stockpiles good", put("Stockpiles", 0, "good", "h"), "Stockpiles", "B2",
         "good 'h' is unknown"),
    rule("unknown Sharing from", put("Sharing", 0, "from", "X"), "Sharing", "A2",
         "from 'X' is unknown"),
    rule("unknown Sharing to", put("Sharing", 0, "to", "X"), "Sharing", "B2",
         "to 'X' is unknown"),
    rule("unknown Sharing good", put("Sharing", 0, "good", "h"), "Sharing", "C2",
         "good 'h' is unknown"),
    rule("unknown Disruptions scenario", disruption(scenario="nope"), "Disruptions", "A2",
         "scenario 'nope' is unknown"),
    rule("unknown Disruptions country", disruption(country="X"), "Disruptions", "C2",
         "country 'X' is unknown"),
    rule("unknown Disruptions partner", disruption(partner="X"), "Disruptions", "D2",
         "partner 'X' is unknown"),
    rule("unknown Disruptions good", disruption(good="h"), "Disruptions", "E2",
         "good 'h' is unknown"),
    rule("ids compared exactly (case)", put("Demand", 0, "good", "G"), "Demand", "B2",
         "good 'G' is unknown"),
    # --- a supplier where an ally is required --------------------------------------------
    *[rule(f"supplier as {s} {c}", put(s, i, c, "S"), s, cell, f"{c} 'S' is a supplier",
           "ally")
      for s, i, c, cell in [("Demand", 0, "country", "A2"),
                            ("Production", 0, "country", "A2"),
                            ("Imports", 0, "destination", "B2"),
                            ("Stockpiles", 0, "country", "A2"),
                            ("Sharing", 0, "from", "A2"),
                            ("Sharing", 0, "to", "B2"),
                            ("Disruptions", 0, "partner", "D2")]],
    # --- '*' only where the format allows it ---------------------------------------------
    *[rule(f"wildcard in {s} {c}", put(s, i, c, "*"), s, cell, f"{c} '*'")
      for s, i, c, cell in [("Demand", 0, "good", "B2"),
                            ("Demand", 0, "country", "A2"),
                            ("Production", 0, "good", "B2"),
                            ("Imports", 0, "origin", "A2"),
                            ("Imports", 0, "destination", "B2"),
                            ("Imports", 0, "good", "C2"),
                            ("Stockpiles", 0, "good", "B2"),
                            ("Sharing", 0, "from", "A2"),
                            ("Sharing", 0, "to", "B2"),
                            ("Disruptions", 0, "scenario", "A2")]],
    rule("'*' defined as a good id", append_row("Goods", {"good": "*", "unit": "t",
                                                         "shortage_penalty": 1}),
         "Goods", "A3", "'*'"),
    rule("'*' defined as a country id", append_row("Countries", {"country": "*",
                                                                 "role": "ally"}),
         "Countries", "A5", "'*'"),
    # --- rules across cells --------------------------------------------------------------
    rule("Sharing from == to", put("Sharing", 0, "to", "B"), "Sharing", "B2",
         "to must differ from from", "'B'"),
    rule("Imports origin == destination", put("Imports", 0, "origin", "A"), "Imports", "B2",
         "destination must differ from origin", "'A'"),
    rule("Stockpiles max < min", put("Stockpiles", 0, "min", 150), "Stockpiles", "E2",
         "max must be ≥ min", "150"),
    rule("non-whole Sharing lead_periods", put("Sharing", 0, "lead_periods", 1.5), "Sharing",
         "D2", "lead_periods must be a whole number", "1.5"),
    rule("non-whole Production ramp_periods", put("Production", 0, "ramp_periods", 0.5),
         "Production", "E2", "ramp_periods must be a whole number", "0.5"),
    rule("non-whole Disruptions start", disruption(start=1.5), "Disruptions", "F2",
         "start must be a whole number", "1.5"),
    rule("probability 0", put("Scenarios", 0, "probability", 0), "Scenarios", "B2",
         "probability must be a number > 0", "got 0"),
    rule("probability > 1", put("Scenarios", 0, "probability", 1.5), "Scenarios", "B2",
         "probability must be", "≤ 1", "1.5"),
    rule("no scenario rows", both(put("Scenarios", 0, "scenario", None),
                                  put("Scenarios", 0, "probability", None),
                                  put("Scenarios", 0, "description", None),
                                  lambda case: case["Scenarios"].pop(1),
                                  drop_sheet("Disruptions")),
         "Scenarios", "A2", "at least one scenario is required"),
    rule("probabilities sum to 0.9", put("Scenarios", 0, "probability", 0.8), "Scenarios",
         "B2:B3", "probabilities must sum to 1", "0.9"),
    rule("probabilities sum to 1.1", put("Scenarios", 1, "probability", 0.2), "Scenarios",
         "B2:B3", "probabilities must sum to 1", "1.1"),
    rule("disruption start > end", disruption(end=1), "Disruptions", "G2",
         "end must be ≥ start (2)", "got 1"),
    rule("disruption end > periods", disruption(end=4), "Disruptions", "G2",
         "end must be ≤ periods (3)", "got 4"),
    rule("disruption start > periods, end blank", disruption(start=4, end=None),
         "Disruptions", "F2", "start must be ≤ periods (3)", "got 4"),
    rule("disruption start 0", disruption(start=0), "Disruptions", "F2",
         "start must be a whole number ≥ 1", "got 0"),
    rule("disruption end 0", disruption(end=0), "Disruptions", "G2",
         "end must be a whole number ≥ 1", "got 0"),
    rule("export_cut factor > 1", disruption(factor=1.5), "Disruptions", "H2",
         "[0, 1]", "1.5"),
    rule("capacity_loss factor > 1", disruption(kind="capacity_loss", country="B",
                                                partner=None, factor=1.5),
         "Disruptions", "H2", "[0, 1]", "1.5"),
    rule("partner for capacity_loss", disruption(kind="capacity_loss", country="B",
                                                 partner="A"),
         "Disruptions", "D2", "partner applies to export_cut only"),
    rule("partner for demand_surge", disruption(kind="demand_surge", country="B",
                                                partner="A", factor=2),
         "Disruptions", "D2", "partner applies to export_cut only"),
    rule("capacity_loss on a supplier", disruption(kind="capacity_loss", country="S",
                                                   partner=None),
         "Disruptions", "C2", "must be an ally", "'S'"),
    rule("demand_surge on a supplier", disruption(kind="demand_surge", country="S",
                                                  partner=None, factor=2),
         "Disruptions", "C2", "must be an ally", "'S'"),
    # --- Settings ------------------------------------------------------------------------
    rule("unknown setting", setting("horizon", 12), "Settings", "A3",
         "unknown setting 'horizon'", *KNOWN_SETTINGS),
    rule("periods missing", both(drop_setting("periods"), setting("currency", "EUR")),
         "Settings", "", "setting 'periods' is required"),
    rule("periods blank", setting("periods", None), "Settings", "B2", "periods is required"),
    rule("periods 0", setting("periods", 0), "Settings", "B2",
         "periods must be a whole number ≥ 1", "got 0"),
    rule("periods 2.5", setting("periods", 2.5), "Settings", "B2",
         "periods must be a whole number ≥ 1", "2.5"),
    rule("period_days 0", setting("period_days", 0), "Settings", "B3",
         "period_days must be a number > 0", "got 0"),
    rule("period_days text", setting("period_days", "thirty"), "Settings", "B3",
         "period_days must be a number", "'thirty'"),
    # --- budgets -------------------------------------------------------------------------
    rule("budget below the mandated floor", both(put("Countries", 0, "budget", 10),
                                                 put("Stockpiles", 0, "min", 50)),
         "Countries", "C2", "budget", "cannot pay", "Stockpiles!D2"),
    rule("budget on a supplier", put("Countries", 2, "budget", 1000), "Countries", "C4",
         "budget applies to allies only"),
    # yearly cost of the floor: ((0.05 + 0.2) · 4 + 1) · 50 = 100
    rule("budget below the yearly cost of a floor with loss_rate",
         both(put("Countries", 0, "budget", 99.99), put("Stockpiles", 0, "min", 50),
              put("Stockpiles", 0, "purchase_cost", 4), put("Stockpiles", 0, "loss_rate", 0.2)),
         "Countries", "C2", "budget 99.99 cannot pay", "Stockpiles!D2", "100 a year"),
    # ((0.5 + 0) · 4 + 1) · 50 = 150
    rule("budget below the yearly cost of a floor with capital_rate",
         both(put("Countries", 0, "budget", 149), put("Stockpiles", 0, "min", 50),
              put("Stockpiles", 0, "purchase_cost", 4), setting("capital_rate", 0.5)),
         "Countries", "C2", "budget 149 cannot pay", "Stockpiles!D2", "150 a year"),
    # --- purchase and alliance budgets (issue 12) -------------------------------------------
    rule("negative purchase_budget", put("Countries", 0, "purchase_budget", -1), "Countries",
         "C2", f"purchase_budget {NUMBER_GE_0}", "-1"),
    rule("purchase_budget on a supplier", put("Countries", 2, "purchase_budget", 10),
         "Countries", "C4", "purchase_budget applies to allies only"),
    # buying the floor: 5 · (50 − 0) = 250
    rule("purchase_budget below the purchase of a floor",
         both(put("Countries", 0, "purchase_budget", 249), put("Stockpiles", 0, "min", 50)),
         "Countries", "C2", "purchase_budget 249 cannot pay", "Stockpiles!D2",
         "buying them costs 250"),
    # initial stock is not bought: 5 · (50 − 30) = 100
    rule("purchase_budget below the purchase of a floor above initial stock",
         both(put("Countries", 0, "purchase_budget", 99), put("Stockpiles", 0, "min", 50),
              put("Stockpiles", 0, "initial", 30)),
         "Countries", "C2", "purchase_budget 99 cannot pay", "Stockpiles!D2",
         "buying them costs 100"),
    rule("negative alliance_budget", setting("alliance_budget", -5), "Settings", "B3",
         f"alliance_budget {NUMBER_GE_0}", "-5"),
    rule("text in alliance_purchase_budget", setting("alliance_purchase_budget", "lots"),
         "Settings", "B3", "alliance_purchase_budget must be a number", "'lots'"),
    # every ally's floors: A (0.05 · 5 + 1) · 50 = 62.5, B (0.05 · 2 + 1) · 10 = 11
    rule("alliance_budget below the yearly cost of every ally's floors",
         both(setting("alliance_budget", 73), put("Stockpiles", 0, "min", 50),
              append_row("Stockpiles", {"country": "B", "good": "g", "min": 10,
                                        "purchase_cost": 2, "holding_cost": 1})),
         "Settings", "B3", "alliance_budget 73 cannot pay", "Stockpiles!D2",
         "Stockpiles!D3", "73.5 a year"),
    # A buys 5 · 50 = 250, B 2 · (10 − 4) = 12
    rule("alliance_purchase_budget below the purchase of every ally's floors",
         both(setting("alliance_purchase_budget", 261), put("Stockpiles", 0, "min", 50),
              append_row("Stockpiles", {"country": "B", "good": "g", "min": 10,
                                        "initial": 4, "purchase_cost": 2})),
         "Settings", "B3", "alliance_purchase_budget 261 cannot pay", "Stockpiles!D2",
         "Stockpiles!D3", "buying them costs 262"),
    # --- model v2: Settings ----------------------------------------------------------------
    rule("negative capital_rate", setting("capital_rate", -0.01), "Settings", "B3",
         "capital_rate must be a number ≥ 0 and ≤ 1", "-0.01"),
    rule("capital_rate above 1", setting("capital_rate", 5), "Settings", "B3",
         "capital_rate must be a number ≥ 0 and ≤ 1", "got 5"),
    rule("text in capital_rate", setting("capital_rate", "5%"), "Settings", "B3",
         "capital_rate must be a number", "'5%'"),
    rule("periods_per_year 0", setting("periods_per_year", 0), "Settings", "B3",
         "periods_per_year must be a number > 0", "got 0"),
    rule("negative periods_per_year", setting("periods_per_year", -12), "Settings", "B3",
         "periods_per_year must be a number > 0", "-12"),
    rule("periods_per_year above hourly", setting("periods_per_year", 10_000), "Settings",
         "B3", "periods_per_year must be a number > 0 and ≤ 8784", "10000"),
    rule("period_days over two years leaves periods_per_year 0",
         setting("period_days", 731), "Settings", "B3", "period_days 731",
         "would be 0", "set periods_per_year"),
    rule("period_days over two years, periods_per_year blank",
         both(setting("period_days", 1000), setting("periods_per_year", None)),
         "Settings", "B3", "period_days 1000", "would be 0", "set periods_per_year"),
    rule("period_days so short that periods_per_year is above hourly",
         setting("period_days", 1e-9), "Settings", "B3", "period_days 1e-09",
         "above 8784", "set periods_per_year"),
    rule("period_days tiny (365 / period_days overflows)",
         setting("period_days", 1e-320), "Settings", "B3", "above 8784",
         "set periods_per_year"),
    # --- model v2: Stockpiles (new columns land after holding_cost, at H) -------------------
    rule("negative Stockpiles refill_cost", put("Stockpiles", 0, "refill_cost", -1),
         "Stockpiles", "H2", f"refill_cost {NUMBER_GE_0}", "-1"),
    rule("text in Stockpiles refill_cost", put("Stockpiles", 0, "refill_cost", "same"),
         "Stockpiles", "H2", "refill_cost must be a number", "'same'"),
    rule("negative Stockpiles loss_rate", put("Stockpiles", 0, "loss_rate", -0.1),
         "Stockpiles", "H2", "loss_rate must be a number ≥ 0 and ≤ 1", "-0.1"),
    rule("Stockpiles loss_rate above 1", put("Stockpiles", 0, "loss_rate", 1.5),
         "Stockpiles", "H2", "loss_rate must be a number ≥ 0 and ≤ 1", "1.5"),
    rule("negative Stockpiles max_draw", put("Stockpiles", 0, "max_draw", -1), "Stockpiles",
         "H2", f"max_draw {NUMBER_GE_0}", "-1"),
    rule("huge Stockpiles max_draw", put("Stockpiles", 0, "max_draw", 1e16), "Stockpiles",
         "H2", "max_draw must be a number ≥ 0 and ≤ 1e15", "1e+16"),
    rule("negative Stockpiles release_lag", put("Stockpiles", 0, "release_lag", -1),
         "Stockpiles", "H2", f"release_lag {WHOLE_GE_0}", "-1"),
    rule("non-whole Stockpiles release_lag", put("Stockpiles", 0, "release_lag", 0.5),
         "Stockpiles", "H2", "release_lag must be a whole number", "0.5"),
    rule("Stockpiles release_lag above 10000", put("Stockpiles", 0, "release_lag", 10_001),
         "Stockpiles", "H2", "release_lag must be a whole number ≥ 0 and ≤ 10000", "10001"),
    # --- model v2: Sharing (activation_lag after capacity, at G) ----------------------------
    rule("negative Sharing activation_lag", put("Sharing", 0, "activation_lag", -1),
         "Sharing", "G2", f"activation_lag {WHOLE_GE_0}", "-1"),
    rule("non-whole Sharing activation_lag", put("Sharing", 0, "activation_lag", 1.5),
         "Sharing", "G2", "activation_lag must be a whole number", "1.5"),
    rule("text in Sharing activation_lag", put("Sharing", 0, "activation_lag", "soon"),
         "Sharing", "G2", "activation_lag must be a whole number", "'soon'"),
    # --- model v2: Recipes (country A, good B, input C, ratio D) ----------------------------
    rule("missing column Recipes.ratio",
         both(recipes(("*", "g", "ore", 1)), drop_column("Recipes", "ratio")),
         "Recipes", "1:1", "required column 'ratio' is missing"),
    rule("missing column Recipes.input",
         both(recipes(("*", "g", "ore", 1)), drop_column("Recipes", "input")),
         "Recipes", "1:1", "required column 'input' is missing"),
    rule("unknown Recipes country", recipes(("X", "g", "ore", 1)), "Recipes", "A2",
         "country 'X' is unknown", "an ally of the Countries sheet or '*'"),
    rule("supplier as Recipes country", recipes(("S", "g", "ore", 1)), "Recipes", "A2",
         "country 'S' is a supplier", "ally"),
    rule("blank Recipes country", recipes((None, "g", "ore", 1)), "Recipes", "A2",
         "country is required"),
    rule("unknown Recipes good", recipes(("*", "h", "ore", 1)), "Recipes", "B2",
         "good 'h' is unknown"),
    rule("'*' as Recipes good", recipes(("*", "*", "ore", 1)), "Recipes", "B2",
         "good '*'"),
    rule("unknown Recipes input", recipes(("*", "g", "h", 1)), "Recipes", "C2",
         "input 'h' is unknown"),
    rule("'*' as Recipes input", recipes(("*", "g", "*", 1)), "Recipes", "C2",
         "input '*'"),
    rule("Recipes input == good", recipes(("B", "g", "g", 1)), "Recipes", "C2",
         "input must differ from good", "'g'"),
    rule("blank Recipes ratio", recipes(("*", "g", "ore", None)), "Recipes", "D2",
         "ratio is required"),
    rule("zero Recipes ratio", recipes(("*", "g", "ore", 0)), "Recipes", "D2",
         "ratio must be a number > 0 and ≤ 1e15", "got 0"),
    rule("negative Recipes ratio", recipes(("*", "g", "ore", -2)), "Recipes", "D2",
         "ratio must be a number > 0", "-2"),
    rule("huge Recipes ratio", recipes(("*", "g", "ore", 2e15)), "Recipes", "D2",
         "ratio must be a number > 0 and ≤ 1e15", "2000000000000000"),
    rule("text in Recipes ratio", recipes(("*", "g", "ore", "two")), "Recipes", "D2",
         "ratio must be a number", "'two'"),
    rule("duplicate Recipes row", recipes(("*", "g", "ore", 1), ("*", "g", "ore", 2)),
         "Recipes", "A3", "duplicate", "same country, good, input as row 2"),
    rule("recipe cycle of two goods", recipes(("*", "g", "ore", 1), ("B", "ore", "g", 2)),
         "Recipes", "C2", "recipe cycle g → ore → g (rows 2, 3)"),
    rule("recipe cycle of three goods, rows apart",
         recipes(("A", "mag", "ore", 1), ("*", "g", "mag", 1), ("B", "ore", "g", 1),
                 ("*", "g", "ore", 1)),
         "Recipes", "C2", "recipe cycle mag → ore → g → mag (rows 2, 3, 4)"),
    rule("recipe cycle through rows of different countries (both named)",
         recipes(("*", "mag", "ore", 1), ("A", "ore", "mag", 1), ("B", "ore", "mag", 1)),
         "Recipes", "C2", "recipe cycle mag → ore → mag (rows 2, 3, 4)"),
]


@pytest.mark.parametrize(("description", "mutation", "sheet", "cell", "fragments"), RULES)
def test_broken_rule_is_reported_at_its_cell(tmp_path, description, mutation, sheet, cell,
                                             fragments):
    problems = problems_of(tmp_path, mutated(mutation))
    assert_reported(problems, sheet, cell, fragments)


# --- the base case and what must stay valid ----------------------------------------------


def valid(tmp_path, case: dict):
    path = write_case(tmp_path / "case.xlsx", case)
    loaded, _warnings = load_case(path, Timings())
    return loaded


def test_base_case_is_valid(tmp_path):
    case = valid(tmp_path, base_case())
    assert case.settings.periods == 3
    assert set(case.scenarios) == {"normal", "cut"}
    assert len(case.disruptions) == 1


def test_demand_surge_factor_above_one_is_valid(tmp_path):
    case = valid(tmp_path, mutated(disruption(kind="demand_surge", country="A",
                                              partner=None, factor=1.5)))
    (only,) = case.disruptions
    assert (only.kind, only.country, only.factor) == ("demand_surge", "A", 1.5)


def test_export_cut_factor_one_and_zero_are_valid(tmp_path):
    case = valid(tmp_path, mutated(both(
        disruption(factor=1),
        append_row("Disruptions", {"scenario": "cut", "kind": "export_cut", "country": "S",
                                   "partner": "B", "good": "g", "start": 1, "end": 1,
                                   "factor": 0}))))
    assert sorted(d.factor for d in case.disruptions) == [0.0, 1.0]


def test_wildcards_are_accepted_where_allowed(tmp_path):
    case = valid(tmp_path, mutated(disruption(country="*", partner="*", good="*")))
    (only,) = case.disruptions
    assert (only.country, only.partner, only.good) == ("*", "*", "*")
    # Sharing good '*' (as in the base case) expands to every good
    assert set(case.sharing) == {("B", "A", "g")}


def test_wildcard_for_capacity_loss_country_is_valid(tmp_path):
    case = valid(tmp_path, mutated(disruption(kind="capacity_loss", country="*",
                                              partner=None, good=None, factor=0.5)))
    (only,) = case.disruptions
    assert (only.country, only.partner, only.good) == ("*", "*", "*")


def test_blank_optional_cells_take_their_defaults(tmp_path):
    case = valid(tmp_path, mutated(both(disruption(partner=None, good=None, end=None),
                                        put("Stockpiles", 0, "max", None),
                                        put("Sharing", 0, "capacity", None),
                                        put("Countries", 0, "role", None))))
    (only,) = case.disruptions
    assert (only.partner, only.good, only.end) == ("*", "*", 3)
    assert case.stockpiles[("A", "g")].max is None
    assert case.sharing[("B", "A", "g")].capacity is None
    assert case.countries["A"].role == "ally"
    assert case.settings.period_days == 30 and case.settings.currency == "USD"


@pytest.mark.parametrize("sheet", ["Production", "Imports", "Stockpiles", "Sharing",
                                   "Disruptions"])
def test_optional_sheet_may_be_missing(tmp_path, sheet):
    case = valid(tmp_path, mutated(drop_sheet(sheet)))
    assert case.settings.periods == 3


def test_header_names_are_case_insensitive_and_trimmed(tmp_path):
    case = base_case()
    case["Imports"] = [{(" Volume " if k == "volume" else k.upper()): v for k, v in
                        row.items()} for row in case["Imports"]]
    loaded = valid(tmp_path, case)
    assert loaded.imports[("S", "B", "g")].volume == 2


def test_budgets_that_cover_the_floors_are_valid(tmp_path):
    """Floor 50 above initial 30 at purchase 5 and holding 1: buying it costs 100, holding
    it (0.05 · 5 + 1) · 50 = 62.5 a year; budgets of exactly that pass."""
    case = valid(tmp_path, mutated(both(
        put("Countries", 0, "purchase_budget", 100), put("Stockpiles", 0, "min", 50),
        put("Stockpiles", 0, "initial", 30), setting("alliance_budget", 62.5),
        setting("alliance_purchase_budget", 100))))
    assert case.countries["A"].purchase_budget == 100
    assert case.countries["B"].purchase_budget is None
    assert (case.settings.alliance_budget, case.settings.alliance_purchase_budget) == (
        62.5, 100)


def test_budget_that_covers_the_floor_is_valid(tmp_path):
    # floor 50 bought at 5 and held at 1: 300 a year
    case = valid(tmp_path, mutated(both(put("Countries", 0, "budget", 300),
                                        put("Stockpiles", 0, "min", 50))))
    assert case.countries["A"].budget == 300


# --- one problem per broken cell, all problems at once -----------------------------------


def test_several_problems_are_all_reported_in_reading_order(tmp_path):
    problems = problems_of(tmp_path, mutated(both(
        put("Imports", 1, "volume", -1),
        put("Sharing", 0, "lead_periods", 1.5),
        disruption(end=9),
    )))
    assert [(p.sheet, p.cell) for p in problems] == [
        ("Imports", "D3"), ("Sharing", "D2"), ("Disruptions", "G2")]
    assert "volume" in problems[0].message
    assert "lead_periods" in problems[1].message
    assert "end must be ≤ periods" in problems[2].message


def test_missing_column_and_bad_cell_elsewhere_are_reported_together(tmp_path):
    problems = problems_of(tmp_path, mutated(both(
        drop_column("Sharing", "to"), put("Imports", 1, "volume", -1))))
    assert_reported(problems, "Sharing", "1:1", ("required column 'to' is missing",))
    assert_reported(problems, "Imports", "D3", ("volume must be a number ≥ 0",))


def test_problems_in_one_row_are_all_reported(tmp_path):
    problems = problems_of(tmp_path, mutated(both(
        put("Stockpiles", 0, "initial", -1), put("Stockpiles", 0, "holding_cost", "x"))))
    assert {(p.sheet, p.cell) for p in problems} == {("Stockpiles", "C2"),
                                                     ("Stockpiles", "G2")}


@pytest.mark.parametrize(("mutation", "sheet", "cell"), [
    pytest.param(put("Goods", 0, "shortage_penalty", 0), "Goods", "C2", id="good penalty"),
    pytest.param(put("Countries", 1, "role", "friend"), "Countries", "B3", id="country role"),
    pytest.param(put("Scenarios", 1, "probability", 0), "Scenarios", "B3",
                 id="scenario probability"),
    pytest.param(put("Imports", 0, "unit_cost", -1), "Imports", "E2", id="import cost"),
    pytest.param(disruption(factor=2), "Disruptions", "H2", id="disruption factor"),
])
def test_one_bad_cell_gives_one_problem(tmp_path, mutation, sheet, cell):
    problems = problems_of(tmp_path, mutated(mutation))
    assert [(p.sheet, p.cell) for p in problems] == [(sheet, cell)], \
        "\n".join(str(p) for p in problems)


# --- the command line --------------------------------------------------------------------


def test_cli_validate_reports_the_cell_and_exits_2(tmp_path, capsys):
    path = write_case(tmp_path / "case.xlsx", mutated(put("Imports", 1, "volume", -1)))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Imports!D3" in err
    assert "volume must be a number ≥ 0" in err
    assert "Traceback" not in err


def test_cli_validate_lists_every_problem(tmp_path, capsys):
    path = write_case(tmp_path / "case.xlsx", mutated(both(
        put("Imports", 1, "volume", "ten"),
        setting("periods", 0), disruption(kind="embargo"))))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    for place in ("Imports!D3", "Settings!B2", "Disruptions!B2"):
        assert place in err
    assert "3 problems found" in err
    assert "Traceback" not in err


def test_cli_validate_accepts_the_base_case(tmp_path, capsys):
    path = write_case(tmp_path / "case.xlsx", base_case())
    assert main(["validate", str(path)]) == 0
    assert "valid case" in capsys.readouterr().out


def test_cli_solve_with_bad_input_exits_2_and_writes_no_report(tmp_path, capsys):
    path = write_case(tmp_path / "case.xlsx", mutated(put("Sharing", 0, "to", "B")))
    out = tmp_path / "report.xlsx"
    summary = tmp_path / "summary.json"
    assert main(["solve", str(path), "-o", str(out), "--json", str(summary), "-q"]) == 2
    err = capsys.readouterr().err
    assert "Sharing!B2" in err
    assert "Traceback" not in err
    assert not out.exists()
    assert not summary.exists()
    assert not list(tmp_path.glob("*.part"))


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)


@pytest.mark.parametrize(("content", "words"), [
    pytest.param(b"", "empty", id="empty file"),
    pytest.param(b"country,role\nA,ally\nB,ally\n", "not an .xlsx", id="csv renamed"),
    pytest.param(random.Random(7).randbytes(4096), "not an .xlsx", id="random bytes"),
    pytest.param(OLE, ".xls", id="ole header"),
    pytest.param(b"PK\x03\x04" + bytes(200), "not an .xlsx", id="broken zip"),
    pytest.param(None, "not a readable .xlsx", id="zip without a workbook"),
])
@pytest.mark.parametrize("command", ["validate", "solve"])
def test_cli_rejects_a_file_that_is_not_a_workbook(tmp_path, capsys, content, words,
                                                   command):
    path = tmp_path / "case.xlsx"
    if content is None:
        with zipfile.ZipFile(path, "w") as package:
            package.writestr("hello.txt", "not a workbook")
    else:
        path.write_bytes(content)
    out = tmp_path / "report.xlsx"
    argv = [command, str(path)] + (["-o", str(out), "-q"] if command == "solve" else [])
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "case.xlsx" in err
    assert words in err
    assert "Traceback" not in err
    assert "internal error" not in err
    assert not out.exists()


def test_cli_missing_file_exits_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nowhere.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err
    assert "Traceback" not in err


def test_demand_nothing_can_supply_is_a_warning(tmp_path):
    sheets = base_case()
    sheets["Goods"].append({"good": "h", "unit": "t", "shortage_penalty": 10})
    sheets["Demand"].append({"country": "A", "good": "h", "demand": 3})
    case, warnings = load_case(write_case(tmp_path / "w.xlsx", sheets), Timings())
    assert ("A", "h") in case.demand
    messages = [str(w) for w in warnings if not w.is_error]
    assert any(m.startswith("Demand!B4: A needs h but no production") for m in messages), \
        messages


def test_a_link_for_a_good_neither_ally_holds_is_a_warning(tmp_path):
    sheets = base_case()
    sheets["Goods"].append({"good": "h", "unit": "t", "shortage_penalty": 10})
    sheets["Sharing"].append({"from": "A", "to": "B", "good": "h"})
    _, warnings = load_case(write_case(tmp_path / "w.xlsx", sheets), Timings())
    assert any(str(w).startswith("Sharing!C3: neither A nor B holds h") for w in warnings), \
        [str(w) for w in warnings]


def test_the_base_case_has_no_warnings(tmp_path):
    _, warnings = load_case(write_case(tmp_path / "w.xlsx", base_case()), Timings())
    assert warnings == []


def test_a_misspelt_optional_sheet_is_an_error(tmp_path):
    sheets = base_case()
    sheets["Import"] = sheets.pop("Imports")
    with pytest.raises(InputError) as failure:
        load_case(write_case(tmp_path / "typo.xlsx", sheets), Timings())
    assert "Import: sheet name is not part of the case format; did you mean 'Imports'?" in [
        str(p) for p in failure.value.problems]


def test_an_unrelated_extra_sheet_is_only_a_warning(tmp_path):
    sheets = base_case()
    sheets["Chart data"] = [{"x": 1}]
    _, warnings = load_case(write_case(tmp_path / "extra.xlsx", sheets), Timings())
    assert [str(w) for w in warnings] == [
        "Chart data: sheet is not part of the case format and is ignored"]


# --- model v2: defaults resolved, recipes expanded, warnings -----------------------------


def warnings_of(tmp_path, case: dict) -> list:
    path = write_case(tmp_path / "case.xlsx", case)
    _, warnings = load_case(path, Timings())
    return warnings


def assert_warned(warnings: list, sheet: str, cell: str, *fragments: str) -> None:
    listing = "\n".join(f"  {w}" for w in warnings)
    matching = [w for w in warnings if w.sheet == sheet and w.cell == cell
                and all(f in w.message for f in fragments)]
    assert matching, f"no warning at {sheet}!{cell} says {fragments!r}; warnings:\n{listing}"
    assert not any(w.is_error for w in matching)


def test_v2_defaults_are_resolved(tmp_path):
    case = valid(tmp_path, base_case())
    assert case.settings.capital_rate == 0.05
    assert case.settings.periods_per_year == 12  # 365 / 30 = 12.17
    stock = case.stockpiles[("A", "g")]
    assert stock.refill_cost == stock.purchase_cost == 5
    assert (stock.loss_rate, stock.max_draw, stock.release_lag) == (0, None, 0)
    assert case.sharing[("B", "A", "g")].activation_lag == 0
    assert case.recipes == {}


def test_v2_values_are_read(tmp_path):
    case = valid(tmp_path, mutated(both(
        setting("capital_rate", 0.08), setting("periods_per_year", 12.5),
        put("Stockpiles", 0, "refill_cost", 7.5), put("Stockpiles", 0, "loss_rate", 0.1),
        put("Stockpiles", 0, "max_draw", 4), put("Stockpiles", 0, "release_lag", 1),
        put("Sharing", 0, "activation_lag", 1))))
    assert (case.settings.capital_rate, case.settings.periods_per_year) == (0.08, 12.5)
    stock = case.stockpiles[("A", "g")]
    assert (stock.refill_cost, stock.loss_rate, stock.max_draw, stock.release_lag) == (
        7.5, 0.1, 4, 1)
    assert stock.purchase_cost == 5
    assert case.sharing[("B", "A", "g")].activation_lag == 1


def test_refill_cost_defaults_to_each_rows_purchase_cost(tmp_path):
    case = base_case()
    case["Stockpiles"].append({"country": "B", "good": "g", "purchase_cost": 3,
                               "refill_cost": None})
    case["Stockpiles"][0]["refill_cost"] = 0  # a given 0 stays 0
    loaded = valid(tmp_path, case)
    assert loaded.stockpiles[("A", "g")].refill_cost == 0
    assert loaded.stockpiles[("B", "g")].refill_cost == 3


@pytest.mark.parametrize(("period_days", "expected"), [
    (30, 12), (7, 52), (1, 365), (14, 26), (28, 13), (31, 12), (91.25, 4), (365, 1),
    (146, 3),  # 365 / 146 = 2.5: halves round up
    (730, 1),  # 0.5 rounds up to 1
    (0.5, 730), (365 / 8784, 8784),
])
def test_periods_per_year_defaults_to_365_over_period_days(tmp_path, period_days,
                                                            expected):
    case = valid(tmp_path, mutated(setting("period_days", period_days)))
    assert case.settings.periods_per_year == expected
    assert isinstance(case.settings.periods_per_year, float)


def test_a_blank_periods_per_year_takes_the_default(tmp_path):
    case = valid(tmp_path, mutated(both(setting("period_days", 7),
                                        setting("periods_per_year", None))))
    assert case.settings.periods_per_year == 52


def test_periods_per_year_given_overrides_the_default(tmp_path):
    case = valid(tmp_path, mutated(both(setting("period_days", 1000),
                                        setting("periods_per_year", 0.365))))
    assert case.settings.periods_per_year == 0.365


def test_budget_pays_the_yearly_cost_of_floors_not_their_purchase(tmp_path):
    # ((0.05 + 0.2) · 4 + 1) · 50 = 100 a year; buying the 50 units would cost 200 more
    case = valid(tmp_path, mutated(both(
        put("Countries", 0, "budget", 100), put("Stockpiles", 0, "min", 50),
        put("Stockpiles", 0, "initial", 0), put("Stockpiles", 0, "purchase_cost", 4),
        put("Stockpiles", 0, "loss_rate", 0.2))))
    assert case.countries["A"].budget == 100


def test_recipes_expand_with_star_and_overrides(tmp_path):
    sheets = mutated(recipes(("*", "g", "ore", 2), ("*", "g", "mag", 0.5),
                             ("A", "g", "ore", 3), ("A", "g", "dust", 0.1),
                             goods=("ore", "mag", "dust")))
    sheets["Production"].append({"country": "A", "good": "g", "capacity": 1})
    case = valid(tmp_path, sheets)
    assert case.recipes == {("B", "g"): {"ore": 2, "mag": 0.5},
                            ("A", "g"): {"ore": 3, "mag": 0.5, "dust": 0.1}}


def test_recipes_for_allies_that_do_not_produce_have_no_effect(tmp_path):
    sheets = mutated(recipes(("A", "g", "ore", 3), ("*", "ore", "mag", 1),
                             ("B", "g", "ore", 1), ("*", "g", "ore", 2)))
    case, warnings = load_case(write_case(tmp_path / "case.xlsx", sheets), Timings())
    assert case.recipes == {("B", "g"): {"ore": 1}}
    assert_warned(warnings, "Recipes", "A2", "A has no Production row for g", "no effect")
    assert_warned(warnings, "Recipes", "A3", "no ally has a Production row for ore",
                  "no effect")
    assert_warned(warnings, "Recipes", "A5", "every producer of g has its own row for "
                  "input ore", "no effect")


def test_a_case_with_recipes_has_no_warnings_when_inputs_can_be_had(tmp_path):
    sheets = mutated(recipes(("*", "g", "ore", 2), goods=("ore",)))
    sheets["Imports"].append({"origin": "S", "destination": "B", "good": "ore",
                              "volume": 20})
    case, warnings = load_case(write_case(tmp_path / "case.xlsx", sheets), Timings())
    assert case.recipes == {("B", "g"): {"ore": 2}}
    assert warnings == []


def test_a_recipe_input_the_producer_can_never_obtain_is_a_warning(tmp_path):
    warnings = warnings_of(tmp_path, mutated(recipes(("*", "g", "ore", 2))))
    assert_warned(warnings, "Recipes", "C2", "B can never obtain ore", "cannot make g")


def test_a_recipe_input_shared_from_an_ally_that_has_it_is_no_warning(tmp_path):
    sheets = mutated(recipes(("*", "g", "ore", 2), goods=("ore",)))
    sheets["Stockpiles"].append({"country": "A", "good": "ore", "max": 10})
    sheets["Sharing"] = [{"from": "A", "to": "B", "good": "ore"},
                         {"from": "B", "to": "A", "good": "g"}]
    assert warnings_of(tmp_path, sheets) == []


def test_demand_only_a_producer_without_inputs_could_meet_is_a_warning(tmp_path):
    sheets = mutated(recipes(("B", "h", "ore", 1), goods=("ore", "h")))
    sheets["Production"].append({"country": "B", "good": "h", "capacity": 5})
    sheets["Demand"].append({"country": "B", "good": "h", "demand": 3})
    warnings = warnings_of(tmp_path, sheets)
    assert_warned(warnings, "Demand", "B4", "B needs h but no production")
    assert_warned(warnings, "Recipes", "C2", "B can never obtain ore", "cannot make h")
    # once the input can be imported, the producer counts as supply
    sheets["Imports"].append({"origin": "S", "destination": "B", "good": "ore",
                              "volume": 5})
    assert warnings_of(tmp_path, sheets) == []


def test_a_chain_of_recipes_is_followed(tmp_path):
    # B makes g from mag, mag from ore, and imports ore: no warning; without the ore
    # import both recipes starve and B's demand for g still has its own imports
    sheets = mutated(recipes(("B", "g", "mag", 1), ("B", "mag", "ore", 1)))
    sheets["Production"].append({"country": "B", "good": "mag", "capacity": 5})
    sheets["Imports"].append({"origin": "S", "destination": "B", "good": "ore",
                              "volume": 5})
    assert warnings_of(tmp_path, sheets) == []
    sheets["Imports"].pop()
    warnings = warnings_of(tmp_path, sheets)
    assert_warned(warnings, "Recipes", "C2", "B can never obtain mag")
    assert_warned(warnings, "Recipes", "C3", "B can never obtain ore")


def test_an_export_route_from_an_ally_that_has_nothing_is_a_warning(tmp_path):
    sheets = mutated(recipes(goods=("h",)))
    del sheets["Recipes"]
    sheets["Imports"].append({"origin": "A", "destination": "B", "good": "h",
                              "volume": 1})
    warnings = warnings_of(tmp_path, sheets)
    assert_warned(warnings, "Imports", "A4", "A can never hold h",
                  "this route from it can never carry anything")


def test_an_export_route_from_an_ally_that_has_the_good_is_no_warning(tmp_path):
    sheets = base_case()
    sheets["Imports"].append({"origin": "B", "destination": "A", "good": "g",
                              "volume": 1})  # B produces g
    sheets["Imports"].append({"origin": "A", "destination": "B", "good": "g",
                              "volume": 1})  # A imports g from S
    assert warnings_of(tmp_path, sheets) == []


@pytest.mark.parametrize(("mutation", "sheet", "cell", "fragments"), [
    pytest.param(put("Stockpiles", 0, "release_lag", 2), "Stockpiles", "H2",
                 ("release_lag 2 is too long", "period 4", "can never be drawn"),
                 id="release_lag"),
    pytest.param(put("Sharing", 0, "activation_lag", 2), "Sharing", "G2",
                 ("activation_lag 2 is too long", "period 4", "can never carry anything"),
                 id="activation_lag"),
    pytest.param(both(put("Production", 0, "spare_cost", 1),
                      put("Production", 0, "spare_max", 2),
                      put("Production", 0, "ramp_periods", 2)), "Production", "G2",
                 ("ramp_periods 2 is too long", "period 4", "can never run"),
                 id="ramp_periods"),
])
def test_a_lag_past_the_horizon_in_every_scenario_is_a_warning(tmp_path, mutation, sheet,
                                                               cell, fragments):
    # the only onset is period 2 of 3: a lag of 2 first acts in period 4
    assert_warned(warnings_of(tmp_path, mutated(mutation)), sheet, cell, *fragments)


@pytest.mark.parametrize("mutation", [
    pytest.param(put("Stockpiles", 0, "release_lag", 1), id="release_lag acts in the last"),
    pytest.param(put("Sharing", 0, "activation_lag", 1), id="activation_lag in the last"),
    pytest.param(put("Production", 0, "ramp_periods", 2), id="ramp without a spare option"),
    pytest.param(both(put("Stockpiles", 0, "release_lag", 2),
                      append_row("Scenarios", {"scenario": "early", "probability": 0}),
                      put("Scenarios", 0, "probability", 0.8),
                      put("Scenarios", 2, "probability", 0.1),
                      append_row("Disruptions", {"scenario": "early", "kind": "demand_surge",
                                                 "country": "A", "start": 1, "end": 1,
                                                 "factor": 1})),
                 id="another scenario has an earlier onset"),
])
def test_a_lag_that_can_act_in_some_scenario_is_no_warning(tmp_path, mutation):
    assert warnings_of(tmp_path, mutated(mutation)) == []


def test_a_link_for_a_good_one_ally_uses_as_input_is_no_idle_link(tmp_path):
    sheets = mutated(recipes(("B", "g", "ore", 1), goods=("ore",)))
    sheets["Stockpiles"].append({"country": "A", "good": "ore"})
    sheets["Sharing"].append({"from": "A", "to": "B", "good": "ore"})
    assert warnings_of(tmp_path, sheets) == []


def test_the_recipes_sheet_is_known_to_the_reader(tmp_path):
    sheets = mutated(recipes(("*", "g", "ore", 1), goods=("ore",)))
    sheets["Imports"].append({"origin": "S", "destination": "B", "good": "ore",
                              "volume": 5})
    sheets["recipes "] = sheets.pop("Recipes")  # titles are matched case-insensitively
    case, warnings = load_case(write_case(tmp_path / "case.xlsx", sheets), Timings())
    assert case.recipes == {("B", "g"): {"ore": 1}}
    assert warnings == []


def test_the_template_has_the_v2_inputs_and_validates_when_filled(tmp_path):
    import openpyxl

    from optimizer.case.template import write_template

    path = write_template(tmp_path / "blank.xlsx")
    workbook = openpyxl.load_workbook(path)
    assert [c.value for c in workbook["Recipes"][1]] == ["country", "good", "input", "ratio"]
    assert [c.value for c in workbook["Stockpiles"][1]][-4:] == [
        "refill_cost", "loss_rate", "max_draw", "release_lag"]
    assert [c.value for c in workbook["Sharing"][1]][-1] == "activation_lag"
    settings = {row[0]: row[1] for row in workbook["Settings"].iter_rows(min_row=2,
                                                                       values_only=True)}
    assert settings["capital_rate"] == 0.05
    assert settings["periods_per_year"] is None  # resolved from period_days
    for row in workbook["Settings"].iter_rows(min_row=2):
        if row[0].value == "periods":
            row[1].value = 3
        if row[0].value == "period_days":
            row[1].value = 7
    case = base_case()
    for name, rows in case.items():
        if name == "Settings":
            continue
        header = [c.value for c in workbook[name][1]]
        for record in rows:
            workbook[name].append([record.get(column) for column in header])
    workbook.save(path)
    loaded, warnings = load_case(path, Timings())
    assert loaded.settings.periods_per_year == 52
    assert loaded.stockpiles[("A", "g")].refill_cost == 5
    assert warnings == []
