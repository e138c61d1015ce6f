"""Full-text search over the catalog that folds Vietnamese diacritics (đ → d, tỷ → ti)."""

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from catalog.models import Kpi

KPI_TABLE = "catalog_kpis"
FTS_TABLE = "catalog_kpis_fts"
FTS_COLUMNS = ("name_vi", "name_en", "aliases", "body")
# Column weights for bm25: a word in a name counts far more than one in a definition.
WEIGHTS = (10.0, 10.0, 5.0, 1.0)
_TOKEN = re.compile(r"[a-z0-9]+")
# Vietnamese writes the same syllable with y or i after some consonants (tỷ lệ / tỉ lệ).
_SPELLING = {"ty": "ti", "ky": "ki", "ly": "li", "my": "mi", "sy": "si"}


@dataclass(frozen=True)
class SearchFilters:
    """Structured filters a search can combine with its query."""

    department: str | None = None
    financial: bool | None = None
    perspective: str | None = None
    indicator: str | None = None
    goal: str | None = None


def fold(text: str) -> str:
    """Return `text` lower-cased without diacritics, with đ as d."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.lower()


def tokens(text: str) -> list[str]:
    """Return the folded search tokens of `text`, with Vietnamese spelling variants unified."""
    return [_SPELLING.get(tok, tok) for tok in _TOKEN.findall(fold(text))]


def _folded(*parts: str) -> str:
    """Return the parts as one folded, tokenised text."""
    return " ".join(" ".join(tokens(p)) for p in parts)


def _alias_text(kpi: Kpi) -> str:
    """Return the folded text of a KPI's aliases and id words in both languages."""
    parts = [kpi.id.split(".", 1)[1].replace("_", " ")]
    for alias in kpi.aliases:
        parts += [alias.vi, alias.en]
    return _folded(*parts)


def _body_text(kpi: Kpi) -> str:
    """Return the folded text of a KPI's definition and formula in both languages."""
    return _folded(kpi.definition.vi, kpi.definition.en, kpi.formula.vi, kpi.formula.en)


def build_index(db: sqlite_utils.Database, kpis: Iterable[Kpi]) -> int:
    """Replace the catalog tables with `kpis` and their full-text index; return the count.

    Run it inside one transaction of the caller (the store's `transaction`): on its own, each
    of sqlite-utils' steps would commit by itself and a failure would leave the tables half
    built.
    """
    rows = [
        {
            "id": kpi.id,
            "position": position,
            "department": kpi.department,
            "financial": int(kpi.financial),
            "perspective": kpi.perspective,
            "indicator": kpi.indicator,
            "goals": json.dumps(kpi.goals),
            "name_vi": _folded(kpi.name.vi),
            "name_en": _folded(kpi.name.en),
            "aliases": _alias_text(kpi),
            "body": _body_text(kpi),
        }
        for position, kpi in enumerate(kpis)
    ]
    for name in (FTS_TABLE, KPI_TABLE):
        if db[name].exists():
            db[name].drop()
    table = db.table(KPI_TABLE)
    table.create(
        {"id": str, "position": int, "department": str, "financial": int,
         "perspective": str, "indicator": str, "goals": str, "name_vi": str,
         "name_en": str, "aliases": str, "body": str},
        pk="id",
    )
    table.insert_all(rows)
    table.create_index(["department"])
    table.enable_fts(list(FTS_COLUMNS), fts_version="FTS5", tokenize="unicode61")
    return len(rows)


def fts_query(query: str) -> str | None:
    """Return an FTS5 expression matching every token of `query` as a prefix, or None if empty."""
    toks = tokens(query)
    if not toks:
        return None
    return " ".join(f'"{tok}"*' for tok in toks)


