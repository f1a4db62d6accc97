"""The validated case: plain data, no Pyomo, no Excel.

Everything here has passed validation: ids refer to what exists, numbers are in range,
defaults are filled in and ``*`` in Sharing is expanded. Keys are tuples of ids, in the
order of the input sheet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

ANY = "*"
"""In an id column that allows it, ``*`` means "every"."""


@dataclass(frozen=True)
class Settings:
    """periods_per_year is always resolved (validation fills in its default,
    `default_periods_per_year`); k = periods_per_year / periods weighs the scenario
    costs, which are per horizon, into a yearly figure. objective (``expected``,
    ``cvar``, ``worst_case``), cvar_alpha α and risk_weight λ choose the measure of the
    scenario costs (`models.risk`)."""

    periods: int
    period_unit: str = "month"
    period_days: float = 30.0
    currency: str = "USD"
    capital_rate: float = 0.05
    periods_per_year: float = 12.0
    objective: str = "expected"
    cvar_alpha: float = 0.9
    risk_weight: float = 0.5
    fairness: str = "none"
    fairness_weight: float | None = None
    release_rule: str = "independent"
    alliance_budget: float | None = None
    """Cap on the allies' stage-one cost F together, per year (None: no cap)."""
    alliance_purchase_budget: float | None = None
    """Cap on the allies' one-time stock purchases together (None: no cap)."""
    max_origin_share: float | None = None
    """Normal-times cap on any single non-ally origin's share of an ally's imports of a
    good (`models.concentration`); None: no cap."""

    @property
    def horizon_weight(self) -> float:
        """k = periods_per_year / H."""
        return self.periods_per_year / self.periods


def default_periods_per_year(period_days: float) -> int:
    """365 / period_days rounded to the nearest whole number, halves up."""
    return math.floor(365.0 / period_days + 0.5)


@dataclass(frozen=True)
class Country:
    role: str
    budget: float | None = None
    purchase_budget: float | None = None
    """Cap on this ally's one-time stock purchases Σ purchase_cost · bought."""

    @property
    def is_ally(self) -> bool:
        return self.role == "ally"


@dataclass(frozen=True)
class Good:
    unit: str
    shortage_penalty: float


@dataclass(frozen=True)
class Demand:
    """restraint_share r of demand may be restrained (cut by policy) at restraint_cost
    per unit (`models.restraint`); r = 0: no restraint option."""

    demand: float
    shortage_penalty: float
    restraint_share: float = 0.0
    restraint_cost: float = 0.0


@dataclass(frozen=True)
class Production:
    capacity: float
    unit_cost: float = 0.0
    spare_cost: float | None = None
    spare_max: float = 0.0
    ramp_periods: int = 0

    @property
    def has_spare_option(self) -> bool:
        return self.spare_cost is not None and self.spare_max > 0


@dataclass(frozen=True)
class ImportRoute:
    """extra_cost None: no reserved-contract option on the route (`models.contracts`)."""

    volume: float
    unit_cost: float = 0.0
    extra_max: float = 0.0
    extra_cost: float | None = None

    @property
    def has_extra_option(self) -> bool:
        return self.extra_cost is not None and self.extra_max > 0


@dataclass(frozen=True)
class Stockpile:
    """holding_cost is storage and insurance alone; the capital charge is
    Settings.capital_rate × purchase_cost. refill_cost is resolved (blank: the
    purchase cost); max_draw None means no release limit."""

    initial: float = 0.0
    min: float = 0.0
    max: float | None = None
    purchase_cost: float = 0.0
    holding_cost: float = 0.0
    refill_cost: float = 0.0
    loss_rate: float = 0.0
    max_draw: float | None = None
    release_lag: int = 0
    min_days: float = 0.0
    min_days_basis: str = "demand"
    """min is the effective floor, max(the sheet's min, min_days / period_days · basis)
    (`models.floors`); min_days and its basis are kept for the report."""

    def yearly_cost_per_unit(self, capital_rate: float) -> float:
        """(r + δ) · purchase_cost + holding_cost: what one unit held costs a year."""
        return (capital_rate + self.loss_rate) * self.purchase_cost + self.holding_cost

    @property
    def floor_purchase(self) -> float:
        """purchase_cost · max(0, min − initial): what the mandated floor costs to buy."""
        return self.purchase_cost * max(0.0, self.min - self.initial)


@dataclass(frozen=True)
class SharingLink:
    lead_periods: int = 0
    unit_cost: float = 0.0
    capacity: float | None = None
    activation_lag: int = 0


@dataclass(frozen=True)
class Scenario:
    probability: float
    description: str = ""


@dataclass(frozen=True)
class Disruption:
    """One Disruptions row; ``*`` kept as is, periods inclusive."""

    scenario: str
    kind: str
    country: str
    partner: str
    good: str
    start: int
    end: int
    factor: float


@dataclass
class Case:
    name: str
    settings: Settings
    countries: dict[str, Country]
    goods: dict[str, Good]
    demand: dict[tuple[str, str], Demand] = field(default_factory=dict)
    production: dict[tuple[str, str], Production] = field(default_factory=dict)
    imports: dict[tuple[str, str, str], ImportRoute] = field(default_factory=dict)
    stockpiles: dict[tuple[str, str], Stockpile] = field(default_factory=dict)
    sharing: dict[tuple[str, str, str], SharingLink] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    disruptions: list[Disruption] = field(default_factory=list)
    recipes: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    """(ally, good) of a Production entry → {input good: units of input per unit made};
    '*' rows expanded over the good's producers, a row naming the ally overriding the
    '*' row of the same good and input."""
    tiers: dict[tuple[str, str], tuple[tuple[float, float], ...]] = field(default_factory=dict)
    """(ally, good) with demand → its ShortageTiers as (share of demand, penalty), in row
    order (`models.tiers`); '*' rows expanded over the good's allies with demand, the rows
    naming an ally replacing every '*' row of the good for that ally."""

    @property
    def allies(self) -> list[str]:
        return [name for name, country in self.countries.items() if country.is_ally]

    @property
    def periods(self) -> range:
        return range(1, self.settings.periods + 1)
