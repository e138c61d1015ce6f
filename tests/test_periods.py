"""Period labels: parsing, inference of the frequency, ordering, gaps and stepping forward."""

import pytest

from advisor.review.errors import PeriodError
from advisor.review.periods import (
    Period,
    infer_frequency,
    missing_periods,
    next_periods,
    parse_period,
    parse_periods,
)


@pytest.mark.parametrize(
    ("label", "frequency", "expected_frequency", "expected_label"),
    [
        ("2025-03", None, "monthly", "2025-03"),
        (" 2025-03 ", None, "monthly", "2025-03"),
        ("2025-Q1", None, "quarterly", "2025-Q1"),
        ("2025-q4", None, "quarterly", "2025-Q4"),
        ("2025-W07", None, "weekly", "2025-W07"),
        ("2020-W53", None, "weekly", "2020-W53"),
        ("2025-03-15", None, "daily", "2025-03-15"),
        ("2024-02-29", None, "daily", "2024-02-29"),
        # A date stands for the period of the stated frequency that contains it.
        ("2025-03-15", "monthly", "monthly", "2025-03"),
        ("2025-03-15", "quarterly", "quarterly", "2025-Q1"),
        ("2025-03-15", "weekly", "weekly", "2025-W11"),
        # 30 December 2024 is the Monday of ISO week 1 of 2025.
        ("2024-12-30", "weekly", "weekly", "2025-W01"),
        ("2025-03", "monthly", "monthly", "2025-03"),
    ],
)
def test_parse_good_labels(label, frequency, expected_frequency, expected_label):
    period = parse_period(label, frequency)
    assert period.frequency == expected_frequency
    assert period.label == expected_label


@pytest.mark.parametrize(
    ("label", "frequency", "fragment"),
    [
        ("2025-13", None, "month must be 01 to 12"),
        ("2025-00", None, "month must be 01 to 12"),
        ("2025-Q5", None, "quarter must be Q1 to Q4"),
        ("2025-Q0", None, "quarter must be Q1 to Q4"),
        ("2025-W54", None, "has no ISO week 54"),
        ("2025-W00", None, "has no ISO week 00"),
        ("2021-W53", None, "has no ISO week 53"),
        ("2025-02-30", None, "not a real calendar date"),
        ("garbage", None, "not a period label"),
        ("", None, "not a period label"),
        ("2025-3", None, "not a period label"),
        ("25-03", None, "not a period label"),
        ("2025-Q1", "monthly", "is a quarterly period, not a monthly one"),
        ("2025-03", "fortnightly", "unknown frequency"),
    ],
)
def test_parse_bad_labels(label, frequency, fragment):
    with pytest.raises(PeriodError) as caught:
        parse_period(label, frequency)
    assert caught.value.label == label
    assert fragment in caught.value.message["en"]
    assert caught.value.message["vi"]


def test_ordinals_count_periods_across_year_ends():
    assert parse_period("2025-01").ordinal - parse_period("2024-12").ordinal == 1
    assert parse_period("2025-Q1").ordinal - parse_period("2024-Q4").ordinal == 1
    assert parse_period("2021-W01").ordinal - parse_period("2020-W53").ordinal == 1
    assert parse_period("2024-03-01").ordinal - parse_period("2024-02-28").ordinal == 2


def test_periods_sort_by_ordinal():
    labels = ["2025-03", "2024-11", "2025-01"]
    assert [p.label for p in sorted(parse_period(x) for x in labels)] == [
        "2024-11",
        "2025-01",
        "2025-03",
    ]


@pytest.mark.parametrize(
    ("label", "n", "expected"),
    [
        ("2025-11", 3, ["2025-12", "2026-01", "2026-02"]),
        ("2025-Q4", 2, ["2026-Q1", "2026-Q2"]),
        ("2020-W52", 2, ["2020-W53", "2021-W01"]),
        ("2024-02-28", 2, ["2024-02-29", "2024-03-01"]),
        ("2025-03", 0, []),
    ],
)
def test_next_periods(label, n, expected):
    assert [p.label for p in next_periods(parse_period(label), n)] == expected


def test_next_periods_refuses_negative_count():
    with pytest.raises(ValueError):
        next_periods(parse_period("2025-03"), -1)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["2025-01", "2025-02"], "monthly"),
        (["2025-Q1", "2025-Q2"], "quarterly"),
        (["2025-W01", "2025-W02"], "weekly"),
        # Dates mix with labels of one frequency: each date is the period containing it.
        (["2025-01", "2025-02-15", "2025-03"], "monthly"),
        # Dates alone are judged by their typical spacing.
        (["2025-03-01", "2025-03-02", "2025-03-03"], "daily"),
        (["2025-03-03", "2025-03-10", "2025-03-17"], "weekly"),
        (["2025-01-31", "2025-02-28", "2025-03-31"], "monthly"),
        (["2025-03-31", "2025-06-30", "2025-09-30"], "quarterly"),
        (["2025-03-15"], "daily"),
    ],
)
def test_infer_frequency(labels, expected):
    assert infer_frequency(labels) == expected


@pytest.mark.parametrize(
    ("labels", "bad_label", "fragment"),
    [
        (["2025-01", "2025-Q1"], "2025-Q1", "mixed frequencies"),
        (["2025-W01", "2025-02", "2025-03"], "2025-02", "mixed frequencies"),
        (["2025-01", "2025-13"], "2025-13", "month must be 01 to 12"),
        (["2020-01-01", "2021-01-01", "2022-01-01"], "2020-01-01", "sparser than quarterly"),
        ([], "", "no period labels"),
    ],
)
def test_infer_frequency_errors(labels, bad_label, fragment):
    with pytest.raises(PeriodError) as caught:
        infer_frequency(labels)
    assert caught.value.label == bad_label
    assert fragment in caught.value.message["en"]


def test_mixed_error_names_both_labels_in_both_languages():
    with pytest.raises(PeriodError) as caught:
        infer_frequency(["2025-01", "2025-Q1"])
    for text in caught.value.message.values():
        assert "'2025-01'" in text
        assert "'2025-Q1'" in text


def test_parse_periods_keeps_order_and_maps_dates():
    periods = parse_periods(["2025-01", "2025-02-10", "2025-03"])
    assert [p.label for p in periods] == ["2025-01", "2025-02", "2025-03"]


def test_parse_periods_refuses_two_labels_for_one_period():
    with pytest.raises(PeriodError) as caught:
        parse_periods(["2025-03-01", "2025-03-15"], "monthly")
    assert caught.value.label == "2025-03-15"
    assert "same period 2025-03" in caught.value.message["en"]


def test_missing_periods_finds_gaps():
    periods = parse_periods(["2024-11", "2025-02", "2024-12"])
    assert [p.label for p in missing_periods(periods)] == ["2025-01"]
    assert missing_periods([]) == []


def test_period_is_frozen_and_compares_without_label():
    period = parse_period("2025-03")
    assert period == Period("monthly", period.ordinal, "anything")
    with pytest.raises(AttributeError):
        period.ordinal = 0  # type: ignore[misc]


def test_missing_periods_refuses_mixed_frequencies():
    with pytest.raises(PeriodError) as caught:
        missing_periods([parse_period("2025-01"), parse_period("2025-Q1")])
    assert "mixed frequencies" in caught.value.message["en"]
