"""Measurements from CSV and XLSX files, forms and the API: read, checked per row, all or nothing.

Columns: `kpi`, `period`, `value`, optional `target`, `note` and `exclude` (yes for a period
with an assignable cause, such as a strike; Vietnamese headers such as `chỉ số`, `kỳ`,
`giá trị`, `mục tiêu`, `ghi chú`, `loại trừ` work too). A KPI is named by its catalog id, its
name in the plan, or its catalog name in either language. Every bad row is reported with its line,
column, what is wrong and how to fix it, and then nothing at all is stored.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from advisor.formatting import count_text, number_text
from advisor.i18n import both, gettext
from advisor.plans import PlanRecord, change_kpis
from advisor.review.errors import PeriodError, RowsRejectedError
from advisor.review.history import majority_frequency
from advisor.review.measurements import (
    FrequencySet,
    MeasurementIn,
    SaveResult,
    kpi_periods,
    save_measurements,
)
from advisor.review.periods import FREQUENCIES, Period, parse_period
from advisor.review.tables import (
    Problems,
    RawRow,
    cell_text,
    name_key,
    number_fix,
    read_flag,
    read_number,
    read_upload,
    rows_from_dicts,
)
from advisor.store import transaction
from advisor.values import has_lone_surrogate
from catalog.labels import label
from catalog.loader import Catalog
from catalog.models import Kpi, value_bounds

NOTE_LENGTH = 500
# Measured money and ratios may be a loss or a net change, so unless a catalog KPI sets its
# own range their values are not held to the unit's lower limit (the SMART check still holds
# targets to it).
SIGNED_UNITS = ("currency", "ratio")


class KpiIndex:
    """Finds a plan KPI from what a row calls it: id, plan name or catalog name."""

    def __init__(self, record: PlanRecord, catalog: Catalog):
        self.names: list[str] = []
        self._by_key: dict[str, int] = {}
        for i, kpi in enumerate(record.plan.kpis):
            entry = catalog.get(kpi.kpi_id) if kpi.kpi_id else None
            keys = [kpi.kpi_id, kpi.name] + ([entry.name.vi, entry.name.en] if entry else [])
            for key in keys:
                if key:
                    self._by_key.setdefault(name_key(key), i)
            self.names.append(kpi.kpi_id or kpi.name or f"#{i + 1}")

    def find(self, text: str) -> int | None:
        """Return the position of the KPI named `text`, or None."""
        return self._by_key.get(name_key(text))


@dataclass
class _Checked:
    row: RawRow
    kpi: int
    label: str
    value: float
    target: float | None
    note: str | None
    exclude: bool | None


def _check_cells(row: RawRow, index: KpiIndex, problems: Problems) -> _Checked | None:
    """Return the row's cells checked one by one, or None after adding its problems."""
    before = len(problems.items)
    kpi_text = cell_text(row.cells.get("kpi"))
    kpi = index.find(kpi_text) if kpi_text else None
    if kpi is None:
        shown = ", ".join(index.names[:10]) + (" …" if len(index.names) > 10 else "")
        message = both("review.import.unknown_kpi", kpi=repr(kpi_text)) if kpi_text \
            else both("review.import.missing_kpi")
        problems.add(row, "kpi", message, both("review.import.kpi_fix", kpis=shown))
    label = cell_text(row.cells.get("period"))
    if not label:
        problems.add(row, "period", both("review.import.missing_period"),
                     both("review.import.period_fix"))
    value = _number(row, "value", problems, required=True)
    target = _number(row, "target", problems, required=False)
    note = cell_text(row.cells.get("note")) or None
    exclude = read_flag(row.cells.get("exclude"))
    if isinstance(exclude, dict):
        problems.add(row, "exclude", exclude, both("review.import.flag_fix"))
        exclude = None
    for column, text in (("kpi", kpi_text), ("note", note)):
        if text and has_lone_surrogate(text):
            problems.add(row, column, both("review.import.bad_character"),
                         both("review.import.bad_character_fix"))
    if note and len(note) > NOTE_LENGTH:
        problems.add(row, "note", both("review.import.long_note",
                                       length=lambda lang: count_text(len(note), lang)),
                     both("review.import.long_note_fix",
                          limit=lambda lang: count_text(NOTE_LENGTH, lang)))
    if len(problems.items) > before or kpi is None or value is None:
        return None
    return _Checked(row, kpi, label, value, target, note, exclude)


def _number(row: RawRow, column: str, problems: Problems, required: bool) -> float | None:
    cell = row.cells.get(column)
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        if required:
            problems.add(row, column, both("review.import.missing_value"), number_fix())
        return None
    read = read_number(cell)
    if isinstance(read, dict):
        problems.add(row, column, read, number_fix())
        return None
    return read


