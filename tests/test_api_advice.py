"""The interview, recommendation and SMART-check endpoints, through the test client and a real
server."""

import json
import urllib.request

import pytest

from tests.test_recommend import B2B_STARTUP
from tests.test_smart import BASE as SMART_PLAN


def test_questions_in_each_language(client):
    vi = client.get("/api/v1/questions?lang=vi").get_json()["questions"]
    en = client.get("/api/v1/questions?lang=en").get_json()["questions"]
    both = client.get("/api/v1/questions").get_json()["questions"]
    assert [q["id"] for q in vi] == [q["id"] for q in en] == [q["id"] for q in both]
    assert vi[0]["text"] != en[0]["text"] and set(both[0]["text"]) == {"vi", "en"}
    goals = next(q for q in en if q["id"] == "goals")
    assert {"value": "increase_revenue", "label": "Increase revenue"} in goals["options"]


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
