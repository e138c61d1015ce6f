"""Measurements from CSV and XLSX files, forms and the API: read, checked per row, all or nothing.

Columns: `kpi`, `period`, `value`, optional `target` and `note` (Vietnamese headers such as
`chỉ số`, `kỳ`, `giá trị`, `mục tiêu`, `ghi chú` work too). A KPI is named by its catalog id, its
name in the plan, or its catalog name in either language. Every bad row is reported with its line,
column, what is wrong and how to fix it, and then nothing at all is stored.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from advisor.plans import PlanRecord
from advisor.review.errors import PeriodError, RowsRejectedError
from advisor.review.history import majority_frequency
from advisor.review.measurements import MeasurementIn, SaveResult, kpi_periods, save_measurements
from advisor.review.periods import FREQUENCIES, Period, parse_period
from advisor.review.tables import (
    NUMBER_FIX,
    Problems,
    RawRow,
    cell_text,
    name_key,
    read_number,
    read_upload,
    rows_from_dicts,
)
from advisor.review.tables import (
    bilingual as _t,
)
from advisor.values import has_lone_surrogate
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


def _check_cells(row: RawRow, index: KpiIndex, problems: Problems) -> _Checked | None:
    """Return the row's cells checked one by one, or None after adding its problems."""
    before = len(problems.items)
    kpi_text = cell_text(row.cells.get("kpi"))
    kpi = index.find(kpi_text) if kpi_text else None
    if kpi is None:
        shown = ", ".join(index.names[:10]) + (" …" if len(index.names) > 10 else "")
        problems.add(row, "kpi", _t(f"không có KPI {kpi_text!r} trong kế hoạch." if kpi_text
                                    else "thiếu tên KPI.",
                                    f"the plan has no KPI {kpi_text!r}." if kpi_text
                                    else "the KPI is missing."),
                     _t(f"Dùng mã hoặc tên một KPI của kế hoạch: {shown}.",
                        f"Use the id or name of a KPI of the plan: {shown}."))
    label = cell_text(row.cells.get("period"))
    if not label:
        problems.add(row, "period", _t("thiếu kỳ.", "the period is missing."),
                     _t("Ghi kỳ dạng 2025-03, 2025-Q1, 2025-W07 hoặc một ngày 2025-03-15.",
                        "Write the period as 2025-03, 2025-Q1, 2025-W07 or a date 2025-03-15."))
    value = _number(row, "value", problems, required=True)
    target = _number(row, "target", problems, required=False)
    note = cell_text(row.cells.get("note")) or None
    for column, text in (("kpi", kpi_text), ("note", note)):
        if text and has_lone_surrogate(text):
            problems.add(row, column, _t("có ký tự không hợp lệ (nửa cặp UTF-16 đơn lẻ).",
                                         "holds an invalid character (a lone UTF-16 "
                                         "surrogate)."),
                         _t("Gõ lại hoặc dán lại văn bản; nếu gửi JSON, hãy mã hoá UTF-8 "
                            "đúng cách.", "Type or paste the text again; when sending JSON, "
                                          "encode it as proper UTF-8."))
    if note and len(note) > NOTE_LENGTH:
        problems.add(row, "note", _t(f"ghi chú dài {len(note)} ký tự.",
                                     f"the note is {len(note)} characters long."),
                     _t(f"Rút gọn còn tối đa {NOTE_LENGTH} ký tự.",
                        f"Shorten it to at most {NOTE_LENGTH} characters."))
    if len(problems.items) > before:
        return None
    return _Checked(row, kpi, label, value, target, note)


def _number(row: RawRow, column: str, problems: Problems, required: bool) -> float | None:
    cell = row.cells.get(column)
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        if required:
            problems.add(row, column, _t("thiếu giá trị.", "the value is missing."),
                         NUMBER_FIX)
        return None
    read = read_number(cell)
    if isinstance(read, dict):
        problems.add(row, column, read, NUMBER_FIX)
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
    if low is not None and number < low:
        message = (_t(f"{number:g} là số âm, nhưng KPI này ({unit}) không thể âm.",
                      f"{number:g} is negative, but this KPI ({unit}) cannot be.") if low == 0
                   else _t(f"{number:g} thấp hơn {low:g}, mức thấp nhất KPI này có thể có.",
                           f"{number:g} is below {low:g}, the lowest this KPI can be."))
        return message, _t("Kiểm tra lại dấu trừ hoặc cột đã chọn.",
                           "Check the minus sign, or whether the value is in the right column.")
    if high is not None and number > high:
        if unit == "percent" and high == 100:
            return (_t(f"{number:g}% lớn hơn 100%.", f"{number:g}% is over 100%."),
                    _t("Ghi phần trăm từ 0 đến 100 (ví dụ 45 cho 45%); nếu đây là tỷ lệ 0–1, "
                       "hãy nhân với 100.", "Write percentages from 0 to 100 (45 for 45%); if "
                       "the value is a 0–1 share, multiply it by 100."))
        return (_t(f"{number:g} cao hơn {high:g}, mức cao nhất KPI này có thể có.",
                   f"{number:g} is above {high:g}, the highest this KPI can be."),
                _t("Kiểm tra lại giá trị và cột đã chọn.",
                   "Check the value, and whether it is in the right column."))
    return None


