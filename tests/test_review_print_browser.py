"""The quarterly report printed by Chromium (page.pdf, pages counted with pypdf), and the review
page on a 375 px phone, with real series from tests/data/series."""

import csv
import io
import json
import urllib.request
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import api_headers, browser_sign_in, screenshot

pytestmark = pytest.mark.browser

SERIES = Path(__file__).parent / "data" / "series"
PLAN = {"org_name": "Công ty Bình Minh", "lang": "vi", "kpis": [
    {"name": "Doanh số dầu gội", "unit": "count", "frequency": "monthly", "target": 450},
    {"name": "Doanh số thuốc A10", "unit": "count", "frequency": "monthly", "target": 18},
    {"name": "Người bị thương (UK)", "unit": "count", "frequency": "monthly",
     "direction": "lower_is_better", "target": 1500},
    {"kpi_id": "sales.revenue", "frequency": "monthly", "target": 400},
]}
FILES = ("shampoo_sales_monthly.csv", "a10_monthly.csv", "uk_drivers_ksi_monthly.csv")


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              **api_headers(url)})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _last_36(name: str) -> list[dict]:
    with (SERIES / name).open(newline="") as handle:
        rows = list(csv.DictReader(handle))[-36:]
    return [{"period": r["period"], "value": float(r["value"])} for r in rows]


def stored_plan(base: str) -> int:
    """Return a plan of three KPIs with 36 months each and one with no data yet."""
    plan_id = _post(f"{base}/api/v1/plans", PLAN)["id"]
    rows = [{"kpi": PLAN["kpis"][i]["name"], **point}
            for i, name in enumerate(FILES) for point in _last_36(name)]
    rows[40]["exclude"], rows[40]["note"] = True, "hết hàng"  # a stock-out in the A10 series
    _post(f"{base}/api/v1/plans/{plan_id}/measurements", {"measurements": rows})
    return plan_id


@pytest.fixture
def plan_id(live_server) -> int:
    return stored_plan(live_server)


def _pages(pdf: bytes) -> list[str]:
    """Return each page's text, its lines joined (a narrow column wraps a name)."""
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_report_prints_on_one_a4_page_per_reviewed_kpi_and_a_summary(
        live_server, page, plan_id, lang):
    page.goto(f"{live_server}/plans/{plan_id}/review/report?lang={lang}")
    names = [k.get("name") or "Doanh thu" for k in PLAN["kpis"]]
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    pages = _pages(pdf)
    assert len(pages) == 1 + 3, [p[:80] for p in pages]  # three KPIs have data, one not
    # The summary page lists all four, the KPI without data with its reason.
    assert all(name in pages[0] for name in names[:3])
    for number, name in enumerate(names[:3], start=1):
        # Each reviewed KPI has its own page, and no other KPI's details are on it.
        assert name in pages[number]
        assert not any(other in pages[number] for other in names[:3] if other != name)
    # The numbers table is printed whole on its KPI's page: its last period and forecast.
    assert "2008-09" in pages[2] and "1985-03" in pages[3]
    page.emulate_media(media="print")
    assert page.locator("svg.pbc-compact").first.is_hidden()
    assert page.locator(".numbers table").first.is_visible()


def test_the_review_page_is_readable_on_a_375_px_phone(live_server, browser, plan_id):
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="vi-VN",
                                  device_scale_factor=2)
    phone = context.new_page()
    try:
        browser_sign_in(phone, live_server)
        phone.goto(f"{live_server}/plans/{plan_id}/review?lang=vi")
        wide, compact = phone.locator("svg.pbc").first, phone.locator("svg.pbc-compact").first
        assert wide.is_hidden() and compact.is_visible()
        box = compact.bounding_box()
        assert 300 <= box["width"] <= 375 and box["x"] >= 0
        # Text on the chart is drawn at least 11 px tall: readable without zooming.
        heights = [t.bounding_box()["height"] for t in compact.locator("text").all()[:12]]
        assert heights and min(heights) >= 11, heights
        # Nothing makes the page wider than the phone.
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, width
        assert phone.locator("#kpi-1 .numbers table").is_visible()
        screenshot(phone, "review-page-375")
    finally:
        context.close()
