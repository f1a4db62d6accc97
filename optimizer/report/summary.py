"""The JSON summary: the contract batch scripts rely on. Extend it; never rename or
remove a key."""

from __future__ import annotations

import json
from pathlib import Path

from models.data import Case
from optimizer.files import write_atomically
from optimizer.report.decision import shadow_price_meanings
from optimizer.results.extras import (
    Extras,
    cooperation_json,
    evpi_json,
    plan_value_json,
    vss_json,
)
from optimizer.results.fairness import fairness_json
from optimizer.results.risk import risk_json, risk_profile
from optimizer.results.supply_levers import concentration_json, levers_json
from optimizer.results.tables import Results
from optimizer.solver import SolverOutcome

SOLVER_NAME = "HiGHS"


def summary(case: Case, outcome: SolverOutcome, results: Results | None,
            timings: dict[str, float], warnings: list[str] | None = None,
            extras: Extras | None = None, input_sha256: str | None = None,
            tool_version: str | None = None) -> dict:
    """status, objective, stage_one_cost, expected_scenario_cost, stockpile,
    spare_capacity, expected_shortfall, timings_s, solver; warnings (the texts printed
    on stderr); the extra figures value_of_plan, value_of_cooperation, evpi and vss
    (each null when not computed: --no-extras, or a re-solve not optimal); fairness
    (the burden-sharing rules, the price of fairness, each ally's fill rates); and
    input_sha256 and tool_version (the input file's SHA-256 and the version that solved
    it: what `stockpile batch --resume` compares); risk, the plan's scenario-cost
    distribution under the case's objective (`optimizer.results.risk`); budgets (every
    budget with its marginal value, `budgets_json`); the levers' supply_contracts,
    expected_restraint and expected_shortfall_by_tier
    (`optimizer.results.supply_levers.levers_json`); concentration (supplier concentration in
    normal times, with and without the plan)."""
    document = {
        "case": case.name,
        "status": outcome.status,
        "objective": results.objective if results else None,
        "stage_one_cost": results.stage_one_cost if results else None,
        "expected_scenario_cost": results.expected_scenario_cost if results else None,
        "currency": case.settings.currency,
        "stockpile": [],
        "spare_capacity": [],
        "expected_shortfall": [],
        "timings_s": {name: round(seconds, 6) for name, seconds in timings.items()},
        "warnings": list(warnings or []),
        "solver": {
            "name": SOLVER_NAME,
            "version": outcome.version,
            "status": outcome.model_status,
            "run_time_s": outcome.run_time_s,
            "columns": outcome.num_columns,
            "rows": outcome.num_rows,
            "nonzeros": outcome.num_nonzeros,
        },
    }
    if results:
        document["stockpile"] = [
            {"country": r.country, "good": r.good, "level": r.level}
            for r in results.stockpiles.itertuples(index=False)]
        document["spare_capacity"] = [
            {"country": r.country, "good": r.good, "level": r.reserved}
            for r in results.spare_capacity.itertuples(index=False)]
        document["expected_shortfall"] = [
            {"country": r.country, "good": r.good, "units": r.units}
            for r in results.expected_shortfall.itertuples(index=False)]
    document["value_of_plan"] = plan_value_json(extras.plan if extras else None, case)
    document["value_of_cooperation"] = cooperation_json(
        extras.cooperation if extras else None, case)
    document["evpi"] = evpi_json(extras.evpi if extras else None, case)
    document["vss"] = vss_json(extras.vss if extras else None, case)
    document["fairness"] = fairness_json(case, results, extras.fairness if extras else None)
    document.update(levers_json(case, results))
    document["concentration"] = concentration_json(results, extras.plan if extras else None)
    document["input_sha256"] = input_sha256
    document["tool_version"] = tool_version
    document["risk"] = risk_json(risk_profile(
        case, results, extras.expected_plan if extras else None)) if results else None
    document["budgets"] = budgets_json(results, case) if results else []
    return document


BUDGET_KINDS = {"budget": "budget", "purchase budget": "purchase_budget",
                "alliance budget": "alliance_budget",
                "alliance purchase budget": "alliance_purchase_budget"}
"""Shadow-price limits that are budgets → the input each one is (its column or key)."""


def budgets_json(results: Results, case: Case) -> list[dict]:
    """Every budget of the case: its kind (the input's name: budget, purchase_budget,
    alliance_budget, alliance_purchase_budget), its ally (null for the alliance's), its
    limit, and its marginal value: the expected annual cost saved by one more unit of
    money (a year for yearly budgets, once for purchase budgets), with the sentence."""
    prices = results.shadow_prices
    prices = prices[prices["limit"].isin(list(BUDGET_KINDS))]
    return [{"kind": BUDGET_KINDS[row.limit], "country": row.country or None,
             "limit": row.limit_value, "marginal_value": row.value, "meaning": meaning}
            for row, meaning in zip(prices.itertuples(index=False),
                                    shadow_price_meanings(prices, case), strict=True)]


def write_summary(path: str | Path, document: dict) -> Path:
    text = json.dumps(document, indent=2, default=float) + "\n"
    return write_atomically(path, lambda temporary: temporary.write_text(text,
                                                                         encoding="utf-8"))
