"""The plan and session store on a real SQLite file."""

import pytest

from advisor.errors import NotFoundError
from advisor.plan_models import Plan
from advisor.plans import (
    create_plan,
    create_session,
    get_plan,
    get_session,
    list_plans,
    list_sessions,
    save_answers,
    set_status,
    update_plan,
)
from advisor.store import open_db

PLAN = {"org_name": "Công ty Bình Minh", "goals": ["increase_revenue"],
        "departments": ["sales"], "data_sources": ["crm"],
        "kpis": [{"kpi_id": "sales.revenue", "owner": "Lan", "target": 10.5},
                 {"name": "Đại lý mới", "unit": "count"}]}


def test_plan_round_trip_keeps_vietnamese_and_numbers(db, tmp_path):
    plan_id = create_plan(db, Plan.model_validate(PLAN))
    db.close()
    reopened = open_db(tmp_path / "store.db")  # the file the db fixture made
    record = get_plan(reopened, plan_id)
    assert record.plan.org_name == "Công ty Bình Minh"
    assert record.plan.kpis[0].target == 10.5 and record.plan.kpis[1].name == "Đại lý mới"
    assert record.status == "draft" and len(record.kpi_ids) == 2


def test_update_keeps_the_row_of_each_kpi_still_in_the_plan(db):
    plan_id = create_plan(db, Plan.model_validate(PLAN))
    before = get_plan(db, plan_id)
    reordered = Plan.model_validate({**PLAN, "kpis": [
        {"kpi_id": "sales.win_rate"}, PLAN["kpis"][1], PLAN["kpis"][0]]})
    after = update_plan(db, plan_id, reordered)
    assert after.kpi_ids[1:] == [before.kpi_ids[1], before.kpi_ids[0]]
    assert after.kpi_ids[0] not in before.kpi_ids


def test_update_keeps_kpi_rows_and_resets_to_draft(db):
    plan_id = create_plan(db, Plan.model_validate(PLAN))
    set_status(db, plan_id, "ready")
    before = get_plan(db, plan_id)
    changed = Plan.model_validate({**PLAN, "kpis": [{**PLAN["kpis"][0], "target": 12}]})
    after = update_plan(db, plan_id, changed)
    assert after.kpi_ids == before.kpi_ids[:1]
    assert after.plan.kpis[0].target == 12 and after.status == "draft"
    assert list_plans(db)[0]["kpis"] == 1


def test_sessions_save_answers_and_list_by_owner(db):
    mine = create_session(db, "browser-a", "en")
    create_session(db, "browser-b")
    save_answers(db, mine.id, {"org_name": "An Phát", "goals": ["acquire_customers"]})
    assert get_session(db, mine.id).answers["goals"] == ["acquire_customers"]
    assert [s.org_name for s in list_sessions(db, "browser-a")] == ["An Phát"]


@pytest.mark.parametrize("call", [lambda db: get_plan(db, 999),
                                  lambda db: get_session(db, "nope"),
                                  lambda db: set_status(db, 999, "ready")])
def test_missing_things_raise_not_found(db, call):
    with pytest.raises(NotFoundError):
        call(db)


def test_a_removed_kpi_keeps_its_row_and_comes_back_with_it(db):
    plan_id = create_plan(db, Plan.model_validate(PLAN))
    first = get_plan(db, plan_id).kpi_ids
    update_plan(db, plan_id, Plan.model_validate({**PLAN, "kpis": PLAN["kpis"][1:]}))
    assert get_plan(db, plan_id).kpi_ids == first[1:]
    assert db["plan_kpis"].count == 2
    back = update_plan(db, plan_id, Plan.model_validate(PLAN))
    assert back.kpi_ids == first
