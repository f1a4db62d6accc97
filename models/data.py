"""The validated case: plain data, no Pyomo, no Excel.

Everything here has passed validation: ids refer to what exists, numbers are in range,
defaults are filled in and ``*`` in Sharing is expanded. Keys are tuples of ids, in the
order of the input sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ANY = "*"
"""In an id column that allows it, ``*`` means "every"."""


@dataclass(frozen=True)
class Settings:
    periods: int
    period_unit: str = "month"
    period_days: float = 30.0
    currency: str = "USD"


@dataclass(frozen=True)
class Country:
    role: str
    budget: float | None = None

    @property
    def is_ally(self) -> bool:
        return self.role == "ally"


@dataclass(frozen=True)
class Good:
    unit: str
    shortage_penalty: float


@dataclass(frozen=True)
class Demand:
    demand: float
    shortage_penalty: float


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
    volume: float
    unit_cost: float = 0.0


@dataclass(frozen=True)
class Stockpile:
    initial: float = 0.0
    min: float = 0.0
    max: float | None = None
    purchase_cost: float = 0.0
    holding_cost: float = 0.0


@dataclass(frozen=True)
class SharingLink:
    lead_periods: int = 0
    unit_cost: float = 0.0
    capacity: float | None = None


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

    @property
    def allies(self) -> list[str]:
        return [name for name, country in self.countries.items() if country.is_ally]

    @property
    def periods(self) -> range:
        return range(1, self.settings.periods + 1)
