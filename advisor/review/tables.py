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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from advisor.formatting import count_text, number_text
from advisor.i18n import both
from advisor.review.errors import RowsRejectedError
from advisor.values import MAX_MAGNITUDE, is_usable_number

COLUMNS = ("kpi", "period", "value", "target", "note", "exclude")
REQUIRED = ("kpi", "period", "value")
HEADER_ALIASES = {
    "kpi": ("kpi", "kpi_id", "chỉ số", "chi so", "tên kpi", "ten kpi", "chỉ tiêu"),
    "period": ("period", "kỳ", "ky", "thời gian", "thoi gian", "date", "ngày", "ngay", "tháng"),
    "value": ("value", "giá trị", "gia tri", "actual", "thực tế", "thuc te", "kết quả"),
    "target": ("target", "mục tiêu", "muc tieu"),
    "note": ("note", "ghi chú", "ghi chu", "comment", "notes"),
    "exclude": ("exclude", "excluded", "loại trừ", "loai tru", "loại ra", "bỏ qua"),
}
# How a cell says yes or no to `exclude` (an empty cell says nothing: a stored mark is kept).
YES = ("1", "x", "yes", "true", "y", "có", "co", "loại", "loại trừ")
NO = ("0", "no", "false", "n", "không", "khong")
# Limits on the work one file or request may ask for (README "Reliability"). A full file of
# MAX_ROWS imports in under a second (bench/bench_import.py); the rest keep a file that is small
# on the wire from costing more than such a file.
MAX_ROWS = 20_000  # rows of data; more is split into several files
MAX_LINES = 2 * MAX_ROWS  # lines read at all, empty ones included (sheets carry blank tails)
MAX_COLUMNS = 30  # the five named columns and the spare ones spreadsheets often keep
MAX_CELLS = 10 * MAX_ROWS  # non-empty cells: twice five columns per row
# Bytes an XLSX file may unzip to, as its zip directory declares (zipfile stops a member that
# inflates past its declared size). A sheet of MAX_ROWS rows of our five columns with notes
# unzips to about 5.6 MB, while a file of under 2 MB can hold 5 million rows (585 MB).
MAX_XLSX_UNZIPPED = 20 * 1024 * 1024
MAX_XLSX_MEMBERS = 200
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
        problem: dict[str, Any] = {"field": field, "message": message, "fix": fix}
        if row is not None and row.line is not None:
            problem["line"] = row.line
        if column:
            problem["column"] = column
        self.items.append(problem)

    def raise_if_any(self) -> None:
        """Raise RowsRejectedError with every problem (at most MAX_PROBLEMS), sorted by line,
        if there are any."""
        if not self.items:
            return
        # In file order: problems of the whole file first, then line by line (stable, so the
        # columns of one line keep the order they were checked in).
        ordered = sorted(self.items, key=lambda p: p.get("line") or 0)
        items = ordered[:MAX_PROBLEMS]
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


def _too_much(problems: Problems, message: dict[str, str]) -> None:
    """Refuse the whole file at once: a limit of the work one import may ask for was passed."""
    problems.add(None, None, message, both("review.import.too_much_fix", limit=_count(MAX_ROWS)))
    problems.raise_if_any()


def _count(value: float) -> Callable[[str], str]:
    """Return a count as a function of the language, as both() fills it in per language."""
    return lambda lang: count_text(value, lang)


def bounded_lines(lines: Iterable[tuple[int, list[Any]]],
                  problems: Problems) -> list[tuple[int, list[Any]]]:
    """Return the lines read, stopping with a problem as soon as a limit is passed (rows,
    lines, columns, cells), so that a large file is never read to its end."""
    kept: list[tuple[int, list[Any]]] = []
    rows = cells = 0
    for count, (line, values) in enumerate(lines, start=1):
        filled = sum(1 for v in values if v is not None and str(v).strip())
        if count > MAX_LINES:
            _too_much(problems, both("review.import.too_many_lines", limit=_count(MAX_LINES)))
        if len(values) > MAX_COLUMNS and any(v is not None and str(v).strip()
                                             for v in values[MAX_COLUMNS:]):
            _too_much(problems, both("review.import.too_many_columns", line=line,
                                     limit=_count(MAX_COLUMNS)))
        rows += 1 if filled and count > 1 else 0
        cells += filled
        if rows > MAX_ROWS:
            _too_much(problems, both("review.import.too_many_rows", limit=_count(MAX_ROWS)))
        if cells > MAX_CELLS:
            _too_much(problems, both("review.import.too_many_cells", limit=_count(MAX_CELLS)))
        kept.append((line, list(values[:MAX_COLUMNS])))
    return kept


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
    try:
        lines = bounded_lines(((reader.line_num, cells) for cells in reader), problems)
    except csv.Error as exc:
        problems.add(None, None, both("review.import.bad_csv", line=reader.line_num,
                                      reason=str(exc)),
                     both("review.import.bad_csv_fix"))
        problems.raise_if_any()
    return _rows_from(lines, problems, required)


def _unreadable_xlsx(problems: Problems) -> None:
    problems.add(None, None, both("review.import.bad_xlsx"), both("review.import.bad_xlsx_fix"))
    problems.raise_if_any()


