"""The store's schema versions and the ordered migrations between them.

The version is kept in the meta table (`schema_version`); a file without one was made before
versions were kept and starts at 0 (migration 1 creates only what is missing, so it also finishes
files of that time). Each migration runs in one transaction with the version it reaches, so a
file is at one version or the next, never between; tests/test_migrations.py runs each one on a
file made by the version before.
"""

import json
from collections.abc import Callable

import sqlite_utils

from advisor.store import (
    META_TABLE,
    SCHEMA,
    add_missing_columns,
    meta,
    run_script,
    set_meta,
    transaction,
)

VERSION_KEY = "schema_version"

ACCOUNTS = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE workspaces (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE memberships (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    created TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    token_hash TEXT NOT NULL UNIQUE,
    invited_by INTEGER REFERENCES users(id),
    created TEXT NOT NULL,
    expires TEXT NOT NULL,
    used_at TEXT,
    used_by INTEGER REFERENCES users(id)
);
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    read_only INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    last_used TEXT,
    revoked_at TEXT
);
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_who ON login_failures(email, address, at);
ALTER TABLE sessions ADD COLUMN workspace_id INTEGER REFERENCES workspaces(id);
ALTER TABLE plans ADD COLUMN workspace_id INTEGER REFERENCES workspaces(id);
ALTER TABLE plans ADD COLUMN updated_by INTEGER REFERENCES users(id);
ALTER TABLE plan_versions ADD COLUMN saved_by INTEGER REFERENCES users(id);
ALTER TABLE measurements ADD COLUMN recorded_by INTEGER REFERENCES users(id);
ALTER TABLE review_comments ADD COLUMN recorded_by INTEGER REFERENCES users(id);
ALTER TABLE reviews ADD COLUMN updated_by INTEGER REFERENCES users(id);
ALTER TABLE target_changes ADD COLUMN changed_by INTEGER REFERENCES users(id);
CREATE INDEX sessions_workspace ON sessions(workspace_id, updated);
CREATE INDEX plans_workspace ON plans(workspace_id, updated);
"""


def _base_tables(db: sqlite_utils.Database) -> None:
    """1: sessions, plans and their versions, plan KPIs, measurements, reviews, comments."""
    run_script(db, SCHEMA)
    add_missing_columns(db)


def _accounts(db: sqlite_utils.Database) -> None:
    """2: users, workspaces, memberships, invitations, API tokens, failed sign-ins; every plan
    and session in a workspace (those of before go to "Imported", owned by the first user
    created); who made each change."""
    run_script(db, ACCOUNTS)
    orphans = db.execute("SELECT (SELECT count(*) FROM plans) + "
                         "(SELECT count(*) FROM sessions)").fetchone()[0]
    if orphans:
        ws_id = db.execute("INSERT INTO workspaces (slug, name, created) VALUES "
                           "('imported', 'Imported', datetime('now'))").lastrowid
        db.execute("UPDATE plans SET workspace_id = ?", [ws_id])
        db.execute("UPDATE sessions SET workspace_id = ?", [ws_id])


def _dms_word(db: sqlite_utils.Database) -> None:
    """3: the data-source word `erp` stood for "ERP or distributor management system" until
    `dms` got a word of its own; interviews and plans that named `erp` get `dms` beside it, so
    what they could measure stays measurable (the saved versions of a plan stay as saved)."""
    for table, column in (("sessions", "answers"), ("plans", "data_sources")):
        rows = db.execute(f"SELECT id, {column} FROM {table} "  # noqa: S608 (fixed names)
                          f"WHERE {column} LIKE '%\"erp\"%'").fetchall()
        for row_id, text in rows:
            value = json.loads(text)
            sources = value.get("data_sources") if isinstance(value, dict) else value
            if isinstance(sources, list) and "erp" in sources and "dms" not in sources:
                sources.insert(sources.index("erp") + 1, "dms")
                db.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?",  # noqa: S608
                           [json.dumps(value, ensure_ascii=False), row_id])


MIGRATIONS: tuple[tuple[int, Callable[[sqlite_utils.Database], None]], ...] = (
    (1, _base_tables),
    (2, _accounts),
    (3, _dms_word),
)
LATEST = MIGRATIONS[-1][0]


def schema_version(db: sqlite_utils.Database) -> int:
    """Return the file's schema version (0: made before versions were kept, or empty)."""
    value = meta(db, VERSION_KEY)
    return int(value) if value else 0


def migrate(db: sqlite_utils.Database, target: int = LATEST) -> list[int]:
    """Run the migrations the file has not had, up to `target`; return those run."""
    db.execute("PRAGMA journal_mode=WAL")  # cannot change inside a transaction
    ran = []
    for version, step in MIGRATIONS:
        if version > target:
            break
        with transaction(db):
            # Read again under the write lock: another worker may have migrated meanwhile.
            if schema_version(db) >= version:
                continue
            step(db)
            db.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} "
                       "(key TEXT PRIMARY KEY, value TEXT)")
            set_meta(db, VERSION_KEY, str(version))
        ran.append(version)
    return ran
