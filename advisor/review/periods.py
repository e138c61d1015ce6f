"""Period labels of KPI histories: read them, order them, find gaps and step forward.

Four label shapes are understood: ``2025-03`` (a month), ``2025-Q1`` (a quarter), ``2025-W07``
(an ISO 8601 week) and ``2025-03-15`` (a date). A date is not a frequency of its own: it stands
for the period of the stated frequency that contains it, and only when no frequency is stated or
can be inferred is it a day. Each period has an ``ordinal`` that counts periods of its frequency,
so sorting, gaps and "the next three periods" are integer arithmetic.
"""

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import median
from typing import Literal, TypeGuard

from advisor.formatting import count_text
from advisor.i18n import N_, MessageId, both
from advisor.review.errors import PeriodError

Frequency = Literal["daily", "weekly", "monthly", "quarterly"]
FREQUENCIES: tuple[Frequency, ...] = ("daily", "weekly", "monthly", "quarterly")

# Upper bounds (in days) of the typical gap between dates for each frequency; a month is 28-31
# days and a quarter 90-92, so the bounds sit well between the shapes.
_GAP_LIMITS: tuple[tuple[float, Frequency], ...] = (
    (3.5, "daily"),
    (17.0, "weekly"),
    (60.0, "monthly"),
    (135.0, "quarterly"),
)

# The years a measured period may fall in. Not policy but a guard: the calendar arithmetic here
# and the forecasts after the last period must stay far from date's limits (years 1 and 9999),
# and no KPI history reaches back before 1900 or ahead past 2100 (a year like 0000 or 9999 is
# a typing slip).
FIRST_YEAR, LAST_YEAR = 1900, 2100

# ASCII digits only: \d would also accept other scripts' digits, which no spreadsheet exports.
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_QUARTER = re.compile(r"(\d{4})-[Qq](\d)", re.ASCII)
_WEEK = re.compile(r"(\d{4})-[Ww](\d{2})", re.ASCII)


@dataclass(frozen=True, order=True)
class Period:
    """One period of a KPI history; periods of one frequency sort by ``ordinal``."""

    frequency: Frequency
    ordinal: int
    label: str = field(compare=False)


# How a sentence names a period of each frequency ("a monthly period", "kỳ tháng").
_KINDS: dict[str, MessageId] = {
    "daily": N_("review.period_kind.daily"),
    "weekly": N_("review.period_kind.weekly"),
    "monthly": N_("review.period_kind.monthly"),
    "quarterly": N_("review.period_kind.quarterly"),
}


def _kind(frequency: str):
    """Return a function of the language naming a period of `frequency`."""
    return _KINDS[frequency].pick


def period_from_ordinal(frequency: Frequency, ordinal: int) -> Period:
    """Return the period of `frequency` numbered `ordinal`, with its canonical label."""
    if frequency == "monthly":
        year, month0 = divmod(ordinal, 12)
        label = f"{year:04d}-{month0 + 1:02d}"
    elif frequency == "quarterly":
        year, quarter0 = divmod(ordinal, 4)
        label = f"{year:04d}-Q{quarter0 + 1}"
    elif frequency == "weekly":
        # Ordinal 1 (0001-01-01) is a Monday, so week n starts on day ordinal 7n + 1.
        year, week, _ = date.fromordinal(ordinal * 7 + 1).isocalendar()
        label = f"{year:04d}-W{week:02d}"
    else:
        label = date.fromordinal(ordinal).isoformat()
    return Period(frequency, ordinal, label)


