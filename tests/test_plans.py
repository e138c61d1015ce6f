"""The plan and session store on a real SQLite file."""

import pytest

from advisor.errors import NotFoundError, PlanChangedError
from advisor.plan_models import Plan
from advisor.plans import (
    create_plan,
    create_session,
    get_plan,
    get_plan_version,
    get_session,
    list_plans,
    list_sessions,
    note_page,
    removed_kpi,
    save_answers,
    set_status,
    update_plan,
)
from advisor.store import open_db

PLAN = {"org_name": "Công ty Bình Minh", "goals": ["increase_revenue"],
        "departments": ["sales"], "data_sources": ["crm"],
        "kpis": [{"kpi_id": "sales.revenue", "owner": "Lan", "target": 10.5},
                 {"name": "Đại lý mới", "unit": "count"}]}


def test_plan_round_trip_keeps_vietnamese_and_numbers(db, tmp_path, workspace_id):
    plan_id = create_plan(db, Plan.model_validate(PLAN), workspace_id=workspace_id)
    db.close()
    reopened = open_db(tmp_path / "store.db")  # the file the db fixture made
    record = get_plan(reopened, plan_id)
    assert record.plan.org_name == "Công ty Bình Minh"
    assert record.plan.kpis[0].target == 10.5 and record.plan.kpis[1].name == "Đại lý mới"
    assert record.status == "draft" and len(record.kpi_ids) == 2


def test_update_keeps_the_row_of_each_kpi_still_in_the_plan(db, workspace_id):
    plan_id = create_plan(db, Plan.model_validate(PLAN), workspace_id=workspace_id)
    before = get_plan(db, plan_id)
    reordered = Plan.model_validate({**PLAN, "kpis": [
        {"kpi_id": "sales.win_rate"}, PLAN["kpis"][1], PLAN["kpis"][0]]})
    after = update_plan(db, plan_id, reordered)
    assert after.kpi_ids[1:] == [before.kpi_ids[1], before.kpi_ids[0]]
    assert after.kpi_ids[0] not in before.kpi_ids


def test_update_keeps_kpi_rows_and_resets_to_draft(db, workspace_id):
    plan_id = create_plan(db, Plan.model_validate(PLAN), workspace_id=workspace_id)
    set_status(db, plan_id, "ready")
    before = get_plan(db, plan_id)
    changed = Plan.model_validate({**PLAN, "kpis": [{**PLAN["kpis"][0], "target": 12}]})
    after = update_plan(db, plan_id, changed)
    assert after.kpi_ids == before.kpi_ids[:1]
    assert after.plan.kpis[0].target == 12 and after.status == "draft"
    assert list_plans(db, workspace_id)[0]["kpis"] == 1


def test_sessions_save_answers_and_list_by_owner(db, workspace_id):
    mine = create_session(db, "browser-a", "en", workspace_id=workspace_id)
    create_session(db, "browser-b", workspace_id=workspace_id)
    save_answers(db, mine.id, {"org_name": "An Phát", "goals": ["acquire_customers"]})
    assert get_session(db, mine.id).answers["goals"] == ["acquire_customers"]
    assert [s.org_name for s in list_sessions(db, "browser-a")] == ["An Phát"]


@pytest.mark.parametrize("call", [lambda db: get_plan(db, 999),
                                  lambda db: get_session(db, "nope"),
                                  lambda db: set_status(db, 999, "ready")])
def test_missing_things_raise_not_found(db, call):
    with pytest.raises(NotFoundError):
        call(db)


def test_a_removed_kpi_keeps_its_row_and_comes_back_with_it(db, workspace_id):
    plan_id = create_plan(db, Plan.model_validate(PLAN), workspace_id=workspace_id)
    first = get_plan(db, plan_id).kpi_ids
    update_plan(db, plan_id, Plan.model_validate({**PLAN, "kpis": PLAN["kpis"][1:]}))
    assert get_plan(db, plan_id).kpi_ids == first[1:]
    assert db["plan_kpis"].count == 2
    back = update_plan(db, plan_id, Plan.model_validate(PLAN))
    assert back.kpi_ids == first


def test_every_save_gives_the_next_version_and_keeps_what_it_left(db, workspace_id):
    plan_id = create_plan(db, Plan.model_validate(PLAN), workspace_id=workspace_id)
    assert get_plan(db, plan_id).version == 1
    changed = Plan.model_validate({**PLAN, "kpis": [{**PLAN["kpis"][0], "owner": "Bình"},
                                                    PLAN["kpis"][1]]})
    after = update_plan(db, plan_id, changed, expected_version=1)
    assert after.version == 2 and after.plan.kpis[0].owner == "Bình"
    first = get_plan_version(db, plan_id, 1)
    assert first.plan.kpis[0].owner == "Lan" and first.kpi_ids == after.kpi_ids
    assert get_plan_version(db, plan_id, 2).plan.kpis[0].owner == "Bình"
    with pytest.raises(NotFoundError):
        get_plan_version(db, plan_id, 3)


