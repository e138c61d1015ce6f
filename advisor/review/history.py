"""KPI histories as the review reads them: period labels checked, one frequency, period order."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from advisor.i18n import N_, both
from advisor.review.errors import PeriodError, RowsRejectedError
from advisor.review.models import ReviewKpi
from advisor.review.periods import Period, infer_frequency, parse_period


@dataclass(frozen=True)
class History:
    """A KPI's measured periods in order, their values, the target each period had, and which
    are excluded as assignable causes (with the team's note)."""

    frequency: str
    periods: list[Period]
    values: list[float]
    targets: list[float | None]
    excluded: list[bool]
    notes: list[str | None]

    @property
    def included(self) -> list[int]:
        """Return the positions of the periods that count (not excluded)."""
        return [i for i, out in enumerate(self.excluded) if not out]


def parse_labels(labels: Sequence[str], frequency: str | None = None
                 ) -> tuple[str | None, list[Period | PeriodError]]:
    """Return the frequency used (given or the most common) and each label's period or error."""
    frequency = frequency or majority_frequency(labels)
    results: list[Period | PeriodError] = []
    for label in labels:
        try:
            results.append(parse_period(label, frequency))
        except PeriodError as exc:
            results.append(exc)
    return frequency, results


def majority_frequency(labels: Sequence[str]) -> str | None:
    """Return the frequency most labels name; dates alone are judged by their spacing."""
    counts: Counter[str] = Counter()
    dates = []
    for label in labels:
        try:
            period = parse_period(label)
        except PeriodError:
            continue
        if period.frequency == "daily":
            dates.append(label)
        else:
            counts[period.frequency] += 1
    if counts:
        return counts.most_common(1)[0][0]
    try:
        return infer_frequency(dates) if dates else None
    except PeriodError:
        return None


def _problem(field: str, message: dict, fix: str) -> dict:
    return {"field": field, "message": dict(message), "fix": both(fix)}


_PERIOD_FIX = N_("review.history.period_fix")


def read_history(kpi: ReviewKpi, field: str = "history") -> History:
    """Return the KPI's history in period order; raise RowsRejectedError naming bad periods."""
    labels = [point.period for point in kpi.history]
    frequency, parsed = parse_labels(labels, kpi.frequency)
    problems = []
    seen: dict[int, str] = {}
    for j, result in enumerate(parsed):
        if isinstance(result, PeriodError):
            problems.append(_problem(f"{field}.{j}.period", result.message, _PERIOD_FIX))
        elif result.ordinal in seen:
            message = both("review.history.same_period", label=repr(labels[j]),
                           other=repr(seen[result.ordinal]))
            problems.append(_problem(f"{field}.{j}.period", message, _PERIOD_FIX))
        else:
            seen[result.ordinal] = labels[j]
    if problems:
        raise RowsRejectedError(problems)
    periods = [result for result in parsed if isinstance(result, Period)]  # all, no errors left
    listed = _excluded_periods(kpi, frequency, seen, field)
    order = sorted(range(len(periods)), key=lambda j: periods[j].ordinal)
    return History(
        frequency=frequency or "monthly",
        periods=[periods[j] for j in order],
        values=[kpi.history[j].value for j in order],
        targets=[_period_target(kpi, kpi.history[j].target) for j in order],
        excluded=[kpi.history[j].exclude or periods[j].ordinal in listed for j in order],
        notes=[kpi.history[j].note for j in order],
    )


_EXCLUDE_FIX = N_("review.history.exclude_fix")


def _excluded_periods(kpi: ReviewKpi, frequency: str | None, seen: dict[int, str],
                      field: str) -> set[int]:
    """Return the ordinals of `excluded_periods`; raise RowsRejectedError naming any entry
    that is unreadable, repeated or not a period of the history."""
    listed: set[int] = set()
    problems = []
    for j, label_text in enumerate(kpi.excluded_periods):
        where = f"{field.removesuffix('history')}excluded_periods.{j}"
        try:
            ordinal = parse_period(label_text, frequency).ordinal
        except PeriodError as exc:
            problems.append(_problem(where, exc.message, _EXCLUDE_FIX))
            continue
        if ordinal not in seen:
            message = both("review.history.not_in_history", label=repr(label_text))
            problems.append(_problem(where, message, _EXCLUDE_FIX))
        elif ordinal in listed:
            message = both("review.history.excluded_twice", label=repr(label_text))
            problems.append(_problem(where, message, _EXCLUDE_FIX))
        listed.add(ordinal)
    if problems:
        raise RowsRejectedError(problems)
    return listed


def _period_target(kpi: ReviewKpi, own: float | None) -> float | None:
    if kpi.direction == "in_range":
        return None
    return own if own is not None else kpi.target
