"""Strict models for catalog entries, parsed from the data files before anything uses them."""

from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from catalog.vocab import (
    BUSINESS_MODELS,
    CHANNELS,
    DATA_SOURCES,
    GOALS,
    INDUSTRIES,
    REVENUE_MODELS,
    SALES_MOTIONS,
    SIZES,
    STAGES,
    UNIT_RANGES,
    ChangePace,
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


ConceptKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
# The answers a fit condition can name, with the vocabulary of each.
CONTEXT_WORDS: dict[str, tuple[str, ...]] = {
    "industries": INDUSTRIES, "revenue_models": REVENUE_MODELS,
    "business_models": BUSINESS_MODELS, "sales_motions": SALES_MOTIONS, "channels": CHANNELS,
    "stages": STAGES, "sizes": SIZES,
}

_SINGULAR = {"industries": "industry", "revenue_models": "revenue model",
             "business_models": "business model", "sales_motions": "sales motion",
             "channels": "channel", "stages": "stage", "sizes": "size"}


class Context(BaseModel):
    """Conditions on the client's context; each listed one must hold (channels: one in use)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    industries: list[str] = Field(default_factory=list)
    revenue_models: list[str] = Field(default_factory=list)
    business_models: list[str] = Field(default_factory=list)
    sales_motions: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    stages: list[str] = Field(default_factory=list)
    sizes: list[str] = Field(default_factory=list)

    @field_validator(*CONTEXT_WORDS)
    @classmethod
    def _known_words(cls, words: list[str], info) -> list[str]:
        return _check_words(words, CONTEXT_WORDS[info.field_name], _SINGULAR[info.field_name])

    def conditions(self) -> dict[str, list[str]]:
        """Return the conditions that are set, by answer name."""
        return {name: getattr(self, name) for name in CONTEXT_WORDS if getattr(self, name)}


class Fit(Context):
    """Where a KPI applies; outside it the KPI is never chosen. `why` says it to the user."""

    why: Text | None = None


class Misfit(Context):
    """A context in which the KPI misleads (every listed condition holds), and why."""

    why: Text

    @model_validator(mode="after")
    def _names_a_condition(self) -> "Misfit":
        if not self.conditions():
            raise ValueError("a misfit names at least one condition")
        return self


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
    # Every group must be met by one of its sources (default: one of data_sources).
    data_requirements: list[list[str]] | None = None
    fits: Fit | None = None
    misfits: list[Misfit] = Field(default_factory=list)
    # What the KPI is for and what it measures: every entry states them (a reason that says
    # "main purpose" names primary_goal; two KPIs of one `measures` concept are never both chosen).
    primary_goal: str
    headline_for: list[str] = Field(default_factory=list)
    measures: ConceptKey
    change_pace: ChangePace

    def overlaps(self, other: "Kpi") -> bool:
        """Return True when the two KPIs measure the same thing: the same concept, or either
        lists the other as related."""
        if self.measures is not None and self.measures == other.measures:
            return True
        return other.id in self.related or self.id in other.related

    def requirements(self) -> list[list[str]]:
        """Return the data-source groups that must each be met by one of their sources."""
        if self.data_requirements is not None:
            return self.data_requirements
        return [list(self.data_sources)]

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

    @field_validator("headline_for")
    @classmethod
    def _known_headline_goals(cls, goals: list[str]) -> list[str]:
        return _check_words(goals, GOALS, "goal")

    @model_validator(mode="after")
    def _goals_and_sources_agree(self) -> "Kpi":
        if self.primary_goal not in self.goals:
            raise ValueError(f"primary_goal {self.primary_goal!r} must be one of goals")
        stray = [g for g in self.headline_for if g not in self.goals]
        if stray:
            raise ValueError(f"headline_for {stray} must be among goals")
        for group in self.data_requirements or []:
            if not group:
                raise ValueError("data_requirements: a group names at least one source")
            outside = [s for s in group if s not in self.data_sources]
            if outside:
                raise ValueError(f"data_requirements: {outside} must be among data_sources")
        return self


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
