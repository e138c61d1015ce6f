"""Where a KPI fits the client's industry: a bank's margin, an insurer's retention, measures of
carts, trade promotions and campaign speed only where they mean something (catalog fits and
misfits, the recommend rules, through the real selection)."""

import pytest

from advisor.fit import fit_verdict
from advisor.interview import questions
from advisor.models import RecommendRequest
from advisor.recommend.facts import score_candidates
from catalog.loader import builtin_catalog
from tests.test_recommend_policy import run

BANK = {
    "goals": ["improve_profitability", "increase_revenue"], "departments": ["sales"],
    "industry": "financial_services", "revenue_model": "recurring", "business_model": "b2c",
    "stage": "mature", "size": "medium", "sales_motion": "mixed",
    "channels": ["retail_stores", "field_sales"], "data_sources": ["accounting", "crm"],
}
INSURER = {
    "goals": ["increase_revenue", "retain_customers"], "departments": ["sales"],
    "industry": "insurance", "revenue_model": "recurring", "business_model": "b2c",
    "stage": "mature", "size": "medium", "sales_motion": "field",
    "channels": ["field_sales", "partners"], "data_sources": ["crm", "accounting"],
}


def chosen(result: dict) -> list[str]:
    return [item["id"] for item in result["kpis"]]


def fits(kpi_id: str, answers: dict) -> bool:
    return fit_verdict(builtin_catalog().by_id[kpi_id], answers).fits


def test_a_banks_margin_is_net_interest_margin_never_gross_margin():
    result = run(BANK)
    nim = next(k for k in result["kpis"] if k["id"] == "sales.net_interest_margin")
    assert nim["selected_by"] == "headline"
    assert "sales.gross_margin" not in chosen(result)
    assert not fits("sales.gross_margin", {"industry": "insurance"})
    # A goods business keeps gross margin; a lender's margin means nothing to it.
    retailer = {**BANK, "industry": "retail", "revenue_model": "repeat"}
    assert "sales.gross_margin" in chosen(run(retailer))
    assert not fits("sales.net_interest_margin", {"industry": "retail"})


def test_the_net_interest_margin_is_guarded_against_risky_lending():
    entry = builtin_catalog().by_id["sales.net_interest_margin"]
    assert "sales.non_performing_loan_ratio" in entry.counter_kpis
    assert entry.definition.vi != entry.definition.en and entry.pitfalls
    low, high = entry.bounds()
    assert low is not None and low < 0 and high == 100


def test_an_insurer_keeps_customers_by_persistency_a_bank_does_not():
    insurer = chosen(run(INSURER))
    assert "sales.policy_persistency_rate" in insurer
    assert "sales.renewal_rate" not in insurer  # persistency is the insurer's renewal
    # The same answers from a bank: persistency does not fit, and an older answer that
    # called an insurer financial_services still gets a set.
    bank = chosen(run({**INSURER, "industry": "financial_services"}))
    assert bank and "sales.policy_persistency_rate" not in bank
    assert "sales.new_business_premium" not in bank
    # Measures of customers, products and applications serve both.
    for kpi_id in ("sales.customer_attrition_rate", "sales.products_per_customer",
                   "sales.new_accounts_opened", "sales.application_turnaround_time"):
        assert fits(kpi_id, {"industry": "insurance"}) and fits(
            kpi_id, {"industry": "financial_services"}), kpi_id
    for kpi_id in ("sales.deposit_balance_growth", "sales.loan_disbursement"):
        assert not fits(kpi_id, {"industry": "insurance"}), kpi_id


@pytest.mark.parametrize("kpi_id", ["sales.net_revenue_retention",
                                    "sales.monthly_recurring_revenue",
                                    "marketing.cart_abandonment_rate"])
def test_what_misfits_banks_misfits_insurers(kpi_id):
    answers = {"industry": "insurance", "revenue_model": "recurring",
               "channels": ["website", "marketplace"]}
    assert not fits(kpi_id, answers)


@pytest.mark.parametrize(("lang", "label"), [("vi", "Bảo hiểm"), ("en", "Insurance")])
def test_insurance_is_an_interview_option_in_both_languages(lang, label):
    industry = next(q for q in questions(builtin_catalog()) if q.id == "industry")
    option = next(o for o in industry.options if o.value == "insurance")
    assert option.label.pick(lang) == label and option.description is not None
    assert option.description.pick(lang)


def test_carts_misfit_bookings_of_rooms_and_tours():
    online = {"channels": ["website"], "sales_motion": "self_serve"}
    assert not fits("marketing.cart_abandonment_rate", {**online, "industry": "travel_hospitality"})
    assert fits("marketing.cart_abandonment_rate", {**online, "industry": "ecommerce"})


def test_trade_promotions_are_for_brands_selling_through_outlets():
    outlets = {"channels": ["partners", "field_sales"]}
    for kpi_id in ("marketing.trade_promotion_roi", "marketing.trade_spend_ratio"):
        assert not fits(kpi_id, {**outlets, "industry": "manufacturing"}), kpi_id
        assert fits(kpi_id, {**outlets, "industry": "consumer_goods"}), kpi_id
    exporter = {"goals": ["improve_profitability", "increase_revenue"],
                "departments": ["marketing"], "industry": "manufacturing",
                "revenue_model": "repeat", "business_model": "b2b", "stage": "mature",
                "size": "medium", "channels": ["partners", "events", "website"],
                "data_sources": ["erp", "accounting", "crm", "web_analytics"]}
    assert "marketing.trade_promotion_roi" not in chosen(run(exporter))
    # A brand reads its promotions' uplift in its distributors' sell-out (DMS).
    brand = {**exporter, "industry": "consumer_goods", "channels": ["partners", "field_sales"],
             "data_sources": [*exporter["data_sources"], "dms"]}
    assert "marketing.trade_promotion_roi" in chosen(run(brand))


