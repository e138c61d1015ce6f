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
from catalog.vocab import Direction, Frequency, Indicator, Perspective, Unit
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
    collect_data: list[str] = Field(description="Data sources to start collecting first.")


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
    """A KPI that could stand in for a chosen one."""

    id: str
    name: str
    score: float
    financial: bool
    indicator: Indicator
    perspective: Perspective
    measurable: bool


class GoalUnserved(Out):
    """No KPI serves a goal."""

    code: Literal["goal_unserved"]
    goal: str
    reason: Literal["no_kpi_in_scope", "no_room"]
    message: str


class BalanceUnmet(Out):
    """A department misses a kind of KPI."""

    code: Literal["balance_unmet"]
    department: DepartmentName
    need: tuple[Literal["financial", "indicator"], bool | Indicator]
    reason: Literal["no_measurable_kpi", "no_room"]
    message: str


class KeepOverLimit(Out):
    """More KPIs kept than the department's limit."""

    code: Literal["keep_over_limit"]
    department: DepartmentName
    count: int
    limit: int
    message: str


class PairMissing(Out):
    """A KPI's counter-KPI could not be added."""

    code: Literal["pair_missing"]
    kpi: str
    counter: str
    message: str


SetWarning = Annotated[GoalUnserved | BalanceUnmet | KeepOverLimit | PairMissing,
                    Field(discriminator="code")]


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
    trace: list[RecommendTrace]
