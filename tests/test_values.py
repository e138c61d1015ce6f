"""Values that cannot break anything: finite numbers of a sane size, periods 1900-2100, text
that can be stored; and a stored value written before these checks spoils only its own KPI."""

import base64
import io
import json
import math

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError

from advisor.plan_models import Plan
from advisor.plans import create_plan, get_plan
from advisor.review.errors import PeriodError, RowsRejectedError
from advisor.review.importer import add_rows
from advisor.review.measurements import save_comments
from advisor.review.models import MAX_TOTAL_POINTS, ReviewRequest
from advisor.review.periods import parse_period
from advisor.review.report import plan_review, quarter_end
from advisor.review.tables import read_number
from advisor.store import open_db
from advisor.values import MAX_MAGNITUDE
from catalog.loader import builtin_catalog

PLAN = {"org_name": "Công ty An Phát", "kpis": [
    {"kpi_id": "sales.revenue", "target": 400, "frequency": "monthly"},
    {"name": "Đại lý mới", "unit": "count", "frequency": "monthly", "target": 110},
]}
LONE = "\ud800"


def strict_json(text: str):
    """Parse JSON as the standard defines it: no NaN or Infinity."""
    def refuse(word: str):
        raise ValueError(f"{word} is not JSON")
    return json.loads(text, parse_constant=refuse)


def history(n: int = 8, start: int = 100) -> list[dict]:
    return [{"period": f"2025-{m:02d}", "value": start + (m * 7) % 11} for m in range(1, n + 1)]


def post_json(client, url: str, body: dict):
    """POST `body` as JSON with every non-ASCII character escaped, as many clients send it (a
    lone surrogate then travels as the six characters \\ud800)."""
    return client.post(url, data=json.dumps(body), content_type="application/json")


def problem_fields(response) -> list[str]:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return [e["field"] for e in response.get_json()["errors"]]


# --- Numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 1e16, -2e15, 10 ** 400])
@pytest.mark.parametrize("field", ["target", "baseline", "target_low"])
def test_plans_refuse_numbers_that_are_not_finite_or_too_large(client, bad, field):
    body = {**PLAN, "kpis": [{**PLAN["kpis"][0], field: bad}]}
    assert problem_fields(client.post("/api/v1/plans", json=body)) == [f"kpis.0.{field}"]
    assert client.get("/api/v1/plans").get_json()["plans"] == []


def test_the_largest_allowed_magnitude_is_accepted(client):
    # Revenue cannot be negative, so the negative end is tried on a score of the plan's own.
    body = {**PLAN, "kpis": [{**PLAN["kpis"][0], "target": MAX_MAGNITUDE, "baseline": 0},
                             {"name": "Điểm riêng", "unit": "score", "baseline": -1e15,
                              "target": 0}]}
    assert client.post("/api/v1/plans", json=body).status_code == 201


@pytest.mark.parametrize(("change", "field"), [
    ({"target": math.nan}, "kpis.0.target"),
    ({"target": 1e300}, "kpis.0.target"),
    ({"history": [*history(7), {"period": "2025-08", "value": 1e308}]}, "kpis.0.history.7.value"),
    ({"history": [*history(7), {"period": "2025-08", "value": 5, "target": -math.inf}]},
     "kpis.0.history.7.target"),
    ({"value_range": {"low": 0, "high": math.inf}}, "kpis.0.value_range.high"),
    ({"value_range": {"low": -1e20}}, "kpis.0"),
])
def test_reviews_refuse_numbers_that_are_not_finite_or_too_large(client, change, field):
    kpi = {"name": "Leads", "unit": "count", "frequency": "monthly", "history": history(),
           **change}
    fields = problem_fields(client.post("/api/v1/reviews", json={"kpis": [kpi]}))
    assert fields == [field]


def test_a_review_request_is_bounded_in_total_points():
    kpi = {"name": "x", "history": [{"period": f"{1900 + i // 12}-{i % 12 + 1:02d}", "value": 1}
                                    for i in range(500)]}
    count = MAX_TOTAL_POINTS // 500 + 1
    with pytest.raises(ValidationError, match=f"at most {MAX_TOTAL_POINTS}"):
        ReviewRequest.model_validate({"kpis": [kpi] * count})
    ReviewRequest.model_validate({"kpis": [kpi] * (count - 1)})


