"""The JSON API of review mode: ad-hoc reviews, plans, their measurements and their reviews."""

import base64

from flask import Blueprint, current_app, request, url_for

from advisor.errors import InvalidInputError
from advisor.i18n import gettext
from advisor.plans import PlanRecord, create_plan, get_plan, list_plans
from advisor.review.analysis import review_kpis, with_catalog
from advisor.review.errors import RowsRejectedError
from advisor.review.importer import add_rows, import_file
from advisor.review.measurements import SaveResult, plan_measurements
from advisor.review.report import PlanReview, plan_review
from advisor.review.targets import set_next_target
from advisor.review.view import review_json, reviews_json
from advisor.smart.bounds import impossible_values
from advisor.smart.check import unknown_kpis
from web.access import grant
from web.contract.catalog import SpeakQuery
from web.contract.plans import PlanBody, ReviewBody
from web.contract.registry import Answer, Header, Reply, default_lang, operation
from web.contract.review import (
    ApplyBody,
    ImportBody,
    ImportForm,
    ImportQuery,
    Measurements,
    MeasurementsBody,
    MeasurementsQuery,
    PlanReviewOut,
    Plans,
    ReviewAnswer,
    ReviewQuery,
    SaveAnswer,
    StoredPlan,
    TargetChangeOut,
)
from web.db import get_catalog, get_db
from web.errors import ApiProblem, problem_lang

bp = Blueprint("api_review", __name__, url_prefix="/api/v1")
# What a client can do next with the plan a POST created (OpenAPI links, used by schemathesis).
PLAN_LINKS = {name: (operation_id, "plan_id") for name, operation_id in (
    ("plan", "getPlan"), ("measurements", "listMeasurements"),
    ("addMeasurements", "addMeasurements"), ("importMeasurements", "importMeasurements"),
    ("review", "getPlanReview"), ("applySuggestion", "applySuggestion"))}
ALL_OR_NOTHING = ("All rows are stored or none; every bad row is reported with its line, "
                  "column, message and fix.")


def _lang(query: SpeakQuery) -> str:
    return query.lang or current_app.config["DEFAULT_LANG"]


def _rejected(exc: RowsRejectedError, lang: str) -> InvalidInputError:
    """Return the row problems as an InvalidInputError in the reader's language."""
    return InvalidInputError(exc.errors_in(lang))


@operation(bp, "POST", "/reviews", operation_id="createReview", tag="review",
           summary="KPI histories in; limits, signals, forecast, chance of the target and a "
           "suggested target (committed and stretch levels) out; nothing is stored",
           body=ReviewBody, body_defaults=default_lang, replies=(Reply(ReviewAnswer),))
def create_review(body: ReviewBody) -> dict:
    """Review KPI histories sent in the body; nothing is stored."""
    kpis, names = with_catalog(body.kpis, get_catalog())
    try:
        reviews = review_kpis(kpis, names)
    except RowsRejectedError as exc:
        raise _rejected(exc, body.lang) from None
    return reviews_json(reviews, body.lang)


def plan_json(record: PlanRecord) -> dict:
    """Return a stored plan with its KPI row ids (used to address measurements)."""
    plan = record.plan.model_dump(mode="json", exclude_none=True)
    for kpi, row_id in zip(plan["kpis"], record.kpi_ids, strict=True):
        kpi["plan_kpi_id"] = row_id
    return {"id": record.id, "status": record.status, "created": record.created,
            "updated": record.updated, "plan": plan}


@operation(bp, "GET", "/plans", operation_id="listPlans", tag="plans",
           summary="The token's workspace's stored plans, newest first", replies=(Reply(Plans),))
def plans() -> dict:
    """List the stored plans, newest first."""
    return {"plans": list_plans(get_db(), grant().workspace)}


@operation(bp, "POST", "/plans", operation_id="createPlan", tag="plans",
           summary="Store a new plan (status draft)",
           description="Each KPI names a catalog `kpi_id` or, for a KPI of your own, a `name`. "
           "A stored plan holds no value its KPI cannot take: a baseline, target, range end or "
           "milestone outside the KPI's value range, or a range whose low end is above its "
           "high end, is refused with 422 naming the field and what is allowed (the SMART "
           "check reports the same values as error gaps instead).",
           body=PlanBody, replies=(Reply(StoredPlan, 201, "Created", headers=(
               Header("Location", "The new plan's address."),), links=PLAN_LINKS),))
def add_plan(body: PlanBody) -> Answer:
    """Store a new plan; answer it with its id and 201."""
    catalog = get_catalog()
    unknown = unknown_kpis(body, catalog)
    unknown += [found.problem(body.lang) for found in impossible_values(body, catalog)]
    if unknown:
        raise InvalidInputError(unknown)
    plan_id = create_plan(get_db(), body, workspace_id=grant().workspace_id)
    return Answer(plan_json(get_plan(get_db(), plan_id)), 201,
                  {"Location": url_for("api_review.plan", plan_id=plan_id)})


@operation(bp, "GET", "/plans/<int:plan_id>", operation_id="getPlan", tag="plans",
           summary="One stored plan with the row id of each KPI", replies=(Reply(StoredPlan),))
def plan(plan_id: int) -> dict:
    """Return one stored plan."""
    return plan_json(get_plan(get_db(), plan_id))


@operation(bp, "GET", "/plans/<int:plan_id>/measurements", operation_id="listMeasurements",
           tag="plans", summary="The plan's measurements; replaced values too with history=true",
           query=MeasurementsQuery, replies=(Reply(Measurements),))
