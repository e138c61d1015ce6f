"""The guided interview in the browser: one question per page, a check page, save and resume."""

from flask import Blueprint, Flask, abort, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from advisor.deliverable.dictionary import target_text
from advisor.deliverable.words import quantity_text
from advisor.errors import InvalidInputError
from advisor.formatting import number_text
from advisor.interview import Question, default_for, question_by_id
from advisor.plans import (
    SessionRecord,
    create_plan,
    create_session,
    get_plan,
    note_page,
    save_answers,
    update_plan,
)
from advisor.recommend.working_set import initial_plan
from catalog.labels import label
from web.db import get_catalog, get_db
from web.i18n import N_, _, current_lang
from web.wizard_access import grant, open_session, resume_key, start_workspace
from web.wizard_form import error, error_text, parse_answer
from web.wizard_state import (
    first_page,
    interview_step,
    is_stale,
    mark_stale,
    notices,
    notify,
    page_after,
    page_key,
    question_count,
    resume_url,
    route_of,
    section_states,
)

bp = Blueprint("wizard", __name__, url_prefix="/wizard")


def init_app(app: Flask) -> None:
    """Register the interview and the results-and-plan blueprints."""
    # Importing them adds their routes to wizard_plan.bp, so endpoints keep one prefix.
    from web import deliverable_pages, plan_page, wizard_plan  # noqa: F401

    app.register_blueprint(bp)
    app.register_blueprint(wizard_plan.bp)
    app.jinja_env.globals.update(resume_link=resume_link, error_text=error_text,
                                 format_number=format_number, word=word,
                                 quantity_text=quantity_text, target_text=target_text)
    app.jinja_env.filters["word_of"] = lambda value, vocab: word(vocab, value)


def word(vocab: str, value: str | bool) -> str:
    """Return the name of a vocabulary word in the page's language."""
    return label(vocab, value).pick(current_lang())


def resume_link(sid: str) -> str:
    """Return the absolute link that opens a session in any browser."""
    return url_for("wizard.resume", sid=sid, key=resume_key(sid), _external=True)


@bp.post("/start")
def start() -> Response:
    """Start a new interview in the chosen workspace (or the user's first one they may edit)
    and show its first question."""
    lang = current_lang()
    workspace_id = start_workspace(get_db(), request.form.get("workspace"))
    record = create_session(get_db(), str(current_user.id), lang, workspace_id=workspace_id)
    return redirect(url_for(".question", sid=record.id, qid=first_page(lang)), 303)


@bp.get("/resume/<sid>/<key>")
def resume(sid: str, key: str) -> Response:
    """Give this browser the session named by a resume link and continue where it stood."""
    if not grant(sid, key):
        abort(404, description=_("wizard.not_found"))
    record = open_session(get_db(), sid)
    return redirect(resume_url(record, current_lang()))


@bp.get("/s/<sid>")
def continue_session(sid: str) -> Response:
    """Continue a session where it stands."""
    return redirect(resume_url(open_session(get_db(), sid), current_lang()))


def _question(qid: str) -> Question:
    try:
        return question_by_id(qid, get_catalog(), current_lang())
    except InvalidInputError:
        abort(404, description=_("wizard.not_found"))


def choices(question: Question, answers: dict, lang: str) -> dict[str, list[tuple[str, str]]]:
    """Return the options to show, grouped ({"": options} unless grouped by department)."""
    if question.options_from != "kpis":
        return {"": [(o.value, o.label.pick(lang)) for o in question.options]}
    departments = answers.get("departments") or []
    grouped: dict[str, list[tuple[str, str]]] = {d: [] for d in departments}
    for kpi in get_catalog().kpis:
        if kpi.department in grouped:
            grouped[kpi.department].append((kpi.id, kpi.name.pick(lang)))
    return grouped


def _allowed(options: dict[str, list[tuple[str, str]]]) -> list[str]:
    return [value for group in options.values() for value, _ in group]


@bp.route("/s/<sid>/q/<qid>", methods=["GET", "POST"])
def question(sid: str, qid: str):
    """Ask one question; on POST save the answer, drop what no longer applies, go on."""
    db, lang = get_db(), current_lang()
    record = open_session(db, sid)
    asked = _question(qid)
    step = interview_step(record.answers, lang)
    if qid not in route_of(step):
        return redirect(resume_url(record, lang))
    options = choices(asked, step.answers, lang)
    back_to_check = request.values.get("return") == "check"
    if request.method == "GET":
        note_page(db, sid, f"q/{qid}")
        return _question_page(record, asked, step, options, step.answers.get(qid), [])
    value, errors = parse_answer(asked, request.form, _allowed(options), step.answers.get(qid))
    new_step = None
    if not errors:
        try:
            new_step = interview_step({**step.answers, qid: value}, lang)
        except InvalidInputError as exc:
            errors = [error(qid, N_("wizard.error.invalid"),
                            detail=exc.errors[0]["message"])]
    if errors or new_step is None:
        return _question_page(record, asked, step, options, value, errors), 422
    save_answers(db, sid, new_step.answers, lang)
    if new_step.dropped:
        notify(N_("wizard.notice.dropped"), questions=new_step.dropped)
    changed = new_step.answers != step.answers
    if record.plan_id is not None and changed:
        mark_stale(sid, True)
    after = page_after(sid, qid, new_step, back_to_check, changed)
    note_page(db, sid, page_key(after))
    return redirect(after, 303)