def _check_zip(data: bytes, problems: Problems) -> None:
    """Refuse a workbook whose zip directory declares more than MAX_XLSX_UNZIPPED bytes (or
    more than MAX_XLSX_MEMBERS parts) before anything is inflated."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        _unreadable_xlsx(problems)
    unzipped = sum(member.file_size for member in members)
    if unzipped > MAX_XLSX_UNZIPPED or len(members) > MAX_XLSX_MEMBERS:
        _too_much(problems, both(
            "review.import.too_large_xlsx",
            size=_count(unzipped / 1e6), limit=_count(MAX_XLSX_UNZIPPED // (1024 * 1024))))


def _check_inflated(data: bytes, problems: Problems) -> None:
    """Inflate every part once, in chunks, and refuse the file when the parts together pass
    MAX_XLSX_UNZIPPED or one of them inflates past its declared size (zipfile's CRC check)."""
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            for member in book.infolist():
                with book.open(member) as part:
                    while chunk := part.read(1 << 20):
                        total += len(chunk)
                        if total > MAX_XLSX_UNZIPPED:
                            _too_much(problems, both(
                                "review.import.too_large_xlsx", size=_count(total / 1e6),
                                limit=_count(MAX_XLSX_UNZIPPED // (1024 * 1024))))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        _unreadable_xlsx(problems)


def _sheet_lines(data: bytes) -> Iterable[tuple[int, list[Any]]]:
    """Yield the numbered rows of the first sheet, an empty cell as None, columns from A."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        sheet = book.get_sheet_by_index(0)
        # calamine yields rows from the first one but columns from the first one used.
        pad = [None] * (sheet.start[1] if sheet.start else 0)
        for number, row in enumerate(sheet.iter_rows(), start=1):
            yield number, pad + [None if cell == "" else cell for cell in row]
    finally:
        book.close()


def read_xlsx(data: bytes, problems: Problems,
              required: tuple[str, ...] = REQUIRED) -> list[RawRow]:
    """Return the rows of the first sheet of an XLSX workbook (cached values, not formulas),
    within the limits.

    The sheet is read by calamine (Rust): openpyxl took 4.5 s of a 20,000-row import; the
    zip is checked first, as declared and then as it really inflates, so calamine only ever
    sees a workbook within MAX_XLSX_UNZIPPED."""
    from python_calamine import CalamineError

    _check_zip(data, problems)
    _check_inflated(data, problems)
    try:
        lines = bounded_lines(_sheet_lines(data), problems)
    except (CalamineError, ValueError, OSError, IndexError):
        _unreadable_xlsx(problems)
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
                # The name goes into the field path as written, but escaped where it is not
                # text (a lone surrogate), so the answer can still be encoded as UTF-8.
                shown = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
                problems.add(row, shown, both("review.import.unknown_field", field=repr(key)),
                             both("review.import.fields_fix"))
        row.cells.update({k: v for k, v in item.items() if k in COLUMNS})
        rows.append(row)
    return rows, problems

def number_fix() -> dict[str, str]:
    """Return how to write a number in a file, in both languages (each with its own decimal
    mark: 12,5 and 12.5 are both read)."""
    return both("review.import.number_fix")


def read_number(cell: Any) -> float | dict:
    """Return the cell as a finite number within ±MAX_MAGNITUDE, or a bilingual message saying
    why it is not one."""
    number = _as_number(cell)
    if isinstance(number, dict) or is_usable_number(number):
        return number
    return both("review.import.unusable_number", cell=_shown(cell),
                limit=lambda lang: number_text(MAX_MAGNITUDE, lang))


def _shown(cell: Any) -> str:
    """Return a cell as a message quotes it, cut short (a 400-digit number stays readable)."""
    try:
        text = repr(cell) if isinstance(cell, str) else str(cell)
    except ValueError:  # an integer past Python's 4,300-digit limit for str()
        text = "…"
    return text if len(text) <= 40 else text[:37] + "…"


def _as_number(cell: Any) -> float | dict:
    if isinstance(cell, bool):
        return both("review.import.not_number", cell=repr(cell))
    if isinstance(cell, int):
        # float() of an integer past float's range raises instead of giving infinity.
        return float(cell) if abs(cell) <= MAX_MAGNITUDE else math.inf
    if isinstance(cell, float):
        return cell if math.isfinite(cell) else math.inf
    text = "" if cell is None else str(cell).strip().replace("\u00a0", "").replace(" ", "")
    text = text.removesuffix("%")
    if _PLAIN.fullmatch(text):
        return float(text)
    if _DECIMAL_COMMA.fullmatch(text):
        return float(text.replace(",", "."))
    shown = _shown(cell)
    if re.fullmatch(r"[+-]?\d{1,3}([.,]\d{3})+([.,]\d+)?", text, re.ASCII):
        return both("review.import.ambiguous_number", cell=shown)
    return both("review.import.not_number", cell=shown)


def read_flag(cell: Any) -> bool | None | dict:
    """Return a yes/no cell as True or False, None when empty, or a bilingual message."""
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float) and cell in (0, 1):
        return bool(cell)
    text = name_key(cell_text(cell))
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    return both("review.import.not_flag", cell=_shown(cell))


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
