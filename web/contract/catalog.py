"""What the catalog endpoints read and answer. A text field is {vi, en} when the request names
no language and a plain string in the language it names, so each answer has both shapes."""

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from advisor.models import (
    BusinessModel,
    Channel,
    DataSource,
    Goal,
    Industry,
    Lang,
    RevenueModel,
    SalesMotion,
    Size,
    Stage,
)
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
    """Conditions on the client's context, each on one interview answer: every listed one must
    hold (channels: one of them in use); an empty list sets no condition."""

    industries: list[Industry]
    revenue_models: list[RevenueModel]
    business_models: list[BusinessModel]
    sales_motions: list[SalesMotion]
    channels: list[Channel]
    stages: list[Stage]
    sizes: list[Size]
    why: TextT | None = Field(default=None, description="Why, for the user: where the KPI "
                              "applies, or how it misleads there.")


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
    data_sources: list[DataSource] = Field(description="Every source that can supply part "
                                           "of the KPI; `data_requirements` says which it "
                                           "needs together.")
    channels: list[Channel]
    owner_role: TextT
    goals: list[Goal]
    pitfalls: list[TextT]
    counter_kpis: list[str]
    related: list[str]
    benchmarks: list[BenchmarkOut[TextT]]
    value_range: ValueRangeOut
    data_requirements: list[list[DataSource]] = Field(
        description="Groups of data sources, all needed: each group is met by any one of its "
                    "sources (`[[crm, loyalty_program]]`: either; `[[pos], "
                    "[footfall_counter]]`: both).")
    fits: ContextOut[TextT] | None = Field(description="Where the KPI applies; null: any "
                                           "client. Outside it the KPI is not recommended.")
    misfits: list[ContextOut[TextT]] = Field(description="Contexts in which the KPI "
                                             "misleads (all of a misfit's conditions hold), "
                                             "each with why.")
    primary_goal: Goal = Field(description="The one goal the KPI exists for.")
    headline_for: list[Goal] = Field(description="Goals for which it is the headline outcome "
                                     "its department reports.")
    measures: str = Field(description="The concept it measures, shared across departments: "
                          "two KPIs of one concept are never both chosen.")
    change_pace: ChangePace


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
