"""Tabular exports (CSV, XLSX) that open well: Vietnamese intact, numbers and dates as real
cells with formats per unit, and no cell a spreadsheet would run as a formula.

A row holds plain values: text, numbers, dates, lists (joined with "; ") and `Quantity` (a
number with the KPI unit that decides its format). In XLSX a text cell is written as text, so
"=HYPERLINK(...)", "+84 912 345 678" or "-Trần Thị Bình" stay exactly what was typed and are
never run; only CSV, which has no cell types, needs the neutralising apostrophe, and only on
text a spreadsheet would read as a formula.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Excel's date patterns, as the pages write dates: 31/12/2026 in Vietnamese, Dec 31, 2026 in
# English.
DATE_FORMATS = {"vi": "dd/mm/yyyy", "en": "mmm d, yyyy"}
# Column widths in characters: wide enough for most values, never wider than a screen's third.
MIN_WIDTH, MAX_WIDTH = 6, 60


@dataclass(frozen=True)
class Quantity:
    """A number in a KPI's unit (percent values are in percent: 45.5 means 45.5%)."""

    value: float
    unit: str | None = None


@dataclass
class Sheet:
    """One table: its name, an optional title row above the header, the header and rows."""

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    title: str | None = None
    # Columns whose text is long (definitions, pitfalls): they wrap instead of widening.
    wrap: set[int] = field(default_factory=set)


def safe_cell(value: Any) -> Any:
    """Return `value`, with text that a spreadsheet would run as a formula prefixed by a quote
    (for CSV, where every cell is read as if typed)."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    """Return True for text such as "-5" or "+1.5", which a spreadsheet reads as a number."""
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text


def number_csv(value: float) -> str:
    """Return a number as people write it in a file: 12000000000, 40, 12.5 (no .0, no 1e10)."""
    if float(value).is_integer():
        return str(int(value))
    text = format(Decimal(repr(round(float(value), 10))).normalize(), "f")
    return text


def _csv_value(value: Any) -> Any:
    if isinstance(value, Quantity):
        return number_csv(value.value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return number_csv(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return safe_cell(_plain(value))


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Return CSV text (for UTF-8 with BOM, so spreadsheet programs read the diacritics)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return "\ufeff" + out.getvalue()


def to_xlsx(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]],
            lang: str = "vi") -> bytes:
    """Return an XLSX workbook with one sheet per entry of `sheets` ({name: (header, rows)})."""
    return write_xlsx([Sheet(name, header, rows) for name, (header, rows) in sheets.items()],
                      lang)


def write_xlsx(sheets: Sequence[Sheet], lang: str = "vi") -> bytes:
    """Return an XLSX workbook of `sheets`: typed cells, header bold and frozen, widths set."""
    from openpyxl import Workbook

    book = Workbook()
    if book.active is not None:  # a new workbook's empty first sheet
        book.remove(book.active)
    for spec in sheets:
        _fill_sheet(book.create_sheet(title=_sheet_name(spec.name)), spec, lang)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(name: str) -> str:
    """Return a name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return "".join(" " if c in "[]:*?/\\" else c for c in name)[:31]


def _fill_sheet(sheet, spec: Sheet, lang: str) -> None:
    from openpyxl.styles import Alignment, Font

    first = 1
    if spec.title:
        sheet.cell(row=1, column=1, value=spec.title).font = Font(bold=True, size=14)
        sheet.cell(row=1, column=1).data_type = "s"
        first = 3  # a blank row keeps the title apart from the table
    widths = [len(str(h)) for h in spec.header]
    for column, title in enumerate(spec.header, start=1):
        cell = sheet.cell(row=first, column=column)
        _write(cell, title, lang)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row_number, row in enumerate(spec.rows, start=first + 1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            wraps = column - 1 in spec.wrap
            shown = _write(cell, value, lang, "\n" if wraps else "; ")
            if wraps:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            else:
                cell.alignment = Alignment(vertical="top")
            widths[column - 1] = max(widths[column - 1], shown)
    _set_widths(sheet, widths, spec.wrap)
    sheet.freeze_panes = sheet.cell(row=first + 1, column=1)


def _set_widths(sheet, widths: list[int], wrap: set[int]) -> None:
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths):
        limit = 50 if index in wrap else MAX_WIDTH
        sheet.column_dimensions[get_column_letter(index + 1)].width = \
            max(MIN_WIDTH, min(limit, width + 2))


def _write(cell, value: Any, lang: str, joiner: str = "; ") -> int:
    """Write one value as the cell type it is; return how many characters it shows."""
    if value is None or value == [] or value == "":
        return 0  # an empty cell, not an empty text
    if isinstance(value, Quantity):
        number, pattern = number_cell(value.value, value.unit)
        cell.value, cell.number_format = number, pattern
        return len(f"{value.value:,.2f}")
    if isinstance(value, bool):
        cell.value = str(value)
        return 5
    if isinstance(value, (int, float)):
        cell.value, cell.number_format = number_cell(value, None)
        return len(f"{value:,.2f}")
    if isinstance(value, dt.date):
        cell.value, cell.number_format = value, DATE_FORMATS.get(lang, "yyyy-mm-dd")
        return 10
    text = joiner.join(str(v) for v in value) if isinstance(value, (list, tuple)) else value
    cell.value = text
    if isinstance(text, str):
        cell.data_type = "s"  # text, even when it starts with "=": never a formula
        return max((len(line) for line in text.splitlines()), default=0)
    return len(str(text))


def number_cell(value: float, unit: str | None) -> tuple[float, str]:
    """Return the cell value and Excel number format for a number in `unit`: money and counts
    grouped without decimals, percentages as percent cells (45.5 → 0.455 shown 45.5%)."""
    if unit in ("currency", "count"):
        return value, "#,##0"
    decimals = _decimals(value)
    if unit == "percent":
        return value / 100, "0" + ("." + "0" * decimals if decimals else "") + "%"
    return value, "#,##0" + ("." + "0" * decimals if decimals else "")


def _decimals(value: float) -> int:
    """Return the decimals (at most 4) a number needs to show as it was typed."""
    for decimals in range(5):
        if abs(round(value, decimals) - value) < 1e-9:
            return decimals
    return 4


def _plain(value: Any) -> Any:
    """Return lists as '; '-joined text and None as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return value
