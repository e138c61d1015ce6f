"""The wizard after the interview: the KPI set (swap, remove, add), the plan, its exports."""

import copy
import datetime as dt
from collections.abc import Sequence
from functools import lru_cache

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from advisor.errors import InvalidInputError, NotFoundError
from advisor.lookup import KpiQuery
from advisor.plan_models import Plan
from advisor.plans import (
    PlanRecord,
    SessionRecord,
    get_plan,
    note_page,
    removed_kpi,
    update_plan,
)
from advisor.recommend.working_set import add_kpi, remove_kpi, swap_kpi, working_set
from advisor.smart import check_plan
from catalog.loader import Catalog
from catalog.vocab import Department
from web.db import get_catalog, get_db
from web.i18n import N_, current_lang
from web.wizard_access import open_session
from web.wizard_state import is_stale, notices, notify

bp = Blueprint("wizard_plan", __name__, url_prefix="/wizard")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _session_plan(sid: str) -> tuple[SessionRecord, PlanRecord]:
    """Return the session and its plan; a session without a plan goes to its check page."""
    db = get_db()
    record = open_session(db, sid)
    if record.plan_id is None:
        abort(redirect(url_for("wizard.check", sid=record.id)))
    return record, get_plan(db, record.plan_id)


def set_answers(record: SessionRecord, plan: Plan) -> dict:
    """Return the answers seen through the plan's own context, so the set shown always
    matches the plan even when answers changed since it was built."""
    keep = [k for k in record.answers.get("keep") or []
            if (entry := get_catalog().get(k)) and entry.department in plan.departments]
    return {**record.answers, "goals": plan.goals, "departments": plan.departments,
            "data_sources": plan.data_sources or [], "keep": keep}


def _set_view(record: SessionRecord, plan_record: PlanRecord, lang: str) -> dict:
    plan = plan_record.plan
    return working_set(set_answers(record, plan), [k.kpi_id for k in plan.kpis if k.kpi_id],
                       lang, get_catalog())


@bp.get("/s/<sid>/results")
def results(sid: str) -> str:
    """Show the recommended set per department with reasons, balance and warnings."""
    record, plan_record = _session_plan(sid)
    note_page(get_db(), sid, "results")
    lang = current_lang()
    view = _set_view(record, plan_record, lang)
    catalog = get_catalog()
    about = {k["id"]: (catalog.by_id[k["id"]].definition.pick(lang),
                       catalog.by_id[k["id"]].formula.pick(lang)) for k in view["kpis"]}
    return render_template("wizard/results.html", record=record, plan=plan_record,
                           view=view, stale=is_stale(sid), notices=notices(),
                           undo=_undoable(plan_record), about=about)


def _undoable(plan_record: PlanRecord) -> dict | None:
    """Return the KPI just removed (named by ?removed=) if it can still be put back."""
    raw = request.args.get("removed", "")
    if not raw.isdigit() or len(raw) > 18:
        return None
    try:
        gone = removed_kpi(get_db(), plan_record.id, int(raw))
    except NotFoundError:
        return None
    if gone.kpi.kpi_id in {k.kpi_id for k in plan_record.plan.kpis}:
        return None
    entry = get_catalog().get(gone.kpi.kpi_id or "")
    return {"row_id": gone.id, "name": entry.name.pick(current_lang()) if entry
            else gone.kpi.name}


def _search(query: str, departments: Sequence[Department | None], exclude: set[str]) -> list:
    """Return catalog KPIs matching `query` in the given departments, minus `exclude`."""
    if not query.strip():
        return []
    catalog, found = get_catalog(), []
    for department in departments:
        ask = KpiQuery(q=query[:200], department=department, limit=20)
        ids, _total = current_app.extensions["search_cache"].ids(get_db(), catalog, ask)
        found += [catalog.by_id[i] for i in ids if i not in exclude]
    return found


@bp.route("/s/<sid>/swap/<kpi_id>", methods=["GET", "POST"])
def swap(sid: str, kpi_id: str):
    """Offer alternatives (and a catalog search) for one KPI; on POST swap it."""
    record, plan_record = _session_plan(sid)
    plan = plan_record.plan
    current = next((k for k in plan.kpis if k.kpi_id == kpi_id), None)
    if current is None:
        return redirect(url_for(".results", sid=sid))
    if request.method == "POST":
        return _edit(record, plan_record, lambda p: swap_kpi(p, kpi_id, _chosen(), get_catalog()),
                     N_("wizard.notice.swapped"), kpi=kpi_id, other=_chosen())
    return _chooser(record, plan_record, "swap", [current.department], kpi_id)


