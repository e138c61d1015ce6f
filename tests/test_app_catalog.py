"""One catalog per app: the catalog an app (or a CLI run) loads is the one every page, API call
and command uses, and the caches in front of the core are keyed by it and cannot be changed."""

import copy
import json

import pytest

from advisor import config
from advisor.lookup import KpiQuery, SearchCache, find_kpis
from advisor.models import RecommendRequest
from advisor.plan_models import Plan
from advisor.recommend.working_set import recommendation, working_set
from catalog.loader import builtin_catalog, load_catalog
from tests.conftest import DATA, app_account, sign_in
from tests.test_wizard import ANSWERS, sid_of, stored, token, walk
from web import create_app
from web.wizard_plan import smart_check
from web.wizard_state import interview_step

GOOD = DATA / "catalog" / "good.yaml"
TEST_KPI, TEST_NAME = "sales.test_revenue", "Doanh thu thử"
SALES_ONLY = {**ANSWERS, "departments": {"departments": ["sales"]},
              "data_sources": {"data_sources": ["accounting", "crm"]}}
REQUEST = RecommendRequest.model_validate({
    "goals": ["increase_revenue", "acquire_customers"], "departments": ["sales", "marketing"],
    "data_sources": ["crm", "web_analytics"], "lang": "en"})


@pytest.fixture
def other_app(tmp_path):
    """Return an app whose catalog is the one-KPI test file, not the built-in catalog."""
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "other.db"),
                       "SECRET_KEY": "other", "CATALOG_FILES": str(GOOD)})


@pytest.fixture
def other_catalog():
    return load_catalog([GOOD])


def test_the_setting_names_files_or_the_builtin_catalog(tmp_path):
    assert config.catalog_files(None) == [] and config.catalog_files("") == []
    assert config.catalog_files(f"{GOOD}:{tmp_path}/b.yaml") == [GOOD, tmp_path / "b.yaml"]
    assert config.layered({"KPI_ADVISOR_CATALOG": str(GOOD)})["CATALOG_FILES"] == str(GOOD)


def test_an_app_serves_its_own_catalog_through_the_api(other_app, app):
    other, builtin = other_app.test_client(), app.test_client()
    page = other.get("/api/v1/kpis?lang=en").get_json()
    assert page["total"] == 1 and [k["id"] for k in page["items"]] == [TEST_KPI]
    assert other.get("/api/v1/kpis/sales.revenue").status_code == 404
    assert other.get(f"/api/v1/kpis/{TEST_KPI}").status_code == 200
    # Another app in the same process keeps the built-in catalog.
    assert builtin.get("/api/v1/kpis?limit=1").get_json()["total"] >= 120
    assert builtin.get(f"/api/v1/kpis/{TEST_KPI}").status_code == 404
    answer = other.post("/api/v1/recommendations", json={
        "goals": ["increase_revenue"], "departments": ["sales"], "lang": "vi"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert [k["id"] for k in answer.get_json()["kpis"]] == [TEST_KPI]
    check = other.post("/api/v1/smart-check", json={"kpis": [{"kpi_id": TEST_KPI}]})
    assert check.status_code == 200, check.get_data(as_text=True)
    assert builtin.post("/api/v1/smart-check",
                        json={"kpis": [{"kpi_id": TEST_KPI}]}).status_code == 422
    keep = next(q for q in other.get("/api/v1/questions?lang=vi").get_json()["questions"]
                if q["id"] == "keep")
    assert keep["options"] == [{"value": TEST_KPI, "label": TEST_NAME}]


def test_an_app_serves_its_own_catalog_on_the_wizard_pages(other_app):
    client = sign_in(other_app.test_client(), app_account(other_app))
    check = walk(client, SALES_ONLY)
    keep_page = client.get(check.replace("/check", "/q/keep")).get_data(as_text=True)
    assert TEST_NAME in keep_page and "Doanh số bán hàng" not in keep_page
    response = client.post(check, data={"csrf_token": token(client)})
    assert response.status_code == 303
    results = client.get(response.location).get_data(as_text=True)
    assert TEST_NAME in results
    sid = sid_of(response.location)
    _record, plan = stored(other_app, sid)
    assert [k.kpi_id for k in plan.plan.kpis] == [TEST_KPI]
    # The plan page's SMART check knows the KPI only from this app's catalog.
    plan_page = client.get(f"/wizard/s/{sid}/plan")
    assert plan_page.status_code == 200 and TEST_NAME in plan_page.get_data(as_text=True)


def test_a_cli_run_uses_the_catalog_its_settings_name(run_cli, tmp_path):
    env = {"KPI_ADVISOR_CATALOG": str(GOOD)}
    code, out, err = run_cli("catalog", "show", TEST_KPI, "--lang", "vi", env=env)
    assert code == 0, err
    assert TEST_NAME in out
    code, out, _ = run_cli("catalog", "search", "doanh thu", "--json", env=env)
    assert code == 0 and [k["id"] for k in json.loads(out)["items"]] == [TEST_KPI]
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"goals": ["increase_revenue"], "departments": ["sales"]}))
    code, out, _ = run_cli("recommend", str(answers), "--json", env=env)
    assert code == 0 and [k["id"] for k in json.loads(out)["kpis"]] == [TEST_KPI]
    code, _, err = run_cli("catalog", "show", TEST_KPI)
    assert code == 2 and TEST_KPI in err


