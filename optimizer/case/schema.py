"""The case workbook's schema: one table that drives reading, validation, the blank
template and the documentation.

Every column of every sheet is a `Column` (type, default, rule, unit, description);
every Settings key is a `Setting`. Rules that tie several cells together (``max ≥ min``,
``start ≤ end``, probabilities summing to 1) live in `optimizer.case.validation`, which names
them in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.data import ANY

IGNORED_SHEETS = frozenset({"about", "sources", "notes", "readme"})
"""Sheets a planner may add for documentation; the reader skips them silently."""


@dataclass(frozen=True)
class Column:
    """One column of an input sheet.

    kind: ``id`` (text compared exactly), ``text``, ``number``, ``integer`` or ``choice``.
    refers_to: for ids, the set the value must belong to (``country``, ``ally``,
    ``good``, ``scenario``); None for a new id.
    default: the value a blank cell takes; ``REQUIRED`` when a blank is an error and
    None when blank means "none" (no limit, no option).
    """

    name: str
    kind: str
    description: str
    default: object = None
    unit: str = ""
    minimum: float | None = None
    strict_minimum: bool = False
    maximum: float | None = None
    strict_maximum: bool = False
    choices: tuple[str, ...] = ()
    refers_to: str | None = None
    wildcard: bool = False
    default_text: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def rule(self) -> str:
        """The rule in words, as error messages and the docs state it."""
        if self.kind == "choice":
            return "one of " + ", ".join(f"'{c}'" for c in self.choices)
        if self.kind in ("number", "integer"):
            what = "a whole number" if self.kind == "integer" else "a number"
            parts = []
            if self.minimum is not None:
                parts.append(f"{'>' if self.strict_minimum else '≥'} {_fmt(self.minimum)}")
            if self.maximum is not None:
                parts.append(f"{'<' if self.strict_maximum else '≤'} {_fmt(self.maximum)}")
            return f"{what} {' and '.join(parts)}".strip()
        if self.kind == "id":
            target = {
                "country": "a country of the Countries sheet",
                "ally": "an ally of the Countries sheet",
                "good": "a good of the Goods sheet",
                "scenario": "a scenario of the Scenarios sheet",
            }.get(self.refers_to or "", "a non-blank id")
            return target + (" or '*'" if self.wildcard else "")
        return "text"

    def default_in_words(self) -> str:
        if self.default_text:
            return self.default_text
        if self.required:
            return "required"
        if self.default is None:
            return "none"
        return _fmt(self.default)


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = _Required()


@dataclass(frozen=True)
class Sheet:
    """One input sheet: its columns, the columns that make a row's key, and whether the
    workbook must have it."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Setting:
    """One key of the Settings sheet."""

    key: str
    kind: str
    description: str
    default: object = None
    minimum: float | None = None
    strict_minimum: bool = False
    choices: tuple[str, ...] = field(default=())
    maximum: float | None = None
    default_text: str = ""
    strict_maximum: bool = False

    def as_column(self) -> Column:
        """The same rule, in the form the cell checker reads."""
        return Column(
            name=self.key,
            kind=self.kind,
            description=self.description,
            default=self.default,
            minimum=self.minimum,
            strict_minimum=self.strict_minimum,
            maximum=self.maximum,
            strict_maximum=self.strict_maximum,
            choices=self.choices,
            default_text=self.default_text,
        )


def _fmt(value: object) -> str:
    if isinstance(value, (int, float)) and abs(value) >= 1e6:
        return f"{value:.0e}".replace("e+", "e")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _id(name: str, description: str, refers_to: str | None = None, wildcard: bool = False,
        default: object = REQUIRED) -> Column:
    return Column(name, "id", description, default=default, refers_to=refers_to,
                  wildcard=wildcard)


def _ally_and_good(ally: str, good: str) -> tuple[Column, Column]:
    """The key of a sheet with one row per ally and good."""
    return _id("country", ally, "ally"), _id("good", good, "good")


MAX_AMOUNT = 1e15
"""Largest quantity or cost a cell may hold: HiGHS takes 1e20 and above as infinite, and
numbers near that are typing mistakes rather than data."""

