"""The plan page: every KPI's fields with a checklist of what still stops "ready", saved field
by field, and never over a version someone else saved meanwhile."""

from collections.abc import Sequence
from typing import Any

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from advisor.deliverable.dictionary import Entry, plan_dictionary, target_text
from advisor.deliverable.words import COMMITMENTS, quantity_text
from advisor.errors import NotFoundError, PlanChangedError
from advisor.exports import Quantity
from advisor.formatting import date_text, number_text
from advisor.plan_models import PlanKpi
from advisor.plans import (
    PlanRecord,
    get_plan,
    get_plan_version,
    note_page,
    set_status,
    update_plan,
)
from advisor.review.measurements import last_reviews
from catalog.labels import label
from catalog.vocab import DATA_SOURCES, FREQUENCIES
from web.access import grant
from web.db import get_catalog, get_db
from web.i18n import N_, _, current_lang
from web.plan_form import (
    GOALS_SHOWN,
    PLAN_FIELDS,
    PlanForm,
    comparable,
    field_id,
    milestones_text,
    parse_plan_form,
)
from web.wizard_plan import _session_plan, bp, errors_left, smart_check
from web.wizard_state import notices, notify
from web.words import NAMES

# What a KPI needs before it can be ready, in the order the form asks for it; a gap with one
# of these codes means the field is still empty.
CHECKLIST = (("owner", ("owner",), "owner.none"),
             ("baseline", ("baseline", "baseline_date"), "M.no_baseline"),
             ("target", ("target",), "S.no_target"),
             ("deadline", ("deadline",), "T.no_deadline"),
             ("frequency", ("frequency",), "M.no_frequency"),
             ("data_source", ("data_source",), "M.no_data_source"))
STATUS_NOTICES = {"ready": N_("wizard.notice.status_ready"),
                  "draft": N_("wizard.notice.status_draft")}
PRESENCE = {code for _name, _fields, code in CHECKLIST} | {"S.no_statement"}


def _field_value(kpi: PlanKpi, name: str, lang: str):
    """Return what a field shows for a stored value, in the language's formats."""
    value = getattr(kpi, name)
    if name == "milestones":
        return milestones_text(kpi.milestones, lang)
    if value is None:
        return ""
    if name in ("baseline", "target"):
        return _typed_number(value, lang)
    if name in ("baseline_date", "deadline"):
        return value.isoformat()
    return value


def _typed_number(value: float, lang: str) -> str:
    """Return a number as a person would type it back: grouped, decimals as needed."""
    return number_text(value, lang, 6)


def _goals_checked(kpi: PlanKpi, entry, plan_goals: Sequence[str]) -> list[str]:
    goals = kpi.goals if kpi.goals is not None else (list(entry.goals) if entry else [])
    return [g for g in plan_goals if g in goals]


def _checklist(row_id: int, gaps: list[dict], error_fields: set[str]) -> list[dict]:
    """Return one item per thing the KPI needs, done or not, and one per other gap."""
    items: list[dict[str, Any]] = []
    used: set[int] = set()
    for name, fields, code in CHECKLIST:
        mine = [g for g in gaps if set(g["fields"]) & set(fields)]
        invalid = [f for f in fields if field_id(row_id, f) in error_fields]
        used.update(id(g) for g in mine)
        if invalid:
            state = "invalid"
        elif any(g["code"] == code for g in mine):
            state = "todo"
        elif any(g["severity"] == "error" for g in mine):
            state = "problem"
        elif mine:
            state = "warning"
        else:
            state = "done"
        items.append({"name": name, "fields": [field_id(row_id, f) for f in fields],
                      "state": state, "target": field_id(row_id, fields[0]),
                      "gaps": [g for g in mine if g["code"] != code]})
    for gap in gaps:
        if id(gap) not in used:
            target = next((f for f in gap["fields"] if f in PLAN_FIELDS), None)
            items.append({"name": None, "fields": [], "gap": gap,
                          "state": "problem" if gap["severity"] == "error" else "warning",
                          "target": field_id(row_id, target) if target else None, "gaps": []})
    return items