def check_rows(record: PlanRecord, rows: list[RawRow], stored: dict[int, list[str]],
               catalog: Catalog, problems: Problems | None = None) -> list[MeasurementIn]:
    """Return every row as a measurement of the plan, or raise RowsRejectedError for the bad."""
    problems = problems or Problems()
    index = KpiIndex(record, catalog)
    by_kpi: dict[int, list[_Checked]] = defaultdict(list)
    for row in rows:
        checked = _check_cells(row, index, problems)
        if checked is not None:
            by_kpi[checked.kpi].append(checked)
    result = []
    for position, checked in by_kpi.items():
        stored_labels = stored.get(record.kpi_ids[position], [])
        result.extend(_check_kpi(record, position, checked, stored_labels, catalog, problems))
    problems.raise_if_any()
    return result


def _kpi_frequency(record: PlanRecord, position: int, labels: list[str], stored: list[str],
                   catalog: Catalog) -> tuple[str | None, dict | None]:
    """Return the frequency a KPI's periods must have, and why when it is fixed by others."""
    kpi = record.plan.kpis[position]
    if kpi.frequency in FREQUENCIES:
        return kpi.frequency, _t(f"KPI này đo theo {kpi.frequency} trong kế hoạch.",
                                 f"the plan measures this KPI {kpi.frequency}.")
    if stored:
        frequency = parse_period(stored[0]).frequency
        return frequency, _t(f"các số liệu đã lưu của KPI này là theo {frequency}.",
                             f"the stored values of this KPI are {frequency}.")
    named = majority_frequency([label for label in labels if not _is_date(label)])
    if named:
        return named, None
    # Only dates: they stand for periods of the catalog's usual frequency for the KPI.
    entry = catalog.get(kpi.kpi_id) if kpi.kpi_id else None
    if entry is not None and entry.frequency in FREQUENCIES:
        return entry.frequency, None
    return majority_frequency(labels), None


def _is_date(label: str) -> bool:
    try:
        return parse_period(label).frequency == "daily"
    except PeriodError:
        return False


def _check_kpi(record: PlanRecord, position: int, rows: list[_Checked], stored: list[str],
               catalog: Catalog, problems: Problems) -> list[MeasurementIn]:
    kpi = record.plan.kpis[position]
    if kpi.frequency == "yearly":
        for item in rows:
            problems.add(item.row, "period", _t("KPI đo theo năm chưa rà soát được.",
                                                "yearly KPIs cannot be reviewed yet."),
                         _t("Đổi tần suất của KPI sang theo quý hoặc theo tháng.",
                            "Change the KPI's frequency to quarterly or monthly."))
        return []
    frequency, reason = _kpi_frequency(record, position, [r.label for r in rows], stored,
                                       catalog)
    entry = catalog.get(kpi.kpi_id) if kpi.kpi_id else None
    unit = kpi.unit or (entry.unit if entry else None)
    first_line: dict[int, str] = {}
    measurements = []
    for item in rows:
        period = _period(item, frequency, reason, problems)
        if period is None:
            continue
        if period.ordinal in first_line:
            problems.add(item.row, "period",
                         _t(f"kỳ {period.label} lặp lại ({first_line[period.ordinal]}).",
                            f"the period {period.label} appears twice "
                            f"({first_line[period.ordinal]})."),
                         _t("Giữ một dòng cho mỗi KPI và kỳ; xoá hoặc sửa dòng trùng.",
                            "Keep one row per KPI and period; delete or correct the duplicate."))
            continue
        first_line[period.ordinal] = _where(item.row)
        if _range_checks(item, _import_bounds(unit, entry), unit, problems):
            measurements.append(MeasurementIn(
                plan_kpi_id=record.kpi_ids[position], period=period.label,
                period_key=period.ordinal, value=item.value, target=item.target, note=item.note))
    return measurements


def _where(row: RawRow) -> str:
    return f"line {row.line}" if row.line is not None else row.where


def _period(item: _Checked, frequency: str | None, reason: dict | None,
            problems: Problems) -> Period | None:
    try:
        return parse_period(item.label, frequency)
    except PeriodError as exc:
        mixed = reason or (_t(f"phần lớn các dòng của KPI này theo {frequency}.",
                              f"most rows of this KPI are {frequency}.") if frequency else None)
        fix = _t("Dùng một tần suất cho mỗi KPI: 2025-03, 2025-Q1, 2025-W07 hoặc một ngày.",
                 "Use one frequency per KPI: 2025-03, 2025-Q1, 2025-W07 or a date.")
        if mixed:
            fix = {lang: f"{fix[lang]} ({mixed[lang]})" for lang in fix}
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
                catalog: Catalog) -> SaveResult:
    """Import a CSV or XLSX file into the plan: every row stored, or none and every problem."""
    if has_lone_surrogate(filename):
        raise RowsRejectedError([{
            "field": "filename",
            "message": _t("tên tệp có ký tự không hợp lệ (nửa cặp UTF-16 đơn lẻ).",
                          "the file name holds an invalid character (a lone UTF-16 surrogate)."),
            "fix": _t("Đổi tên tệp rồi nhập lại.", "Rename the file and import it again.")}])
    problems = Problems()
    rows = read_upload(filename, data, problems)
    stored = kpi_periods(db, record.kpi_ids)
    checked = check_rows(record, rows, stored, catalog, problems)
    return save_measurements(db, checked, f"import:{filename[:100]}")


def add_rows(db: sqlite_utils.Database, record: PlanRecord, items: list[Any], catalog: Catalog,
             source: str, where: str = "measurements") -> SaveResult:
    """Store measurements given as objects (API body or form): all of them, or none."""
    rows, problems = rows_from_dicts(items, where)
    stored = kpi_periods(db, record.kpi_ids)
    checked = check_rows(record, rows, stored, catalog, problems)
    return save_measurements(db, checked, source)
