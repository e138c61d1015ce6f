"""SMART check: facts about each plan KPI in, gaps with a concrete fix out (rules in smart.yaml)."""

import datetime as dt
import math

from advisor.errors import InvalidInputError
from advisor.plan_models import Plan, PlanKpi
from advisor.smart.view import gap_json, score_letters
from catalog.loader import Catalog
from catalog.models import Kpi, value_bounds
from rules.engine import evaluate
from rules.loader import load_builtin

PERIOD_DAYS = {"daily": 1, "weekly": 7, "monthly": 30.44, "quarterly": 91.31, "yearly": 365.25}
# Without history, a target needing more than this change per year is called implausible.
MAX_GROWTH_PER_YEAR = 1.0
MAX_DECLINE_PER_YEAR = 0.5
# With history, a target this many standard deviations of the period-to-period change beyond
# the trend is called implausible.
HISTORY_Z = 2.5


def check_plan(plan: Plan, catalog: Catalog) -> dict:
    """Return the SMART gaps of every KPI of the plan and of the plan as a whole."""
    _check_ids(plan, catalog)
    today = plan.as_of or dt.date.today()
    owners = _owner_counts(plan)
    facts = [kpi_fact(i, k, plan, catalog.get(k.kpi_id or ""), today, owners)
             for i, k in enumerate(plan.kpis)]
    facts.append(plan_fact(plan, catalog))
    firings = evaluate(load_builtin("smart"), facts)
    per_kpi: list[list[dict]] = [[] for _ in plan.kpis]
    plan_gaps: list[dict] = []
    for firing in firings:
        gap = gap_json(firing, facts[firing.fact_index], plan.lang)
        target = plan_gaps if facts[firing.fact_index]["kind"] == "plan" else \
            per_kpi[firing.fact_index]
        target.append(gap)
    kpis = [{"kpi_id": k.kpi_id, "name": facts[i]["name"], "score": score_letters(per_kpi[i]),
             "gaps": per_kpi[i], "ready": not any(g["severity"] == "error" for g in per_kpi[i])}
            for i, k in enumerate(plan.kpis)]
    ready = all(k["ready"] for k in kpis) and not any(g["severity"] == "error"
                                                      for g in plan_gaps)
    return {"kpis": kpis, "plan_gaps": plan_gaps, "ready": ready}


def _check_ids(plan: Plan, catalog: Catalog) -> None:
    """Raise InvalidInputError for unknown catalog ids and KPIs with neither id nor name."""
    errors = []
    for i, kpi in enumerate(plan.kpis):
        if kpi.kpi_id and catalog.get(kpi.kpi_id) is None:
            errors.append({"field": f"kpis.{i}.kpi_id",
                           "message": f"unknown KPI id {kpi.kpi_id!r}; use a catalog id "
                                      "(GET /api/v1/kpis) or leave it out and give a name"})
        if not kpi.kpi_id and not kpi.name:
            errors.append({"field": f"kpis.{i}.name",
                           "message": "give a catalog kpi_id or a name for a custom KPI"})
    if errors:
        raise InvalidInputError(errors)


def _owner_counts(plan: Plan) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kpi in plan.kpis:
        if kpi.owner:
            key = kpi.owner.casefold()
            counts[key] = counts.get(key, 0) + 1
    return counts


def kpi_fact(index: int, kpi: PlanKpi, plan: Plan, entry: Kpi | None, today: dt.date,
             owners: dict[str, int]) -> dict:
    """Return the flat fact the SMART rules see for one plan KPI."""
    lang = plan.lang
    direction = kpi.direction or (entry.direction if entry else None)
    unit = kpi.unit or (entry.unit if entry else None)
    fact = {
        "kind": "kpi", "index": index,
        "name": kpi.name or (entry.name.pick(lang) if entry else f"#{index + 1}"),
        "custom": entry is None,
        "has_statement": bool(kpi.statement),
        "has_definition": bool(kpi.statement) or entry is not None,
        "has_scope": bool(kpi.scope),
        "has_unit": unit is not None,
        "has_baseline": kpi.baseline is not None,
        "has_target": kpi.target is not None or (kpi.target_low is not None
                                                 and kpi.target_high is not None),
        "has_deadline": kpi.deadline is not None,
        "has_frequency": kpi.frequency is not None,
        "has_data_source": kpi.data_source is not None,
        "has_owner": bool(kpi.owner),
        "has_report_to": bool(kpi.report_to),
        "has_history": bool(kpi.history and len(kpi.history) >= 6),
        "limit": plan.max_kpis_per_owner,
    }
    for name in ("baseline", "frequency", "data_source"):
        if getattr(kpi, name) is not None:
            fact[name] = getattr(kpi, name)
    if unit:
        fact["unit"] = unit
    if direction:
        fact["direction"] = direction
    _add_unit_facts(fact, kpi, entry)
    _add_target_facts(fact, kpi, direction, unit, entry)
    _add_time_facts(fact, kpi, today)
    _add_context_facts(fact, kpi, plan, entry, owners)
    return fact


def _add_unit_facts(fact: dict, kpi: PlanKpi, entry: Kpi | None) -> None:
    if entry is not None:
        fact["catalog_unit"] = entry.unit
        fact["unit_differs"] = kpi.unit is not None and kpi.unit != entry.unit


