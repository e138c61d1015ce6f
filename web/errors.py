"""The one error handler: problem+json under /api/, an HTML page elsewhere; never a stack trace."""

import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from advisor.error_texts import allowed_words, field_error_text, not_found_text
from advisor.errors import InvalidInputError, NotFoundError
from advisor.i18n import LANGS, gettext
from advisor.review.errors import RowsRejectedError
from web.i18n import current_lang
from web.problems import http_detail, status_title

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


class ApiProblem(Exception):
    """An HTTP problem raised by a view: its detail in the reader's language, optional field
    errors, and a title of its own where the status's would say too little."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None,
                 title: str | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.title = title


def validation_errors(exc: ValidationError, prefix: tuple = ()) -> list[dict]:
    """Return pydantic errors as [{field, message}] with dotted field paths; a value that
    had to be one of a list of words also gets `allowed`, the words."""
    found: list[dict[str, Any]] = []
    lang = problem_lang()
    for err in exc.errors(include_url=False):
        path = ".".join(str(p) for p in (*prefix, *err["loc"]))
        item: dict[str, Any] = {"field": path or "body", "message": field_error_text(err, lang)}
        words = allowed_words(err)
        if words:
            item["allowed"] = words
        found.append(item)
    return found


def _wants_json() -> bool:
    """Return True when the request is for the JSON API."""
    return request.path.startswith("/api/")


def problem_lang() -> str:
    """Return the language a problem is told in: the request's, or the `lang` of a JSON body."""
    if _wants_json() and request.is_json:
        try:
            body = request.get_json(silent=True)
        # A body too large to read, or nested too deep for Python's parser (web/body.py
        # refused it for that): the request's language is then the problem's.
        except (HTTPException, RecursionError):
            body = None
        if isinstance(body, dict) and body.get("lang") in LANGS:
            return body["lang"]
    return current_lang()


def problem(status: int, detail: str, errors: list[dict] | None = None,
            title: str | None = None) -> Response:
    """Return a problem response in the form the request's part of the site uses; the title is
    the status's in the problem's language unless one is given (already in that language)."""
    title = title or status_title(status, problem_lang())
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
    return problem(422, _fields_detail(errors), errors)


def _fields_detail(errors: list[dict]) -> str:
    """Return the detail of invalid input: which fields, in the request's language."""
    fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return gettext(problem_lang(), "error.detail.422", fields=fields)


def _on_invalid(exc: InvalidInputError) -> Response:
    if isinstance(exc, RowsRejectedError):
        errors = exc.errors_in(problem_lang())
        return problem(422, "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors)
    return problem(422, _fields_detail(exc.errors), exc.errors)


def _on_not_found(exc: NotFoundError) -> Response:
    return problem(404, not_found_text(exc, problem_lang()))


def _on_problem(exc: ApiProblem) -> Response:
    return problem(exc.status, exc.detail, exc.errors, exc.title)


def _on_http(exc: HTTPException) -> Response:
    detail = http_detail(exc, problem_lang(), current_app.config.get("MAX_CONTENT_LENGTH"))
    response = problem(exc.code or 500, detail)
    # Keep what the exception says beyond its body: Allow on a 405, Retry-After on a 429.
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _on_unexpected(exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return problem(500, gettext(problem_lang(), "error.detail.500"))


def init_app(app: Flask) -> None:
    """Register the handlers on the app."""
    app.register_error_handler(ValidationError, _on_validation)
    app.register_error_handler(InvalidInputError, _on_invalid)
    app.register_error_handler(NotFoundError, _on_not_found)
    app.register_error_handler(ApiProblem, _on_problem)
    app.register_error_handler(HTTPException, _on_http)
    app.register_error_handler(Exception, _on_unexpected)
