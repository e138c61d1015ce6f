"""Reading the interview's forms: one question's answer, numbers and dates as people type them.

Each reader returns the parsed value with a list of field errors ({field, key, values}); the
page shows each error next to its field, in the page's language, and keeps what was typed.
"""

import datetime as dt
import math
import re
import typing
from typing import Any

from werkzeug.datastructures import MultiDict

from advisor.formatting import number_text
from advisor.interview import Question
from advisor.models import Answers
from web.i18n import N_, _, current_lang

# "1.000.000" (Vietnamese) and "1,000,000" (English) both group thousands.
_GROUPED = re.compile(r"^-?\d{1,3}([.,]\d{3})+$")


def error(field: str, key: str, **values) -> dict:
    """Return one field error: the field's id, a message key and the values it needs."""
    return {"field": field, "key": key, "values": values}


def error_text(errors: list[dict], field_id: str) -> str | None:
    """Return the message of the error on `field_id`, if any, in the page's language."""
    for found in errors:
        if found["field"] == field_id:
            return _(found["key"], **found["values"])
    return None


def parse_number(raw: str) -> float | None:
    """Return the number written in `raw` (thousands grouped or not), or None if it is none."""
    text = raw.strip().replace(" ", "").replace("\u00a0", "")
    if "." in text and "," in text:
        # Both marks: the last one separates the decimals (1.234,5 or 1,234.5).
        cut = max(text.rfind("."), text.rfind(","))
        text = re.sub(r"[.,]", "", text[:cut]) + "." + text[cut + 1:]
    elif _GROUPED.match(text):
        text = re.sub(r"[.,]", "", text)
    else:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _wants_integer(question_id: str) -> bool:
    field = Answers.model_fields.get(question_id)
    return field is not None and int in typing.get_args(field.annotation)


def parse_answer(question: Question, form: MultiDict, allowed: list[str],
                 previous: Any = None) -> tuple[Any, list]:
    """Return the answer to `question` from the form and the errors found; `allowed` lists the
    option values offered on the page, `previous` the answer saved before."""
    readers = {"text": _text, "single": _single, "multiple": _multiple, "number": _number}
    if question.ranked:
        return _ranked(question, form, allowed, previous)
    return readers[question.type](question, form, allowed)


def _text(question: Question, form: MultiDict, _allowed) -> tuple[Any, list]:
    value = form.get(question.id, "").strip()
    if not value:
        if question.optional:
            return None, []
        return None, [error(question.id, N_("wizard.error.text"))]
    if question.max_length and len(value) > question.max_length:
        return value, [error(question.id, N_("wizard.error.too_long"),
                             max=question.max_length)]
    return value, []


def _single(question: Question, form: MultiDict, allowed) -> tuple[Any, list]:
    value = form.get(question.id)
    if value in allowed:
        return value, []
    return None, [error(question.id, N_("wizard.error.choose_one"))]


def _multiple(question: Question, form: MultiDict, allowed) -> tuple[Any, list]:
    values = list(dict.fromkeys(v for v in form.getlist(question.id) if v in allowed))
    return values, _count_errors(question, len(values))


def _count_errors(question: Question, count: int) -> list:
    if question.min_items and count < question.min_items:
        return [error(question.id, N_("wizard.error.too_few"), min=question.min_items)]
    if question.max_items and count > question.max_items:
        return [error(question.id, N_("wizard.error.too_many"), max=question.max_items)]
    return []


def _ranked(question: Question, form: MultiDict, allowed, previous=None) -> tuple[Any, list]:
    """Read one priority select per option: chosen options in priority order. Giving a goal
    the priority another goal had is a swap (or, for a goal not ranked before, an insert),
    as the page's script does; without the saved answer to tell which moved, it is refused."""
    ranks: dict[str, int] = {}
    for value in allowed:
        raw = form.get(f"rank-{value}", "").strip()
        if raw.isdigit() and int(raw) >= 1:
            ranks[value] = int(raw)
    if isinstance(previous, list):
        ranks = resolve_ranks(ranks, {v: i + 1 for i, v in enumerate(previous)})
    used = list(ranks.values())
    if len(set(used)) != len(used):
        return ranks, [error(question.id, N_("wizard.error.same_rank"))]
    chosen = sorted(ranks, key=ranks.__getitem__)
    errors = _count_errors(question, len(chosen))
    return (ranks if errors else chosen), errors


def resolve_ranks(ranks: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    """Return the ranks with each clash settled as a person means it: the goal that kept its
    old priority while another took it gets that goal's old priority (a swap), or, when the
    other had none, moves down with every goal after it (an insert)."""
    for rank in sorted(set(ranks.values())):
        sharing = [g for g, r in ranks.items() if r == rank]
        kept = [g for g in sharing if before.get(g) == rank]
        if len(sharing) != 2 or len(kept) != 1:
            continue
        keeper, mover = kept[0], next(g for g in sharing if g != kept[0])
        if mover in before:
            ranks[keeper] = before[mover]
        else:
            for goal, other in list(ranks.items()):
                if goal != mover and other >= rank:
                    ranks[goal] = other + 1
    return ranks


def _number(question: Question, form: MultiDict, _allowed) -> tuple[Any, list]:
    raw = form.get(question.id, "").strip()
    if not raw:
        return raw, [error(question.id, N_("wizard.error.number_missing"))]
    value = parse_number(raw)
    if value is None:
        return raw, [error(question.id, N_("wizard.error.not_number"))]
    if _wants_integer(question.id):
        if not value.is_integer():
            return raw, [error(question.id, N_("wizard.error.whole_number"))]
        value = int(value)
    low, high = question.minimum, question.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        return raw, [error(question.id, N_("wizard.error.between"), min=_plain(low),
                           max=_plain(high))]
    return value, []


def _plain(number: float | None) -> str:
    return "" if number is None else number_text(number, current_lang(), 6)


def parse_date(raw: str) -> dt.date | None:
    """Return the date in `raw` (ISO, day/month/year as written in Vietnam, or the English
    locale's "Jun 30, 2026", as date_text writes them), or None."""
    text = raw.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%b %d, %Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None
