"""The JSON API under /api/v1: catalog look-ups and the OpenAPI document."""

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from advisor.lookup import KpiQuery, get_kpi, kpi_json, page_json_text
from web.db import get_catalog, get_db
from web.errors import ApiProblem
from web.openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
LANGS = ("vi", "en")


def requested_lang(default: str | None = None) -> str | None:
    """Return the `lang` query parameter checked against vi/en, or `default`."""
    lang = request.args.get("lang")
    if lang is None:
        return default
    if lang not in LANGS:
        raise ApiProblem(422, "Invalid input", "lang must be one of: vi, en",
                         [{"field": "lang", "message": "allowed: vi, en"}])
    return lang


@bp.get("/kpis")
def list_kpis() -> Response:
    """Search the catalog with optional filters."""
    query = KpiQuery.model_validate(request.args.to_dict())
    text = page_json_text(get_db(), get_catalog(), query, current_app.extensions["search_cache"])
    return Response(text, mimetype="application/json")


@bp.get("/kpis/<kpi_id>")
def show_kpi(kpi_id: str) -> Response:
    """Return one KPI with every field."""
    lang = requested_lang()
    return jsonify(kpi_json(get_kpi(get_catalog(), kpi_id), lang))


@bp.get("/openapi.json")
def openapi() -> Response:
    """Return the OpenAPI 3.1 document of this API."""
    return jsonify(openapi_document(current_app.config["DEFAULT_LANG"]))


@bp.get("/docs")
def docs() -> str:
    """Render the API reference from the OpenAPI document, with no outside assets."""
    spec = openapi_document(current_app.config["DEFAULT_LANG"])
    return render_template("api_docs.html", spec=spec)
