"""The plan and the recommendation request as the API reads them: the core's models, with the
rules the handlers add (catalog ids, a name for a KPI of one's own) stated in the document."""

from typing import Annotated

from pydantic import ConfigDict, Field

from advisor.models import KpiRef, RecommendRequest
from advisor.plan_models import Plan, PlanKpi, Text120

# The document lists the running catalog's ids wherever this mark is (see document.py).
CATALOG_IDS = {"x-catalog-ids": True}
NON_BLANK = r"\S"

CatalogKpiId = Annotated[Text120, Field(json_schema_extra=CATALOG_IDS,
                                        description="A catalog id (GET /api/v1/kpis).")]
KeptKpiId = Annotated[KpiRef, Field(json_schema_extra=CATALOG_IDS)]


class PlanKpiBody(PlanKpi):
    """A KPI of the plan: a catalog `kpi_id`, or a `name` for a KPI of your own."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": ["kpi_id"], "properties": {"kpi_id": {"type": "string"}}},
        {"required": ["name"], "properties": {"name": {"type": "string",
                                                       "pattern": NON_BLANK}}},
    ]})

    kpi_id: CatalogKpiId | None = None


class PlanBody(Plan):
    """A plan: the client's context and up to 200 KPIs."""

    kpis: list[PlanKpiBody] = Field(min_length=1, max_length=200)


class RecommendBody(RecommendRequest):
    """The client's answers; goals and departments at least."""

    keep: list[KeptKpiId] | None = Field(default=None, max_length=36,
                                         description="KPIs to keep; each must belong to one "
                                         "of the departments in scope.")
