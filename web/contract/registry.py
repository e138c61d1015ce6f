"""One declaration per API operation: the route, the models that read its input and shape its
answers, and every status it can give. The OpenAPI document is generated from these.

Why not a library: flask-openapi3 replaces Flask and Blueprint and reads bodies with
`get_json(silent=True)` (no 415, none of our strict JSON reading); spectree answers validation
errors in its own format and validates responses only by turning mismatches into 500s in
production; apispec only writes the document, so the operations would still be declared here.
This module is the small part of them we need, on plain Flask blueprints.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, wraps
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import BaseModel, TypeAdapter, ValidationError

from web.body import json_object

JSON = "application/json"


@dataclass(frozen=True)
class Header:
    """A response header the API promises, with what it holds."""

    name: str
    description: str


@dataclass(frozen=True)
class Reply:
    """A successful answer: its status, the model of its body and the headers it carries."""

    model: Any
    status: int = 200
    description: str = "OK"
    media: str = JSON
    headers: tuple[Header, ...] = ()
    links: dict[str, tuple[str, str]] = field(default_factory=dict)  # name: (operation, path id)


@dataclass(frozen=True)
class Answer:
    """What a view returns when the status or headers are not the operation's first reply."""

    payload: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    """One method on one path, declared once for the route, the checks and the document."""

    method: str
    rule: str
    operation_id: str
    summary: str
    replies: tuple[Reply, ...]
    description: str = ""
    tag: str = "api"
    query: type[BaseModel] | None = None
    body: Any = None
    form: type[BaseModel] | None = None
    body_defaults: Callable[[], dict] | None = None

    def reply(self, status: int) -> Reply | None:
        """Return the declared reply for a status, or None."""
        return next((r for r in self.replies if r.status == status), None)


class ReplyError(RuntimeError):
    """An answer does not fit the reply model its operation declares (a bug of ours)."""


@cache
def adapter(model: Any) -> TypeAdapter:
    """Return the (cached) TypeAdapter of a model or type."""
    return TypeAdapter(model)


def _query(model: type[BaseModel]) -> BaseModel:
    """Return the query string read by the operation's query model (first value of each)."""
    return model.model_validate(request.args.to_dict())


def _body(op: Operation) -> Any:
    """Return the JSON body read by the operation's body model, or None for a form upload."""
    if op.form is not None and not request.is_json:
        return None
    raw = json_object()
    for key, value in (op.body_defaults() if op.body_defaults else {}).items():
        raw.setdefault(key, value)
    # Strict, as JSON: the types the document states (false is no number, 0 no date), read
    # once more from text so that dates and times still come as ISO strings.
    return adapter(op.body).validate_json(json.dumps(raw), strict=True)


def shape(op: Operation, result: Any) -> Response:
    """Return the view's result as a response shaped by the model declared for its status."""
    if isinstance(result, Response):
        return result
    answer = result if isinstance(result, Answer) else Answer(result, op.replies[0].status)
    reply = op.reply(answer.status)
    if reply is None:
        raise LookupError(f"{op.operation_id} has no reply declared for {answer.status}")
    try:
        checked = adapter(reply.model).validate_python(answer.payload)
    except ValidationError as exc:
        # Our answer breaks our own contract: a server fault (500, logged), never the
        # client's 422.
        raise ReplyError(f"{op.operation_id} answered outside its contract: {exc}") from None
    shaped = adapter(reply.model).dump_python(checked, mode="json", exclude_unset=True)
    response = jsonify(shaped)
    response.status_code = answer.status
    response.headers.update(answer.headers)
    return response


def operation(bp: Blueprint, method: str, rule: str, **declared: Any) -> Callable:
    """Declare an operation and register its route: the view gets the path's values, `query`
    and `body` read by their models, and returns a payload its reply model shapes."""
    def decorate(view: Callable) -> Callable:
        op = Operation(method=method.upper(), rule=(bp.url_prefix or "") + rule, **declared)

        @wraps(view)
        def endpoint(**path: Any) -> Response:
            values: dict[str, Any] = {}
            if op.query is not None:
                values["query"] = _query(op.query)
            if op.body is not None:
                values["body"] = _body(op)
            return shape(op, view(**path, **values))

        endpoint.api_operation = op  # type: ignore[attr-defined]
        bp.add_url_rule(rule, view_func=endpoint, methods=[op.method])
        return endpoint
    return decorate


def operations() -> list[Operation]:
    """Return every operation of the running app, in the order of its URL map."""
    found = []
    for rule in current_app.url_map.iter_rules():
        op = getattr(current_app.view_functions[rule.endpoint], "api_operation", None)
        if op is not None:
            found.append(op)
    return found


def default_lang() -> dict:
    """Return the body defaults of operations whose answer speaks one language."""
    return {"lang": current_app.config["DEFAULT_LANG"]}
