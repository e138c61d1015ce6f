"""Schema versions: each migration runs on a real file made by the version before it."""

import json
import sqlite3

import pytest

from advisor.accounts.users import create_user
from advisor.accounts.workspaces import memberships
from advisor.migrations import LATEST, MIGRATIONS, migrate, schema_version
from advisor.plans import get_plan, list_plans, session_workspace
from advisor.store import ensure_schema, integrity_check, open_db
from tests.conftest import PASSWORD

# The tables as the release before schema versions wrote them (advisor/store.py SCHEMA at that
# commit, without the columns added later), written here by hand so the test does not depend on
# the code it checks.
BEFORE_VERSIONS = """
CREATE TABLE sessions (id TEXT PRIMARY KEY, owner TEXT NOT NULL, org_name TEXT,
    lang TEXT NOT NULL DEFAULT 'vi', answers TEXT NOT NULL DEFAULT '{}',
    plan_id INTEGER REFERENCES plans(id), created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE plans (id INTEGER PRIMARY KEY, org_name TEXT,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'ready')),
    goals TEXT NOT NULL DEFAULT '[]', departments TEXT NOT NULL DEFAULT '[]', data_sources TEXT,
    max_kpis_per_owner INTEGER NOT NULL DEFAULT 7, lang TEXT NOT NULL DEFAULT 'vi',
    session_id TEXT, created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE plan_kpis (id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE, position INTEGER NOT NULL,
    data TEXT NOT NULL, removed_at TEXT);
CREATE TABLE measurements (id INTEGER PRIMARY KEY,
    plan_kpi_id INTEGER NOT NULL REFERENCES plan_kpis(id) ON DELETE CASCADE,
    period TEXT NOT NULL, period_key INTEGER NOT NULL, value REAL NOT NULL, target REAL,
    note TEXT, source TEXT, recorded_at TEXT NOT NULL, replaced_at TEXT);
INSERT INTO plans (id, org_name, goals, departments, created, updated)
    VALUES (1, 'Công ty Cũ', '["increase_revenue"]', '["sales"]', '2025-01-01', '2025-01-01');
INSERT INTO plan_kpis (id, plan_id, position, data)
    VALUES (1, 1, 0, '{"kpi_id": "sales.revenue", "target": 100}');
INSERT INTO measurements (plan_kpi_id, period, period_key, value, recorded_at)
    VALUES (1, '2025-01', 24301, 90, '2025-02-01');
INSERT INTO sessions (id, owner, org_name, plan_id, created, updated)
    VALUES ('old-session', 'browser', 'Công ty Cũ', 1, '2025-01-01', '2025-01-01');
"""


def _old_file(path) -> None:
    """Write a database file as the release before schema versions left it."""
    conn = sqlite3.connect(path)
    conn.executescript(BEFORE_VERSIONS)
    conn.close()


def test_the_migrations_are_numbered_in_order():
    assert [v for v, _ in MIGRATIONS] == list(range(1, LATEST + 1))


def test_a_file_of_before_versions_gets_version_1_with_its_data_kept(tmp_path):
    _old_file(tmp_path / "old.db")
    db = open_db(tmp_path / "old.db")
    assert schema_version(db) == 0
    assert migrate(db, target=1) == [1]
    assert schema_version(db) == 1
    assert {"plan_versions", "reviews", "review_comments"} <= set(db.table_names())
    assert "stage" in db["plans"].columns_dict and "last_page" in db["sessions"].columns_dict
    assert db.execute("SELECT value FROM measurements").fetchone()[0] == 90
    db.close()


def test_version_2_puts_what_belongs_to_nobody_in_imported_owned_by_the_first_user(tmp_path):
    _old_file(tmp_path / "old.db")
    db = open_db(tmp_path / "old.db")
    migrate(db, target=1)
    assert migrate(db, target=2) == [2]
    assert schema_version(db) == 2 and integrity_check(db) == "ok"
    imported = db.execute("SELECT id, slug, name FROM workspaces").fetchall()
    assert [(slug, name) for _, slug, name in imported] == [("imported", "Imported")]
    workspace_id = imported[0][0]
    assert session_workspace(db, "old-session") == workspace_id
    assert [p["org_name"] for p in list_plans(db, workspace_id)] == ["Công ty Cũ"]
    assert get_plan(db, 1).plan.kpis[0].target == 100
    first = create_user(db, "first@example.com", "First", PASSWORD)
    second = create_user(db, "second@example.com", "Second", PASSWORD)
    assert [(m.workspace.slug, m.role) for m in memberships(db, first.id)] == [
        ("imported", "owner")]
    assert memberships(db, second.id) == []
    db.close()


def test_version_3_gives_answers_that_named_erp_the_dms_word_beside_it(tmp_path):
    _old_file(tmp_path / "old.db")
    db = open_db(tmp_path / "old.db")
    migrate(db, target=2)
    db.execute("""UPDATE sessions SET answers = '{"org_name": "Nhà phân phối Cũ", '
               || '"data_sources": ["erp", "accounting"]}'""")
    db.execute("""UPDATE plans SET data_sources = '["crm", "erp"]'""")
    db.execute("""INSERT INTO plans (id, org_name, goals, departments, data_sources, created,
                  updated, workspace_id) VALUES (2, 'Không ERP', '["increase_revenue"]',
                  '["sales"]', '["pos"]', '2025-01-01', '2025-01-01', 1)""")
    assert migrate(db) == [3]
    answers = json.loads(db.execute("SELECT answers FROM sessions").fetchone()[0])
    assert answers == {"org_name": "Nhà phân phối Cũ", "data_sources": ["erp", "dms", "accounting"]}
    assert get_plan(db, 1).plan.data_sources == ["crm", "erp", "dms"]
    assert db.execute("SELECT data_sources FROM plans WHERE id = 2").fetchone()[0] == '["pos"]'
    assert schema_version(db) == 3 and integrity_check(db) == "ok"
    db.close()


def test_an_empty_file_goes_to_the_latest_version_without_an_imported_workspace(tmp_path):
    db = open_db(tmp_path / "new.db")
    ensure_schema(db)
    assert schema_version(db) == LATEST
    assert db.execute("SELECT count(*) FROM workspaces").fetchone()[0] == 0
    ensure_schema(db)  # again: nothing to do
    assert migrate(db) == []
    db.close()


def test_a_failing_migration_leaves_the_file_at_the_version_before(tmp_path):
    _old_file(tmp_path / "old.db")
    db = open_db(tmp_path / "old.db")
    migrate(db, target=1)
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")  # in the way of version 2
    with pytest.raises(sqlite3.OperationalError):
        migrate(db)
    assert schema_version(db) == 1
    assert "workspace_id" not in db["plans"].columns_dict
    assert "workspaces" not in db.table_names()
    db.close()
