"""Process behaviour charts for individual values (Wheeler's XmR chart): limits and signals.

Natural process limits are the mean of a baseline ± 2.66 average moving ranges, and the upper
range limit is 3.27 average moving ranges (the scaling factors 3/d2 and D4 for ranges of two
points). Four detection rules are applied, each reported once per maximal run:

- ``beyond_limit``: a value outside the natural process limits;
- ``three_of_four``: at least three of four successive values beyond the halfway line between the
  centre line and a limit, on one side;
- ``run_of_8``: `run_length` (the policy's, 8) or more successive values on one side of the
  centre line (a value exactly on the centre line ends a run: integer KPIs often sit on it, and
  it is evidence of neither side);
- ``range_beyond_url``: a moving range above the upper range limit.

How the baseline is chosen (limits come from a stable stretch, not blindly from all history):

1. The history is cut into stretches at sustained shifts. Starting from the first value, trial
   limits are computed from the first (up to 24) values of the current stretch; the stretch ends
   where a run of values on one side of its centre line begins, after the stretch's first value,
   that shows a sustained signal (eight or more values long, or holding three of four successive
   values beyond a halfway line). The new stretch starts at the run's first value that is nearer
   the run's median than the old centre line (a run often opens with a value that fell on that
   side by chance), and the search goes on from there to the end.
2. The baseline is the most recent stretch holding at least `min_points` values; if it is longer
   than `baseline_max` values only its latest ones are used, so old behaviour does not dilute the
   current one. A shift too recent to give `min_points` values keeps the previous stretch as
   baseline, and shows as signals. (The numbers, and the run length, are the review policy's:
   rules/data/review.yaml.)
3. Values of the baseline beyond its own limits are left out once and the limits recomputed, so a
   single wild value neither drags the centre line nor widens the limits.

Signals are then looked for from the start of the baseline's stretch to the end of the history.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from advisor.review.errors import InsufficientDataError, InvalidValueError
from advisor.review.policy import review_policy

Values = Sequence[float] | np.ndarray  # a history: numbers in a list, or a 1-D array

# Wheeler's scaling factors for moving ranges of two values: 3 / d2 and D4.
LIMIT_FACTOR = 2.66
RANGE_FACTOR = 3.27

SignalKind = Literal["beyond_limit", "three_of_four", "run_of_8", "range_beyond_url"]
Side = Literal["above", "below"]


class Limits(BaseModel):
    """Centre line, natural process limits and upper range limit of an XmR chart."""

    model_config = ConfigDict(frozen=True)

    centre: float
    lower: float
    upper: float
    url: float
    average_moving_range: float

    @property
    def upper_halfway(self) -> float:
        """Return the line halfway between the centre line and the upper limit."""
        return (self.centre + self.upper) / 2

    @property
    def lower_halfway(self) -> float:
        """Return the line halfway between the centre line and the lower limit."""
        return (self.centre + self.lower) / 2


class Signal(BaseModel):
    """One detected signal with the indices of the values (or moving range ends) involved."""

    model_config = ConfigDict(frozen=True)

    kind: SignalKind
    side: Side
    indices: list[int]


class Baseline(BaseModel):
    """The stretch of history the limits were computed from, and why it was chosen."""

    model_config = ConfigDict(frozen=True)

    start: int  # first index of the values the limits come from
    end: int  # one past the last of them
    stretch_start: int  # where the stretch holding them begins; signals are sought from here
    excluded: list[int]  # indices in the baseline left out for lying beyond its first limits
    shifts: list[int]  # indices where sustained shifts started new stretches
    limits: Limits


class XmrChart(BaseModel):
    """Limits from a deliberately chosen baseline and the signals found against them."""

    model_config = ConfigDict(frozen=True)

    limits: Limits
    baseline: Baseline
    signals: list[Signal]


@dataclass(frozen=True)
class XmrSettings:
    """The policy numbers the chart uses: shortest and longest baseline, and the run length."""

    min_baseline: int
    max_baseline: int
    run_length: int

    @classmethod
    def from_policy(cls, policy=None) -> "XmrSettings":
        """Return the settings of a review policy (the built-in one by default)."""
        policy = policy or review_policy()
        return cls(min_baseline=policy.min_points, max_baseline=policy.baseline_max,
                   run_length=policy.run_length)


def _as_array(values: Values, needed: int) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size < needed:
        raise InsufficientDataError(needed, int(array.size))
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise InvalidValueError(int(bad[0]), values[int(bad[0])])
    return array


def moving_ranges(values: Values) -> list[float]:
    """Return the absolute differences between successive values (one fewer than values)."""
    return np.abs(np.diff(_as_array(values, 2))).tolist()


def _limits_from(centre: float, average_mr: float) -> Limits:
    return Limits(
        centre=centre,
        lower=centre - LIMIT_FACTOR * average_mr,
        upper=centre + LIMIT_FACTOR * average_mr,
        url=RANGE_FACTOR * average_mr,
        average_moving_range=average_mr,
    )


def natural_process_limits(values: Values) -> Limits:
    """Return the XmR limits computed from all of `values` (at least two)."""
    array = _as_array(values, 2)
    return _limits_from(float(array.mean()), float(np.abs(np.diff(array)).mean()))


def _sides(array: np.ndarray, centre: float) -> np.ndarray:
    return np.sign(array - centre).astype(int)


def _runs(sides: np.ndarray) -> list[tuple[int, int, int]]:
    """Return maximal runs of equal non-zero sides as (start, end exclusive, side)."""
    runs = []
    start = 0
    for i in range(1, len(sides) + 1):
        if i == len(sides) or sides[i] != sides[start]:
            if sides[start] != 0:
                runs.append((start, i, int(sides[start])))
            start = i
    return runs


def _halfway_sides(array: np.ndarray, limits: Limits) -> np.ndarray:
    return (array > limits.upper_halfway).astype(int) - (array < limits.lower_halfway).astype(int)


def _three_of_four_windows(halfway: np.ndarray, side: int) -> list[int]:
    """Return the first index of every four-value window with 3+ values beyond halfway on `side`."""
    hits = (halfway == side).astype(int)
    if hits.size < 4:
        return []
    counts = np.convolve(hits, np.ones(4, dtype=int), mode="valid")
    return np.flatnonzero(counts >= 3).tolist()


def _shift_start(array: np.ndarray, limits: Limits, after: int, run_length: int) -> int | None:
    """Return where the first sustained one-sided run starting after `after` begins, if any."""
    halfway = _halfway_sides(array, limits)
    for start, end, side in _runs(_sides(array, limits.centre)):
        if start <= after:
            continue
        if end - start >= run_length or _three_of_four_windows(halfway[start:end], side):
            return _first_of_new_level(array[start:end], limits.centre) + start
    return None


def _first_of_new_level(run: np.ndarray, old_centre: float) -> int:
    """Return the offset of the run's first value nearer its own median than the old centre."""
    # A run often begins with a value or two that fell on that side by chance before the shift.
    level = float(np.median(run))
    nearer_new = np.abs(run - level) <= np.abs(run - old_centre)
    return int(np.argmax(nearer_new))


