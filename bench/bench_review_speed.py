"""Time the review statistics on 200 KPIs with 60 monthly values each.

Each KPI goes through what a quarterly review asks of it (advisor/review/process.py): season
adjustment, shifts sought before any model, XmR limits and signals (on the one-step residuals
when the baseline trends), the outlook of the next quarter, the chance of meeting a target, and
the committed and stretch levels. The histories are
made up here from a seeded generator (level, trend, seasonality, noise and an occasional shift),
so the script needs nothing but the project. Run: `.venv/bin/python bench/bench_review_speed.py`.

The second figure is the whole review as the API and the review page run it (`review_kpis`):
the statistics above plus the facts, one pass of the review rule set through the rule engine,
the explanations in both languages and the chart data. The goal is under 2 s for the plan.
"""

import time

import numpy as np

from advisor.review.analysis import review_kpis, review_ruleset
from advisor.review.forecast import level_for_probability, probability_at_least
from advisor.review.models import ReviewKpi
from advisor.review.periods import next_periods, parse_period
from advisor.review.policy import review_policy
from advisor.review.process import read_process

KPIS = 200
POINTS = 60
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
    policy = review_policy()
    process = read_process(values, [False] * len(values), "monthly",
                           policy.horizon.of("monthly"), policy)
    next_period = process.outlook.step(1)
    target = values[-1] * 1.05
    return (
        probability_at_least(next_period, target),
        level_for_probability(next_period, policy.committed_probability, "higher_is_better"),
        level_for_probability(next_period, policy.stretch_probability, "higher_is_better"),
    )


def plan_kpis(histories: list[list[float]], rng: np.random.Generator) -> list[ReviewKpi]:
    """Return the histories as a plan's KPIs with targets around their recent level."""
    labels = [parse_period("2020-01"), *next_periods(parse_period("2020-01"), POINTS - 1)]
    return [ReviewKpi(name=f"KPI {i + 1}", target=values[-1] * rng.uniform(0.8, 1.3),
                      commitment=rng.choice(["committed", "aspirational"]),
                      history=[{"period": p.label, "value": v} for p, v in zip(labels, values,
                                                                                 strict=True)])
            for i, values in enumerate(histories)]


def _timed(label: str, run) -> None:
    started, started_cpu = time.perf_counter(), time.process_time()
    run()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    print(f"{label}: {elapsed:.2f} s wall, {cpu:.2f} s CPU ({1000 * elapsed / KPIS:.1f} ms "
          "per KPI)")


def main() -> None:
    """Time the statistics alone, then the whole review with the rules, and print both."""
    rng = np.random.default_rng(20250301)
    histories = [made_up_history(rng) for _ in range(KPIS)]
    kpis = plan_kpis(histories, rng)
    review_ruleset()  # reading the rule file once per process is not part of a review
    print(f"{KPIS} KPIs x {POINTS} monthly points")
    _timed("statistics (limits, signals, forecast, probabilities)",
           lambda: [review(values) for values in histories])
    results: list = []
    _timed("whole review (statistics, facts, rules, explanations)",
           lambda: results.extend(review_kpis(kpis)))
    actions: dict[str, int] = {}
    for result in results:
        actions[result.suggestion.action] = actions.get(result.suggestion.action, 0) + 1
    print("suggestions:", ", ".join(f"{k} {v}" for k, v in sorted(actions.items())))


if __name__ == "__main__":
    main()
