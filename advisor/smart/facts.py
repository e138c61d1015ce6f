"""The flat facts the SMART rules see for one plan KPI; every number is computed here."""

import datetime as dt

from advisor.formatting import date_text, round_to_scale
from advisor.plan_models import Plan, PlanKpi
from advisor.smart.pace import (
    DAYS_PER_YEAR,
    benchmark_facts,
    best_end,
    is_scale,
    plausible_band,
    short_of_perfection,
)
from advisor.smart.timing import checkpoints, months_between, readings_before
from advisor.smart.wording import statement_facts
from catalog.models import Kpi, value_bounds
from rules.policy import SmartPolicy


class KpiContext:
    """What every fact of one plan needs besides the KPI: the plan, today, the policy."""

    def __init__(self, plan: Plan, today: dt.date, policy: SmartPolicy):
        self.plan = plan
        self.today = today
        self.policy = policy
        self.stage = plan.stage or policy.plausibility.unknown_stage


def kpi_fact(index: int, kpi: PlanKpi, entry: Kpi | None, context: KpiContext) -> dict:
    """Return the flat fact the SMART rules see for one plan KPI."""
    lang = context.plan.lang
    # The catalog's direction holds for a catalog KPI; a different one given by the user is
    # reported (S.direction_override), never followed silently.
    direction = entry.direction if entry else kpi.direction
    unit = kpi.unit or (entry.unit if entry else None)
    fact = {
        "kind": "kpi", "index": index,
        "name": kpi.name or (entry.name.pick(lang) if entry else f"#{index + 1}"),
        "custom": entry is None,
        "has_statement": bool(kpi.statement),
        "has_definition": bool(kpi.statement) or entry is not None,
        "has_scope": bool(kpi.scope),
        "has_unit": unit is not None,
        "has_direction": direction is not None,
        "has_baseline": kpi.baseline is not None,
        "has_target": kpi.target is not None or kpi.target_low is not None,
        "has_deadline": kpi.deadline is not None,
        "has_frequency": kpi.frequency is not None,
        "has_data_source": kpi.data_source is not None,
        "has_owner": bool(kpi.owner),
        "has_report_to": bool(kpi.report_to),
        "has_history": bool(kpi.history and len(kpi.history)
                            >= context.policy.plausibility.history_min_points),
    }
    for name in ("baseline", "frequency", "data_source"):
        if getattr(kpi, name) is not None:
            fact[name] = getattr(kpi, name)
    if unit:
        fact["unit"] = unit
    if direction:
        fact["direction"] = direction
    fact["pace"] = entry.change_pace if entry else context.policy.plausibility.custom_pace
    if kpi.statement and entry is None:
        fact.update(statement_facts(kpi.statement, context.policy.wording))
    _add_direction_facts(fact, kpi, entry)
    _add_unit_facts(fact, kpi, entry)
    bounds = value_bounds(unit, entry)
    _add_range_facts(fact, kpi, bounds)
    _add_target_facts(fact, kpi, direction, unit, entry, bounds, context)
    _add_time_facts(fact, kpi, context)
    _add_context_facts(fact, kpi, context.plan, entry)
    return fact


def _add_direction_facts(fact: dict, kpi: PlanKpi, entry: Kpi | None) -> None:
    if entry is not None and kpi.direction is not None:
        fact["user_direction"] = kpi.direction
        fact["catalog_direction"] = entry.direction
        fact["direction_overridden"] = kpi.direction != entry.direction


def _add_unit_facts(fact: dict, kpi: PlanKpi, entry: Kpi | None) -> None:
    if entry is not None:
        fact["catalog_unit"] = entry.unit
        fact["unit_differs"] = kpi.unit is not None and kpi.unit != entry.unit


def _add_range_facts(fact: dict, kpi: PlanKpi, bounds: tuple[float | None, float | None]) -> None:
    """Add the KPI's value range and the first target value (target, range end, milestone)
    that lies outside it."""
    low, high = bounds
    if low is not None:
        fact["lowest"] = low
    if high is not None:
        fact["highest"] = high
    for value in target_values(kpi):
        if low is not None and value < low:
            fact.update(target_below_range=True, outside_value=value)
            return
        if high is not None and value > high:
            fact.update(target_above_range=True, outside_value=value)
            return
    if low is not None or high is not None:
        fact.update(target_below_range=False, target_above_range=False)


