"""Review pages: a plan's quarterly review with charts, comments and imports, and its report."""

import base64

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from advisor.formatting import period_text
from advisor.plans import get_plan
from advisor.review.errors import RowsRejectedError
from advisor.review.exclusions import set_excluded
from advisor.review.importer import add_rows, import_file
from advisor.review.measurements import save_comments, set_review_status
from advisor.review.policy import review_policy
from advisor.review.report import (
    ACTION_NAMES,
    PlanReview,
    change_text,
    kpi_name,
    number,
    number_range,
    plan_review,
    report_csv,
    report_table,
    report_xlsx,
)
from advisor.review.targets import set_next_target
from catalog.labels import label
from web.db import get_catalog, get_db
from web.i18n import _, current_lang
from web.review_chart import MAX_PERIODS, chart_pair
from web.review_table import table_rows

bp = Blueprint("review", __name__)
# A file sent back by the one-click retry travels in a form field, which the server reads up
# to MAX_FORM_MEMORY_SIZE (500 kB); a larger file is chosen again instead.
RETRY_BYTES = 300_000
# A printed KPI fits on one A4 page with the table of its last year of months (the chart and
# the XLSX export hold every period).
PRINT_PERIODS = 12
COMMENT_LENGTH = 2000
ENTRY_FIELDS = ("kpi", "period", "value", "target", "note")


def _load(plan_id: int, quarter: str | None) -> PlanReview:
    return plan_review(get_db(), plan_id, get_catalog(), quarter or None)


def _charts(review: PlanReview, lang: str) -> dict[int, object]:
    return {k.plan_kpi_id: chart_pair(k.review, f"chart-{k.plan_kpi_id}", lang)
            for k in review.kpis if k.review.status == "ok"}


def _render(plan_id: int, status: int = 200, template: str = "review/page.html",
            **extra) -> Response:
    """Render a review page of the plan's quarter (from the query or the form)."""
    lang = current_lang()
    extra.setdefault("exclusion", None)
    extra.setdefault("apply_errors", {})
    review = _load(plan_id, request.values.get("quarter"))
    record = get_plan(get_db(), plan_id)
    policy = review_policy()
    levels = {"committed": round(100 * policy.committed_probability),
              "stretch": round(100 * policy.stretch_probability)}
    html = render_template(template, review=review, record=record,
                           charts=_charts(review, lang), actions=ACTION_NAMES,
                           number=number, number_range=number_range, levels=levels,
                           change_text=change_text,
                           run_length=policy.run_length, max_periods=MAX_PERIODS,
                           print_periods=PRINT_PERIODS, table_rows=table_rows, **extra)
    return Response(html, status=status, mimetype="text/html")


def _back(plan_id: int, quarter: str | None, anchor: str = "") -> BaseResponse:
    target = url_for("review.page", plan_id=plan_id, quarter=quarter) if quarter else \
        url_for("review.page", plan_id=plan_id)
    return redirect(target + anchor, code=303)


@bp.get("/plans/<int:plan_id>/review")
def page(plan_id: int) -> Response:
    """Show the plan's review: per KPI the chart, numbers, suggestion and comment field."""
    return _render(plan_id)


@bp.post("/plans/<int:plan_id>/review")
def save(plan_id: int) -> BaseResponse:
    """Save the team's comments; with action=done also close the review if nothing is missing."""
    review = _load(plan_id, request.form.get("quarter"))
    if review.quarter is None:
        return _back(plan_id, None)
    comments = {k.plan_kpi_id: request.form.get(f"comment-{k.plan_kpi_id}", "")
                for k in review.kpis}
    too_long = {k for k, text in comments.items() if len(text) > COMMENT_LENGTH}
    if too_long:
        return _render(plan_id, 422, comments=comments, too_long=too_long)
    save_comments(get_db(), plan_id, review.quarter, comments, current_lang())
    if request.form.get("action") != "done":
        flash(_("review.saved"))
        return _back(plan_id, review.quarter, "#comments")
    missing = _load(plan_id, review.quarter).missing_comments()
    if missing:
        return _render(plan_id, 422, missing=set(missing), done_blocked=len(missing))
    set_review_status(get_db(), plan_id, review.quarter, "done")
    flash(_("review.done.ok"))
    return _back(plan_id, review.quarter)


def _sent_file() -> tuple[str, bytes] | None:
    """Return the name and bytes of the file chosen, or of the one a retry sends back."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return upload.filename, upload.read()
    kept = request.form.get("content_base64")
    if kept and request.form.get("filename"):
        try:
            return request.form["filename"], base64.b64decode(kept, validate=True)
        except ValueError:
            return None
    return None


def _frequency_offer(record, exc: RowsRejectedError, filename: str, data: bytes) -> dict | None:
    """Return the one-click retry that sets KPIs to the file's frequency, if it would help."""
    if not exc.frequencies:
        return None
    lang = current_lang()
    names = {row_id: kpi_name(kpi, i, get_catalog()).pick(lang) for i, (row_id, kpi) in
             enumerate(zip(record.kpi_ids, record.plan.kpis, strict=True))}
    changes = [(names[row_id], label("frequencies", frequency).pick(lang).lower())
               for row_id, frequency in exc.frequencies.items()]
    small = len(data) <= RETRY_BYTES
    return {"changes": changes, "filename": filename,
            "content": base64.b64encode(data).decode() if small else None}


