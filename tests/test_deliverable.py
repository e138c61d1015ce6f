"""The deliverable's content and exports, built from a stored plan on a real SQLite file and
opened as a client would (openpyxl, csv)."""

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from advisor.deliverable.dictionary import plan_dictionary
from advisor.deliverable.sheets import dictionary_csv, plan_csv, plan_xlsx
from advisor.exports import Quantity, number_csv, safe_cell
from advisor.plan_models import Plan
from advisor.plans import create_plan, get_plan
from advisor.smart import check_plan
from catalog.loader import builtin_catalog

TODAY = dt.date(2026, 3, 31)
PLAN = {
    "org_name": "Công ty Bình Minh", "goals": ["increase_revenue", "improve_profitability"],
    "departments": ["sales"], "data_sources": ["crm", "accounting"],
    "kpis": [
        {"kpi_id": "sales.revenue", "department": "sales", "owner": "+84 912 345 678",
         "report_to": "=HYPERLINK(\"x\")", "baseline": 10_000_000_000,
         "baseline_date": "2026-03-31", "target": 12_000_000_000, "deadline": "2026-12-31",
         "frequency": "monthly", "data_source": "accounting", "commitment": "committed"},
        {"kpi_id": "sales.gross_margin", "department": "sales", "owner": "-Trần Thị Bình",
         "baseline": 22.5, "target": 25, "deadline": "2026-12-31", "frequency": "monthly",
         "data_source": "accounting"},
        {"name": "Đại lý mới", "department": "sales", "unit": "count", "target": 40,
         "direction": "higher_is_better"},
    ],
}


@pytest.fixture
def stored(db, workspace_id):
    """Return the stored plan and its SMART check."""
    record = get_plan(db, create_plan(db, Plan.model_validate(PLAN), workspace_id=workspace_id))
    check = check_plan(record.plan.model_copy(update={"as_of": TODAY}), builtin_catalog())
    return record, check


@pytest.mark.parametrize(("value", "text"), [
    (12_000_000_000.0, "12000000000"), (40.0, "40"), (12.5, "12.5"), (-3.0, "-3"),
    (0.1 + 0.2, "0.3"), (1e15, "1000000000000000"), (0.000123, "0.000123"),
])
def test_csv_numbers_are_written_as_people_write_them(value, text):
    assert number_csv(value) == text


@pytest.mark.parametrize(("text", "safe"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+84 912 345 678", "'+84 912 345 678"),
    ("-Trần Thị Bình", "'-Trần Thị Bình"), ("@SUM(A1)", "'@SUM(A1)"), ("-5", "-5"),
    ("Chị Lan", "Chị Lan"),
])
def test_csv_neutralises_only_what_a_spreadsheet_would_run(text, safe):
    assert safe_cell(text) == safe


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_dictionary_holds_every_fact_of_each_kpi(stored, lang):
    record, check = stored
    revenue, margin, custom = plan_dictionary(record, check, lang, builtin_catalog())
    catalog = builtin_catalog().by_id["sales.revenue"]
    assert revenue.definition == catalog.definition.pick(lang)
    assert revenue.formula == catalog.formula.pick(lang)
    assert revenue.row_id == record.kpi_ids[0] and revenue.kpi_id == "sales.revenue"
    assert revenue.financial == ("Tài chính" if lang == "vi" else "Financial")
    assert revenue.indicator == ("Chỉ số kết quả" if lang == "vi" else "Lagging")
    assert revenue.target == Quantity(12_000_000_000, "currency")
    assert revenue.counter_kpis and revenue.pitfalls
    # The margin guards revenue in this plan, and carries a benchmark with its source.
    assert margin.guards == [catalog.name.pick(lang)]
    assert margin.benchmarks and "Damodaran" in margin.benchmarks[0].source
    assert revenue.statement == (
        "Tăng doanh thu từ 10.000.000.000 ₫ lên 12.000.000.000 ₫ trước 31/12/2026"
        if lang == "vi" else
        "Raise revenue from 10,000,000,000 VND to 12,000,000,000 VND by Dec 31, 2026")
    assert ("Đo hằng tháng từ" if lang == "vi" else "Measured monthly from") in revenue.rhythm
    assert custom.name == "Đại lý mới" and custom.definition is None
    assert "[…]" in custom.statement


