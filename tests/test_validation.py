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

KNOWN_SETTINGS = ("periods", "period_unit", "period_days", "currency")

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
