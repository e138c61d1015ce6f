"""What the interview, SMART-check and recommendation endpoints read and answer."""

from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
)

from advisor.errors import InvalidInputError
from advisor.interview import QuestionType, Section
from advisor.models import Answers, DepartmentName, Lang
from catalog.models import Text
from catalog.vocab import Direction, Frequency, Goal, Indicator, Perspective, Unit
from web.contract.catalog import Out, TextT
from web.errors import validation_errors

if TYPE_CHECKING:  # the names are the fields of Answers, known when the module runs
    AnswerName = str
else:
    AnswerName = Literal[tuple(Answers.model_fields)]
Share = Annotated[int, Field(ge=0, le=100)]


class OptionOut(Out, Generic[TextT]):
    """One choice of a question."""

    value: str
    label: TextT
    description: TextT | None = Field(default=None, description="What the option covers, "
                                      "where the label alone may not say it (absent "
                                      "otherwise).")


class QuestionItem(Out, Generic[TextT]):
    """One interview question with its text, help, type and choices."""

    id: AnswerName
    section: Section
    type: QuestionType
    text: TextT
    help: TextT
    options: list[OptionOut[TextT]]
    ranked: bool
    optional: bool
    min_items: int | None
    max_items: int | None
    minimum: float | None
    maximum: float | None
    max_length: int | None
    default: int | float | str | list[str] | None


class Question(QuestionItem[Text]):
    """A question, its texts in Vietnamese and English."""


class QuestionInLang(QuestionItem[str]):
    """A question, its texts in the language asked for."""


class Questions(Out):
    """Every question, in the order they can be asked; texts in Vietnamese and English."""

    questions: list[Question]


class QuestionsInLang(Out):
    """Every question, in the order they can be asked; texts in the language asked for."""

    questions: list[QuestionInLang]


