"""Calendar arithmetic of the T check: readings before a deadline and milestone checkpoints."""

import datetime as dt

from advisor.formatting import date_text, number_text, round_to_scale
from rules.policy import Timing

_MONTHS_PER = {"monthly": 1, "quarterly": 3, "yearly": 12}


def period_index(day: dt.date, frequency: str) -> int:
    """Return the number of the calendar period (day, ISO week, month, ...) holding `day`."""
    if frequency == "daily":
        return day.toordinal()
    if frequency == "weekly":
        return (day.toordinal() - 1) // 7  # date(1, 1, 1) was a Monday
    months = _MONTHS_PER[frequency]
    return (day.year * 12 + day.month - 1) // months


def period_bounds(index: int, frequency: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day of calendar period `index`."""
    if frequency == "daily":
        day = dt.date.fromordinal(index)
        return day, day
    if frequency == "weekly":
        first = dt.date.fromordinal(index * 7 + 1)
        return first, first + dt.timedelta(days=6)
    months = _MONTHS_PER[frequency]
    first = _month_start(index * months)
    return first, _month_start((index + 1) * months) - dt.timedelta(days=1)


def _month_start(month_number: int) -> dt.date:
    return dt.date(month_number // 12, month_number % 12 + 1, 1)


def readings_before(today: dt.date, deadline: dt.date, frequency: str, timing: Timing) -> int:
    """Return how many whole periods are measured from today up to the deadline.

    The current period counts when little of it has passed (policy); the period holding the
    deadline counts only when the deadline is its last day, since its figure comes later.
    """
    current = period_index(today, frequency)
    start, end = period_bounds(current, frequency)
    passed = (today - start).days / ((end - start).days + 1)
    first = current if passed <= timing.period_counts_when_passed_at_most else current + 1
    last = period_index(deadline, frequency)
    if period_bounds(last, frequency)[1] > deadline:
        last -= 1
    return max(0, last - first + 1)


def months_between(start: dt.date, end: dt.date) -> float:
    """Return the number of months from `start` to `end` (average month length)."""
    return (end - start).days / (365.25 / 12)


def checkpoints(start: dt.date, deadline: dt.date, path: tuple[dt.date, float, float] | None,
                timing: Timing, lang: str) -> list[str]:
    """Return suggested checkpoints from `start` to the deadline (quarter or month ends), each
    with its level when `path` (baseline date, baseline, target) is known: a straight line."""
    frequency = ("quarterly" if months_between(start, deadline)
                 >= timing.quarterly_checkpoints_from_months else "monthly")
    index = period_index(start, frequency)
    found: list[str] = []
    while True:
        end = period_bounds(index, frequency)[1]
        index += 1
        if end >= deadline:
            return found
        if end <= start:
            continue
        text = date_text(end, lang)
        if path is not None:
            text += f": {_level_on_path(end, deadline, path, lang)}"
        found.append(text)


def _level_on_path(day: dt.date, deadline: dt.date, path: tuple[dt.date, float, float],
                   lang: str) -> str:
    """Return the level due on `day` on the straight path to the target, as precise as the
    size of the step (whole customers, not 104.29 of them)."""
    since, baseline, target = path
    share = (day - since).days / max(1, (deadline - since).days)
    step = abs(target - baseline)
    level = round_to_scale(baseline + (target - baseline) * share, step, 10)
    return number_text(level, lang, 2)
