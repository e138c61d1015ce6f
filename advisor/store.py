"""The one module that opens KPI Advisor's SQLite file (through sqlite-utils), and the one way
to change it: `transaction(db)`.

Connections run with the driver's implicit transactions off (`isolation_level=None`), so no
statement ever opens a transaction nobody closes; every change to the data goes through
`transaction`, which makes it all or nothing. sqlite-utils 4 (checked with 4.2.1 on Python 3.11:
`tests/test_store.py`) commits each of its writes at once when no transaction is open, and turns
them into savepoints of the open transaction when there is one, so its `insert`, `update` and
`upsert` may be used inside `transaction` and are rolled back with it.
"""

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from catalog.loader import Catalog
from catalog.search import build_index

_THREAD = threading.local()
META_TABLE = "meta"
CATALOG_KEY = "catalog_fingerprint"
# How long a writer waits for another one's write lock before giving up, in seconds. An import
# of the largest file we accept holds the lock well under a second (bench/bench_import.py), so
# ten seconds absorb a queue of them without answering "database is locked".
BUSY_TIMEOUT = 10.0
PRIVATE_FILE = 0o600


def open_db(path: str | Path | None) -> sqlite_utils.Database:
    """Return a connection to the database at `path` (created if missing, readable by its
    owner only), or in memory if None."""
    if path is None or str(path) == ":memory:":
        return sqlite_utils.Database(sqlite3.connect(":memory:", isolation_level=None,
                                                     check_same_thread=False))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    _create_private(Path(path))
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT, isolation_level=None,
                           check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA foreign_keys=ON")
    return db


def _create_private(path: Path) -> None:
    """Create an empty file readable by its owner only, unless it exists. SQLite gives the
    -wal and -shm files the database file's mode, so they are private too."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    os.close(fd)


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run the block as one write transaction: every change it makes is kept, or none.

    The outermost block starts with BEGIN IMMEDIATE, which takes SQLite's write lock at once
    (waiting up to BUSY_TIMEOUT), so nothing the block reads can change before it writes; it
    ends with COMMIT, or with ROLLBACK on any exception (a worker's SystemExit included) and the
    exception goes on. A block inside another is a savepoint: leaving it by an exception undoes
    its own changes only, and the outer block decides the rest (uncaught, it rolls back all).
    """
    conn = db.conn
    if conn.in_transaction:
        with _savepoint(conn):
            yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        _rollback(conn)
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise


@contextmanager
def _savepoint(conn: sqlite3.Connection) -> Iterator[None]:
    """Run the block as a savepoint of the open transaction."""
    conn.execute("SAVEPOINT kpi_advisor_nested")
    try:
        yield
    except BaseException:
        # An error such as RAISE(ROLLBACK) may already have ended the whole transaction.
        if conn.in_transaction:
            conn.execute("ROLLBACK TO kpi_advisor_nested")
            conn.execute("RELEASE kpi_advisor_nested")
        raise
    conn.execute("RELEASE kpi_advisor_nested")


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll the open transaction back, if an error has not ended it already."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def integrity_check(db: sqlite_utils.Database) -> str:
    """Return SQLite's verdict on the file's structure: "ok", or the first problem found."""
    return db.execute("PRAGMA integrity_check").fetchone()[0]


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
    last_page TEXT,
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
    version INTEGER NOT NULL DEFAULT 1,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plan_versions (
    plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (plan_id, version)
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
    replaced_at TEXT,
    excluded INTEGER NOT NULL DEFAULT 0
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
CREATE TABLE IF NOT EXISTS target_changes (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    plan_kpi_id INTEGER NOT NULL REFERENCES plan_kpis(id) ON DELETE CASCADE,
    quarter TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('committed', 'stretch')),
    old_target REAL,
    new_target REAL NOT NULL,
    plan_version INTEGER NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS target_changes_plan ON target_changes(plan_id, quarter);
"""


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Switch the file to write-ahead logging and bring its schema to the latest version."""
    from advisor.migrations import migrate

    migrate(db)


def run_script(db: sqlite_utils.Database, script: str) -> None:
    """Run SQL statements separated by `;` inside the open transaction (the driver's
    executescript would commit it first)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


# Columns added after the first files were made: (table, column, declaration).
_LATER_COLUMNS = (
    ("plans", "stage", "TEXT"),
    ("plans", "version", "INTEGER NOT NULL DEFAULT 1"),
    ("sessions", "last_page", "TEXT"),
    ("measurements", "excluded", "INTEGER NOT NULL DEFAULT 0"),
)


def add_missing_columns(db: sqlite_utils.Database) -> None:
    """Add the columns that files made by an earlier version lack."""
    for table, column, declaration in _LATER_COLUMNS:
        if column not in db[table].columns_dict:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


def meta(db: sqlite_utils.Database, key: str) -> str | None:
    """Return a value from the meta table, or None."""
    if not db[META_TABLE].exists():
        return None
    row = db.execute(f"SELECT value FROM {META_TABLE} WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(db: sqlite_utils.Database, key: str, value: str) -> None:
    """Store a value in the meta table."""
    db.table(META_TABLE).upsert({"key": key, "value": value}, pk="key")


def ensure_catalog(db: sqlite_utils.Database, catalog: Catalog) -> bool:
    """Rebuild the catalog tables when the data files changed; return True if it rebuilt them."""
    if meta(db, CATALOG_KEY) == catalog.fingerprint:
        return False
    with transaction(db):
        # Read again under the write lock: another worker may have rebuilt them meanwhile.
        if meta(db, CATALOG_KEY) == catalog.fingerprint:
            return False
        build_index(db, catalog.kpis)
        set_meta(db, CATALOG_KEY, catalog.fingerprint)
    return True
