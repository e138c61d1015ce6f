"""Numbers, money, ranges and dates as each language writes them (the issue's examples first)."""

import datetime as dt

import pytest

from advisor.formatting import (
    count_text,
    date_text,
    datetime_text,
    money_text,
    number_text,
    percent_text,
    period_text,
    range_text,
    share_text,
    value_text,
)


@pytest.mark.parametrize(("call", "vi", "en"), [
    # "Điểm OKR 0.0": a score reads in the language's style, with no empty decimals.
    (lambda lang: number_text(0.0, lang, 2), "0", "0"),
    (lambda lang: number_text(0.7, lang, 2), "0,7", "0.7"),
    # Money with false precision in a range: whole đồng, in millions where a range is read.
    (lambda lang: range_text(7_101_763.84, 31_682_270.09, lang, "currency"),
     "7,1–31,7 triệu", "7.1–31.7 million"),
    (lambda lang: range_text(850_000_000, 2_400_000_000, lang, "currency"),
     "850 triệu–2,4 tỷ", "850 million–2.4 billion"),
    (lambda lang: money_text(7_101_763.84, lang), "7.101.764", "7,101,764"),
    # Counts never get decimals.
    (lambda lang: range_text(6.36, 10.07, lang, "count"), "6–10", "6–10"),
    (lambda lang: count_text(1234.4, lang), "1.234", "1,234"),
    # A benchmark range whose ends are equal is one number.
    (lambda lang: range_text(0.25, 0.25, lang, "ratio"), "0,25", "0.25"),
    (lambda lang: range_text(12, 18, lang, "percent", 1), "12–18%", "12–18%"),
    (lambda lang: number_text(1234567.891, lang, 2), "1.234.567,89", "1,234,567.89"),
    (lambda lang: number_text(-0.0001, lang, 2), "0", "0"),
    (lambda lang: number_text(None, lang, 2), "–", "–"),
    (lambda lang: number_text(float("nan"), lang, 2), "–", "–"),
    (lambda lang: number_text(1e300, lang, 2), "1E300", "1E300"),
    (lambda lang: percent_text(45.55, lang), "45,6%", "45.6%"),
    (lambda lang: share_text(0.456, lang), "46%", "46%"),
    (lambda lang: value_text(12.5, "percent", lang), "12,5%", "12.5%"),
    (lambda lang: value_text(97.0, "count", lang), "97", "97"),
    # ISO dates in messages and reports: dd/mm/yyyy in Vietnamese, the en locale's medium form.
    (lambda lang: date_text(dt.date(2026, 6, 30), lang), "30/06/2026", "Jun 30, 2026"),
    (lambda lang: date_text("2026-01-05T10:00:00", lang), "05/01/2026", "Jan 5, 2026"),
    (lambda lang: datetime_text("2026-06-30T14:05:09", lang), "30/06/2026 14:05",
     "Jun 30, 2026, 2:05\u202fPM"),
    # A day's period reads as a date; months, quarters and weeks keep the notation imports read.
    (lambda lang: period_text("2026-06-30", lang), "30/06/2026", "Jun 30, 2026"),
    (lambda lang: period_text("2026-06", lang), "2026-06", "2026-06"),
    (lambda lang: period_text("2026-Q2", lang), "2026-Q2", "2026-Q2"),
    # The largest value a plan may hold is still written in full; beyond it, digits stop.
    (lambda lang: number_text(1e15, lang, 2), "1.000.000.000.000.000", "1,000,000,000,000,000"),
])
def test_each_language_writes_it_its_own_way(call, vi, en):
    assert call("vi") == vi
    assert call("en") == en
