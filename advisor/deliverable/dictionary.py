"""The KPI dictionary of a plan: every KPI with what a client needs to run it, in one language.

One entry per plan KPI joins what the consultant typed (owner, baseline, target, deadline, ...)
with what the catalog knows (definition, formula, unit, direction, pitfalls, benchmarks). The
plan page, the printable dictionary, the KPI cards, the XLSX sheet and the CSV are all made
from these entries, so they always say the same thing.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from advisor.deliverable.words import BLANK, COMMITMENTS, RHYTHM, STATEMENTS, quantity_text
from advisor.exports import Quantity
from advisor.formatting import date_text
from advisor.i18n import gettext
from advisor.plan_models import PlanKpi
from advisor.plans import PlanRecord
from catalog.labels import label
from catalog.loader import Catalog
from catalog.models import Kpi


@dataclass
class Benchmark:
    """A published range for the KPI, with its context and its source named."""

    low: Quantity
    high: Quantity
    context: str
    source: str


@dataclass
class Entry:
    """One KPI of the dictionary, in one language (words as labels, numbers as quantities)."""

    row_id: int | None
    kpi_id: str | None
    name: str
    department: str | None = None
    definition: str | None = None
    formula: str | None = None
    unit: str | None = None
    unit_name: str | None = None
    direction: str | None = None
    direction_name: str | None = None
    financial: str | None = None
    perspective: str | None = None
    indicator: str | None = None
    frequency: str | None = None
    data_source: str | None = None
    owner: str | None = None
    owner_role: str | None = None
    report_to: str | None = None
    baseline: Quantity | None = None
    baseline_date: dt.date | None = None
    target: Quantity | None = None
    target_low: Quantity | None = None
    target_high: Quantity | None = None
    deadline: dt.date | None = None
    milestones: list[tuple[dt.date, Quantity]] = field(default_factory=list)
    commitment: str | None = None
    goals: list[str] = field(default_factory=list)
    counter_kpis: list[str] = field(default_factory=list)
    guards: list[str] = field(default_factory=list)
    pitfalls: list[str] = field(default_factory=list)
    benchmarks: list[Benchmark] = field(default_factory=list)
    statement: str | None = None
    rhythm: str | None = None
    smart_score: int | None = None
    ready: bool = False


def plan_dictionary(record: PlanRecord, check: dict, lang: str, catalog: Catalog) -> list[Entry]:
    """Return the dictionary entry of every KPI of a stored plan, in plan order."""
    plan = record.plan
    in_plan = {k.kpi_id for k in plan.kpis if k.kpi_id}
    return [_entry(kpi, row_id, result, lang, catalog, in_plan, plan.goals)
            for kpi, row_id, result in zip(plan.kpis, record.kpi_ids, check["kpis"],
                                           strict=True)]


def _entry(kpi: PlanKpi, row_id: int | None, result: dict, lang: str, catalog: Catalog,
           in_plan: set[str], plan_goals: Sequence[str]) -> Entry:
    entry = catalog.get(kpi.kpi_id or "")
    unit = kpi.unit or (entry.unit if entry else None)
    direction = kpi.direction or (entry.direction if entry else None)
    found = Entry(
        row_id=row_id, kpi_id=kpi.kpi_id,
        name=kpi.name or (entry.name.pick(lang) if entry else result["name"]),
        department=_word("departments", kpi.department or (entry.department if entry else None),
                         lang),
        unit=unit, unit_name=_word("units", unit, lang),
        direction=direction, direction_name=_word("directions", direction, lang),
        frequency=_word("frequencies", kpi.frequency or (entry.frequency if entry else None),
                        lang),
        data_source=_word("data_sources", kpi.data_source, lang),
        owner=kpi.owner, report_to=kpi.report_to,
        baseline=_quantity(kpi.baseline, unit), baseline_date=kpi.baseline_date,
        target=_quantity(kpi.target, unit), target_low=_quantity(kpi.target_low, unit),
        target_high=_quantity(kpi.target_high, unit), deadline=kpi.deadline,
        milestones=[(m.date, Quantity(m.target, unit)) for m in kpi.milestones or []],
        commitment=gettext(lang, COMMITMENTS[kpi.commitment]) if kpi.commitment else None,
        goals=[label("goals", g).pick(lang) for g in _goals(kpi, entry, plan_goals)],
        smart_score=result["score"], ready=result["ready"],
    )
    if entry is not None:
        _add_catalog_facts(found, entry, lang, catalog, in_plan)
    found.statement = kpi.statement or composed_statement(found, lang)
    found.rhythm = rhythm_text(found, lang)
    return found


def _add_catalog_facts(found: Entry, entry: Kpi, lang: str, catalog: Catalog,
                       in_plan: set[str]) -> None:
    """Fill in what the catalog knows about the KPI."""
    found.definition = entry.definition.pick(lang)
    found.formula = entry.formula.pick(lang)
    found.financial = label("financial", entry.financial).pick(lang)
    found.perspective = label("perspectives", entry.perspective).pick(lang)
    found.indicator = label("indicators", entry.indicator).pick(lang)
    found.owner_role = entry.owner_role.pick(lang)
    found.pitfalls = [p.pick(lang) for p in entry.pitfalls]
    found.counter_kpis = [catalog.by_id[c].name.pick(lang) for c in entry.counter_kpis
                          if c in catalog.by_id]
    # The KPIs of this plan that this one guards: the reason it is in the plan at all.
    found.guards = [k.name.pick(lang) for k in catalog.kpis
                    if k.id in in_plan and entry.id in k.counter_kpis]
    found.benchmarks = [Benchmark(Quantity(b.low, entry.unit), Quantity(b.high, entry.unit),
                                  b.context.pick(lang), b.source) for b in entry.benchmarks]


def _goals(kpi: PlanKpi, entry: Kpi | None, plan_goals: Sequence[str]) -> list[str]:
    """Return the plan's goals the KPI serves: as linked in the plan, else as the catalog says."""
    goals = kpi.goals if kpi.goals is not None else (list(entry.goals) if entry else [])
    return [g for g in plan_goals if g in goals]


