"""A KPI plan as the SMART check, the wizard and the review see it."""

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from advisor.models import DataSource, DepartmentName, Goal, Lang
from advisor.values import Number
from catalog.vocab import Direction, Frequency, Stage, Unit

Text120 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]
Text500 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Commitment = Literal["committed", "aspirational"]


class Milestone(BaseModel):
    """A checkpoint on the way to a KPI's target: the level to reach by a date."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date
    target: Number


class PlanKpi(BaseModel):
    """One KPI of a plan; every field is optional because the check says what is missing."""

    model_config = ConfigDict(extra="forbid")

    kpi_id: Text120 | None = None
    name: Text120 | None = None
    department: DepartmentName | None = None
    statement: Text500 | None = None
    scope: Text120 | None = None
    unit: Unit | None = None
    direction: Direction | None = None
    baseline: Number | None = None
    baseline_date: dt.date | None = None
    target: Number | None = None
    target_low: Number | None = None
    target_high: Number | None = None
    deadline: dt.date | None = None
    frequency: Frequency | None = None
    data_source: DataSource | None = None
    owner: Text120 | None = None
    report_to: Text120 | None = None
    goals: list[Goal] | None = None
    commitment: Commitment | None = None
    history: list[Number] | None = Field(default=None, max_length=520)
    milestones: list[Milestone] | None = Field(default=None, max_length=60)

    @field_validator("kpi_id", "name", "statement", "scope", "owner", "report_to",
                     mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _range_has_both_ends(self) -> "PlanKpi":
        """Refuse a target range with only one end, naming the end that is missing."""
        if (self.target_low is None) == (self.target_high is None):
            return self
        missing, given = (("target_low", "target_high") if self.target_low is None
                          else ("target_high", "target_low"))
        raise ValidationError.from_exception_data("PlanKpi", [InitErrorDetails(
            type=PydanticCustomError(
                "range_end", "a target range needs both ends: give {missing} as well as "
                "{given} (or leave both out and give target)",
                {"missing": missing, "given": given}),
            loc=(missing,), input=None)])


class Plan(BaseModel):
    """A whole plan: the client's context plus its KPIs."""

    model_config = ConfigDict(extra="forbid")

    org_name: Text120 | None = None
    goals: list[Goal] = Field(default_factory=list, max_length=12)
    departments: list[DepartmentName] = Field(default_factory=list, max_length=3)
    data_sources: list[DataSource] | None = None
    max_kpis_per_owner: int = Field(default=7, ge=1, le=50)
    kpis: list[PlanKpi] = Field(min_length=1, max_length=200)
    lang: Lang = "vi"
    as_of: dt.date | None = None
    # Where the client is (startup, growth, mature): how fast outcomes can plausibly move.
    stage: Stage | None = None
