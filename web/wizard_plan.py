"""The wizard after the interview: the KPI set (swap, remove, add), the plan, its exports."""

import copy
import datetime as dt
import re
from functools import lru_cache

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from advisor.errors import InvalidInputError
from advisor.formatting import number_text
from advisor.kpi_set import add_kpi, remove_kpi, swap_kpi, working_set
from advisor.lookup import KpiQuery
from advisor.plan_export import COMMITMENTS, plan_csv, plan_xlsx
from advisor.plan_models import Plan
from advisor.plans import PlanRecord, SessionRecord, get_plan, set_status, update_plan
from advisor.recommend_view import TEMPLATES
from advisor.smart import check_plan
from advisor.smart.bounds import allowed_text, impossible_values
from catalog.labels import label
from catalog.loader import Catalog
from catalog.search import fold
from catalog.vocab import DATA_SOURCES, FREQUENCIES
from web.db import get_catalog, get_db
from web.i18n import N_, _, current_lang
from web.wizard_access import open_session
from web.wizard_form import PLAN_FIELDS, error, milestones_text, parse_plan_form
from web.wizard_state import is_stale, notices, notify
from web.words import NAMES

bp = Blueprint("wizard_plan", __name__, url_prefix="/wizard")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_NOTICES = {"ready": N_("wizard.notice.status_ready"),
                  "draft": N_("wizard.notice.status_draft")}


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
    view = _set_view(record, plan_record, current_lang())
    return render_template("wizard/results.html", record=record, plan=plan_record,
                           view=view, stale=is_stale(sid), notices=notices())


def _search(query: str, departments: list[str], exclude: set[str]) -> list:
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
                    [wanted] if wanted in departments else departments, None)


@bp.post("/s/<sid>/remove/<kpi_id>")
def remove(sid: str, kpi_id: str) -> Response:
    """Remove one KPI from the set."""
    record, plan_record = _session_plan(sid)
    return _edit(record, plan_record, lambda p: remove_kpi(p, kpi_id),
                 N_("wizard.notice.removed"), kpi=kpi_id)


def _chosen() -> str:
    return request.form.get("kpi_id", "")[:120]


def _edit(record, plan_record, change, notice: str, **values) -> Response:
    """Apply one change to the set, store it and go back to the results (or say why not)."""
    try:
        changed = change(plan_record.plan)
    except InvalidInputError:
        notify(N_("wizard.notice.not_changed"))
        return redirect(url_for(".results", sid=record.id), 303)
    update_plan(get_db(), plan_record.id, changed)
    notify(notice, **values)
    return redirect(url_for(".results", sid=record.id), 303)


def _chooser(record, plan_record, mode: str, departments: list[str], kpi_id: str | None):
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


def place_gaps(index: int, gaps: list[dict]) -> dict:
    """Return where each gap shows: under the first plan field it names, described-by ids for
    every field it names, and the gaps about fields the form does not have."""
    shown: dict[str, list[dict]] = {f: [] for f in PLAN_FIELDS}
    described: dict[str, list[str]] = {f: [] for f in PLAN_FIELDS}
    other = []
    for n, gap in enumerate(gaps):
        gap = {**gap, "id": f"k{index}-gap{n}"}
        fields = [f for f in gap["fields"] if f in shown]
        if not fields:
            other.append(gap)
            continue
        shown[fields[0]].append(gap)
        for field in fields:
            described[field].append(gap["id"])
    return {"shown": shown, "described": described, "other": other}


def _plan_rows(plan: Plan, check: dict, lang: str) -> list[dict]:
    """Return what the plan page shows per KPI: the KPI, its catalog entry, check result,
    where its gaps go, and the hints taken from the catalog."""
    catalog = get_catalog()
    rows = []
    for index, (kpi, result) in enumerate(zip(plan.kpis, check["kpis"], strict=True)):
        entry = catalog.get(kpi.kpi_id or "")
        name = entry.name.pick(lang) if entry else result["name"]
        rows.append({
            "index": index, "entry": entry, "result": result,
            "kpi": {**kpi.model_dump(), "milestones": milestones_text(kpi.milestones, lang)},
            "name": name, "gaps": place_gaps(index, result["gaps"]),
            "owner_role": entry.owner_role.pick(lang) if entry else "",
            "template": TEMPLATES[entry.direction].pick(lang).format(name=name.lower())
            if entry else "",
            "unit_hint": _("wizard.field.unit", unit=label("units", entry.unit)
                                   .pick(lang).lower()) if entry else "",
        })
    return rows


def _located(errors: list[dict], plan: Plan, lang: str) -> list[dict]:
    """Return the form errors, each naming its KPI and field for the error summary."""
    catalog = get_catalog()
    located = []
    for found in errors:
        index, field = found["field"][1:].split("-", 1)
        kpi = plan.kpis[int(index)]
        entry = catalog.get(kpi.kpi_id or "")
        name = entry.name.pick(lang) if entry else (kpi.name or "")
        located.append({**found, "where": f"{name} · {_(NAMES['plan_field'][field])}"})
    return located


