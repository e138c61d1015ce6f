"""Bounded work per request: files past a limit are refused quickly with a clear problem, before
they are read to the end; files within the limits import whole."""

import datetime as dt
import io
import time
import zipfile
from pathlib import Path

import pytest

from advisor.plan_models import Plan
from advisor.plans import create_plan, get_plan
from advisor.review.errors import RowsRejectedError
from advisor.review.importer import import_file
from advisor.review.measurements import plan_measurements
from advisor.review.tables import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_LINES,
    MAX_ROWS,
    MAX_XLSX_UNZIPPED,
)
from catalog.loader import builtin_catalog

IMPORTS = Path(__file__).parent / "data" / "imports"
SHEET = "xl/worksheets/sheet1.xml"
PLAN = {"kpis": [{"name": f"Kênh {i}", "unit": "count", "frequency": "daily"}
                 for i in range(10)]}
_ROW = (b'<row><c t="inlineStr"><is><t>K\xc3\xaanh 0</t></is></c><c t="inlineStr"><is><t>'
        b'2025-01-01</t></is></c><c><v>1</v></c></row>')


@pytest.fixture
def plan(db, workspace_id):
    return get_plan(db, create_plan(db, Plan.model_validate(PLAN), workspace_id=workspace_id))


def problems_of(db, plan, name: str, data: bytes) -> list[str]:
    started = time.perf_counter()
    with pytest.raises(RowsRejectedError) as caught:
        import_file(db, plan, name, data, builtin_catalog())
    problems_of.seconds = time.perf_counter() - started
    assert plan_measurements(db, plan.id, include_replaced=True) == []
    return [p["message"] for p in caught.value.errors_in("en")]


def csv_file(rows: int, extra: str = "") -> bytes:
    """Return a CSV of `rows` daily values spread over the plan's ten KPIs."""
    first = dt.date(2000, 1, 1)
    lines = ["kpi,period,value" + extra]
    lines += [f"Kênh {i % 10},{first + dt.timedelta(days=i // 10)},{i}" for i in range(rows)]
    return "\n".join(lines).encode()


def workbook_with_sheet(write_rows) -> bytes:
    """Return an XLSX file made from the test data's good.xlsx with its sheet replaced by the
    rows `write_rows(out)` streams (so files far larger than memory are cheap to make)."""
    source = zipfile.ZipFile(IMPORTS / "good.xlsx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for info in source.infolist():
            if info.filename != SHEET:
                book.writestr(info.filename, source.read(info.filename))
        with book.open(SHEET, "w", force_zip64=True) as out:
            out.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas'
                      b'.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row>'
                      b'<c t="inlineStr"><is><t>kpi</t></is></c><c t="inlineStr"><is><t>period'
                      b'</t></is></c><c t="inlineStr"><is><t>value</t></is></c></row>')
            write_rows(out)
            out.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def five_million_rows() -> bytes:
    """Return a workbook of under 2 MB whose sheet unzips to 5 million rows (585 MB)."""
    chunk = _ROW * 10_000
    return workbook_with_sheet(lambda out: [out.write(chunk) for _ in range(500)])


def test_a_small_xlsx_that_unzips_to_five_million_rows_is_refused_at_once(db, plan,
                                                                           five_million_rows):
    assert len(five_million_rows) < 2 * 1024 * 1024
    messages = problems_of(db, plan, "bomb.xlsx", five_million_rows)
    assert problems_of.seconds < 1.0, problems_of.seconds
    declared = 5_000_000 * len(_ROW) // 10 ** 6
    assert messages == [f"the Excel file unzips to {declared} MB, more than the "
                        f"{MAX_XLSX_UNZIPPED // 2 ** 20} MiB allowed."]


def test_an_xlsx_within_the_size_but_past_the_rows_stops_reading_there(db, plan):
    data = workbook_with_sheet(lambda out: out.write(_ROW * (MAX_ROWS + 500)))
    messages = problems_of(db, plan, "many.xlsx", data)
    assert messages == [f"the file has more than {MAX_ROWS:,} rows of data."]


def test_a_member_that_inflates_past_its_declared_size_is_unreadable(db, plan):
    """A zip whose directory understates a member's size: zipfile stops at the declared size
    and the CRC check then fails, so the sheet is never read whole."""
    data = bytearray(workbook_with_sheet(lambda out: out.write(_ROW * 50_000)))
    book = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = book.getinfo(SHEET)
    real = info.file_size
    small = (1000).to_bytes(4, "little")
    # Patch the declared size in the local header and the central directory, as a bomb would.
    for at in (info.header_offset + 22, data.rfind(b"PK\x01\x02", 0) + 24):
        if int.from_bytes(data[at:at + 4], "little") == real:
            data[at:at + 4] = small
    messages = problems_of(db, plan, "liar.xlsx", bytes(data))
    assert messages == ["this Excel file cannot be opened."]


@pytest.mark.parametrize(("data", "message"), [
    (csv_file(MAX_ROWS + 1), f"the file has more than {MAX_ROWS:,} rows of data."),
    (b"kpi,period,value\n" + b"\n" * (MAX_LINES + 5) + "Kênh 1,2025-01-01,1\n".encode(),
     f"the file has more than {MAX_LINES:,} lines (empty ones included)."),
    ("kpi,period,value\nKênh 1,2025-01-01,1".encode() + b",x" * MAX_COLUMNS,
     f"line 2 has more than {MAX_COLUMNS} columns."),
    (csv_file(MAX_CELLS // 12 + 1, ",note" + ",n" * 8).replace(b"\n", b",a,b,c,d,e,f,g,h,i\n"),
     f"the file has more than {MAX_CELLS:,} cells with data."),
])
def test_csv_files_past_a_limit_are_refused_with_the_limit_named(db, plan, data, message):
    assert problems_of(db, plan, "big.csv", data) == [message]


def test_a_file_of_exactly_the_largest_size_imports_whole(db, plan):
    result = import_file(db, plan, "full.csv", csv_file(MAX_ROWS), builtin_catalog())
    assert result.inserted == MAX_ROWS