def find_shifts(values: Values, settings: XmrSettings | None = None) -> list[int]:
    """Return the indices where sustained shifts start new stretches of the history."""
    settings = settings or XmrSettings.from_policy()
    array = _as_array(values, 2)
    shifts: list[int] = []
    start = 0
    while array.size - start >= settings.min_baseline:
        trial = natural_process_limits(array[start : start + settings.max_baseline])
        shift = _shift_start(array, trial, start, settings.run_length)
        if shift is None:
            break
        shifts.append(shift)
        start = shift
    return shifts


def _limits_without_outliers(window: np.ndarray, fewest: int) -> tuple[Limits, list[int]]:
    """Return limits of `window` recomputed once without its values beyond the first limits
    (unless fewer than `fewest` values would remain)."""
    limits = natural_process_limits(window)
    outside = (window > limits.upper) | (window < limits.lower)
    if not outside.any() or (~outside).sum() < fewest:
        return limits, []
    # Moving ranges that touch a left-out value are dropped rather than bridged across it.
    kept_pairs = ~outside[1:] & ~outside[:-1]
    ranges = np.abs(np.diff(window))[kept_pairs]
    if ranges.size == 0:
        return limits, []
    centre = float(window[~outside].mean())
    return _limits_from(centre, float(ranges.mean())), np.flatnonzero(outside).tolist()


