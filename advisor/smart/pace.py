"""The A check's arithmetic: how far a KPI can move by its deadline, perfection targets, and
where a target stands against a public benchmark."""

import math

from catalog.models import Kpi
from rules.policy import Pace, PaceChange, Plausibility, Stage, Targets

DAYS_PER_YEAR = 365.25


def is_scale(unit: str | None, bounds: tuple[float | None, float | None]) -> bool:
    """Return True for a score on a closed scale (a 1-5 rating, NPS from -100 to 100)."""
    low, high = bounds
    return low is not None and high is not None and (unit == "score" or low < 0)


def pace_band(baseline: float, years: float, pace: PaceChange, stage_factor: float,
              bounds: tuple[float | None, float | None],
              scale: bool) -> tuple[float, float] | None:
    """Return the plausible low and high at the deadline from the KPI's pace, or None when the
    pace says nothing (a level starting at zero, a rate that can cross zero without a scale).

    Levels (counts, money, rates of a whole) move by a factor; scores on a bounded scale
    (ratings, NPS) move by a share of the scale.
    """
    low_end, high_end = bounds
    years = max(years, pace.floor_years)
    factor = stage_factor if pace.by_stage else 1.0
    if scale and low_end is not None and high_end is not None:
        move = pace.scale_share * factor * years * (high_end - low_end)
        return max(low_end, baseline - move), min(high_end, baseline + move)
    if low_end is None or low_end < 0 or baseline <= 0:
        return None
    high = baseline * math.exp(math.log1p(pace.rise) * factor * years)
    low = baseline * math.exp(math.log1p(-pace.fall) * factor * years)
    return low, high if high_end is None else min(high, high_end)


def history_band(history: list[float], periods: int, z: float) -> tuple[float, float]:
    """Return last value + trend ± z spreads of the period-to-period change, `periods` ahead."""
    changes = [b - a for a, b in zip(history, history[1:], strict=False)]
    mean = sum(changes) / len(changes)
    spread = math.sqrt(sum((c - mean) ** 2 for c in changes) / max(1, len(changes) - 1))
    periods = max(1, periods)
    centre = history[-1] + mean * periods
    width = z * spread * math.sqrt(periods)
    return centre - width, centre + width


def plausible_band(baseline: float, years: float, periods: int, history: list[float] | None,
                   pace_name: Pace, stage: Stage, bounds: tuple[float | None, float | None],
                   scale: bool, policy: Plausibility) -> tuple[float, float, str] | None:
    """Return the plausible low, high and what they rest on ("history" or "pace"), or None.

    With enough history the history sets the band; a fast (process) KPI keeps at least its
    pace's room, since a change in how the work is done moves it beyond its past drift.
    """
    pace = policy.paces[pace_name]
    band = pace_band(baseline, years, pace, policy.stage_factor[stage], bounds, scale)
    if history and len(history) >= policy.history_min_points:
        low, high = history_band(history, periods, policy.history_z)
        if band is not None and not pace.by_stage:
            low, high = min(low, band[0]), max(high, band[1])
        band = (low, high)
        basis = "history"
    else:
        basis = "pace"
    if band is None or not band[1] > band[0]:
        return None  # a band of one value (all history equal, baseline 0) judges nothing
    return band[0], band[1], basis


def best_end(direction: str | None, bounds: tuple[float | None, float | None]) -> float | None:
    """Return the perfect value of a KPI in its good direction (100%, zero defects), if any."""
    if direction == "higher_is_better":
        return bounds[1]
    if direction == "lower_is_better":
        return bounds[0]
    return None


def short_of_perfection(perfect: float, baseline: float | None,
                        bounds: tuple[float | None, float | None], targets: Targets) -> float:
    """Return a level to suggest instead of perfection: part of the way from the baseline, or
    just short of perfection when there is no baseline."""
    if baseline is not None and baseline != perfect:
        return baseline + (perfect - baseline) * targets.perfection_gap_share
    low, high = bounds
    scale = (high - low) if low is not None and high is not None else abs(perfect) or 1.0
    step = scale * targets.perfection_margin_share
    return perfect - step if perfect == high else perfect + step


def benchmark_facts(target: float, baseline: float | None, direction: str | None,
                    entry: Kpi) -> dict:
    """Return how far (percent) the target beats the best end of the public benchmarks, in the
    KPI's good direction; nothing when it does not, or when the baseline already does."""
    low = min(b.low for b in entry.benchmarks)
    high = max(b.high for b in entry.benchmarks)
    facts = {"benchmark_low": low, "benchmark_high": high,
             "benchmark_source": entry.benchmarks[0].source}
    if direction == "higher_is_better" and target > high > 0:
        beyond = (target - high) / high * 100
        already = baseline is not None and baseline > high
    elif direction == "lower_is_better" and target < low and low > 0:
        beyond = (low - target) / low * 100
        already = baseline is not None and baseline < low
    else:
        return facts
    if not already:
        facts["benchmark_distance_pct"] = round(min(beyond, 1e9), 2)
    return facts
