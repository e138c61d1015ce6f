"""What the review, plan and measurement endpoints read and answer."""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from advisor.models import Lang
from advisor.plan_models import Plan, PlanKpi
from advisor.review.measurements import SaveResult
from advisor.review.models import (
    Attainment,
    ChartLimits,
    ChartPoint,
    Commitment,
    ForecastPoint,
    Position,
    Range,
    ReviewDirection,
    SignalOut,
    Status,
)
from web.contract.catalog import Out, SpeakQuery

PlanStatus = Literal["draft", "ready"]
QUARTER = r"^(19[0-9]{2}|20[0-9]{2}|2100)-Q[1-4]$"


def _quarter(text: str) -> str:
    if re.fullmatch(QUARTER, text) is None:
        raise ValueError("write the quarter as 2025-Q1: a year from 1900 to 2100, Q, then 1 to 4")
    return text


Quarter = Annotated[str, AfterValidator(_quarter),
                    WithJsonSchema({"type": "string", "pattern": QUARTER,
                                    "examples": ["2025-Q1"]})]
BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


class FlagOut(Out):
    """A remark a rule attached to the KPI."""

    code: str
    rule: str
    message: str


class SuggestionOut(Out):
    """What to do with the target, the levels to choose from and the rule that decided it."""

    action: Literal["raise", "lower", "keep", "investigate", "change_process"]
    target: float | None
    committed_target: float | None = Field(description="Met about 80% of the time.")
    committed_probability: float | None
    stretch_target: float | None = Field(description="Met about 40% of the time.")
    stretch_probability: float | None
    rule: str
    explanation: str


class KpiReviewOut(Out):
    """The review of one KPI; without enough data only status and message say anything."""

    kpi_id: str | None
    name: str
    status: Status
    direction: ReviewDirection
    unit: str | None
    frequency: str | None
    commitment: Commitment
    target: float | None
    target_low: float | None
    target_high: float | None
    points: int = Field(ge=0)
    basis: Literal["values", "season_adjusted", "forecast_residuals"] | None
    trend: bool | None
    seasonal: bool | None
    limits: ChartLimits | None
    natural_range_next: Range | None
    baseline_periods: list[str]
    signals: list[SignalOut]
    forecast: list[ForecastPoint]
    probability_of_target: float | None = Field(ge=0, le=1)
    target_position: Position | None
    attainment: Attainment | None
    comment_required: bool
    missing_periods: list[str]
    chart: list[ChartPoint]
    message: str | None
    basis_note: str | None
    flags: list[FlagOut]
    suggestion: SuggestionOut | None


class ReviewAnswer(Out):
    """The reviews of the KPIs sent, in request order."""

    lang: Lang
    kpis: list[KpiReviewOut]


class TargetChangeOut(Out):
    """A target a review set: the KPI, the level it came from, the old and the new target and
    the plan version that holds it (the version before keeps the old target)."""

    plan_kpi_id: int
    quarter: str
    level: Literal["committed", "stretch"]
    old_target: float | None
    new_target: float
    plan_version: int = Field(ge=1)
    changed_at: str
    changed_by: str | None = Field(None, description="The name of who applied it (None: "
                                   "applied before accounts or by an unattended job).")


class PlanKpiReviewOut(KpiReviewOut):
    """One plan KPI's review with its row id, the team's comment and the targets this
    quarter's review set."""

    plan_kpi_id: int
    comment: str
    target_changes: list[TargetChangeOut]


class PlanReviewOut(Out):
    """A plan's quarterly review from its stored measurements."""

    plan_id: int
    org_name: str | None
    quarter: str | None = Field(description="null while the plan has no measurements")
    quarters: list[str] = Field(description="Quarters with measurements, newest first.")
    status: Literal["open", "done"]
    done_at: str | None
    lang: Lang
    kpis: list[PlanKpiReviewOut]


class PlanSummary(Out):
    """A stored plan in the list."""

    id: int
    org_name: str | None
    status: PlanStatus
    created: str
    updated: str
    kpis: int = Field(ge=0, description="How many KPIs it has.")


class Plans(Out):
    """Every stored plan, newest first."""

    plans: list[PlanSummary]


class StoredPlanKpi(PlanKpi):
    """A stored plan's KPI with the row id that addresses its measurements."""

    plan_kpi_id: int


