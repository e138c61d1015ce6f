"""Where an interview session stands: its step, its route, its next page, and one-time notices.

The interview's step depends only on the catalog, the answers and the language, and the same
answers come back on every page of a session, so steps are remembered per (catalog, answers,
language): a page then costs a template, not a rule-engine run.
"""

import json
from functools import lru_cache

from flask import flash, get_flashed_messages, session, url_for

from advisor.interview import (
    InterviewStep,
    applicable_questions,
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


def interview_step(answers: dict, lang: str) -> InterviewStep:
    """Return next_step for these answers with the app's catalog (remembered per catalog)."""
    return InterviewStep.model_validate_json(_step(get_catalog(), _key(answers), lang))


def route_of(step: InterviewStep) -> tuple[str, ...]:
    """Return the ids of the questions that apply to the step's (settled) answers, in order."""
    return _route(_key(step.answers))


def first_page(lang: str) -> str:
    """Return the id of the interview's first question."""
    return interview_step({}, lang).question["id"]


def resume_url(record: SessionRecord, lang: str) -> str:
    """Return the page a session continues on: its KPI set, the check page, or a question."""
    if record.plan_id is not None:
        return url_for("wizard_plan.results", sid=record.id)
    step = interview_step(record.answers, lang)
    if step.done:
        return url_for("wizard.check", sid=record.id)
    return url_for("wizard.question", sid=record.id, qid=step.question["id"])


def page_after(sid: str, qid: str, step: InterviewStep, back_to_check: bool) -> str:
    """Return where to go after answering `qid`: the next question in the route, or the check
    page when coming from it (or at the end) and nothing is left unanswered."""
    route = route_of(step)
    if back_to_check or qid not in route or qid == route[-1]:
        if step.done:
            return url_for("wizard.check", sid=sid)
        extra = {"return": "check"} if back_to_check else {}
        return url_for("wizard.question", sid=sid, qid=step.question["id"], **extra)
    return url_for("wizard.question", sid=sid, qid=route[route.index(qid) + 1])


def section_states(step: InterviewStep, here: str | None, finished: bool = False) -> list[dict]:
    """Return each section with its state (done, current, todo) counted from the furthest
    section reached, so going back never makes the indicator run backwards."""
    sections = step.progress["sections"]
    names = [s["section"] for s in sections]
    reached = [i for i, s in enumerate(sections) if s["answered"]]
    furthest = max(reached, default=0)
    if here in names:
        furthest = max(furthest, names.index(here))
    states = []
    for i, name in enumerate(names):
        state = "done" if finished or i < furthest else "current" if i == furthest else "todo"
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
        data = json.loads(message)
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
