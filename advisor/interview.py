"""The guided interview: questions as data, the next one chosen by the interview rule set."""

from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from advisor.errors import InvalidInputError
from advisor.i18n import gettext
from advisor.models import Answers
from catalog.labels import all_labels
from catalog.loader import Catalog
from catalog.models import Text
from rules.engine import evaluate
from rules.loader import load_builtin
from rules.models import Ask, Skip
from rules.policy import RecommendPolicy

QuestionType = Literal["single", "multiple", "number", "text"]


class Option(BaseModel):
    """One choice of a single- or multiple-choice question."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str
    label: Text
    description: Text | None = None


class Question(BaseModel):
    """One interview question with its text and help in both languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    section: str
    type: QuestionType
    text: Text
    help: Text
    options: tuple[Option, ...] = ()
    options_from: str | None = None
    ranked: bool = False
    optional: bool = False
    min_items: int | None = None
    max_items: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    default: Any = None
    # The default is taken from the answers instead: `size_policy` is the recommend policy's
    # KPIs per department for the answered company size.
    default_from: Literal["size_policy"] | None = None
    # More about some options of the vocabulary `options_from` names, by option value.
    descriptions: dict[str, Text] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _describes_its_own_options(self) -> "Question":
        words = all_labels().get(self.options_from or "", {}) if self.options_from \
            else {o.value: o for o in self.options}
        stray = sorted(set(self.descriptions) - set(words))
        if stray:
            raise ValueError(f"descriptions name words that are not options: {stray}")
        return self


class Questionnaire(BaseModel):
    """The questions file."""

    model_config = ConfigDict(extra="forbid")

    questions: list[Question]


class InterviewStep(BaseModel):
    """Where an interview stands: the next question (or done) and what was dropped on the way."""

    done: bool
    question: dict | None
    answers: dict
    dropped: list[str]
    progress: dict
    trace: list[dict]


Section = Literal["organisation", "strategy", "business", "channels", "data"]
SECTIONS: tuple[str, ...] = get_args(Section)


@cache
def base_questions() -> tuple[Question, ...]:
    """Return every question, in the order they are asked, with the options of the vocabulary
    it names; a question whose options are the catalog's KPIs has none here (see questions)."""
    text = (resources.files("rules") / "data" / "questions" / "interview.yaml").read_text("utf-8")
    parsed = Questionnaire.model_validate(yaml.safe_load(text))
    return tuple(_with_vocabulary(q) for q in parsed.questions)


def _with_vocabulary(question: Question) -> Question:
    """Return the question with options taken from its vocabulary, if it names one."""
    if question.options_from in (None, "kpis"):
        return question
    vocab = all_labels()[question.options_from]
    options = tuple(Option(value=word, label=text, description=question.descriptions.get(word))
                    for word, text in vocab.items())
    return question.model_copy(update={"options": options})


@lru_cache(maxsize=16)
def questions(catalog: Catalog) -> tuple[Question, ...]:
    """Return every question, in the order they are asked, with options filled in: the KPIs a
    question offers are those of `catalog` (remembered per catalog; models are frozen)."""
    return tuple(_with_kpis(q, catalog) for q in base_questions())


def _with_kpis(question: Question, catalog: Catalog) -> Question:
    if question.options_from != "kpis":
        return question
    options = tuple(Option(value=k.id, label=k.name) for k in catalog.kpis)
    return question.model_copy(update={"options": options})


def question_by_id(question_id: str, catalog: Catalog, lang: str = "en") -> Question:
    """Return one question by id, its options filled in from `catalog`; an unknown id is
    refused in `lang`."""
    for question in questions(catalog):
        if question.id == question_id:
            return question
    raise InvalidInputError([{"field": "question", "message": gettext(
        lang, "interview.unknown_question", question=repr(question_id))}])