def _sheet_rows(sheet):
    """Return the header row's titles and the data rows below it, keyed by title."""
    header_row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value)
    titles = [c.value for c in header_row]
    data = [dict(zip(titles, row, strict=False))
            for row in sheet.iter_rows(min_row=header_row[0].row + 1)]
    return header_row[0].row, titles, data


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_workbook_opens_with_typed_cells_formats_widths_and_titles(stored, lang):
    record, check = stored
    book = load_workbook(io.BytesIO(plan_xlsx(record, check, lang, builtin_catalog(), TODAY)))
    vi = lang == "vi"
    assert book.sheetnames == (["Kế hoạch KPI", "Từ điển KPI", "Khoảng trống SMART"] if vi
                               else ["KPI plan", "KPI dictionary", "SMART gaps"])
    plan = book.worksheets[0]
    assert plan["A1"].value == ("Kế hoạch KPI — Công ty Bình Minh — lập ngày 31/03/2026" if vi
                                else "KPI plan — Công ty Bình Minh — made on Mar 31, 2026")
    header, titles, rows = _sheet_rows(plan)
    assert plan.freeze_panes == f"A{header + 1}"
    target = "Mục tiêu" if vi else "Target"
    revenue, margin, custom = rows
    assert revenue[target].value == 12_000_000_000 and revenue[target].data_type == "n"
    assert revenue[target].number_format == "#,##0"
    assert margin[target].value == pytest.approx(0.25) and margin[target].number_format == "0%"
    baseline = "Mức hiện tại" if vi else "Baseline"
    assert margin[baseline].number_format == "0.0%"
    assert custom[target].value == 40 and custom[target].number_format == "#,##0"
    deadline = revenue["Hạn chót" if vi else "Deadline"]
    assert deadline.is_date and deadline.value.date() == dt.date(2026, 12, 31)
    assert deadline.number_format == ("dd/mm/yyyy" if vi else "mmm d, yyyy")
    owner, report_to = ("Người phụ trách", "Báo cáo cho") if vi else ("Owner", "Reports to")
    # Text typed as text is kept as typed and never becomes a formula.
    assert revenue[owner].value == "+84 912 345 678" and revenue[owner].data_type == "s"
    assert margin[owner].value == "-Trần Thị Bình"
    assert revenue[report_to].value == "=HYPERLINK(\"x\")"
    assert revenue[report_to].data_type == "s"
    widths = {c: plan.column_dimensions[c].width for c in "ABCD"}
    assert all(w >= 6 for w in widths.values()) and widths["D"] > widths["B"]

    dictionary = book.worksheets[1]
    assert dictionary["A1"].value.startswith("Từ điển KPI — Công ty Bình Minh" if vi
                                             else "KPI dictionary — Công ty Bình Minh")
    _header, titles, rows = _sheet_rows(dictionary)
    for title in (["Định nghĩa", "Công thức", "Đơn vị", "Chiều tốt", "KPI đối trọng",
                   "Cạm bẫy thường gặp", "Mức tham chiếu (nguồn)", "Dẫn dắt / kết quả"] if vi
                  else ["Definition", "Formula", "Unit", "Direction", "Counter-KPIs",
                        "Common pitfalls", "Benchmark (source)", "Leading or lagging"]):
        assert title in titles
    margin_row = rows[1]
    bench = margin_row["Mức tham chiếu (nguồn)" if vi else "Benchmark (source)"].value
    assert ("22,68%" if vi else "22.68%") in bench and "Damodaran" in bench
    assert margin_row["Định nghĩa" if vi else "Definition"].alignment.wrap_text
    gaps = book.worksheets[2]
    assert gaps.max_row > 3


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_csv_files_keep_numbers_plain_and_text_safe(stored, lang):
    record, check = stored
    text = plan_csv(record, check, lang, builtin_catalog())
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    vi = lang == "vi"
    target = "Mục tiêu" if vi else "Target"
    assert [r[target] for r in rows] == ["12000000000", "25", "40"]
    assert rows[1]["Mức hiện tại" if vi else "Baseline"] == "22.5"
    assert rows[0]["Hạn chót" if vi else "Deadline"] == "2026-12-31"
    assert rows[0]["Người phụ trách" if vi else "Owner"] == "'+84 912 345 678"
    cells = [c for row in csv.reader(io.StringIO(text[1:])) for c in row]
    assert not [c for c in cells if re.fullmatch(r"-?\d+\.0|.*e\+\d+", c)]
    dictionary = list(csv.DictReader(io.StringIO(
        dictionary_csv(record, check, lang, builtin_catalog())[1:])))
    assert len(dictionary) == 3
    assert dictionary[0]["Mã KPI" if vi else "KPI id"] == "sales.revenue"
    assert dictionary[0]["Định nghĩa" if vi else "Definition"].startswith(
        builtin_catalog().by_id["sales.revenue"].definition.pick(lang)[:20])