def test_a_save_based_on_an_older_version_is_refused_and_changes_nothing(db, workspace_id):
    plan_id = create_plan(db, Plan.model_validate(PLAN), workspace_id=workspace_id)
    update_plan(db, plan_id, Plan.model_validate(PLAN), expected_version=1)
    stale = Plan.model_validate({**PLAN, "kpis": [{**PLAN["kpis"][0], "owner": "Cũ"}]})
    with pytest.raises(PlanChangedError) as caught:
        update_plan(db, plan_id, stale, expected_version=1)
    assert (caught.value.expected, caught.value.current) == (1, 2)
    record = get_plan(db, plan_id)
    assert record.version == 2 and record.plan.kpis[0].owner == "Lan"
    assert len(record.kpi_ids) == 2


def test_rows_named_by_id_keep_their_kpi_even_when_two_share_a_name(db, workspace_id):
    twins = {**PLAN, "kpis": [{"name": "Đại lý mới", "owner": "A"},
                              {"name": "Đại lý mới", "owner": "B"}]}
    plan_id = create_plan(db, Plan.model_validate(twins), workspace_id=workspace_id)
    ids = get_plan(db, plan_id).kpi_ids
    swapped = Plan.model_validate({**twins, "kpis": [{"name": "Đại lý mới", "owner": "B2"},
                                                     {"name": "Đại lý mới", "owner": "A2"}]})
    after = update_plan(db, plan_id, swapped, kpi_ids=[ids[1], ids[0]])
    assert after.kpi_ids == [ids[1], ids[0]]
    assert [k.owner for k in after.plan.kpis] == ["B2", "A2"]


def test_a_removed_kpi_can_be_read_back_with_its_details_and_restored(db, workspace_id):
    plan_id = create_plan(db, Plan.model_validate(PLAN), workspace_id=workspace_id)
    ids = get_plan(db, plan_id).kpi_ids
    update_plan(db, plan_id, Plan.model_validate({**PLAN, "kpis": PLAN["kpis"][1:]}))
    gone = removed_kpi(db, plan_id, ids[0])
    assert gone.position == 0 and gone.kpi.owner == "Lan" and gone.kpi.target == 10.5
    with pytest.raises(NotFoundError):
        removed_kpi(db, plan_id, ids[1])  # still in the plan
    current = get_plan(db, plan_id)
    back = update_plan(db, plan_id, current.plan.model_copy(
        update={"kpis": [gone.kpi, *current.plan.kpis]}), kpi_ids=[gone.id, *current.kpi_ids])
    assert back.kpi_ids == ids and back.plan.kpis[0].owner == "Lan"


def test_the_last_page_of_a_session_is_remembered(db, workspace_id):
    record = create_session(db, "browser-a", workspace_id=workspace_id)
    assert record.last_page is None
    note_page(db, record.id, "plan")
    assert get_session(db, record.id).last_page == "plan"


def test_a_file_made_before_versions_gets_them_and_its_plans_stay_editable(tmp_path):
    import sqlite3

    from advisor.store import ensure_schema

    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE plans (id INTEGER PRIMARY KEY, org_name TEXT, status TEXT NOT NULL "
        "DEFAULT 'draft', goals TEXT NOT NULL DEFAULT '[]', departments TEXT NOT NULL "
        "DEFAULT '[]', data_sources TEXT, max_kpis_per_owner INTEGER NOT NULL DEFAULT 7, "
        "lang TEXT NOT NULL DEFAULT 'vi', session_id TEXT, created TEXT NOT NULL, "
        "updated TEXT NOT NULL);"
        "CREATE TABLE sessions (id TEXT PRIMARY KEY, owner TEXT NOT NULL, org_name TEXT, "
        "lang TEXT NOT NULL DEFAULT 'vi', answers TEXT NOT NULL DEFAULT '{}', plan_id INTEGER, "
        "created TEXT NOT NULL, updated TEXT NOT NULL);"
        "CREATE TABLE plan_kpis (id INTEGER PRIMARY KEY, plan_id INTEGER NOT NULL, "
        "position INTEGER NOT NULL, data TEXT NOT NULL, removed_at TEXT);"
        "INSERT INTO plans (id, created, updated) VALUES (1, '2026-01-01', '2026-01-01');"
        "INSERT INTO plan_kpis (plan_id, position, data) VALUES (1, 0, '{\"name\": \"Cũ\"}');")
    old.commit()
    old.close()
    db = open_db(path)
    ensure_schema(db)
    record = get_plan(db, 1)
    assert record.version == 1 and record.plan.kpis[0].name == "Cũ"
    with pytest.raises(NotFoundError):
        get_plan_version(db, 1, 1)  # saved before versions: nothing to compare with
    after = update_plan(db, 1, record.plan, expected_version=1)
    assert after.version == 2 and get_plan_version(db, 1, 2).plan == record.plan
    db.close()