MAX_PERIODS = 10_000
"""Longest horizon, lead time or ramp-up, in periods (daily periods over 27 years)."""

MAX_PERIODS_PER_YEAR = 8_784
"""Most periods in a year: hourly periods in a leap year."""

DAYS_PER_YEAR = 365.0
"""periods_per_year defaults to DAYS_PER_YEAR / period_days, rounded (halves up)."""


def _amount(name: str, description: str, unit: str, default: object = 0.0,
            strict: bool = False, default_text: str = "") -> Column:
    return Column(name, "number", description, default=default, unit=unit, minimum=0.0,
                  strict_minimum=strict, maximum=MAX_AMOUNT, default_text=default_text)


def _whole(name: str, description: str, unit: str = "periods", default: object = 0) -> Column:
    return Column(name, "integer", description, default=default, unit=unit, minimum=0,
                  maximum=MAX_PERIODS)


SETTINGS = (
    Setting("periods", "integer", "Number of periods in the planning horizon.",
            default=REQUIRED, minimum=1, maximum=MAX_PERIODS),
    Setting("period_unit", "text", "Name of one period, shown in reports.", default="month"),
    Setting("period_days", "number", "Days in one period (for days of cover and the default "
            "periods_per_year).",
            default=30.0, minimum=0.0, strict_minimum=True),
    Setting("currency", "text", "Currency of every cost, shown in reports.", default="USD"),
    Setting("capital_rate", "number", "Yearly cost of the money tied up in stock, as a "
            "fraction of purchase_cost; charged on every unit held, initial stock included.",
            default=0.05, minimum=0.0, maximum=1.0),
    Setting("periods_per_year", "number", "Periods in one year: weighs the scenario costs, "
            "which are per horizon, into a yearly figure (k = periods_per_year / periods).",
            default=None, minimum=0.0, strict_minimum=True, maximum=MAX_PERIODS_PER_YEAR,
            default_text="365 / period_days, rounded to the nearest whole number "
                         "(halves up)"),
    Setting("objective", "choice", "What the plan minimises besides its yearly cost F: "
            "'expected', k × the expected scenario cost; 'cvar', k × ((1 − risk_weight) × "
            "the expected scenario cost + risk_weight × its CVaR at cvar_alpha, the mean "
            "cost of the worst (1 − cvar_alpha) share of the probability); 'worst_case', "
            "k × the largest scenario cost.",
            default="expected", choices=("expected", "cvar", "worst_case")),
    Setting("cvar_alpha", "number", "objective cvar: the CVaR's level α; CVaR is the mean "
            "scenario cost over the worst 1 − α of the probability (0.9: the worst 10 %).",
            default=0.9, minimum=0.0, strict_minimum=True, maximum=1.0,
            strict_maximum=True),
    Setting("risk_weight", "number", "objective cvar: the weight λ of the CVaR against the "
            "expected scenario cost (0: expected cost only, 1: CVaR only).",
            default=0.5, minimum=0.0, maximum=1.0),
    Setting("fairness", "choice", "How the burden of a shortage is shared among the allies "
            "with demand for a good (on unmet demand): 'none' (the least-cost plan); "
            "'equal_shortage' (in every period and scenario each ally is short by the same "
            "fraction of its demand, IEA-style pro rata); 'maxmin' (the largest fraction "
            "short of any ally in any period is priced by fairness_weight).",
            default="none", choices=("none", "equal_shortage", "maxmin")),
    Setting("fairness_weight", "number", "maxmin only, and required there: the cost per "
            "year of the largest fraction short (0 to 1) of a good in a scenario, weighed "
            "by the scenario's probability like its costs (currency/year per unit of "
            "fraction).", default=None, minimum=0.0, maximum=MAX_AMOUNT,
            default_text="required with maxmin"),
    Setting("release_rule", "choice", "How stock is released: 'independent' (each ally "
            "draws what pays) or 'proportional' (the IEA's coordinated release: within a "
            "good, period and scenario, each ally holding a stockpile of the good and with "
            "demand for it draws its share of their total demand times the total drawn).",
            default="independent", choices=("independent", "proportional")),
    Setting("alliance_budget", "number", "Cap on the allies' yearly stage-one cost "
            "together (their stock and reserved spare capacity, as Countries budget counts "
            "it for one ally), in currency per year. It must pay for the yearly cost of "
            "every mandated floor (Stockpiles min).", default=None, minimum=0.0,
            maximum=MAX_AMOUNT, default_text="no cap"),
    Setting("alliance_purchase_budget", "number", "Cap on the allies' one-time stock "
            "purchases together (purchase_cost × units bought above the initial stock), in "
            "currency. It must pay for buying every mandated floor (Stockpiles min above "
            "initial).", default=None, minimum=0.0, maximum=MAX_AMOUNT,
            default_text="no cap"),
    Setting("max_origin_share", "number", "Normal-times cap on supplier concentration: in "
            "every scenario without Disruptions rows, no single non-ally origin may supply "
            "more than this share of an ally's imports of a good in any period.",
            default=None, minimum=0.0, strict_minimum=True, maximum=1.0,
            default_text="no cap"),
)

