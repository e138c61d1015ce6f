"""The JSON API of review mode: ad-hoc reviews, plans, their measurements and their reviews."""

import base64
import binascii

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from advisor.errors import InvalidInputError, NotFoundError
from advisor.plan_models import Plan
from advisor.plans import PlanRecord, create_plan, get_plan, list_plans
from advisor.review.analysis import review_kpis, with_catalog
from advisor.review.errors import RowsRejectedError
from advisor.review.importer import add_rows, import_file
from advisor.review.measurements import plan_measurements
from advisor.review.models import ReviewRequest
from advisor.review.report import PlanReview, plan_review
from advisor.review.view import review_json, reviews_json
from advisor.smart.bounds import impossible_values
from web.api import requested_lang
from web.body import json_object
from web.db import get_catalog, get_db
from web.errors import ApiProblem

bp = Blueprint("api_review", __name__, url_prefix="/api/v1")


def _lang() -> str:
    return requested_lang(current_app.config["DEFAULT_LANG"])


def _rejected(exc: RowsRejectedError, lang: str) -> InvalidInputError:
    """Return the row problems as an InvalidInputError in the reader's language."""
    return InvalidInputError(exc.errors_in(lang))


def _plan(plan_id: str) -> PlanRecord:
    """Return the stored plan named in the path (ids are whole numbers)."""
    if not plan_id.isascii() or not plan_id.isdigit():
        raise NotFoundError("plan", plan_id)
    return get_plan(get_db(), int(plan_id))


@bp.post("/reviews")
def create_review() -> Response:
    """Review KPI histories sent in the body; nothing is stored."""
    body = json_object()
    body.setdefault("lang", current_app.config["DEFAULT_LANG"])
    review_request = ReviewRequest.model_validate(body)
    kpis, names = with_catalog(review_request.kpis, get_catalog())
    try:
        reviews = review_kpis(kpis, names)
    except RowsRejectedError as exc:
        raise _rejected(exc, review_request.lang) from None
    return jsonify(reviews_json(reviews, review_request.lang))


def plan_json(record: PlanRecord) -> dict:
    """Return a stored plan with its KPI row ids (used to address measurements)."""
    plan = record.plan.model_dump(mode="json", exclude_none=True)
    for kpi, row_id in zip(plan["kpis"], record.kpi_ids, strict=True):
        kpi["plan_kpi_id"] = row_id
    return {"id": record.id, "status": record.status, "created": record.created,
            "updated": record.updated, "plan": plan}


@bp.get("/plans")
def plans() -> Response:
    """List the stored plans, newest first."""
    return jsonify({"plans": list_plans(get_db())})


@bp.post("/plans")
def add_plan() -> Response:
    """Store a new plan; answer it with its id and 201."""
    plan = Plan.model_validate(json_object())
    catalog = get_catalog()
    unknown = [{"field": f"kpis.{i}.kpi_id", "message": f"unknown KPI id {k.kpi_id!r}; see "
                "GET /api/v1/kpis, or leave it out and give a name"}
               for i, k in enumerate(plan.kpis) if k.kpi_id and catalog.get(k.kpi_id) is None]
    unknown += [{"field": f"kpis.{i}.name", "message": "give a catalog kpi_id or a name"}
                for i, k in enumerate(plan.kpis) if not k.kpi_id and not k.name]
    unknown += [found.problem() for found in impossible_values(plan, catalog)]
    if unknown:
        raise InvalidInputError(unknown)
    plan_id = create_plan(get_db(), plan)
    response = jsonify(plan_json(get_plan(get_db(), plan_id)))
    response.status_code = 201
    response.headers["Location"] = url_for("api_review.plan", plan_id=str(plan_id))
    return response


@bp.get("/plans/<plan_id>")
def plan(plan_id: str) -> Response:
    """Return one stored plan."""
    return jsonify(plan_json(_plan(plan_id)))


@bp.get("/plans/<plan_id>/measurements")
def measurements(plan_id: str) -> Response:
    """Return the plan's current measurements, and with ?history=true the replaced ones too."""
    record = _plan(plan_id)
    history = request.args.get("history", "false")
    if history not in ("true", "false"):
        raise ApiProblem(422, "Invalid input", "history must be true or false",
                         [{"field": "history", "message": "allowed: true, false"}])
    rows = plan_measurements(get_db(), record.id, include_replaced=history == "true")
    return jsonify({"plan_id": record.id, "measurements": rows})


@bp.post("/plans/<plan_id>/measurements")
def add_measurements(plan_id: str) -> Response:
    """Store measurements sent as JSON: all of them, or none and every problem."""
    record = _plan(plan_id)
    body = json_object()
    items = body.get("measurements")
    if not isinstance(items, list) or not items:
        raise InvalidInputError([{"field": "measurements", "message": "give a non-empty list of "
                                  "{kpi, period, value, target, note}"}])
    lang = _lang()
    try:
        result = add_rows(get_db(), record, items, get_catalog(), "api")
    except RowsRejectedError as exc:
        raise _rejected(exc, lang) from None
    return jsonify(result.model_dump())


@bp.post("/plans/<plan_id>/measurements/import")
def import_measurements(plan_id: str) -> Response:
    """Import a CSV or XLSX file (multipart field `file`, or JSON with the file in base64)."""
    record = _plan(plan_id)
    filename, data = _uploaded_file()
    lang = _lang()
    try:
        result = import_file(get_db(), record, filename, data, get_catalog())
    except RowsRejectedError as exc:
        raise _rejected(exc, lang) from None
    return jsonify(result.model_dump())


def _uploaded_file() -> tuple[str, bytes]:
    """Return the name and bytes of the file sent as multipart or as base64 in JSON."""
    if request.is_json:
        body = json_object()
        name, content = body.get("filename"), body.get("content_base64")
        if not isinstance(name, str) or not name or not isinstance(content, str):
            raise InvalidInputError([{"field": "content_base64", "message": "give filename "
                                      "and content_base64 (the file's bytes in base64)"}])
        try:
            return name, base64.b64decode(content, validate=True)
        except binascii.Error:
            raise InvalidInputError([{"field": "content_base64",
                                      "message": "not valid base64"}]) from None
    if not (request.content_type or "").startswith("multipart/form-data"):
        raise ApiProblem(415, "Unsupported media type",
                         "send the file as multipart/form-data in a field named file, or as "
                         "JSON {filename, content_base64}")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInputError([{"field": "file", "message": "attach a CSV or XLSX file in "
                                  "the multipart field named file"}])
    return upload.filename, upload.read()


def plan_review_json(review: PlanReview, lang: str) -> dict:
    """Return a plan's quarterly review as the API answers it."""
    return {
        "plan_id": review.plan_id, "org_name": review.org_name, "quarter": review.quarter,
        "quarters": review.quarters, "status": review.status, "done_at": review.done_at,
        "lang": lang,
        "kpis": [{"plan_kpi_id": k.plan_kpi_id, **review_json(k.review, lang),
                  "comment": k.comment} for k in review.kpis],
    }


@bp.get("/plans/<plan_id>/review")
def review(plan_id: str) -> Response:
    """Return the review of the plan's latest quarter (or ?quarter=2025-Q1) from stored data."""
    record = _plan(plan_id)
    quarter = request.args.get("quarter") or None
    result = plan_review(get_db(), record.id, get_catalog(), quarter)
    return jsonify(plan_review_json(result, _lang()))
