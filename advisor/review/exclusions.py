"""A team marks a stored period as an assignable cause (a strike, a lockdown, a stock-out, an
outage), with a note saying which, or counts it again; the mark is stored with history."""

import sqlite_utils

from advisor.i18n import both
from advisor.plans import PlanRecord
from advisor.review.errors import PeriodError, RowsRejectedError
from advisor.review.importer import NOTE_LENGTH
from advisor.review.measurements import kpi_periods, mark_excluded
from advisor.review.periods import parse_period
from advisor.values import has_lone_surrogate

SOURCE = "review"


def _problem(column: str, message: dict, fix: dict) -> dict:
    return {"field": column, "column": column, "message": message, "fix": fix}


def set_excluded(db: sqlite_utils.Database, record: PlanRecord, plan_kpi_id: int, period: str,
                 exclude: bool, note: str = "") -> str:
    """Mark the KPI's stored `period` excluded with `note` (required), or count it again;
    return the period's stored label. Raise RowsRejectedError naming the field that is wrong."""
    if plan_kpi_id not in record.kpi_ids:
        raise RowsRejectedError([_problem("plan_kpi_id", both("review.exclude.unknown_kpi"),
                                          both("review.exclude.unknown_kpi_fix"))])
    stored = kpi_periods(db, [plan_kpi_id])[plan_kpi_id]
    label = _stored_label(period, stored)
    problems = []
    if label is None:
        problems.append(_problem("period", both("review.exclude.not_stored",
                                                period=repr(period[:20])),
                                 both("review.exclude.period_fix")))
    note = note.strip()
    if exclude and not note:
        problems.append(_problem("note", both("review.exclude.note_missing"),
                                 both("review.exclude.note_fix")))
    if len(note) > NOTE_LENGTH or has_lone_surrogate(note):
        problems.append(_problem("note", both("review.exclude.note_bad", limit=NOTE_LENGTH),
                                 both("review.exclude.note_fix")))
    if problems or label is None:
        raise RowsRejectedError(problems)
    if not mark_excluded(db, plan_kpi_id, label, exclude, note or None, SOURCE):
        raise RowsRejectedError([_problem("period", both("review.exclude.not_stored",
                                                         period=repr(label)),
                                          both("review.exclude.period_fix"))])
    return label


def _stored_label(period: str, stored: list[str]) -> str | None:
    """Return the stored label naming the same period as `period` (2025-3 is 2025-03), or None."""
    if period in stored:
        return period
    try:
        wanted = parse_period(period.strip())
    except PeriodError:
        return None
    for label in stored:
        found = parse_period(label)
        if (found.frequency, found.ordinal) == (wanted.frequency, wanted.ordinal):
            return label
    return None
