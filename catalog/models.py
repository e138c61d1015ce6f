"""Strict models for catalog entries, parsed from the data files before anything uses them."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from catalog.vocab import (
    CHANNELS,
    DATA_SOURCES,
    GOALS,
    UNIT_RANGES,
    Department,
    Direction,
    Frequency,
    Indicator,
    Perspective,
    Unit,
)

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
KpiId = Annotated[str, StringConstraints(pattern=r"^(sales|marketing|branding)\.[a-z0-9_]+$")]


class Text(BaseModel):
    """A piece of text in Vietnamese and English; both are required."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    vi: NonEmpty
    en: NonEmpty

    def pick(self, lang: str) -> str:
        """Return the text in `lang` ("vi" or "en")."""
        return self.vi if lang == "vi" else self.en


class Benchmark(BaseModel):
    """A typical range published by a named public source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    low: float
    high: float
    context: Text
    source: NonEmpty

    @field_validator("high")
    @classmethod
    def _high_not_below_low(cls, high: float, info) -> float:
        low = info.data.get("low")
        if low is not None and high < low:
            raise ValueError("high must not be below low")
        return high


class ValueRange(BaseModel):
    """The values a KPI can take when they differ from its unit's (an omitted end: no limit)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    low: float | None = None
    high: float | None = None

    @field_validator("high")
    @classmethod
    def _high_above_low(cls, high: float | None, info) -> float | None:
        low = info.data.get("low")
        if low is not None and high is not None and high <= low:
            raise ValueError("high must be above low")
        return high


class Kpi(BaseModel):
    """One catalog KPI with everything a consultant needs to choose and run it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: KpiId
    department: Department
    name: Text
    aliases: list[Text] = Field(default_factory=list)
    definition: Text
    formula: Text
    unit: Unit
    direction: Direction
    financial: bool
    perspective: Perspective
    indicator: Indicator
    frequency: Frequency
    # Alternatives: any one of these systems can supply the KPI; the usual one comes first.
    data_sources: list[str] = Field(min_length=1)
    channels: list[str] = Field(default_factory=list)
    owner_role: Text
    goals: list[str] = Field(min_length=1)
    pitfalls: list[Text] = Field(min_length=1)
    counter_kpis: list[KpiId] = Field(default_factory=list)
    related: list[KpiId] = Field(default_factory=list)
    benchmarks: list[Benchmark] = Field(default_factory=list)
    # Only where the unit's range is wrong for this KPI (growth below 0, retention over 100%).
    value_range: ValueRange | None = None
    seed: bool = False

    def overlaps(self, other: "Kpi") -> bool:
        """Return True when either KPI lists the other as related (they measure the same)."""
        return other.id in self.related or self.id in other.related

    def bounds(self) -> tuple[float | None, float | None]:
        """Return the lowest and highest value this KPI can take (None: no limit)."""
        if self.value_range is not None:
            return self.value_range.low, self.value_range.high
        return UNIT_RANGES[self.unit]

    @field_validator("goals")
    @classmethod
    def _known_goals(cls, goals: list[str]) -> list[str]:
        return _check_words(goals, GOALS, "goal")

    @field_validator("data_sources")
    @classmethod
    def _known_sources(cls, sources: list[str]) -> list[str]:
        return _check_words(sources, DATA_SOURCES, "data source")

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, channels: list[str]) -> list[str]:
        return _check_words(channels, CHANNELS, "channel")


def _check_words(words: list[str], allowed: tuple[str, ...], what: str) -> list[str]:
    """Return `words` unchanged, or raise naming the first word not in `allowed`."""
    for word in words:
        if word not in allowed:
            raise ValueError(f"unknown {what} {word!r}; allowed: {', '.join(allowed)}")
    if len(set(words)) != len(words):
        raise ValueError(f"duplicate {what} in {words}")
    return words


class CatalogFile(BaseModel):
    """The content of one department's data file."""

    model_config = ConfigDict(extra="forbid")

    department: Department
    kpis: list[Kpi] = Field(min_length=1)


def value_bounds(unit: str | None, entry: Kpi | None) -> tuple[float | None, float | None]:
    """Return the lowest and highest value a KPI can take: the catalog KPI's own range when
    the plan keeps its unit, else the unit's (None: no limit)."""
    if entry is not None and unit in (None, entry.unit):
        return entry.bounds()
    return UNIT_RANGES.get(unit or "", (None, None))
