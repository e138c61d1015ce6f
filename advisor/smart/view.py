"""SMART gaps as people read them: message and fix in one language, with the facts filled in."""

from advisor.formatting import Blank, number_text
from catalog.labels import label

LETTERS = ("S", "M", "A", "R", "T")


def _show(value, lang: str) -> str:
    """Return a number in the language's style (at most 2 decimals), lists joined, other
    values as text."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return number_text(float(value), lang, 2)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


class _Shown(dict):
    """A fact's values as shown in one language, each worked out when a template asks."""

    def __init__(self, fact: dict, lang: str):
        super().__init__()
        self.fact, self.lang = fact, lang

    def __missing__(self, key: str) -> str:
        fact, lang = self.fact, self.lang
        if key in _VOCABULARY_FIELDS and key in fact:
            shown = label(_VOCABULARY_FIELDS[key], fact[key]).pick(lang).lower()
        elif key == "value_range" and ("lowest" in fact or "highest" in fact):
            shown = _range_text(fact.get("lowest"), fact.get("highest"), lang)
        elif key in fact:
            shown = _show(fact[key], lang)
        else:
            shown = Blank()[key]
        self[key] = shown
        return shown


def fill(template: str, fact: dict, lang: str) -> str:
    """Return `template` with {field} placeholders replaced by the fact's values."""
    return template.format_map(_Shown(fact, lang))


# Fact fields holding a vocabulary word, shown by its label in the reader's language.
_VOCABULARY_FIELDS = {
    "unit": "units", "catalog_unit": "units", "direction": "directions",
    "user_direction": "directions", "catalog_direction": "directions",
    "frequency": "frequencies", "stage": "stages", "pace": "change_paces",
}


def _range_text(low: float | None, high: float | None, lang: str) -> str:
    """Return a value range as people read it: 1 to 5, ≥ 0, ≤ 100."""
    if low is not None and high is not None:
        return f"{_show(low, lang)} {'đến' if lang == 'vi' else 'to'} {_show(high, lang)}"
    return f"≥ {_show(low, lang)}" if low is not None else f"≤ {_show(high, lang)}"


def gap_json(firing, fact: dict, lang: str) -> dict:
    """Return one gap: letter, code, severity, message, fix and the fields involved."""
    action = firing.action
    return {
        "letter": action.letter,
        "code": action.code,
        "severity": action.severity,
        "message": fill(firing.reason.pick(lang), fact, lang),
        "fix": fill(action.fix.pick(lang), fact, lang),
        "fields": list(action.fields),
        "rule": firing.rule_id,
    }


def score_letters(gaps: list[dict]) -> int:
    """Return how many of the five SMART letters have no gap."""
    dirty = {g["letter"] for g in gaps}
    return sum(letter not in dirty for letter in LETTERS)
