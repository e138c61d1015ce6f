"""The one module that opens KPI Advisor's SQLite file (through sqlite-utils)."""

import sqlite3
import threading
from pathlib import Path

import sqlite_utils

from catalog.loader import Catalog
from catalog.search import build_index

_THREAD = threading.local()
META_TABLE = "meta"
CATALOG_KEY = "catalog_fingerprint"


def open_db(path: str | Path | None) -> sqlite_utils.Database:
    """Return a connection to the database at `path` (created if missing), or in memory if None."""
    if path is None or str(path) == ":memory:":
        return sqlite_utils.Database(memory=True)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=10, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA foreign_keys=ON")
    return db


def thread_db(path: str | Path) -> sqlite_utils.Database:
    """Return this thread's connection to `path`, opened once and then reused.

    Opening a connection per request cost more than the catalog search itself; a server's
    worker threads live long, so each keeps one connection per database file.
    """
    cache = _THREAD.__dict__.setdefault("dbs", {})
    key = str(path)
    if key not in cache:
        cache[key] = open_db(path)
    return cache[key]


SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    org_name TEXT,
    lang TEXT NOT NULL DEFAULT 'vi',
    answers TEXT NOT NULL DEFAULT '{}',
    plan_id INTEGER REFERENCES plans(id),
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_owner ON sessions(owner, updated);
CREATE TABLE IF NOT EXISTS plans (
    id INTEGER PRIMARY KEY,
    org_name TEXT,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'ready')),
    goals TEXT NOT NULL DEFAULT '[]',
    departments TEXT NOT NULL DEFAULT '[]',
    data_sources TEXT,
    max_kpis_per_owner INTEGER NOT NULL DEFAULT 7,
    lang TEXT NOT NULL DEFAULT 'vi',
    stage TEXT,
    session_id TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plan_kpis (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    data TEXT NOT NULL,
    removed_at TEXT
);
CREATE INDEX IF NOT EXISTS plan_kpis_plan ON plan_kpis(plan_id, position);
CREATE TABLE IF NOT EXISTS measurements (
    id INTEGER PRIMARY KEY,
    plan_kpi_id INTEGER NOT NULL REFERENCES plan_kpis(id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    period_key INTEGER NOT NULL,
    value REAL NOT NULL,
    target REAL,
    note TEXT,
    source TEXT,
    recorded_at TEXT NOT NULL,
    replaced_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS measurements_current
    ON measurements(plan_kpi_id, period) WHERE replaced_at IS NULL;
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    quarter TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    done_at TEXT,
    UNIQUE (plan_id, quarter)
);
CREATE TABLE IF NOT EXISTS review_comments (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    plan_kpi_id INTEGER NOT NULL REFERENCES plan_kpis(id) ON DELETE CASCADE,
    comment TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    replaced_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS review_comments_current
    ON review_comments(review_id, plan_kpi_id) WHERE replaced_at IS NULL;
"""


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the application tables that do not exist yet."""
    db.execute("PRAGMA journal_mode=WAL")
    db.conn.executescript(SCHEMA)
    if "stage" not in db["plans"].columns_dict:  # files made before plans had a stage
        db.execute("ALTER TABLE plans ADD COLUMN stage TEXT")


def _meta(db: sqlite_utils.Database, key: str) -> str | None:
    """Return a value from the meta table, or None."""
    if not db[META_TABLE].exists():
        return None
    row = db.execute(f"SELECT value FROM {META_TABLE} WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def _set_meta(db: sqlite_utils.Database, key: str, value: str) -> None:
    """Store a value in the meta table."""
    db[META_TABLE].upsert({"key": key, "value": value}, pk="key")


def ensure_catalog(db: sqlite_utils.Database, catalog: Catalog) -> bool:
    """Rebuild the catalog tables when the data files changed; return True if it rebuilt them."""
    if _meta(db, CATALOG_KEY) == catalog.fingerprint:
        return False
    build_index(db, catalog.kpis)
    _set_meta(db, CATALOG_KEY, catalog.fingerprint)
    return True
