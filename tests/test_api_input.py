"""Bad input at the web layer is a 4xx problem naming the field, never a 500: one table of the
cases (found by hand fuzzing and schemathesis), each sent through the test client."""

import base64

import pytest

from tests.conftest import assert_contract_kept, new_app
from tests.test_api_review import PLAN, review_body
from tests.test_smart import BASE as SMART_PLAN
from web.contract.plans import NON_BLANK

BIG_ID = str(2**63)
HUGE_ID = "9" * 40
SMART_KPI = SMART_PLAN["kpis"][0]


def nested(depth: int) -> str:
    return '{"kpis": ' + "[" * depth + "]" * depth + "}"


def smart_with(target_text: str) -> str:
    """Return a SMART-check body whose first KPI's target is the raw JSON text given."""
    kpi_id = SMART_KPI["kpi_id"]
    return '{"kpis": [{"kpi_id": "' + kpi_id + '", "owner": "Lan", "target": ' + target_text + "}]}"


MEASURE = "/api/v1/plans/{id}/measurements"
IMPORT = "/api/v1/plans/{id}/measurements/import"

# (method, path, raw JSON body, status, field named in errors[0])
JSON_CASES = [
    ("POST", "/api/v1/reviews", nested(70), 422, "body"),
    ("POST", "/api/v1/reviews", nested(100_000), 422, "body"),
    ("POST", "/api/v1/smart-check", smart_with("NaN"), 422, "kpis.0.target"),
    ("POST", "/api/v1/smart-check", smart_with("Infinity"), 422, "kpis.0.target"),
    ("POST", "/api/v1/smart-check", smart_with("-Infinity"), 422, "kpis.0.target"),
    ("POST", "/api/v1/smart-check", smart_with("1e400"), 422, "kpis.0.target"),
    ("POST", "/api/v1/smart-check", smart_with("9" * 400), 422, "kpis.0.target"),
    ("POST", "/api/v1/smart-check", smart_with("-" + "9" * 400), 422, "kpis.0.target"),
    ("POST", "/api/v1/smart-check", smart_with('"\\ud800"'), 422, "kpis.0.target"),
    ("POST", "/api/v1/recommendations", '{"goals": ["\\udfff"]}', 422, "goals.0"),
    ("POST", "/api/v1/interview/next", '{"answers": {"org_name": "A\\ud83d"}}', 422,
     "answers.org_name"),
    ("POST", MEASURE, '{"measurements": [{"kpi": "sales.revenue", "period": "2025-01", '
     '"value": 1, "note": "Tết \\udc00"}]}', 422, "measurements.0.note"),
    ("POST", MEASURE, '{"measurements": [{"kpi": "sales.revenue", "period": "2025-01", '
     '"\\ud800": 1}]}', 422, "measurements.0.\\ud800"),
    ("POST", MEASURE, '{"measurements": [{"kpi": "sales.revenue", "period": "2025-01", '
     '"value": 1e400}]}', 422, "measurements.0.value"),
    ("POST", MEASURE, '{"measurements": [{"kpi": "sales.revenue", "period": "2025-01", '
     '"value": NaN}]}', 422, "measurements.0.value"),
    ("POST", IMPORT, '{"filename": "a\\ud800.csv", "content_base64": "YQ=="}', 422,
     "filename"),
    ("POST", IMPORT, '{"filename": "a.csv", "content_base64": "ZGF0YQ==✓"}', 422,
     "content_base64"),
    ("POST", IMPORT, '{"filename": "a.csv", "content_base64": "ZGF0YQ="}', 422,
     "content_base64"),
    ("POST", "/api/v1/reviews", '{"kpis": [1, 2', 422, "body"),
    # Found by schemathesis: lax coercion took false for a number and 0 for a date.
    ("POST", "/api/v1/recommendations", '{"goals": ["increase_revenue"], "departments": '
     '["sales"], "monthly_ad_budget": false}', 422, "monthly_ad_budget"),
    ("POST", "/api/v1/interview/next", '{"answers": {"email_list_size": true}}', 422,
     "email_list_size"),
    ("POST", "/api/v1/smart-check", '{"as_of": 0, "kpis": [{"kpi_id": "sales.revenue"}]}', 422,
     "as_of"),
    ("POST", "/api/v1/smart-check", '{"kpis": [{"kpi_id": "sales.revenue", "target": "12"}]}',
     422, "kpis.0.target"),
    # Found by schemathesis: dates centuries apart overflowed the plausibility range (500).
    ("POST", "/api/v1/smart-check", '{"kpis": [{"kpi_id": "sales.revenue", "baseline": 5, '
     '"target": 9, "baseline_date": "0134-07-01", "deadline": "1617-06-18"}]}', 422,
     "kpis.0.baseline_date"),
    ("POST", "/api/v1/plans", '{"kpis": [{"kpi_id": "sales.revenue", "deadline": "2101-01-01"}]}',
     422, "kpis.0.deadline"),
    ("POST", "/api/v1/reviews", b'{"lang": "\xff"}', 422, "body"),
]


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory):
    """Return one app for the table's cases: each is refused, so none changes what is stored."""
    return new_app(tmp_path_factory.mktemp("input"))


