"""The plan and the recommendation request as the API reads them: the core's models, with the
rules the handlers add (catalog ids, a name for a KPI of one's own) stated in the document."""

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, WithJsonSchema
from pydantic.json_schema import JsonDict, JsonValue

from advisor.models import KpiRef, RecommendRequest, state_unique_lists
from advisor.plan_models import Plan, PlanKpi, Text120
from advisor.review.models import MAX_KPIS, ReviewKpi, ReviewRequest
from catalog.vocab import DEPARTMENTS

# The document lists the running catalog's ids wherever this mark is (see document.py).
CATALOG_IDS = {"x-catalog-ids": True}
# One character that Python's str.strip() keeps, spelled out: ECMA's \S (which generators use)
# differs from Python's whitespace on U+001C-U+001F, U+0085 (blank in Python) and U+FEFF (not).
NON_BLANK = (r"[^\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
             r"\u205f\u3000]")

# What the handlers check beyond the model: a KPI names a catalog id or has a name that is not
# blank (a blank name is read as none).
ID_OR_NAME: JsonDict = {"anyOf": [
    {"required": ["kpi_id"], "properties": {"kpi_id": {"type": "string", "pattern": NON_BLANK}}},
    {"required": ["name"], "properties": {"name": {"type": "string", "pattern": NON_BLANK}}},
]}

# A target range has both ends or neither (the model refuses one end alone, naming the other).
_NUMBER: JsonDict = {"type": "number"}
RANGE_ENDS: list[JsonValue] = [
    {"if": {"required": [one], "properties": {one: _NUMBER}},
     "then": {"required": [other], "properties": {other: _NUMBER}}}
    for one, other in (("target_low", "target_high"), ("target_high", "target_low"))
]

FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
DATE_PATTERN = r"^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"


def _plan_day(day: dt.date) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError("give a date from 1900-01-01 to 2100-12-31")
    return day


# Dates of plans lie within 1900-2100 like periods: years apart enough to overflow the
# plausibility arithmetic are no plan.
PlanDate = Annotated[dt.date, AfterValidator(_plan_day),
                     WithJsonSchema({"type": "string", "format": "date",
                                     "pattern": DATE_PATTERN})]

CatalogKpiId = Annotated[Text120, Field(json_schema_extra=CATALOG_IDS,
                                        description="A catalog id (GET /api/v1/kpis).")]
KeptKpiId = Annotated[KpiRef, Field(json_schema_extra=CATALOG_IDS)]


class PlanKpiBody(PlanKpi):
    """A KPI of the plan: a catalog `kpi_id`, or a `name` for a KPI of your own."""

    model_config = ConfigDict(json_schema_extra={**ID_OR_NAME, "allOf": RANGE_ENDS})

    kpi_id: CatalogKpiId | None = None
    baseline_date: PlanDate | None = None
    deadline: PlanDate | None = None


class PlanBody(Plan):
    """A plan: the client's context and up to 200 KPIs."""

    # A list of the subclass: pydantic reads it so; mypy holds lists invariant.
    kpis: list[PlanKpiBody] = Field(min_length=1, max_length=200)  # type: ignore[assignment]
    as_of: PlanDate | None = Field(default=None, description="The day to check the plan "
                                   "on; default: today.")


class ReviewKpiBody(ReviewKpi):
    """One KPI to review: a catalog `kpi_id` or a `name`, its target and its history."""

    model_config = ConfigDict(json_schema_extra={**ID_OR_NAME, "allOf": RANGE_ENDS})


class ReviewBody(ReviewRequest):
    """A language and up to 200 KPIs with their histories."""

    # A list of the subclass: pydantic reads it so; mypy holds lists invariant.
    kpis: list[ReviewKpiBody] = Field(  # type: ignore[assignment]
        min_length=1, max_length=MAX_KPIS)


def _keep_in_scope(schema: dict) -> None:
    """State what the recommendation checks: a kept KPI belongs to a department in scope."""
    state_unique_lists(schema)
    schema["allOf"] = [
        {"if": {"not": {"properties": {"departments": {"contains": {"const": department}}}}},
         "then": {"properties": {"keep": {"anyOf": [
             {"type": "array", "items": {"not": {"pattern": f"^{department}\\."}}},
             {"type": "null"}]}}}}
        for department in DEPARTMENTS]


class RecommendBody(RecommendRequest):
    """The client's answers; goals and departments at least."""

    model_config = ConfigDict(json_schema_extra=_keep_in_scope)

    keep: list[KeptKpiId] | None = Field(default=None, max_length=36,
                                         description="KPIs to keep; each must belong to one "
                                         "of the departments in scope.")