def target_values(kpi: PlanKpi) -> list[float]:
    """Return every target number of a plan KPI: the target, the range ends, the milestones."""
    values = [v for v in (kpi.target, kpi.target_low, kpi.target_high) if v is not None]
    return values + [m.target for m in kpi.milestones or []]


def _add_target_facts(fact, kpi: PlanKpi, direction, unit, entry, bounds, context) -> None:
    if kpi.target_low is not None and kpi.target_high is not None:
        fact.update(target_range=True, target_low=kpi.target_low, target_high=kpi.target_high,
                    range_inverted=kpi.target_low > kpi.target_high)
    if kpi.target is None:
        return
    target = kpi.target
    fact.update(target=target, target_range=False, target_is_zero=target == 0)
    if direction == "in_range":
        half = abs(target) * context.policy.targets.range_half_width_share
        fact.update(suggested_low=target - half, suggested_high=target + half)
    if kpi.baseline is not None:
        change = target - kpi.baseline
        fact["target_change"] = round(change, 6)
        fact["direction_conflict"] = (direction == "higher_is_better" and change < 0) or \
            (direction == "lower_is_better" and change > 0)
    if fact.get("target_below_range") is False and fact.get("target_above_range") is False:
        _add_perfection_facts(fact, target, kpi.baseline, direction, bounds, context)
    if entry is not None and entry.benchmarks and unit == entry.unit and unit != "currency":
        # Currency benchmarks are in one country's money; the plan's may be another's.
        fact.update(benchmark_facts(target, kpi.baseline, direction, entry))


def _add_perfection_facts(fact, target, baseline, direction, bounds, context) -> None:
    perfect = best_end(direction, bounds)
    fact["target_at_best_end"] = perfect is not None and target == perfect
    if perfect is not None and fact["target_at_best_end"]:
        fact["suggested_level"] = short_of_perfection(perfect, baseline, bounds,
                                                      context.policy.targets)


def _add_time_facts(fact: dict, kpi: PlanKpi, context: KpiContext) -> None:
    if kpi.deadline is None:
        return
    today, lang = context.today, context.plan.lang
    days = (kpi.deadline - today).days
    fact["days_to_deadline"] = days
    fact["deadline_past"] = days < 0
    fact["deadline"] = date_text(kpi.deadline, lang)
    fact["months_to_deadline"] = round(months_between(today, kpi.deadline), 1)
    fact["milestone_count"] = len(kpi.milestones or [])
    if kpi.frequency:
        fact["measurements_before_deadline"] = readings_before(
            today, kpi.deadline, kpi.frequency, context.policy.timing)
    if days > 0 and not kpi.milestones:
        path = None
        if kpi.baseline is not None and kpi.target is not None:
            path = (kpi.baseline_date or today, kpi.baseline, kpi.target)
        points = checkpoints(today, kpi.deadline, path, context.policy.timing, lang)
        if points:
            fact["checkpoints"] = points
    _add_plausibility(fact, kpi, context)


def _add_plausibility(fact: dict, kpi: PlanKpi, context: KpiContext) -> None:
    """Add the plausible range at the deadline, from history or the KPI's pace and stage."""
    if kpi.target is None or kpi.baseline is None or kpi.deadline is None:
        return
    if fact.get("target_below_range") or fact.get("target_above_range"):
        return  # an impossible target is reported as such, not as implausible as well
    start = kpi.baseline_date or context.today
    years = max(1, (kpi.deadline - start).days) / DAYS_PER_YEAR
    periods = readings_before(start, kpi.deadline, kpi.frequency or "monthly",
                              context.policy.timing)
    bounds = (fact.get("lowest"), fact.get("highest"))
    band = plausible_band(kpi.baseline, years, periods, kpi.history, fact["pace"], context.stage,
                          bounds, is_scale(fact.get("unit"), bounds),
                          context.policy.plausibility)
    if band is None:
        return
    low, high, basis = band
    scale = abs(kpi.baseline) or high - low
    fact.update(plausible_low=round_to_scale(low, scale, 100),
                plausible_high=round_to_scale(high, scale, 100),
                plausible_basis=basis, stage=context.stage,
                target_above_plausible=kpi.target > high,
                target_below_plausible=kpi.target < low)


def _add_context_facts(fact, kpi: PlanKpi, plan: Plan, entry) -> None:
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