def _field_gaps(row_id: int, gaps: list[dict], error_fields: set[str]) -> dict[str, list]:
    """Return, per field, the errors to show beside it: not the "still empty" ones nor the
    warnings, which the checklist shows, and none where the field has an error of its own."""
    shown: dict[str, list] = {f: [] for f in PLAN_FIELDS}
    for n, gap in enumerate(gaps):
        fields = [f for f in gap["fields"] if f in shown]
        if gap["code"] in PRESENCE or not fields or gap["severity"] != "error":
            continue
        if field_id(row_id, fields[0]) in error_fields:
            continue
        shown[fields[0]].append({**gap, "id": f"kpi-{row_id}-gap{n}"})
    return shown


def _visible_gaps(gaps: list[dict], row_id: int, error_fields: set[str]) -> list[dict]:
    """Return the gaps without those that would call a field empty when it holds text that
    could not be read (its own error says what is wrong)."""
    return [g for g in gaps if not (g["code"] in PRESENCE and any(
        field_id(row_id, f) in error_fields for f in g["fields"]))]


def plan_rows(record: PlanRecord, check: dict, entries: list[Entry], lang: str,
              error_fields: set[str]) -> list[dict]:
    """Return what the plan page shows per KPI: its dictionary entry, its fields' values,
    its checklist and the gaps beside each field."""
    catalog, plan = get_catalog(), record.plan
    rows = []
    for row_id, kpi, result, entry in zip(record.kpi_ids, plan.kpis, check["kpis"], entries,
                                          strict=True):
        gaps = _visible_gaps(result["gaps"], row_id, error_fields)
        catalog_entry = catalog.get(kpi.kpi_id or "")
        values = {name: _field_value(kpi, name, lang) for name in PLAN_FIELDS if name != "goals"}
        values["goals"] = _goals_checked(kpi, catalog_entry, plan.goals)
        checklist = _checklist(row_id, gaps, error_fields)
        sources = _source_choices(kpi, catalog_entry, lang)
        rows.append({
            "sources": sources,
            "row_id": row_id, "anchor": f"kpi-{row_id}", "entry": entry, "result": result,
            "values": values, "checklist": checklist,
            "open": sum(item["state"] != "done" for item in checklist),
            "field_gaps": _field_gaps(row_id, gaps, error_fields),
            "target_text": target_text(entry, lang),
            "unit": f" ({entry.unit_name.lower()})" if entry.unit_name else "",
        })
    _choose_open(rows, error_fields)
    return rows


def _choose_open(rows: list[dict], error_fields: set[str]) -> None:
    """Open the KPIs that need the user now: those with a field error, else the first one
    not ready; the others fold to their heading so the page stays short on a phone."""
    with_errors = [r for r in rows if any(f.startswith(r["anchor"] + "-") for f in error_fields)]
    first_open = next((r for r in rows if not r["result"]["ready"]), None)
    for row in rows:
        row["unfolded"] = row in with_errors if with_errors else row is first_open


def _source_choices(kpi: PlanKpi, entry, lang: str) -> list[tuple[str, str]]:
    """Return the data sources to offer: those that can supply this catalog KPI (and the one
    chosen, if another), or every source for a KPI of the consultant's own."""
    words = list(entry.data_sources) if entry else list(DATA_SOURCES)
    if kpi.data_source and kpi.data_source not in words:
        words.append(kpi.data_source)
    return _choices("data_sources", tuple(words), lang)


def blockers(rows: list[dict], check: dict) -> list[dict]:
    """Return what stops "ready", KPI by KPI, each item with the field it links to; the plan's
    own errors last."""
    found = []
    for row in rows:
        items = []
        for item in row["checklist"]:
            if item["state"] in ("todo", "invalid"):
                items.append({"target": item["target"], "state": item["state"],
                              "text": _(NAMES["check_item"][item["name"]])})
            for gap in ([item["gap"]] if item.get("gap") else []) + item["gaps"]:
                if gap["severity"] == "error":
                    items.append({"target": item["target"] or row["anchor"],
                                  "text": gap["message"], "state": "problem"})
        if items:
            found.append({"kpi": row["entry"].name, "anchor": row["anchor"], "items": items})
    plan_items = [{"target": "plan-gaps", "text": g["message"], "state": "problem"}
                  for g in check["plan_gaps"] if g["severity"] == "error"]
    if plan_items:
        found.append({"kpi": _("wizard.plan.whole_plan"), "anchor": "plan-gaps",
                      "items": plan_items})
    return found