def question_json(question: Question, lang: str | None) -> dict:
    """Return a question as the API shows it; text picked in `lang` if given."""
    data = question.model_dump(exclude={"options_from", "descriptions", "default_from"})
    data["options"] = [o.model_dump(exclude_none=True) for o in question.options]
    if lang:
        data["text"], data["help"] = question.text.pick(lang), question.help.pick(lang)
        data["options"] = [_option_in(o, lang) for o in question.options]
    return data


def _option_in(option: Option, lang: str) -> dict:
    """Return an option as the API shows it in `lang` (a description only where it has one)."""
    shown = {"value": option.value, "label": option.label.pick(lang)}
    if option.description:
        shown["description"] = option.description.pick(lang)
    return shown


def parse_answers(raw: dict) -> Answers:
    """Return validated answers, or raise InvalidInputError naming each bad field."""
    try:
        return Answers.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInputError([
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors(include_url=False)
        ]) from exc


def applicable_questions(answers: Answers) -> tuple[list[str], list[dict]]:
    """Return the ids of the questions that apply to these answers (in order) and the trace."""
    fact = {"kind": "answers", "answered": sorted(answers.given()), **_flat(answers.given())}
    firings = evaluate(load_builtin("interview"), [fact])
    asked = {f.action.question for f in firings if f.action.action == "ask"}
    skipped = {f.action.question for f in firings if f.action.action == "skip"}
    trace = [{"rule": f.rule_id, "action": f.action.action, "question": f.action.question}
             for f in firings if isinstance(f.action, Ask | Skip)]  # the only verbs it allows
    order = [q.id for q in base_questions() if q.id in asked and q.id not in skipped]
    return order, trace


def _flat(given: dict) -> dict:
    """Return answers as flat engine fact fields (numbers and text, or lists of text)."""
    return {k: v for k, v in given.items() if isinstance(v, (str, int, float, list))}


def next_step(raw_answers: dict, catalog: Catalog, lang: str | None = None) -> InterviewStep:
    """Return the next question for these answers, dropping answers that no longer apply; a
    question on KPIs offers those of `catalog`."""
    answers = parse_answers(raw_answers)
    given = answers.given()
    order, trace = _settled_order(answers)
    dropped = sorted(set(given) - set(order))
    kept = {k: v for k, v in given.items() if k in order}
    pending = [qid for qid in order if qid not in kept]
    question = None
    if pending:
        asked = question_by_id(pending[0], catalog, lang or "en")
        question = {**question_json(asked, lang), "default": default_for(asked, kept)}
    return InterviewStep(done=not pending, question=question, answers=kept, dropped=dropped,
                         progress=progress(order, kept), trace=trace)


def default_for(question: Question, answers: dict) -> Any:
    """Return the answer a question suggests for these answers: its own default, or the
    recommend policy's KPIs per department for the company size answered."""
    if question.default_from == "size_policy":
        policy = load_builtin("recommend").policy_as(RecommendPolicy)
        return policy.limit(answers.get("size"), None)
    return question.default


def _settled_order(answers: Answers) -> tuple[list[str], list[dict]]:
    """Return the applicable questions once dropping stale answers changes nothing more."""
    order, trace = applicable_questions(answers)
    for _ in range(len(base_questions())):
        stale = set(answers.given()) - set(order)
        if not stale:
            break
        answers = Answers.model_validate({k: v for k, v in answers.given().items()
                                          if k not in stale})
        order, trace = applicable_questions(answers)
    return order, trace


def progress(order: list[str], answered: dict) -> dict:
    """Return progress by section: answered and total questions, and the share done."""
    by_id = {q.id: q for q in base_questions()}
    sections = []
    for name in SECTIONS:
        ids = [qid for qid in order if by_id[qid].section == name]
        if ids:
            done = sum(1 for qid in ids if qid in answered)
            sections.append({"section": name, "answered": done, "total": len(ids)})
    total = len(order)
    answered_count = sum(1 for qid in order if qid in answered)
    return {"sections": sections, "answered": answered_count, "total": total,
            "percent": round(100 * answered_count / total) if total else 100}
