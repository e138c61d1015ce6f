"""SMART check: every gap code with one plan that triggers it and a nearly identical one that
does not."""

import copy

import pytest
from pydantic import ValidationError

from advisor.errors import InvalidInputError
from advisor.plan_models import Plan
from advisor.smart import check_plan
from catalog.loader import builtin_catalog

CATALOG = builtin_catalog()
NEW_CUSTOMERS = {
    "kpi_id": "sales.new_customers", "baseline": 100, "baseline_date": "2026-01-01",
    "target": 120, "deadline": "2026-12-31", "frequency": "monthly", "data_source": "crm",
    "owner": "Lan", "report_to": "CEO", "goals": ["acquire_customers"],
    "commitment": "committed",
    # A monthly KPI with a year-end deadline is complete only with checkpoints on the way.
    "milestones": [{"date": "2026-06-30", "target": 110}],
}
REVENUE = {**NEW_CUSTOMERS, "kpi_id": "sales.revenue", "baseline": 5e9, "target": 5.5e9,
           "data_source": "accounting", "owner": "Minh", "goals": ["increase_revenue"],
           "milestones": [{"date": "2026-06-30", "target": 5.25e9}]}
PIPELINE = {**NEW_CUSTOMERS, "kpi_id": "sales.pipeline_value", "baseline": 2e9, "target": 2.4e9,
            "owner": "Hoa", "goals": ["increase_revenue"],
            "milestones": [{"date": "2026-06-30", "target": 2.2e9}]}
CUSTOM = {
    "name": "Số đại lý mới", "statement": "Số đại lý ký hợp đồng mới mỗi tháng",
    "scope": "Miền Bắc", "department": "sales", "unit": "count",
    "direction": "higher_is_better", "baseline": 10, "baseline_date": "2026-01-01",
    "target": 12, "deadline": "2026-12-31", "frequency": "monthly", "data_source": "crm",
    "owner": "Lan", "report_to": "CEO", "goals": ["acquire_customers"],
    "milestones": [{"date": "2026-06-30", "target": 11}],
}
BASE = {
    "goals": ["acquire_customers", "increase_revenue", "retain_customers",
              "increase_engagement"],
    "departments": ["sales", "marketing"],
    "data_sources": ["crm", "accounting", "web_analytics", "email_platform"],
    "as_of": "2026-01-15", "lang": "en",
    "kpis": [NEW_CUSTOMERS, REVENUE, PIPELINE],
}


def check(plan: Plan) -> dict:
    """Return the SMART check of `plan` against the built-in catalog."""
    return check_plan(plan, builtin_catalog())


def plan_with(first: dict | None = None, **plan_changes) -> dict:
    """Return BASE with the first KPI replaced by `first` and plan fields changed."""
    plan = copy.deepcopy(BASE)
    if first is not None:
        plan["kpis"][0] = first
    plan.update(plan_changes)
    return plan


def codes(result: dict, which: int | None = 0) -> set[str]:
    gaps = result["plan_gaps"] if which is None else result["kpis"][which]["gaps"]
    return {g["code"] for g in gaps}


def test_a_complete_plan_has_no_gaps_and_is_ready():
    result = check(Plan.model_validate(BASE))
    assert [k["gaps"] for k in result["kpis"]] == [[], [], []]
    assert result["plan_gaps"] == [] and result["ready"] is True
    assert all(k["score"] == 5 for k in result["kpis"])


NC = NEW_CUSTOMERS
OPEN_RATE = {**NC, "kpi_id": "marketing.email_open_rate", "baseline": 20, "target": 24,
             "data_source": "email_platform", "goals": ["increase_engagement"],
             "milestones": [{"date": "2026-06-30", "target": 22}]}
CHURN = {**NC, "kpi_id": "sales.churn_rate", "baseline": 5, "target": 4,
         "goals": ["retain_customers"],
         "milestones": [{"date": "2026-06-30", "target": 4.5}]}
CONVERSION = {**NC, "kpi_id": "sales.conversion_rate", "baseline": 20, "target": 24,
              "goals": ["acquire_customers"],
              "milestones": [{"date": "2026-06-30", "target": 22}]}
# Percentages the catalog lets pass 100 (value_range {low: 0}) or fall below 0 ({low: -100}).
NRR = {**NC, "kpi_id": "sales.net_revenue_retention", "baseline": 104, "target": 112,
       "data_source": "accounting", "goals": ["retain_customers"],
       "milestones": [{"date": "2026-06-30", "target": 108}]}
