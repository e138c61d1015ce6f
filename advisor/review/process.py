"""What the statistics say about one KPI history before any target is looked at.

The order follows Wheeler: first the behaviour of the measured values, then any model.

1. Excluded periods (assignable causes such as a strike or an outage) are left out of everything
   below; they keep their place in time, so the season of the other periods stays right.
2. A history long enough to show a season (the policy's `seasonal_min_points`) whose seasonal
   test passes is season-adjusted by classical decomposition; everything below reads the
   season-adjusted values, so a seasonal KPI is judged on its level, not on next month's season.
3. Sustained shifts are sought in those values (a run of `run_length` on one side, or three of
   four beyond a halfway line; see xmr.py). When the stretches between the shifts still trend
   (a Mann-Kendall test summed over the stretches), the runs were the marks of a trend and the
   history is treated as trending; otherwise the shifts last, and the baseline is the stretch
   after the latest one.
4. Only when the baseline stretch itself trends is a forecast model fitted (to that stretch when
   it holds `baseline_max` values, else to the whole history) and the chart drawn on its one-step
   errors; a stable stretch is charted on its values and its outlook is the centre line, with
   the chart's own spread, or the history's track record of such centre lines where that is
   wider (a history that shifted before may shift again). So a forecast never absorbs a shift,
   and for a stable process the committed level lies between the unfavourable limit and the
   centre line. bench/bench_forecast_m3.py checks that the promised chances come true.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np

from advisor.review.forecast import (
    ForecastStep,
    SeasonalAdjustment,
    forecast,
    mann_kendall,
    residuals_for_xmr,
    seasonal_adjustment,
    trend_z,
    trends,
)
from advisor.review.xmr import XmrChart, XmrSettings, find_shifts, xmr_chart
from rules.policy import ReviewPolicy

# d2 for moving ranges of two values: sigma = average moving range / d2 (so 3 sigma = 2.66 mR).
D2 = 1.128
Z80 = NormalDist().inv_cdf(0.9)

Basis = Literal["values", "season_adjusted", "forecast_residuals"]


@dataclass(frozen=True)
class Outlook:
    """The distribution of each coming period's (season-adjusted) value: point, centre, spread."""

    points: list[float]
    centres: list[float]
    sigmas: list[float]

    def step(self, horizon: int) -> ForecastStep:
        """Return the distribution of the period `horizon` steps ahead (1 is the next one)."""
        i = horizon - 1
        centre, sigma = self.centres[i], self.sigmas[i]
        return ForecastStep(horizon=horizon, point=self.points[i], centre=centre, sigma=sigma,
                            lower80=centre - Z80 * sigma, upper80=centre + Z80 * sigma)


