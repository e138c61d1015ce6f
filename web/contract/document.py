"""The OpenAPI 3.1 document, generated from the declared operations and their pydantic models."""

import re
from typing import Any

from flask import current_app
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from web.access import ACCESS, OPEN_LEVELS
from web.contract.problems import PROBLEM, STATUSES, Problem
from web.contract.registry import Operation, adapter, operations

REF = "#/components/schemas/{model}"
BEARER = "bearerToken"
PLACEHOLDER = re.compile(r"<(?:([a-z]+):)?([a-z_]+)>")
ID_PARAMETER = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
# The Host check, tokens and rate limits (issue 12) apply to every path.
ALWAYS = (400, 401, 403, 405, 429, 500)
WITH_BODY = (413, 415, 422)
HEADERS = {405: ("Allow", "The methods this path takes."),
           429: ("Retry-After", "Seconds to wait before trying again.")}


class OpenApiDocument(BaseModel):
    """An OpenAPI 3.1 document."""

    model_config = ConfigDict(extra="allow")

    openapi: str = Field(pattern=r"^3\.1\.\d+$")
    info: dict[str, str]
    paths: dict[str, dict[str, dict[str, Any]]]
    components: dict[str, dict[str, dict[str, Any]]]


def openapi_document() -> dict[str, Any]:
    """Return the app's OpenAPI document (built once per app)."""
    cached = current_app.extensions.get("openapi_document")
    if cached is None:
        cached = current_app.extensions["openapi_document"] = build_document(operations())
    return cached


def build_document(ops: list[Operation]) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of these operations."""
    schemas, components = _schemas(ops)
    paths: dict[str, dict] = {}
    kinds = _access_kinds()
    for op in ops:
        path, parameters = _path(op)
        item: dict[str, Any] = {
            "operationId": op.operation_id, "summary": op.summary, "tags": [op.tag],
            "parameters": parameters + _query_parameters(op),
            "responses": _responses(op, schemas, bool(parameters)),
            "security": _security(kinds[op.operation_id]),
        }
        if op.description:
            item["description"] = op.description
        body = _request_body(op, schemas)
        if body:
            item["requestBody"] = body
        paths.setdefault(path, {})[op.method.lower()] = item
    document = {
        "openapi": "3.1.0",
        "info": {"title": "KPI Advisor API", "version": "1.0.0", "description": _about()},
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {BEARER: {
            "type": "http", "scheme": "bearer",
            "description": "An API token of one workspace, made by its owner on the "
                           "workspace's Tokens page or with `kpi-advisor tokens create`; "
                           "read-only tokens may not write."}}},
    }
    return _fill_catalog_ids(document, sorted(current_app.extensions["kpi_catalog"].by_id))


def _access_kinds() -> dict[str, str]:
    """Return each operation's access kind (web/access.py), by operation id."""
    kinds = {}
    for rule in current_app.url_map.iter_rules():
        op = getattr(current_app.view_functions[rule.endpoint], "api_operation", None)
        if op is not None:
            kinds[op.operation_id] = ACCESS[rule.endpoint]
    return kinds


def _security(kind: str) -> list[dict]:
    """Return an operation's security: a token required, or optional where the OPEN_API
    setting leaves it open (a token sent there is still checked)."""
    if kind in OPEN_LEVELS[current_app.config["OPEN_API"]]:
        return [{}, {BEARER: []}]
    return [{BEARER: []}]


def _about() -> str:
    lang = current_app.config["DEFAULT_LANG"]
    return ("Look KPIs up, get recommendations, check targets and review history, in "
            f"Vietnamese and English (default language: {lang}). Every error is "
            "application/problem+json. " + " ".join(f"{code}: {text}"
                                                    for code, text in STATUSES.items()))


