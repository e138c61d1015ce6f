"""The catalog API through Flask's test client and through a real server on a free port."""

import json
import re
import urllib.error
import urllib.request

import pytest
from openapi_spec_validator import validate

from catalog.loader import builtin_catalog

KPI_FIELDS = {
    "id", "department", "name", "definition", "formula", "unit", "direction", "financial",
    "perspective", "indicator", "frequency", "data_sources", "owner_role", "goals", "pitfalls",
    "counter_kpis", "related", "benchmarks", "channels", "value_range", "data_requirements",
    "fits", "misfits", "primary_goal", "headline_for", "measures", "change_pace",
}


def test_list_without_query_pages_through_the_whole_catalog(client):
    body = client.get("/api/v1/kpis?limit=200").get_json()
    assert body["total"] == len(builtin_catalog().kpis)
    assert body["limit"] == 200 and body["offset"] == 0
    assert len(body["items"]) == min(200, body["total"])
    assert set(body["items"][0]) == KPI_FIELDS
    assert set(body["items"][0]["name"]) == {"vi", "en"}


@pytest.mark.parametrize(("lang", "expected"), [("vi", "Doanh số bán hàng"),
                                                ("en", None)])
def test_lang_gives_plain_strings(client, lang, expected):
    body = client.get(f"/api/v1/kpis?q=doanh%20so&lang={lang}").get_json()
    first = body["items"][0]
    assert first["id"] == "sales.sales_volume"
    assert isinstance(first["name"], str) and isinstance(first["pitfalls"][0], str)
    assert first["name"] == (expected or builtin_catalog().by_id["sales.sales_volume"].name.en)


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ("department=branding", lambda k: k["department"] == "branding"),
        ("financial=true", lambda k: k["financial"] is True),
        ("financial=false", lambda k: k["financial"] is False),
        ("perspective=learning_growth", lambda k: k["perspective"] == "learning_growth"),
        ("indicator=leading", lambda k: k["indicator"] == "leading"),
        ("goal=retain_customers", lambda k: "retain_customers" in k["goals"]),
        ("q=email&department=marketing", lambda k: k["department"] == "marketing"),
    ],
)
def test_filters(client, params, check):
    body = client.get(f"/api/v1/kpis?{params}&limit=200").get_json()
    assert body["total"] > 0 and body["items"]
    assert all(check(k) for k in body["items"])


