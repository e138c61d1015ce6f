"""Looking KPIs up in the catalog: validated queries in, pages of KPIs out."""

from typing import Any, Literal

import sqlite_utils
from pydantic import BaseModel, ConfigDict, Field, field_validator

from advisor.errors import NotFoundError
from catalog.loader import Catalog
from catalog.models import Kpi
from catalog.search import SearchFilters, search
from catalog.vocab import GOALS, Department, Indicator, Perspective

Lang = Literal["vi", "en"]


class KpiQuery(BaseModel):
    """A catalog search as the API and the CLI accept it."""

    model_config = ConfigDict(extra="ignore")

    q: str | None = Field(default=None, max_length=200)
    department: Department | None = None
    financial: bool | None = None
    perspective: Perspective | None = None
    indicator: Indicator | None = None
    goal: str | None = None
    lang: Lang | None = None
    limit: int = Field(default=20, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)

    @field_validator("financial", mode="before")
    @classmethod
    def _strict_bool(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.lower() not in ("true", "false"):
                raise ValueError("must be true or false")
            return value.lower() == "true"
        return value

    @field_validator("goal")
    @classmethod
    def _known_goal(cls, value: str | None) -> str | None:
        if value is not None and value not in GOALS:
            raise ValueError(f"unknown goal; allowed: {', '.join(GOALS)}")
        return value


def kpi_json(kpi: Kpi, lang: str | None = None) -> dict[str, Any]:
    """Return a KPI as the API shows it; text as {vi, en}, or plain strings when `lang` is given."""
    data = kpi.model_dump(exclude={"aliases", "seed"})
    return _pick_language(data, lang) if lang else data


def _pick_language(value: Any, lang: str) -> Any:
    """Return `value` with every {vi, en} pair replaced by its text in `lang`."""
    if isinstance(value, dict):
        if set(value) == {"vi", "en"}:
            return value[lang]
        return {k: _pick_language(v, lang) for k, v in value.items()}
    if isinstance(value, list):
        return [_pick_language(v, lang) for v in value]
    return value


def find_kpis(db: sqlite_utils.Database, catalog: Catalog, query: KpiQuery) -> dict[str, Any]:
    """Return one page of matching KPIs: items, total, limit and offset."""
    filters = SearchFilters(
        department=query.department,
        financial=query.financial,
        perspective=query.perspective,
        indicator=query.indicator,
        goal=query.goal,
    )
    ids, total = search(db, query.q, filters, query.limit, query.offset)
    items = [kpi_json(catalog.by_id[i], query.lang) for i in ids if i in catalog.by_id]
    return {"items": items, "total": total, "limit": query.limit, "offset": query.offset}


def get_kpi(catalog: Catalog, kpi_id: str) -> Kpi:
    """Return the catalog KPI with this id, or raise NotFoundError."""
    kpi = catalog.get(kpi_id)
    if kpi is None:
        raise NotFoundError("KPI", kpi_id)
    return kpi