GROWTH = {**NC, "kpi_id": "sales.revenue_growth_rate", "baseline": -12, "target": -4,
          "data_source": "accounting", "goals": ["increase_revenue"],
          "milestones": [{"date": "2026-06-30", "target": -8}]}
HISTORY = [100, 103, 101, 104, 106, 105, 108, 107, 110, 109, 112, 111]

KPI_CASES = [
    ("S.no_statement", {**CUSTOM, "statement": None}, CUSTOM),
    ("S.no_target", {**NC, "target": None}, NC),
    ("S.direction_conflict", {**NC, "target": 80}, NC),
    ("S.direction_conflict", {**CHURN, "target": 7}, CHURN),
    ("S.custom_no_scope", {**CUSTOM, "scope": None}, CUSTOM),
    ("M.no_unit", {**CUSTOM, "unit": None}, CUSTOM),
    ("M.unit_mismatch", {**NC, "unit": "percent"}, {**NC, "unit": "count"}),
    ("M.no_baseline", {**NC, "baseline": None}, NC),
    ("M.no_data_source", {**NC, "data_source": None}, NC),
    ("M.source_unavailable", {**NC, "data_source": "pos"}, NC),
    ("M.no_frequency", {**NC, "frequency": None}, NC),
    ("A.out_of_range", {**CONVERSION, "target": 120}, {**CONVERSION, "target": 30}),
    ("A.out_of_range", {**CUSTOM, "target": -3}, CUSTOM),
    ("A.out_of_range", {**NRR, "baseline": 2, "target": -1}, NRR),
    ("A.out_of_range", {**GROWTH, "target": -120}, GROWTH),
    ("A.out_of_range", {**NRR, "unit": "ratio", "baseline": 1.04, "target": -0.5},
     {**NRR, "unit": "ratio", "baseline": 1.04, "target": 1.12}),
    ("A.implausible", {**NC, "target": 1000}, {**NC, "target": 150}),
    ("A.implausible", {**NC, "history": HISTORY, "target": 190},
     {**NC, "history": HISTORY, "target": 125}),
    ("A.implausible", {**CHURN, "target": 0.5}, CHURN),
    ("A.beyond_benchmark", {**OPEN_RATE, "target": 45}, {**OPEN_RATE, "target": 25}),
    ("A.zero_target", {**CHURN, "target": 0}, CHURN),
    ("R.no_goal", {**NC, "goals": ["grow_market_share"]}, NC),
    ("T.no_deadline", {**NC, "deadline": None}, NC),
    ("T.deadline_past", {**NC, "deadline": "2025-12-31"}, NC),
    ("T.frequency_too_slow", {**NC, "frequency": "quarterly", "deadline": "2026-03-01"},
     {**NC, "frequency": "weekly", "deadline": "2026-03-01"}),
    ("T.deadline_too_near", {**NC, "deadline": "2026-03-01"}, {**NC, "deadline": "2026-04-30"}),
    ("owner.none", {**NC, "owner": None}, NC),
    ("owner.none", {**NC, "owner": "   "}, NC),
    ("reporting.no_audience", {**NC, "report_to": None}, NC),
]


@pytest.mark.parametrize(("code", "bad", "good"), KPI_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(KPI_CASES)])
def test_each_kpi_gap_fires_and_its_near_twin_does_not(code, bad, good):
    flagged = check(Plan.model_validate(plan_with(bad)))
    clean = check(Plan.model_validate(plan_with(good)))
    assert code in codes(flagged), codes(flagged)
    assert code not in codes(clean), codes(clean)
    gap = next(g for g in flagged["kpis"][0]["gaps"] if g["code"] == code)
    assert gap["letter"] == code.split(".")[0]
    assert gap["message"] and gap["fix"] and gap["fields"]
    assert "{" not in gap["message"] + gap["fix"]


