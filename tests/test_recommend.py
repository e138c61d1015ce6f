"""Recommendations for real client scenarios, checked for the properties a practitioner wants."""

import json
import threading

import pytest
from pydantic import ValidationError

from advisor.errors import InvalidInputError
from advisor.models import RecommendRequest
from advisor.recommend import recommend_kpis
from advisor.recommend.facts import recommend_policy
from catalog.loader import builtin_catalog
from rules.engine import live_sessions

B2B_STARTUP = {
    "goals": ["acquire_customers", "increase_revenue"],
    "departments": ["sales", "marketing"],
    "business_model": "b2b", "stage": "startup", "size": "small", "sales_motion": "inside",
    "channels": ["website", "seo", "email", "inside_sales", "events", "content"],
    "data_sources": ["crm", "web_analytics", "email_platform", "accounting", "search_console"],
    "max_kpis_per_department": 5,
}
B2C_RETAILER = {
    "goals": ["improve_profitability", "retain_customers", "improve_customer_satisfaction"],
    "departments": ["sales", "marketing"],
    "business_model": "b2c", "stage": "mature", "size": "large", "sales_motion": "retail",
    "channels": ["retail_stores", "social_media", "email", "website"],
    "data_sources": ["pos", "accounting", "crm", "email_platform", "social_insights", "survey",
                     "web_analytics"],
    "max_kpis_per_department": 5,
}
BRAND_RELAUNCH = {
    "goals": ["build_brand_awareness", "improve_brand_reputation"],
    "departments": ["branding"],
    "business_model": "b2c", "stage": "growth",
    "data_sources": ["survey", "social_insights"],
    "max_kpis_per_department": 4,
}
ECOMMERCE_LAUNCH = {
    "goals": ["launch_product", "improve_conversion", "increase_engagement"],
    "departments": ["sales", "marketing", "branding"],
    "business_model": "b2c", "stage": "growth", "sales_motion": "self_serve",
    "channels": ["website", "paid_ads", "social_media", "marketplace"],
    "monthly_ad_budget": 200000000,
    "data_sources": ["web_analytics", "ad_platform", "social_insights", "accounting", "crm"],
    "max_kpis_per_department": 4,
}
SCENARIOS = {"b2b_startup": B2B_STARTUP, "b2c_retailer": B2C_RETAILER,
             "brand_relaunch": BRAND_RELAUNCH, "ecommerce_launch": ECOMMERCE_LAUNCH}


def run(answers: dict, lang: str = "en") -> dict:
    return recommend_kpis(RecommendRequest.model_validate({**answers, "lang": lang}),
                          builtin_catalog())


@pytest.fixture(scope="module")
def results():
    return {name: run(answers) for name, answers in SCENARIOS.items()}


def _warned(result, code, **match):
    return any(w["code"] == code and all(w.get(k) == v for k, v in match.items())
               for w in result["warnings"])


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_goal_is_served_or_explained(results, name):
    result, answers = results[name], SCENARIOS[name]
    catalog = builtin_catalog()
    served = {g for k in result["kpis"] for g in catalog.by_id[k["id"]].goals}
    for goal in answers["goals"]:
        assert goal in served or _warned(result, "goal_unserved", goal=goal), goal


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_department_is_balanced_or_explained(results, name):
    result, answers = results[name], SCENARIOS[name]
    for department in answers["departments"]:
        chosen = [k for k in result["kpis"] if k["department"] == department]
        assert 0 < len(chosen) <= answers["max_kpis_per_department"]
        for attribute, value in recommend_policy().needs():
            met = any(k[attribute] == value for k in chosen)
            assert met or _warned(result, "balance_unmet", department=department,
                                  need=[attribute, value]), (department, attribute, value)


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_two_chosen_kpis_measure_the_same_thing(results, name):
    catalog = builtin_catalog()
    ids = [k["id"] for k in results[name]["kpis"]]
    assert len(ids) == len(set(ids))
    for kpi_id in ids:
        assert not set(catalog.by_id[kpi_id].related) & set(ids), kpi_id


