"""The JSON API under /api/v1: catalog look-ups, the OpenAPI document and its reference page."""

import re

from flask import Blueprint, Response, current_app, jsonify, render_template
from markupsafe import Markup, escape

from advisor.lookup import KpiQuery, get_kpi, kpi_json, page_json_text
from web.contract.catalog import Kpi, KpiInLang, KpiPage, KpiPageInLang, LangQuery
from web.contract.document import OpenApiDocument, openapi_document
from web.contract.registry import Reply, operation
from web.db import get_catalog, get_db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
_CODE_SPAN = re.compile(r"`([^`]+)`")
BOTH_SHAPES = ("Without `lang` every text is {vi, en}; with it, a plain string in that "
               "language.")


@operation(bp, "GET", "/kpis", operation_id="listKpis", tag="catalog",
           summary="Search the KPI catalog", description="Words are matched in names, aliases, "
           "definitions and formulas, with or without Vietnamese diacritics. " + BOTH_SHAPES,
           query=KpiQuery, replies=(Reply(KpiPage | KpiPageInLang),))
def list_kpis(query: KpiQuery) -> Response:
    """Search the catalog with optional filters."""
    # Pages are served as cached JSON text (each KPI serialised once per language); the test
    # suite checks every answer against the KpiPage models.
    text = page_json_text(get_db(), get_catalog(), query, current_app.extensions["search_cache"])
    return Response(text, mimetype="application/json")


@operation(bp, "GET", "/kpis/<kpi_id>", operation_id="getKpi", tag="catalog",
           summary="One KPI with every field", description=BOTH_SHAPES, query=LangQuery,
           replies=(Reply(Kpi | KpiInLang),))
def show_kpi(kpi_id: str, query: LangQuery) -> dict:
    """Return one KPI with every field."""
    return kpi_json(get_kpi(get_catalog(), kpi_id), query.lang)


@operation(bp, "GET", "/openapi.json", operation_id="openapi", tag="docs",
           summary="This document (OpenAPI 3.1), generated from the models the API validates "
           "and answers with", replies=(Reply(OpenApiDocument),))
def openapi() -> Response:
    """Return the OpenAPI 3.1 document of this API."""
    return jsonify(openapi_document())


@operation(bp, "GET", "/docs", operation_id="docs", tag="docs",
           summary="The API reference as an HTML page that needs nothing from outside",
           replies=(Reply(str, media="text/html", description="HTML page"),))
def docs() -> Response:
    """Render the API reference from the OpenAPI document, with no outside assets."""
    html = render_template("api_docs.html", spec=openapi_document())
    return Response(html, mimetype="text/html")


@bp.app_template_filter("code_spans")
def code_spans(text: str | None) -> Markup:
    """Return a description with its `code` spans (field names, paths) as <code>, escaped."""
    return Markup(_CODE_SPAN.sub(lambda m: f"<code>{m[1]}</code>", str(escape(text or ""))))