def _question_page(record: SessionRecord, asked: Question, step, options, value, errors) -> str:
    route = route_of(step)
    position = route.index(asked.id)
    back_to_check = request.values.get("return") == "check"
    if back_to_check:
        back = url_for(".check", sid=record.id)
    elif position:
        back = url_for(".question", sid=record.id, qid=route[position - 1])
    else:
        back = url_for("pages.home")
    if asked.type == "number" and value is None:
        value = default_for(asked, step.answers)
    count, at_most = question_count(step)
    return render_template(
        "wizard/question.html", record=record, q=asked, options=options, value=value,
        ranks=_ranks(value), errors=errors, back=back, back_to_check=back_to_check,
        sections=section_states(step, asked.section), notices=notices(),
        position=position + 1, count=count, at_most=at_most,
        definitions=_definitions(asked, current_lang()),
    )


def _definitions(asked: Question, lang: str) -> dict[str, str]:
    """Return what each option covers: an offered KPI's definition, else the option's own
    description where it has one."""
    if asked.options_from != "kpis":
        return {o.value: o.description.pick(lang) for o in asked.options if o.description}
    return {k.id: k.definition.pick(lang) for k in get_catalog().kpis}


def _ranks(value) -> dict[str, int]:
    """Return {goal: priority} from a saved ranked answer (a list) or a refused form (a dict)."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {v: i + 1 for i, v in enumerate(value)}
    return {}


def answer_text(question: Question, value, lang: str) -> list[str]:
    """Return an answer as lines of text to show on the check page."""
    if value is None or value == []:
        return [_("wizard.answer.none")]
    if question.options_from == "kpis":
        catalog = get_catalog()
        return [catalog.by_id[v].name.pick(lang) if v in catalog.by_id else v for v in value]
    if question.ranked and question.options_from:
        return [_("wizard.rank.answer", n=i, goal=label(question.options_from, v).pick(lang))
                for i, v in enumerate(value, start=1)]
    if question.options_from:
        return [label(question.options_from, v).pick(lang) for v in value] \
            if isinstance(value, list) else [label(question.options_from, value).pick(lang)]
    if question.options:
        by_value = {o.value: o.label.pick(lang) for o in question.options}
        return [by_value.get(value, str(value))]
    if question.type == "number":
        return [format_number(value, lang)]
    return [str(value)]


def format_number(value: float, lang: str) -> str:
    """Return a number typed into a form, as `lang` writes it (thousands grouped, every decimal
    kept so that saving the form again does not change it)."""
    return number_text(value, lang, 6)


@bp.route("/s/<sid>/check", methods=["GET", "POST"])
def check(sid: str):
    """Show every answer with a change link; on POST build (or rebuild) the KPI set."""
    db, lang = get_db(), current_lang()
    record = open_session(db, sid)
    step = interview_step(record.answers, lang)
    if not step.done:
        return redirect(resume_url(record, lang))
    errors = []
    if request.method == "POST":
        try:
            return _build_set(record, step.answers, lang)
        except InvalidInputError as exc:
            errors = _check_errors(exc.errors)
    if request.method == "GET":
        note_page(db, sid, "check")
    catalog = get_catalog()
    rows = [{"question": question_by_id(qid, catalog), "lines": answer_text(
        question_by_id(qid, catalog), step.answers.get(qid), lang)} for qid in route_of(step)]
    page = render_template("wizard/check.html", record=record, rows=rows, errors=errors,
                           sections=section_states(step, None, finished=True),
                           stale=is_stale(sid), notices=notices())
    return (page, 422) if errors else page


def _check_errors(problems: list[dict]) -> list[dict]:
    """Return the recommendation's input errors as field errors of the check page."""
    found = {}
    for problem in problems:
        field = problem["field"].split(".")[0]
        if field == "keep":
            found[field] = error(field, N_("wizard.error.keep_scope"))
        else:
            found.setdefault(field, error(field, N_("wizard.error.invalid"),
                                          detail=problem["message"]))
    return list(found.values())


def _build_set(record: SessionRecord, answers: dict, lang: str) -> Response:
    """Store the recommended set as the session's draft plan, keeping typed-in details."""
    db, catalog = get_db(), get_catalog()
    if record.plan_id is None:
        create_plan(db, initial_plan(answers, lang, catalog), session_id=record.id)
    else:
        previous = get_plan(db, record.plan_id).plan
        update_plan(db, record.plan_id, initial_plan(answers, lang, catalog, previous))
        notify(N_("wizard.notice.rebuilt"))
    mark_stale(record.id, False)
    return redirect(url_for("wizard_plan.results", sid=record.id), 303)
