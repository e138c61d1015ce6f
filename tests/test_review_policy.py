"""The review's policy numbers live in review.yaml, and each one moves the review the right way:
a mutation of a number in the wrong direction makes one of these tests fail."""

import csv
from pathlib import Path

import pytest
import yaml

from advisor.review.analysis import review_kpis
from advisor.review.models import KpiReview, ReviewKpi
from rules.errors import RuleFileError
from rules.loader import parse_ruleset

BUILTIN = Path(__file__).parent.parent / "rules" / "data" / "review.yaml"
SERIES = Path(__file__).parent / "data" / "series"
STABLE = ("gasoline_weekly", 1209, 1247)


def read_series(name: str, first: int = 0, last: int | None = None) -> list[dict]:
    with (SERIES / f"{name}.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))[first:last]
    return [{"period": r["period"], "value": float(r["value"])} for r in rows]


def ruleset_with(**changes):
    """Return the built-in review rule set with policy numbers changed (dotted keys)."""
    document = yaml.safe_load(BUILTIN.read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        place = document["policy"]
        *parents, last = dotted.split("__")
        for key in parents:
            place = place[key]
        place[last] = value
    return parse_ruleset(yaml.safe_dump(document, allow_unicode=True), "review.yaml")


def review(history: list[dict], ruleset=None, **fields) -> KpiReview:
    return review_kpis([ReviewKpi(name="KPI", history=history, **fields)], ruleset=ruleset)[0]


@pytest.mark.parametrize("direction", ["higher_is_better", "lower_is_better"])
def test_a_higher_committed_probability_moves_the_committed_level_to_the_unfavourable_side(
        direction):
    history = read_series(*STABLE)
    builtin = review(history, direction=direction).suggestion
    surer = review(history, ruleset_with(committed_probability=0.9),
                   direction=direction).suggestion
    unfavourable = -1 if direction == "higher_is_better" else 1
    assert unfavourable * (surer.committed_target - builtin.committed_target) > 0
    assert surer.committed_probability >= 0.9 > builtin.committed_probability


def test_a_lower_stretch_probability_moves_the_stretch_level_to_the_favourable_side():
    history = read_series(*STABLE)
    builtin = review(history).suggestion
    harder = review(history, ruleset_with(stretch_probability=0.2)).suggestion
    assert harder.stretch_target > builtin.stretch_target
    assert harder.stretch_probability == pytest.approx(0.2, abs=0.01)


def test_the_committed_share_in_the_texts_is_the_policys():
    history = read_series(*STABLE)
    plain = review(history)
    easy = plain.natural_range_next.lower - 1.0
    text = review(history, ruleset_with(committed_probability=0.9),
                  target=easy).suggestion.explanation
    assert "about 90%" in text.en and "khoảng 90%" in text.vi


@pytest.mark.parametrize(("threshold", "provisional"), [(20, False), (30, True)])
def test_the_provisional_threshold_decides_which_limits_are_provisional(threshold, provisional):
    result = review(read_series(*STABLE), ruleset_with(provisional_below=threshold))
    assert len(result.limits.baseline_periods) == 24
    assert result.limits.provisional == provisional


def test_raising_the_minimum_number_of_points_refuses_a_shorter_history():
    history = read_series(*STABLE)[:7]
    assert review(history).status == "ok"
    refused = review(history, ruleset_with(min_points=8))
    assert refused.status == "insufficient_data" and "at least 8" in refused.message.en


def test_the_seasonal_threshold_decides_when_a_season_is_used():
    history = read_series("wine_sales_monthly", 100, 160)  # 60 months
    assert review(history).seasonal
    assert not review(history, ruleset_with(seasonal_min_points__monthly=72)).seasonal


def test_a_shorter_run_length_finds_a_shorter_run():
    # Seven values a little above the centre line of a steady history: a sustained shift (or a
    # run signal) only if runs of 7 count.
    base = [100, 104, 98, 101, 99, 103, 97, 102, 100, 99, 101, 98]
    values = base + [102, 103, 102, 103, 102, 103, 102]
    history = [{"period": f"{2023 + i // 12}-{i % 12 + 1:02d}", "value": v}
               for i, v in enumerate(values)]

    def found(result: KpiReview) -> bool:
        return ("run_of_8" in {s.rule for s in result.signals}
                or "baseline_after_shift" in [f.code for f in result.flags])

    assert not found(review(history))
    assert found(review(history, ruleset_with(run_length=7)))


def test_a_shorter_baseline_uses_fewer_values():
    result = review(read_series(*STABLE), ruleset_with(baseline_max=12))
    assert len(result.limits.baseline_periods) <= 12


def test_the_horizon_and_the_review_window_are_the_policys():
    history = read_series(*STABLE)
    assert len(review(history).forecast) == 13
    assert len(review(history, ruleset_with(horizon__weekly=4)).forecast) == 4
    # A spike four weeks ago is in a quarter's window (13 weeks), not in a two-week one.
    spiked = [*history[:-4], {**history[-4], "value": history[-4]["value"] + 3}, *history[-3:]]
    assert not any(s.recent for s in review(history).signals)
    assert any(s.recent for s in review(spiked).signals)
    assert not any(s.recent for s in review(spiked, ruleset_with(review_window__weekly=2)).signals)


def test_the_suggested_target_follows_the_policys_choice():
    history = read_series(*STABLE)
    easy = review(history).natural_range_next.lower - 1.0
    builtin = review(history, target=easy, commitment="aspirational").suggestion
    assert builtin.action == "raise" and builtin.target == builtin.stretch_target
    changed = review(history, ruleset_with(suggested_target__raise__aspirational="committed"),
                     target=easy, commitment="aspirational").suggestion
    assert changed.target == changed.committed_target


@pytest.mark.parametrize(("changes", "field"), [
    ({"stretch_probability": 0.85}, "policy"),
    ({"committed_probability": 0.45, "stretch_probability": 0.3}, "policy"),
    ({"seasonal_min_points__monthly": 12}, "policy"),
    ({"min_points": 2}, "policy.min_points"),
    ({"suggested_target__keep__committed": "double"}, "policy.suggested_target.keep.committed"),
])
def test_a_policy_that_makes_no_sense_is_refused_at_load_time(changes, field):
    with pytest.raises(RuleFileError) as caught:
        ruleset_with(**changes)
    assert f"review.yaml: {field}" in str(caught.value)


def test_no_policy_number_is_left_in_the_review_code():
    import advisor.review.analysis as analysis
    import advisor.review.xmr as xmr

    for name in ("MIN_POINTS", "COMMITTED_P", "STRETCH_P", "HORIZON", "REVIEW_WINDOW",
                 "SEASON_LENGTH"):
        assert not hasattr(analysis, name), name
    for name in ("MIN_BASELINE", "MAX_BASELINE", "RUN_LENGTH"):
        assert not hasattr(xmr, name), name
