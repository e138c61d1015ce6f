"""The OpenAPI 3.1 document of the JSON API, built from the same models the API validates with."""

from typing import Any

from advisor.models import Answers, RecommendRequest
from advisor.plan_models import Plan
from catalog.models import Kpi
from catalog.vocab import DEPARTMENTS, GOALS, INDICATORS, PERSPECTIVES
from web.openapi_review import review_paths, review_schemas

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _param(name: str, where: str, schema: dict, description: str, required: bool = False) -> dict:
    """Return one parameter object."""
    return {"name": name, "in": where, "required": required, "schema": schema,
            "description": description}


LANG_PARAM = _param("lang", "query", {"type": "string", "enum": ["vi", "en"]},
                    "Language of text fields; without it text comes as {vi, en}.")


def _problem_responses(*codes: int) -> dict:
    """Return problem+json responses for the given status codes."""
    return {
        str(code): {
            "description": "Problem details",
            "content": {"application/problem+json": {"schema": PROBLEM_REF}},
        }
        for code in codes
    }


def _json(schema: dict, description: str = "OK") -> dict:
    """Return a 200 response carrying JSON of `schema`."""
    content = {"application/json": {"schema": schema}}
    return {"200": {"description": description, "content": content}}


def _catalog_paths() -> dict[str, Any]:
    """Return the catalog endpoints."""
    list_params = [
        _param("q", "query", {"type": "string", "maxLength": 200},
               "Words to find in names, aliases, definitions and formulas; diacritics optional."),
        _param("department", "query", {"type": "string", "enum": list(DEPARTMENTS)}, "Department."),
        _param("financial", "query", {"type": "boolean"}, "Financial (true) or not (false)."),
        _param("perspective", "query", {"type": "string", "enum": list(PERSPECTIVES)},
               "Balanced-scorecard perspective."),
        _param("indicator", "query", {"type": "string", "enum": list(INDICATORS)},
               "Leading or lagging."),
        _param("goal", "query", {"type": "string", "enum": list(GOALS)}, "A goal the KPI serves."),
        LANG_PARAM,
        _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 200, "default": 20},
               "Page size."),
        _param("offset", "query", {"type": "integer", "minimum": 0, "default": 0}, "Page start."),
    ]
    page = {
        "type": "object",
        "required": ["items", "total", "limit", "offset"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Kpi"}},
            "total": {"type": "integer"},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
        },
    }
    return {
        "/api/v1/kpis": {"get": {
            "summary": "Search the KPI catalog", "operationId": "listKpis",
            "parameters": list_params,
            "responses": {**_json(page), **_problem_responses(422)},
        }},
        "/api/v1/kpis/{kpi_id}": {"get": {
            "summary": "One KPI with every field", "operationId": "getKpi",
            "parameters": [_param("kpi_id", "path", {"type": "string"}, "Catalog id.", True),
                           LANG_PARAM],
            "responses": {**_json({"$ref": "#/components/schemas/Kpi"}),
                          **_problem_responses(404, 422)},
        }},
        "/api/v1/openapi.json": {"get": {
            "summary": "This document", "operationId": "openapi",
            "responses": _json({"type": "object"}),
        }},
        "/api/v1/docs": {"get": {
            "summary": "Human-readable API reference (HTML, works offline)", "operationId": "docs",
            "responses": {"200": {"description": "HTML page",
                                  "content": {"text/html": {"schema": {"type": "string"}}}}},
        }},
    }


def _body(ref: str) -> dict:
    """Return a JSON request body referring to a component schema."""
    schema = {"$ref": f"#/components/schemas/{ref}"}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _advice_paths() -> dict[str, Any]:
    """Return the interview and recommendation endpoints."""
    obj = {"type": "object"}
    return {
        "/api/v1/questions": {"get": {
            "summary": "The interview's questions with text, help, type and options",
            "operationId": "listQuestions", "parameters": [LANG_PARAM],
            "responses": {**_json(obj), **_problem_responses(422)},
        }},
        "/api/v1/interview/next": {"post": {
            "summary": "Answers so far in, the next question (or done) out; answers that no "
                       "longer apply are listed in `dropped`",
            "operationId": "interviewNext", "requestBody": _body("InterviewRequest"),
            "responses": {**_json(obj), **_problem_responses(415, 422)},
        }},
        "/api/v1/smart-check": {"post": {
            "summary": "A plan in, its SMART gaps out: per KPI (letter, code, severity, message, "
                       "fix, fields) and for the plan as a whole",
            "operationId": "smartCheck", "requestBody": _body("Plan"),
            "responses": {**_json({"$ref": "#/components/schemas/SmartCheck"}),
                          **_problem_responses(415, 422)},
        }},
        "/api/v1/recommendations": {"post": {
            "summary": "A balanced, explained KPI set for the client's answers",
            "operationId": "recommend", "requestBody": _body("RecommendRequest"),
            "responses": {**_json({"$ref": "#/components/schemas/Recommendation"}),
                          **_problem_responses(415, 422)},
        }},
    }