def errors_left(check: dict) -> int:
    """Return how many gaps of severity error stand between the plan and ready."""
    gaps = [g for k in check["kpis"] for g in k["gaps"]] + check["plan_gaps"]
    return sum(g["severity"] == "error" for g in gaps)


def _choices(vocab: str, words: tuple[str, ...], lang: str) -> list[tuple[str, str]]:
    return [(w, label(vocab, w).pick(lang)) for w in words]


def _plan_page(record, plan_record, lang: str, raw: dict, errors: list) -> str:
    check = smart_check(plan_record.plan, lang)
    return render_template(
        "wizard/plan.html", record=record, plan_record=plan_record, check=check,
        rows=_plan_rows(plan_record.plan, check, lang), raw=raw, errors=errors,
        notices=notices(), errors_left=errors_left(check),
        frequencies=_choices("frequencies", FREQUENCIES, lang),
        data_sources=_choices("data_sources", DATA_SOURCES, lang),
        commitments=[(c, msgid.pick(lang)) for c, msgid in COMMITMENTS.items()],
    )


def impossible_form_values(plan: Plan, lang: str) -> list[dict]:
    """Return the form errors for values no KPI of the plan can hold (a stored plan refuses
    them; the SMART check would only report them)."""
    errors, seen = [], set()
    for found in impossible_values(plan, get_catalog()):
        field = found.field.split(".")[0]  # milestones.2 is typed in the milestones field
        if field in PLAN_FIELDS and not found.inverted and (found.index, field) not in seen:
            seen.add((found.index, field))
            errors.append(error(f"k{found.index}-{field}", N_("wizard.error.outside_range"),
                                allowed=allowed_text(found.low, found.high, lang),
                                value=number_text(found.value, lang, 6)))
    return errors


@bp.route("/s/<sid>/plan", methods=["GET", "POST"])
def plan(sid: str):
    """Show the plan form with SMART gaps next to the fields; on POST save it."""
    record, plan_record = _session_plan(sid)
    lang = current_lang()
    raw, errors = {}, []
    if request.method == "POST":
        updated, raw, errors = parse_plan_form(plan_record.plan, request.form)
        if updated is not None:
            errors = impossible_form_values(updated, lang)
        if not errors:
            update_plan(get_db(), plan_record.id, updated)
            notify(N_("wizard.notice.saved"))
            return redirect(url_for(".plan", sid=sid), 303)
        errors = _located(errors, plan_record.plan, lang)
    page = _plan_page(record, plan_record, lang, raw, errors)
    return (page, 422) if errors else page


@bp.post("/s/<sid>/status")
def status(sid: str) -> Response:
    """Mark the plan ready (only when no gap is an error) or back to draft."""
    record, plan_record = _session_plan(sid)
    wanted = request.form.get("status")
    if wanted == "ready" and not smart_check(plan_record.plan, current_lang())["ready"]:
        notify(N_("wizard.notice.not_ready"))
    elif wanted in ("ready", "draft"):
        set_status(get_db(), plan_record.id, wanted)
        notify(STATUS_NOTICES[wanted])
    return redirect(url_for(".plan", sid=sid), 303)


def _filename(plan_record: PlanRecord, extension: str) -> str:
    """Return an ASCII file name made from the organisation's name."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(plan_record.plan.org_name or "")).strip("-")[:40]
    return f"kpi-plan-{slug or plan_record.id}.{extension}"


def _download(body, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/s/<sid>/plan.csv")
def export_csv(sid: str) -> Response:
    """Download the plan as CSV (UTF-8 with BOM)."""
    _record, plan_record = _session_plan(sid)
    lang = current_lang()
    body = plan_csv(plan_record.plan, smart_check(plan_record.plan, lang), lang, get_catalog())
    return _download(body.encode("utf-8"), "text/csv; charset=utf-8",
                     _filename(plan_record, "csv"))


@bp.get("/s/<sid>/plan.xlsx")
def export_xlsx(sid: str) -> Response:
    """Download the plan and its SMART gaps as an XLSX workbook."""
    _record, plan_record = _session_plan(sid)
    lang = current_lang()
    body = plan_xlsx(plan_record.plan, smart_check(plan_record.plan, lang), lang,
                     get_catalog())
    return _download(body, XLSX, _filename(plan_record, "xlsx"))


@bp.get("/s/<sid>/report")
def report(sid: str) -> str:
    """Show the one-page printable report of the plan."""
    record, plan_record = _session_plan(sid)
    lang = current_lang()
    check = smart_check(plan_record.plan, lang)
    return render_template("wizard/report.html", record=record, plan_record=plan_record,
                           check=check, rows=_plan_rows(plan_record.plan, check, lang),
                           errors_left=errors_left(check), today=dt.date.today())
