"""The review API through the test client and a real server: shapes, stored data, problems."""

import base64
import csv
import io
import json
import urllib.request
from html import escape
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
PLAN = {"org_name": "Công ty An Phát", "lang": "vi", "kpis": [
    {"kpi_id": "sales.revenue", "target": 400, "frequency": "monthly"},
    {"kpi_id": "sales.conversion_rate", "target": 12, "commitment": "aspirational"},
    {"name": "Đại lý mới", "unit": "count", "frequency": "weekly"},
    {"kpi_id": "sales.churn_rate", "target": 3},
]}


def shampoo(count: int = 36) -> list[dict]:
    with (DATA / "series" / "shampoo_sales_monthly.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))[:count]
    return [{"period": r["period"], "value": float(r["value"])} for r in rows]


def review_body(**kpi) -> dict:
    return {"lang": "en", "kpis": [{"name": "Shampoo", "direction": "higher_is_better",
                                    "unit": "count", "frequency": "monthly", "target": 700,
                                    "commitment": "committed", "history": shampoo(), **kpi}]}


def assert_problem(response, status: int, fields: list[str] | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    if fields is not None:
        assert [e["field"] for e in body["errors"]] == fields
    return body


def test_review_answers_in_the_shape_the_issue_gives(client):
    body = client.post("/api/v1/reviews", json=review_body()).get_json()
    kpi = body["kpis"][0]
    assert kpi["name"] == "Shampoo" and kpi["status"] == "ok"
    assert set(kpi["limits"]) >= {"centre", "lower", "upper"}
    assert all(set(s) >= {"rule", "periods"} for s in kpi["signals"])
    assert [f["period"] for f in kpi["forecast"]] == ["1994-01", "1994-02", "1994-03"]
    assert all(f["lower"] <= f["value"] <= f["upper"] for f in kpi["forecast"])
    assert 0 <= kpi["probability_of_target"] <= 1
    suggestion = kpi["suggestion"]
    assert set(suggestion) >= {"action", "committed_target", "committed_probability",
                               "stretch_target", "stretch_probability", "rule", "explanation"}
    assert suggestion["action"] in ("raise", "lower", "keep", "investigate", "change_process")
    assert suggestion["explanation"].startswith("Target 700")
    assert kpi["basis"] == "forecast_residuals" and "forecast errors" in kpi["basis_note"]


def test_review_speaks_vietnamese_and_knows_catalog_kpis(client):
    body = review_body(name=None, kpi_id="sales.churn_rate", direction=None, unit=None,
                       target=None)
    body["lang"] = "vi"
    kpi = client.post("/api/v1/reviews", json=body).get_json()["kpis"][0]
    assert kpi["kpi_id"] == "sales.churn_rate" and kpi["name"] == "Tỷ lệ khách hàng rời bỏ"
    assert kpi["direction"] == "lower_is_better"
    assert kpi["suggestion"]["explanation"].startswith("Chưa có mục tiêu")


def test_short_history_is_insufficient_data_not_a_guess(client):
    kpi = client.post("/api/v1/reviews", json=review_body(history=shampoo(5))).get_json()
    kpi = kpi["kpis"][0]
    assert kpi["status"] == "insufficient_data" and kpi["suggestion"] is None
    assert "Not enough data yet" in kpi["message"] and kpi["limits"] is None


@pytest.mark.parametrize(("change", "fields"), [
    ({"history": [*shampoo(6), {"period": "1992-07", "value": "abc"}]},
     ["kpis.0.history.6.value"]),
    ({"history": [*shampoo(6), {"period": "1992-13", "value": 1}]},
     ["kpis.0.history.6.period"]),
    ({"history": [*shampoo(6), {"period": "1992-W02", "value": 1}]},
     ["kpis.0.history.6.period"]),
    ({"history": [*shampoo(6), {"period": "1991-06", "value": 1}]},
     ["kpis.0.history.6.period"]),
    ({"direction": "sideways"}, ["kpis.0.direction"]),
    ({"commitment": "maybe"}, ["kpis.0.commitment"]),
    ({"frequency": "hourly"}, ["kpis.0.frequency"]),
    ({"colour": "red"}, ["kpis.0.colour"]),
    ({"name": None}, ["kpis.0"]),
    ({"direction": "in_range"}, ["kpis.0"]),
    ({"target": "lots"}, ["kpis.0.target"]),
])
def test_bad_review_input_is_a_422_with_field_paths(client, change, fields):
    assert_problem(client.post("/api/v1/reviews", json=review_body(**change)), 422, fields)


@pytest.mark.parametrize("body", [
    [], "text", {"kpis": []}, {"kpis": None}, {"kpis": [None]}, {"kpis": [{"history": 5}]},
    {"lang": "fr", "kpis": [{"name": "x"}]}, {"kpis": [{"name": "x", "history": [{}]}]},
    {"kpis": [{"name": "x", "target": 1e308, "history": shampoo(8)}]},
])
def test_odd_bodies_are_problems_never_500(client, body):
    response = client.post("/api/v1/reviews", data=json.dumps(body),
                           content_type="application/json")
    assert response.status_code in (200, 422)
    assert response.status_code == 200 or response.mimetype == "application/problem+json"


def test_review_needs_json(client):
    assert_problem(client.post("/api/v1/reviews", data="kpis=1"), 415)


@pytest.fixture
def plan_id(client):
    response = client.post("/api/v1/plans", json=PLAN)
    assert response.status_code == 201
    assert response.headers["Location"].endswith(f"/api/v1/plans/{response.get_json()['id']}")
    return response.get_json()["id"]


def upload(client, plan_id, name: str, lang: str = "en"):
    data = (DATA / "imports" / name).read_bytes()
    return client.post(f"/api/v1/plans/{plan_id}/measurements/import?lang={lang}",
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_plans_are_stored_listed_and_served(client, plan_id):
    plan = client.get(f"/api/v1/plans/{plan_id}").get_json()
    assert plan["plan"]["org_name"] == "Công ty An Phát" and plan["status"] == "draft"
    assert all(isinstance(k["plan_kpi_id"], int) for k in plan["plan"]["kpis"])
    listed = client.get("/api/v1/plans").get_json()["plans"]
    assert [p["id"] for p in listed] == [plan_id] and listed[0]["kpis"] == 4


@pytest.mark.parametrize(("path", "status"), [("/api/v1/plans/999", 404),
                                              ("/api/v1/plans/abc", 404),
                                              ("/api/v1/plans/999/review", 404),
                                              ("/api/v1/plans/1/measurements?history=maybe",
                                               422)])
def test_missing_plans_and_bad_parameters_are_problems(client, plan_id, path, status):
    assert_problem(client.get(path), status)


def test_a_plan_with_an_unknown_catalog_id_is_refused(client):
    body = {"kpis": [{"kpi_id": "sales.nothing"}, {"owner": "Lan"}]}
    assert_problem(client.post("/api/v1/plans", json=body), 422, ["kpis.0.kpi_id",
                                                                  "kpis.1.name"])


def test_import_then_review_the_plan_from_stored_data(client, plan_id):
    first = upload(client, plan_id, "good.csv").get_json()
    again = upload(client, plan_id, "good.csv").get_json()
    assert first == {"inserted": 58, "replaced": 0, "unchanged": 0}
    assert again == {"inserted": 0, "replaced": 0, "unchanged": 58}
    review = client.get(f"/api/v1/plans/{plan_id}/review?lang=en").get_json()
    assert review["quarter"] == "2024-Q4" and review["status"] == "open"
    statuses = [k["status"] for k in review["kpis"]]
    assert statuses == ["ok", "ok", "ok", "insufficient_data"]
    assert review["kpis"][1]["name"] == "Lead-to-customer conversion rate"
    past = client.get(f"/api/v1/plans/{plan_id}/review?quarter=2023-Q4").get_json()
    assert past["kpis"][0]["points"] == 24 and past["kpis"][1]["points"] == 0
    assert_problem(client.get(f"/api/v1/plans/{plan_id}/review?quarter=2024-5"), 422,
                   ["quarter"])


def test_a_bad_import_reports_rows_in_the_asked_language_and_stores_nothing(client, plan_id):
    body = assert_problem(upload(client, plan_id, "bad_many.csv", "vi"), 422)
    assert [(e["line"], e["column"]) for e in body["errors"]] == [
        (3, "value"), (4, "period"), (5, "value"), (6, "value")]  # by line
    assert body["errors"][0]["field"] == "rows.3.value"
    assert body["errors"][0]["message"] == "thiếu giá trị." and body["errors"][0]["fix"]
    stored = client.get(f"/api/v1/plans/{plan_id}/measurements").get_json()
    assert stored["measurements"] == []


def test_import_accepts_base64_json_and_refuses_other_bodies(client, plan_id):
    content = base64.b64encode((DATA / "imports" / "good.xlsx").read_bytes()).decode()
    sent = client.post(f"/api/v1/plans/{plan_id}/measurements/import",
                       json={"filename": "good.xlsx", "content_base64": content})
    assert sent.get_json()["inserted"] == 9
    assert_problem(client.post(f"/api/v1/plans/{plan_id}/measurements/import",
                               json={"filename": "x.csv", "content_base64": "%%%"}), 422,
                   ["content_base64"])
    assert_problem(client.post(f"/api/v1/plans/{plan_id}/measurements/import",
                               data="kpi,period,value", content_type="text/csv"), 415)
    assert_problem(client.post(f"/api/v1/plans/{plan_id}/measurements/import", data={},
                               content_type="multipart/form-data"), 422, ["file"])


def test_measurements_from_json_with_corrections_kept_in_history(client, plan_id):
    url = f"/api/v1/plans/{plan_id}/measurements"
    rows = [{"kpi": "sales.revenue", "period": "2025-01", "value": 410},
            {"kpi": "Doanh thu", "period": "2025-02", "value": 415.5, "note": "Tết"}]
    assert client.post(url, json={"measurements": rows}).get_json()["inserted"] == 2
    fixed = client.post(url, json={"measurements": [{**rows[0], "value": 412}]}).get_json()
    assert fixed == {"inserted": 0, "replaced": 1, "unchanged": 0}
    current = client.get(url).get_json()["measurements"]
    history = client.get(url + "?history=true").get_json()["measurements"]
    assert [r["value"] for r in current] == [412, 415.5]
    assert sorted(r["value"] for r in history) == [410, 412, 415.5]
    assert_problem(client.post(url, json={"measurements": [{**rows[0], "value": -5,
                                                            "kpi": "Đại lý mới",
                                                            "period": "2025-W01"}]}),
                   422, ["measurements.0.value"])
    assert_problem(client.post(url, json={"measurements": []}), 422, ["measurements"])


def _post_json(url: str, body: dict):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get_content_type(), json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get_content_type(), json.load(err)


def test_real_server_reviews_and_reports_problems(live_server):
    status, kind, body = _post_json(f"{live_server}/api/v1/reviews", review_body())
    assert status == 200 and kind == "application/json"
    assert body["kpis"][0]["suggestion"]["rule"]
    status, kind, body = _post_json(f"{live_server}/api/v1/reviews",
                                    review_body(history=[{"period": "x", "value": 1}] * 6))
    assert status == 422 and kind == "application/problem+json"
    assert body["errors"][0]["field"] == "kpis.0.history.0.period"


# The review pages through the test client (the browser tests drive them in Chromium).


def test_review_page_of_a_plan_without_data_invites_an_import(client, plan_id):
    html = client.get(f"/plans/{plan_id}/review?lang=en").get_data(as_text=True)
    assert "No measurements yet" in html and "Not enough data yet" in html
    main = html.split('<main', 1)[1]  # the header holds the sign-out form
    assert main.count('name="csrf_token"') == 2  # the import and the single-entry forms
    assert client.get("/plans/999/review").status_code == 404


def test_review_forms_refuse_a_missing_csrf_token(client, plan_id):
    response = client.post(f"/plans/{plan_id}/review/measurements",
                           data={"kpi": "sales.revenue", "period": "2025-01", "value": "1"})
    assert response.status_code == 400
    assert client.get(f"/api/v1/plans/{plan_id}/measurements").get_json()["measurements"] == []


def test_report_csv_keeps_vietnamese_and_defuses_formulas(client, plan_id):
    upload(client, plan_id, "good.csv")
    client.post(f"/api/v1/plans/{plan_id}/measurements", json={"measurements": [
        {"kpi": "sales.revenue", "period": "2024-12", "value": 646.9, "target": 400}]})
    html = client.get(f"/plans/{plan_id}/review").get_data(as_text=True)
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    ids = [k["plan_kpi_id"] for k in client.get(f"/api/v1/plans/{plan_id}").get_json()
           ["plan"]["kpis"]]
    client.post(f"/plans/{plan_id}/review", data={"csrf_token": token, "quarter": "2024-Q4",
                                                  f"comment-{ids[0]}": "=HYPERLINK(\"x\")",
                                                  "action": "save"})
    response = client.get(f"/plans/{plan_id}/review/report.csv?lang=vi")
    text = response.get_data().decode("utf-8")
    assert response.mimetype == "text/csv" and text.startswith("\ufeffKPI,Đơn vị")
    assert "Doanh thu" in text and "'=HYPERLINK" in text


def test_page_and_report_show_each_kpi_or_why_it_has_no_review(client, plan_id):
    upload(client, plan_id, "good.csv")
    review = client.get(f"/api/v1/plans/{plan_id}/review?lang=en").get_json()
    short = next(k for k in review["kpis"] if k["status"] == "insufficient_data")
    for path in (f"/plans/{plan_id}/review?lang=en", f"/plans/{plan_id}/review/report?lang=en"):
        html = client.get(path).get_data(as_text=True)
        assert html.count('class="insufficient"') == 1, path
        assert escape(short["message"]) in html, path
        assert html.count('class="explanation"') == 3, path  # the three reviewed KPIs