class StoredPlanBody(Plan):
    """A stored plan's content; fields left empty are left out."""

    kpis: list[StoredPlanKpi]  # type: ignore[assignment]  # a subclass list: see PlanBody


class StoredPlan(Out):
    """A stored plan with its state."""

    id: int
    status: PlanStatus
    created: str
    updated: str
    plan: StoredPlanBody


class MeasurementOut(Out):
    """One stored measurement (replaced ones carry replaced_at)."""

    id: int
    plan_kpi_id: int
    position: int = Field(ge=0, description="The KPI's place in the plan.")
    period: str
    period_key: int
    value: float | None = Field(description="null when the stored value cannot be used "
                                "(written before today's limits); the review says so")
    target: float | None
    note: str | None
    exclude: bool = Field(description="true: an assignable cause, left out of limits and "
                          "forecasts (the note says why)")
    source: str | None
    recorded_at: str
    replaced_at: str | None
    recorded_by: str | None = Field(
        None, description="Name of the person who recorded the value (none: before accounts).")


class Measurements(Out):
    """A plan's measurements by KPI and period."""

    plan_id: int
    measurements: list[MeasurementOut]


class SaveAnswer(SaveResult):
    """What a save did: rows added, rows that replaced a stored value, rows already stored."""

    model_config = ConfigDict(extra="forbid")


class MeasurementRow(BaseModel):
    """One measurement to store."""

    model_config = ConfigDict(extra="forbid")

    kpi: str = Field(description="The KPI's catalog id, its name in the plan, or its catalog "
                     "name in either language.", json_schema_extra={"pattern": r"\S"})
    period: str = Field(examples=["2025-03", "2025-Q1", "2025-W07", "2025-03-15"],
                        description="A month, quarter, ISO week or day, as the KPI's "
                        "frequency asks.")
    value: float | str = Field(description="A number; as text, 12.5 or 12,5 (no thousands "
                               "separators).")
    target: float | str | None = None
    note: str | None = Field(default=None, max_length=500)
    exclude: bool | str | None = Field(
        default=None, description="true: the period had an assignable cause (a strike, "
        "lockdown, stock-out, outage) and is left out of limits and forecasts; false: it "
        "counts again; left out: a stored mark is kept. As text: yes/no, true/false, 1/0, x.")


class MeasurementsBody(BaseModel):
    """Measurements to store: all of them, or none."""

    model_config = ConfigDict(extra="forbid")

    measurements: list[MeasurementRow] = Field(min_length=1)


class ImportBody(BaseModel):
    """A CSV or XLSX file sent as JSON, its bytes in base64."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=255, examples=["measurements.csv"],
                          description="Ends in .csv or .xlsx.")
    content_base64: str = Field(json_schema_extra={"contentEncoding": "base64",
                                                   "pattern": BASE64})


class ImportForm(BaseModel):
    """A CSV or XLSX file sent as multipart/form-data."""

    file: bytes = Field(description="CSV (UTF-8; comma, semicolon or tab) or XLSX.")


class ImportQuery(SpeakQuery):
    """The language of the answer, and whether a KPI may take the file's frequency."""

    set_frequency: Literal["0", "1", "false", "true"] = Field(
        default="0", description="1: a KPI whose rows all have one frequency other than the "
        "plan's (monthly values for a weekly KPI) takes the file's frequency, in the same "
        "transaction as the rows; 0: that is a 422 problem, one per KPI, naming this fix.")


class MeasurementsQuery(BaseModel):
    """Whether replaced values come too."""

    history: Literal["true", "false"] = Field(default="false",
                                              description="true: replaced values too.")


class ApplyBody(BaseModel):
    """Which KPI's next target to set, to which level of which quarter's review."""

    model_config = ConfigDict(extra="forbid")

    plan_kpi_id: int = Field(ge=1, le=2**63 - 1, description="The KPI's row id in the plan.")
    level: Literal["committed", "stretch"] = Field(description="committed: met about 80% "
                                                   "of the time; stretch: about 40%.")
    quarter: Quarter | None = Field(default=None, description="Default: the latest quarter "
                                    "with measurements.")


class ReviewQuery(SpeakQuery):
    """Which quarter to review, in which language."""

    quarter: Quarter | None = Field(default=None, description="Default: the latest quarter "
                                    "with measurements.")
