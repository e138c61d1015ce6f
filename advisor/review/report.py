"""A plan's quarterly review: its KPIs reviewed from stored measurements, as a report and exports.

The review of a quarter uses the measurements of periods that start on or before the quarter's
last day, so a past quarter's review reads the same later. CSV and XLSX exports go through
`advisor/exports.py`, which keeps Vietnamese intact and neutralises formula injection.
"""

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

import sqlite_utils

from advisor.exports import to_csv, to_xlsx
from advisor.formatting import date_text, datetime_text, number_text, range_text, value_text
from advisor.i18n import N_, MessageId, both, gettext
from advisor.plan_models import PlanKpi
from advisor.plans import PlanRecord, get_plan
from advisor.review.analysis import review_kpis
from advisor.review.errors import PeriodError, ReviewError, RowsRejectedError
from advisor.review.measurements import plan_measurements, review_state, stored_measurements
from advisor.review.models import MAX_POINTS, Flag, HistoryPoint, KpiReview, ReviewKpi, Text
from advisor.review.periods import FIRST_YEAR, LAST_YEAR, Period, is_frequency, parse_period
from advisor.review.policy import review_policy
from advisor.review.targets import TargetChange, target_changes
from advisor.review.view import ACTION_NAMES, review_decimals, signals_text
from advisor.values import MAX_MAGNITUDE, is_usable_number
from catalog.labels import label
from catalog.loader import Catalog
from catalog.models import ValueRange, value_bounds

log = logging.getLogger(__name__)
QUARTER = re.compile(r"(\d{4})-Q([1-4])", re.ASCII)
MAX_NAMED = 10

COMMITMENT_NAMES: dict[str, MessageId] = {
    "committed": N_("review.commitment.committed"),
    "aspirational": N_("review.commitment.aspirational"),
}
REPORT_COLUMNS: tuple[MessageId, ...] = (
    N_("review.column.kpi"), N_("review.column.unit"), N_("review.column.direction"),
    N_("review.column.commitment"), N_("review.column.target"), N_("review.column.periods"),
    N_("review.column.latest_period"), N_("review.column.latest_value"),
    N_("review.column.centre_next"), N_("review.column.lower_next"),
    N_("review.column.upper_next"), N_("review.column.signals"),
    N_("review.column.chance_next"), N_("review.column.share_on_target"),
    N_("review.column.suggestion"), N_("review.column.suggested_target"),
    N_("review.column.committed_level"), N_("review.column.stretch_level"),
    N_("review.column.explanation"), N_("review.column.comment"),
    N_("review.column.target_change"),
)
MEASUREMENT_COLUMNS: tuple[MessageId, ...] = (
    N_("review.measurement.kpi"), N_("review.measurement.period"),
    N_("review.measurement.value"), N_("review.measurement.target"),
    N_("review.measurement.note"), N_("review.measurement.exclude"),
    N_("review.measurement.source"),
    N_("review.measurement.recorded_at"), N_("review.measurement.recorded_by"),
    N_("review.measurement.replaced_at"),
)
LEVEL_NAMES: dict[str, MessageId] = {"committed": N_("review.apply.level.committed"),
                                     "stretch": N_("review.apply.level.stretch")}
SOURCES: dict[str, MessageId] = {"form": N_("review.source.form"), "api": N_("review.source.api"),
                                 "review": N_("review.source.review")}


@dataclass
class PlanKpiReview:
    """One plan KPI in a quarterly review: its row id, the analysis and the team's comment."""

    plan_kpi_id: int
    position: int
    review: KpiReview
    comment: str = ""
    target_changes: list[TargetChange] = field(default_factory=list)


@dataclass
class PlanReview:
    """A plan's review of one quarter: the KPIs, the quarters on record and the review state."""

    plan_id: int
    org_name: str | None
    quarter: str | None
    quarters: list[str]
    status: str
    done_at: str | None
    kpis: list[PlanKpiReview] = field(default_factory=list)

    def missing_comments(self) -> list[int]:
        """Return the plan KPI ids whose comment is required but empty."""
        return [k.plan_kpi_id for k in self.kpis
                if k.review.comment_required and not k.comment.strip()]


# --- Quarters --------------------------------------------------------------------------------