def test_campaign_launch_speed_is_for_teams_that_launch_campaigns_of_their_own():
    assert not fits("marketing.campaign_launch_cycle_time",
                    {"industry": "distribution", "size": "medium"})
    assert not fits("marketing.campaign_launch_cycle_time",
                    {"industry": "consumer_goods", "size": "micro"})
    assert fits("marketing.campaign_launch_cycle_time",
                {"industry": "consumer_goods", "size": "large"})


def test_account_holders_do_not_buy_again_so_repeat_purchase_misfits_finance():
    for kpi_id in ("sales.repeat_purchase_rate", "branding.repeat_purchase_rate"):
        for industry in ("financial_services", "insurance"):
            assert not fits(kpi_id, {"industry": industry, "revenue_model": "repeat"})
        assert fits(kpi_id, {"industry": "retail", "revenue_model": "repeat"})
    wallet = {**INSURER, "industry": "financial_services", "revenue_model": "repeat",
              "departments": ["sales", "branding"], "goals": ["retain_customers"]}
    assert not {"sales.repeat_purchase_rate", "branding.repeat_purchase_rate"} & set(
        chosen(run(wallet)))


def test_sell_out_and_outlet_measures_need_a_distributor_management_system():
    catalog = builtin_catalog()
    for kpi_id in ("sales.secondary_sales", "sales.active_outlets", "sales.strike_rate",
                   "sales.lines_per_call", "sales.days_of_stock"):
        groups = catalog.by_id[kpi_id].requirements()
        assert any("dms" in group for group in groups), kpi_id
        assert not all({"erp", "accounting"} & set(group) for group in groups), kpi_id


def test_route_selling_measures_fit_outlet_networks_not_every_manufacturer():
    field = {"sales_motion": "field", "channels": ["field_sales", "partners"]}
    for kpi_id in ("sales.journey_plan_compliance", "sales.strike_rate", "sales.lines_per_call",
                   "sales.drop_size"):
        assert not fits(kpi_id, {**field, "industry": "manufacturing"}), kpi_id
        assert fits(kpi_id, {**field, "industry": "distribution"}), kpi_id


def test_a_till_that_knows_no_customer_cannot_count_referrals():
    groups = builtin_catalog().by_id["branding.referral_rate"].requirements()
    assert not all("pos" in group for group in groups)
    assert all({"crm", "loyalty_program", "survey"} & set(group) for group in groups)


NOODLE_CHAIN = {
    "goals": ["increase_revenue", "improve_profitability", "retain_customers",
              "improve_brand_reputation"],
    "departments": ["sales", "branding"], "industry": "food_beverage",
    "revenue_model": "repeat", "business_model": "b2c", "stage": "mature", "size": "small",
    "sales_motion": "retail", "channels": ["retail_stores", "social_media"],
    "data_sources": ["pos"],
}
PAID_RESEARCH = {"market_research", "brand_tracking"}


def needs_paid_research(result: dict) -> list[str]:
    """Return the chosen or offered KPIs that need research the client does not buy."""
    catalog = builtin_catalog()
    shown = chosen(result) + [k["id"] for group in result["alternatives"].values()
                              for k in group]
    return [i for i in shown if any(set(group) <= PAID_RESEARCH
                                    for group in catalog.by_id[i].requirements())]


def test_a_small_firm_is_never_told_to_buy_market_research_or_brand_tracking():
    assert needs_paid_research(run(NOODLE_CHAIN)) == []
    assert needs_paid_research(run({**NOODLE_CHAIN, "size": "micro"})) == []
    # A medium firm may commission a study for its brand's price premium or trust.
    assert needs_paid_research(run({**NOODLE_CHAIN, "size": "medium"}))
    # A small firm that already buys a retail audit may use it.
    bought = run({**NOODLE_CHAIN, "data_sources": ["pos", "market_research"]})
    assert any("market_research" in g for i in chosen(bought)
               for g in builtin_catalog().by_id[i].requirements())


def test_a_b2b_deal_closed_in_the_field_is_not_read_as_return_on_ad_spend():
    field_b2b = {"business_model": "b2b", "sales_motion": "field", "channels": ["paid_ads"]}
    assert not fits("marketing.return_on_ad_spend", field_b2b)
    assert fits("marketing.return_on_ad_spend", {**field_b2b, "sales_motion": "inside"})
    assert fits("marketing.return_on_ad_spend", {**field_b2b, "business_model": "b2c"})
    assert fits("marketing.marketing_sourced_pipeline", field_b2b)


def rules_fired(answers: dict, kpi_id: str) -> set[str]:
    """Return the recommend rules that scored `kpi_id` for these answers."""
    request = RecommendRequest.model_validate({**answers, "lang": "en"})
    candidates, _ = score_candidates(request, builtin_catalog())
    found = next(c for c in candidates if c.kpi.id == kpi_id)
    return {reason["rule"] for reason in found.reasons}


def test_a_team_calling_leads_back_is_an_outbound_team_whatever_the_motion_is_called():
    agency = {"goals": ["improve_conversion"], "departments": ["sales"], "business_model": "b2c",
              "sales_motion": "mixed", "channels": ["paid_ads", "inside_sales"],
              "data_sources": ["crm"]}
    assert "field_sales_activity" in rules_fired(agency, "sales.lead_response_time")
    shop = {**agency, "channels": ["paid_ads", "retail_stores"]}
    assert "field_sales_activity" not in rules_fired(shop, "sales.lead_response_time")
    # Fast but shallow call-backs show in the share of property leads that come to a visit.
    assert "sales.lead_to_site_visit_rate" in \
        builtin_catalog().by_id["sales.lead_response_time"].counter_kpis
