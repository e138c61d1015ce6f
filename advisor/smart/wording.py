"""How specific a custom KPI's statement is: vague verbs, measure words, numbers."""

import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import Any

from rules.policy import Wording


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


@cache
def _pattern(words: tuple[str, ...]) -> re.Pattern:
    """Return one pattern finding any of `words` as a whole word or phrase."""
    alternatives = sorted({_normal(w) for w in words}, key=len, reverse=True)
    parts = [("(?<!\\w)" if w[0].isalnum() else "") + re.escape(w)
             + ("(?!\\w)" if w[-1].isalnum() else "") for w in alternatives]
    return re.compile("|".join(parts) if parts else "(?!)")


def _found(text: str, lists: Mapping[Any, list[str]]) -> list[str]:
    words = tuple(w for ws in lists.values() for w in ws)
    return list(dict.fromkeys(m.group(0) for m in _pattern(words).finditer(_normal(text))))


def statement_facts(statement: str, wording: Wording) -> dict:
    """Return what the rules need to judge a statement: its vague words, whether it names a
    measure, whether it holds a number."""
    vague = _found(statement, wording.vague)
    names_measure = bool(_found(statement, wording.measures))
    return {
        "statement_vague_words": vague,
        "statement_vague_count": len(vague),
        "statement_names_measure": names_measure,
        "statement_has_number": bool(re.search(r"\d", statement)),
    }