@bp.post("/plans/<int:plan_id>/review/import")
def import_measurements(plan_id: int) -> BaseResponse:
    """Import a CSV or XLSX file: all rows, or none and every bad row listed on the page (with
    a one-click retry when KPIs only need the file's frequency)."""
    record = get_plan(get_db(), plan_id)
    sent = _sent_file()
    if sent is None:
        missing = [{"field": "file", "message": _("review.import.nofile"),
                    "fix": _("review.import.help")}]
        return _render(plan_id, 422, import_errors=missing)
    filename, data = sent
    set_frequency = request.form.get("set_frequency") == "1"
    try:
        result = import_file(get_db(), record, filename, data, get_catalog(), set_frequency)
    except RowsRejectedError as exc:
        return _render(plan_id, 422, import_errors=exc.errors_in(current_lang()),
                       import_name=filename,
                       frequency_offer=_frequency_offer(record, exc, filename, data))
    flash(_("review.import.done", **result.model_dump(include={"inserted", "replaced",
                                                                  "unchanged"})))
    if result.frequencies_set:
        flash(_("review.import.frequency_set", count=len(result.frequencies_set)))
    # New data may open a later quarter; the page then shows the latest one.
    return _back(plan_id, None, "#import")


@bp.post("/plans/<int:plan_id>/review/measurements")
def enter_measurement(plan_id: int) -> BaseResponse:
    """Store one measurement typed into the form; problems are shown next to their fields."""
    record = get_plan(get_db(), plan_id)
    entered = {k: request.form.get(k, "").strip() for k in ENTRY_FIELDS}
    item = {k: v for k, v in entered.items() if v or k in ("kpi", "period", "value")}
    try:
        result = add_rows(get_db(), record, [item], get_catalog(), "form", where="entry")
    except RowsRejectedError as exc:
        errors = {p.get("column", "kpi"): p for p in exc.errors_in(current_lang())}
        return _render(plan_id, 422, entry=entered, entry_errors=errors)
    flash(_("review.import.done", **result.model_dump(include={"inserted", "replaced",
                                                                  "unchanged"})))
    return _back(plan_id, None, "#entry")


@bp.post("/plans/<int:plan_id>/review/exclusions")
def exclusion(plan_id: int) -> BaseResponse:
    """Mark a period of a KPI as an assignable cause with a note, or count it again."""
    record = get_plan(get_db(), plan_id)
    form = request.form
    kpi = int(form["plan_kpi_id"]) if form.get("plan_kpi_id", "").isdigit() else 0
    include = form.get("include")
    period = (include if include is not None else form.get("period", "")).strip()
    note = form.get("note", "")
    try:
        label = set_excluded(get_db(), record, kpi, period, include is None, note)
    except RowsRejectedError as exc:
        errors = {p["column"]: p for p in exc.errors_in(current_lang())}
        typed = {"kpi": kpi, "period": period, "note": note, "errors": errors}
        return _render(plan_id, 422, exclusion=typed)
    shown = period_text(label, current_lang())
    flash(_("review.exclude.done", period=shown) if include is None
          else _("review.exclude.undone", period=shown))
    return _back(plan_id, form.get("quarter") or None, f"#kpi-{kpi}")


@bp.post("/plans/<int:plan_id>/review/targets")
def apply_suggestion(plan_id: int) -> BaseResponse:
    """Set a KPI's next target to the committed or stretch level the review suggests."""
    review = _load(plan_id, request.form.get("quarter"))
    form = request.form
    kpi = int(form["plan_kpi_id"]) if form.get("plan_kpi_id", "").isdigit() else 0
    try:
        change = set_next_target(get_db(), plan_id, kpi, form.get("level", ""), review)
    except RowsRejectedError as exc:
        return _render(plan_id, 422, apply_errors={kpi: exc.errors_in(current_lang())})
    item = next(k for k in review.kpis if k.plan_kpi_id == kpi)
    flash(_("review.apply.done", change=change_text(change, item.review, current_lang())))
    return _back(plan_id, review.quarter, f"#kpi-{kpi}")


@bp.get("/plans/<int:plan_id>/review/report")
def report(plan_id: int) -> Response:
    """Show the quarterly review report, laid out for printing."""
    review = _load(plan_id, request.args.get("quarter"))
    header, rows = report_table(review, current_lang())
    return _render(plan_id, template="review/report.html", header=header, rows=rows)


def _filename(review: PlanReview, extension: str) -> str:
    return f"kpi-review-plan{review.plan_id}-{review.quarter or 'none'}.{extension}"


@bp.get("/plans/<int:plan_id>/review/report.csv")
def report_as_csv(plan_id: int) -> Response:
    """Download the quarterly report as CSV (UTF-8 with BOM, so Excel keeps the diacritics)."""
    review = _load(plan_id, request.args.get("quarter"))
    body = report_csv(review, current_lang()).encode("utf-8")
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{_filename(review, "csv")}"'})


@bp.get("/plans/<int:plan_id>/review/report.xlsx")
def report_as_xlsx(plan_id: int) -> Response:
    """Download the quarterly report and the measurement history as an XLSX workbook."""
    review = _load(plan_id, request.args.get("quarter"))
    body = report_xlsx(get_db(), review, get_catalog(), current_lang())
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument."
                                   "spreadsheetml.sheet", headers={
        "Content-Disposition": f'attachment; filename="{_filename(review, "xlsx")}"'})
