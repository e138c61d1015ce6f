"""The review analysis on real business series: targets around the natural limits; edge cases."""

import csv
import re
from pathlib import Path

import pytest

from advisor.review.analysis import review_kpis, with_catalog
from advisor.review.errors import RowsRejectedError
from advisor.review.models import KpiReview, ReviewKpi
from advisor.review.policy import review_policy
from advisor.review.view import review_json
from catalog.loader import builtin_catalog

SERIES = Path(__file__).parent / "data" / "series"
# (file, first, last): stretches of the three real series, short and long, calm and seasonal.
WINDOWS = [
    ("shampoo_sales_monthly", 0, 36),
    ("shampoo_sales_monthly", 0, 18),
    ("wine_sales_monthly", 0, 48),
    ("wine_sales_monthly", 100, 160),
    ("a10_monthly", 0, 60),
    ("a10_monthly", 120, 204),
]
# Where the target goes, in widths of the natural range beyond the nearer limit (0 = centre).
PLACEMENTS = {"below": -0.25, "inside": 0.0, "above": 0.25, "far_above": 1.5}


def read_series(name: str, first: int = 0, last: int | None = None) -> list[dict]:
    with (SERIES / f"{name}.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))[first:last]
    return [{"period": r["period"], "value": float(r["value"])} for r in rows]


def place(review: KpiReview, where: str) -> float:
    natural = review.natural_range_next
    width = natural.upper - natural.lower
    share = PLACEMENTS[where]
    if share == 0:
        return natural.centre
    return natural.upper + share * width if share > 0 else natural.lower + share * width


def position_of(target: float, review: KpiReview, direction: str) -> str:
    natural = review.natural_range_next
    if natural.lower <= target <= natural.upper:
        return "inside"
    above = target > natural.upper
    return "beyond_favourable" if above == (direction == "higher_is_better") \
        else "beyond_unfavourable"


def expected_action(review: KpiReview, target: float, direction: str, commitment: str) -> str:
    """Return the suggestion the method calls for, from the review's own statistics."""
    if any(s.recent for s in review.signals):
        return "investigate"  # something changed: explain it before moving any target
    position = position_of(target, review, direction)
    if position == "beyond_unfavourable":
        return "raise"  # met without effort
    if position == "inside":
        low_chance = review.probability_of_target < 0.5
        return "lower" if commitment == "committed" and low_chance else "keep"
    if commitment == "aspirational":
        return "keep"  # a stretch beyond the limit is what an aspiration is for
    natural = review.natural_range_next
    sigmas = abs(target - natural.centre) / ((natural.upper - natural.lower) / 6)
    return "lower" if sigmas >= 6 else "change_process"


def targets_for(window, direction):
    name, first, last = window
    history = read_series(name, first, last)
    plain = review_kpis([ReviewKpi(name=name, direction=direction, history=history)])[0]
    return history, plain


@pytest.mark.parametrize("window", WINDOWS, ids=lambda w: f"{w[0]}[{w[1]}:{w[2]}]")
@pytest.mark.parametrize("direction", ["higher_is_better", "lower_is_better"])
def test_real_series_targets_inside_above_and_below_the_limits(window, direction):
    history, plain = targets_for(window, direction)
    assert plain.status == "ok" and plain.suggestion.rule == "no_target_yet"
    kpis, placed = [], []
    for where in PLACEMENTS:
        target = place(plain, where)
        for commitment in ("committed", "aspirational"):
            kpis.append(ReviewKpi(name=window[0], direction=direction, target=target,
                                  commitment=commitment, history=history))
            placed.append((where, target, commitment))
    reviews = review_kpis(kpis)
    for review, (where, target, commitment) in zip(reviews, placed, strict=True):
        # The target never moves the limits or the forecast; only the judgement.
        assert review.natural_range_next == plain.natural_range_next
        assert review.target_position == position_of(target, review, direction)
        assert review.suggestion.action == expected_action(review, target, direction,
                                                           commitment), (where, commitment)
    chances = {where: r.probability_of_target for r, (where, _, c) in zip(reviews, placed,
                                                                           strict=True)}
    easy, hard = ("below", "above") if direction == "higher_is_better" else ("above", "below")
    assert chances[easy] > chances["inside"] > chances[hard]
    assert chances[easy] > 0.8 and chances[hard] < 0.2


def test_the_real_windows_exercise_every_branch_not_only_investigate():
    seen = set()
    for window in WINDOWS:
        history, plain = targets_for(window, "higher_is_better")
        for where in PLACEMENTS:
            for commitment in ("committed", "aspirational"):
                review = review_kpis([ReviewKpi(name="x", target=place(plain, where),
                                                commitment=commitment, history=history)])[0]
                seen.add(review.suggestion.rule)
    assert {"committed_beyond_limit", "committed_far_beyond_limit", "aspirational_beyond_limit",
            "target_always_met", "target_inside_limits"} <= seen


@pytest.mark.parametrize("direction", ["higher_is_better", "lower_is_better"])
def test_committed_and_stretch_levels_keep_their_promises(direction):
    history = read_series("wine_sales_monthly", 0, 48)
    review = review_kpis([ReviewKpi(name="wine", direction=direction, target=20000,
                                    history=history)])[0]
    s, policy = review.suggestion, review_policy()
    assert s.committed_probability == pytest.approx(policy.committed_probability, abs=0.01)
    assert s.committed_probability >= policy.committed_probability
    assert s.stretch_probability == pytest.approx(policy.stretch_probability, abs=0.01)
    harder = s.stretch_target > s.committed_target
    assert harder == (direction == "higher_is_better")


def test_trending_and_seasonal_history_is_charted_around_its_forecast():
    review = review_kpis([ReviewKpi(name="a10", history=read_series("a10_monthly", 0, 60))])[0]
    assert review.trend and review.seasonal and review.basis == "forecast_residuals"
    assert "analysed_around_forecast" in [f.code for f in review.flags]
    assert "sai số dự báo" in review.basis_note.vi and "forecast errors" in review.basis_note.en
    # Around a forecast the centre line of the residuals sits near zero.
    assert abs(review.limits.centre) < (review.limits.upper - review.limits.lower) / 2
    assert review.chart[-1].centre != review.chart[0].centre


def test_a_calm_history_is_charted_on_its_values():
    values = [100, 104, 98, 101, 99, 103, 97, 102, 100, 99, 101, 98]
    history = [{"period": f"2024-{m:02d}", "value": v} for m, v in enumerate(values, 1)]
    review = review_kpis([ReviewKpi(name="calm", target=99, history=history)])[0]
    assert review.basis == "values" and not review.trend and not review.seasonal
    # By hand: mean 100.17; moving ranges 4,6,3,2,4,6,5,2,1,2,3 average 38/11 = 3.4545;
    # limits = 100.17 ± 2.66 × 3.4545 = 100.17 ± 9.19.
    assert review.limits.centre == pytest.approx(1202 / 12)
    assert review.limits.upper == pytest.approx(1202 / 12 + 2.66 * 38 / 11)
    assert review.natural_range_next.lower == pytest.approx(1202 / 12 - 2.66 * 38 / 11)
    assert review.attainment.periods_with_target == 12
    assert review.attainment.periods_met == sum(v >= 99 for v in values)
    assert [f.period for f in review.forecast] == ["2025-01", "2025-02", "2025-03"]


def test_a_recent_spike_is_a_signal_to_investigate_and_needs_a_comment():
    values = [100, 104, 98, 101, 99, 103, 97, 102, 100, 99, 101, 98, 131]
    history = [{"period": f"2024-W{w:02d}", "value": v} for w, v in enumerate(values, 1)]
    review = review_kpis([ReviewKpi(name="Leads", target=110, history=history)])[0]
    spike = [s for s in review.signals if s.rule == "beyond_limit"]
    assert spike and spike[0].periods == ["2024-W13"] and spike[0].recent
    assert review.suggestion.action == "investigate"
    assert "2024-W13" in review.suggestion.explanation.en
    assert review.comment_required and review.chart[-1].signal


def test_the_explanation_carries_the_numbers_in_each_language():
    values = [100, 104, 98, 101, 99, 103, 97, 102, 100, 99, 101, 98]
    history = [{"period": f"2024-{m:02d}", "value": v} for m, v in enumerate(values, 1)]
    review = review_kpis([ReviewKpi(name="Khách hàng tiềm năng", target=112.5,
                                    history=history)])[0]
    s = review.suggestion
    assert s.action == "change_process" and s.target == 112.5
    upper = review.natural_range_next.upper
    en, vi = s.explanation.en, s.explanation.vi
    assert en.startswith(f"Target 112.5 is above the upper natural limit {upper:.1f}")
    assert f"{s.committed_target:g} (committed)" in en and "improvement project" in en
    assert vi.startswith(f"Mục tiêu 112,5 cao hơn giới hạn tự nhiên trên {upper:.1f}"
                         .replace(".", ","))
    assert "“Khách hàng tiềm năng”" in vi


@pytest.mark.parametrize("count", [0, 1, 5])
def test_too_little_history_gives_no_guess(count):
    history = [{"period": f"2025-0{m}", "value": 10.0 + m} for m in range(1, count + 1)]
    review = review_kpis([ReviewKpi(kpi_id="sales.revenue", target=20, history=history)])[0]
    assert review.status == "insufficient_data" and review.points == count
    assert review.suggestion is None and review.limits is None and not review.forecast
    assert f"{count}" in review.message.en and "at least 6" in review.message.en
    assert "Chưa đủ dữ liệu" in review.message.vi
    answer = review_json(review, "vi")
    assert answer["status"] == "insufficient_data" and answer["message"].startswith("Chưa đủ")


def test_history_order_does_not_matter_and_gaps_are_flagged():
    values = [100, 104, 98, 101, 99, 103, 97, 102, 100, 99, 101]
    months = [m for m in range(1, 13) if m != 6]
    history = [{"period": f"2024-{m:02d}", "value": v} for m, v in zip(months, values,
                                                                          strict=True)]
    forwards = review_kpis([ReviewKpi(name="x", history=history)])[0]
    backwards = review_kpis([ReviewKpi(name="x", history=history[::-1])])[0]
    assert forwards.limits == backwards.limits and forwards.forecast == backwards.forecast
    assert forwards.missing_periods == ["2024-06"]
    assert "periods_missing" in [f.code for f in forwards.flags]


@pytest.mark.parametrize(("labels", "bad"), [
    (["2024-01", "2024-02", "2024-W03", "2024-04", "2024-05", "2024-06"], [2]),
    (["2024-01", "2024-02", "2024-02-15", "2024-04", "2024-05", "2024-06"], [2]),
    (["2024-01", "2024-13", "Q1", "2024-04", "2024-05", "2024-06"], [1, 2]),
])
def test_unreadable_periods_are_reported_with_their_place(labels, bad):
    history = [{"period": p, "value": 1.0} for p in labels]
    with pytest.raises(RowsRejectedError) as caught:
        review_kpis([ReviewKpi(name="ok", history=history[:6])] * 0 +
                    [ReviewKpi(name="x", history=history)])
    fields = [e["field"] for e in caught.value.errors_in("en")]
    assert fields == [f"kpis.0.history.{i}.period" for i in bad]
    assert all(e["fix"] and e["message"] for e in caught.value.errors_in("vi"))


@pytest.mark.parametrize(("low", "high", "commitment", "action"), [
    (80, 120, "committed", "keep"),
    (99, 101, "committed", "change_process"),
    (99, 101, "aspirational", "keep"),
])
def test_in_range_kpis_are_judged_by_how_the_process_fits_the_range(low, high, commitment,
                                                                     action):
    values = [100, 104, 98, 101, 99, 103, 97, 102, 100, 99, 101, 98]
    history = [{"period": f"2024-{m:02d}", "value": v} for m, v in enumerate(values, 1)]
    review = review_kpis([ReviewKpi(name="Budget", direction="in_range", target_low=low,
                                    target_high=high, commitment=commitment,
                                    history=history)])[0]
    assert review.suggestion.action == action
    assert 0 <= review.probability_of_target <= 1
    assert review.suggestion.committed_target is None


def test_catalog_kpis_take_direction_unit_and_both_names_from_the_catalog():
    history = read_series("shampoo_sales_monthly", 0, 24)
    kpis, names = with_catalog([ReviewKpi(kpi_id="sales.churn_rate", history=history)],
                               builtin_catalog())
    assert kpis[0].direction == "lower_is_better" and kpis[0].unit == "percent"
    review = review_kpis(kpis, names)[0]
    assert review.name.vi != review.name.en and review.direction == "lower_is_better"
    assert not re.search(r"{\w+}", review.suggestion.explanation.vi)


def _monthly(values: list[float]) -> list[dict]:
    return [{"period": f"{2024 + i // 12}-{i % 12 + 1:02d}", "value": v}
            for i, v in enumerate(values)]


def test_a_share_near_100_is_never_promised_more_than_100():
    rising = [93.0 + 0.5 * i for i in range(14)]  # 93% ... 99.5%, on-time in full
    kpis, names = with_catalog([ReviewKpi(kpi_id="sales.order_fulfilment_rate", target=97,
                                          commitment="aspirational", history=_monthly(rising))],
                               builtin_catalog())
    assert kpis[0].value_range.low == 0 and kpis[0].value_range.high == 100
    review = review_kpis(kpis, names)[0]
    levels = [review.suggestion.target, review.suggestion.committed_target,
              review.suggestion.stretch_target]
    assert max(level for level in levels if level is not None) <= 100
    assert all(p.upper <= 100 and p.value <= 100 for p in review.forecast)
    # The same history under a name the catalog does not know still takes the unit's range.
    custom = review_kpis([ReviewKpi(name="Giao đúng hạn", unit="percent", target=97,
                                    commitment="aspirational", history=_monthly(rising))])[0]
    assert custom.suggestion.stretch_target <= 100


def test_a_growth_rate_may_be_forecast_below_zero_but_not_below_minus_100():
    falling = [12.0 - 6 * i for i in range(14)]  # revenue growth from +12% down to -66%
    kpis, names = with_catalog([ReviewKpi(kpi_id="sales.revenue_growth_rate", target=5,
                                          history=_monthly(falling))], builtin_catalog())
    review = review_kpis(kpis, names)[0]
    assert min(p.value for p in review.forecast) < 0
    assert all(p.lower >= -100 for p in review.forecast)
    assert review.suggestion.committed_target >= -100


def test_a_natural_limit_past_100_percent_is_drawn_at_100():
    noisy = [99.5, 97.0, 99.8, 96.5, 99.9, 97.2, 99.6, 96.8, 99.7, 97.5, 99.4, 97.1]
    kpis, names = with_catalog([ReviewKpi(kpi_id="sales.order_fulfilment_rate", target=98,
                                          history=_monthly(noisy))], builtin_catalog())
    review = review_kpis(kpis, names)[0]
    assert review.chart and all(p.upper == 100 for p in review.chart)  # 98.3 + 2.66 x 2.7
    assert all(p.lower < p.centre < p.upper for p in review.chart)