def _import_bounds(unit: str | None, entry: Kpi | None) -> tuple[float | None, float | None]:
    """Return the range measured values must lie in (see SIGNED_UNITS)."""
    low, high = value_bounds(unit, entry)
    own = entry is not None and entry.value_range is not None and unit in (None, entry.unit)
    return (None if unit in SIGNED_UNITS and not own else low), high


def _range_problem(bounds: tuple[float | None, float | None], unit: str | None,
                   number: float) -> tuple[dict, dict] | None:
    """Return (message, fix) when `number` lies outside what the KPI can take, else None."""
    low, high = bounds
    values = {"number": _localized(number), "low": _localized(low), "high": _localized(high),
              "unit": lambda lang: label("units", unit).pick(lang).lower() if unit else ""}
    if low is not None and number < low:
        message = both("review.import.negative", **values) if low == 0 \
            else both("review.import.below_lowest", **values)
        return message, both("review.import.negative_fix")
    if high is not None and number > high:
        if unit == "percent" and high == 100:
            return both("review.import.over_100", **values), both("review.import.over_100_fix")
        return both("review.import.above_highest", **values), both("review.import.range_fix")
    return None


def _localized(number: float | None):
    """Return a function of the language writing `number` in that language's style."""
    return lambda lang: number_text(number, lang, 4)


def check_rows(record: PlanRecord, rows: list[RawRow], stored: dict[int, list[str]],
               catalog: Catalog, problems: Problems | None = None,
               frequencies: dict[int, str] | None = None) -> list[MeasurementIn]:
    """Return every row as a measurement of the plan, or raise RowsRejectedError for the bad.

    A KPI whose rows all name periods of one frequency other than the plan's is one problem
    (with the fix of setting the KPI's frequency to the file's), and its rows are still checked
    at the file's frequency, so no other problem hides behind it. Given `frequencies` (a dict),
    such a KPI is accepted instead and the dict gets its row id and the file's frequency.
    """
    problems = problems or Problems()
    index = KpiIndex(record, catalog)
    by_kpi: dict[int, list[_Checked]] = defaultdict(list)
    for row in rows:
        checked = _check_cells(row, index, problems)
        if checked is not None:
            by_kpi[checked.kpi].append(checked)
    result = []
    offered: dict[int, str] = {}
    for position, items in by_kpi.items():
        stored_labels = stored.get(record.kpi_ids[position], [])
        frequency = _file_frequency(record, position, items, stored_labels, problems,
                                    frequencies)
        if frequency and frequencies is None:
            offered[record.kpi_ids[position]] = frequency
        result.extend(_check_kpi(record, position, items, stored_labels, catalog, problems,
                                 frequency))
    try:
        problems.raise_if_any()
    except RowsRejectedError as exc:
        exc.frequencies = offered  # what a retry with set_frequency would set
        raise
    return result


def _file_frequency(record: PlanRecord, position: int, rows: list[_Checked], stored: list[str],
                    problems: Problems, accept: dict[int, str] | None) -> str | None:
    """Return the frequency the file gives a KPI when it differs from the plan's (reported as
    one problem, or accepted into `accept`), else None: the plan's frequency rules."""
    kpi = record.plan.kpis[position]
    labels = [r.label for r in rows if not _is_date(r.label)]
    named = majority_frequency(labels)
    if not named or kpi.frequency == named or kpi.frequency is None or stored:
        return None
    if not all(_is_frequency(label, named) for label in labels):
        return None  # mixed within the KPI: each odd row is reported on its own
    if accept is not None:
        accept[record.kpi_ids[position]] = named
        return named
    name = kpi.name or kpi.kpi_id or f"#{position + 1}"
    problems.add(rows[0].row, "period",
                 both("review.import.frequency_differs", kpi=name,
                      file=_frequency_word(named), plan=_frequency_word(kpi.frequency),
                      rows=lambda lang: count_text(len(rows), lang)),
                 both("review.import.frequency_differs_fix", file=_frequency_word(named)))
    return named


def _is_frequency(label: str, frequency: str) -> bool:
    try:
        return parse_period(label).frequency == frequency
    except PeriodError:
        return False


def _kpi_frequency(record: PlanRecord, position: int, labels: list[str], stored: list[str],
                   catalog: Catalog) -> tuple[str | None, dict | None]:
    """Return the frequency a KPI's periods must have, and why when it is fixed by others."""
    kpi = record.plan.kpis[position]
    if kpi.frequency in FREQUENCIES:
        return kpi.frequency, both("review.import.plan_frequency",
                                   frequency=_frequency_word(kpi.frequency))
    if stored:
        frequency = parse_period(stored[0]).frequency
        return frequency, both("review.import.stored_frequency",
                               frequency=_frequency_word(frequency))
    named = majority_frequency([label for label in labels if not _is_date(label)])
    if named:
        return named, None
    # Only dates: they stand for periods of the catalog's usual frequency for the KPI.
    entry = catalog.get(kpi.kpi_id) if kpi.kpi_id else None
    if entry is not None and entry.frequency in FREQUENCIES:
        return entry.frequency, None
    return majority_frequency(labels), None


