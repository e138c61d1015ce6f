"""Reading the plan form: fields named by plan-KPI row id, kept field by field.

Every field is `kpi-<row id>-<field>`, so a KPI removed or reordered in another window can never
give its values to another KPI. A field that cannot be read is reported next to itself and
keeps its stored value; every readable field of the same submission is applied, so typing
"30 tỷ" in one target never throws away the owner typed beside it.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from advisor.formatting import date_text, number_text
from advisor.plan_models import Plan, PlanKpi
from advisor.plans import PlanRecord
from advisor.smart.bounds import allowed_text, impossible_values
from advisor.values import is_usable_number
from catalog.loader import Catalog
from catalog.vocab import DATA_SOURCES, FREQUENCIES
from web.i18n import N_
from web.wizard_form import error, parse_date, parse_number

PLAN_TEXT_FIELDS = {"statement": 500, "owner": 120, "report_to": 120}
PLAN_NUMBER_FIELDS = ("baseline", "target")
PLAN_DATE_FIELDS = ("baseline_date", "deadline")
PLAN_CHOICE_FIELDS = {"frequency": FREQUENCIES, "data_source": DATA_SOURCES,
                      "commitment": ("committed", "aspirational")}
PLAN_FIELDS = ("statement", "owner", "report_to", "baseline", "baseline_date", "target",
               "deadline", "milestones", "frequency", "data_source", "commitment", "goals")
# Checkpoints are typed as "30/06/2026: 110", separated by ";" or new lines.
# A checkpoint is a date, ':' (or '='), a number; the date may hold spaces ("Jun 30, 2026").
_CHECKPOINT = re.compile(r"^\s*(.+?)\s*[:=]\s*(.+?)\s*$")
# Sent with the goal checkboxes, so that none ticked means "no goal", not "not on the page".
GOALS_SHOWN = "goals-shown"


def field_id(row_id: int, name: str) -> str:
    """Return the form name of one field of one plan KPI."""
    return f"kpi-{row_id}-{name}"


@dataclass
class PlanForm:
    """A submitted plan form: the plan with every readable field applied, what was typed, the
    field errors, the KPIs the form had that the plan no longer has, and the fields changed."""

    plan: Plan
    kpi_ids: list[int]
    raw: dict[str, Any] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    gone: list[int] = field(default_factory=list)
    typed: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def error_fields(self) -> set[str]:
        """Return the ids of the fields that have an error."""
        return {e["field"] for e in self.errors}


_FIELD_NAME = re.compile(r"^kpi-(\d{1,18})-[a-z_-]+$")


def form_kpi_ids(form: MultiDict) -> list[int]:
    """Return the plan-KPI row ids the form was made for: those it lists, and those its
    field names carry."""
    listed = [v for v in form.getlist("kpi") if v.isdigit() and len(v) < 19]
    named = [m.group(1) for name in form if (m := _FIELD_NAME.match(name))]
    return [int(v) for v in dict.fromkeys(listed + named)]


def parse_plan_form(record: PlanRecord, form: MultiDict, catalog: Catalog,
                    lang: str) -> PlanForm:
    """Return the plan with every readable field of `form` applied to the stored `record`;
    messages about allowed values are written in `lang`."""
    asked = form_kpi_ids(form)
    result = PlanForm(plan=record.plan, kpi_ids=list(record.kpi_ids),
                      gone=[i for i in asked if i not in record.kpi_ids])
    kpis = []
    for row_id, kpi in zip(record.kpi_ids, record.plan.kpis, strict=True):
        kpis.append(_read_kpi(row_id, kpi, form, result) if row_id in asked else kpi)
    for row_id in result.gone:
        result.typed[row_id] = {name: form.get(field_id(row_id, name), "").strip()
                                for name in PLAN_FIELDS if name != "goals"}
    result.plan = record.plan.model_copy(update={"kpis": kpis})
    _undo_impossible(result, record, catalog, lang)
    return result


def _read_kpi(row_id: int, kpi: PlanKpi, form: MultiDict, result: PlanForm) -> PlanKpi:
    """Return the KPI with its readable fields applied; errors and raw text go to `result`."""
    data = kpi.model_dump()
    typed = {}
    for name in PLAN_FIELDS:
        fid = field_id(row_id, name)
        if name == "goals":
            if field_id(row_id, GOALS_SHOWN) in form:
                data["goals"] = typed["goals"] = form.getlist(fid)
                result.raw[fid] = data["goals"]
            continue
        if fid not in form:
            continue
        result.raw[fid] = form.get(fid, "")
        value, problems = plan_value(name, fid, result.raw[fid])
        if problems:
            result.errors += problems
        else:
            data[name] = value
            typed[name] = value
    result.typed[row_id] = typed
    try:
        return PlanKpi.model_validate(data)
    except ValidationError as exc:
        for problem in exc.errors(include_url=False):
            name = str(problem["loc"][0]) if problem["loc"] else "statement"
            name = name if name in PLAN_FIELDS else "statement"
            result.errors.append(error(field_id(row_id, name), N_("wizard.error.invalid"),
                                       detail=problem["msg"]))
        return kpi


def _undo_impossible(result: PlanForm, record: PlanRecord, catalog: Catalog,
                     lang: str) -> None:
    """Put back the stored value of every number no KPI can hold, and report it."""
    seen = set()
    kpis = list(result.plan.kpis)
    for found in impossible_values(result.plan, catalog):
        name = found.field.split(".")[0]  # milestones.2 is typed in the milestones field
        if name not in PLAN_FIELDS or found.inverted or (found.index, name) in seen:
            continue
        seen.add((found.index, name))
        row_id = record.kpi_ids[found.index]
        stored = getattr(record.plan.kpis[found.index], name)
        kpis[found.index] = kpis[found.index].model_copy(update={name: stored})
        result.errors.append(error(field_id(row_id, name), N_("wizard.error.outside_range"),
                                   allowed=allowed_text(found.low, found.high, lang),
                                   value=number_text(found.value, lang, 6)))
    result.plan = result.plan.model_copy(update={"kpis": kpis})


def plan_value(name: str, fid: str, raw: str) -> tuple[Any, list]:
    """Return one plan field's value from its raw text, or the error it has."""
    text = raw.strip()
    if not text:
        return None, []
    if name in PLAN_TEXT_FIELDS and len(text) > PLAN_TEXT_FIELDS[name]:
        return None, [error(fid, N_("wizard.error.too_long"), max=PLAN_TEXT_FIELDS[name])]
    value: Any
    if name == "milestones":
        value = parse_milestones(text)
        return value, [] if value is not None else [error(fid, N_("wizard.error.milestones"))]
    if name in PLAN_NUMBER_FIELDS:
        value = parse_number(text)
        if value is None:
            return None, [error(fid, N_("wizard.error.not_number"))]
        if not is_usable_number(value):
            return None, [error(fid, N_("wizard.error.number_too_large"))]
        return value, []
    if name in PLAN_DATE_FIELDS:
        value = parse_date(text)
        return value, [] if value is not None else [error(fid, N_("wizard.error.date"))]
    if name in PLAN_CHOICE_FIELDS and text not in PLAN_CHOICE_FIELDS[name]:
        return None, [error(fid, N_("wizard.error.choose_one"))]
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


def comparable(kpi: PlanKpi, name: str) -> Any:
    """Return a field's value in a form that compares equal when nothing changed."""
    value = getattr(kpi, name)
    if name == "milestones":
        return [(m.date, m.target) for m in value or []] or None
    if name == "goals":
        return sorted(value) if value is not None else None
    return value
