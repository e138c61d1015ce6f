"""SMART gaps as people read them: message and fix in one language, with the facts filled in.

The texts are rule data (smart.yaml, {vi, en}); the values put into them are formatted here,
through advisor/formatting.py, as the reader's language writes them and as the KPI's unit
deserves: a value typed into the plan keeps its decimals (a share with its percent sign), a
value the check works out (a plausible level, a suggestion, a benchmark) is rounded as the unit
deserves, money in millions or billions, and a range is written once ("7,1–31,7 triệu").
"""

from advisor.formatting import Blank, number_text, percent_text, range_text, value_text
from advisor.i18n import gettext
from catalog.labels import label
from rules.facts import Firing
from rules.models import Gap, action_as

LETTERS = ("S", "M", "A", "R", "T")
# Values the plan holds as typed: shown with every decimal they were typed with.
_TYPED_FIELDS = ("baseline", "target", "target_low", "target_high", "outside_value", "lowest",
                 "highest")
# Values the check works out: about right is right, so rounded as their unit deserves.
_WORKED_OUT_FIELDS = ("plausible_low", "plausible_high", "suggested_level", "suggested_low",
                      "suggested_high", "benchmark_low", "benchmark_high")
# Ranges a text names as one placeholder, from the fact's two ends.
_RANGE_FIELDS = {"plausible_range": ("plausible_low", "plausible_high"),
                 "benchmark_range": ("benchmark_low", "benchmark_high")}
# Fact fields holding a vocabulary word, shown by its label in the reader's language.
_VOCABULARY_FIELDS = {
    "unit": "units", "catalog_unit": "units", "direction": "directions",
    "user_direction": "directions", "catalog_direction": "directions",
    "frequency": "frequencies", "stage": "stages", "pace": "change_paces",
}


def typed_text(value: float, unit: str | None, lang: str) -> str:
    """Return a value as typed into a plan, in the language's style: every decimal kept, a
    share with its percent sign."""
    if unit == "percent":
        return percent_text(value, lang, 6)
    return number_text(value, lang, 6)


def _show(value, lang: str) -> str:
    """Return any other fact value: a number in the language's style (at most 2 decimals),
    lists joined, text as it is."""
    if isinstance(value, int | float) and not isinstance(value, bool):
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
        fact, lang, unit = self.fact, self.lang, self.fact.get("unit")
        if key in _VOCABULARY_FIELDS and key in fact:
            shown = label(_VOCABULARY_FIELDS[key], fact[key]).pick(lang).lower()
        elif key == "value_range" and ("lowest" in fact or "highest" in fact):
            shown = value_range_text(fact.get("lowest"), fact.get("highest"), unit, lang)
        elif key in _RANGE_FIELDS and all(end in fact for end in _RANGE_FIELDS[key]):
            low, high = (fact[end] for end in _RANGE_FIELDS[key])
            shown = range_text(low, high, lang, unit)
        elif key in _TYPED_FIELDS and key in fact:
            shown = typed_text(fact[key], unit, lang)
        elif key in _WORKED_OUT_FIELDS and key in fact:
            shown = value_text(fact[key], unit, lang, compact=True)
        elif key in fact:
            shown = _show(fact[key], lang)
        else:
            shown = Blank()[key]
        self[key] = shown
        return shown


def fill(template: str, fact: dict, lang: str) -> str:
    """Return `template` with {field} placeholders replaced by the fact's values."""
    return template.format_map(_Shown(fact, lang))


def value_range_text(low: float | None, high: float | None, unit: str | None,
                     lang: str) -> str:
    """Return the values a KPI can take as people read them: 1 to 5, 0 or more, 100% or less."""
    if low is not None and high is not None:
        return gettext(lang, "smart.value_range.between", low=typed_text(low, unit, lang),
                       high=typed_text(high, unit, lang))
    if low is not None:
        return gettext(lang, "smart.allowed.at_least", low=typed_text(low, unit, lang))
    if high is None:  # no limit at either end: callers do not ask
        return "–"
    return gettext(lang, "smart.allowed.at_most", high=typed_text(high, unit, lang))


def gap_json(firing: Firing, fact: dict, lang: str) -> dict:
    """Return one gap: letter, code, severity, message, fix and the fields involved."""
    action = action_as(firing.action, Gap)
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
