"""Apply a suggestion: one action (API, page button, CLI) sets a KPI's next target to the
committed or stretch level; the old target stays in the plan's history; the report shows it."""

import io
import re

import pytest

from advisor.plan_models import Plan
from advisor.plans import create_plan, get_plan, get_plan_version
from advisor.store import ensure_schema, open_db
from tests.conftest import make_account
from tests.test_api_review import assert_problem

# Twelve steady months of new customers around 31 with a target of 20: far below the process,
# so a practitioner raises it, to a committed level inside the natural limits.
STEADY = [31, 35, 29, 33, 30, 34, 28, 32, 31, 30, 33, 29, 32, 34, 30, 31, 33, 29]
MONTHS = [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(len(STEADY))]
PLAN = {"org_name": "Công ty Bình Minh", "lang": "vi", "kpis": [
    {"name": "Khách hàng mới", "unit": "count", "frequency": "monthly", "target": 20},
    {"kpi_id": "sales.revenue", "frequency": "monthly", "target": 400}]}


def _csv() -> bytes:
    lines = ["kpi,period,value"] + [f"Khách hàng mới,{m},{v}"
                                    for m, v in zip(MONTHS, STEADY, strict=True)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def plan_id(client) -> int:
    plan_id = client.post("/api/v1/plans", json=PLAN).get_json()["id"]
    client.post(f"/api/v1/plans/{plan_id}/measurements/import",
                data={"file": (io.BytesIO(_csv()), "khach.csv")},
                content_type="multipart/form-data")
    return plan_id


def _review(client, plan_id: int) -> dict:
    return client.get(f"/api/v1/plans/{plan_id}/review?lang=en").get_json()


def test_the_api_sets_the_next_target_to_the_committed_level(client, app, plan_id):
    review = _review(client, plan_id)
    kpi = review["kpis"][0]
    suggestion = kpi["suggestion"]
    assert suggestion["action"] == "raise"
    committed = suggestion["committed_target"]
    natural = kpi["natural_range_next"]
    assert natural["lower"] < committed < natural["centre"]  # met about 80% of the time
    answer = client.post(f"/api/v1/plans/{plan_id}/review/targets?lang=en",
                         json={"plan_kpi_id": kpi["plan_kpi_id"], "level": "committed"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    change = answer.get_json()
    assert (change["old_target"], change["new_target"], change["level"]) == (
        20, committed, "committed")
    assert change["quarter"] == review["quarter"] == "2025-Q2" and change["plan_version"] == 2
    assert change["changed_by"] == "Owner"  # the token's user
    plan = client.get(f"/api/v1/plans/{plan_id}").get_json()
    assert plan["plan"]["kpis"][0]["target"] == committed
    db = open_db(app.config["DATABASE"])
    try:
        assert get_plan_version(db, plan_id, 1).plan.kpis[0].target == 20
        assert get_plan(db, plan_id).status == "draft"
    finally:
        db.close()
    after = _review(client, plan_id)["kpis"][0]
    assert after["target"] == committed and after["target_changes"] == [change]
    assert after["suggestion"]["action"] != "raise"


@pytest.mark.parametrize(("body", "field"), [
    ({"plan_kpi_id": "first", "level": "committed"}, "plan_kpi_id"),
    ({"level": "bold"}, "level"),
])
def test_the_api_refuses_a_bad_body_naming_the_field(client, plan_id, body, field):
    kpi = _review(client, plan_id)["kpis"][0]["plan_kpi_id"]
    response = client.post(f"/api/v1/plans/{plan_id}/review/targets",
                           json={"plan_kpi_id": kpi, **body})
    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == [field]


def test_a_kpi_without_levels_is_refused_and_nothing_changes(client, plan_id):
    revenue = _review(client, plan_id)["kpis"][1]
    assert revenue["status"] == "insufficient_data"
    response = client.post(f"/api/v1/plans/{plan_id}/review/targets?lang=vi",
                           json={"plan_kpi_id": revenue["plan_kpi_id"], "level": "stretch"})
    problem = assert_problem(response, 422, ["level"])
    assert "chưa đề xuất mức này" in problem["errors"][0]["message"]
    assert client.get(f"/api/v1/plans/{plan_id}").get_json()["plan"]["kpis"][1]["target"] == 400


def test_the_page_button_applies_the_stretch_level_and_the_report_shows_it(client, plan_id):
    html = client.get(f"/plans/{plan_id}/review?lang=en").get_data(as_text=True)
    kpi = _review(client, plan_id)["kpis"][0]
    stretch = kpi["suggestion"]["stretch_target"]
    assert f'form="target-{kpi["plan_kpi_id"]}" name="level" value="stretch"' in html
    assert "Set the next target to the stretch level" in html
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(f"/plans/{plan_id}/review/targets?lang=en", data={
        "csrf_token": csrf, "plan_kpi_id": kpi["plan_kpi_id"], "level": "stretch",
        "quarter": "2025-Q2"})
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    shown = f"20 → {stretch:g} (stretch level"
    assert "Next target set: " + shown in page
    report = client.get(f"/plans/{plan_id}/review/report?lang=en").get_data(as_text=True)
    assert shown in report
    csv_text = client.get(f"/plans/{plan_id}/review/report.csv?lang=en").get_data().decode()
    assert "Target changed" in csv_text.splitlines()[0] and shown in csv_text
    refused = client.post(f"/plans/{plan_id}/review/targets?lang=en", data={
        "plan_kpi_id": kpi["plan_kpi_id"], "level": "stretch"})
    assert refused.status_code == 400  # no CSRF token


def test_cli_imports_excludes_and_applies_a_suggestion(run_cli, tmp_path):
    database = tmp_path / "cli.db"
    db = open_db(database)
    ensure_schema(db)
    workspace = make_account(db, "cli@example.com").workspace_id
    plan_id = create_plan(db, Plan.model_validate(PLAN), workspace_id=workspace)
    db.close()
    file = tmp_path / "khach.csv"
    file.write_bytes(_csv())
    code, out, err = run_cli("plan", "import", str(plan_id), str(file), "--lang", "en")
    assert code == 0 and "Saved: 18 new" in out, err
    code, out, err = run_cli("plan", "exclude", str(plan_id), "Khách hàng mới", "2024-03",
                             "--note", "mất điện", "--lang", "en")
    assert code == 0 and "2024-03 is now left out" in out, err
    code, _out, err = run_cli("plan", "exclude", str(plan_id), "Khách hàng mới", "2031-03",
                              "--note", "x", "--lang", "en")
    assert code == 2 and "'2031-03' is not a stored period of this KPI" in err
    code, out, err = run_cli("plan", "apply-suggestion", str(plan_id), "Khách hàng mới")
    assert code == 0 and "Đã đặt mục tiêu kỳ tới: 20 →" in out and "mức cam kết" in out, err
    code, _out, err = run_cli("plan", "apply-suggestion", str(plan_id), "sales.revenue",
                              "--level", "stretch", "--lang", "en")
    assert code == 2 and "suggests no such level" in err
    code, _out, err = run_cli("plan", "apply-suggestion", str(plan_id), "nope")
    assert code == 2 and "không có chỉ số nope" in err
    db = open_db(database)
    try:
        record = get_plan(db, plan_id)
        assert record.plan.kpis[0].target != 20 and record.version == 2
    finally:
        db.close()
