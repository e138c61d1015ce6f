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
    """Replace the catalog tables with `kpis` and their full-text index; return the count."""
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
    with db.conn:
        for name in (FTS_TABLE, KPI_TABLE):
            if db[name].exists():
                db[name].drop()
        table = db[KPI_TABLE]
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


def _tier_queries(query: str) -> list[str]:
    """Return FTS5 expressions from best to weakest match: the name starts with the phrase,
    the name holds the phrase, the names or aliases hold every word."""
    toks = tokens(query)
    phrase = '"' + " ".join(toks) + '"*'
    every = " ".join(f'"{tok}"*' for tok in toks)
    return [f"{{name_vi name_en}} : ^{phrase}", f"{{name_vi name_en}} : {phrase}",
            f"{{name_vi name_en aliases}} : ({every})"]


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
    base = (
        f"FROM {FTS_TABLE} JOIN {KPI_TABLE} k ON k.rowid = {FTS_TABLE}.rowid WHERE {conditions}"
    )
    total = db.execute(f"SELECT count(*) {base}", {**params, "match": match}).fetchone()[0]
    tiers = _tier_queries(query)
    tier_sql = " ".join(
        f"WHEN k.rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :tier{i}) "
        f"THEN {i}" for i in range(len(tiers))
    )
    weights = ", ".join(str(w) for w in WEIGHTS)
    sql = (
        f"SELECT k.id, CASE {tier_sql} ELSE {len(tiers)} END AS tier {base} "
        f"ORDER BY tier, bm25({FTS_TABLE}, {weights}), k.position LIMIT :limit OFFSET :offset"
    )
    tier_params = {f"tier{i}": q for i, q in enumerate(tiers)}
    rows = db.execute(sql, {**params, **tier_params, "match": match, "limit": limit,
                            "offset": offset}).fetchall()
    return [r[0] for r in rows], total
