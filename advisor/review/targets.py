"""Apply a review's suggestion: the KPI's target for the next period becomes the committed or
the stretch level; the plan's version before keeps the old target, and the change is listed."""

from typing import Literal

import sqlite_utils
from pydantic import BaseModel

from advisor.accounts.actor import current_actor
from advisor.i18n import N_, both
from advisor.plans import change_kpis, get_plan
from advisor.review.errors import RowsRejectedError
from advisor.review.measurements import now
from advisor.store import transaction

Level = Literal["committed", "stretch"]
LEVELS: tuple[Level, ...] = ("committed", "stretch")


class TargetChange(BaseModel):
    """A target a review set: which KPI, from which level, the old and the new target."""

    plan_kpi_id: int
    quarter: str
    level: Level
    old_target: float | None
    new_target: float
    plan_version: int
    changed_at: str
    changed_by: str | None = None


def _refused(field: str, message: str, fix: str, **values) -> RowsRejectedError:
    return RowsRejectedError([{"field": field, "message": both(message, **values),
                               "fix": both(fix)}])


def level_value(suggestion, level: str) -> float | None:
    """Return the committed or stretch level of a suggestion (None when it has none)."""
    if suggestion is None:
        return None
    return suggestion.committed_target if level == "committed" else suggestion.stretch_target


def set_next_target(db: sqlite_utils.Database, plan_id: int, plan_kpi_id: int, level: str,
                    review) -> TargetChange:
    """Set the KPI's target to the level `review` (its PlanReview) suggests, in one transaction
    with the record of the change; raise RowsRejectedError naming the field that is wrong."""
    if level not in LEVELS:
        raise _refused("level", N_("review.apply.unknown_level"), N_("review.apply.level_fix"))
    item = next((k for k in review.kpis if k.plan_kpi_id == plan_kpi_id), None)
    if item is None:
        raise _refused("plan_kpi_id", N_("review.exclude.unknown_kpi"),
                       N_("review.exclude.unknown_kpi_fix"))
    value = level_value(item.review.suggestion, level)
    if value is None:
        raise _refused("level", N_("review.apply.no_level"), N_("review.apply.no_level_fix"))
    with transaction(db):
        record = get_plan(db, plan_id)
        old = record.plan.kpis[record.kpi_ids.index(plan_kpi_id)].target
        if old == value:
            return _last_change(db, plan_id, plan_kpi_id) or TargetChange(
                plan_kpi_id=plan_kpi_id, quarter=review.quarter, level=level, old_target=old,
                new_target=value, plan_version=record.version, changed_at=record.updated)
        changed = change_kpis(db, plan_id, {plan_kpi_id: {"target": value}})
        change = TargetChange(plan_kpi_id=plan_kpi_id, quarter=review.quarter, level=level,
                              old_target=old, new_target=value,
                              plan_version=changed.version, changed_at=now())
        db.table("target_changes").insert({"plan_id": plan_id, **change.model_dump(),
                                           "changed_by": current_actor()})
        stored = _last_change(db, plan_id, plan_kpi_id)
    assert stored is not None  # written just above
    return stored


def _last_change(db: sqlite_utils.Database, plan_id: int, plan_kpi_id: int
                 ) -> TargetChange | None:
    found = target_changes(db, plan_id, kpi=plan_kpi_id)
    return found[-1] if found else None


def target_changes(db: sqlite_utils.Database, plan_id: int, quarter: str | None = None,
                   kpi: int | None = None) -> list[TargetChange]:
    """Return the targets reviews of the plan set, oldest first (of one quarter, one KPI)."""
    sql = ("SELECT c.plan_kpi_id, c.quarter, c.level, c.old_target, c.new_target, "
           "c.plan_version, c.changed_at, u.name FROM target_changes c "
           "LEFT JOIN users u ON u.id = c.changed_by WHERE c.plan_id = ?")
    params: list = [plan_id]
    if quarter is not None:
        sql += " AND c.quarter = ?"
        params.append(quarter)
    if kpi is not None:
        sql += " AND c.plan_kpi_id = ?"
        params.append(kpi)
    keys = tuple(TargetChange.model_fields)
    return [TargetChange(**dict(zip(keys, row, strict=True)))
            for row in db.execute(sql + " ORDER BY c.id", params)]