def _schemas(ops: list[Operation]) -> tuple[dict, dict]:
    """Return each operation's body and reply schemas, and the shared component schemas."""
    inputs: list[tuple[Any, JsonSchemaMode, TypeAdapter]] = [
        ("problem", "serialization", adapter(Problem))]
    for op in ops:
        if op.body is not None:
            inputs.append(((op.operation_id, "body"), "validation", adapter(op.body)))
        if op.form is not None:
            inputs.append(((op.operation_id, "form"), "validation", adapter(op.form)))
        for reply in op.replies:
            if reply.media == "application/json":
                inputs.append(((op.operation_id, reply.status), "serialization",
                               adapter(reply.model)))
    keyed, definitions = TypeAdapter.json_schemas(inputs, ref_template=REF)
    schemas = {key: schema for (key, _mode), schema in keyed.items()}
    return schemas, definitions.get("$defs", {})


def _path(op: Operation) -> tuple[str, list[dict]]:
    """Return the OpenAPI path of the operation's rule and its path parameters."""
    parameters = []
    for converter, name in PLACEHOLDER.findall(op.rule):
        schema = ID_PARAMETER if converter == "int" else {"type": "string", "minLength": 1}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return PLACEHOLDER.sub(r"{\2}", op.rule), parameters


def _query_parameters(op: Operation) -> list[dict]:
    """Return one query parameter per field of the operation's query model."""
    if op.query is None:
        return []
    schema = op.query.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    found = []
    for name, field in schema["properties"].items():
        described = {k: v for k, v in _without_null(field).items() if k != "title"}
        text = described.pop("description", None)
        parameter = {"name": name, "in": "query", "required": name in required,
                     "schema": described}
        if text:
            parameter["description"] = text
        found.append(parameter)
    return found


def _without_null(schema: dict) -> dict:
    """Return a field's schema without its null branch (an absent parameter is the null)."""
    if schema.get("default", ...) is None:
        schema = {k: v for k, v in schema.items() if k != "default"}
    options = schema.get("anyOf")
    if not options:
        return schema
    kept = [o for o in options if o.get("type") != "null"]
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    return {**rest, **kept[0]} if len(kept) == 1 else {**rest, "anyOf": kept}


def _request_body(op: Operation, schemas: dict) -> dict | None:
    content = {}
    if op.body is not None:
        content["application/json"] = {"schema": schemas[(op.operation_id, "body")]}
    if op.form is not None:
        content["multipart/form-data"] = {"schema": schemas[(op.operation_id, "form")]}
    return {"required": True, "content": content} if content else None


def _responses(op: Operation, schemas: dict, has_path_parameters: bool) -> dict:
    responses: dict[str, Any] = {}
    for reply in op.replies:
        schema = schemas.get((op.operation_id, reply.status), {"type": "string"})
        entry: dict[str, Any] = {"description": reply.description,
                                 "content": {reply.media: {"schema": schema}}}
        if reply.headers:
            entry["headers"] = {h.name: {"description": h.description, "required": True,
                                         "schema": {"type": "string"}} for h in reply.headers}
        if reply.links:
            entry["links"] = {name: {"operationId": target,
                                     "parameters": {parameter: "$response.body#/id"}}
                              for name, (target, parameter) in reply.links.items()}
        responses[str(reply.status)] = entry
    for status in problem_statuses(op, has_path_parameters):
        entry = {"description": STATUSES[status],
                 "content": {PROBLEM: {"schema": schemas["problem"]}}}
        if status in HEADERS:
            name, text = HEADERS[status]
            entry["headers"] = {name: {"description": text, "required": status == 405,
                                       "schema": {"type": "string"}}}
        responses[str(status)] = entry
    return dict(sorted(responses.items()))


def problem_statuses(op: Operation, has_path_parameters: bool) -> list[int]:
    """Return the error statuses an operation can answer with."""
    found = set(ALWAYS)
    if has_path_parameters:
        found.add(404)
    if op.query is not None:
        found.add(422)
    if op.body is not None or op.form is not None:
        found.update(WITH_BODY)
    return sorted(found)


def _fill_catalog_ids(value: Any, ids: list[str]) -> Any:
    """Return the document with every catalog-id mark replaced by the catalog's ids."""
    if isinstance(value, dict):
        filled = {k: _fill_catalog_ids(v, ids) for k, v in value.items() if k != "x-catalog-ids"}
        if value.get("x-catalog-ids"):
            filled["enum"] = ids
        return filled
    if isinstance(value, list):
        return [_fill_catalog_ids(v, ids) for v in value]
    return value
