"""Tables of measurements as read from CSV and XLSX files, JSON or forms, before any checking.

Each row keeps where it came from (file line or list index) so that every problem can name its
line and column; problems are collected in both languages, with a fix, and raised together.
"""

import csv
import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

from advisor.formatting import count_text
from advisor.i18n import both
from advisor.review.errors import RowsRejectedError

COLUMNS = ("kpi", "period", "value", "target", "note")
REQUIRED = ("kpi", "period", "value")
HEADER_ALIASES = {
    "kpi": ("kpi", "kpi_id", "chỉ số", "chi so", "tên kpi", "ten kpi", "chỉ tiêu"),
    "period": ("period", "kỳ", "ky", "thời gian", "thoi gian", "date", "ngày", "ngay", "tháng"),
    "value": ("value", "giá trị", "gia tri", "actual", "thực tế", "thuc te", "kết quả"),
    "target": ("target", "mục tiêu", "muc tieu"),
    "note": ("note", "ghi chú", "ghi chu", "comment", "notes"),
}
MAX_ROWS = 20_000
MAX_PROBLEMS = 500
_PLAIN = re.compile(r"[+-]?\d+(\.\d+)?", re.ASCII)
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,(\d{1,2}|\d{4,})", re.ASCII)


@dataclass(frozen=True)
class RawRow:
    """One row as read: where it came from (file line or list index) and its cells by column."""

    where: str
    line: int | None
    cells: dict[str, Any]


class Problems:
    """Collects bilingual problems with their field path, line and column."""

    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, row: RawRow | None, column: str | None, message: dict, fix: dict) -> None:
        """Record a problem of `row` (None: the whole file) in `column` (None: the whole row)."""
        field = row.where if row else "file"
        if column:
            field = f"{field}.{column}"
        problem = {"field": field, "message": message, "fix": fix}
        if row is not None and row.line is not None:
            problem["line"] = row.line
        if column:
            problem["column"] = column
        self.items.append(problem)

    def raise_if_any(self) -> None:
        """Raise RowsRejectedError with every problem (at most MAX_PROBLEMS) if there are any."""
        if not self.items:
            return
        items = self.items[:MAX_PROBLEMS]
        if len(self.items) > MAX_PROBLEMS:
            more = len(self.items) - MAX_PROBLEMS
            items.append({"field": "file",
                          "message": both("review.import.more_problems",
                                          count=lambda lang: count_text(more, lang)),
                          "fix": both("review.import.more_problems_fix")})
        raise RowsRejectedError(items)

# --- Reading files ---------------------------------------------------------------------------


def name_key(text: str) -> str:
    """Return `text` as compared for names: NFC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


_ALIAS_TO_COLUMN = {name_key(alias): column for column, aliases in HEADER_ALIASES.items()
                    for alias in aliases}


def _header(cells: list[Any], problems: Problems,
            required: tuple[str, ...] = REQUIRED) -> list[str | None]:
    """Return the column of each header cell; unknown or missing columns become problems."""
    columns: list[str | None] = []
    header_row = RawRow("rows.1", 1, {})
    for cell in cells:
        text = "" if cell is None else str(cell).lstrip("\ufeff")
        column = _ALIAS_TO_COLUMN.get(name_key(text))
        if text.strip() and column is None:
            problems.add(header_row, text.strip(),
                         both("review.import.unknown_column", column=repr(text.strip())),
                         both("review.import.columns_fix"))
        columns.append(column)
    for column in required:
        if column not in columns:
            problems.add(header_row, column,
                         both("review.import.missing_column", column=repr(column)),
                         both("review.import.header_fix"))
    return columns


def _rows_from(lines: list[tuple[int, list[Any]]], problems: Problems,
               required: tuple[str, ...]) -> list[RawRow]:
    if not lines:
        problems.add(None, None, both("review.import.empty"), both("review.import.empty_fix"))
        problems.raise_if_any()
    columns = _header(lines[0][1], problems, required)
    if any(column not in columns for column in required):
        problems.raise_if_any()  # every row would repeat the missing column; say it once
    rows = []
    for line, cells in lines[1:]:
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        row = RawRow(f"rows.{line}", line, {})
        for column, cell in zip(columns, cells, strict=False):
            if column is not None:
                row.cells[column] = cell
        if len(cells) > len(columns) and any(str(c).strip() for c in cells[len(columns):]
                                             if c is not None):
            problems.add(row, None, both("review.import.extra_cells"),
                         both("review.import.extra_cells_fix"))
        rows.append(row)
    if len(rows) > MAX_ROWS:
        problems.add(None, None, both("review.import.too_many_rows",
                                      rows=lambda lang: count_text(len(rows), lang),
                                      limit=lambda lang: count_text(MAX_ROWS, lang)),
                     both("review.import.too_many_rows_fix"))
    return rows


def read_csv(data: bytes, problems: Problems,
             required: tuple[str, ...] = REQUIRED) -> list[RawRow]:
    """Return the rows of a UTF-8 CSV file; the separator is , ; or tab, as the header shows."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.add(None, None, both("review.import.not_utf8"),
                     both("review.import.not_utf8_fix"))
        problems.raise_if_any()
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines = []
    try:
        for cells in reader:
            lines.append((reader.line_num, cells))
    except csv.Error as exc:
        problems.add(None, None, both("review.import.bad_csv", line=reader.line_num,
                                      reason=str(exc)),
                     both("review.import.bad_csv_fix"))
        problems.raise_if_any()
    return _rows_from(lines, problems, required)


