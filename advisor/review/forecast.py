"""Forecasts with honest uncertainty for KPI histories, and the chance of meeting a target.

The method is a combination that did well on the M3 competition's monthly series (see
bench/bench_forecast_m3.py for the figures):

1. Seasonality is tested as in the classical Theta method: the autocorrelation at the seasonal lag
   must pass a 90% test (1.645 Bartlett standard errors), and at least two full seasons are needed.
   Unlike the classical test, a long history has its moving-average trend taken out first, and a
   history of three seasons or more also counts as seasonal when an analysis of variance of its
   detrended values by season position is significant at 1%.
   A seasonal history is adjusted by classical decomposition, multiplicative when every value is
   positive and additive otherwise.
   A trend is a Mann-Kendall test significant at 5% on the adjusted history, its variance widened
   for lag-1 autocorrelation so that a wandering KPI is not called trending too easily.
2. The adjusted history is forecast by two exponential smoothers whose parameters (from a grid)
   and initial states minimise the in-sample squared one-step errors: Theta (simple exponential
   smoothing with a drift of half the linear-trend slope) and Holt's damped trend. Their average
   is the point forecast.
3. Uncertainty comes from the method's own errors inside the history: from every origin the
   history allows, the combination forecasts ahead, and the errors are kept per step (relative to
   the forecast when every value is positive, so a growing KPI gets a growing spread). Their mean
   (the method's lean) and root mean square, smoothed across steps and widened for the fitted
   parameters, give a normal distribution for each future period. The 80% intervals, the
   probabilities and the committed and stretch levels all read that one distribution, whose
   centre may differ from the point forecast by the lean.
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from advisor.review.errors import InsufficientDataError, InvalidValueError
from advisor.review.policy import review_policy

Values = Sequence[float] | np.ndarray  # a history: numbers in a list, or a 1-D array

SEASONAL_Z = 1.645
SEASONAL_P = 0.01
TREND_Z = 1.96
Z80 = NormalDist().inv_cdf(0.9)
# In-sample forecasts start after a few values, so the initial states are not judged on
# the very values they were fitted to.
WARMUP = 3
# Parameters fitted by the combination: Theta (alpha, level, drift) and damped trend (alpha,
# beta, phi, level, slope); a seasonal adjustment adds one less than the season length.
FITTED_PARAMETERS = 8

Direction = Literal["higher_is_better", "lower_is_better"]


class ForecastStep(BaseModel):
    """The forecast of one future period: the point, and the normal distribution around it."""

    model_config = ConfigDict(frozen=True)

    horizon: int
    point: float
    centre: float
    sigma: float
    lower80: float
    upper80: float


class Forecast(BaseModel):
    """Point forecasts with 80% intervals for each step ahead, and how they were made."""

    model_config = ConfigDict(frozen=True)

    points: list[float]
    lower80: list[float]
    upper80: list[float]
    sigma_by_step: list[float]
    centre_by_step: list[float]
    method: str
    seasonal: bool
    trend: bool

    def step(self, horizon: int) -> ForecastStep:
        """Return the forecast of the period `horizon` steps ahead (1 is the next one)."""
        if not 1 <= horizon <= len(self.points):
            raise ValueError(f"horizon must be 1 to {len(self.points)}, got {horizon}")
        i = horizon - 1
        return ForecastStep(
            horizon=horizon,
            point=self.points[i],
            centre=self.centre_by_step[i],
            sigma=self.sigma_by_step[i],
            lower80=self.lower80[i],
            upper80=self.upper80[i],
        )


class TrendSeasonality(BaseModel):
    """Whether a history trends and whether it is seasonal, with the test statistics behind it."""

    model_config = ConfigDict(frozen=True)

    trend: bool
    seasonal: bool
    trend_z: float
    seasonal_acf: float
    seasonal_limit: float
    seasonal_p: float


def _as_series(values: Values) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    fewest = review_policy().min_points
    if array.ndim != 1 or array.size < fewest:
        raise InsufficientDataError(fewest, int(array.size))
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise InvalidValueError(int(bad[0]), values[int(bad[0])])
    return array


# --- seasonality and trend -------------------------------------------------------------------


def _acf(y: np.ndarray, max_lag: int) -> np.ndarray:
    """Return autocorrelations at lags 1..max_lag."""
    d = y - y.mean()
    denom = float(d @ d)
    if denom == 0.0:
        return np.zeros(max_lag)
    return np.array([float(d[k:] @ d[:-k]) / denom for k in range(1, max_lag + 1)])


def _centred_moving_average(y: np.ndarray, m: int) -> tuple[np.ndarray, int]:
    """Return the centred moving average over one season (2 x m for even m), and its offset."""
    weights = np.ones(m + 1 if m % 2 == 0 else m)
    if m % 2 == 0:
        weights[0] = weights[-1] = 0.5
    return np.convolve(y, weights / m, mode="valid"), (weights.size - 1) // 2


def _seasonal_test(y: np.ndarray, m: int) -> tuple[bool, float, float, float]:
    """Return (seasonal, autocorrelation at lag m, its 90% limit, the variance test's p-value)."""
    if m < 2 or y.size < 2 * m:
        return False, 0.0, float("inf"), 1.0
    # A trend makes every autocorrelation large, and on long histories the test would then call
    # any trend seasonal; so the trend (the moving average) is taken out first when at least two
    # full seasons remain after it.
    trend, offset = _centred_moving_average(y, m)
    positions = np.arange(offset, offset + trend.size)
    detrended = y[positions] - trend
    tested = detrended if trend.size >= 2 * m else y
    r = _acf(tested, m)
    limit = SEASONAL_Z * float(np.sqrt((1 + 2 * np.sum(r[:-1] ** 2)) / tested.size))
    p_value = _season_anova(detrended, positions % m, m)
    return bool(abs(r[-1]) > limit or p_value < SEASONAL_P), float(r[-1]), limit, p_value


def _season_anova(detrended: np.ndarray, season: np.ndarray, m: int) -> float:
    """Return the p-value of a one-way analysis of variance of `detrended` by season position."""
    # The autocorrelation test is weak on short histories whose seasonal pattern is strong (the
    # pattern inflates the lags it is judged against); comparing the season positions' means
    # catches those. It needs two values per position, so three seasons of history.
    within_df = detrended.size - m
    if within_df < m:
        return 1.0
    means = np.array([detrended[season == j].mean() for j in range(m)])
    between = float(np.sum(np.bincount(season, minlength=m) * (means - detrended.mean()) ** 2))
    within = float(np.sum((detrended - means[season]) ** 2))
    if within <= 0.0:
        return 0.0 if between > 0.0 else 1.0
    return _f_upper_tail(between / (m - 1) / (within / within_df), m - 1, within_df)


def _f_upper_tail(f: float, d1: int, d2: int) -> float:
    """Return P(F > f) for an F(d1, d2) variable, by Paulson's normal approximation."""
    a, b = 2 / (9 * d1), 2 / (9 * d2)
    cube = f ** (1 / 3)
    z = ((1 - b) * cube - (1 - a)) / float(np.sqrt(b * cube**2 + a))
    return 1.0 - NormalDist().cdf(z)


def _seasonal_indices(y: np.ndarray, m: int, multiplicative: bool) -> np.ndarray:
    """Return classical-decomposition seasonal indices, entry j for positions t with t % m == j."""
    trend, offset = _centred_moving_average(y, m)
    positions = np.arange(offset, offset + trend.size)
    core = y[positions]
    detrended = core / trend if multiplicative else core - trend
    indices = np.array([detrended[positions % m == j].mean() for j in range(m)])
    return indices / indices.mean() if multiplicative else indices - indices.mean()


def mann_kendall(z: np.ndarray) -> tuple[float, float]:
    """Return the Mann-Kendall statistic S and its variance, widened for lag-1
    autocorrelation (both 0 for fewer than three values)."""
    n = z.size
    if n < 3:
        return 0.0, 0.0
    first, second = np.triu_indices(n, 1)
    diffs = z[second] - z[first]
    s = float(np.sign(diffs).sum())
    _, ties = np.unique(z, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - float(np.sum(ties * (ties - 1) * (2 * ties + 5)))) / 18
    if var <= 0 or s == 0:
        return s, max(var, 0.0)
    # Positively autocorrelated noise wanders and fakes trends; the AR(1) variance correction
    # (Hamed & Rao's form, lag 1 only, around Sen's slope) keeps a wander from passing as a trend.
    sen_slope = float(np.median(diffs / (second - first)))
    r1 = max(0.0, float(_acf(z - sen_slope * np.arange(n), 1)[0]))
    k = np.arange(1, n - 2)
    factor = 1 + 2 * float(np.sum((n - k) * (n - k - 1) * (n - k - 2) * r1**k)) / (
        n * (n - 1) * (n - 2)
    )
    return s, var * factor


def trend_z(s: float, variance: float) -> float:
    """Return the normal score of a Mann-Kendall S (with continuity correction)."""
    if variance <= 0 or s == 0:
        return 0.0
    return (s - np.sign(s)) / float(np.sqrt(variance))


def trends(z_score: float) -> bool:
    """Return True when a Mann-Kendall score shows a trend (5% two-sided)."""
    return abs(z_score) > TREND_Z


def _mann_kendall_z(z: np.ndarray) -> float:
    """Return the Mann-Kendall trend statistic, widened for lag-1 autocorrelation."""
    return trend_z(*mann_kendall(z))


@dataclass(frozen=True)
class _Adjusted:
    """A history with its seasonal pattern taken out, and how to put it back."""

    adjusted: np.ndarray
    indices: np.ndarray | None
    multiplicative: bool

    def restore(self, values: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Return season-adjusted `values` at season `positions` with the season put back."""
        if self.indices is None:
            return values
        factors = self.indices[positions % self.indices.size]
        return values * factors if self.multiplicative else values + factors

    def remove(self, values: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Return `values` at season `positions` with the season taken out."""
        if self.indices is None:
            return values
        factors = self.indices[positions % self.indices.size]
        return values / factors if self.multiplicative else values - factors


SeasonalAdjustment = _Adjusted


def _adjust(y: np.ndarray, m: int) -> _Adjusted:
    seasonal = _seasonal_test(y, m)[0]
    if not seasonal:
        return _Adjusted(y, None, False)
    multiplicative = bool(np.all(y > 0))
    indices = _seasonal_indices(y, m, multiplicative)
    positions = np.arange(y.size) % m
    adjusted = y / indices[positions] if multiplicative else y - indices[positions]
    return _Adjusted(adjusted, indices, multiplicative)


def seasonal_adjustment(values: Values, season_length: int) -> SeasonalAdjustment:
    """Return the history's classical seasonal decomposition (indices None: not seasonal)."""
    return _adjust(_as_series(values), season_length)


def trend_and_seasonality(values: Values, season_length: int = 12) -> TrendSeasonality:
    """Return whether the history is seasonal (autocorrelation test) and trends (Mann-Kendall)."""
    y = _as_series(values)
    seasonal, acf_m, limit, p_value = _seasonal_test(y, season_length)
    z = _mann_kendall_z(_adjust(y, season_length).adjusted)
    return TrendSeasonality(
        trend=bool(abs(z) > TREND_Z),
        seasonal=seasonal,
        trend_z=z,
        seasonal_acf=acf_m,
        seasonal_limit=limit,
        seasonal_p=p_value,
    )


# --- exponential smoothing ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Smoother:
    """Parameters and initial states of a (possibly damped) trend smoother."""

    alpha: float
    beta: float
    phi: float
    level0: float
    slope0: float


@functools.lru_cache(maxsize=4)
def _responses(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the grid's error responses to a first value, initial level and initial slope."""
    # For every grid point and `n` values: the response to a unit first value (as a spectrum, for
    # convolving), the responses to a unit initial level and slope, and their inverse Gram matrix.
    alpha, beta, phi = _grid()[0]
    level = np.zeros((3, alpha.size))
    slope = np.zeros((3, alpha.size))
    level[1] = 1.0
    slope[2] = 1.0
    impulse = np.array([1.0, 0.0, 0.0])[:, None]
    errors = np.empty((n, 3, alpha.size))
    for t in range(n):
        fitted = level + phi * slope
        e = errors[t]
        np.subtract(impulse if t == 0 else 0.0, fitted, out=e)
        level = fitted + alpha * e
        slope = phi * slope + beta * e
    design = errors[:, 1:, :].transpose(2, 1, 0)
    gram = design @ design.transpose(0, 2, 1)
    # Without a trend the slope column is zero; a tiny ridge then pins its coefficient at 0.
    gram += np.eye(2) * (1e-12 * np.trace(gram, axis1=1, axis2=2)[:, None, None] + 1e-300)
    return np.fft.rfft(errors[:, 0, :].T, 2 * n), design, np.linalg.inv(gram)


def _fit(z: np.ndarray) -> np.ndarray:
    """Return each grid point's squared one-step error and least-squares initial states."""
    # With the parameters fixed the smoothers are linear and time-invariant: the one-step errors
    # are the data convolved with the error response to one unit value, plus terms linear in the
    # initial level and slope. The responses depend only on the length, so they are cached.
    spectrum, design, inverse = _responses(z.size)
    base = np.fft.irfft(spectrum * np.fft.rfft(z, 2 * z.size), 2 * z.size)[:, : z.size]
    cross = np.einsum("git,gt->gi", design, base)
    coef = -np.einsum("gij,gj->gi", inverse, cross)
    sse = np.einsum("gt,gt->g", base, base) + np.einsum("gi,gi->g", coef, cross)
    return np.column_stack([sse, coef])


def _best(fit: np.ndarray, grid: tuple[np.ndarray, np.ndarray, np.ndarray],
          part: slice) -> _Smoother:
    best = part.start + int(np.argmin(fit[part, 0]))
    alpha, beta, phi = (float(g[best]) for g in grid)
    return _Smoother(alpha, beta, phi, float(fit[best, 1]), float(fit[best, 2]))


def _states(z: np.ndarray, p: _Smoother) -> tuple[np.ndarray, np.ndarray]:
    """Return the level and slope after 0, 1, ..., n observations."""
    level = np.empty(z.size + 1)
    slope = np.empty(z.size + 1)
    level[0], slope[0] = p.level0, p.slope0
    for t, value in enumerate(z):
        fitted = level[t] + p.phi * slope[t]
        e = value - fitted
        level[t + 1] = fitted + p.alpha * e
        slope[t + 1] = p.phi * slope[t] + p.beta * e
    return level, slope


@functools.cache
def _grid() -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], slice, slice]:
    """Return one parameter grid (alpha, beta, phi) holding both smoothers, and their parts."""
    ses_alpha = np.linspace(0.01, 0.99, 50)
    # Damped-trend bounds as in common practice: phi from 0.8 to 0.98 and beta below alpha.
    alpha, beta_share, phi = (
        a.ravel()
        for a in np.meshgrid(
            np.array([0.02, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9, 0.99]),
            np.array([0.0, 0.02, 0.05, 0.1, 0.2, 0.4]),
            np.array([0.8, 0.85, 0.9, 0.94, 0.98]),
            indexing="ij",
        )
    )
    zeros = np.zeros_like(ses_alpha)
    grid = (
        np.concatenate([ses_alpha, alpha]),
        np.concatenate([zeros, alpha * beta_share]),
        np.concatenate([zeros, phi]),
    )
    return grid, slice(0, ses_alpha.size), slice(ses_alpha.size, grid[0].size)


def _theta_paths(z: np.ndarray, p: _Smoother, horizon: int) -> np.ndarray:
    """Return Theta forecasts: row k holds steps 1..horizon from the origin after k values."""
    level, _ = _states(z, p)
    t = np.arange(z.size) - (z.size - 1) / 2
    drift = float(t @ z) / float(t @ t) / 2
    h = np.arange(1, horizon + 1)[None, :]
    seen = np.arange(z.size + 1)[:, None]
    # Hyndman & Billah (2003): Theta is simple exponential smoothing plus this drift term.
    ramp = (h - 1) + 1 / p.alpha - (1 - p.alpha) ** seen / p.alpha
    return level[:, None] + drift * ramp


def _damped_paths(z: np.ndarray, p: _Smoother, horizon: int) -> np.ndarray:
    """Return damped-trend forecasts: row k holds steps 1..horizon from the origin after k."""
    level, slope = _states(z, p)
    damping = np.cumsum(p.phi ** np.arange(1, horizon + 1))
    return level[:, None] + slope[:, None] * damping[None, :]


def _combined_paths(z: np.ndarray, horizon: int) -> np.ndarray:
    """Return the average of the Theta and damped-trend forecasts from every origin."""
    grid, ses, damped = _grid()
    fit = _fit(z)
    theta = _theta_paths(z, _best(fit, grid, ses), horizon)
    return (theta + _damped_paths(z, _best(fit, grid, damped), horizon)) / 2


# --- uncertainty -----------------------------------------------------------------------------


def _weighted_line(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, rising: bool
) -> tuple[float, float]:
    """Return intercept and slope of the weighted least-squares line (slope >= 0 if `rising`)."""
    keep = w > 0
    x, y, w = x[keep], y[keep], w[keep]
    xm = float(np.average(x, weights=w))
    ym = float(np.average(y, weights=w))
    sxx = float(np.sum(w * (x - xm) ** 2))
    b = float(np.sum(w * (x - xm) * (y - ym))) / sxx if sxx > 0 else 0.0
    b = max(b, 0.0) if rising else b
    return ym - b * xm, b


def _spread(
    z: np.ndarray, paths: np.ndarray, fitted: int, relative: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Return the lean (mean error) and spread of each step ahead, from in-sample forecasts."""
    n, horizon = z.size, paths.shape[1]
    origins = np.arange(min(WARMUP, n - 2), n)
    targets = origins[:, None] + np.arange(horizon)[None, :]
    valid = targets < n
    predicted = paths[origins]
    errors = z[np.minimum(targets, n - 1)] - predicted
    if relative:
        errors /= np.maximum(np.abs(predicted), _scale_floor(z))
    errors = np.where(valid, errors, 0.0)
    counts = valid.sum(axis=0).astype(float)
    steps = np.arange(horizon, dtype=float)
    # Both figures are smoothed by weighted lines across steps, so steps with few origins lean on
    # those with many. Variance grows linearly with the step, as for a random walk, and never
    # below the one-step figure; the lean is held flat beyond the last step the history checks.
    mse = (errors**2).sum(axis=0) / np.maximum(counts, 1)
    a, b = _weighted_line(steps, mse, counts, True)
    variance = np.maximum(a + b * steps, mse[0])
    c, d = _weighted_line(steps, errors.sum(axis=0) / np.maximum(counts, 1), counts, False)
    lean = c + d * np.minimum(steps, float(np.flatnonzero(counts)[-1]))
    # The errors come from a fit to the same data, so they flatter the method: widen their mean
    # square by n / (n - k) for k fitted parameters (capped at doubling for short histories).
    sigma = np.sqrt(variance * n / max(n - fitted, n / 2))
    # A history the method follows exactly (a constant KPI) leaves only rounding noise.
    negligible = 1e-9 * (1.0 if relative else float(np.mean(np.abs(z))))
    if sigma[-1] < negligible:
        return np.zeros(horizon), np.zeros(horizon)
    return lean, sigma


def _scale_floor(z: np.ndarray) -> float:
    """Return the smallest forecast size relative errors are measured against."""
    # A forecast near zero would make relative errors explode; 5% of the typical size is the
    # least a positive KPI's forecast is allowed to count as.
    return max(0.05 * float(np.mean(np.abs(z))), 1e-12)


# --- public ----------------------------------------------------------------------------------


def forecast(values: Sequence[float], horizon: int, season_length: int = 12,
             extra_parameters: int = 0) -> Forecast:
    """Return point forecasts and 80% intervals for the next `horizon` periods
    (`extra_parameters`: parameters fitted before, such as seasonal indices taken out by the
    caller, which widen the intervals as the method's own do)."""
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1, got {horizon}")
    y = _as_series(values)
    adjusted = _adjust(y, season_length)
    z = adjusted.adjusted
    paths = _combined_paths(z, horizon)
    future = np.arange(y.size, y.size + horizon)
    points = adjusted.restore(paths[-1], future)
    if y.min() >= 0:
        # A KPI that has never been negative (sales, visits, counts) cannot be forecast below 0.
        points = np.maximum(points, 0.0)
    fitted = FITTED_PARAMETERS + extra_parameters + (
        season_length - 1 if adjusted.indices is not None else 0)
    # Relative errors exactly when seasonality is multiplicative: both need positive values.
    relative = bool(y.min() > 0)
    lean, spread = _spread(z, paths, fitted, relative)
    size = np.maximum(points, _scale_floor(y)) if relative else np.ones(horizon)
    centres, sigmas = points + lean * size, spread * size
    return Forecast(
        points=points.tolist(),
        lower80=(centres - Z80 * sigmas).tolist(),
        upper80=(centres + Z80 * sigmas).tolist(),
        sigma_by_step=sigmas.tolist(),
        centre_by_step=centres.tolist(),
        method="theta+damped" + ("/seasonal" if adjusted.indices is not None else ""),
        seasonal=adjusted.indices is not None,
        trend=bool(abs(_mann_kendall_z(z)) > TREND_Z),
    )


def residuals_for_xmr(values: Sequence[float], season_length: int = 12) -> list[float]:
    """Return the one-step in-sample forecast errors, one per value, for an XmR chart."""
    y = _as_series(values)
    adjusted = _adjust(y, season_length)
    paths = _combined_paths(adjusted.adjusted, 1)
    fitted = adjusted.restore(paths[:-1, 0], np.arange(y.size))
    return (y - fitted).tolist()


def probability_at_least(step: ForecastStep, threshold: float) -> float:
    """Return the probability that the period's value is at least `threshold`."""
    if step.sigma <= 0:
        return 1.0 if step.centre >= threshold else 0.0
    return 1.0 - NormalDist(step.centre, step.sigma).cdf(threshold)


def probability_at_most(step: ForecastStep, threshold: float) -> float:
    """Return the probability that the period's value is at most `threshold`."""
    if step.sigma <= 0:
        return 1.0 if step.centre <= threshold else 0.0
    return NormalDist(step.centre, step.sigma).cdf(threshold)


def level_for_probability(step: ForecastStep, p: float, direction: str | None) -> float:
    """Return the target met with probability `p`: reached (higher is better) or kept under."""
    if direction not in ("higher_is_better", "lower_is_better"):
        raise ValueError(f"direction must be higher_is_better or lower_is_better: {direction!r}")
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be strictly between 0 and 1, got {p}")
    if step.sigma <= 0:
        return step.centre
    quantile = 1.0 - p if direction == "higher_is_better" else p
    return NormalDist(step.centre, step.sigma).inv_cdf(quantile)
