"""The review page's actions in real Chromium: leave a period out as an assignable cause and
count it again, and set the next target to a suggested level, without any script."""

import json
import urllib.request

import pytest

from tests.conftest import api_headers
from tests.test_review_print_browser import stored_plan

pytestmark = pytest.mark.browser


@pytest.fixture
def plan_id(live_server) -> int:
    return stored_plan(live_server)


def _review(base: str, plan_id: int) -> dict:
    url = f"{base}/api/v1/plans/{plan_id}/review?lang=en"
    with urllib.request.urlopen(urllib.request.Request(url, headers=api_headers(url)),
                                timeout=30) as response:
        return json.load(response)


def test_a_team_marks_a_strike_and_counts_it_again(live_server, page, plan_id):
    page.goto(f"{live_server}/plans/{plan_id}/review?lang=en")
    first = _review(live_server, plan_id)["kpis"][0]
    box = page.locator(f"#exclusion-{first['plan_kpi_id']}-box")
    box.locator("summary").click()
    box.locator("select").select_option("1993-07")
    box.locator("input[name=note]").fill("strike, seven weeks")
    box.get_by_role("button", name="Leave this period out").click()
    assert "1993-07 is now left out of the limits and forecasts." in page.inner_text(".notice")
    row = page.locator(f"#kpi-{first['plan_kpi_id']} tr.excluded-row")
    assert row.count() == 1 and "excluded: strike, seven weeks" in row.inner_text()
    after = _review(live_server, plan_id)["kpis"][0]
    assert "1993-07" not in after["baseline_periods"] and after["limits"] != first["limits"]
    page.locator(f"#exclusion-{first['plan_kpi_id']}-box").get_by_role(
        "button", name="Count it again").click()
    assert "1993-07 counts again." in page.inner_text(".notice")
    assert _review(live_server, plan_id)["kpis"][0]["limits"] == first["limits"]


def test_a_team_sets_the_next_target_to_the_committed_level(live_server, page, plan_id):
    page.goto(f"{live_server}/plans/{plan_id}/review?lang=en")
    kpi = _review(live_server, plan_id)["kpis"][2]  # injuries: raise the target (lower it)
    committed = kpi["suggestion"]["committed_target"]
    page.locator(f"#apply-{kpi['plan_kpi_id']}").get_by_role(
        "button", name="Set the next target to the committed level").click()
    notice = page.inner_text(".notice")
    assert notice.startswith("Next target set: 1,500 → ") and "committed level" in notice
    assert _review(live_server, plan_id)["kpis"][2]["target"] == committed