@pytest.fixture
def client(shared_app):
    yield shared_app.test_client()
    assert_contract_kept(shared_app)


@pytest.fixture(scope="module")
def plan_id(shared_app):
    return shared_app.test_client().post("/api/v1/plans", json=PLAN).get_json()["id"]


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(("method", "path", "body", "status", "field"), JSON_CASES)
def test_bad_json_is_a_problem_naming_the_field(client, plan_id, method, path, body, status,
                                                field):
    response = client.open(path.format(id=plan_id), method=method, data=body,
                           content_type="application/json")
    assert problem(response, status)["errors"][0]["field"] == field


def test_nothing_of_a_refused_body_is_stored(client, plan_id):
    url = MEASURE.format(id=plan_id)
    assert client.get(url).get_json()["measurements"] == []
    rows = ('{"measurements": [{"kpi": "sales.revenue", "period": "2025-01", "value": 1}, '
            '{"kpi": "sales.revenue", "period": "2025-02", "value": 2, "note": "\\ud800"}]}')
    problem(client.post(url, data=rows, content_type="application/json"), 422)
    assert client.get(url).get_json()["measurements"] == []


API_PLAN_ROUTES = [
    ("GET", "/api/v1/plans/{id}"), ("GET", "/api/v1/plans/{id}/measurements"),
    ("POST", "/api/v1/plans/{id}/measurements"), ("POST", "/api/v1/plans/{id}/measurements/import"),
    ("GET", "/api/v1/plans/{id}/review"),
]
PAGE_PLAN_ROUTES = [
    "/plans/{id}/review", "/plans/{id}/review/report", "/plans/{id}/review/report.csv",
    "/plans/{id}/review/report.xlsx",
]


IDS_THAT_CANNOT_EXIST = [BIG_ID, HUGE_ID, "0", "007", "-1", "1.5", "abc", "१२"]


@pytest.mark.parametrize(("method", "route"), API_PLAN_ROUTES)
def test_plan_ids_that_cannot_exist_are_not_found(client, method, route):
    for ident in IDS_THAT_CANNOT_EXIST:
        response = client.open(route.format(id=ident), method=method,
                               json={"measurements": [{"kpi": "x", "period": "2025-01",
                                                       "value": 1}]})
        problem(response, 404)


@pytest.mark.parametrize("route", PAGE_PLAN_ROUTES)
def test_pages_of_plans_that_cannot_exist_are_not_found(client, route):
    for ident in IDS_THAT_CANNOT_EXIST:
        response = client.get(route.format(id=ident))
        assert response.status_code == 404 and response.mimetype == "text/html", ident


@pytest.mark.parametrize("route", ["/plans/{id}/review", "/plans/{id}/review/import",
                                   "/plans/{id}/review/measurements"])
def test_page_forms_of_plans_that_cannot_exist_are_not_found(client, route):
    client.get("/")
    with client.session_transaction() as session:
        token = session.setdefault("csrf", "t" * 43)
    response = client.post(route.format(id=BIG_ID), data={"csrf_token": token})
    assert response.status_code == 404 and response.mimetype == "text/html"