PLAN_CASES = [
    ("R.department_out_of_scope", {"departments": ["marketing"]},
     {"departments": ["sales", "marketing"]}, 0),
    # Issue 11: an overloaded owner is one gap on the plan, no longer one on each of the KPIs.
    ("owner.overloaded",
     {"kpis": [NC, {**REVENUE, "owner": "Lan"}, PIPELINE], "max_kpis_per_owner": 1},
     {"kpis": [NC, {**REVENUE, "owner": "Lan"}, PIPELINE], "max_kpis_per_owner": 2}, None),
    ("plan.no_financial", {"kpis": [NC, CONVERSION]}, {"kpis": [NC, CONVERSION, REVENUE]}, None),
    ("plan.no_non_financial", {"kpis": [REVENUE, PIPELINE]}, {"kpis": [REVENUE, PIPELINE, NC]},
     None),
    ("plan.no_leading", {"kpis": [NC, REVENUE]}, {"kpis": [NC, REVENUE, PIPELINE]}, None),
    ("plan.duplicates",
     {"kpis": [NC, REVENUE, PIPELINE, {**REVENUE, "kpi_id": "sales.sales_volume"}]},
     {"kpis": [NC, REVENUE, PIPELINE]}, None),
]


@pytest.mark.parametrize(("code", "bad", "good", "which"), PLAN_CASES,
                         ids=[c[0] for c in PLAN_CASES])
def test_each_plan_gap_fires_and_its_near_twin_does_not(code, bad, good, which):
    flagged = check(Plan.model_validate(plan_with(**bad)))
    clean = check(Plan.model_validate(plan_with(**good)))
    assert code in codes(flagged, which)
    assert code not in codes(clean, which)


def test_errors_block_ready_and_warnings_do_not():
    warning_only = check(Plan.model_validate(plan_with({**NC, "report_to": None})))
    assert warning_only["ready"] is True
    blocked = check(Plan.model_validate(plan_with({**NC, "owner": None})))
    assert blocked["ready"] is False and blocked["kpis"][0]["ready"] is False


def test_score_counts_clean_letters():
    result = check(Plan.model_validate(plan_with({**NC, "baseline": None,
                                                       "deadline": None})))
    assert result["kpis"][0]["score"] == 3


def test_messages_come_in_vietnamese_too():
    result = check(Plan.model_validate(plan_with({**NC, "owner": None}, lang="vi")))
    gap = result["kpis"][0]["gaps"][0]
    assert gap["message"] == "Chưa ai chịu trách nhiệm cho “Số lượng khách hàng mới”." or \
        "chịu trách nhiệm" in gap["message"]


def test_implausible_message_shows_the_plausible_range():
    result = check(Plan.model_validate(plan_with({**NC, "target": 1000})))
    gap = next(g for g in result["kpis"][0]["gaps"] if g["code"] == "A.implausible")
    assert "100–" in gap["message"] or "100-" in gap["message"] or "–" in gap["message"]


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        ({**BASE, "kpis": []}, "kpis"),
        ({**BASE, "kpis": [{**NC, "deadline": "31/12/2026"}]}, "kpis.0.deadline"),
        ({**BASE, "kpis": [{**NC, "target": "a lot"}]}, "kpis.0.target"),
        ({**BASE, "kpis": [{**NC, "frequency": "sometimes"}]}, "kpis.0.frequency"),
        ({**BASE, "goals": ["be_rich"]}, "goals.0"),
    ],
)
def test_malformed_plans_name_the_field(plan, field):
    with pytest.raises(ValidationError) as info:
        Plan.model_validate(plan)
    assert ".".join(map(str, info.value.errors()[0]["loc"])) == field


@pytest.mark.parametrize(
    ("kpi", "field"),
    [({**NC, "kpi_id": "sales.nope"}, "kpis.0.kpi_id"),
     ({**NC, "kpi_id": None, "name": None}, "kpis.0.name")],
)
def test_unknown_or_missing_kpis_are_refused(kpi, field):
    with pytest.raises(InvalidInputError) as info:
        check(Plan.model_validate(plan_with(kpi)))
    assert info.value.errors[0]["field"] == field


def test_out_of_range_names_the_limit_of_the_kpi_not_only_of_its_unit():
    result = check(Plan.model_validate(plan_with({**CONVERSION, "target": 120})))
    gap = next(g for g in result["kpis"][0]["gaps"] if g["code"] == "A.out_of_range")
    # A share is written with its percent sign.
    assert "above 100%" in gap["message"] and "100% or less" in gap["fix"]
    result = check(Plan.model_validate(plan_with({**GROWTH, "target": -120}, lang="vi")))
    gap = next(g for g in result["kpis"][0]["gaps"] if g["code"] == "A.out_of_range")
    assert "thấp hơn -100%" in gap["message"] and "từ -100% trở lên" in gap["fix"]
