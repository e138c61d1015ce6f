"""What a person reads for the core's named errors, in their language: the shells (web/problems.py,
cli/shell.py) ask here, so an error reads the same on a page, in the API and in the terminal."""

import json
import re
from collections.abc import Mapping
from typing import Any

from advisor.errors import NotFoundError
from advisor.i18n import N_, MessageId, gettext

# pydantic's error types for a value outside a fixed list; ctx["expected"] lists the words.
_CHOICE_ERRORS = ("literal_error", "enum")
_QUOTED = re.compile(r"'([^']*)'")

# What a NotFoundError names ("plan", "session", "KPI"), as a sentence says it.
NOT_FOUND: dict[str, MessageId] = {
    "plan": N_("error.not_found.plan"),
    "session": N_("error.not_found.session"),
    "KPI": N_("error.not_found.kpi"),
}


def not_found_text(exc: NotFoundError, lang: str) -> str:
    """Return what was not found, with its id, in `lang`."""
    msgid = NOT_FOUND.get(exc.what, N_("error.not_found.other"))
    return gettext(lang, msgid, ident=exc.ident, what=exc.what)


def allowed_words(error: Mapping[str, Any]) -> list[str] | None:
    """Return the words a field allows when a pydantic error says the value is not one of
    them, else None."""
    if error.get("type") not in _CHOICE_ERRORS:
        return None
    return _QUOTED.findall(str((error.get("ctx") or {}).get("expected", ""))) or None


def field_error_text(error: Mapping[str, Any], lang: str) -> str:
    """Return what a person reads for one pydantic error: the value given and the allowed
    words, in `lang`, where the value had to be one of them; else pydantic's own message."""
    words = allowed_words(error)
    if words:
        return gettext(lang, "error.field.one_of", value=_shown(error.get("input")),
                       allowed=", ".join(words))
    return error["msg"]


def _shown(value: object, limit: int = 60) -> str:
    """Return a refused value as JSON text a message can quote: cut to `limit` characters,
    any character that cannot be written (a lone surrogate) escaped."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[:limit - 1] + "…"