SHEETS = (
    Sheet(
        "Settings",
        "One setting a row: column 'key' names it, column 'value' holds it.",
        (
            Column("key", "text", "The setting's name.", default=REQUIRED),
            Column("value", "text", "The setting's value.", default=None),
        ),
        key=("key",),
        required=True,
    ),
    Sheet(
        "Countries",
        "Every country of the case: allies hold demand and decisions, suppliers only export.",
        (
            _id("country", "Country id.", default=REQUIRED),
            Column("role", "choice", "Allies hold demand and decisions; suppliers only export.",
                   default="ally", choices=("ally", "supplier")),
            _amount("budget", "Cap on this ally's yearly share of the stage-one cost: the "
                    "yearly cost of its stock (((capital_rate + loss_rate) × purchase_cost "
                    "+ holding_cost) × level) and of its reserved spare capacity. It must "
                    "pay for the yearly cost of the mandated floors (Stockpiles min).",
                    "currency/year", default=None, default_text="no cap"),
            _amount("purchase_budget", "Cap on this ally's one-time stock purchases: "
                    "purchase_cost × the units bought above the initial stock, summed over "
                    "its stockpiles. It must pay for buying the mandated floors (Stockpiles "
                    "min above initial).", "currency", default=None, default_text="no cap"),
        ),
        key=("country",),
        required=True,
    ),
    Sheet(
        "Goods",
        "Every critical good of the case.",
        (
            _id("good", "Good id."),
            Column("unit", "text", "Unit shown in reports (t, units, doses).", default="units"),
            _amount("shortage_penalty", "Cost of one unit of unmet demand.", "currency/unit",
                    default=REQUIRED, strict=True),
        ),
        key=("good",),
        required=True,
    ),
    Sheet(
        "Demand",
        "Normal-times demand of each ally for each good.",
        (
            *_ally_and_good("The ally with the demand.", "The good demanded."),
            _amount("demand", "Units needed each period.", "units/period", default=REQUIRED),
            _amount("shortage_penalty", "Overrides the good's penalty for this ally.",
                    "currency/unit", default=None, strict=True, default_text="good's"),
            Column("restraint_share", "number", "Most share of the period's demand (D × "
                   "surge factor) that can be restrained by policy (rationing, "
                   "substitution, deferral) at restraint_cost per unit instead of being "
                   "left short; restrained and short together are at most the demand.",
                   default=0.0, unit="fraction", minimum=0.0, maximum=1.0),
            _amount("restraint_cost", "Cost of one unit of demand restrained; required "
                    "with a restraint_share above 0.", "currency/unit", default=None,
                    default_text="required with a restraint_share"),
        ),
        key=("country", "good"),
        required=True,
    ),
    Sheet(
        "Production",
        "Domestic production of each ally, with the option to reserve spare capacity.",
        (
            *_ally_and_good("The producing ally.", "The good produced."),
            _amount("capacity", "Normal production capacity.", "units/period",
                    default=REQUIRED),
            _amount("unit_cost", "Cost of producing one unit.", "currency/unit"),
            _amount("spare_cost", "Yearly cost of reserving one unit/period of spare "
                    "capacity; blank: no spare option.", "currency/year per unit/period",
                    default=None, default_text="no spare option"),
            _amount("spare_max", "Most spare capacity that can be reserved.", "units/period"),
            _whole("ramp_periods", "Periods from a scenario's onset (its first disrupted "
                   "period) before reserved spare capacity can run."),
        ),
        key=("country", "good"),
    ),
    Sheet(
        "Recipes",
        "Inputs of processing steps: making one unit of 'good' uses 'ratio' units of "
        "'input' from the producer's own supply in the same period (its Production "
        "unit_cost is then the processing cost); one row per input. A row naming the "
        "ally overrides the '*' row of the same good and input only. The recipe graph "
        "(good → input) must have no cycle.",
        (
            _id("country", "The producing ally, or '*' for every ally that produces the "
                "good.", "ally", wildcard=True),
            _id("good", "The good made.", "good"),
            _id("input", "The good used up; differs from 'good'.", "good"),
            _amount("ratio", "Units of input per unit of good made.", "units/unit",
                    default=REQUIRED, strict=True),
        ),
        key=("country", "good", "input"),
    ),
    Sheet(
        "Imports",
        "Import routes in normal times, from any country into an ally; an ally as origin "
        "exports from its own supply (it cannot re-export what it never had).",
        (
            _id("origin", "Exporting country.", "country"),
            _id("destination", "Importing ally.", "ally"),
            _id("good", "The good imported.", "good"),
            _amount("volume", "Units available each period in normal times.", "units/period",
                    default=REQUIRED),
            _amount("unit_cost", "Cost of importing one unit.", "currency/unit"),
            _amount("extra_max", "Most extra volume that can be reserved on the route by a "
                    "supply contract (bought now, paid every year): the route then carries "
                    "up to factor × (volume + reserved) each period, hit by the same "
                    "export cuts.", "units/period"),
            _amount("extra_cost", "Yearly cost of reserving one unit/period of extra "
                    "volume; part of the destination ally's yearly budget. Blank: no "
                    "contract option.", "currency/year per unit/period", default=None,
                    default_text="no contract option"),
        ),
        key=("origin", "destination", "good"),
    ),
    Sheet(
        "Stockpiles",
        "Stockpile options: an ally without a row for a good holds none of it. Stock is "
        "drawn only in an emergency, from the scenario's onset (its first disrupted "
        "period), never in normal times.",
        (
            *_ally_and_good("The ally holding the stock.", "The good stocked."),
            _amount("initial", "Units already held (no purchase cost).", "units"),
            _amount("min", "Policy floor (a days-of-cover mandate).", "units"),
            _amount("min_days", "Policy floor in days of cover (JOGMEC: 60 days of use; "
                    "the IEA: 90 days of net imports): the stock must be at least "
                    "min_days / period_days × the basis per period; the floor is the "
                    "larger of this and min.", "days"),
            Column("min_days_basis", "choice", "What min_days counts: 'demand' (the "
                   "Demand sheet's demand per period) or 'net_imports' (the normal volumes "
                   "of every Imports route of the good into the ally less those out of it, "
                   "per period, at least 0).", default="demand",
                   choices=("demand", "net_imports")),
            _amount("max", "Storage limit; must be ≥ min.", "units", default=None,
                    default_text="no limit"),
            _amount("purchase_cost", "Cost of one unit bought above the initial stock.",
                    "currency/unit"),
            _amount("holding_cost", "Yearly cost of storing and insuring one unit (the "
                    "capital charge, capital_rate × purchase_cost, is separate).",
                    "currency/unit/year"),
            _amount("refill_cost", "Cost of buying back one unit drawn, after the "
                    "emergency.", "currency/unit", default=None,
                    default_text="purchase_cost"),
            Column("loss_rate", "number", "Yearly fraction of the stock lost to decay or "
                   "expiry and replaced: a cost only, the stock stays whole.", default=0.0,
                   unit="fraction/year", minimum=0.0, maximum=1.0),
            _amount("max_draw", "Most units released each period.", "units/period",
                    default=None, default_text="no limit"),
            _whole("release_lag", "Periods from a scenario's onset before stock can be "
                   "released."),
        ),
        key=("country", "good"),
    ),
    Sheet(
        "Sharing",
        "Emergency sharing links between allies: what leaves 'from' in period t reaches "
        "'to' in t + lead_periods. Links carry goods only in an emergency, from the "
        "scenario's onset (its first disrupted period), never in normal times.",
        (
            _id("from", "The ally that ships.", "ally"),
            _id("to", "The ally that receives; differs from 'from'.", "ally"),
            _id("good", "The good shared, or '*' for every good (a row naming the good "
                "overrides the '*' row).", "good", wildcard=True),
            _whole("lead_periods", "Periods in transit."),
            _amount("unit_cost", "Cost of shipping one unit.", "currency/unit"),
            _amount("capacity", "Most units shipped each period.", "units/period",
                    default=None, default_text="no limit"),
            _whole("activation_lag", "Periods from a scenario's onset before the link can "
                   "be used."),
        ),
        key=("from", "to", "good"),
    ),
    Sheet(
        "ShortageTiers",
        "Tiered shortage penalties (damage that grows faster than the units short): the "
        "first units short of a good at an ally cost the first tier's penalty, up to its "
        "share of the period's demand, then the next tier's, ...; the rest of the demand "
        "costs the Demand (or Goods) shortage_penalty, which must be at least every "
        "tier's. Rows of one good and country in order, penalties non-decreasing, shares "
        "summing to at most 1. Rows naming an ally replace the good's '*' rows for it.",
        (
            _id("good", "The good.", "good"),
            _id("country", "The ally, or '*' for every ally with demand for the good.",
                "ally", wildcard=True, default=ANY),
            Column("share", "number", "Share of the period's demand (D × surge factor) "
                   "short at this tier's penalty.", default=REQUIRED, unit="fraction",
                   minimum=0.0, strict_minimum=True, maximum=1.0),
            _amount("penalty", "Cost of one unit short in this tier.", "currency/unit",
                    default=REQUIRED, strict=True),
        ),
    ),
    Sheet(
        "Scenarios",
        "Disruption scenarios with their yearly probability; a scenario without "
        "disruption rows is normal times.",
        (
            _id("scenario", "Scenario id."),
            Column("probability", "number", "Chance per year; the column sums to 1 (±1e-6).",
                   default=REQUIRED, minimum=0.0, strict_minimum=True, maximum=1.0),
            Column("description", "text", "Text shown in reports.", default=""),
        ),
        key=("scenario",),
        required=True,
    ),
    Sheet(
        "Disruptions",
        "What each scenario does; several rows that hit the same flow in the same period "
        "multiply.",
        (
            _id("scenario", "The scenario this row belongs to.", "scenario"),
            Column("kind", "choice", "What is disrupted.", default=REQUIRED,
                   choices=("export_cut", "capacity_loss", "demand_surge")),
            _id("country", "export_cut: the origin; otherwise the ally hit; or '*'.",
                "country", wildcard=True),
            _id("partner", "export_cut only: the destination ally, or '*'.", "ally",
                wildcard=True, default=ANY),
            _id("good", "The good hit, or '*'.", "good", wildcard=True, default=ANY),
            Column("start", "integer", "First period hit.", default=1, unit="period",
                   minimum=1),
            Column("end", "integer", "Last period hit; ≥ start and ≤ periods.", default=None,
                   unit="period", minimum=1, default_text="periods"),
            _amount("factor", "Cut and loss: fraction of normal that remains, in [0, 1]; "
                    "surge: demand multiplier.", "fraction", default=REQUIRED),
        ),
    ),
)

SHEETS_BY_NAME = {sheet.name.lower(): sheet for sheet in SHEETS}
SETTINGS_BY_KEY = {setting.key: setting for setting in SETTINGS}