def period_start(period: Period) -> dt.date:
    """Return the first day of a period."""
    if period.frequency == "monthly":
        year, month0 = divmod(period.ordinal, 12)
        return dt.date(year, month0 + 1, 1)
    if period.frequency == "quarterly":
        year, quarter0 = divmod(period.ordinal, 4)
        return dt.date(year, 3 * quarter0 + 1, 1)
    if period.frequency == "weekly":
        return dt.date.fromordinal(period.ordinal * 7 + 1)
    return dt.date.fromordinal(period.ordinal)


def quarter_of(label_text: str) -> str:
    """Return the quarter (2025-Q1) in which the period named by a stored label starts."""
    start = period_start(parse_period(label_text))
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def quarter_end(quarter: str) -> dt.date:
    """Return the last day of a quarter label such as 2025-Q1."""
    match = QUARTER.fullmatch(quarter)
    if match is None or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise RowsRejectedError([{"field": "quarter", "message": both("review.quarter.invalid"),
                                  "fix": both("review.quarter.fix", first=FIRST_YEAR,
                                              last=LAST_YEAR)}])
    year, quarter_no = int(match[1]), int(match[2])
    if quarter_no == 4:
        return dt.date(year, 12, 31)
    return dt.date(year, 3 * quarter_no + 1, 1) - dt.timedelta(days=1)


# --- Plan KPIs as review inputs ----------------------------------------------------------------


def kpi_name(kpi: PlanKpi, position: int, catalog: Catalog) -> Text:
    """Return a plan KPI's name in both languages (its own name, else the catalog's)."""
    if kpi.name:
        return Text(vi=kpi.name, en=kpi.name)
    entry = catalog.get(kpi.kpi_id) if kpi.kpi_id else None
    if entry is not None:
        return Text(vi=entry.name.vi, en=entry.name.en)
    if kpi.kpi_id:
        return Text(vi=kpi.kpi_id, en=kpi.kpi_id)
    return Text(**both("review.kpi_number", number=position + 1))


def review_input(kpi: PlanKpi, rows: list[dict], catalog: Catalog) -> ReviewKpi:
    """Return what the analysis needs of a plan KPI and its stored measurements."""
    entry = catalog.get(kpi.kpi_id) if kpi.kpi_id else None
    direction = kpi.direction or (entry.direction if entry else "higher_is_better")
    unit = kpi.unit or (entry.unit if entry else None)
    low, high = value_bounds(unit, entry)
    ranged = direction == "in_range" and kpi.target_low is not None and kpi.target_high is not None
    return ReviewKpi(
        kpi_id=kpi.kpi_id, name=kpi.name or (entry.name.en if entry else None) or kpi.kpi_id,
        direction=direction, unit=unit, value_range=ValueRange(low=low, high=high),
        frequency=kpi.frequency if is_frequency(kpi.frequency) else None,
        target=None if direction == "in_range" else kpi.target,
        target_low=kpi.target_low if ranged else None,
        target_high=kpi.target_high if ranged else None,
        baseline=kpi.baseline, commitment=kpi.commitment or "committed",
        history=[HistoryPoint(period=r["period"], value=r["value"], target=r["target"],
                              exclude=bool(r["exclude"]),
                              note=(r["note"] or "").strip()[:500] or None)
                 for r in rows[-MAX_POINTS:]],
    )


def plan_review(db: sqlite_utils.Database, plan_id: int, catalog: Catalog,
                quarter: str | None = None) -> PlanReview:
    """Return the review of the plan's quarter (the latest with measurements by default).

    A stored value that cannot be used (written before values were checked: not finite, beyond
    ±MAX_MAGNITUDE, a period outside FIRST_YEAR-LAST_YEAR) is left out of its KPI's review with
    a flag naming it; a KPI whose review still fails is reported as unusable on its own. Either
    way the other KPIs are reviewed as usual.
    """
    record = get_plan(db, plan_id)
    usable, set_aside = _sorted_rows(stored_measurements(db, plan_id),
                                     len(record.plan.kpis))
    quarters = sorted({quarter_of(r["period"]) for own in usable for r in own}, reverse=True)
    quarter = quarter or (quarters[0] if quarters else None)
    last_day = quarter_end(quarter) if quarter else None
    inputs, names = [], []
    for position, kpi in enumerate(record.plan.kpis):
        own = [r for r in usable[position]
               if last_day is None or period_start(parse_period(r["period"])) <= last_day]
        inputs.append(review_input(kpi, own, catalog))
        names.append(kpi_name(kpi, position, catalog))
    reviews = [_with_set_aside(review, set_aside[i])
               for i, review in enumerate(_review_each(inputs, names))]
    state = review_state(db, plan_id, quarter) if quarter else None
    comments = state.comments if state else {}
    changes = target_changes(db, plan_id, quarter) if quarter else []
    return PlanReview(
        plan_id=plan_id, org_name=record.plan.org_name, quarter=quarter, quarters=quarters,
        status=state.status if state else "open", done_at=state.done_at if state else None,
        kpis=[PlanKpiReview(plan_kpi_id=record.kpi_ids[i], position=i, review=review,
                            comment=comments.get(record.kpi_ids[i], ""),
                            target_changes=[c for c in changes
                                            if c.plan_kpi_id == record.kpi_ids[i]])
              for i, review in enumerate(reviews)],
    )


