"""Looking KPIs up in the catalog: validated queries in, pages of KPIs out."""

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Literal

import sqlite_utils
from pydantic import BaseModel, ConfigDict, Field, field_validator

from advisor.errors import NotFoundError
from advisor.models import Goal
from catalog.loader import Catalog
from catalog.models import Kpi
from catalog.search import SearchFilters, search
from catalog.vocab import Department, Indicator, Perspective

Lang = Literal["vi", "en"]


class KpiQuery(BaseModel):
    """A catalog search as the API and the CLI accept it."""

    model_config = ConfigDict(extra="ignore")

    q: str | None = Field(default=None, max_length=200)
    department: Department | None = None
    financial: bool | None = None
    perspective: Perspective | None = None
    indicator: Indicator | None = None
    goal: Goal | None = None
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


def kpi_json(kpi: Kpi, lang: str | None = None) -> dict[str, Any]:
    """Return a KPI as the API shows it; text as {vi, en}, or plain strings when `lang` is given."""
    data = kpi.model_dump(exclude={"aliases", "seed"})
    low, high = kpi.bounds()  # the unit's range unless the KPI sets its own
    data["value_range"] = {"low": low, "high": high}
    data["data_requirements"] = kpi.requirements()
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


def search_ids(db: sqlite_utils.Database, catalog: Catalog, query: KpiQuery) -> tuple[list, int]:
    """Return the ids of one page of matching KPIs and the total number of matches."""
    filters = SearchFilters(
        department=query.department,
        financial=query.financial,
        perspective=query.perspective,
        indicator=query.indicator,
        goal=query.goal,
    )
    ids, total = search(db, query.q, filters, query.limit, query.offset)
    return [i for i in ids if i in catalog.by_id], total


class SearchCache:
    """A bounded, thread-safe memory of search pages; the catalog tables never change while a
    process runs (they are rebuilt only at start), so a page stays right for the process."""

    def __init__(self, size: int):
        self.size = size
        self._pages: OrderedDict[tuple, tuple[Sequence[str], int]] = OrderedDict()
        self._lock = threading.Lock()

    def ids(self, db: sqlite_utils.Database, catalog: Catalog,
            query: KpiQuery) -> tuple[Sequence[str], int]:
        """Return search_ids for the query, from memory when it was asked before (the ids as a
        tuple, which no caller can change)."""
        if self.size <= 0:
            return search_ids(db, catalog, query)
        key = (catalog.fingerprint, *query.model_dump(exclude={"lang"}).values())
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        ids, total = search_ids(db, catalog, query)
        found = (tuple(ids), total)
        with self._lock:
            self._pages[key] = found
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
        return found


def find_kpis(db: sqlite_utils.Database, catalog: Catalog, query: KpiQuery) -> dict[str, Any]:
    """Return one page of matching KPIs: items, total, limit and offset (fresh dicts)."""
    ids, total = search_ids(db, catalog, query)
    items = [json.loads(_kpi_text(catalog, i, query.lang)) for i in ids]
    return {"items": items, "total": total, "limit": query.limit, "offset": query.offset}


def page_json_text(db: sqlite_utils.Database, catalog: Catalog, query: KpiQuery,
                   cache: SearchCache | None = None) -> str:
    """Return find_kpis as JSON text, each KPI serialised once per catalog and language."""
    ids, total = cache.ids(db, catalog, query) if cache else search_ids(db, catalog, query)
    items = ",".join(_kpi_text(catalog, i, query.lang) for i in ids)
    return (f'{{"items":[{items}],"total":{total},"limit":{query.limit},'
            f'"offset":{query.offset}}}')


def _kpi_text(catalog: Catalog, kpi_id: str, lang: str | None) -> str:
    """Return kpi_json for a catalog KPI as JSON text, made once per catalog, id and language
    (kept as text, which nobody can change)."""
    key = ("kpi_text", kpi_id, lang)
    if key not in catalog.memo:
        catalog.memo[key] = json.dumps(kpi_json(catalog.by_id[kpi_id], lang),
                                       ensure_ascii=False, separators=(",", ":"))
    return catalog.memo[key]


def get_kpi(catalog: Catalog, kpi_id: str) -> Kpi:
    """Return the catalog KPI with this id, or raise NotFoundError."""
    kpi = catalog.get(kpi_id)
    if kpi is None:
        raise NotFoundError("KPI", kpi_id)
    return kpi
