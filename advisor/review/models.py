"""What a review takes in and gives back: KPI histories in; limits, forecasts, suggestions out."""

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from advisor.models import Lang
from advisor.values import MAX_MAGNITUDE, Number
from catalog.models import ValueRange
from catalog.vocab import Unit

ReviewDirection = Literal["higher_is_better", "lower_is_better", "in_range"]
ReviewFrequency = Literal["daily", "weekly", "monthly", "quarterly"]
Commitment = Literal["committed", "aspirational"]
Action = Literal["raise", "lower", "keep", "investigate", "change_process"]
Status = Literal["ok", "insufficient_data", "unusable_data"]
Position = Literal["beyond_favourable", "inside", "beyond_unfavourable"]
Finite = Number  # finite and within ±MAX_MAGNITUDE (advisor/values.py)
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Basis = Literal["values", "season_adjusted", "forecast_residuals"]

# Ten years of weekly values: more than any review reads (limits use at most 24 values, the
# seasonal check two years of the KPI's frequency).
MAX_POINTS = 520
MAX_KPIS = 200
# The work one review request may ask for. Measured on this 2-core machine, 110 KPIs × 520
# points (57,200) took 3.6 s and 200 × 60 (12,000, bench/bench_review_speed.py) 0.68 s, about
# 60 µs a point; 20,000 points keep one request near 1.2 s, while 200 KPIs of 100 points fit.
MAX_TOTAL_POINTS = 20_000


class HistoryPoint(BaseModel):
    """One measured period: its label, value, (optionally) the target it had, and whether it is
    excluded as an assignable cause (a strike, lockdown, stock-out or outage) with a note."""

    model_config = ConfigDict(extra="forbid")

    period: Label
    value: Finite
    target: Finite | None = None
    # An excluded period is left out of limits and forecasts and shown as excluded.
    exclude: bool = False
    note: Note | None = None


class ReviewKpi(BaseModel):
    """One KPI to review: how to read it, its target and its measured history."""

    model_config = ConfigDict(extra="forbid")

    kpi_id: Name | None = None
    name: Name | None = None
    direction: ReviewDirection | None = None
    unit: Unit | None = None
    frequency: ReviewFrequency | None = None
    target: Finite | None = None
    target_low: Finite | None = None
    target_high: Finite | None = None
    baseline: Finite | None = None
    commitment: Commitment = "committed"
    # The values the KPI can take; a catalog KPI's own, else its unit's (a share runs 0-100).
    value_range: ValueRange | None = None
    horizon: int | None = Field(default=None, ge=1, le=24)
    history: list[HistoryPoint] = Field(default_factory=list, max_length=MAX_POINTS)
    # Periods to leave out as assignable causes, for callers that keep the mark apart from the
    # values (a review page's toggle); each must be a period of the history.
    excluded_periods: list[Label] = Field(default_factory=list, max_length=MAX_POINTS)

    @model_validator(mode="after")
    def _named_and_ranged(self) -> "ReviewKpi":
        _check_value_range(self.value_range)
        if not self.kpi_id and not self.name:
            raise ValueError("give a kpi_id or a name")
        if self.direction == "in_range" and self.target is not None:
            raise ValueError("an in_range KPI takes target_low and target_high, not target")
        low, high = self.target_low, self.target_high
        if (low is None) != (high is None):
            raise ValueError("give both target_low and target_high, or neither")
        if low is not None and high is not None and low > high:
            raise ValueError("target_low must not be above target_high")
        return self

    @property
    def label(self) -> str:
        """Return the name people read, or the catalog id when there is no name."""
        return self.name or self.kpi_id or ""

    def has_target(self) -> bool:
        """Return True when the KPI has a target for the coming period."""
        if self.direction == "in_range":
            return self.target_low is not None
        return self.target is not None


def _check_value_range(value_range: ValueRange | None) -> None:
    """Refuse a value range whose ends are not finite numbers within ±MAX_MAGNITUDE."""
    if value_range is None:
        return
    for end in (value_range.low, value_range.high):
        if end is not None and not -MAX_MAGNITUDE <= end <= MAX_MAGNITUDE:
            raise ValueError(f"value_range ends must be finite numbers between "
                             f"-{MAX_MAGNITUDE:.0e} and {MAX_MAGNITUDE:.0e}")