def _sorted_rows(rows: list[dict], count: int) -> tuple[list[list[dict]], list[list[str]]]:
    """Return each KPI's usable stored rows, and the labels of those that cannot be used."""
    usable: list[list[dict]] = [[] for _ in range(count)]
    set_aside: list[list[str]] = [[] for _ in range(count)]
    for row in rows:
        if _usable(row):
            usable[row["position"]].append(row)
        else:
            set_aside[row["position"]].append(str(row["period"])[:20])
    return usable, set_aside


def _usable(row: dict) -> bool:
    """Return True when a stored row's value, target and period can be computed with."""
    if not is_usable_number(row["value"]):
        return False
    if row["target"] is not None and not is_usable_number(row["target"]):
        return False
    try:
        parse_period(str(row["period"]))
    except PeriodError:
        return False
    return True


def _review_each(inputs: list[ReviewKpi], names: list[Text]) -> list[KpiReview]:
    """Return the review of every KPI; when reviewing them together fails, review them one by
    one, so a KPI whose history still breaks the statistics is reported alone."""
    try:
        return review_kpis(inputs, names)
    except (ReviewError, RowsRejectedError, ValueError, ArithmeticError):
        log.warning("a plan review failed as a whole; reviewing its KPIs one by one",
                    exc_info=True)
    reviews = []
    for kpi, name in zip(inputs, names, strict=True):
        try:
            reviews.extend(review_kpis([kpi], [name]))
        except (ReviewError, RowsRejectedError, ValueError, ArithmeticError):
            log.exception("the stored history of KPI %r cannot be reviewed", kpi.label)
            reviews.append(unusable_review(kpi, name))
    return reviews


def unusable_review(kpi: ReviewKpi, name: Text) -> KpiReview:
    """Return the review of a KPI whose stored history the statistics cannot use."""
    return KpiReview(
        kpi_id=kpi.kpi_id, name=name, status="unusable_data",
        message=Text(**both("review.unusable_history")),
        direction=kpi.direction or "higher_is_better", unit=kpi.unit, frequency=kpi.frequency,
        commitment=kpi.commitment, target=kpi.target, target_low=kpi.target_low,
        target_high=kpi.target_high, points=len(kpi.history))


def _with_set_aside(review: KpiReview, labels: list[str]) -> KpiReview:
    """Return the review with a flag naming the stored periods left out of it, if any."""
    if not labels:
        return review
    shown = ", ".join(labels[:MAX_NAMED]) + (" …" if len(labels) > MAX_NAMED else "")
    flag = Flag(code="unusable_measurements", rule="stored_values_check", message=Text(**both(
        "review.unusable_measurements", periods=shown, first=FIRST_YEAR, last=LAST_YEAR,
        limit=lambda lang: number_text(MAX_MAGNITUDE, lang))))
    return review.model_copy(update={"flags": [*review.flags, flag]})


# --- Report rows and exports -------------------------------------------------------------------


def _decimals(review: KpiReview) -> int:
    return review_decimals(review)


def report_row(item: PlanKpiReview, lang: str) -> list:
    """Return one KPI of the review as a report row (numbers stay numbers for spreadsheets)."""
    review = item.review
    natural, suggestion = review.natural_range_next, review.suggestion
    last = review.chart[-1] if review.chart else None
    attainment = review.attainment
    return [
        review.name.pick(lang),
        label("units", review.unit).pick(lang) if review.unit else "",
        label("directions", review.direction).pick(lang),
        gettext(lang, COMMITMENT_NAMES[review.commitment]),
        review.target, review.points, last.period if last else "", last.value if last else None,
        _round(natural.centre if natural else None, review),
        _round(natural.lower if natural else None, review),
        _round(natural.upper if natural else None, review),
        signals_text(review, lang),
        review.probability_of_target,
        attainment.share if attainment else None,
        gettext(lang, ACTION_NAMES[suggestion.action]) if suggestion else (
            review.message.pick(lang) if review.message else ""),
        suggestion.target if suggestion else None,
        suggestion.committed_target if suggestion else None,
        suggestion.stretch_target if suggestion else None,
        _explanation(review, lang),
        item.comment,
        "; ".join(change_text(c, review, lang) for c in item.target_changes),
    ]


