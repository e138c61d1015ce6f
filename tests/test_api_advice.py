"""The interview, recommendation and SMART-check endpoints, through the test client and a real
server."""

import json
import urllib.request

import pytest

from catalog.vocab import DATA_SOURCES, INDUSTRIES, REVENUE_MODELS
from tests.test_recommend import B2B_STARTUP
from tests.test_smart import BASE as SMART_PLAN

NEW_SOURCES = ("loyalty_program", "marketplace_center", "erp", "dms", "footfall_counter",
               "market_research", "product_analytics")


def test_questions_in_each_language(client):
    vi = client.get("/api/v1/questions?lang=vi").get_json()["questions"]
    en = client.get("/api/v1/questions?lang=en").get_json()["questions"]
    both = client.get("/api/v1/questions").get_json()["questions"]
    assert [q["id"] for q in vi] == [q["id"] for q in en] == [q["id"] for q in both]
    assert vi[0]["text"] != en[0]["text"] and set(both[0]["text"]) == {"vi", "en"}
    goals = next(q for q in en if q["id"] == "goals")
    assert {"value": "increase_revenue", "label": "Increase revenue"} in goals["options"]


@pytest.mark.parametrize(("lang", "label", "description"), [
    ("vi", "Khách quay lại mua (không cần hợp đồng)", "khách quen tự quay lại mua"),
    ("en", "Repeat (customers come back without a contract)", "regulars come back by choice"),
])
def test_questions_ask_the_industry_and_the_revenue_model_with_descriptions(client, lang, label,
                                                                          description):
    listed = client.get(f"/api/v1/questions?lang={lang}").get_json()["questions"]
    ids = [q["id"] for q in listed]
    assert ids.index("departments") < ids.index("industry") < ids.index("revenue_model") \
        < ids.index("business_model")
    by_id = {q["id"]: q for q in listed}
    assert [o["value"] for o in by_id["industry"]["options"]] == list(INDUSTRIES)
    assert all(o["description"] for o in by_id["industry"]["options"])
    repeat = next(o for o in by_id["revenue_model"]["options"] if o["value"] == "repeat")
    assert repeat["label"] == label and description in repeat["description"]
    sources = {o["value"]: o["label"] for o in by_id["data_sources"]["options"]}
    for word in NEW_SOURCES:
        assert sources[word] and sources[word] != word
    both = {q["id"]: q for q in client.get("/api/v1/questions").get_json()["questions"]}
    assert set(both["revenue_model"]["options"][0]["description"]) == {"vi", "en"}


def test_interview_next_asks_industry_then_revenue_model_and_skips_it_for_a_non_profit(client):
    start = {"org_name": "X", "goals": ["increase_revenue"], "departments": ["sales"]}
    step = client.post("/api/v1/interview/next", json={"answers": start, "lang": "en"}).get_json()
    assert step["question"]["id"] == "industry"
    assert step["question"]["text"] == "Which industry is the client in?"
    step = client.post("/api/v1/interview/next", json={
        "answers": {**start, "industry": "retail"}, "lang": "vi"}).get_json()
    assert step["question"]["id"] == "revenue_model"
    assert step["question"]["text"] == "Doanh thu chủ yếu đến theo cách nào?"
    step = client.post("/api/v1/interview/next", json={
        "answers": {**start, "industry": "nonprofit", "revenue_model": "repeat"}}).get_json()
    assert step["question"]["id"] == "business_model" and step["dropped"] == ["revenue_model"]


def test_interview_next_walks_and_drops(client):
    first = client.post("/api/v1/interview/next", json={"answers": {}, "lang": "en"}).get_json()
    assert first["question"]["id"] == "org_name" and not first["done"]
    changed = client.post("/api/v1/interview/next", json={
        "answers": {"org_name": "X", "departments": ["branding"], "channels": ["email"]},
    }).get_json()
    assert changed["dropped"] == ["channels"]


def test_recommendations_answer_has_the_documented_shape(client):
    body = client.post("/api/v1/recommendations", json={**B2B_STARTUP, "lang": "vi"}).get_json()
    assert set(body) >= {"kpis", "balance", "alternatives", "warnings", "trace"}
    for item in body["kpis"]:
        assert {"id", "department", "financial", "perspective", "indicator", "reasons"} <= set(item)