@pytest.mark.parametrize("cell", ["9" * 400, 10 ** 400, 1e16, "-1000000000000001", math.inf])
def test_cells_beyond_the_magnitude_are_problems_not_infinity(cell):
    read = read_number(cell)
    assert isinstance(read, dict), read
    # The limit in each language's own digits.
    assert "±1,000,000,000,000,000" in read["en"] and "±1.000.000.000.000.000" in read["vi"]
    assert len(read["en"]) < 160  # a 400-digit number is shown cut short


def test_an_imported_row_beyond_the_magnitude_names_its_row(db, workspace_id):
    record = get_plan(db, create_plan(db, Plan.model_validate(PLAN), workspace_id=workspace_id))
    items = [{"kpi": "Đại lý mới", "period": "2025-01", "value": 3},
             {"kpi": "Đại lý mới", "period": "2025-02", "value": "9" * 400}]
    with pytest.raises(RowsRejectedError) as caught:
        add_rows(db, record, items, builtin_catalog(), "api")
    assert [p["field"] for p in caught.value.problems] == ["measurements.1.value"]


# --- Periods --------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["0000-01", "1899-12", "2101-01", "9999-12-31", "9999-W52",
                                   "0001-Q1"])
def test_periods_outside_1900_to_2100_are_refused(label):
    with pytest.raises(PeriodError) as caught:
        parse_period(label)
    assert "1900 to 2100" in caught.value.message["en"]
    assert "1900 đến 2100" in caught.value.message["vi"]


@pytest.mark.parametrize("label", ["1900-01", "2100-12", "2100-Q4", "1900-01-01", "2100-W52"])
def test_periods_at_the_edges_are_read(label):
    assert parse_period(label).label == label


def test_a_quarter_outside_the_years_is_a_named_problem(client):
    from advisor.errors import InvalidInputError

    with pytest.raises(InvalidInputError):
        quarter_end("0000-Q1")
    plan_id = client.post("/api/v1/plans", json=PLAN).get_json()["id"]
    assert problem_fields(client.get(f"/api/v1/plans/{plan_id}/review?quarter=0000-Q1")) == [
        "quarter"]


# --- Text -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "field"), [
    ({"org_name": f"An {LONE}Phát"}, "org_name"),
    ({"kpis": [{**PLAN["kpis"][0], "owner": LONE}]}, "kpis.0.owner"),
    ({"kpis": [{"name": f"Đại lý {LONE}", "unit": "count"}]}, "kpis.0.name"),
])
def test_plans_refuse_lone_surrogates_naming_the_field(client, change, field):
    assert problem_fields(post_json(client, "/api/v1/plans", {**PLAN, **change})) == [field]


def test_measurements_refuse_lone_surrogates_and_store_nothing(client):
    plan_id = client.post("/api/v1/plans", json=PLAN).get_json()["id"]
    rows = [{"kpi": "Đại lý mới", "period": f"2025-0{m}", "value": m} for m in range(1, 5)]
    rows[2]["note"] = f"ghi chú {LONE}"
    url = f"/api/v1/plans/{plan_id}/measurements"
    assert problem_fields(post_json(client, url, {"measurements": rows})) == [
        "measurements.2.note"]
    assert client.get(url).get_json()["measurements"] == []


def test_a_field_name_with_a_lone_surrogate_is_named_escaped(client):
    plan_id = client.post("/api/v1/plans", json=PLAN).get_json()["id"]
    row = {"kpi": "Đại lý mới", "period": "2025-01", "value": 1, f"{LONE}x": 2}
    fields = problem_fields(post_json(client, f"/api/v1/plans/{plan_id}/measurements",
                                      {"measurements": [row]}))
    assert fields == ["measurements.0.\\ud800x"]


def test_an_import_refuses_a_file_name_with_a_lone_surrogate(client):
    plan_id = client.post("/api/v1/plans", json=PLAN).get_json()["id"]
    content = base64.b64encode(b"kpi,period,value\nsales.revenue,2025-01,1\n").decode()
    sent = post_json(client, f"/api/v1/plans/{plan_id}/measurements/import",
                     {"filename": f"{LONE}.csv", "content_base64": content})
    assert problem_fields(sent) == ["filename"]


def test_comments_refuse_lone_surrogates(db, workspace_id):
    from advisor.errors import InvalidInputError

    record = get_plan(db, create_plan(db, Plan.model_validate(PLAN), workspace_id=workspace_id))
    with pytest.raises(InvalidInputError) as caught:
        save_comments(db, record.id, "2025-Q1", {record.kpi_ids[0]: f"x{LONE}"})
    assert caught.value.errors[0]["field"] == f"comments.{record.kpi_ids[0]}"


# --- A stored value written before these checks -----------------------------------------------