def _word(vocab: str, word: str | None, lang: str) -> str | None:
    return label(vocab, word).pick(lang) if word else None


def _quantity(value: float | None, unit: str | None) -> Quantity | None:
    return None if value is None else Quantity(value, unit)


def target_text(found: Entry, lang: str) -> str | None:
    """Return the target as read aloud: one level, or a range."""
    if found.target is not None:
        return quantity_text(found.target, lang)
    if found.target_low is not None and found.target_high is not None:
        return f"{quantity_text(found.target_low, lang)}–{quantity_text(found.target_high, lang)}"
    return None


def composed_statement(found: Entry, lang: str) -> str:
    """Return the SMART statement made from the fields, with brackets where one is missing."""
    template = STATEMENTS.get(found.direction or "higher_is_better",
                              STATEMENTS["higher_is_better"])
    blank = gettext(lang, BLANK)
    low, high = found.target_low, found.target_high
    values = {
        "name": _lower_first(found.name),
        "baseline": quantity_text(found.baseline, lang) if found.baseline else blank,
        "target": target_text(found, lang) or blank,
        "low": quantity_text(low, lang) if low else blank,
        "high": quantity_text(high, lang) if high else blank,
        "deadline": date_text(found.deadline, lang) if found.deadline else blank,
    }
    if found.direction == "in_range" and low is None and found.target is not None:
        template = STATEMENTS["higher_is_better"]
    return gettext(lang, template, **values)


def _lower_first(name: str) -> str:
    """Return `name` with a lower-case first letter, unless it starts an acronym (MQL, NPS)."""
    if len(name) > 1 and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def rhythm_text(found: Entry, lang: str) -> str:
    """Return how the KPI is measured and reported: how often, from where, to whom."""
    unknown = gettext(lang, RHYTHM["unknown"])
    text = gettext(lang, RHYTHM["measured"], frequency=(found.frequency or unknown).lower(),
                   source=found.data_source or unknown)
    if found.report_to:
        text += " " + gettext(lang, RHYTHM["reported"], report_to=found.report_to)
    return text + " " + gettext(lang, RHYTHM["reviewed"])