class InterviewRequest(BaseModel):
    """The answers so far and the language of the next question."""

    model_config = ConfigDict(extra="forbid")

    answers: Answers = Field(default_factory=Answers)
    lang: Lang | None = Field(default=None, description="Default: the query's lang, else the "
                              "server's language.")

    @field_validator("answers", mode="wrap")
    @classmethod
    def _named_as_questions(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Answers:
        # A bad answer is named by its question id (`stage`), as the wizard and the CLI name it.
        try:
            return handler(value)
        except ValidationError as exc:
            raise InvalidInputError(validation_errors(exc)) from None


class SectionProgress(Out):
    """How far one section of the interview is."""

    section: Section
    answered: int = Field(ge=0)
    total: int = Field(ge=1)


class Progress(Out):
    """How far the interview is, by section and in all."""

    sections: list[SectionProgress]
    answered: int = Field(ge=0)
    total: int = Field(ge=0)
    percent: Share


class InterviewTrace(Out):
    """A rule of the interview that fired: ask or skip a question."""

    rule: str
    action: Literal["ask", "skip"]
    question: AnswerName


class InterviewStep(Out):
    """Where the interview stands: the next question (or done) and what was dropped."""

    done: bool
    question: QuestionInLang | None = Field(description="null once done")
    answers: Answers = Field(description="The answers that still apply.")
    dropped: list[AnswerName] = Field(description="Answers that no longer apply.")
    progress: Progress
    trace: list[InterviewTrace]


class Gap(Out):
    """One SMART gap with what to do about it."""

    letter: Literal["S", "M", "A", "R", "T", "owner", "measurement", "reporting", "plan"]
    code: str
    severity: Literal["error", "warning"]
    message: str
    fix: str
    fields: list[str]
    rule: str


class KpiCheck(Out):
    """The SMART check of one plan KPI."""

    kpi_id: str | None
    name: str
    score: int = Field(ge=0, le=5, description="How many of the five letters have no gap.")
    gaps: list[Gap]
    ready: bool = Field(description="No gap of severity error.")


class SmartCheck(Out):
    """The gaps of every KPI of a plan and of the plan as a whole."""

    kpis: list[KpiCheck]
    plan_gaps: list[Gap]
    ready: bool


class Reason(Out):
    """A rule that scored the KPI, with its reason filled in."""

    rule: str
    text: str


class RuleFlag(Out):
    """A rule's remark on the KPI (e.g. data to collect first)."""

    rule: str
    code: str
    text: str


class KpiRef(Out):
    """A KPI named by id."""

    id: str
    name: str


Step = Literal["keep", "headline", "goal", "balance", "guard", "fill", "added"]
WhyNot = Literal["no_room", "no_kpi_in_scope", "no_kpi_fits", "no_data", "not_in_scope",
                 "does_not_fit", "duplicate", "edited", "is_guard"]


class Fit(Out):
    """Whether the KPI fits the client's context, and why (the answers it was made for)."""

    fits: bool
    text: str


class CounterRef(Out):
    """A counter-KPI of a chosen KPI, and whether it is in the set."""

    id: str
    name: str
    in_set: bool


class GuardOut(Out):
    """The KPI's guard against gaming: its counter-KPIs and whether one is in the set."""

    counters: list[CounterRef]
    in_set: bool
    reason: WhyNot | None = Field(description="Why no counter-KPI is in the set (null when "
                                  "one is, or none is needed).")
    text: str


class RecommendedKpi(Out):
    """A chosen KPI: what it is, why it was chosen and how to state and run it."""

    id: str
    department: DepartmentName
    name: str
    financial: bool
    perspective: Perspective
    indicator: Indicator
    score: float
    reasons: list[Reason]
    selected_by: Step = Field(description="The selection step that chose it (policy steps of "
                              "rules/data/recommend.yaml; `added`: by the consultant).")
    selected_because: list[str]
    owner_role: str
    frequency: Frequency
    data_source: str = Field(description="The source to measure with: one the client has, "
                             "else the first it needs.")
    unit: Unit
    direction: Direction
    smart_template: str
    counter_kpi: KpiRef | None
    pitfalls: list[str]
    flags: list[RuleFlag]
    collect_data: list[str] = Field(description="Data sources to start collecting first: one "
                                    "for each data requirement the client cannot meet yet.")
    primary_goal: Goal
    headline_for: list[Goal]
    measures: str = Field(description="The concept it measures; no two chosen KPIs share one.")
    fit: Fit
    guard: GuardOut


class Counts(Out):
    """How a set of KPIs is spread."""

    total: int = Field(ge=0)
    financial: int = Field(ge=0)
    non_financial: int = Field(ge=0)
    leading: int = Field(ge=0)
    lagging: int = Field(ge=0)
    perspectives: dict[Perspective, int]


class DepartmentCounts(Counts):
    """How one department's KPIs are spread, and whether they are balanced."""

    balanced: bool


class Balance(Counts):
    """The spread of the whole set and of each department."""

    departments: dict[DepartmentName, DepartmentCounts]


class Alternative(Out):
    """A KPI that could stand in for a chosen one, with the rules' reasons and its fit."""

    id: str
    name: str
    department: DepartmentName
    score: float
    financial: bool
    indicator: Indicator
    perspective: Perspective
    measurable: bool
    reasons: list[str]
    fit: Fit


class GoalUnserved(Out):
    """No KPI serves a goal."""

    code: Literal["goal_unserved"]
    goal: Goal
    suggest: str | None = Field(description="A KPI that would serve it, if any.")
    reason: Literal["no_kpi_in_scope", "no_room"] | None = None
    message: str


class DepartmentEmpty(Out):
    """A department has no KPI."""

    code: Literal["department_empty"]
    department: DepartmentName
    message: str


class BalanceUnmet(Out):
    """A department misses a kind of KPI."""

    code: Literal["balance_unmet"]
    department: DepartmentName
    need: tuple[Literal["financial", "indicator", "perspective"], bool | str]
    reason: Literal["no_kpi_fits", "no_room"] | None = None
    message: str


class OverLimit(Out):
    """More KPIs in a department than its limit (kept ones, or the consultant's additions)."""

    code: Literal["over_limit"]
    department: DepartmentName
    count: int
    limit: int
    message: str


class PairMissing(Out):
    """A chosen KPI has none of its counter-KPIs in the set."""

    code: Literal["pair_missing"]
    kpi: str
    counter: str
    reason: WhyNot | None = None
    message: str


class GuardsShort(Out):
    """Fewer than the policy's share of the KPIs needing a guard carry one."""

    code: Literal["guards_short"]
    guarded: int = Field(ge=0)
    risky: int = Field(ge=1)
    message: str


class Duplicate(Out):
    """Two KPIs of the set measure the same thing (kept ones, or the consultant's)."""

    code: Literal["duplicate"]
    kpi: str
    other: str
    message: str


class SlotEmpty(Out):
    """A department's places stay empty: nothing else fits well enough."""

    code: Literal["slot_empty"]
    department: DepartmentName
    count: int = Field(ge=1)
    message: str


SetWarning = Annotated[GoalUnserved | DepartmentEmpty | BalanceUnmet | OverLimit | PairMissing
                       | GuardsShort | Duplicate | SlotEmpty, Field(discriminator="code")]


class RecommendTrace(Out):
    """A rule that fired for a KPI."""

    rule: str
    kpi: str
    action: Literal["score", "require", "exclude", "flag", "pair_with"]


class Recommendation(Out):
    """A balanced, explained KPI set."""

    kpis: list[RecommendedKpi]
    balance: Balance
    alternatives: dict[DepartmentName, list[Alternative]]
    warnings: list[SetWarning]
    limit_per_department: int = Field(ge=1)
    limit_from: Literal["max_kpis_per_department", "size", "default"] = Field(
        description="Where the limit comes from: the answer, the company size (policy "
        "kpis_per_department) or the policy's number without a size.")
    trace: list[RecommendTrace] = Field(description="The rules that fired for the KPIs "
                                        "shown: those chosen and the alternatives.")
