"""Where an interview session stands: its step, its route, its next page, and one-time notices.

The interview's step depends only on the catalog, the answers and the language, and the same
answers come back on every page of a session, so steps are remembered per (catalog, answers,
language): a page then costs a template, not a rule-engine run.
"""

import json
from functools import lru_cache
from typing import Any, cast

from flask import flash, get_flashed_messages, session, url_for

from advisor.errors import InvalidInputError
from advisor.interview import (
    InterviewStep,
    applicable_questions,
    base_questions,
    next_step,
    parse_answers,
    question_by_id,
)
from advisor.plans import SessionRecord
from catalog.loader import Catalog
from web.db import get_catalog
from web.i18n import _, current_lang

STALE_KEY = "wizard_stale"


def _key(answers: dict) -> str:
    return json.dumps(answers, sort_keys=True, ensure_ascii=False)


@lru_cache(maxsize=512)
def _step(catalog: Catalog, answers_json: str, lang: str) -> str:
    """Return next_step as JSON text, so that every caller gets a step of its own to change."""
    return next_step(json.loads(answers_json), catalog, lang).model_dump_json()


@lru_cache(maxsize=512)
def _route(answers_json: str) -> tuple[str, ...]:
    order, _trace = applicable_questions(parse_answers(json.loads(answers_json)))
    return tuple(order)


@lru_cache(maxsize=512)
def _widest(answers_json: str) -> int:
    """Return how many questions could apply at most: the route if every unanswered
    multiple-choice question got all its options (the rules only add questions for options
    chosen), so "question x of up to n" only ever comes down."""
    answers = json.loads(answers_json)
    order: list[str] = list(_route(answers_json))
    for _round in base_questions():
        unanswered = [q for q in base_questions() if q.id in order and q.id not in answers
                      and q.type == "multiple" and q.options and not q.ranked]
        if not unanswered:
            break
        for question in unanswered:
            answers[question.id] = [o.value for o in question.options][:question.max_items]
        try:
            order, _trace = applicable_questions(parse_answers(answers))
        except InvalidInputError:
            break
    return max(len(order), len(_route(answers_json)))


def question_count(step: InterviewStep) -> tuple[int, bool]:
    """Return the number of questions to show in "x of n" and whether it is an upper bound
    (answers still to come may rule some out)."""
    known = len(route_of(step))
    widest = known if step.done else _widest(_key(step.answers))
    return widest, widest > known


def interview_step(answers: dict, lang: str) -> InterviewStep:
    """Return next_step for these answers with the app's catalog (remembered per catalog)."""
    return InterviewStep.model_validate_json(_step(get_catalog(), _key(answers), lang))


def route_of(step: InterviewStep) -> tuple[str, ...]:
    """Return the ids of the questions that apply to the step's (settled) answers, in order."""
    return _route(_key(step.answers))


def first_page(lang: str) -> str:
    """Return the id of the interview's first question."""
    first = interview_step({}, lang).question
    assert first is not None  # an interview with no answers has a first question
    return first["id"]


# Pages a session can be resumed on, by the name note_page stores.
RESUMABLE = {"results": "wizard_plan.results", "plan": "wizard_plan.plan",
             "check": "wizard.check"}


def resume_url(record: SessionRecord, lang: str) -> str:
    """Return the page a session continues on: where it was last seen if that page still
    applies, else its KPI set, the check page, or the next question."""
    step = interview_step(record.answers, lang)
    last = record.last_page or ""
    has_plan = record.plan_id is not None
    if last in RESUMABLE and ((has_plan and last != "check") or (last == "check" and step.done)):
        return url_for(RESUMABLE[last], sid=record.id)
    if last.startswith("q/") and last[2:] in route_of(step):
        return url_for("wizard.question", sid=record.id, qid=last[2:])
    if record.plan_id is not None:
        return url_for("wizard_plan.results", sid=record.id)
    if step.done or step.question is None:  # done: no question left
        return url_for("wizard.check", sid=record.id)
    return url_for("wizard.question", sid=record.id, qid=step.question["id"])


def page_key(url: str) -> str:
    """Return the name note_page keeps for a wizard page's URL: q/<question>, check, ..."""
    path = url.split("?")[0].split("#")[0]
    tail = path.split("/s/", 1)[-1].split("/", 1)[-1]
    return tail if tail.startswith("q/") or tail in RESUMABLE else "check"


def page_after(sid: str, qid: str, step: InterviewStep, back_to_check: bool,
               changed: bool = False) -> str:
    """Return where to go after answering `qid`: the next question in the route; or, when
    the answer changed one given earlier (or the user came from the check page), straight to
    the first question left unanswered, else the check page."""
    route = route_of(step)
    revisited = changed and _answered_after(qid, route, step)
    if back_to_check or revisited or qid not in route or qid == route[-1]:
        if step.done or step.question is None:  # done: no question left
            return url_for("wizard.check", sid=sid)
        extra: dict[str, Any] = {"return": "check"} if back_to_check else {}
        return url_for("wizard.question", sid=sid, qid=step.question["id"], **extra)
    return url_for("wizard.question", sid=sid, qid=route[route.index(qid) + 1])


def _answered_after(qid: str, route: tuple[str, ...], step: InterviewStep) -> bool:
    """Return True when questions after `qid` were answered already: the user came back."""
    later = route[route.index(qid) + 1:] if qid in route else ()
    return any(q in step.answers for q in later)


def section_states(step: InterviewStep, here: str | None, finished: bool = False) -> list[dict]:
    """Return each section with its state as its answers make it: done when every question
    of it is answered, in progress when some are (or it is on screen), else not started."""
    states = []
    for section in step.progress["sections"]:
        name = section["section"]
        if finished or section["answered"] == section["total"]:
            state = "done"
        elif section["answered"] or name == here:
            state = "current"
        else:
            state = "todo"
        states.append({"section": name, "state": state, "here": name == here})
    return states


def progress_summary(record: SessionRecord, lang: str) -> dict:
    """Return how far a session got: answered and total questions, and whether it has a plan."""
    step = interview_step(record.answers, lang)
    progress = step.progress
    return {"answered": progress["answered"], "total": progress["total"],
            "percent": progress["percent"], "done": step.done,
            "has_plan": record.plan_id is not None}


def notify(key: str, **values) -> None:
    """Keep a notice for the next page this browser shows."""
    flash(json.dumps({"key": key, "values": values}, ensure_ascii=False), "wizard")


def notices() -> list[str]:
    """Return the pending notices as text in the page's language, and forget them."""
    found = []
    for message in get_flashed_messages(category_filter=["wizard"]):
        data = json.loads(cast(str, message))  # without categories: the messages alone
        found.append(_(data["key"], **_named(data["values"])))
    return found


def _named(values: dict) -> dict:
    """Return notice values with question and KPI ids turned into their names."""
    named = dict(values)
    if "questions" in named:
        named["questions"] = "; ".join(question_by_id(q, get_catalog()).text.pick(current_lang())
                                       for q in named["questions"])
    for key in ("kpi", "other"):
        if key in named:
            entry = get_catalog().get(named[key])
            named[key] = entry.name.pick(current_lang()) if entry else named[key]
    return named


def mark_stale(sid: str, stale: bool) -> None:
    """Remember (in this browser) whether answers changed since the session's KPI set was
    built, so the pages can offer to rebuild it."""
    current = [s for s in session.get(STALE_KEY, []) if s != sid]
    session[STALE_KEY] = ([sid, *current] if stale else current)[:20]


def is_stale(sid: str) -> bool:
    """Return True when this browser changed the session's answers after its set was built."""
    return sid in session.get(STALE_KEY, [])