@dataclass(frozen=True)
class ProcessView:
    """One history as the review reads it; indices count the included values only."""

    basis: Basis
    season: SeasonalAdjustment | None
    trend: bool
    included: list[int]  # positions in the full history of the values that count
    adjusted: np.ndarray  # those values, season-adjusted when the KPI is seasonal
    chart: XmrChart  # on the adjusted values, or on the one-step errors from `fit_start` on
    fit_start: int  # first value the chart (and any forecast model) starts from
    offsets: np.ndarray  # expected adjusted value around which each value's limits sit
    lasting_shifts: list[int]  # where lasting shifts start (within the included values)
    outlook: Outlook
    next_centre: float  # the natural range of the next period, season-adjusted
    next_lower: float
    next_upper: float

    @property
    def baseline(self) -> list[int]:
        """Return the indices (within the included values) of the values the limits use."""
        base = self.chart.baseline
        left_out = set(base.excluded)
        return [self.fit_start + i for i in range(base.start, base.end) if i not in left_out]

    def restore(self, values: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Return season-adjusted values at history positions with the season put back."""
        return values if self.season is None else self.season.restore(values, positions)


def _filled(values: np.ndarray, included: np.ndarray) -> np.ndarray:
    """Return the values with excluded ones replaced by a straight line between neighbours."""
    positions = np.arange(values.size)
    return np.interp(positions, positions[included], values[included])


def _season(values: np.ndarray, included: np.ndarray, frequency: str,
            policy: ReviewPolicy) -> SeasonalAdjustment | None:
    if included.sum() < policy.seasonal_min_points.of(frequency):
        return None
    adjustment = seasonal_adjustment(_filled(values, included),
                                     policy.season_length.of(frequency))
    return adjustment if adjustment.indices is not None else None


def _trend_within(z: np.ndarray, shifts: Sequence[int]) -> bool:
    """Return True when the stretches between `shifts` trend (Mann-Kendall summed over them)."""
    bounds = zip([0, *shifts], [*shifts, z.size], strict=True)
    parts = [mann_kendall(z[start:end]) for start, end in bounds]
    return trends(trend_z(sum(s for s, _ in parts), sum(v for _, v in parts)))


def _centre_lines(z: np.ndarray, starts: Sequence[int], fewest: int, longest: int
                  ) -> np.ndarray:
    """Return, for each origin t, the centre line a review at t would have drawn: the mean of
    up to `longest` latest values of the stretch holding t - 1 once it has `fewest`, else of
    the stretch before (a new level is not known before it has enough values)."""
    cumulative = np.concatenate([[0.0], np.cumsum(z)])
    bounds = [0, *starts]
    lines = np.full(z.size + 1, np.nan)
    for t in range(fewest, z.size + 1):
        stretch = next(b for b in reversed(bounds) if b <= t - fewest or b == 0)
        first = max(stretch, t - longest)
        lines[t] = (cumulative[t] - cumulative[first]) / (t - first)
    return lines


def _track_record(z: np.ndarray, starts: Sequence[int], horizon: int, fewest: int,
                  longest: int) -> np.ndarray:
    """Return the root mean square error, per step ahead, of the centre lines a review would
    have drawn inside this history (never falling with the step)."""
    lines = _centre_lines(z, starts, fewest, longest)
    origins = np.arange(fewest, z.size)
    if origins.size == 0:
        return np.zeros(horizon)
    targets = origins[:, None] + np.arange(horizon)[None, :]
    valid = targets < z.size
    errors = np.where(valid, z[np.minimum(targets, z.size - 1)] - lines[origins][:, None], 0.0)
    counts = valid.sum(axis=0)
    rms = np.sqrt((errors**2).sum(axis=0) / np.maximum(counts, 1))
    # Steps the history cannot check take the last step it can.
    checked = np.flatnonzero(counts)
    rms = np.where(counts > 0, rms, rms[checked[-1]] if checked.size else 0.0)
    return np.maximum.accumulate(rms)


def _stable_outlook(z: np.ndarray, chart: XmrChart, shifts: Sequence[int], horizon: int,
                    settings: XmrSettings) -> Outlook:
    """Return the outlook of a predictable process: its centre line, and its spread: the
    chart's own (widened for the centre line being estimated), or the history's track record
    of such centre lines where that is wider (a process that wandered before may again)."""
    limits = chart.limits
    used = chart.baseline.end - chart.baseline.start - len(chart.baseline.excluded)
    sigma = limits.average_moving_range / D2 * float(np.sqrt(1 + 1 / max(used, 1)))
    record = _track_record(z, shifts, horizon, settings.min_baseline, settings.max_baseline)
    sigmas = np.maximum(sigma, record)
    return Outlook(points=[limits.centre] * horizon, centres=[limits.centre] * horizon,
                   sigmas=sigmas.tolist())


def read_process(values: Sequence[float], excluded: Sequence[bool], frequency: str,
                 horizon: int, policy: ReviewPolicy) -> ProcessView:
    """Return what the statistics say about one history (see the module notes)."""
    all_values = np.asarray(values, dtype=float)
    mask = ~np.asarray(excluded, dtype=bool)
    included = np.flatnonzero(mask)
    season = _season(all_values, mask, frequency, policy)
    y = all_values[mask]
    z = y if season is None else season.remove(y, included)
    settings = XmrSettings.from_policy(policy)
    found = find_shifts(z, settings)
    trending_runs = bool(found) and _trend_within(z, found)
    lasting = [] if trending_runs else found
    stable_chart = xmr_chart(z, settings, shifts=lasting)
    base = stable_chart.baseline
    stretch = z[base.stretch_start:base.end]
    trend = trending_runs or trends(trend_z(*mann_kendall(stretch)))
    if not trend:
        outlook = _stable_outlook(z, stable_chart, lasting, horizon, settings)
        limits = stable_chart.limits
        return ProcessView(
            basis="values" if season is None else "season_adjusted", season=season, trend=False,
            included=included.tolist(), adjusted=z, chart=stable_chart, fit_start=0,
            offsets=np.zeros(z.size), lasting_shifts=lasting, outlook=outlook,
            next_centre=limits.centre, next_lower=limits.lower, next_upper=limits.upper)
    # A trend model needs a stretch of its own; after a recent shift it is fitted to the whole
    # history, whose shift was reported above and whose limits come from the latest errors.
    recent_shift = z.size - base.stretch_start < settings.max_baseline
    fit_start = 0 if trending_runs or recent_shift else base.stretch_start
    return _around_forecast(z, fit_start, season, included, horizon, settings, lasting, policy,
                            frequency)


def _around_forecast(z: np.ndarray, fit_start: int, season: SeasonalAdjustment | None,
                     included: np.ndarray, horizon: int, settings: XmrSettings,
                     lasting: list[int], policy: ReviewPolicy, frequency: str) -> ProcessView:
    """Return the view of a trending history: a forecast fitted from `fit_start` on, and the
    chart of its one-step errors (no shifts sought in them: those were sought before)."""
    fitted = z[fit_start:]
    residuals = np.asarray(residuals_for_xmr(fitted.tolist(), 1))
    chart = xmr_chart(residuals, settings, shifts=[])
    extra = policy.season_length.of(frequency) - 1 if season is not None else 0
    ahead = forecast(fitted.tolist(), horizon, 1, extra_parameters=extra)
    path = fitted - residuals
    # Values before a lasting shift are drawn around the first expected value of the new stretch.
    offsets = np.concatenate([np.full(fit_start, path[0]), path])
    limits = chart.limits
    base = ahead.points[0]
    return ProcessView(
        basis="forecast_residuals", season=season, trend=True, included=included.tolist(),
        adjusted=z, chart=chart, fit_start=fit_start, offsets=offsets, lasting_shifts=lasting,
        outlook=Outlook(points=ahead.points, centres=ahead.centre_by_step,
                        sigmas=ahead.sigma_by_step),
        next_centre=base + limits.centre, next_lower=base + limits.lower,
        next_upper=base + limits.upper)
