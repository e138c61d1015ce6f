"""The review endpoints and schemas of the OpenAPI document (plans, measurements, reviews)."""

from typing import Any

from advisor.plan_models import Plan
from advisor.review.models import ReviewRequest

PROBLEM = {"$ref": "#/components/schemas/Problem"}
LANG = {"name": "lang", "in": "query", "required": False,
        "schema": {"type": "string", "enum": ["vi", "en"]},
        "description": "Language of messages and explanations (default: the server's)."}
PLAN_ID = {"name": "plan_id", "in": "path", "required": True,
           "schema": {"type": "string", "pattern": "^[0-9]+$"}, "description": "Plan id."}
NUMBER = {"type": "number"}
NULLABLE_NUMBER = {"type": ["number", "null"]}
STRING = {"type": "string"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _problems(*codes: int) -> dict:
    return {str(code): {"description": "Problem details",
                        "content": {"application/problem+json": {"schema": PROBLEM}}}
            for code in codes}


def _ok(schema: dict, code: str = "200", description: str = "OK") -> dict:
    return {code: {"description": description, "content": {"application/json":
                                                               {"schema": schema}}}}


def _json_body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _object(required: list[str], **properties: Any) -> dict:
    return {"type": "object", "required": required, "properties": properties}


def _plan_paths() -> dict[str, Any]:
    measurements_body = _object(["measurements"], measurements={
        "type": "array", "minItems": 1, "items": _ref("MeasurementRow")})
    # JSON first: clients (and the docs page) that speak only JSON send the file in base64.
    upload = {"required": True, "content": {
        "application/json": {"schema": _object(
            ["filename", "content_base64"], filename=STRING,
            content_base64={"type": "string", "contentEncoding": "base64"})},
        "multipart/form-data": {"schema": _object(
            ["file"], file={"type": "string", "format": "binary",
                            "description": "CSV (UTF-8; , ; or tab) or XLSX"})}}}
    return {
        "/api/v1/plans": {
            "get": {"summary": "Stored plans, newest first", "operationId": "listPlans",
                    "responses": _ok(_object(["plans"], plans={"type": "array",
                                                               "items": {"type": "object"}}))},
            "post": {"summary": "Store a new plan (status draft)", "operationId": "createPlan",
                     "requestBody": _json_body(_ref("Plan")),
                     "responses": {**_ok(_ref("StoredPlan"), "201", "Created"),
                                   **_problems(415, 422)}},
        },
        "/api/v1/plans/{plan_id}": {"get": {
            "summary": "One stored plan with the row id of each KPI", "operationId": "getPlan",
            "parameters": [PLAN_ID], "responses": {**_ok(_ref("StoredPlan")),
                                                   **_problems(404)}}},
        "/api/v1/plans/{plan_id}/measurements": {
            "get": {"summary": "The plan's measurements; replaced values too with history=true",
                    "operationId": "listMeasurements",
                    "parameters": [PLAN_ID, {"name": "history", "in": "query",
                                             "schema": {"type": "string",
                                                        "enum": ["true", "false"]}}],
                    "responses": {**_ok({"type": "object"}), **_problems(404, 422)}},
            "post": {"summary": "Store measurements: all rows or none, every bad row reported",
                     "operationId": "addMeasurements", "parameters": [PLAN_ID, LANG],
                     "requestBody": _json_body(measurements_body),
                     "responses": {**_ok(_ref("SaveResult")), **_problems(404, 415, 422)}},
        },
        "/api/v1/plans/{plan_id}/measurements/import": {"post": {
            "summary": "Import a CSV or XLSX file (kpi, period, value, target, note) as "
                       "multipart field `file` or JSON {filename, content_base64}: all rows or "
                       "none; each bad row reported with line, column, message and fix",
            "operationId": "importMeasurements", "parameters": [PLAN_ID, LANG],
            "requestBody": upload,
            "responses": {**_ok(_ref("SaveResult")), **_problems(404, 413, 415, 422)}}},
        "/api/v1/plans/{plan_id}/review": {"get": {
            "summary": "The plan's quarterly review from its stored measurements",
            "operationId": "getPlanReview",
            "parameters": [PLAN_ID, LANG, {"name": "quarter", "in": "query",
                                           "schema": {"type": "string",
                                                      "pattern": "^[0-9]{4}-Q[1-4]$"},
                                           "description": "Default: the latest quarter with "
                                                          "measurements."}],
            "responses": {**_ok(_ref("PlanReview")), **_problems(404, 422)}}},
    }


def review_paths() -> dict[str, Any]:
    """Return the review, plan and measurement endpoints."""
    return {
        "/api/v1/reviews": {"post": {
            "summary": "KPI histories in; limits, signals, forecast, chance of the target and a "
                       "suggested target (with committed and stretch levels) out",
            "operationId": "createReview", "requestBody": _json_body(_ref("ReviewRequest")),
            "responses": {**_ok(_ref("ReviewAnswer")), **_problems(415, 422)}}},
        **_plan_paths(),
    }


def _kpi_review_schema() -> dict:
    limits = _object(["centre", "lower", "upper"], centre=NUMBER, lower=NUMBER, upper=NUMBER,
                     url=NUMBER)
    signal = _object(["rule", "periods"], rule={"type": "string", "enum": [
        "beyond_limit", "run_of_8", "three_of_four", "range_beyond_url"]},
        side=STRING, periods={"type": "array", "items": STRING}, recent={"type": "boolean"})
    point = _object(["period", "value", "lower", "upper"], period=STRING, value=NUMBER,
                    lower=NUMBER, upper=NUMBER)
    suggestion = _object(
        ["action", "committed_target", "committed_probability", "stretch_target",
         "stretch_probability", "rule", "explanation"],
        action={"type": "string", "enum": ["raise", "lower", "keep", "investigate",
                                           "change_process"]},
        target=NULLABLE_NUMBER, committed_target=NULLABLE_NUMBER,
        committed_probability=NULLABLE_NUMBER, stretch_target=NULLABLE_NUMBER,
        stretch_probability=NULLABLE_NUMBER, rule=STRING, explanation=STRING)
    flag = _object(["code", "rule", "message"], code=STRING, rule=STRING, message=STRING)
    return _object(
        ["name", "status"], kpi_id={"type": ["string", "null"]}, name=STRING,
        status={"type": "string", "enum": ["ok", "insufficient_data", "unusable_data"]},
        message={"type": ["string", "null"]}, points={"type": "integer"},
        basis={"type": ["string", "null"], "enum": ["values", "forecast_residuals", None]},
        basis_note={"type": ["string", "null"]},
        limits={"oneOf": [limits, {"type": "null"}]},
        natural_range_next={"oneOf": [limits, {"type": "null"}]},
        signals={"type": "array", "items": signal},
        forecast={"type": "array", "items": point},
        probability_of_target=NULLABLE_NUMBER,
        target_position={"type": ["string", "null"]},
        attainment={"type": ["object", "null"]},
        suggestion={"oneOf": [suggestion, {"type": "null"}]},
        flags={"type": "array", "items": flag}, comment_required={"type": "boolean"},
        chart={"type": "array", "items": {"type": "object"}},
    )


def _model(model: type) -> tuple[dict, dict]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return schema, schema.pop("$defs", {})


def review_schemas() -> dict[str, Any]:
    """Return the component schemas the review endpoints refer to."""
    request, request_defs = _model(ReviewRequest)
    plan, plan_defs = _model(Plan)
    row = _object(["kpi", "period", "value"],
                  kpi={"type": "string", "description": "catalog id or name of a plan KPI"},
                  period={"type": "string", "examples": ["2025-03", "2025-Q1", "2025-W07",
                                                         "2025-03-15"]},
                  value={"type": ["number", "string"]}, target={"type": ["number", "string",
                                                                         "null"]},
                  note={"type": ["string", "null"], "maxLength": 500})
    kpi_review = _kpi_review_schema()
    return {
        **request_defs, **plan_defs, "ReviewRequest": request, "Plan": plan,
        "KpiReview": kpi_review, "MeasurementRow": row,
        "ReviewAnswer": _object(["kpis"], lang=STRING, kpis={"type": "array",
                                                              "items": _ref("KpiReview")}),
        "SaveResult": _object(["inserted", "replaced", "unchanged"],
                              inserted={"type": "integer"}, replaced={"type": "integer"},
                              unchanged={"type": "integer"}),
        "StoredPlan": _object(["id", "status", "plan"], id={"type": "integer"},
                              status=STRING, created=STRING, updated=STRING,
                              plan={"type": "object"}),
        "PlanReview": _object(["plan_id", "quarter", "status", "kpis"],
                              plan_id={"type": "integer"}, org_name={"type": ["string", "null"]},
                              quarter={"type": ["string", "null"]},
                              quarters={"type": "array", "items": STRING}, status=STRING,
                              done_at={"type": ["string", "null"]}, lang=STRING,
                              kpis={"type": "array", "items": _ref("KpiReview")}),
    }