@bp.route("/s/<sid>/add", methods=["GET", "POST"])
def add(sid: str):
    """Offer KPIs to add (best alternatives and a catalog search); on POST add one."""
    record, plan_record = _session_plan(sid)
    if request.method == "POST":
        return _edit(record, plan_record, lambda p: add_kpi(p, _chosen(), get_catalog()),
                     N_("wizard.notice.added"), kpi=_chosen())
    departments = plan_record.plan.departments
    wanted = request.args.get("department")
    return _chooser(record, plan_record, "add",
                    [d for d in departments if d == wanted] or departments, None)


@bp.post("/s/<sid>/remove/<kpi_id>")
def remove(sid: str, kpi_id: str) -> BaseResponse:
    """Remove one KPI from the set; the results page then offers to undo it."""
    record, plan_record = _session_plan(sid)
    try:
        changed = remove_kpi(plan_record.plan, kpi_id)
    except InvalidInputError:
        notify(N_("wizard.notice.not_changed"))
        return redirect(url_for(".results", sid=sid), 303)
    row_id = plan_record.kpi_ids[[k.kpi_id for k in plan_record.plan.kpis].index(kpi_id)]
    update_plan(get_db(), plan_record.id, changed, kpi_ids=[
        i for i in plan_record.kpi_ids if i != row_id])
    return redirect(url_for(".results", sid=sid, removed=row_id), 303)


@bp.post("/s/<sid>/restore/<int:row_id>")
def restore(sid: str, row_id: int) -> BaseResponse:
    """Put a removed KPI back where it was, with everything typed for it."""
    record, plan_record = _session_plan(sid)
    try:
        gone = removed_kpi(get_db(), plan_record.id, row_id)
    except NotFoundError:
        gone = None
    if gone is None or gone.kpi.kpi_id in {k.kpi_id for k in plan_record.plan.kpis}:
        notify(N_("wizard.notice.not_changed"))
        return redirect(url_for(".results", sid=sid), 303)
    at = min(gone.position, len(plan_record.plan.kpis))
    kpis = [*plan_record.plan.kpis[:at], gone.kpi, *plan_record.plan.kpis[at:]]
    ids = [*plan_record.kpi_ids[:at], gone.id, *plan_record.kpi_ids[at:]]
    update_plan(get_db(), plan_record.id, plan_record.plan.model_copy(update={"kpis": kpis}),
                kpi_ids=ids)
    notify(N_("wizard.notice.restored"), kpi=gone.kpi.kpi_id or gone.kpi.name or "")
    return redirect(url_for(".results", sid=sid, _anchor="kpi-" + (gone.kpi.kpi_id or "")
                            .replace(".", "-")), 303)


def _chosen() -> str:
    return request.form.get("kpi_id", "")[:120]


def _edit(record, plan_record, change, notice: str, **values) -> BaseResponse:
    """Apply one change to the set, store it and go back to the results (or say why not)."""
    try:
        changed = change(plan_record.plan)
    except InvalidInputError:
        notify(N_("wizard.notice.not_changed"))
        return redirect(url_for(".results", sid=record.id), 303)
    update_plan(get_db(), plan_record.id, changed)
    notify(notice, **values)
    return redirect(url_for(".results", sid=record.id), 303)


def _chooser(record, plan_record, mode: str, departments: Sequence[Department | None],
             kpi_id: str | None):
    lang = current_lang()
    view = _set_view(record, plan_record, lang)
    in_set = {k["id"] for k in view["kpis"]}
    query = request.args.get("q", "")
    return render_template(
        "wizard/choose.html", record=record, mode=mode, kpi_id=kpi_id, query=query,
        departments=departments, all_departments=plan_record.plan.departments,
        alternatives={d: view["alternatives"].get(d, []) for d in departments},
        found=_search(query, departments, in_set),
        current=get_catalog().get(kpi_id or ""),
    )


@lru_cache(maxsize=256)
def _check(catalog: Catalog, plan_json: str, day: str) -> dict:
    """Return the SMART check of a plan given as JSON, once per catalog, plan text and day."""
    plan = Plan.model_validate_json(plan_json)
    return check_plan(plan.model_copy(update={"as_of": dt.date.fromisoformat(day)}), catalog)


def smart_check(plan: Plan, lang: str) -> dict:
    """Return the SMART check of `plan` with the text in `lang` (a copy the caller may change)."""
    text = plan.model_copy(update={"lang": lang}).model_dump_json()
    return copy.deepcopy(_check(get_catalog(), text, dt.date.today().isoformat()))


def errors_left(check: dict) -> int:
    """Return how many gaps of severity error stand between the plan and ready."""
    gaps = [g for k in check["kpis"] for g in k["gaps"]] + check["plan_gaps"]
    return sum(g["severity"] == "error" for g in gaps)
