"""The review read as Wheeler and PuMP would: seasons, shifts, exclusions, provisional limits
and committed levels, on real series (tests/data/series/SOURCES.md), targets placed by method."""

import csv
import re
from pathlib import Path

import pytest

from advisor.review.analysis import review_kpis
from advisor.review.errors import RowsRejectedError
from advisor.review.models import KpiReview, ReviewKpi
from advisor.review.view import review_json, signals_text

SERIES = Path(__file__).parent / "data" / "series"
FAMILY = {"raise": "easy", "keep": "keep", "lower": "hard", "change_process": "hard"}


def read_series(name: str, first: int = 0, last: int | None = None) -> list[dict]:
    with (SERIES / f"{name}.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))[first:last]
    return [{"period": r["period"], "value": float(r["value"])} for r in rows]


def review(history: list[dict], **fields) -> KpiReview:
    return review_kpis([ReviewKpi(name=fields.pop("name", "KPI"), history=history,
                                  **fields)])[0]


def sigma(result: KpiReview) -> float:
    natural = result.natural_range_next
    return (natural.upper - natural.lower) / 6


# --- Seasonal KPIs are judged on their season-adjusted level ----------------------------------


def test_one_more_month_does_not_flip_the_issues_monthly_revenue():
    # The issue's case: Australian wine sales as a monthly revenue with a 40,000 target, once
    # with data to November and once to December (the seasonal peak).
    november = review(read_series("wine_sales_monthly", 0, 83), target=40000)
    december = review(read_series("wine_sales_monthly", 0, 84), target=40000)
    assert november.chart[-1].period == "1986-11" and december.chart[-1].period == "1986-12"
    assert november.seasonal and december.seasonal
    assert november.suggestion.action == december.suggestion.action == "lower"
    # The levels move with one more month of data, not with the season of the next month.
    assert december.suggestion.committed_target == pytest.approx(
        november.suggestion.committed_target, rel=0.05)
    assert "seasonal_level" in [f.code for f in december.flags]


@pytest.mark.parametrize(("name", "first", "start"), [
    ("wine_sales_monthly", 0, 72), ("wine_sales_monthly", 60, 120),
    ("uk_drivers_ksi_monthly", 60, 110),
])
def test_a_seasonal_kpis_advice_holds_month_after_month_unless_a_signal_arrives(name, first,
                                                                                start):
    plain = review(read_series(name, first, start))
    assert plain.seasonal
    natural, width = plain.natural_range_next, plain.natural_range_next.upper - \
        plain.natural_range_next.lower
    # Targets placed by the method: met without effort, comfortably inside, far beyond.
    placed = {"below": natural.lower - 0.25 * width, "inside": natural.centre - sigma(plain),
              "far_above": natural.upper + 1.5 * width}
    for where, target in placed.items():
        families = set()
        for end in range(start, start + 12):
            result = review(read_series(name, first, end), target=target)
            if not any(s.recent for s in result.signals):
                families.add(FAMILY[result.suggestion.action])
        assert len(families) == 1, (where, families)


def test_texts_about_attainment_count_what_happened():
    history = read_series("wine_sales_monthly", 100, 160)
    plain = review(history)
    target = plain.natural_range_next.lower - 0.25 * sigma(plain) * 6
    result = review([{**p, "target": target} for p in history], target=target)
    assert result.suggestion.rule == "target_always_met"
    met, of = result.attainment.periods_met, result.attainment.periods_with_target
    assert f"met in {met} of {of} periods so far" in result.suggestion.explanation.en
    assert f"đã đạt {met}/{of} kỳ" in result.suggestion.explanation.vi
    assert "almost every period" not in result.suggestion.explanation.en


# --- Shifts are found in the values before any model ------------------------------------------


def test_the_seat_belt_law_is_a_signal_with_four_months_of_post_law_data():
    # UK car drivers killed or seriously injured; the law took effect on 31 January 1983.
    before = review(read_series("uk_drivers_ksi_monthly", 0, 169), direction="lower_is_better")
    assert before.chart[-1].period == "1983-01"
    assert not any(s.recent for s in before.signals)
    committed = before.suggestion.committed_target
    after = review(read_series("uk_drivers_ksi_monthly", 0, 173), direction="lower_is_better",
                   target=committed)
    assert after.chart[-1].period == "1983-05"
    recent = [s for s in after.signals if s.recent]
    assert recent and all(s.side == "below" for s in recent)
    assert {"1983-02", "1983-03"} & {p for s in recent for p in s.periods}
    assert after.suggestion.action == "investigate"
    # Read as a plain forecast, the model would follow the drop; the chart must not.
    assert after.natural_range_next.lower > min(p["value"] for p in read_series(
        "uk_drivers_ksi_monthly", 169, 173))


@pytest.mark.parametrize(("name", "first", "last"), [
    ("wine_sales_monthly", 100, 160), ("uk_drivers_ksi_monthly", 120, 168),
    ("gasoline_weekly", 1092, 1130),
])
def test_a_planted_drop_of_a_fifth_is_found_within_six_periods(name, first, last):
    history = read_series(name, first, last)
    found_at = None
    for k in range(1, 7):
        planted = history + [{**p, "value": 0.8 * p["value"]}
                             for p in read_series(name, last, last + k)]
        if any(s.recent and s.side == "below" for s in review(planted).signals):
            found_at = k
            break
    assert found_at is not None and found_at <= 6
    assert not any(s.recent for s in review(history).signals)


def test_after_a_lasting_shift_the_limits_come_from_the_new_level_and_say_so():
    history = read_series("wine_sales_monthly", 100, 160)
    planted = [{**p, "value": 0.8 * p["value"]} if i >= 46 else p
               for i, p in enumerate(history)]
    result = review(planted)
    assert "baseline_after_shift" in [f.code for f in result.flags]
    first = result.limits.baseline_periods[0]
    assert first >= planted[44]["period"]  # the shift may open a period early, no earlier
    assert result.limits.provisional and len(result.limits.baseline_periods) < 20
    assert "provisional_limits" in [f.code for f in result.flags]
    texts = [result.basis_note.en] + [f.message.en for f in result.flags]
    assert any("provisional" in t for t in texts)
    assert any("tạm thời" in t for t in [result.basis_note.vi] + [f.message.vi
                                                                  for f in result.flags])
    # The new centre line sits at the new level (about 80% of the old one, season-adjusted).
    old = review(history).natural_range_next.centre
    assert result.natural_range_next.centre == pytest.approx(0.8 * old, rel=0.06)


@pytest.mark.parametrize(("name", "first", "last"), [
    ("wine_sales_monthly", 0, None), ("wine_sales_monthly", 0, 48),
    ("wine_sales_monthly", 100, 160),
    ("shampoo_sales_monthly", 0, 36), ("a10_monthly", 0, None), ("a10_monthly", 0, 60),
    ("gasoline_weekly", 0, 260), ("gasoline_weekly", 1000, None),
])
def test_shifted_for_good_is_said_only_where_a_lasting_shift_was_found(name, first, last):
    # Trends and seasons of these real series are not shifts (the issue found the words on 7 of
    # 9 real series); the UK series below has two documented ones (1974, 1983).
    result = review(read_series(name, first, last))
    assert "baseline_after_shift" not in [f.code for f in result.flags]
    assert not any("shifted for good" in f.message.en for f in result.flags)


def test_a_documented_lasting_shift_is_named():
    result = review(read_series("uk_drivers_ksi_monthly", 0, 168))
    assert "baseline_after_shift" in [f.code for f in result.flags]


# --- Excluded periods -------------------------------------------------------------------------


def _strike(history: list[dict], weeks: range, exclude: bool = True) -> list[dict]:
    return [{**p, "value": 0.0, "exclude": exclude, "note": "đình công"} if i in weeks else p
            for i, p in enumerate(history)]


@pytest.mark.parametrize("weeks", [range(30, 37), range(38, 45)], ids=["middle", "latest"])
def test_a_seven_week_strike_marked_excluded_leaves_the_limits_untouched(weeks):
    history = read_series("gasoline_weekly", 1209, 1254)
    untouched = review([p for i, p in enumerate(history) if i not in weeks])
    result = review(_strike(history, weeks), target=8.9)
    assert result.limits.centre == pytest.approx(untouched.limits.centre)
    assert (result.limits.lower, result.limits.upper) == (
        pytest.approx(untouched.limits.lower), pytest.approx(untouched.limits.upper))
    assert result.points == len(history) - 7
    assert [c.excluded for c in result.chart] == [i in weeks for i in range(len(history))]
    assert all(c.note == "đình công" for c in result.chart if c.excluded)
    assert not any(c.signal for c in result.chart if c.excluded)
    codes = [f.code for f in result.flags]
    assert "periods_excluded" in codes and "baseline_after_shift" not in codes
    assert result.limits.baseline_periods == untouched.limits.baseline_periods
    committed = result.suggestion.committed_target
    assert result.natural_range_next.lower < committed < result.natural_range_next.centre
    # Without the mark the strike becomes the baseline or a shift: the test can fail.
    marked_not = review(_strike(history, weeks, exclude=False), target=8.9)
    assert marked_not.limits.baseline_periods != untouched.limits.baseline_periods or any(
        s.recent for s in marked_not.signals)
    answer = review_json(result, "en")
    assert [p["excluded"] for p in answer["chart"]].count(True) == 7


def test_excluded_periods_can_be_listed_apart_from_the_values():
    history = read_series("gasoline_weekly", 1209, 1254)
    weeks = [history[i]["period"] for i in range(30, 37)]
    listed = review(_strike(history, range(30, 37), exclude=False), excluded_periods=weeks)
    marked = review(_strike(history, range(30, 37)))
    assert listed.limits == marked.limits


@pytest.mark.parametrize(("excluded", "field", "words"), [
    (["2030-W01"], "kpis.0.excluded_periods.0", "not a period of the history"),
    (["2014-W20", "2014-W20"], "kpis.0.excluded_periods.1", "excluded twice"),
    (["2014-W99"], "kpis.0.excluded_periods.0", "2014-W99"),
])
def test_an_excluded_period_outside_the_history_is_refused_naming_the_field(excluded, field,
                                                                            words):
    history = read_series("gasoline_weekly", 1209, 1254)
    with pytest.raises(RowsRejectedError) as caught:
        review(history, excluded_periods=excluded)
    errors = caught.value.errors_in("en")
    assert [e["field"] for e in errors] == [field]
    assert words in errors[0]["message"] and errors[0]["fix"]
    assert caught.value.errors_in("vi")[0]["message"] != errors[0]["message"]


def test_the_api_refuses_an_excluded_period_outside_the_history_with_422(client):
    history = read_series("gasoline_weekly", 1209, 1254)
    body = {"lang": "en", "kpis": [{"name": "Fuel", "history": history,
                                    "excluded_periods": ["2030-W01"]}]}
    answer = client.post("/api/v1/reviews", json=body)
    assert answer.status_code == 422
    assert answer.content_type.startswith("application/problem+json")
    assert "kpis.0.excluded_periods.0" in [e["field"] for e in answer.get_json()["errors"]]
    marked = [{**p, "exclude": i == 3, "note": "outage" if i == 3 else None}
              for i, p in enumerate(history)]
    ok = client.post("/api/v1/reviews", json={"lang": "en", "kpis": [
        {"name": "Fuel", "history": marked}]})
    assert ok.status_code == 200
    kpi = ok.get_json()["kpis"][0]
    assert kpi["chart"][3]["excluded"] is True and kpi["chart"][3]["note"] == "outage"
    assert {"provisional", "baseline_periods"} <= set(kpi["limits"])


def test_too_few_periods_left_after_exclusion_gives_no_guess():
    history = read_series("shampoo_sales_monthly", 0, 8)
    result = review([{**p, "exclude": i < 3} for i, p in enumerate(history)])
    assert result.status == "insufficient_data" and result.points == 5
    assert "3 excluded periods" in result.message.en and "3 kỳ bị loại trừ" in result.message.vi


# --- Provisional limits -----------------------------------------------------------------------


@pytest.mark.parametrize(("last", "provisional"), [(7, True), (12, True), (19, True),
                                                   (20, False), (30, False)])
def test_limits_from_a_short_baseline_are_provisional(last, provisional):
    result = review(read_series("gasoline_weekly", 1209, 1209 + last))
    used = result.limits.baseline_periods
    assert result.limits.provisional == (len(used) < 20) == provisional
    assert ("provisional_limits" in [f.code for f in result.flags]) == provisional
    assert used == [c.period for c in result.chart
                    if result.chart.index(c) >= len(result.chart) - len(used)]


# --- Committed and stretch levels agree with the chart ----------------------------------------

STABLE_WINDOWS = [("wine_sales_monthly", 100, 160), ("gasoline_weekly", 1144, 1174),
                  ("uk_drivers_ksi_monthly", 120, 168), ("shampoo_sales_monthly", 0, 18)]


@pytest.mark.parametrize("window", STABLE_WINDOWS, ids=lambda w: f"{w[0]}[{w[1]}:{w[2]}]")
@pytest.mark.parametrize("direction", ["higher_is_better", "lower_is_better"])
def test_for_a_stable_process_the_committed_level_lies_between_the_limit_and_the_centre(
        window, direction):
    plain = review(read_series(*window), direction=direction)
    assert plain.basis in ("values", "season_adjusted") and not plain.trend
    natural, s = plain.natural_range_next, plain.suggestion
    if direction == "higher_is_better":
        assert natural.lower < s.committed_target < natural.centre < s.stretch_target
    else:
        assert natural.upper > s.committed_target > natural.centre > s.stretch_target
    # A target at the centre line is promised about half the time, as the chart says.
    at_centre = review(read_series(*window), direction=direction, target=natural.centre)
    assert at_centre.probability_of_target == pytest.approx(0.5, abs=0.02)


# --- In-range KPIs ----------------------------------------------------------------------------


@pytest.mark.parametrize(("half_width", "action"), [(2.0, "keep"), (0.4, "change_process")])
def test_an_in_range_kpi_likely_to_stay_in_range_is_kept(half_width, action):
    history = read_series("gasoline_weekly", 1144, 1174)
    plain = review(history)
    centre, spread = plain.natural_range_next.centre, sigma(plain)
    result = review(history, direction="in_range", target_low=centre - half_width * spread,
                    target_high=centre + half_width * spread)
    assert result.suggestion.action == action
    if action == "keep":
        assert 0.8 <= result.probability_of_target < 0.99  # partly outside, held ~ 9 in 10


# --- What people read -------------------------------------------------------------------------

CODES = re.compile(r"run_of_8|beyond_limit|three_of_four|range_beyond_url|"
                   r"\b[a-z]+_[a-z_]+\b")


def test_no_rule_code_reaches_a_text_a_person_reads():
    cases = [review(read_series("uk_drivers_ksi_monthly", 0, 173), target=1500,
                    direction="lower_is_better"),
             review(read_series("wine_sales_monthly", 0, 84), target=40000),
             review(_strike(read_series("gasoline_weekly", 1209, 1254), range(30, 37)),
                    target=9.0)]
    for result in cases:
        for lang in ("vi", "en"):
            texts = [result.suggestion.explanation.pick(lang), result.basis_note.pick(lang),
                     signals_text(result, lang), *[f.message.pick(lang) for f in result.flags]]
            assert not [t for t in texts if CODES.search(t)], lang
            answer = review_json(result, lang)
            assert {s["rule"] for s in answer["signals"]} <= {
                "beyond_limit", "three_of_four", "run_of_8", "range_beyond_url"}
    runs = review(read_series("uk_drivers_ksi_monthly", 36, 72))
    assert "run_of_8" in {s.rule for s in runs.signals}
    assert "8 points in a row on one side" in signals_text(runs, "en")
    assert "8 điểm liền cùng một phía" in signals_text(runs, "vi")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_terminal_text_names_signals_and_suggestions_without_codes(lang):
    from advisor.review.view import action_name, review_text

    result = review(read_series("uk_drivers_ksi_monthly", 0, 173), target=1500,
                    direction="lower_is_better")
    text = review_text(result, lang)
    assert action_name("investigate", lang) in text
    assert "investigate" not in text.replace(action_name("investigate", lang), "") or lang == "en"
    assert not CODES.search(text) and result.suggestion.rule not in text
    assert signals_text(result, lang).split(":")[0] in text


def test_the_report_row_says_when_the_limits_are_provisional():
    # The explanation column: the comment and the targets set by this review follow it.
    from advisor.review.report import PlanKpiReview, report_row

    short = review(read_series("gasoline_weekly", 1209, 1221), target=9.0)
    assert short.limits.provisional
    for lang, word in (("en", "provisional"), ("vi", "tạm thời")):
        assert word in report_row(PlanKpiReview(plan_kpi_id=1, position=0, review=short),
                                  lang)[-3]
    firm = review(read_series("gasoline_weekly", 1209, 1247), target=9.0)
    assert "provisional" not in report_row(PlanKpiReview(1, 0, firm), "en")[-3]
