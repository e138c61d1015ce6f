"""The store's one way to write: every change is one transaction, kept whole or not at all.

Faults are injected for real: SQLite triggers that RAISE at the Nth row, and other connections
(threads) writing the same period at once. Nothing of ours is mocked.
"""

import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from advisor.plan_models import Plan
from advisor.plans import create_plan, get_plan, get_session, save_answers, update_plan
from advisor.review.importer import add_rows, import_file
from advisor.review.measurements import (
    plan_measurements,
    review_state,
    save_comments,
    set_review_status,
)
from advisor.store import ensure_schema, integrity_check, open_db, transaction
from catalog.loader import builtin_catalog
from web import create_app

IMPORTS = Path(__file__).parent / "data" / "imports"
PLAN = {"org_name": "Công ty Bình Minh", "kpis": [
    {"kpi_id": "sales.revenue", "target": 400, "frequency": "monthly"},
    {"kpi_id": "sales.conversion_rate", "target": 12, "commitment": "aspirational"},
    {"name": "Đại lý mới", "unit": "count", "frequency": "weekly"},
    {"kpi_id": "sales.net_revenue_retention"},
]}


def count(path: Path, table: str) -> int:
    """Return the committed rows of `table`, read through a connection of its own."""
    with sqlite3.connect(path) as other:
        return other.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def fail_at(db, table: str, n: int, how: str = "ABORT") -> None:
    """Make the n-th row inserted into `table` (counting what it holds) raise inside SQLite."""
    db.execute(f"CREATE TRIGGER fault_{table} BEFORE INSERT ON {table} "
               f"WHEN (SELECT count(*) FROM {table}) >= {n - 1} "
               f"BEGIN SELECT RAISE({how}, 'injected fault'); END")


@pytest.fixture
def plan(db, workspace_id):
    return get_plan(db, create_plan(db, Plan.model_validate(PLAN), workspace_id=workspace_id))


# --- The helper and sqlite-utils inside it ----------------------------------------------------


def test_sqlite_utils_writes_stay_inside_an_open_transaction(tmp_path):
    """sqlite-utils 4 commits each write when no transaction is open; inside one, its insert,
    insert_all, update and upsert must be part of it and roll back with it."""
    path = tmp_path / "t.db"
    db = open_db(path)
    db["t"].create({"id": int, "v": str}, pk="id")
    with pytest.raises(RuntimeError), transaction(db):
        db["t"].insert({"id": 1, "v": "a"})
        db["t"].insert_all([{"id": 2, "v": "b"}, {"id": 3, "v": "c"}])
        db["t"].update(1, {"v": "z"})
        db["t"].upsert({"id": 4, "v": "d"}, pk="id")
        db.execute("INSERT INTO t (id, v) VALUES (?, ?)", [5, "e"])
        assert db.conn.in_transaction and count(path, "t") == 0  # others see nothing yet
        raise RuntimeError("stop")
    assert not db.conn.in_transaction
    assert count(path, "t") == 0
    with transaction(db):
        db["t"].insert({"id": 1, "v": "a"})
    assert count(path, "t") == 1


def test_the_connection_never_opens_a_transaction_by_itself(db):
    db.conn.execute("INSERT INTO plans (org_name, created, updated) VALUES ('x', 'n', 'n')")
    assert not db.conn.in_transaction


def test_a_nested_block_is_a_savepoint(tmp_path):
    path = tmp_path / "n.db"
    db = open_db(path)
    db["t"].create({"id": int}, pk="id")
    with transaction(db):
        db["t"].insert({"id": 1})
        with pytest.raises(ValueError), transaction(db):
            db["t"].insert({"id": 2})
            raise ValueError("inner fails, outer goes on")
        db["t"].insert({"id": 3})
    assert [r["id"] for r in db["t"].rows] == [1, 3]
    with pytest.raises(ValueError), transaction(db):
        db["t"].insert({"id": 4})
        with transaction(db):
            db["t"].insert({"id": 5})
        raise ValueError("outer fails: the inner block's rows go too")
    assert count(path, "t") == 2


def test_a_writer_waits_for_the_lock_instead_of_failing(tmp_path):
    path = tmp_path / "w.db"
    first, second = open_db(path), open_db(path)
    ensure_schema(first)
    released = threading.Event()

    def hold() -> None:
        with transaction(first):
            first.execute("INSERT INTO plans (created, updated) VALUES ('a', 'a')")
            released.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    threading.Timer(0.5, released.set).start()
    with transaction(second):  # BEGIN IMMEDIATE waits for the first writer's COMMIT
        second.execute("INSERT INTO plans (created, updated) VALUES ('b', 'b')")
    holder.join()
    assert count(path, "plans") == 2


# --- A fault at row N leaves nothing ------------------------------------------------------------


@pytest.mark.parametrize("how", ["ABORT", "FAIL", "ROLLBACK"])
def test_a_fault_at_row_n_of_an_import_leaves_nothing(db, plan, how, tmp_path):
    fail_at(db, "measurements", 30, how)
    with pytest.raises(sqlite3.IntegrityError, match="injected fault"):
        import_file(db, plan, "good.csv", (IMPORTS / "good.csv").read_bytes(), builtin_catalog())
    assert not db.conn.in_transaction
    assert count(tmp_path / "store.db", "measurements") == 0
    db.execute("DROP TRIGGER fault_measurements")
    assert import_file(db, plan, "good.csv", (IMPORTS / "good.csv").read_bytes(),
                       builtin_catalog()).inserted == 58


