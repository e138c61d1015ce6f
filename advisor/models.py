"""The interview's answers as strict models, shared by the interview and the recommendation."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from catalog.vocab import (
    CHANNELS,
    DATA_SOURCES,
    Channel,
    DataSource,
    Department,
    Goal,
    Industry,
    RevenueModel,
)

Lang = Literal["vi", "en"]
DepartmentName = Department
BusinessModel = Literal["b2b", "b2c", "both"]
Stage = Literal["startup", "growth", "mature"]
Size = Literal["micro", "small", "medium", "large"]
SalesMotion = Literal["field", "inside", "self_serve", "retail", "mixed"]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]
KpiRef = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)]


UNIQUE_LISTS = ("goals", "departments", "channels", "data_sources", "keep")


def state_unique_lists(schema: dict) -> None:
    """Say in the JSON schema what _no_duplicates checks: each value at most once."""
    for name in UNIQUE_LISTS:
        field = schema["properties"].get(name, {})
        for branch in (field, *field.get("anyOf", ())):
            if branch.get("type") == "array":
                branch["uniqueItems"] = True


class Answers(BaseModel):
    """Answers given so far; every field is optional until a recommendation needs it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=state_unique_lists)

    org_name: ShortText | None = None
    goals: list[Goal] | None = Field(default=None, max_length=12)
    departments: list[DepartmentName] | None = Field(default=None, max_length=3)
    industry: Industry | None = None
    revenue_model: RevenueModel | None = None
    business_model: BusinessModel | None = None
    stage: Stage | None = None
    size: Size | None = None
    sales_motion: SalesMotion | None = None
    channels: list[Channel] | None = Field(default=None, max_length=len(CHANNELS))
    email_list_size: int | None = Field(default=None, ge=0, le=100_000_000)
    monthly_ad_budget: float | None = Field(default=None, ge=0, le=1e12)
    data_sources: list[DataSource] | None = Field(default=None, max_length=len(DATA_SOURCES))
    max_kpis_per_department: int | None = Field(default=None, ge=1, le=12)
    keep: list[KpiRef] | None = Field(default=None, max_length=36)

    @field_validator(*UNIQUE_LISTS)
    @classmethod
    def _no_duplicates(cls, values: list[str] | None) -> list[str] | None:
        if values is not None and len(set(values)) != len(values):
            raise ValueError("lists each value at most once")
        return values

    def given(self) -> dict:
        """Return only the answers that were given."""
        return self.model_dump(exclude_none=True)


class RecommendRequest(Answers):
    """What a recommendation needs: at least the goals and the departments."""

    goals: list[Goal] = Field(min_length=1, max_length=12)
    departments: list[DepartmentName] = Field(min_length=1, max_length=3)
    max_kpis_per_department: int | None = Field(default=None, ge=1, le=12)
    lang: Lang = "vi"