@pytest.mark.parametrize("name", SCENARIOS)
def test_unmeasurable_kpis_only_when_a_goal_or_the_balance_needs_them(results, name):
    # Issue #10: balance beats data availability, so a KPI the client cannot measure yet may
    # also be chosen for a department's balance (or as a top goal's headline), flagged with
    # the data to start collecting; fillers and guards stay measurable.
    result, answers = results[name], SCENARIOS[name]
    have = set(answers["data_sources"])
    catalog = builtin_catalog()
    for item in result["kpis"]:
        groups = catalog.by_id[item["id"]].requirements()
        unmet = [group for group in groups if not have & set(group)]
        if unmet:
            assert item["collect_data"] == [group[0] for group in unmet]
            assert any(f["code"] == "missing_data" for f in item["flags"])
            assert item["selected_by"] in ("keep", "headline", "goal", "balance"), item
        else:
            assert item["collect_data"] == []


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_kpi_carries_what_a_consultant_needs(results, name):
    for item in results[name]["kpis"]:
        assert item["reasons"] and all(r["rule"] and r["text"] for r in item["reasons"])
        assert item["smart_template"] and "[" in item["smart_template"]
        assert item["owner_role"] and item["frequency"] and item["data_source"]
        assert item["perspective"] in ("financial", "customer", "internal_process",
                                       "learning_growth")
    assert results[name]["trace"]
    assert set(results[name]["alternatives"]) == set(SCENARIOS[name]["departments"])


def test_b2b_startup_gets_pipeline_and_acquisition_measures(results):
    ids = {k["id"] for k in results["b2b_startup"]["kpis"]}
    assert ids & {"sales.new_customers", "marketing.customer_acquisition_cost",
                  "marketing.customer_growth"}
    assert ids & {"sales.pipeline_value", "sales.win_rate", "marketing.marketing_qualified_leads",
                  "sales.pipeline_coverage", "marketing.sales_qualified_leads"}


def test_b2c_retailer_protects_margin_and_has_no_pipeline(results):
    ids = {k["id"] for k in results["b2c_retailer"]["kpis"]}
    assert "sales.gross_margin" in ids
    assert not ids & {"sales.pipeline_value", "sales.pipeline_coverage",
                      "marketing.marketing_qualified_leads", "marketing.mql_to_sql_rate"}
    catalog = builtin_catalog()
    assert any("retain_customers" in catalog.by_id[i].goals for i in ids)


def test_brand_relaunch_uses_the_data_it_has(results):
    result = results["brand_relaunch"]
    catalog = builtin_catalog()
    ids = [k["id"] for k in result["kpis"]]
    assert all(k["department"] == "branding" for k in result["kpis"])
    measurable = [i for i in ids if set(catalog.by_id[i].data_sources) & {"survey",
                                                                           "social_insights"}]
    assert len(measurable) >= len(ids) - 1
    assert set(ids) & {"branding.brand_awareness", "branding.aided_awareness",
                       "branding.unaided_awareness", "branding.top_of_mind_awareness",
                       "branding.brand_recognition"}
    assert set(ids) & {"branding.sentiment_score", "branding.brand_trust_score",
                       "branding.net_promoter_score", "branding.average_review_rating"}


def test_channels_not_used_are_excluded(results):
    catalog = builtin_catalog()
    for name, answers in SCENARIOS.items():
        used = set(answers.get("channels", []))
        for item in results[name]["kpis"]:
            channels = set(catalog.by_id[item["id"]].channels)
            assert not channels or channels & used, (name, item["id"])


def test_kept_kpis_are_kept():
    answers = {**B2B_STARTUP, "keep": ["sales.sales_cycle_length", "marketing.bounce_rate"]}
    ids = {k["id"] for k in run(answers)["kpis"]}
    assert {"sales.sales_cycle_length", "marketing.bounce_rate"} <= ids


