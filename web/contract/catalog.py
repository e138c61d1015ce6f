"""What the catalog endpoints read and answer. A text field is {vi, en} when the request names
no language and a plain string in the language it names, so each answer has both shapes."""

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from advisor.models import Goal, Lang
from catalog.models import Text
from catalog.vocab import ChangePace, Department, Direction, Frequency, Indicator, Perspective, Unit

TextT = TypeVar("TextT", Text, str)


class Out(BaseModel):
    """An answer's part: exactly the fields declared, nothing else."""

    model_config = ConfigDict(extra="forbid")


class LangQuery(BaseModel):
    """The query of an answer whose text can come in one language."""

    lang: Lang | None = Field(default=None, description="Language of text fields; without it "
                              "each text comes as {vi, en}.")


class SpeakQuery(BaseModel):
    """The query of an answer in one language: messages and explanations."""

    lang: Lang | None = Field(default=None, description="Language of messages and "
                              "explanations; default: the server's.")


class BenchmarkOut(Out, Generic[TextT]):
    """A typical range published by a named source."""

    low: float
    high: float
    context: TextT
    source: str


class ValueRangeOut(Out):
    """The values the KPI can take (null: no limit on that side)."""

    low: float | None
    high: float | None


class ContextOut(Out, Generic[TextT]):
    """Conditions on the client's context (each listed one must hold)."""

    industries: list[str]
    revenue_models: list[str]
    business_models: list[str]
    sales_motions: list[str]
    channels: list[str]
    stages: list[str]
    sizes: list[str]
    why: TextT | None = None


class KpiItem(Out, Generic[TextT]):
    """One catalog KPI with every field."""

    id: str
    department: Department
    name: TextT
    definition: TextT
    formula: TextT
    unit: Unit
    direction: Direction
    financial: bool
    perspective: Perspective
    indicator: Indicator
    frequency: Frequency
    data_sources: list[str] = Field(description="Any one of these can supply the KPI.")
    channels: list[str]
    owner_role: TextT
    goals: list[Goal]
    pitfalls: list[TextT]
    counter_kpis: list[str]
    related: list[str]
    benchmarks: list[BenchmarkOut[TextT]]
    value_range: ValueRangeOut
    data_requirements: list[list[str]] = Field(
        description="Groups of data sources; each group must be met by one of its sources.")
    fits: ContextOut[TextT] | None
    misfits: list[ContextOut[TextT]]
    primary_goal: Goal | None
    headline_for: list[Goal]
    measures: str | None
    change_pace: ChangePace | None


class Kpi(KpiItem[Text]):
    """A catalog KPI, its texts in Vietnamese and English."""


class KpiInLang(KpiItem[str]):
    """A catalog KPI, its texts in the language asked for."""


class Page(Out):
    """Where a page of search results stands in the whole."""

    total: int = Field(ge=0, description="Matches in all.")
    limit: int = Field(ge=1, le=200)
    offset: int = Field(ge=0)


class KpiPage(Page):
    """A page of KPIs, texts in Vietnamese and English."""

    items: list[Kpi]


class KpiPageInLang(Page):
    """A page of KPIs, texts in the language asked for."""

    items: list[KpiInLang]