@pytest.mark.parametrize(
    ("params", "field", "allowed"),
    [
        ("limit=0", "limit", "greater than or equal to 1"),
        ("limit=500", "limit", "less than or equal to 200"),
        ("limit=abc", "limit", "valid integer"),
        ("offset=-1", "offset", "greater than or equal to 0"),
        ("department=hr", "department", '"hr" không phải một trong các giá trị được phép: sales, '
         "marketing, branding"),
        ("lang=fr", "lang", "vi, en"),
        ("financial=maybe", "financial", "true or false"),
        ("perspective=money", "perspective", "financial, customer, internal_process"),
        ("indicator=soon", "indicator", "leading, lagging"),
        ("goal=be_rich", "goal", "increase_revenue"),
        ("q=" + "x" * 201, "q", "at most 200 characters"),
    ],
)
def test_bad_parameters_are_problems_naming_field_and_allowed_values(client, params, field,
                                                                      allowed):
    response = client.get(f"/api/v1/kpis?{params}")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert {"type", "title", "status", "detail", "errors"} <= set(body)
    assert body["errors"][0]["field"] == field
    assert allowed in body["errors"][0]["message"]
    if "allowed" in body["errors"][0]:  # a list of words: each one, as a program can read
        assert ", ".join(body["errors"][0]["allowed"]) in body["errors"][0]["message"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_kpi_shows_where_it_fits_what_it_is_for_and_the_data_it_needs(client, lang):
    entry = builtin_catalog().by_id["sales.store_conversion_rate"]
    body = client.get(f"/api/v1/kpis/{entry.id}?lang={lang}").get_json()
    assert body["data_requirements"] == [["pos"], ["footfall_counter"]]
    assert body["fits"]["channels"] == ["retail_stores"]
    assert body["fits"]["why"] == entry.fits.why.pick(lang)
    assert body["misfits"] and body["misfits"][0]["industries"] == ["food_beverage"]
    assert body["misfits"][0]["why"] == entry.misfits[0].why.pick(lang)
    assert body["primary_goal"] == "improve_conversion"
    assert body["measures"] == "store_conversion_rate" and body["change_pace"]
    both = client.get(f"/api/v1/kpis/{entry.id}").get_json()
    assert set(both["fits"]["why"]) == {"vi", "en"}


def test_every_kpi_shows_its_context_purpose_and_requirements_as_the_catalog_has_them(client):
    catalog = builtin_catalog()
    seen = 0
    for offset in range(0, len(catalog.kpis), 200):
        page = client.get(f"/api/v1/kpis?limit=200&offset={offset}&lang=en").get_json()
        for item in page["items"]:
            kpi = catalog.by_id[item["id"]]
            assert item["primary_goal"] == kpi.primary_goal
            assert item["headline_for"] == kpi.headline_for and item["measures"] == kpi.measures
            assert item["data_requirements"] == kpi.requirements()
            assert [m["why"] for m in item["misfits"]] == [m.why.en for m in kpi.misfits]
            fits = {k: v for k, v in (item["fits"] or {}).items() if v and k != "why"}
            assert fits == (kpi.fits.conditions() if kpi.fits else {})
            seen += 1
    assert seen == len(catalog.kpis)


def test_one_kpi_has_every_field(client):
    body = client.get("/api/v1/kpis/sales.conversion_rate").get_json()
    assert set(body) == KPI_FIELDS
    assert body["id"] == "sales.conversion_rate"
    english = client.get("/api/v1/kpis/sales.conversion_rate?lang=en").get_json()
    assert english["definition"] == body["definition"]["en"]
    assert body["value_range"] == {"low": 0, "high": 100}  # a share: the unit's range


def test_value_range_is_the_kpis_own_where_the_unit_would_be_wrong(client):
    ranges = {kpi_id: client.get(f"/api/v1/kpis/{kpi_id}").get_json()["value_range"]
              for kpi_id in ("sales.net_revenue_retention", "sales.revenue_growth_rate",
                             "branding.net_promoter_score", "sales.revenue")}
    assert ranges == {"sales.net_revenue_retention": {"low": 0, "high": None},
                      "sales.revenue_growth_rate": {"low": -100, "high": None},
                      "branding.net_promoter_score": {"low": -100, "high": 100},
                      "sales.revenue": {"low": 0, "high": None}}


@pytest.mark.parametrize("path", ["/api/v1/kpis/sales.nope", "/api/v1/kpis/%00%ff",
                                  "/api/v1/nothing", "/api/v1/kpis/sales.revenue?lang=xx"])
def test_errors_are_problem_json(client, path):
    response = client.get(path)
    assert response.status_code in (404, 422)
    assert response.mimetype == "application/problem+json"
    assert "Traceback" not in response.get_data(as_text=True)


def test_wrong_method_is_a_problem(client):
    response = client.post("/api/v1/kpis")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"


def test_openapi_is_valid_and_covers_every_endpoint(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)
        for name, converter in rule._converters.items():
            parameter = next(p for p in spec["paths"][path][method.lower()]["parameters"]
                             if p["name"] == name)
            if type(converter).__name__ == "Id64Converter":
                assert parameter["schema"] == {"type": "integer", "minimum": 1,
                                               "maximum": 2**63 - 1}


def _bare_objects(value, where=""):
    """Yield the places where a schema is an object that says nothing of its fields."""
    if isinstance(value, dict):
        if value.get("type") == "object" and not ({"properties", "additionalProperties",
                                                    "$ref", "anyOf", "oneOf"} & set(value)):
            yield where
        for key, child in value.items():
            yield from _bare_objects(child, f"{where}/{key}")
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _bare_objects(child, f"{where}/{i}")


def test_openapi_has_no_bare_objects_and_declares_every_status(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert list(_bare_objects(spec)) == []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            responses = op["responses"]
            assert {"401", "403", "405", "429", "500"} <= set(responses), (method, path)
            assert "Allow" in responses["405"]["headers"]
            if "{" in path:
                assert "404" in responses, (method, path)
            if "requestBody" in op:
                assert {"400", "413", "415", "422"} <= set(responses), (method, path)
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/problem+json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Problem"}
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert set(problem["properties"]) >= {"type", "title", "status", "detail", "errors"}
    assert spec["paths"]["/api/v1/plans"]["post"]["responses"]["201"]["headers"]["Location"]


def test_text_fields_are_declared_in_both_shapes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    answer = spec["paths"]["/api/v1/kpis/{kpi_id}"]["get"]["responses"]["200"]
    shapes = answer["content"]["application/json"]["schema"]["anyOf"]
    assert shapes == [{"$ref": "#/components/schemas/Kpi"},
                      {"$ref": "#/components/schemas/KpiInLang"}]
    assert schemas["Kpi"]["properties"]["name"] == {"$ref": "#/components/schemas/Text"}
    assert schemas["KpiInLang"]["properties"]["name"]["type"] == "string"
    assert set(schemas["Kpi"]["properties"]) == KPI_FIELDS
    assert schemas["Kpi"]["additionalProperties"] is False


def test_docs_page_works_offline(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/kpis" in html
    assert "http://" not in html.replace("http://localhost", "") and "https://" not in html


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get_content_type(), json.load(err)


def test_real_server_answers_search_and_problems(live_server):
    status, kind, body = _get(f"{live_server}/api/v1/kpis?q=ty%20le%20chuyen%20doi&lang=vi")
    assert status == 200 and kind == "application/json"
    assert "sales.conversion_rate" in [k["id"] for k in body["items"][:3]]
    status, kind, body = _get(f"{live_server}/api/v1/kpis?limit=9999")
    assert status == 422 and kind == "application/problem+json"
    assert body["errors"][0]["field"] == "limit"