def read_xlsx(data: bytes, problems: Problems,
              required: tuple[str, ...] = REQUIRED) -> list[RawRow]:
    """Return the rows of the first sheet of an XLSX workbook (values, not formulas)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        problems.add(None, None, both("review.import.bad_xlsx"),
                     both("review.import.bad_xlsx_fix"))
        problems.raise_if_any()
    try:
        sheet = book.worksheets[0]
        lines = [(n, list(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True),
                                                           start=1)]
    finally:
        book.close()
    while lines and all(c is None for c in lines[-1][1]):
        lines.pop()
    return _rows_from(lines, problems, required)


def read_upload(filename: str, data: bytes, problems: Problems,
                required: tuple[str, ...] = REQUIRED) -> list[RawRow]:
    """Return the rows of an uploaded CSV or XLSX file (XLSX is recognised by its content)."""
    if data[:4] == b"PK\x03\x04":
        return read_xlsx(data, problems, required)
    if filename.lower().endswith(".xls") or data[:4] == b"\xd0\xcf\x11\xe0":
        problems.add(None, None, both("review.import.old_xls"),
                     both("review.import.old_xls_fix"))
        problems.raise_if_any()
    return read_csv(data, problems, required)


def rows_from_dicts(items: list[Any], where: str = "measurements") -> tuple[list[RawRow],
                                                                            Problems]:
    """Return rows from JSON objects or form fields ({kpi, period, value, target, note})."""
    problems = Problems()
    rows = []
    for i, item in enumerate(items):
        row = RawRow(f"{where}.{i}", None, {})
        if not isinstance(item, dict):
            problems.add(row, None, both("review.import.not_object"),
                         both("review.import.not_object_fix"))
            continue
        for key in item:
            if key not in COLUMNS:
                problems.add(row, str(key), both("review.import.unknown_field", field=repr(key)),
                             both("review.import.fields_fix"))
        row.cells.update({k: v for k, v in item.items() if k in COLUMNS})
        rows.append(row)
    return rows, problems

def number_fix() -> dict[str, str]:
    """Return how to write a number in a file, in both languages (each with its own decimal
    mark: 12,5 and 12.5 are both read)."""
    return both("review.import.number_fix")


def read_number(cell: Any) -> float | dict:
    """Return the cell as a finite number, or a bilingual message saying why it is not one."""
    if isinstance(cell, bool):
        return both("review.import.not_number", cell=repr(cell))
    if isinstance(cell, int | float):
        return float(cell) if math.isfinite(cell) else both("review.import.not_finite")
    text = "" if cell is None else str(cell).strip().replace("\u00a0", "").replace(" ", "")
    text = text.removesuffix("%")
    if _PLAIN.fullmatch(text):
        return float(text)
    if _DECIMAL_COMMA.fullmatch(text):
        return float(text.replace(",", "."))
    if re.fullmatch(r"[+-]?\d{1,3}([.,]\d{3})+([.,]\d+)?", text, re.ASCII):
        return both("review.import.ambiguous_number", cell=repr(cell))
    return both("review.import.not_number", cell=repr(cell))


def cell_text(cell: Any) -> str:
    """Return a cell as trimmed text; spreadsheet dates become ISO dates."""
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()
