"""Shared vocabularies: the words the catalog, the interview and the rules all use."""

from typing import Literal, get_args

Department = Literal["sales", "marketing", "branding"]
Direction = Literal["higher_is_better", "lower_is_better", "in_range"]
Perspective = Literal["financial", "customer", "internal_process", "learning_growth"]
Indicator = Literal["leading", "lagging"]
Frequency = Literal["daily", "weekly", "monthly", "quarterly", "yearly"]
ChangePace = Literal["fast", "moderate", "slow"]
Unit = Literal["currency", "percent", "count", "ratio", "days", "score", "rank", "hours", "months"]

DEPARTMENTS: tuple[str, ...] = ("sales", "marketing", "branding")
PERSPECTIVES: tuple[str, ...] = ("financial", "customer", "internal_process", "learning_growth")
INDICATORS: tuple[str, ...] = ("leading", "lagging")
DIRECTIONS: tuple[str, ...] = ("higher_is_better", "lower_is_better", "in_range")
FREQUENCIES: tuple[str, ...] = ("daily", "weekly", "monthly", "quarterly", "yearly")
UNITS: tuple[str, ...] = (
    "currency", "percent", "count", "ratio", "days", "score", "rank", "hours", "months",
)
# The values a unit can take (None: no limit); a catalog KPI may narrow or widen its own
# (Kpi.value_range), e.g. growth rates fall below 0 and retention passes 100%.
UNIT_RANGES: dict[str, tuple[float | None, float | None]] = {
    "currency": (0.0, None), "percent": (0.0, 100.0), "count": (0.0, None),
    "ratio": (0.0, None), "days": (0.0, None), "score": (None, None), "rank": (1.0, None),
    "hours": (0.0, None), "months": (0.0, None),
}

Goal = Literal[
    "increase_revenue",
    "acquire_customers",
    "retain_customers",
    "improve_conversion",
    "improve_profitability",
    "grow_market_share",
    "build_brand_awareness",
    "improve_brand_reputation",
    "increase_engagement",
    "improve_customer_satisfaction",
    "launch_product",
    "enter_new_market",
]
GOALS: tuple[str, ...] = get_args(Goal)

Channel = Literal[
    "website",
    "seo",
    "paid_ads",
    "social_media",
    "email",
    "content",
    "events",
    "field_sales",
    "inside_sales",
    "partners",
    "retail_stores",
    "marketplace",
    "pr",
]
CHANNELS: tuple[str, ...] = get_args(Channel)

DataSource = Literal[
    "crm",
    "web_analytics",
    "email_platform",
    "social_insights",
    "ad_platform",
    "search_console",
    "accounting",
    "pos",
    "survey",
    "brand_tracking",
    "review_sites",
    "hr_system",
    "app_store",
    "search_trends",
    "loyalty_program",
    "marketplace_center",
    "erp",
    "dms",
    "footfall_counter",
    "market_research",
    "product_analytics",
]
DATA_SOURCES: tuple[str, ...] = get_args(DataSource)

# Where a client works and how it earns: the context a KPI's `fits` and `misfits` name.
Industry = Literal[
    "retail", "consumer_goods", "distribution", "ecommerce", "software_saas",
    "professional_services", "food_beverage", "real_estate", "financial_services",
    "insurance", "manufacturing", "education", "healthcare", "travel_hospitality", "nonprofit",
    "other",
]
INDUSTRIES: tuple[str, ...] = get_args(Industry)
RevenueModel = Literal["recurring", "repeat", "one_off", "project"]
REVENUE_MODELS: tuple[str, ...] = get_args(RevenueModel)
BUSINESS_MODELS: tuple[str, ...] = ("b2b", "b2c", "both")
Stage = Literal["startup", "growth", "mature"]
STAGES: tuple[str, ...] = get_args(Stage)
SIZES: tuple[str, ...] = ("micro", "small", "medium", "large")
SALES_MOTIONS: tuple[str, ...] = ("field", "inside", "self_serve", "retail", "mixed")
# How fast a KPI can honestly move in a year: process measures (response times, cycle times)
# fast, outcome measures (revenue of a mature firm, awareness, market share) slowly. The
# plausible yearly change of each pace lives in rules/data/smart.yaml.
CHANGE_PACES: tuple[str, ...] = ("fast", "moderate", "slow")


VOCABULARIES: dict[str, tuple[str, ...]] = {
    "goals": GOALS,
    "channels": CHANNELS,
    "data_sources": DATA_SOURCES,
    "departments": DEPARTMENTS,
    "perspectives": PERSPECTIVES,
    "indicators": INDICATORS,
    "directions": DIRECTIONS,
    "frequencies": FREQUENCIES,
    "units": UNITS,
    "financial": ("true", "false"),
    "industries": INDUSTRIES,
    "revenue_models": REVENUE_MODELS,
    "business_models": BUSINESS_MODELS,
    "stages": STAGES,
    "sizes": SIZES,
    "sales_motions": SALES_MOTIONS,
    "change_paces": CHANGE_PACES,
}