def _choices(vocab: str, words: tuple[str, ...], lang: str) -> list[tuple[str, str]]:
    return [(w, label(vocab, w).pick(lang)) for w in words]


def render_plan(record, plan_record: PlanRecord, lang: str, form: PlanForm | None = None,
                raw: dict | None = None, changes: list | None = None,
                elsewhere: dict | None = None, attempted: bool = False) -> str:
    """Render the plan page: the stored plan, or a refused or conflicting submission."""
    check = smart_check(plan_record.plan, lang)
    errors = located(form.errors, plan_record, lang) if form else []
    entries = plan_dictionary(plan_record, check, lang, get_catalog())
    rows = plan_rows(plan_record, check, entries, lang, form.error_fields if form else set())
    return render_template(
        "wizard/plan.html", record=record, plan_record=plan_record, check=check, rows=rows,
        raw=raw if raw is not None else (form.raw if form else {}), errors=errors,
        blockers=blockers(rows, check), attempted=attempted or bool(errors),
        notices=notices(), errors_left=errors_left(check), changes=changes or [],
        elsewhere=elsewhere or {}, gone=_gone(form, lang),
        frequencies=_choices("frequencies", FREQUENCIES, lang),
        commitments=[(c, text.pick(lang)) for c, text in COMMITMENTS.items()],
        goals=[(g, label("goals", g).pick(lang)) for g in plan_record.plan.goals],
        goals_shown=GOALS_SHOWN, field_id=field_id,
        last_review_of_plan=last_reviews(get_db(), [plan_record.id]).get(plan_record.id),
    )


def located(errors: list[dict], plan_record: PlanRecord, lang: str) -> list[dict]:
    """Return the form errors, each naming its KPI and field for the error summary."""
    names = {row_id: _name(kpi, lang) for row_id, kpi in
             zip(plan_record.kpi_ids, plan_record.plan.kpis, strict=True)}
    found = []
    for item in errors:
        _kpi, row, name = item["field"].split("-", 2)
        where = f"{names.get(int(row), '')} · {_(NAMES['plan_field'][name])}"
        found.append({**item, "where": where})
    return found


def _name(kpi: PlanKpi, lang: str) -> str:
    entry = get_catalog().get(kpi.kpi_id or "")
    return entry.name.pick(lang) if entry else (kpi.name or "")


def _gone(form: PlanForm | None, lang: str) -> list[dict]:
    """Return the KPIs a submitted form had that the plan no longer has, with what was typed."""
    if not form or not form.gone:
        return []
    found = []
    for row_id in form.gone:
        typed = {k: v for k, v in form.typed.get(row_id, {}).items() if v}
        found.append({"row_id": row_id, "typed": [
            f"{_(NAMES['plan_field'][k])}: {v}" for k, v in typed.items()]})
    return found


@bp.route("/s/<sid>/plan", methods=["GET", "POST"])
def plan(sid: str):
    """Show the plan form with its checklists; on POST save every readable field."""
    if not grant().can_edit:  # a viewer reads the plan as its printable report, no form
        return redirect(url_for(".report", sid=sid))
    record, plan_record = _session_plan(sid)
    lang = current_lang()
    if request.method == "GET":
        note_page(get_db(), sid, "plan")
        return render_plan(record, plan_record, lang, attempted="checked" in request.args)
    form = parse_plan_form(plan_record, request.form, get_catalog(), lang)
    based_on = request.form.get("version", "")
    if based_on.isdigit() and int(based_on) != plan_record.version:
        return _conflict(record, plan_record, form, int(based_on), lang)
    saved = plan_record
    if form.plan != plan_record.plan:
        try:
            saved = update_plan(get_db(), plan_record.id, form.plan,
                                expected_version=plan_record.version,
                                kpi_ids=plan_record.kpi_ids)
        except PlanChangedError:  # saved by someone else between reading and writing
            current = get_plan(get_db(), plan_record.id)
            return _conflict(record, current, form, plan_record.version, lang)
    if form.errors or form.gone:
        notify(N_("wizard.notice.saved_but"), n=len(form.errors))
        raw = {k: v for k, v in form.raw.items() if k in form.error_fields}
        return render_plan(record, saved, lang, form, raw, attempted=True), 422
    notify(N_("wizard.notice.saved"))
    return redirect(url_for(".plan", sid=sid, checked=1), 303)