# (path with its query, field named in errors[0])
QUERY_CASES = [
    ("/api/v1/plans/{id}/review?quarter=0000-Q1", "quarter"),
    ("/api/v1/plans/{id}/review?quarter=2101-Q1", "quarter"),
    ("/api/v1/plans/{id}/review?quarter=1899-Q4", "quarter"),
    ("/api/v1/plans/{id}/review?quarter=2025-Q5", "quarter"),
    ("/api/v1/plans/{id}/review?quarter=", "quarter"),
    ("/api/v1/plans/{id}/review?lang=de", "lang"),
    ("/api/v1/plans/{id}/measurements?history=1", "history"),
    ("/api/v1/kpis?limit=1e3", "limit"),
    ("/api/v1/kpis?offset=" + "9" * 400, "offset"),
    ("/api/v1/kpis?financial=", "financial"),
    ("/api/v1/questions?lang=", "lang"),
    ("/api/v1/kpis/sales.revenue?lang=EN", "lang"),
]


@pytest.mark.parametrize(("path", "field"), QUERY_CASES)
def test_malformed_query_values_are_422_naming_the_parameter(client, plan_id, path, field):
    body = problem(client.get(path.format(id=plan_id)), 422)
    assert body["errors"][0]["field"] == field


def test_a_quarter_in_range_is_reviewed(client, plan_id):
    assert client.get(f"/api/v1/plans/{plan_id}/review?quarter=1900-Q1").status_code == 200
    assert client.get(f"/api/v1/plans/{plan_id}/review?quarter=2100-Q4").status_code == 200


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("POST", "/api/v1/kpis", {"GET", "HEAD", "OPTIONS"}),
    ("DELETE", "/api/v1/plans", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("PUT", "/api/v1/plans/1/measurements", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("GET", "/api/v1/reviews", {"POST", "OPTIONS"}),
    ("PATCH", "/api/v1/openapi.json", {"GET", "HEAD", "OPTIONS"}),
])
def test_405_says_which_methods_are_allowed(client, method, path, allowed):
    response = client.open(path, method=method)
    problem(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == allowed


def test_413_is_a_problem_under_the_api(app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    content = base64.b64encode(b"kpi,period,value\n" * 200).decode()
    response = app.test_client().post(IMPORT.format(id=1),
                                      json={"filename": "a.csv", "content_base64": content})
    problem(response, 413)


def test_a_review_body_at_the_depth_limit_is_read(client):
    body = review_body()
    assert client.post("/api/v1/reviews", json=body).status_code == 200


@pytest.mark.parametrize(("path", "body"), [
    # Found by schemathesis: 3.0 is an integer to JSON Schema, and strict reading refused it.
    ("/api/v1/smart-check", {"max_kpis_per_owner": 3.0, "kpis": [{"kpi_id": "sales.revenue"}]}),
    ("/api/v1/recommendations", {"goals": ["increase_revenue"], "departments": ["sales"],
                                 "max_kpis_per_department": 4.0}),
    # The widest dates and largest values a plan may carry (|v| <= 1e15) still give a
    # plausibility range, not an overflow.
    ("/api/v1/smart-check", {"kpis": [{"kpi_id": "sales.revenue", "baseline": 5e14,
                                       "target": 1e15, "baseline_date": "1900-01-01",
                                       "deadline": "2100-12-31"}]}),
])
def test_valid_bodies_that_once_were_refused_or_broke_are_answered(client, path, body):
    assert client.post(path, json=body).status_code == 200


def test_the_document_states_what_the_handlers_check_beyond_the_models(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    recommend = schemas["RecommendBody"]
    assert recommend["properties"]["goals"]["uniqueItems"] is True
    assert len(recommend["allOf"]) == 3  # a kept KPI belongs to a department in scope
    keep = recommend["properties"]["keep"]["anyOf"][0]["items"]
    assert "sales.revenue" in keep["enum"]
    assert schemas["PlanKpiBody"]["anyOf"][1]["properties"]["name"]["pattern"] == NON_BLANK
    assert schemas["PlanKpiBody"]["properties"]["deadline"]["anyOf"][0]["pattern"].startswith(
        "^(19")
