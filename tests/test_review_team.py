"""A review a team can run from the product: the way to it from the plan and the home page, an
import whose frequency differs from the plan's, and its problems reported in file order."""

import base64
import io
import re

import pytest

from advisor.plans import get_plan_version
from advisor.store import open_db
from tests.test_api_review import assert_problem
from tests.test_wizard import build, sid_of, stored, token

PLAN = {"org_name": "Công ty Hoa Sen", "lang": "vi", "kpis": [
    {"kpi_id": "sales.revenue", "target": 400, "frequency": "weekly"},
    {"kpi_id": "sales.conversion_rate", "target": 12, "frequency": "weekly"},
    {"name": "Khách hàng mới", "unit": "count", "frequency": "weekly", "target": 30}]}
MONTHS = [f"{2023 + i // 12}-{i % 12 + 1:02d}" for i in range(18)]


def _eighteen_months(duplicate: bool = True, over_100: bool = True) -> bytes:
    """Return 54 monthly rows (18 months of 3 KPIs), with a repeated period and a 130% value."""
    lines = ["kpi,period,value"]
    for i, month in enumerate(MONTHS):
        lines += [f"sales.revenue,{month},{300 + 7 * (i % 5)}",
                  f"sales.conversion_rate,{month},{11 + (i % 3) * 0.5}",
                  f"Khách hàng mới,{month},{28 + i % 4}"]
    if over_100:
        lines[2 + 3 * 10] = f"sales.conversion_rate,{MONTHS[10]},130"
    if duplicate:
        lines[1 + 3 * 12] = f"sales.revenue,{MONTHS[11]},320"  # 2023-12 again, no 2024-01
    return ("\n".join(lines) + "\n").encode()


def _import(client, plan_id: int, content: bytes, query: str = "lang=vi"):
    return client.post(f"/api/v1/plans/{plan_id}/measurements/import?{query}",
                       data={"file": (io.BytesIO(content), "18-thang.csv")},
                       content_type="multipart/form-data")


@pytest.fixture
def plan_id(client) -> int:
    return client.post("/api/v1/plans", json=PLAN).get_json()["id"]


def test_monthly_values_for_weekly_kpis_are_one_problem_each_and_hide_nothing(client,
                                                                               plan_id):
    body = assert_problem(_import(client, plan_id, _eighteen_months()), 422)
    found = [(e.get("line"), e.get("column")) for e in body["errors"]]
    # One problem per KPI (at its first row), the repeated period and the 130%, in file order.
    assert found == [(2, "period"), (3, "period"), (4, "period"), (33, "value"),
                     (38, "period")]
    frequency = [e for e in body["errors"] if "tần suất" in e["fix"]]
    assert len(frequency) == 3
    assert "hằng tháng" in frequency[0]["message"] and "hằng tuần" in frequency[0]["message"]
    assert "?set_frequency=1" in frequency[0]["fix"] and "weekly" not in str(body)
    assert body["errors"][-1]["message"] == "kỳ 2023-12 lặp lại (dòng 35)."
    assert client.get(f"/api/v1/plans/{plan_id}/measurements").get_json()["measurements"] == []


def test_set_frequency_takes_the_files_frequency_and_keeps_the_old_plan(client, app, plan_id):
    # The fix does not wave the other problems through: still nothing stored.
    assert_problem(_import(client, plan_id, _eighteen_months(), "set_frequency=1"), 422)
    assert client.get(f"/api/v1/plans/{plan_id}").get_json()["plan"]["kpis"][0][
        "frequency"] == "weekly"
    clean = _eighteen_months(duplicate=False, over_100=False)
    answer = _import(client, plan_id, clean, "set_frequency=1&lang=en")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    result = answer.get_json()
    assert result["inserted"] == 54
    assert [(s["frequency"], s["previous"]) for s in result["frequencies_set"]] == [
        ("monthly", "weekly")] * 3
    plan = client.get(f"/api/v1/plans/{plan_id}").get_json()
    assert [k["frequency"] for k in plan["plan"]["kpis"]] == ["monthly"] * 3
    db = open_db(app.config["DATABASE"])
    try:
        before = get_plan_version(db, plan_id, 1)
    finally:
        db.close()
    assert [k.frequency for k in before.plan.kpis] == ["weekly"] * 3
    review = client.get(f"/api/v1/plans/{plan_id}/review?lang=en").get_json()
    assert review["kpis"][0]["frequency"] == "monthly" and review["kpis"][0]["status"] == "ok"