def test_a_fault_while_replacing_values_keeps_the_old_ones(db, plan, tmp_path):
    import_file(db, plan, "good.csv", (IMPORTS / "good.csv").read_bytes(), builtin_catalog())
    before = plan_measurements(db, plan.id, include_replaced=True)
    fail_at(db, "measurements", 59)  # the first new row after the 58 stored
    items = [{"kpi": "sales.revenue", "period": "2024-12", "value": 1},
             {"kpi": "sales.revenue", "period": "2027-01", "value": 2}]
    with pytest.raises(sqlite3.IntegrityError):
        add_rows(db, plan, items, builtin_catalog(), "api")
    assert plan_measurements(db, plan.id, include_replaced=True) == before


def test_a_fault_while_storing_a_plan_leaves_no_plan(db, tmp_path, workspace_id):
    fail_at(db, "plan_kpis", 3)
    with pytest.raises(sqlite3.IntegrityError):
        create_plan(db, Plan.model_validate(PLAN), workspace_id=workspace_id)
    assert count(tmp_path / "store.db", "plans") == 0
    assert count(tmp_path / "store.db", "plan_kpis") == 0


def test_a_fault_while_updating_a_plan_keeps_the_old_plan(db, plan):
    fail_at(db, "plan_kpis", 5)  # the 5th row: the first KPI the update adds
    changed = Plan.model_validate({**PLAN, "org_name": "Tên mới", "kpis": [
        *PLAN["kpis"][:2], {"kpi_id": "sales.win_rate"}]})
    with pytest.raises(sqlite3.IntegrityError):
        update_plan(db, plan.id, changed)
    again = get_plan(db, plan.id)
    assert again.plan == plan.plan and again.kpi_ids == plan.kpi_ids
    assert again.updated == plan.updated


def test_a_fault_while_saving_comments_keeps_none_of_them(db, plan):
    fail_at(db, "review_comments", 2)
    comments = {plan.kpi_ids[0]: "Tháng 3 có khuyến mãi.", plan.kpi_ids[1]: "Đổi CRM."}
    with pytest.raises(sqlite3.IntegrityError):
        save_comments(db, plan.id, "2025-Q1", comments)
    assert review_state(db, plan.id, "2025-Q1").comments == {}
    assert db.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0


def test_a_fault_while_closing_a_review_leaves_it_open(db, plan):
    db.execute("CREATE TRIGGER fault_done BEFORE UPDATE ON reviews WHEN NEW.status = 'done' "
               "BEGIN SELECT RAISE(ABORT, 'injected fault'); END")
    with pytest.raises(sqlite3.IntegrityError):
        set_review_status(db, plan.id, "2025-Q1", "done")
    assert db.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0


def test_a_fault_while_saving_answers_keeps_the_old_answers(db, workspace_id):
    from advisor.plans import create_session

    session = create_session(db, "owner", workspace_id=workspace_id)
    db.execute("CREATE TRIGGER fault_answers BEFORE UPDATE ON sessions "
               "BEGIN SELECT RAISE(ABORT, 'injected fault'); END")
    with pytest.raises(sqlite3.IntegrityError):
        save_answers(db, session.id, {"org_name": "X"})
    assert get_session(db, session.id).answers == {}


# --- Concurrent writers of one period ------------------------------------------------------------


def test_sixteen_writers_of_one_period_all_succeed_and_one_value_is_current(db, plan, tmp_path):
    """Sixteen threads, each on its own connection, write the same KPI and period at once."""
    path = tmp_path / "store.db"
    start = threading.Barrier(16)
    errors: list[BaseException] = []

    def write(value: int) -> None:
        own = open_db(path)
        try:
            start.wait()
            add_rows(own, plan, [{"kpi": "sales.revenue", "period": "2025-03", "value": value}],
                     builtin_catalog(), f"thread-{value}")
        except BaseException as exc:  # noqa: BLE001 - every failure is what the test looks for
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=write, args=(100 + i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = plan_measurements(db, plan.id, include_replaced=True)
    current = [r for r in rows if r["replaced_at"] is None]
    assert len(rows) == 16 and len(current) == 1
    assert sorted(r["value"] for r in rows) == [100.0 + i for i in range(16)]
    # The history is one chain: each value was replaced when the next one was recorded.
    chain = sorted(rows, key=lambda r: r["recorded_at"])
    assert chain[-1] == current[0]
    assert [r["replaced_at"] for r in chain[:-1]] == [r["recorded_at"] for r in chain[1:]]
    assert integrity_check(db) == "ok"


# --- Files readable by their owner only ------------------------------------------------------


def test_database_and_its_journal_files_are_private(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "private.db")})
    db = open_db(app.config["DATABASE"])
    db.execute("SELECT count(*) FROM plans")
    for name in ("private.db", "private.db-wal", "private.db-shm", "secret_key"):
        folder = tmp_path if name.startswith("private") else Path(app.instance_path)
        mode = stat.S_IMODE((folder / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
    db.close()
