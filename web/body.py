"""Reading JSON request bodies strictly: problems naming the field rather than crashes.

Python's json module accepts what JSON does not (NaN, Infinity) and what no handler can use
(numbers that overflow to infinity, integers of hundreds of digits, lone UTF-16 surrogates that
cannot be stored or encoded, nesting deep enough to exhaust the stack). Every body is read here,
so those never reach a model or the store.
"""

import json
import math
import re
from typing import Any

from flask import request

from advisor.i18n import N_, MessageId, gettext
from web.errors import ApiProblem, problem_lang

MAX_DEPTH = 64  # far beyond any body of this API (a review is 4 deep), far below the stack
INT64 = 2**63
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Refused:
    """A JSON number the parser met that no handler may see, kept to name its field."""

    def __init__(self, text: str, reason: MessageId):
        self.text = text
        self.reason = reason


def _number(text: str) -> float | int | _Refused:
    value = float(text)
    if not math.isfinite(value):
        return _Refused(text, N_("body.number_too_large"))
    # 3.0 is the integer 3 to JSON Schema: read it so, or strict validation refuses it.
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _integer(text: str) -> int | _Refused:
    # Checked by length first: int() of thousands of digits is slow, and refused past 4300.
    if len(text.lstrip("-")) > 19 or not -INT64 <= int(text) < INT64:
        return _Refused(text[:24], N_("body.integer_too_large"))
    return int(text)


def _constant(text: str) -> _Refused:
    return _Refused(text, N_("body.not_a_number"))


def invalid(field: str, msgid: MessageId, status: int = 422, **values: object) -> ApiProblem:
    """Return the problem for one bad field of the body, told in the problem's language."""
    message = gettext(problem_lang(), msgid, **values)
    return ApiProblem(status, f"{field}: {message}", [{"field": field, "message": message}])


def strict_json(raw: bytes) -> Any:
    """Return the JSON value in `raw`, or raise a 422 problem naming the offending field."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid("body", N_("body.not_utf8"), byte=exc.start) from None
    try:
        value = json.loads(text, parse_float=_number, parse_int=_integer,
                           parse_constant=_constant)
    except RecursionError:
        raise invalid("body", N_("body.too_deep"), depth=MAX_DEPTH) from None
    except ValueError as exc:
        # The parser's own words (English) say where; ours say what.
        raise invalid("body", N_("body.not_json"), reason=str(exc)) from None
    _check_values(value)
    return value


def _check_values(value: Any) -> None:
    """Raise a problem at the first refused number, lone surrogate or too deep nesting."""
    stack: list[tuple[Any, tuple, int]] = [(value, (), 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise invalid("body", N_("body.too_deep"), depth=MAX_DEPTH)
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str) and _SURROGATE.search(key):
                    raise invalid(_field((*path, _printable(key))), N_("body.surrogate_name"))
                stack.append((child, (*path, key), depth + 1))
        elif isinstance(item, _Refused):
            raise invalid(_field(path), item.reason, text=item.text)
        elif isinstance(item, str) and _SURROGATE.search(item):
            raise invalid(_field(path), N_("body.surrogate"))


def _printable(key: str) -> str:
    """Return a field name as sent, a lone surrogate escaped (\\ud800), so it can be shown."""
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def _field(path: tuple) -> str:
    return ".".join(str(p) for p in path) or "body"


def json_body() -> Any:
    """Return the request's JSON body, strictly read, or raise a 4xx problem."""
    if not request.is_json:
        raise ApiProblem(415, gettext(problem_lang(), "body.not_json_type"))
    return strict_json(request.get_data(cache=True))


def json_object() -> dict:
    """Return the request's JSON body, which must be an object, or raise a 4xx problem."""
    body = json_body()
    if not isinstance(body, dict):
        raise invalid("body", N_("body.not_object"))
    return body