def _tier_sql(query: str) -> tuple[str, dict]:
    """Return a SQL CASE ranking matched rows, with its parameters: 0 when a name starts with
    the phrase, 1 when a name holds it, 2 when the names or aliases hold every word, else 3."""
    toks = tokens(query)
    params = {"phrase": " ".join(toks) + "%", "inner": "% " + " ".join(toks) + "%"}
    names = "(' ' || k.name_vi || ' ' || k.name_en || ' ' || k.aliases)"
    every = " AND ".join(f"{names} LIKE :tok{i}" for i in range(len(toks)))
    params.update({f"tok{i}": f"% {tok}%" for i, tok in enumerate(toks)})
    case = (
        "CASE WHEN k.name_vi LIKE :phrase OR k.name_en LIKE :phrase THEN 0 "
        "WHEN ' ' || k.name_vi LIKE :inner OR ' ' || k.name_en LIKE :inner THEN 1 "
        f"WHEN {every} THEN 2 ELSE 3 END"
    )
    return case, params


def search(
    db: sqlite_utils.Database,
    query: str | None = None,
    filters: SearchFilters | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[str], int]:
    """Return (ids of one page, total matches), names matches ranked before definition matches."""
    where, params = _filter_sql(filters or SearchFilters())
    query = (query or "").strip()
    match = fts_query(query) if query else None
    if query and match is None:
        return [], 0
    if match is None:
        return _list_page(db, where, params, limit, offset)
    return _match_page(db, query, match, (where, params), (limit, offset))


def _filter_sql(filters: SearchFilters) -> tuple[list[str], dict]:
    """Return SQL conditions and parameters for the structured filters."""
    where, params = [], {}
    for column in ("department", "perspective", "indicator"):
        value = getattr(filters, column)
        if value is not None:
            where.append(f"k.{column} = :{column}")
            params[column] = value
    if filters.financial is not None:
        where.append("k.financial = :financial")
        params["financial"] = int(filters.financial)
    if filters.goal is not None:
        where.append("EXISTS (SELECT 1 FROM json_each(k.goals) WHERE value = :goal)")
        params["goal"] = filters.goal
    return where, params


def _list_page(db, where, params, limit, offset) -> tuple[list[str], int]:
    """Return one page of KPIs in catalog order, filtered only by structure."""
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    total = db.execute(f"SELECT count(*) FROM {KPI_TABLE} k {clause}", params).fetchone()[0]
    sql = f"SELECT k.id FROM {KPI_TABLE} k {clause} ORDER BY k.position LIMIT :limit OFFSET :offset"
    rows = db.execute(sql, {**params, "limit": limit, "offset": offset}).fetchall()
    return [r[0] for r in rows], total


def _match_page(db, query, match, filters, page) -> tuple[list[str], int]:
    """Return one page of full-text matches: best name tier first, then by bm25 rank."""
    (where, params), (limit, offset) = filters, page
    conditions = " AND ".join([f"{FTS_TABLE} MATCH :match", *where])
    tier, tier_params = _tier_sql(query)
    weights = ", ".join(str(w) for w in WEIGHTS)
    inner = (
        f"SELECT k.id, k.position, bm25({FTS_TABLE}, {weights}) AS score, {tier} AS tier "
        f"FROM {FTS_TABLE} JOIN {KPI_TABLE} k ON k.rowid = {FTS_TABLE}.rowid WHERE {conditions}"
    )
    sql = (f"SELECT id, count(*) OVER () FROM ({inner}) "
           "ORDER BY tier, score, position LIMIT :limit OFFSET :offset")
    rows = db.execute(sql, {**params, **tier_params, "match": match, "limit": limit,
                            "offset": offset}).fetchall()
    if not rows and offset:
        return [], _count(db, conditions, {**params, "match": match})
    return [r[0] for r in rows], (rows[0][1] if rows else 0)


def _count(db, conditions: str, params: dict) -> int:
    """Return how many KPIs match, for a page past the end of the results."""
    sql = (f"SELECT count(*) FROM {FTS_TABLE} JOIN {KPI_TABLE} k "
           f"ON k.rowid = {FTS_TABLE}.rowid WHERE {conditions}")
    return db.execute(sql, params).fetchone()[0]
