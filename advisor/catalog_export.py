"""The catalog as rows for CSV/XLSX, or as JSON, in both languages."""

import json

from advisor.exports import to_csv
from advisor.lookup import kpi_json
from catalog.loader import Catalog
from catalog.models import Context, Kpi

CATALOG_COLUMNS = (
    "id", "department", "name_vi", "name_en", "definition_vi", "definition_en",
    "formula_vi", "formula_en", "unit", "direction", "financial", "perspective", "indicator",
    "frequency", "data_sources", "owner_role_vi", "owner_role_en", "goals", "counter_kpis",
    "related", "primary_goal", "headline_for", "measures", "change_pace", "data_requirements",
    "fits", "fits_why_vi", "fits_why_en", "misfits", "misfits_why_vi", "misfits_why_en",
)


def catalog_row(kpi: Kpi) -> list:
    """Return one KPI as a flat row in CATALOG_COLUMNS order."""
    return [
        kpi.id, kpi.department, kpi.name.vi, kpi.name.en, kpi.definition.vi, kpi.definition.en,
        kpi.formula.vi, kpi.formula.en, kpi.unit, kpi.direction, kpi.financial, kpi.perspective,
        kpi.indicator, kpi.frequency, kpi.data_sources, kpi.owner_role.vi, kpi.owner_role.en,
        kpi.goals, kpi.counter_kpis, kpi.related, kpi.primary_goal, kpi.headline_for,
        kpi.measures, kpi.change_pace, requirements_cell(kpi), *_fit_cells(kpi),
    ]


def requirements_cell(kpi: Kpi) -> str:
    """Return the data a KPI needs in one cell: groups joined by " + " (all needed), the
    sources of a group by " / " (any one)."""
    return " + ".join(" / ".join(group) for group in kpi.requirements())


def _context_cell(context: Context) -> str:
    """Return a context's conditions in one cell: "industries: retail, ecommerce; ..."."""
    return "; ".join(f"{name}: {', '.join(words)}" for name, words in context.conditions().items())


def _fit_cells(kpi: Kpi) -> list[str]:
    """Return the fits (conditions, why in vi and en) and the misfits (each as conditions,
    why in vi and en, misfits separated by " | ")."""
    fits = kpi.fits
    why = fits.why if fits is not None else None
    return [_context_cell(fits) if fits else "", why.vi if why else "", why.en if why else "",
            " | ".join(_context_cell(m) for m in kpi.misfits),
            " | ".join(m.why.vi for m in kpi.misfits), " | ".join(m.why.en for m in kpi.misfits)]


def export_catalog(catalog: Catalog, fmt: str) -> str:
    """Return the whole catalog as CSV or JSON text."""
    if fmt == "json":
        items = [kpi_json(k) for k in catalog.kpis]
        return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    return to_csv(CATALOG_COLUMNS, (catalog_row(k) for k in catalog.kpis))