def _frequency_word(frequency: str):
    """Return a function of the language naming `frequency` inside a sentence ("monthly")."""
    return lambda lang: label("frequencies", frequency).pick(lang).lower()


def _is_date(text: str) -> bool:
    try:
        return parse_period(text).frequency == "daily"
    except PeriodError:
        return False


def _check_kpi(record: PlanRecord, position: int, rows: list[_Checked], stored: list[str],
               catalog: Catalog, problems: Problems,
               file_frequency: str | None = None) -> list[MeasurementIn]:
    kpi = record.plan.kpis[position]
    if kpi.frequency == "yearly" and file_frequency is None:
        for item in rows:
            problems.add(item.row, "period", both("review.import.yearly"),
                         both("review.import.yearly_fix"))
        return []
    frequency, reason = (file_frequency, None) if file_frequency else _kpi_frequency(
        record, position, [r.label for r in rows], stored, catalog)
    entry = catalog.get(kpi.kpi_id) if kpi.kpi_id else None
    unit = kpi.unit or (entry.unit if entry else None)
    first_line: dict[int, RawRow] = {}
    measurements = []
    bounds = _import_bounds(unit, entry)
    for item in rows:
        period = _period(item, frequency, reason, problems)
        if period is None:
            _range_checks(item, bounds, unit, problems)  # reported too, never hidden
            continue
        if period.ordinal in first_line:
            problems.add(item.row, "period",
                         both("review.import.duplicate_period", period=period.label,
                              first=_where(first_line[period.ordinal])),
                         both("review.import.duplicate_period_fix"))
            continue
        first_line[period.ordinal] = item.row
        if _range_checks(item, bounds, unit, problems):
            measurements.append(MeasurementIn(
                plan_kpi_id=record.kpi_ids[position], period=period.label,
                period_key=period.ordinal, value=item.value, target=item.target, note=item.note,
                exclude=item.exclude))
    return measurements


def _where(row: RawRow):
    """Return a function of the language naming where a row came from ("line 3")."""
    if row.line is None:
        return row.where
    return lambda lang: gettext(lang, "review.import.at_line", line=row.line)


def _period(item: _Checked, frequency: str | None, reason: dict | None,
            problems: Problems) -> Period | None:
    try:
        return parse_period(item.label, frequency)
    except PeriodError as exc:
        mixed = reason or (both("review.import.most_rows", frequency=_frequency_word(frequency))
                           if frequency else None)
        fix = both("review.import.one_frequency_fix")
        if mixed:
            fix = both("review.import.fix_because", fix=fix.get, reason=mixed.get)
        problems.add(item.row, "period", exc.message, fix)
        return None


def _range_checks(item: _Checked, bounds: tuple[float | None, float | None], unit: str | None,
                  problems: Problems) -> bool:
    ok = True
    for column, number in (("value", item.value), ("target", item.target)):
        found = None if number is None else _range_problem(bounds, unit, number)
        if found:
            problems.add(item.row, column, *found)
            ok = False
    return ok


# --- Entry points ----------------------------------------------------------------------------


def import_file(db: sqlite_utils.Database, record: PlanRecord, filename: str, data: bytes,
                catalog: Catalog, set_frequency: bool = False) -> SaveResult:
    """Import a CSV or XLSX file into the plan: every row stored, or none and every problem.
    With `set_frequency`, a KPI whose rows all have one frequency other than the plan's takes
    the file's frequency, in the same transaction as the rows."""
    if has_lone_surrogate(filename):
        raise RowsRejectedError([{
            "field": "filename",
            "message": both("review.import.bad_filename"),
            "fix": both("review.import.bad_filename_fix")}])
    problems = Problems()
    rows = read_upload(filename, data, problems)
    stored = kpi_periods(db, record.kpi_ids)
    changes: dict[int, str] | None = {} if set_frequency else None
    checked = check_rows(record, rows, stored, catalog, problems, changes)
    with transaction(db):
        if changes:
            change_kpis(db, record.id, {k: {"frequency": f} for k, f in changes.items()})
        result = save_measurements(db, checked, f"import:{filename[:100]}")
    by_row = dict(zip(record.kpi_ids, record.plan.kpis, strict=True))
    result.frequencies_set = [FrequencySet(plan_kpi_id=k, frequency=f,
                                           previous=by_row[k].frequency)
                              for k, f in (changes or {}).items()]
    return result


def add_rows(db: sqlite_utils.Database, record: PlanRecord, items: list[Any], catalog: Catalog,
             source: str, where: str = "measurements") -> SaveResult:
    """Store measurements given as objects (API body or form): all of them, or none."""
    rows, problems = rows_from_dicts(items, where)
    stored = kpi_periods(db, record.kpi_ids)
    checked = check_rows(record, rows, stored, catalog, problems)
    return save_measurements(db, checked, source)
