"""The review page in real Chromium: charts, required comments, imports, report and exports."""

import base64
import json
import urllib.request
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import api_headers, screenshot

pytestmark = pytest.mark.browser

DATA = Path(__file__).parent / "data"
STEADY = [31, 35, 29, 33, 30, 34, 28, 32, 31, 30, 33, 29]
PLAN = {"org_name": "Công ty Bình Minh", "lang": "vi", "kpis": [
    {"kpi_id": "sales.revenue", "target": 400, "frequency": "monthly"},
    {"name": "Khách hàng mới", "unit": "count", "frequency": "monthly", "target": 30},
]}


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              **api_headers(url)})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _get(url: str) -> urllib.request.Request:
    return urllib.request.Request(url, headers=api_headers(url))


def _send_file(base: str, plan_id: int, name: str, content: bytes) -> dict:
    return _post(f"{base}/api/v1/plans/{plan_id}/measurements/import",
                 {"filename": name, "content_base64": base64.b64encode(content).decode()})


@pytest.fixture
def plan_id(live_server) -> int:
    """Return a stored plan: revenue from the shampoo series, new customers with a late spike."""
    plan_id = _post(f"{live_server}/api/v1/plans", PLAN)["id"]
    good = (DATA / "imports" / "good.csv").read_text(encoding="utf-8").splitlines()
    revenue = [good[0]] + [line for line in good if line.startswith("sales.revenue,")]
    _send_file(live_server, plan_id, "revenue.csv", "\n".join(revenue).encode())
    lines = ["kpi,period,value"] + [f"Khách hàng mới,2024-{m:02d},{v}"
                                    for m, v in enumerate(STEADY, start=1)]
    lines[-1] = "Khách hàng mới,2024-12,58"  # a spike: a signal the team has to explain
    _send_file(live_server, plan_id, "spike.csv", "\n".join(lines).encode())
    return plan_id


def _measurement_count(base: str, plan_id: int) -> int:
    url = f"{base}/api/v1/plans/{plan_id}/measurements?history=true"
    with urllib.request.urlopen(_get(url), timeout=30) as response:
        return len(json.load(response)["measurements"])


def test_review_page_draws_charts_with_their_numbers_offline(live_server, page, plan_id):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live_server}/plans/{plan_id}/review?lang=en")
    charts = page.locator("svg.pbc")
    assert charts.count() == 2
    box = charts.first.bounding_box()
    assert charts.first.is_visible() and box["width"] > 300 and box["height"] > 150
    title = charts.first.locator("title").first.text_content()
    assert "Process behaviour chart of Revenue" in title
    # Every line is labelled in words, and the signal is a shape with its own title.
    customers = _kpi_ids(live_server, plan_id)[1]
    spike = page.locator(f"#kpi-{customers} svg g.signal")
    labels = charts.nth(1).locator("text").all_text_contents()
    assert any(t.startswith("Upper limit") for t in labels) and "Target 30" in labels
    assert "2024-12: Point beyond a limit" in spike.all_text_contents()
    table = page.locator(".numbers table").first
    assert table.is_visible() and table.locator("tbody tr").count() == 36 + 3
    assert page.locator(".suggestion").first.is_visible()
    assert all(url.startswith(live_server) for url in requests)
    screenshot(page, "review-page")


def _kpi_ids(base: str, plan_id: int) -> list[int]:
    with urllib.request.urlopen(_get(f"{base}/api/v1/plans/{plan_id}"), timeout=30) as response:
        return [k["plan_kpi_id"] for k in json.load(response)["plan"]["kpis"]]


def test_done_needs_the_comment_shown_next_to_its_field(live_server, page, plan_id):
    revenue, customers = _kpi_ids(live_server, plan_id)
    page.goto(f"{live_server}/plans/{plan_id}/review?lang=en")
    assert "required" in page.inner_text(f"label[for=comment-{customers}]")
    page.fill(f"#comment-{revenue}", "Doanh thu tăng nhờ kênh đại lý mới.")
    page.click("button[value=done]")
    error = page.locator(f"#comment-{customers}-error")
    assert error.is_visible() and "before marking the review done" in error.inner_text()
    assert page.get_attribute(f"#comment-{customers}", "aria-invalid") == "true"
    # The error sits with its field, and what was typed elsewhere is kept.
    field = page.locator(f".field.comment:has(#comment-{customers})")
    assert field.locator(".field-error").count() == 1
    assert page.input_value(f"#comment-{revenue}") == "Doanh thu tăng nhờ kênh đại lý mới."
    assert page.locator(".error-summary").is_visible()
    screenshot(page, "review-comment-required")
    page.fill(f"#comment-{customers}", "Chương trình khuyến mãi tháng 12 kéo thêm khách.")
    page.click("button[value=done]")
    assert "The review is marked done." in page.inner_text(".notice")
    assert "Review done" in page.inner_text(".review-bar .status")
    assert page.input_value(f"#comment-{customers}").startswith("Chương trình")


def test_a_bad_import_lists_every_row_and_imports_nothing(live_server, page, plan_id):
    before = _measurement_count(live_server, plan_id)
    page.goto(f"{live_server}/plans/{plan_id}/review?lang=vi")
    page.set_input_files("#import-file", str(DATA / "imports" / "bad_many.csv"))
    page.click("#import button[type=submit]")
    lines = page.locator(".import-errors tbody tr td:first-child").all_inner_texts()
    # Lines 7 and 8 name a KPI this plan does not have; the other four are bad cells.
    assert sorted(lines) == ["3", "4", "5", "6", "7", "8"]
    assert "Không nhập gì từ bad_many.csv" in page.inner_text(".import-errors")
    assert _measurement_count(live_server, plan_id) == before
    screenshot(page, "review-import-errors")
    page.fill("#entry-period", "2025-01")
    page.fill("#entry-value", "mười hai")
    page.click(".entry-form button[type=submit]")
    assert "không phải là số" in page.inner_text("#entry-value-error")
    assert page.input_value("#entry-value") == "mười hai"
    page.fill("#entry-value", "702,5")
    page.click(".entry-form button[type=submit]")
    assert "1 mới" in page.inner_text(".notice")
    assert _measurement_count(live_server, plan_id) == before + 1


def test_report_prints_and_exports_open_with_vietnamese_intact(live_server, page, plan_id,
                                                               tmp_path):
    page.goto(f"{live_server}/plans/{plan_id}/review/report?lang=vi")
    assert "Rà soát KPI quý 2024-Q4 · Công ty Bình Minh" in page.inner_text("h1")
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()
    assert page.locator("svg.pbc").first.is_visible()
    screenshot(page, "review-report-print")
    page.emulate_media(media="screen")
    with page.expect_download() as download_info:
        page.click("text=Tải Excel (XLSX)")
    download_info.value.save_as(tmp_path / "report.xlsx")
    book = load_workbook(tmp_path / "report.xlsx")
    review = book.worksheets[0]
    assert review.title == "Rà soát 2024-Q4" and review["A1"].value == "KPI"
    assert [row[0].value for row in review.iter_rows(min_row=2)] == ["Doanh thu",
                                                                     "Khách hàng mới"]
    assert book.worksheets[1].max_row == 36 + 12 + 1
    with page.expect_download() as download_info:
        page.click("text=Tải CSV")
    text = Path(download_info.value.path()).read_bytes().decode("utf-8-sig")
    assert text.startswith("KPI,Đơn vị,Chiều tốt") and "Khách hàng mới" in text
    assert "Tìm nguyên nhân" in text  # the spike is to be investigated