LEGACY = [("2025-07", 1e308, None), ("2025-08", -math.inf, None), ("9999-12", 5.0, None),
          ("0000-01", 5.0, None), ("2025-09", 120.0, math.inf)]


def _plan_with_legacy_rows(app, workspace_id: int) -> tuple[int, list[int]]:
    """Return a plan whose revenue KPI holds values no check would let in now (written straight
    into the file, as an older version could), and whose other KPI is sound."""
    db = open_db(app.config["DATABASE"])
    record = get_plan(db, create_plan(db, Plan.model_validate(PLAN), workspace_id=workspace_id))
    items = [{"kpi": k, "period": f"2025-{m:02d}", "value": 100 + (m * 7) % 11}
             for k in ("sales.revenue", "Đại lý mới") for m in range(1, 7)]
    add_rows(db, record, items, builtin_catalog(), "api")
    for period, value, target in LEGACY:
        db.execute("INSERT INTO measurements (plan_kpi_id, period, period_key, value, target, "
                   "recorded_at) VALUES (?, ?, 0, ?, ?, '2020-01-01')",
                   [record.kpi_ids[0], period, value, target])
    db.close()
    return record.id, record.kpi_ids


def test_unusable_stored_values_are_set_aside_for_their_kpi_alone(app, client, account):
    plan_id, kpi_ids = _plan_with_legacy_rows(app, account.workspace_id)
    review = strict_json(client.get(f"/api/v1/plans/{plan_id}/review?lang=en").get_data(
        as_text=True))
    revenue, agents = review["kpis"]
    assert review["quarter"] == "2025-Q2"
    assert revenue["status"] == "ok" and revenue["points"] == 6
    flag = next(f for f in revenue["flags"] if f["code"] == "unusable_measurements")
    for period, _value, _target in LEGACY:
        assert period in flag["message"]
    assert agents["status"] == "ok" and not any(
        f["code"] == "unusable_measurements" for f in agents["flags"])
    listed = strict_json(client.get(f"/api/v1/plans/{plan_id}/measurements?history=true")
                         .get_data(as_text=True))["measurements"]
    assert [r["value"] for r in listed if r["period"] == "2025-08"] == [None]
    for path in ("review", "review/report", "review/report.csv", "review/report.xlsx"):
        response = client.get(f"/plans/{plan_id}/{path}")
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
    page = client.get(f"/plans/{plan_id}/review?lang=en").get_data(as_text=True)
    assert "9999-12" in page and "cannot be used" in page
    book = load_workbook(io.BytesIO(client.get(f"/plans/{plan_id}/review/report.xlsx").data))
    assert book.worksheets[1].max_row == 1 + 12 + len(LEGACY)


def test_a_kpi_whose_stored_history_breaks_the_review_is_reported_alone(app, account):
    """Monthly and weekly labels stored for one KPI (no frequency in the plan) cannot be read
    as one history: that KPI is unusable, the other is reviewed."""
    db = open_db(app.config["DATABASE"])
    plan = {**PLAN, "kpis": [{"kpi_id": "sales.revenue"}, PLAN["kpis"][1]]}
    record = get_plan(db, create_plan(db, Plan.model_validate(plan),
                                      workspace_id=account.workspace_id))
    add_rows(db, record, [{"kpi": "Đại lý mới", "period": f"2025-{m:02d}", "value": m}
                          for m in range(1, 9)], builtin_catalog(), "api")
    for i, period in enumerate(["2025-01", "2025-02", "2025-W10", "2025-04", "2025-05",
                                "2025-06"]):
        db.execute("INSERT INTO measurements (plan_kpi_id, period, period_key, value, "
                   "recorded_at) VALUES (?, ?, ?, 100, 'x')", [record.kpi_ids[0], period, i])
    review = plan_review(db, record.id, builtin_catalog())
    assert [k.review.status for k in review.kpis] == ["unusable_data", "ok"]
    assert "other KPIs are not affected" in review.kpis[0].review.message.en
    assert review.kpis[0].review.message.vi
    db.close()


def test_the_plan_form_reports_a_too_large_number_next_to_its_field(client, app):
    from test_wizard import build, sid_of, stored, token

    sid = sid_of(build(client))
    row = stored(app, sid)[1].kpi_ids[0]
    response = client.post(f"/wizard/s/{sid}/plan?lang=en", data={
        "csrf_token": token(client), f"kpi-{row}-owner": "Lan", f"kpi-{row}-target": "1e20"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="kpi-{row}-target-error"' in html and "1,000,000,000,000,000" in html
    assert 'value="1e20"' in html and 'value="Lan"' in html