def _add_target_facts(fact, kpi: PlanKpi, direction, unit, entry) -> None:
    if kpi.target is None:
        return
    target = kpi.target
    fact["target"] = target
    low, high = value_bounds(unit, entry)
    if low is not None:
        fact["lowest"] = low
        fact["target_below_range"] = target < low
    if high is not None:
        fact["highest"] = high
        fact["target_above_range"] = target > high
    fact["target_is_zero"] = target == 0
    if kpi.baseline is not None:
        change = target - kpi.baseline
        fact["target_change"] = round(change, 6)
        fact["direction_conflict"] = (direction == "higher_is_better" and change < 0) or \
            (direction == "lower_is_better" and change > 0)
    if entry is not None and entry.benchmarks and unit == "percent":
        fact.update(_benchmark_facts(target, entry))


def _benchmark_facts(target: float, entry: Kpi) -> dict:
    """Return how far (percent) the target lies outside the widest public benchmark range."""
    low = min(b.low for b in entry.benchmarks)
    high = max(b.high for b in entry.benchmarks)
    if target > high:
        distance = (target - high) / high * 100 if high else math.inf
    elif target < low:
        distance = (low - target) / low * 100 if low else 0.0
    else:
        distance = 0.0
    return {"benchmark_low": low, "benchmark_high": high,
            "benchmark_distance_pct": round(min(distance, 1e9), 2),
            "benchmark_source": entry.benchmarks[0].source}


def _add_time_facts(fact: dict, kpi: PlanKpi, today: dt.date) -> None:
    if kpi.deadline is None:
        return
    days = (kpi.deadline - today).days
    fact["days_to_deadline"] = days
    fact["deadline_past"] = days < 0
    fact["deadline"] = kpi.deadline.isoformat()
    if kpi.frequency:
        fact["measurements_before_deadline"] = max(0, math.floor(days /
                                                                 PERIOD_DAYS[kpi.frequency]))
    _add_plausibility(fact, kpi, today)


def _add_plausibility(fact: dict, kpi: PlanKpi, today: dt.date) -> None:
    """Add the plausible range at the deadline, from history when there is enough."""
    if kpi.target is None or kpi.baseline is None or kpi.deadline is None:
        return
    start = kpi.baseline_date or today
    days = max(1, (kpi.deadline - start).days)
    if kpi.history and len(kpi.history) >= 6:
        low, high = _history_range(kpi.history, days, kpi.frequency or "monthly")
    else:
        years = days / 365.25
        base = abs(kpi.baseline)
        low = kpi.baseline - base * (1 - (1 - MAX_DECLINE_PER_YEAR) ** years)
        high = kpi.baseline + base * ((1 + MAX_GROWTH_PER_YEAR) ** years - 1)
    fact["plausible_low"] = round(low, 2)
    fact["plausible_high"] = round(high, 2)
    fact["target_above_plausible"] = kpi.target > high
    fact["target_below_plausible"] = kpi.target < low


def _history_range(history: list[float], days: int, frequency: str) -> tuple[float, float]:
    """Return last value + trend ± HISTORY_Z spreads of the period changes, at the deadline."""
    changes = [b - a for a, b in zip(history, history[1:], strict=False)]
    mean = sum(changes) / len(changes)
    spread = math.sqrt(sum((c - mean) ** 2 for c in changes) / max(1, len(changes) - 1))
    periods = max(1.0, days / PERIOD_DAYS[frequency])
    centre = history[-1] + mean * periods
    width = HISTORY_Z * spread * math.sqrt(periods)
    return centre - width, centre + width


def _add_context_facts(fact, kpi: PlanKpi, plan: Plan, entry, owners) -> None:
    goals = kpi.goals if kpi.goals is not None else (list(entry.goals) if entry else [])
    fact["serves_goal_count"] = len([g for g in goals if g in plan.goals])
    fact["plan_has_goals"] = bool(plan.goals)
    department = kpi.department or (entry.department if entry else None)
    if department and plan.departments:
        fact["department_in_scope"] = department in plan.departments
    if kpi.data_source and plan.data_sources is not None:
        fact["source_available"] = kpi.data_source in plan.data_sources
    if kpi.owner:
        fact["owner"] = kpi.owner
        fact["owner_kpi_count"] = owners[kpi.owner.casefold()]
        fact["owner_overloaded"] = fact["owner_kpi_count"] > plan.max_kpis_per_owner


def plan_fact(plan: Plan, catalog: Catalog) -> dict:
    """Return the fact about the plan as a whole: balance and duplicates."""
    entries = [catalog.get(k.kpi_id or "") for k in plan.kpis]
    known = [e for e in entries if e is not None]
    ids = {e.id for e in known}
    pairs = sorted({tuple(sorted((e.id, r))) for e in known for r in e.related if r in ids})
    fact = {
        "kind": "plan", "kpi_count": len(plan.kpis), "catalog_kpi_count": len(known),
        "financial_count": sum(e.financial for e in known),
        "non_financial_count": sum(not e.financial for e in known),
        "leading_count": sum(e.indicator == "leading" for e in known),
        "lagging_count": sum(e.indicator == "lagging" for e in known),
        "duplicate_pair_count": len(pairs),
        "name": plan.org_name or "plan",
    }
    if pairs:
        fact["duplicate_pairs"] = [" ~ ".join(catalog.by_id[i].name.pick(plan.lang) for i in p)
                                   for p in pairs]
    return fact
