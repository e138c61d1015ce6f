"""The one error handler: problem+json under /api/, an HTML page elsewhere; never a stack trace."""

import logging

from flask import Flask, Response, jsonify, render_template, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from advisor.errors import InvalidInputError, NotFoundError

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


class ApiProblem(Exception):
    """An HTTP problem raised by a view, with optional field errors."""

    def __init__(self, status: int, title: str, detail: str, errors: list[dict] | None = None):
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors or []


def validation_errors(exc: ValidationError, prefix: tuple = ()) -> list[dict]:
    """Return pydantic errors as [{field, message}] with dotted field paths."""
    found = []
    for err in exc.errors(include_url=False):
        path = ".".join(str(p) for p in (*prefix, *err["loc"]))
        found.append({"field": path or "body", "message": err["msg"]})
    return found


def _wants_json() -> bool:
    """Return True when the request is for the JSON API."""
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: str, errors: list[dict] | None = None) -> Response:
    """Return a problem response in the form the request's part of the site uses."""
    if _wants_json():
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
        if errors:
            body["errors"] = errors
        response = jsonify(body)
        response.status_code = status
        response.mimetype = PROBLEM
        return response
    html = render_template("error.html", status=status, title=title, detail=detail,
                           errors=errors or [])
    return Response(html, status=status, mimetype="text/html")


def _on_validation(exc: ValidationError) -> Response:
    errors = validation_errors(exc)
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, "Invalid input", detail, errors)


def _on_invalid(exc: InvalidInputError) -> Response:
    return problem(422, "Invalid input", str(exc), exc.errors)


def _on_not_found(exc: NotFoundError) -> Response:
    return problem(404, "Not found", str(exc))


def _on_problem(exc: ApiProblem) -> Response:
    return problem(exc.status, exc.title, exc.detail, exc.errors)


def _on_http(exc: HTTPException) -> Response:
    response = problem(exc.code or 500, exc.name, exc.description or exc.name)
    # Keep what the exception says beyond its body: Allow on a 405, Retry-After on a 429.
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _on_unexpected(exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return problem(500, "Internal error", "Something went wrong on our side; it has been logged.")


def init_app(app: Flask) -> None:
    """Register the handlers on the app."""
    app.register_error_handler(ValidationError, _on_validation)
    app.register_error_handler(InvalidInputError, _on_invalid)
    app.register_error_handler(NotFoundError, _on_not_found)
    app.register_error_handler(ApiProblem, _on_problem)
    app.register_error_handler(HTTPException, _on_http)
    app.register_error_handler(Exception, _on_unexpected)
