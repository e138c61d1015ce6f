"""XmR limits, the deliberate baseline and the four detection rules."""

import csv
from pathlib import Path

import pytest

from advisor.review.errors import InsufficientDataError, InvalidValueError
from advisor.review.xmr import (
    choose_baseline,
    detect_signals,
    find_shifts,
    moving_ranges,
    natural_process_limits,
    xmr_chart,
)

SERIES = Path(__file__).parent / "data" / "series"

# A repeating pattern of small deviations (sum 0) so level-shift examples are exact and readable.
WIGGLE = [0, 2, -1, 1, -2, 1, 0, -1, 2, -2, 1, -1]


def read_series(name: str) -> list[float]:
    with (SERIES / f"{name}.csv").open(newline="") as handle:
        return [float(row["value"]) for row in csv.DictReader(handle)]


def level(centre: float, count: int, phase: int = 0) -> list[float]:
    return [centre + WIGGLE[(i + phase) % len(WIGGLE)] for i in range(count)]


# Limits used by the rule tests: the baseline 9, 11, 9, 11, 9, 11 has
#   centre = 60 / 6 = 10, every moving range = 2, so average moving range = 2;
#   limits = 10 ± 2.66 × 2 = 10 ± 5.32 -> 4.68 and 15.32;
#   halfway lines = 10 ± 2.66 -> 7.34 and 12.66; upper range limit = 3.27 × 2 = 6.54.
BASE = [9, 11, 9, 11, 9, 11]


@pytest.fixture
def limits():
    return natural_process_limits(BASE)


def kinds(signals):
    return [(s.kind, s.side, s.indices) for s in signals]


def test_moving_ranges_by_hand():
    # |12-10| = 2, |11-12| = 1, |14-11| = 3, |13-14| = 1
    assert moving_ranges([10, 12, 11, 14, 13]) == [2, 1, 3, 1]


def test_natural_process_limits_by_hand():
    # mean = (10 + 12 + 11 + 14 + 13) / 5 = 12; average moving range = (2+1+3+1) / 4 = 1.75
    # limits = 12 ± 2.66 × 1.75 = 12 ± 4.655; upper range limit = 3.27 × 1.75 = 5.7225
    result = natural_process_limits([10, 12, 11, 14, 13])
    assert result.centre == pytest.approx(12)
    assert result.average_moving_range == pytest.approx(1.75)
    assert result.lower == pytest.approx(7.345)
    assert result.upper == pytest.approx(16.655)
    assert result.url == pytest.approx(5.7225)


def test_rule_limits_by_hand(limits):
    assert (limits.centre, limits.average_moving_range) == (pytest.approx(10), pytest.approx(2))
    assert (limits.lower, limits.upper) == (pytest.approx(4.68), pytest.approx(15.32))
    assert limits.lower_halfway == pytest.approx(7.34)
    assert limits.upper_halfway == pytest.approx(12.66)
    assert limits.url == pytest.approx(6.54)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # 16 > 15.32; the ranges |16-10| = 6 stay under 6.54.
        ([10, 16, 10], [("beyond_limit", "above", [1])]),
        ([10, 4, 10], [("beyond_limit", "below", [1])]),
        # 15 is inside the limits, 5 too.
        ([10, 15, 10, 5, 10], []),
    ],
)
def test_beyond_limit(limits, values, expected):
    assert kinds(s for s in detect_signals(values, limits) if s.kind == "beyond_limit") == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # |15-8| = 7 > 6.54: one range, reported with both ends.
        ([8, 15, 14], [("range_beyond_url", "above", [0, 1])]),
        # |14-8| = 6 <= 6.54: nothing.
        ([8, 14, 13], []),
    ],
)
def test_range_beyond_url(limits, values, expected):
    found = [s for s in detect_signals(values, limits) if s.kind == "range_beyond_url"]
    assert kinds(found) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # Eight values of 11 (above 10, under the halfway line 12.66): one run.
        ([11] * 8, [("run_of_8", "above", list(range(8)))]),
        # Seven are not enough.
        ([11] * 7, []),
        # Ten values make one maximal run, not three overlapping ones.
        ([9] * 10, [("run_of_8", "below", list(range(10)))]),
        # A value on the centre line ends a run: 4 + 4 is not 8.
        ([11] * 4 + [10] + [11] * 4, []),
        # Two separate runs give two signals.
        (
            [11] * 8 + [9] * 8,
            [("run_of_8", "above", list(range(8))), ("run_of_8", "below", list(range(8, 16)))],
        ),
    ],
)
def test_run_of_8(limits, values, expected):
    assert kinds(s for s in detect_signals(values, limits) if s.kind == "run_of_8") == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # 13 > 12.66 three times in four: indices 0, 2 and 3.
        ([13, 10, 13, 13], [("three_of_four", "above", [0, 2, 3])]),
        # Only two of four beyond the halfway line.
        ([13, 10, 13, 10], []),
        # 7 < 7.34 three times in four, below.
        ([7, 7, 10, 7], [("three_of_four", "below", [0, 1, 3])]),
        # Three beyond, but on opposite sides: no signal.
        ([13, 7, 13, 10], []),
        # Five in a row make one maximal pattern, not two overlapping windows.
        ([13] * 5, [("three_of_four", "above", [0, 1, 2, 3, 4])]),
        # Two patterns apart are two signals.
        (
            [13, 13, 13, 10, 10, 10, 10, 7, 7, 7],
            [("three_of_four", "above", [0, 1, 2]), ("three_of_four", "below", [7, 8, 9])],
        ),
    ],
)
def test_three_of_four(limits, values, expected):
    found = [s for s in detect_signals(values, limits) if s.kind == "three_of_four"]
    assert kinds(found) == expected


