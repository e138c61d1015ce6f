"""Reading the wizard's forms: one question's answer, and the plan's fields per KPI.

Each reader returns the parsed value with a list of field errors ({field, key, values}); the
page shows each error next to its field, in the page's language, and keeps what was typed.
"""

import datetime as dt
import math
import re
import typing
from typing import Any

from werkzeug.datastructures import MultiDict

from advisor.formatting import date_text, number_text
from advisor.interview import Question
from advisor.models import Answers
from advisor.plan_models import Plan
from advisor.values import is_usable_number
from catalog.vocab import DATA_SOURCES, FREQUENCIES
from web.i18n import N_, _, current_lang

# "1.000.000" (Vietnamese) and "1,000,000" (English) both group thousands.
_GROUPED = re.compile(r"^-?\d{1,3}([.,]\d{3})+$")
PLAN_TEXT_FIELDS = {"statement": 500, "owner": 120, "report_to": 120}
PLAN_NUMBER_FIELDS = ("baseline", "target")
PLAN_DATE_FIELDS = ("baseline_date", "deadline")
PLAN_CHOICE_FIELDS = {"frequency": FREQUENCIES, "data_source": DATA_SOURCES,
                      "commitment": ("committed", "aspirational")}
PLAN_FIELDS = ("statement", "owner", "report_to", "baseline", "baseline_date", "target",
               "deadline", "milestones", "frequency", "data_source", "commitment")
# Checkpoints are typed as "30/06/2026: 110", separated by ";" or new lines.
# A checkpoint is a date, ':' (or '='), a number; the date may hold spaces ("Jun 30, 2026").
_CHECKPOINT = re.compile(r"^\s*(.+?)\s*[:=]\s*(.+?)\s*$")


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


def parse_answer(question: Question, form: MultiDict, allowed: list[str]) -> tuple[Any, list]:
    """Return the answer to `question` from the form and the errors found; `allowed` lists the
    option values offered on the page."""
    readers = {"text": _text, "single": _single, "multiple": _multiple, "number": _number}
    if question.ranked:
        return _ranked(question, form, allowed)
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


def _ranked(question: Question, form: MultiDict, allowed) -> tuple[Any, list]:
    """Read one priority select per option: chosen options in priority order."""
    ranks = {}
    for value in allowed:
        raw = form.get(f"rank-{value}", "").strip()
        if raw.isdigit() and int(raw) >= 1:
            ranks[value] = int(raw)
    used = list(ranks.values())
    if len(set(used)) != len(used):
        return ranks, [error(question.id, N_("wizard.error.same_rank"))]
    chosen = sorted(ranks, key=ranks.get)
    errors = _count_errors(question, len(chosen))
    return (ranks if errors else chosen), errors


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


def parse_plan_form(plan: Plan, form: MultiDict) -> tuple[Plan | None, dict, list]:
    """Return the plan with the typed fields applied (None if any is invalid), the raw values
    per field id, and the errors."""
    raw, errors, kpis = {}, [], []
    for index, kpi in enumerate(plan.kpis):
        data = kpi.model_dump()
        for field in PLAN_FIELDS:
            field_id = f"k{index}-{field}"
            raw[field_id] = form.get(field_id, "")
            value, problems = _plan_value(field, field_id, raw[field_id])
            data[field] = value
            errors += problems
        kpis.append(data)
    if errors:
        return None, raw, errors
    return Plan.model_validate({**plan.model_dump(), "kpis": kpis}), raw, []


def _plan_value(field: str, field_id: str, raw: str) -> tuple[Any, list]:
    """Return one plan field's value from its raw text, or the error it has."""
    text = raw.strip()
    if not text:
        return None, []
    if field in PLAN_TEXT_FIELDS and len(text) > PLAN_TEXT_FIELDS[field]:
        return None, [error(field_id, N_("wizard.error.too_long"),
                            max=PLAN_TEXT_FIELDS[field])]
    if field == "milestones":
        value = parse_milestones(text)
        if value is None:
            return None, [error(field_id, N_("wizard.error.milestones"))]
        return value, []
    if field in PLAN_NUMBER_FIELDS:
        value = parse_number(text)
        if value is None:
            return None, [error(field_id, N_("wizard.error.not_number"))]
        if not is_usable_number(value):
            return None, [error(field_id, N_("wizard.error.number_too_large"))]
        return value, []
    if field in PLAN_DATE_FIELDS:
        value = parse_date(text)
        if value is None:
            return None, [error(field_id, N_("wizard.error.date"))]
        return value, []
    if field in PLAN_CHOICE_FIELDS and text not in PLAN_CHOICE_FIELDS[field]:
        return None, [error(field_id, N_("wizard.error.choose_one"))]
    return text, []


def parse_milestones(text: str) -> list[dict] | None:
    """Return the checkpoints written in `text` ("30/06/2026: 110; 30/09/2026: 115"), in date
    order, or None if one of them is not a date and a number."""
    found = []
    for part in re.split(r"[;\n]", text):
        if not part.strip():
            continue
        match = _CHECKPOINT.match(part)
        day = parse_date(match.group(1)) if match else None
        level = parse_number(match.group(2)) if match else None
        if day is None or level is None:
            return None
        found.append({"date": day, "target": level})
    return sorted(found, key=lambda m: m["date"]) or None


def milestones_text(milestones: list | None, lang: str) -> str:
    """Return checkpoints as the form shows them, in the language's formats."""
    return "; ".join(f"{date_text(m.date, lang)}: {number_text(m.target, lang, 6)}"
                     for m in milestones or [])
