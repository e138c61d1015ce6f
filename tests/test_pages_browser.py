"""The plain pages in real Chromium: language switch, offline API docs."""

import pytest

from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def test_home_switches_language_and_keeps_the_page(live_server, page):
    page.goto(live_server + "/?lang=vi")
    assert "Chọn, kiểm tra và rà soát KPI" in page.inner_text("main")
    page.click("a.lang-switch")
    assert "Choose, check and review KPIs" in page.inner_text("main")
    assert page.url.endswith("/?lang=en")
    screenshot(page, "home-en")


def test_api_docs_render_offline(live_server, page):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(live_server + "/api/v1/docs")
    assert page.locator("section.endpoint").count() >= 3
    assert all(url.startswith(live_server) for url in requests)
    screenshot(page, "api-docs")