def _period_of_date(day: date, frequency: Frequency) -> Period:
    if frequency == "monthly":
        return period_from_ordinal(frequency, day.year * 12 + day.month - 1)
    if frequency == "quarterly":
        return period_from_ordinal(frequency, day.year * 4 + (day.month - 1) // 3)
    if frequency == "weekly":
        return period_from_ordinal(frequency, (day.toordinal() - day.weekday() - 1) // 7)
    return period_from_ordinal(frequency, day.toordinal())


def _read_date(label: str, match: re.Match[str]) -> date:
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise PeriodError(label, both("review.period.not_a_date")) from None


@functools.lru_cache(maxsize=65_536)
def _read_period(label: str) -> Period | date:
    """Return the period a non-date label names, or the date a date label names (kept: a
    review reads the same labels many times; both results are immutable)."""
    match = _DATE.fullmatch(label) or _MONTH.fullmatch(label) or _QUARTER.fullmatch(label) \
        or _WEEK.fullmatch(label)
    if match and not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise PeriodError(label, both("review.period.bad_year", first=FIRST_YEAR,
                                      last=LAST_YEAR))
    if match := _DATE.fullmatch(label):
        return _read_date(label, match)
    if match := _MONTH.fullmatch(label):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(label, both("review.period.bad_month"))
        return period_from_ordinal("monthly", year * 12 + month - 1)
    if match := _QUARTER.fullmatch(label):
        year, quarter = int(match[1]), int(match[2])
        if not 1 <= quarter <= 4:
            raise PeriodError(label, both("review.period.bad_quarter"))
        return period_from_ordinal("quarterly", year * 4 + quarter - 1)
    if match := _WEEK.fullmatch(label):
        return _read_week(label, int(match[1]), int(match[2]))
    raise PeriodError(label, both("review.period.unreadable"))


def _read_week(label: str, year: int, week: int) -> Period:
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise PeriodError(label, both("review.period.bad_week", year=str(year),
                                      week=str(week).zfill(2))) from None
    return _period_of_date(monday, "weekly")


def is_frequency(value: str | None) -> TypeGuard[Frequency]:
    """Return whether `value` is a frequency a history can have."""
    return value in FREQUENCIES


def parse_period(label: str, frequency: str | None = None) -> Period:
    """Return the period `label` names; a date becomes the `frequency` period containing it."""
    if frequency is not None and not is_frequency(frequency):
        raise PeriodError(label, both("review.period.bad_frequency", frequency=repr(frequency)))
    read = _read_period(label.strip())
    if isinstance(read, date):
        return _period_of_date(read, frequency or "daily")
    if frequency is not None and read.frequency != frequency:
        raise PeriodError(label, both("review.period.wrong_frequency",
                                      actual=_kind(read.frequency), expected=_kind(frequency)))
    return read


def infer_frequency(labels: Iterable[str]) -> Frequency:
    """Return the one frequency shared by `labels`; dates alone are judged by their spacing."""
    labels = list(labels)
    if not labels:
        raise PeriodError("", both("review.period.none"))
    seen: dict[Frequency, str] = {}
    dates: list[date] = []
    for label in labels:
        read = _read_period(label.strip())
        if isinstance(read, date):
            dates.append(read)
        else:
            seen.setdefault(read.frequency, label)
    if len(seen) > 1:
        raise _mixed_error(seen)
    if seen:
        return next(iter(seen))
    return _frequency_of_dates(dates, labels[0])


def _mixed_error(seen: dict[Frequency, str]) -> PeriodError:
    (first_freq, first), (second_freq, second) = list(seen.items())[:2]
    return PeriodError(second, both("review.period.mixed", first=repr(first),
                                    first_kind=_kind(first_freq), second=repr(second),
                                    second_kind=_kind(second_freq)))


def _frequency_of_dates(dates: list[date], label: str) -> Frequency:
    ordinals = sorted({day.toordinal() for day in dates})
    if len(ordinals) < 2:
        return "daily"
    gap = median(b - a for a, b in zip(ordinals, ordinals[1:], strict=False))
    for limit, frequency in _GAP_LIMITS:
        if gap <= limit:
            return frequency
    raise PeriodError(label, both("review.period.sparse_dates",
                                  days=lambda lang: count_text(gap, lang)))


def parse_periods(labels: Sequence[str], frequency: Frequency | None = None) -> list[Period]:
    """Return the periods of a history in the given order, refusing two labels for one period."""
    frequency = frequency or infer_frequency(labels)
    periods = [parse_period(label, frequency) for label in labels]
    first_label: dict[int, str] = {}
    for label, period in zip(labels, periods, strict=True):
        if period.ordinal in first_label:
            raise PeriodError(label, both("review.period.same_period", period=period.label,
                                          other=repr(first_label[period.ordinal])))
        first_label[period.ordinal] = label
    return periods


def next_periods(period: Period, n: int) -> list[Period]:
    """Return the `n` periods that follow `period`, in order."""
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    return [period_from_ordinal(period.frequency, period.ordinal + k) for k in range(1, n + 1)]


def missing_periods(periods: Iterable[Period]) -> list[Period]:
    """Return the periods absent between the earliest and the latest of `periods`."""
    periods = list(periods)
    if not periods:
        return []
    frequency = periods[0].frequency
    other = next((p for p in periods if p.frequency != frequency), None)
    if other is not None:
        raise _mixed_error({frequency: periods[0].label, other.frequency: other.label})
    present = {p.ordinal for p in periods}
    return [
        period_from_ordinal(frequency, ordinal)
        for ordinal in range(min(present), max(present) + 1)
        if ordinal not in present
    ]