def test_goal_no_department_can_serve_is_reported():
    result = run({**B2B_STARTUP, "goals": ["build_brand_awareness"], "departments": ["sales"]})
    served = {g for k in result["kpis"] for g in builtin_catalog().by_id[k["id"]].goals}
    if "build_brand_awareness" not in served:
        assert _warned(result, "goal_unserved", goal="build_brand_awareness")
        assert any("brand" in w["message"].lower() for w in result["warnings"])


def test_tiny_limit_reports_what_it_could_not_meet():
    result = run({**B2B_STARTUP, "max_kpis_per_department": 1,
                  "goals": ["acquire_customers", "increase_revenue", "retain_customers"]})
    assert all(len([k for k in result["kpis"] if k["department"] == d]) <= 1
               for d in ("sales", "marketing"))
    assert result["warnings"] and all(w["message"] for w in result["warnings"])


def test_a_missing_counter_kpi_is_named_not_given_as_an_id():
    result = run({"goals": ["grow_market_share", "improve_brand_reputation", "launch_product"],
                  "departments": ["sales"], "business_model": "b2b", "stage": "startup",
                  "channels": ["email", "events", "content"], "max_kpis_per_department": 2,
                  "data_sources": ["accounting", "app_store", "social_insights", "ad_platform"],
                  "lang": "en"})
    warning = next(w for w in result["warnings"] if w["code"] == "pair_missing")
    kpi, counter = (builtin_catalog().by_id[warning[key]].name.en for key in ("kpi", "counter"))
    assert f"“{kpi}”" in warning["message"] and f"“{counter}”" in warning["message"]
    assert warning["counter"] not in warning["message"]


def test_vietnamese_and_english_answers_differ_only_in_text():
    vi, en = run(B2B_STARTUP, "vi"), run(B2B_STARTUP, "en")
    assert [k["id"] for k in vi["kpis"]] == [k["id"] for k in en["kpis"]]
    assert vi["kpis"][0]["reasons"][0]["text"] != en["kpis"][0]["reasons"][0]["text"]
    assert vi["kpis"][0]["smart_template"].startswith(("Tăng", "Giảm", "Giữ"))


def test_same_answers_same_output_byte_for_byte():
    first = json.dumps(run(B2C_RETAILER), ensure_ascii=False, sort_keys=True)
    for _ in range(3):
        assert json.dumps(run(B2C_RETAILER), ensure_ascii=False, sort_keys=True) == first


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"goals": ["be_famous"]}, "goals.0"),
        ({"goals": []}, "goals"),
        ({"departments": []}, "departments"),
        ({"channels": ["fax"]}, "channels.0"),
        ({"data_sources": ["excel"]}, "data_sources.0"),
        ({"max_kpis_per_department": "five"}, "max_kpis_per_department"),
        ({"business_model": "b2g"}, "business_model"),
    ],
)
def test_bad_requests_name_the_field(changes, field):
    with pytest.raises(ValidationError) as info:
        RecommendRequest.model_validate({**B2B_STARTUP, **changes})
    assert ".".join(map(str, info.value.errors()[0]["loc"])) == field


@pytest.mark.parametrize("keep", [["sales.nope"], ["branding.net_promoter_score"]])
def test_bad_keep_lists_are_refused(keep):
    with pytest.raises(InvalidInputError) as info:
        run({**B2B_STARTUP, "keep": keep})
    assert info.value.errors[0]["field"] == "keep.0"


def test_threads_get_the_same_answers_as_one_thread():
    expected = {name: json.dumps(run(a), sort_keys=True) for name, a in SCENARIOS.items()}
    failures = []

    def worker(name):
        for _ in range(5):
            if json.dumps(run(SCENARIOS[name]), sort_keys=True) != expected[name]:
                failures.append(name)

    threads = [threading.Thread(target=worker, args=(n,)) for n in list(SCENARIOS) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert live_sessions() == 0
