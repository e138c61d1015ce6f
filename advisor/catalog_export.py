"""The catalog as rows for CSV/XLSX, or as JSON, in both languages."""

import json

from advisor.exports import to_csv
from advisor.lookup import kpi_json
from catalog.loader import Catalog
from catalog.models import Kpi

CATALOG_COLUMNS = (
    "id", "department", "name_vi", "name_en", "definition_vi", "definition_en",
    "formula_vi", "formula_en", "unit", "direction", "financial", "perspective", "indicator",
    "frequency", "data_sources", "owner_role_vi", "owner_role_en", "goals", "counter_kpis",
    "related",
)


def catalog_row(kpi: Kpi) -> list:
    """Return one KPI as a flat row in CATALOG_COLUMNS order."""
    return [
        kpi.id, kpi.department, kpi.name.vi, kpi.name.en, kpi.definition.vi, kpi.definition.en,
        kpi.formula.vi, kpi.formula.en, kpi.unit, kpi.direction, kpi.financial, kpi.perspective,
        kpi.indicator, kpi.frequency, kpi.data_sources, kpi.owner_role.vi, kpi.owner_role.en,
        kpi.goals, kpi.counter_kpis, kpi.related,
    ]


def export_catalog(catalog: Catalog, fmt: str) -> str:
    """Return the whole catalog as CSV or JSON text."""
    if fmt == "json":
        items = [kpi_json(k) for k in catalog.kpis]
        return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    return to_csv(CATALOG_COLUMNS, (catalog_row(k) for k in catalog.kpis))