def _recommendation_schema() -> dict:
    """Return the schema of a recommendation answer."""
    obj = {"type": "object"}
    return {
        "type": "object",
        "required": ["kpis", "balance", "alternatives", "warnings", "trace"],
        "properties": {
            "kpis": {"type": "array", "items": {
                "type": "object",
                "required": ["id", "department", "financial", "perspective", "indicator",
                             "reasons"],
                "properties": {
                    "id": {"type": "string"}, "department": {"type": "string"},
                    "financial": {"type": "boolean"}, "perspective": {"type": "string"},
                    "indicator": {"type": "string"},
                    "reasons": {"type": "array", "items": obj},
                    "smart_template": {"type": "string"}, "counter_kpi": {},
                },
            }},
            "balance": obj, "alternatives": obj,
            "warnings": {"type": "array", "items": obj},
            "trace": {"type": "array", "items": obj},
        },
    }


def _smart_schema() -> dict:
    """Return the schema of a SMART check answer."""
    gap = {"type": "object", "required": ["letter", "code", "severity", "message", "fix",
                                          "fields"],
           "properties": {"letter": {"type": "string"}, "code": {"type": "string"},
                          "severity": {"type": "string", "enum": ["error", "warning"]},
                          "message": {"type": "string"}, "fix": {"type": "string"},
                          "fields": {"type": "array", "items": {"type": "string"}}}}
    kpi = {"type": "object", "required": ["kpi_id", "score", "gaps"],
           "properties": {"kpi_id": {"type": ["string", "null"]}, "name": {"type": "string"},
                          "score": {"type": "integer", "minimum": 0, "maximum": 5},
                          "ready": {"type": "boolean"},
                          "gaps": {"type": "array", "items": gap}}}
    return {"type": "object", "required": ["kpis", "plan_gaps", "ready"],
            "properties": {"kpis": {"type": "array", "items": kpi},
                           "plan_gaps": {"type": "array", "items": gap},
                           "ready": {"type": "boolean"}}}


def _model_schemas(*models) -> dict[str, Any]:
    """Return component schemas for pydantic models, their definitions lifted."""
    found: dict[str, Any] = {}
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        found.update(schema.pop("$defs", {}))
        found[model.__name__] = schema
    return found


def _problem_schema() -> dict:
    """Return the schema of problem details (RFC 9457) with field errors."""
    return {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": {
                "type": "object", "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            }},
        },
    }


def _components() -> dict[str, Any]:
    """Return the shared schemas, pydantic's definitions lifted to components."""
    kpi = Kpi.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = kpi.pop("$defs", {})
    kpi["properties"].pop("aliases", None)
    kpi["properties"].pop("seed", None)
    interview = {"type": "object", "properties": {
        "answers": {"$ref": "#/components/schemas/Answers"},
        "lang": {"type": "string", "enum": ["vi", "en"]}}}
    return {"Kpi": kpi, "Problem": _problem_schema(), **defs, **review_schemas(),
            **_model_schemas(Answers, RecommendRequest, Plan), "InterviewRequest": interview,
            "SmartCheck": _smart_schema(),
            "Recommendation": _recommendation_schema()}


def openapi_document(default_lang: str = "vi") -> dict[str, Any]:
    """Return the whole OpenAPI 3.1 document."""
    paths: dict[str, Any] = {}
    for part in PATH_BUILDERS:
        paths.update(part())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "KPI Advisor API",
            "version": "1.0.0",
            "description": "Look KPIs up, get recommendations, check targets and review history. "
                           f"Text answers in Vietnamese and English; default page language "
                           f"{default_lang}. Errors are application/problem+json.",
        },
        "paths": paths,
        "components": {"schemas": _components()},
    }


PATH_BUILDERS = [_catalog_paths, _advice_paths, review_paths]