def _conflict(record, current: PlanRecord, form: PlanForm, based_on: int, lang: str):
    """Show what changed since the version the form was made from, keeping every value the
    user typed differently from that version (the rest show the current values)."""
    try:
        base = get_plan_version(get_db(), current.id, based_on)
        base_kpis = dict(zip(base.kpi_ids, base.plan.kpis, strict=True))
    except NotFoundError:
        base, base_kpis = None, {}
    now_kpis = dict(zip(current.kpi_ids, current.plan.kpis, strict=True))
    raw, elsewhere = {}, {}
    for row_id, typed in form.typed.items():
        if row_id not in now_kpis:
            continue
        for name in PLAN_FIELDS:
            fid = field_id(row_id, name)
            if fid not in form.raw:
                continue
            before = base_kpis.get(row_id)
            mine = _comparable_typed(name, typed.get(name)) if fid not in form.error_fields \
                else object()
            if before is None or mine != comparable(before, name):
                raw[fid] = form.raw[fid]
                if before is not None and comparable(now_kpis[row_id], name) != \
                        comparable(before, name):
                    elsewhere[fid] = _shown(now_kpis[row_id], name, lang)
    changes = plan_changes(base_kpis, now_kpis, lang) if base else []
    notify(N_("wizard.notice.conflict"))
    page = render_plan(record, current, lang, form, raw, changes, elsewhere, attempted=True)
    return page, 409


def _comparable_typed(name: str, value):
    if name == "milestones":
        return [(m["date"], m["target"]) for m in value or []] or None
    if name == "goals":
        return sorted(value) if value is not None else None
    return value


def _shown(kpi: PlanKpi, name: str, lang: str) -> str:
    """Return a stored field as a person reads it (for "changed elsewhere to ...")."""
    value = getattr(kpi, name)
    if value is None or value == []:
        return _("wizard.plan.empty")
    if name in ("baseline_date", "deadline"):
        return date_text(value, lang)
    if name in ("baseline", "target"):
        entry = get_catalog().get(kpi.kpi_id or "")
        return quantity_text(Quantity(value, kpi.unit or (entry.unit if entry else None)), lang)
    if name == "milestones":
        return milestones_text(value, lang)
    if name == "goals":
        return ", ".join(label("goals", g).pick(lang) for g in value)
    if name in ("frequency", "data_source"):
        return label({"frequency": "frequencies"}.get(name, "data_sources"), value).pick(lang)
    if name == "commitment":
        return COMMITMENTS[value].pick(lang)
    return str(value)


def plan_changes(before: dict[int, PlanKpi], now: dict[int, PlanKpi], lang: str) -> list[dict]:
    """Return what another save changed: KPIs added or removed and each field changed."""
    found = []
    for row_id, kpi in now.items():
        old = before.get(row_id)
        if old is None:
            found.append({"kpi": _name(kpi, lang), "what": _("wizard.plan.kpi_added")})
            continue
        for name in PLAN_FIELDS:
            if comparable(old, name) != comparable(kpi, name):
                found.append({"kpi": _name(kpi, lang),
                              "what": _("wizard.plan.field_changed",
                                                field=_(NAMES["plan_field"][name]),
                                                before=_shown(old, name, lang),
                                                after=_shown(kpi, name, lang))})
    for row_id, kpi in before.items():
        if row_id not in now:
            found.append({"kpi": _name(kpi, lang), "what": _("wizard.plan.kpi_removed")})
    return found


@bp.post("/s/<sid>/status")
def status(sid: str) -> BaseResponse:
    """Mark the plan ready (only when no gap is an error) or back to draft."""
    record, plan_record = _session_plan(sid)
    wanted = request.form.get("status")
    if wanted == "ready" and not smart_check(plan_record.plan, current_lang())["ready"]:
        notify(N_("wizard.notice.not_ready"))
        return redirect(url_for(".plan", sid=sid, checked=1, _anchor="ready-summary"), 303)
    if wanted in ("ready", "draft"):
        set_status(get_db(), plan_record.id, wanted)
        notify(STATUS_NOTICES[wanted])
    return redirect(url_for(".plan", sid=sid), 303)