def change_text(change: TargetChange, review: KpiReview, lang: str) -> str:
    """Return a target a review set, in words: "400 → 420 (committed level, Dec 2, 2026)"."""
    text = gettext(lang, "review.apply.change", old=number(change.old_target, review, lang)
                   if change.old_target is not None else "–",
                   new=number(change.new_target, review, lang),
                   level=gettext(lang, LEVEL_NAMES[change.level]),
                   when=date_text(change.changed_at, lang))
    if change.changed_by:
        text += " " + gettext(lang, "review.apply.change_by", name=change.changed_by)
    return text


def _explanation(review: KpiReview, lang: str) -> str:
    """Return the suggestion's reason, followed by the warning when the limits are provisional."""
    if review.suggestion is None:
        return ""
    notes = [f.message.pick(lang) for f in review.flags if f.code == "provisional_limits"]
    return " ".join([review.suggestion.explanation.pick(lang), *notes])


def _round(value: float | None, review: KpiReview) -> float | None:
    return None if value is None else round(value, _decimals(review))


def report_table(review: PlanReview, lang: str) -> tuple[list[str], list[list]]:
    """Return the report's header and rows in `lang`."""
    policy = review_policy()
    levels = {"committed": round(100 * policy.committed_probability),
              "stretch": round(100 * policy.stretch_probability)}
    header = [gettext(lang, c, **levels) for c in REPORT_COLUMNS]
    return header, [report_row(item, lang) for item in review.kpis]


def report_csv(review: PlanReview, lang: str) -> str:
    """Return the quarterly report as CSV text (write it as UTF-8; it starts with a BOM)."""
    header, rows = report_table(review, lang)
    return to_csv(header, rows)


def measurement_table(db: sqlite_utils.Database, record: PlanRecord, catalog: Catalog,
                      lang: str) -> tuple[list[str], list[list]]:
    """Return every stored measurement of the plan, replaced ones included, as a table."""
    names = [kpi_name(k, i, catalog).pick(lang) for i, k in enumerate(record.plan.kpis)]
    yes = gettext(lang, "review.measurement.excluded_yes")
    rows = [[names[r["position"]], r["period"], r["value"], r["target"], r["note"],
             yes if r["exclude"] else "", _source(r["source"], lang),
             datetime_text(r["recorded_at"], lang), r["recorded_by"],
             datetime_text(r["replaced_at"], lang) if r["replaced_at"] else None]
            for r in plan_measurements(db, record.id, include_replaced=True)]
    return [gettext(lang, c) for c in MEASUREMENT_COLUMNS], rows


def _source(source: str | None, lang: str) -> str:
    """Return where a measurement came from in words (an unknown source as it was stored)."""
    if source and source.startswith("import:"):
        return gettext(lang, "review.source.file", name=source.removeprefix("import:"))
    return gettext(lang, SOURCES[source]) if source in SOURCES else (source or "")


def report_xlsx(db: sqlite_utils.Database, review: PlanReview, catalog: Catalog,
                lang: str) -> bytes:
    """Return the quarterly report as an XLSX workbook: the review and the measurement history."""
    record = get_plan(db, review.plan_id)
    review_sheet = gettext(lang, "review.sheet.review", quarter=review.quarter or "").strip()
    return to_xlsx({
        review_sheet: report_table(review, lang),
        gettext(lang, "review.sheet.measurements"): measurement_table(db, record, catalog, lang),
    })


def number(value: float | None, review: KpiReview, lang: str) -> str:
    """Return a KPI's number as text in `lang`, with the precision its spread and unit
    deserve."""
    return value_text(value, review.unit, lang, _decimals(review))


def number_range(low: float | None, high: float | None, review: KpiReview, lang: str) -> str:
    """Return a KPI's range as text in `lang` ("low–high"; one number when the ends match)."""
    return range_text(low, high, lang, review.unit, _decimals(review))