def test_a_file_mixing_frequencies_within_a_kpi_gets_no_frequency_offer(client, plan_id):
    rows = "kpi,period,value\nsales.revenue,2024-01,300\nsales.revenue,2024-02,310\n" \
           "sales.revenue,2024-Q1,900\n"
    body = assert_problem(_import(client, plan_id, rows.encode(), "lang=en"), 422)
    assert all("?set_frequency" not in e["fix"] for e in body["errors"])


def _page_token(client, plan_id: int) -> str:
    html = client.get(f"/plans/{plan_id}/review").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_the_page_offers_one_click_to_set_the_frequency_and_import(client, plan_id):
    csrf = _page_token(client, plan_id)
    clean = _eighteen_months(duplicate=False, over_100=False)
    response = client.post(f"/plans/{plan_id}/review/import?lang=en", data={
        "csrf_token": csrf, "file": (io.BytesIO(clean), "18-thang.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("set the frequency to monthly") == 3
    assert "Revenue: set the frequency to monthly" in html
    kept = re.search(r'name="content_base64" value="([^"]+)"', html).group(1)
    assert base64.b64decode(kept) == clean
    # The one click: the form as the page wrote it.
    response = client.post(f"/plans/{plan_id}/review/import?lang=en", data={
        "csrf_token": csrf, "set_frequency": "1", "filename": "18-thang.csv",
        "content_base64": kept})
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "Saved: 54 new, 0 replaced" in page
    assert "The frequency of 3 KPI(s) now follows the file" in page
    assert [k["frequency"] for k in client.get(f"/api/v1/plans/{plan_id}").get_json()
            ["plan"]["kpis"]] == ["monthly"] * 3


def test_plan_page_links_to_its_review_and_back_and_home_shows_the_last_review(client, app):
    sid = sid_of(build(client))
    _record, plan = stored(app, sid)
    html = client.get(f"/wizard/s/{sid}/plan?lang=en").get_data(as_text=True)
    assert f'href="/plans/{plan.id}/review">Quarterly review</a>' in html
    assert "not reviewed yet" in html
    review = client.get(f"/plans/{plan.id}/review?lang=en").get_data(as_text=True)
    assert f'href="/wizard/s/{sid}/plan">← Back to the KPI plan</a>' in review
    home = client.get("/?lang=en").get_data(as_text=True)
    assert f'href="/plans/{plan.id}/review">Quarterly review</a>' in home
    # A review saved for a quarter shows as the plan's last review, in both lists.
    kpi = plan.kpi_ids[0]
    rows = "\n".join(["kpi,period,value"] + [f"{plan.plan.kpis[0].kpi_id},{m},{100 + i}"
                                             for i, m in enumerate(MONTHS)])
    client.post(f"/api/v1/plans/{plan.id}/measurements/import?set_frequency=1",
                data={"file": (io.BytesIO(rows.encode()), "m.csv")},
                content_type="multipart/form-data")
    client.post(f"/plans/{plan.id}/review", data={"csrf_token": token(client),
                                                  "quarter": "2024-Q2",
                                                  f"comment-{kpi}": "ổn", "action": "save"})
    for page in ("/?lang=en", f"/wizard/s/{sid}/plan?lang=en"):
        html = client.get(page).get_data(as_text=True)
        assert "last: 2024-Q2, Review open" in html, page