def test_detect_signals_since_keeps_whole_history_indices(limits):
    values = [16, 10, 10, 16]
    found = detect_signals(values, limits, since=2)
    assert kinds(found) == [("beyond_limit", "above", [3])]


def test_stable_history_has_no_shift_and_uses_latest_24():
    values = level(100, 40)
    baseline = choose_baseline(values)
    assert baseline.shifts == []
    assert (baseline.start, baseline.end) == (16, 40)
    assert baseline.limits.centre == pytest.approx(sum(values[16:]) / 24)
    assert xmr_chart(values).signals == []


def test_level_shift_gets_limits_from_the_new_level():
    values = level(100, 30) + level(130, 12, phase=5)
    chart = xmr_chart(values)
    assert chart.baseline.shifts == [30]
    assert (chart.baseline.start, chart.baseline.end) == (30, 42)
    # The new level's mean is 130 exactly (the wiggle sums to 0 over 12 values).
    assert chart.limits.centre == pytest.approx(130)
    assert chart.limits.upper - chart.limits.lower < 15
    assert chart.signals == []
    # Computed blindly from all 42 values the limits would be centred between the levels.
    assert natural_process_limits(values).centre == pytest.approx((30 * 100 + 12 * 130) / 42, 1e-3)


def test_small_sustained_shift_is_found_by_a_run():
    # +3 is about 1.3 sigma here: no value leaves the limits, but the run of 12 does.
    values = level(100, 30) + level(103, 12)
    assert find_shifts(values) == [30]
    assert choose_baseline(values).limits.centre == pytest.approx(103)


def test_shift_too_recent_keeps_old_baseline_and_flags_new_values():
    values = level(100, 30) + [130, 131, 129, 130]
    chart = xmr_chart(values)
    assert chart.baseline.end == 30
    assert chart.limits.centre == pytest.approx(100, abs=0.5)
    beyond = [s.indices[0] for s in chart.signals if s.kind == "beyond_limit"]
    assert beyond == [30, 31, 32, 33]


def test_a_single_wild_value_is_left_out_of_the_limits():
    values = level(100, 30)
    values[20] = 140
    baseline = choose_baseline(values)
    assert baseline.excluded == [20]
    naive = natural_process_limits(values[baseline.start : baseline.end])
    assert baseline.limits.upper - baseline.limits.lower < naive.upper - naive.lower
    found = kinds(xmr_chart(values).signals)
    assert ("beyond_limit", "above", [20]) in found
    assert ("range_beyond_url", "above", [19, 20]) in found


@pytest.mark.parametrize(
    ("call", "values", "error", "needed"),
    [
        (natural_process_limits, [1.0], InsufficientDataError, 2),
        (moving_ranges, [], InsufficientDataError, 2),
        (choose_baseline, [1, 2, 3, 4, 5], InsufficientDataError, 6),
        (xmr_chart, [1, 2, 3, 4, 5], InsufficientDataError, 6),
        (natural_process_limits, [1.0, float("nan"), 2.0], InvalidValueError, None),
        (choose_baseline, [1, 2, 3, float("inf"), 5, 6], InvalidValueError, None),
    ],
)
def test_bad_input_raises_named_errors(call, values, error, needed):
    with pytest.raises(error) as caught:
        call(values)
    if needed is not None:
        assert caught.value.needed == needed
        assert caught.value.message["vi"] and caught.value.message["en"]


@pytest.mark.parametrize("name", ["wine_sales_monthly", "shampoo_sales_monthly", "a10_monthly"])
def test_limits_and_signals_agree_with_statprocon(name):
    """Dev check against an independent implementation (PyPI statprocon) on the real series."""
    statprocon = pytest.importorskip(
        "statprocon", reason="statprocon is a dev-only cross-check: pip install statprocon"
    )
    values = read_series(name)
    ours = natural_process_limits(values)
    theirs = statprocon.XmR(values)
    # statprocon rounds the centre line and the average moving range to three decimals before
    # scaling, so the limits may differ by up to about 0.5e-3 × (1 + 2.66).
    assert ours.centre == pytest.approx(float(theirs.x_central_line()[0]), abs=1e-3)
    assert ours.upper == pytest.approx(float(theirs.upper_natural_process_limit()[0]), abs=2e-3)
    assert ours.lower == pytest.approx(float(theirs.lower_natural_process_limit()[0]), abs=2e-3)
    # statprocon scales the range limit by 3.268, the unrounded D4; this module uses 3.27.
    assert ours.url == pytest.approx(float(theirs.upper_range_limit()[0]), rel=1e-3)

    signals = detect_signals(values, ours)

    def flagged(kind):
        return {i for s in signals if s.kind == kind for i in s.indices}

    rule_1 = theirs.rule_1_x_indices_beyond_limits()
    assert flagged("beyond_limit") == {i for i, hit in enumerate(rule_1) if hit}
    rule_2 = theirs.rule_2_runs_about_central_line()
    assert flagged("run_of_8") == {i for i, hit in enumerate(rule_2) if hit}
    # statprocon marks all four values of each window; this module reports the values beyond the
    # halfway line, one signal per maximal stretch of windows. The windows covered must match.
    rule_3 = {i for i, hit in enumerate(theirs.rule_3_runs_near_limits()) if hit}
    spans = {
        i
        for s in signals
        if s.kind == "three_of_four"
        for i in range(s.indices[0], s.indices[-1] + 1)
    }
    assert flagged("three_of_four") <= rule_3
    assert spans <= rule_3
    mr_rule = theirs.rule_1_mr_indices_beyond_limits()
    assert {s.indices[1] for s in signals if s.kind == "range_beyond_url"} == {
        i for i, hit in enumerate(mr_rule) if hit
    }
    assert signals, "the real series are expected to show at least one signal"