def measurements(plan_id: int, query: MeasurementsQuery) -> dict:
    """Return the plan's current measurements, and with ?history=true the replaced ones too."""
    record = get_plan(get_db(), plan_id)
    rows = plan_measurements(get_db(), record.id, include_replaced=query.history == "true")
    return {"plan_id": record.id, "measurements": rows}


@operation(bp, "POST", "/plans/<int:plan_id>/measurements", operation_id="addMeasurements",
           tag="plans", summary="Store measurements sent as JSON", description=ALL_OR_NOTHING,
           query=SpeakQuery, body=MeasurementsBody, replies=(Reply(SaveAnswer),))
def add_measurements(plan_id: int, query: SpeakQuery, body: MeasurementsBody) -> dict:
    """Store measurements sent as JSON: all of them, or none and every problem."""
    record = get_plan(get_db(), plan_id)
    items = [row.model_dump(exclude_unset=True) for row in body.measurements]
    try:
        result = add_rows(get_db(), record, items, get_catalog(), "api")
    except RowsRejectedError as exc:
        raise _rejected(exc, _lang(query)) from None
    return save_json(result)


@operation(bp, "POST", "/plans/<int:plan_id>/measurements/import",
           operation_id="importMeasurements", tag="plans",
           summary="Import a CSV or XLSX file (columns kpi, period, value, target, note)",
           description="As multipart field `file`, or as JSON `{filename, content_base64}`. "
           + ALL_OR_NOTHING + " Column `exclude` (yes/no) marks periods with an assignable "
           "cause. A KPI whose rows have one frequency other than the plan's is one problem "
           "per KPI, or, with `?set_frequency=1`, takes the file's frequency "
           "(`frequencies_set`).", query=ImportQuery, body=ImportBody, form=ImportForm,
           replies=(Reply(SaveAnswer),))
def import_measurements(plan_id: int, query: ImportQuery, body: ImportBody | None) -> dict:
    """Import a CSV or XLSX file (multipart field `file`, or JSON with the file in base64)."""
    record = get_plan(get_db(), plan_id)
    filename, data = _uploaded_file(body)
    try:
        result = import_file(get_db(), record, filename, data, get_catalog(),
                             set_frequency=query.set_frequency in ("1", "true"))
    except RowsRejectedError as exc:
        raise _rejected(exc, _lang(query)) from None
    return save_json(result)


def save_json(result: SaveResult) -> dict:
    """Return what a save did; `frequencies_set` only when an import set a frequency."""
    return result.model_dump(exclude=None if result.frequencies_set else {"frequencies_set"})


def _uploaded_file(body: ImportBody | None) -> tuple[str, bytes]:
    """Return the name and bytes of the file sent as base64 in JSON, or as multipart."""
    if body is not None:
        try:
            return body.filename, base64.b64decode(body.content_base64, validate=True)
        except ValueError:  # bad padding or alphabet, and text that is not ASCII at all
            raise InvalidInputError([{"field": "content_base64", "message": gettext(
                problem_lang(), "api.import.not_base64")}]) from None
    if not (request.content_type or "").startswith("multipart/form-data"):
        raise ApiProblem(415, gettext(problem_lang(), "api.import.not_multipart"))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInputError([{"field": "file",
                                  "message": gettext(problem_lang(), "api.import.no_file")}])
    return upload.filename, upload.read()


def plan_review_json(review: PlanReview, lang: str) -> dict:
    """Return a plan's quarterly review as the API answers it."""
    return {
        "plan_id": review.plan_id, "org_name": review.org_name, "quarter": review.quarter,
        "quarters": review.quarters, "status": review.status, "done_at": review.done_at,
        "lang": lang,
        "kpis": [{"plan_kpi_id": k.plan_kpi_id, **review_json(k.review, lang),
                  "comment": k.comment,
                  "target_changes": [c.model_dump() for c in k.target_changes]}
                 for k in review.kpis],
    }


@operation(bp, "GET", "/plans/<int:plan_id>/review", operation_id="getPlanReview", tag="plans",
           summary="The plan's quarterly review from its stored measurements",
           query=ReviewQuery, replies=(Reply(PlanReviewOut),))
def review(plan_id: int, query: ReviewQuery) -> dict:
    """Return the review of the plan's latest quarter (or ?quarter=2025-Q1) from stored data."""
    result = plan_review(get_db(), plan_id, get_catalog(), query.quarter)
    return plan_review_json(result, _lang(query))


@operation(bp, "POST", "/plans/<int:plan_id>/review/targets", operation_id="applySuggestion",
           tag="plans", summary="Set a KPI's next target to the review's committed or stretch "
           "level", description="The KPI's target in the plan becomes the level the quarter's "
           "review suggests; the plan gets a new version (the one before keeps the old target) "
           "and the change is listed under the KPI's `target_changes` in the review. A KPI "
           "with no such level (too little data, an in-range KPI) is a 422 naming `level`.",
           query=SpeakQuery, body=ApplyBody, replies=(Reply(TargetChangeOut),))
def apply_suggestion(plan_id: int, query: SpeakQuery, body: ApplyBody) -> dict:
    """Set a KPI's next target to the committed or stretch level of the plan's review."""
    result = plan_review(get_db(), plan_id, get_catalog(), body.quarter)
    try:
        change = set_next_target(get_db(), plan_id, body.plan_kpi_id, body.level, result)
    except RowsRejectedError as exc:
        raise _rejected(exc, _lang(query)) from None
    return change.model_dump()
