"""Time the review statistics on 200 KPIs with 60 monthly values each.

Each KPI goes through what a quarterly review asks of it: trend and seasonality, XmR limits and
signals (on the one-step residuals when the KPI trends or is seasonal), a forecast of the next
quarter, the chance of meeting a target, and the committed and stretch levels. The histories are
made up here from a seeded generator (level, trend, seasonality, noise and an occasional shift),
so the script needs nothing but the project. Run: `.venv/bin/python bench/bench_review_speed.py`.
"""

import time

import numpy as np

from advisor.review.forecast import (
    forecast,
    level_for_probability,
    probability_at_least,
    residuals_for_xmr,
    trend_and_seasonality,
)
from advisor.review.xmr import xmr_chart

KPIS = 200
POINTS = 60
HORIZON = 3
SEASON = 12


def made_up_history(rng: np.random.Generator) -> list[float]:
    """Return one positive monthly history with a random mix of patterns."""
    t = np.arange(POINTS)
    level = rng.uniform(50, 500)
    trend = rng.choice([0.0, rng.normal(0, 0.01)]) * level * t
    season = rng.choice([0.0, rng.uniform(0.05, 0.3)]) * level * np.sin(2 * np.pi * t / SEASON)
    shift = np.where(t >= rng.integers(20, 55), rng.choice([0.0, 0.2]) * level, 0.0)
    noise = rng.normal(0, rng.uniform(0.02, 0.15) * level, POINTS)
    return np.maximum(level + trend + season + shift + noise, 1.0).tolist()


def review(values: list[float]) -> tuple[float, float, float]:
    """Run one KPI through the review statistics; return probability, committed and stretch."""
    shape = trend_and_seasonality(values, SEASON)
    charted = residuals_for_xmr(values, SEASON) if shape.trend or shape.seasonal else values
    xmr_chart(charted)
    ahead = forecast(values, HORIZON, SEASON)
    next_period = ahead.step(1)
    target = values[-1] * 1.05
    return (
        probability_at_least(next_period, target),
        level_for_probability(next_period, 0.8, "higher_is_better"),
        level_for_probability(next_period, 0.4, "higher_is_better"),
    )


def main() -> None:
    """Time the review of every made-up KPI and print the total."""
    rng = np.random.default_rng(20250301)
    histories = [made_up_history(rng) for _ in range(KPIS)]
    started, started_cpu = time.perf_counter(), time.process_time()
    for values in histories:
        review(values)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    print(f"{KPIS} KPIs x {POINTS} monthly points: limits, signals, forecast, probabilities")
    print(f"total {elapsed:.2f} s wall, {cpu:.2f} s CPU ({1000 * elapsed / KPIS:.1f} ms per KPI)")


if __name__ == "__main__":
    main()
