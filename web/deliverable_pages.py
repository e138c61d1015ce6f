"""What the consultant hands over: the printable report, the KPI dictionary, one card per KPI
and the downloads (XLSX, CSV), each in the page's language with the other one a link away."""

import datetime as dt
import re

from flask import Response, abort, render_template, request

from advisor.deliverable.dictionary import plan_dictionary
from advisor.deliverable.sheets import benchmark_text, dictionary_csv, plan_csv, plan_xlsx
from advisor.plans import PlanRecord
from catalog.search import fold
from web.db import get_catalog
from web.i18n import current_lang
from web.wizard_plan import _session_plan, bp, errors_left, smart_check

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAPERS = ("a4", "a5")


def _filename(plan_record: PlanRecord, extension: str, what: str = "kpi-plan") -> str:
    """Return an ASCII file name made from the organisation's name."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(plan_record.plan.org_name or "")).strip("-")[:40]
    return f"{what}-{slug or plan_record.id}.{extension}"


def _download(body, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _plan_and_check(sid: str):
    record, plan_record = _session_plan(sid)
    lang = current_lang()
    return record, plan_record, smart_check(plan_record.plan, lang), lang


@bp.get("/s/<sid>/plan.csv")
def export_csv(sid: str) -> Response:
    """Download the plan as CSV (UTF-8 with BOM)."""
    _record, plan_record, check, lang = _plan_and_check(sid)
    body = plan_csv(plan_record, check, lang, get_catalog())
    return _download(body.encode("utf-8"), "text/csv; charset=utf-8",
                     _filename(plan_record, "csv"))


@bp.get("/s/<sid>/dictionary.csv")
def export_dictionary_csv(sid: str) -> Response:
    """Download the KPI dictionary as CSV (UTF-8 with BOM)."""
    _record, plan_record, check, lang = _plan_and_check(sid)
    body = dictionary_csv(plan_record, check, lang, get_catalog())
    return _download(body.encode("utf-8"), "text/csv; charset=utf-8",
                     _filename(plan_record, "csv", "kpi-dictionary"))


@bp.get("/s/<sid>/plan.xlsx")
def export_xlsx(sid: str) -> Response:
    """Download the plan, its KPI dictionary and its SMART gaps as an XLSX workbook."""
    _record, plan_record, check, lang = _plan_and_check(sid)
    body = plan_xlsx(plan_record, check, lang, get_catalog())
    return _download(body, XLSX, _filename(plan_record, "xlsx"))


def _entries(plan_record: PlanRecord, check: dict, lang: str) -> list:
    return plan_dictionary(plan_record, check, lang, get_catalog())


@bp.get("/s/<sid>/report")
def report(sid: str) -> str:
    """Show the one-page printable report of the plan."""
    record, plan_record, check, lang = _plan_and_check(sid)
    return render_template("wizard/report.html", record=record, plan_record=plan_record,
                           check=check, entries=_entries(plan_record, check, lang),
                           errors_left=errors_left(check), today=dt.date.today())


@bp.get("/s/<sid>/dictionary")
def dictionary(sid: str) -> str:
    """Show the printable KPI dictionary: every KPI with every fact a client needs."""
    record, plan_record, check, lang = _plan_and_check(sid)
    entries = _entries(plan_record, check, lang)
    return render_template("wizard/dictionary.html", record=record, plan_record=plan_record,
                           entries=entries, benchmarks=[benchmark_text(e, lang) for e in entries],
                           today=dt.date.today())


@bp.get("/s/<sid>/cards")
@bp.get("/s/<sid>/cards/<int:row_id>")
def cards(sid: str, row_id: int | None = None) -> str:
    """Show one printable card per KPI for its owner (all of them, or the one named), two to
    an A4 page or one to an A5 page."""
    record, plan_record, check, lang = _plan_and_check(sid)
    entries = _entries(plan_record, check, lang)
    if row_id is not None:
        entries = [e for e in entries if e.row_id == row_id]
        if not entries:
            abort(404)
    paper = request.args.get("paper", "a4")
    return render_template("wizard/cards.html", record=record, plan_record=plan_record,
                           entries=entries, paper=paper if paper in PAPERS else "a4",
                           row_id=row_id, today=dt.date.today())
