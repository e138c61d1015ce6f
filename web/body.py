"""Reading JSON request bodies into problems rather than crashes."""

from flask import request

from web.errors import ApiProblem


def json_object() -> dict:
    """Return the request's JSON body, which must be an object, or raise a 4xx problem."""
    if not request.is_json:
        raise ApiProblem(415, "Unsupported media type",
                         "send the body as JSON with Content-Type: application/json")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiProblem(422, "Invalid input", "the body must be a JSON object",
                         [{"field": "body", "message": "expected a JSON object"}])
    return body


def lang_of(body: dict, default: str) -> str:
    """Return the body's `lang` (vi or en), the query's, or `default`; reject others."""
    lang = body.get("lang", request.args.get("lang", default))
    if lang not in ("vi", "en"):
        raise ApiProblem(422, "Invalid input", "lang must be one of: vi, en",
                         [{"field": "lang", "message": "allowed: vi, en"}])
    return lang