class ReviewRequest(BaseModel):
    """The body of POST /api/v1/reviews: a language and up to 200 KPIs with their histories,
    at most MAX_TOTAL_POINTS points in all."""

    model_config = ConfigDict(extra="forbid")

    lang: Lang = "vi"
    kpis: list[ReviewKpi] = Field(min_length=1, max_length=MAX_KPIS)

    @field_validator("kpis")
    @classmethod
    def _bounded_work(cls, kpis: list[ReviewKpi]) -> list[ReviewKpi]:
        total = sum(len(k.history) for k in kpis)
        if total > MAX_TOTAL_POINTS:
            raise ValueError(f"the KPIs hold {total} history points in all; at most "
                             f"{MAX_TOTAL_POINTS} per request (send the rest in another)")
        return kpis


class Text(BaseModel):
    """A text in Vietnamese and English."""

    model_config = ConfigDict(frozen=True)

    vi: str
    en: str

    def pick(self, lang: str) -> str:
        """Return the text in `lang`."""
        return self.vi if lang == "vi" else self.en


class ChartLimits(BaseModel):
    """Centre line and natural process limits (and the upper range limit) of the XmR chart,
    the periods they were computed from, and whether those are still too few to trust."""

    centre: float
    lower: float
    upper: float
    url: float
    provisional: bool = False
    baseline_periods: list[str] = Field(default_factory=list)


class Range(BaseModel):
    """Where the process is expected to run next period, as targets are judged against it:
    centre and natural limits in KPI units (season-adjusted for a seasonal KPI)."""

    centre: float
    lower: float
    upper: float


class SignalOut(BaseModel):
    """One signal, the detection rule behind it and the periods it involves."""

    rule: str
    side: str
    periods: list[str]
    recent: bool


class ForecastPoint(BaseModel):
    """The forecast of one coming period with its 80% band."""

    period: str
    value: float
    lower: float
    upper: float


class ChartPoint(BaseModel):
    """One measured period as the chart draws it: value, expected value and natural limits;
    an excluded period is drawn apart and left out of limits and forecasts."""

    period: str
    value: float
    target: float | None
    centre: float
    lower: float
    upper: float
    signal: bool
    excluded: bool = False
    note: str | None = None


class Attainment(BaseModel):
    """How often the target was met so far, and the OKR-style score of the latest period."""

    periods_with_target: int
    periods_met: int
    share: float | None
    last_met: bool | None
    okr_score: float | None


class Suggestion(BaseModel):
    """What to do with the target, the levels to choose from and the rule that decided it."""

    action: Action
    target: float | None
    committed_target: float | None
    committed_probability: float | None
    stretch_target: float | None
    stretch_probability: float | None
    rule: str
    explanation: Text


class Flag(BaseModel):
    """A remark a rule attached to the KPI (e.g. analysed around a forecast, short history)."""

    code: str
    rule: str
    message: Text


class KpiReview(BaseModel):
    """The review of one KPI; everything but status and message is empty without enough data."""

    kpi_id: str | None
    name: Text
    status: Status
    message: Text | None = None
    direction: ReviewDirection
    unit: str | None
    frequency: str | None
    commitment: Commitment
    target: float | None
    target_low: float | None = None
    target_high: float | None = None
    points: int
    basis: Basis | None = None
    basis_note: Text | None = None
    trend: bool | None = None
    seasonal: bool | None = None
    limits: ChartLimits | None = None
    natural_range_next: Range | None = None
    baseline_periods: list[str] = Field(default_factory=list)
    signals: list[SignalOut] = Field(default_factory=list)
    forecast: list[ForecastPoint] = Field(default_factory=list)
    probability_of_target: float | None = None
    target_position: Position | None = None
    attainment: Attainment | None = None
    suggestion: Suggestion | None = None
    flags: list[Flag] = Field(default_factory=list)
    comment_required: bool = False
    missing_periods: list[str] = Field(default_factory=list)
    chart: list[ChartPoint] = Field(default_factory=list)