def choose_baseline(values: Values, settings: XmrSettings | None = None,
                    shifts: Sequence[int] | None = None) -> Baseline:
    """Return the baseline stretch (see the module notes) and the limits computed from it;
    `shifts` given (an empty list: none) replace the search for them."""
    settings = settings or XmrSettings.from_policy()
    array = _as_array(values, settings.min_baseline)
    shifts = find_shifts(array, settings) if shifts is None else list(shifts)
    bounds = list(zip([0, *shifts], [*shifts, array.size], strict=True))
    # Shifts close together can leave no stretch long enough; then the whole history serves.
    stretch_start, stretch_end = next(
        ((s, e) for s, e in reversed(bounds) if e - s >= settings.min_baseline), (0, array.size)
    )
    start = max(stretch_start, stretch_end - settings.max_baseline)
    limits, excluded = _limits_without_outliers(array[start:stretch_end], settings.min_baseline)
    return Baseline(
        start=start,
        end=stretch_end,
        stretch_start=stretch_start,
        excluded=[start + i for i in excluded],
        shifts=shifts,
        limits=limits,
    )


def _beyond_limit(array: np.ndarray, limits: Limits, offset: int) -> list[Signal]:
    signals = []
    for i, value in enumerate(array):
        if value > limits.upper or value < limits.lower:
            side: Side = "above" if value > limits.upper else "below"
            signals.append(Signal(kind="beyond_limit", side=side, indices=[offset + i]))
    return signals


def _run_of_8(array: np.ndarray, limits: Limits, offset: int, run_length: int) -> list[Signal]:
    return [
        Signal(
            kind="run_of_8",
            side="above" if side > 0 else "below",
            indices=list(range(offset + start, offset + end)),
        )
        for start, end, side in _runs(_sides(array, limits.centre))
        if end - start >= run_length
    ]


def _three_of_four(array: np.ndarray, limits: Limits, offset: int) -> list[Signal]:
    halfway = _halfway_sides(array, limits)
    signals = []
    for side in (1, -1):
        groups: list[list[int]] = []
        for first in _three_of_four_windows(halfway, side):
            # Sliding windows that overlap belong to one maximal run of the pattern.
            if groups and first <= groups[-1][-1] + 3:
                groups[-1].append(first)
            else:
                groups.append([first])
        for group in groups:
            span = range(group[0], group[-1] + 4)
            signals.append(
                Signal(
                    kind="three_of_four",
                    side="above" if side > 0 else "below",
                    indices=[offset + i for i in span if halfway[i] == side],
                )
            )
    return sorted(signals, key=lambda s: s.indices[0])


def _range_beyond_url(array: np.ndarray, limits: Limits, offset: int) -> list[Signal]:
    ranges = np.abs(np.diff(array))
    return [
        Signal(kind="range_beyond_url", side="above", indices=[offset + i, offset + i + 1])
        for i in np.flatnonzero(ranges > limits.url).tolist()
    ]


def detect_signals(values: Values, limits: Limits, since: int = 0,
                   run_length: int | None = None) -> list[Signal]:
    """Return the signals in `values[since:]` against `limits`, indexed within `values`."""
    run_length = run_length or review_policy().run_length
    array = _as_array(values, 1)[since:]
    signals = (
        _beyond_limit(array, limits, since)
        + _three_of_four(array, limits, since)
        + _run_of_8(array, limits, since, run_length)
        + _range_beyond_url(array, limits, since)
    )
    return sorted(signals, key=lambda s: (s.indices[0], s.kind))


def xmr_chart(values: Values, settings: XmrSettings | None = None,
              shifts: Sequence[int] | None = None) -> XmrChart:
    """Return limits from a chosen baseline and the signals from that baseline's stretch on
    (`shifts` as for choose_baseline)."""
    settings = settings or XmrSettings.from_policy()
    baseline = choose_baseline(values, settings, shifts)
    signals = detect_signals(values, baseline.limits, since=baseline.stretch_start,
                             run_length=settings.run_length)
    return XmrChart(limits=baseline.limits, baseline=baseline, signals=signals)