def test_a_missing_catalog_file_is_bad_input_for_the_cli(run_cli, tmp_path):
    missing = str(tmp_path / "x")
    code, _, err = run_cli("catalog", "export", env={"KPI_ADVISOR_CATALOG": missing})
    assert code == 2 and err == f"Lỗi: không có tệp {missing}\n"
    code, _, err = run_cli("catalog", "export", env={"KPI_ADVISOR_CATALOG": missing,
                                                     "KPI_ADVISOR_LANG": "en"})
    assert code == 2 and err == f"Error: {missing}: no such file\n"


def test_catalogs_from_the_same_files_are_equal_and_read_only(other_catalog):
    assert other_catalog == load_catalog([GOOD]) and other_catalog != builtin_catalog()
    assert hash(other_catalog) == hash(load_catalog([GOOD]))
    with pytest.raises(TypeError):
        other_catalog.by_id["sales.other"] = other_catalog.kpis[0]


def test_the_cached_recommendation_is_keyed_by_the_catalog(other_catalog):
    builtin = recommendation(REQUEST, builtin_catalog())
    other = recommendation(REQUEST, other_catalog)
    assert [k["id"] for k in other["kpis"]] == [TEST_KPI]
    assert len(builtin["kpis"]) > 1
    assert recommendation(REQUEST, builtin_catalog()) == builtin


def test_changing_a_cached_recommendation_changes_nothing_for_the_next_caller():
    first = recommendation(REQUEST, builtin_catalog())
    before = copy.deepcopy(first)
    first["kpis"][0]["name"] = "changed"
    first["kpis"][0]["reasons"].clear()
    first["kpis"].pop()
    first["balance"]["departments"].clear()
    assert recommendation(REQUEST, builtin_catalog()) == before


def test_changing_a_working_set_changes_nothing_for_the_next_caller():
    catalog = builtin_catalog()
    answers = REQUEST.model_dump(exclude={"lang"}, exclude_none=True)
    ids = [k["id"] for k in recommendation(REQUEST, catalog)["kpis"]]
    first = working_set(answers, ids, "en", catalog)
    before = copy.deepcopy(first)
    first["kpis"][0]["selected_because"].append("changed")
    first["kpis"][0]["name"] = "changed"
    first["alternatives"]["sales"].clear()
    assert working_set(answers, ids, "en", catalog) == before


def test_changing_a_remembered_interview_step_changes_nothing(app):
    with app.test_request_context("/"):
        first = interview_step({"org_name": "An Phát"}, "vi")
        before = first.model_dump()
        first.answers["org_name"] = "changed"
        first.question["id"] = "changed"
        first.progress["sections"].clear()
        assert interview_step({"org_name": "An Phát"}, "vi").model_dump() == before


def test_changing_a_remembered_smart_check_changes_nothing(app):
    plan = Plan.model_validate({"kpis": [{"kpi_id": "sales.revenue"}], "lang": "en"})
    with app.test_request_context("/"):
        first = smart_check(plan, "en")
        before = copy.deepcopy(first)
        first["kpis"][0]["gaps"].clear()
        first["ready"] = not first["ready"]
        assert smart_check(plan, "en") == before


def test_changing_a_search_page_changes_nothing(catalog_db):
    catalog, query = builtin_catalog(), KpiQuery(q="doanh thu", lang="vi", limit=5)
    first = find_kpis(catalog_db, catalog, query)
    before = copy.deepcopy(first)
    first["items"][0]["name"] = "changed"
    first["items"][0]["goals"].clear()
    assert find_kpis(catalog_db, catalog, query) == before
    cache = SearchCache(8)
    ids, _total = cache.ids(catalog_db, catalog, query)
    with pytest.raises(AttributeError):
        ids.append("sales.other")  # a tuple: the cached page cannot grow