def test_smart_check_answers_gaps(client):
    plan = json.loads(json.dumps(SMART_PLAN))
    plan["kpis"][0]["owner"] = None
    body = client.post("/api/v1/smart-check", json=plan).get_json()
    assert body["kpis"][0]["gaps"][0]["code"] == "owner.none"
    assert body["kpis"][0]["score"] == 5 and body["ready"] is False


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/recommendations", {**B2B_STARTUP, "goals": ["world_peace"]}, "goals.0"),
        ("/api/v1/recommendations", {**B2B_STARTUP, "departments": []}, "departments"),
        ("/api/v1/recommendations", {**B2B_STARTUP, "keep": ["sales.none"]}, "keep.0"),
        ("/api/v1/recommendations", {**B2B_STARTUP, "channels": "email"}, "channels"),
        ("/api/v1/recommendations", {**B2B_STARTUP, "lang": "fr"}, "lang"),
        ("/api/v1/recommendations", [1, 2], "body"),
        ("/api/v1/interview/next", {"answers": {"stage": "old"}}, "stage"),
        ("/api/v1/interview/next", {"answers": {"industry": "bakery"}}, "industry"),
        ("/api/v1/recommendations", {**B2B_STARTUP, "revenue_model": "rent"}, "revenue_model"),
        ("/api/v1/smart-check", {**SMART_PLAN, "kpis": []}, "kpis"),
        ("/api/v1/smart-check", {**SMART_PLAN, "kpis": [{"kpi_id": "x.y"}]}, "kpis.0.kpi_id"),
        ("/api/v1/smart-check",
         {**SMART_PLAN, "kpis": [{**SMART_PLAN["kpis"][0], "deadline": "tomorrow"}]},
         "kpis.0.deadline"),
        ("/api/v1/smart-check",
         {**SMART_PLAN, "kpis": [{**SMART_PLAN["kpis"][0], "target": "lots"}]},
         "kpis.0.target"),
    ],
)
def test_bad_bodies_are_422_problems_naming_the_field(client, path, body, field):
    response = client.post(path, json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"][0]["field"] == field


BAD_CONTEXT = [
    ("industry", "bakery", INDUSTRIES),
    ("revenue_model", "subscription", REVENUE_MODELS),
    ("data_sources", ["crm", "loyalty_card"], DATA_SOURCES),
]


@pytest.mark.parametrize(("name", "value", "allowed"), BAD_CONTEXT)
@pytest.mark.parametrize(("lang", "says"), [("vi", "không phải một trong các giá trị được phép"),
                                            ("en", "is not one of the allowed values")])
@pytest.mark.parametrize("path", ["/api/v1/recommendations", "/api/v1/interview/next"])
def test_unknown_context_words_are_422_naming_the_field_and_the_allowed_words(
        client, path, name, value, allowed, lang, says):
    answers = {**B2B_STARTUP, name: value}
    body = {**answers, "lang": lang} if "recommend" in path else {"answers": answers,
                                                                    "lang": lang}
    response = client.post(path, json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    field = name + (".1" if isinstance(value, list) else "")
    error = next(e for e in problem["errors"] if e["field"] == field)
    assert error["allowed"] == list(allowed)
    given = value[1] if isinstance(value, list) else value
    assert says in error["message"] and f'"{given}"' in error["message"]
    assert all(word in error["message"] for word in allowed)
    assert field in problem["detail"]


@pytest.mark.parametrize(("raw", "quoted"), [
    ('"' + "x" * 5000 + '"', '"' + "x" * 58 + "…"),
    ('"tiệm bánh"', '"tiệm bánh"'),
    ('["retail"]', '["retail"]'),
])
def test_a_refused_word_is_quoted_short_and_writable(client, raw, quoted):
    body = '{"goals": ["increase_revenue"], "departments": ["sales"], "lang": "en", ' \
        f'"industry": {raw}}}'
    response = client.post("/api/v1/recommendations", data=body, content_type="application/json")
    assert response.status_code == 422
    error = response.get_json()["errors"][0]
    assert error["field"] == "industry" and error["allowed"] == list(INDUSTRIES)
    assert error["message"].startswith(quoted + " is not one of the allowed values: retail")


def test_answers_without_industry_or_revenue_model_are_still_recommended(client):
    assert "industry" not in B2B_STARTUP and "revenue_model" not in B2B_STARTUP
    response = client.post("/api/v1/recommendations", json=B2B_STARTUP)
    assert response.status_code == 200 and response.get_json()["kpis"]


def test_non_json_and_broken_json_are_problems(client):
    text = client.post("/api/v1/recommendations", data="goals=x",
                       content_type="application/x-www-form-urlencoded")
    assert text.status_code == 415 and text.mimetype == "application/problem+json"
    broken = client.post("/api/v1/recommendations", data="{not json",
                         content_type="application/json")
    assert broken.status_code == 422 and broken.mimetype == "application/problem+json"


def test_oversized_body_is_refused(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/api/v1/recommendations", data="x" * 5000,
                           content_type="application/json")
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


def test_recommendation_through_a_real_server(live_server):
    request = urllib.request.Request(
        live_server + "/api/v1/recommendations",
        data=json.dumps({**B2B_STARTUP, "lang": "en"}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.load(response)
    assert response.status == 200 and body["kpis"]
