"""Plans, their KPIs and interview sessions in the store; the wizard and the review share them."""

import datetime as dt
import json
import secrets
from collections.abc import Sequence
from typing import Any

import sqlite_utils
from pydantic import BaseModel

from advisor.accounts.actor import current_actor
from advisor.errors import NotFoundError, PlanChangedError
from advisor.plan_models import Plan, PlanKpi
from advisor.store import transaction


class PlanRecord(BaseModel):
    """A stored plan: its id, status, version and dates, the plan itself and its KPI row ids
    (one per KPI, in the same order)."""

    id: int
    status: str
    version: int = 1
    created: str
    updated: str
    session_id: str | None
    plan: Plan
    kpi_ids: list[int]
    workspace_id: int | None = None


class SessionRecord(BaseModel):
    """A stored interview session."""

    id: str
    owner: str
    org_name: str | None
    lang: str
    answers: dict[str, Any]
    plan_id: int | None
    created: str
    updated: str
    last_page: str | None = None
    workspace_id: int | None = None


class PlanVersion(BaseModel):
    """A plan as one save left it: the plan and the row id of each of its KPIs."""

    version: int
    saved_at: str
    plan: Plan
    kpi_ids: list[int]


class RemovedKpi(BaseModel):
    """A KPI taken out of a plan, still stored with what was typed for it."""

    id: int
    position: int
    kpi: PlanKpi


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def create_session(db: sqlite_utils.Database, owner: str, lang: str = "vi", *,
                   workspace_id: int) -> SessionRecord:
    """Create an empty interview session of a workspace, started by `owner` (the user's id or
    a browser token), and return it."""
    now = _now()
    row = {"id": secrets.token_urlsafe(16), "owner": owner, "org_name": None, "lang": lang,
           "answers": "{}", "plan_id": None, "created": now, "updated": now,
           "workspace_id": workspace_id}
    with transaction(db):
        db.table("sessions").insert(row)
    return _session(row)


def _session(row: dict) -> SessionRecord:
    return SessionRecord.model_validate({**row, "answers": json.loads(row["answers"])})


def get_session(db: sqlite_utils.Database, session_id: str) -> SessionRecord:
    """Return one session, or raise NotFoundError."""
    rows = list(db["sessions"].rows_where("id = ?", [session_id]))
    if not rows:
        raise NotFoundError("session", session_id)
    return _session(rows[0])


def save_answers(db: sqlite_utils.Database, session_id: str, answers: dict,
                 lang: str | None = None) -> SessionRecord:
    """Replace the session's answers (already validated) and return the session."""
    with transaction(db):
        session = get_session(db, session_id)
        update = {"answers": json.dumps(answers, ensure_ascii=False), "updated": _now(),
                  "org_name": answers.get("org_name"), "lang": lang or session.lang}
        db.table("sessions").update(session_id, update)
    return get_session(db, session_id)


def list_sessions(db: sqlite_utils.Database, owner: str) -> list[SessionRecord]:
    """Return the owner's sessions, newest first."""
    rows = db["sessions"].rows_where("owner = ?", [owner], order_by="updated desc, id")
    return [_session(r) for r in rows]


def workspace_sessions(db: sqlite_utils.Database, workspace_ids: list[int],
                       limit: int = 200) -> list[SessionRecord]:
    """Return the interview sessions of these workspaces, newest first."""
    if not workspace_ids:
        return []
    marks = ", ".join("?" for _ in workspace_ids)
    rows = db["sessions"].rows_where(f"workspace_id IN ({marks})", list(workspace_ids),
                                     order_by="updated desc, id", limit=limit)
    return [_session(r) for r in rows]


def session_workspace(db: sqlite_utils.Database, session_id: str) -> int | None:
    """Return the workspace of an interview session, or None when there is no such session."""
    row = db.execute("SELECT workspace_id FROM sessions WHERE id = ?", [session_id]).fetchone()
    return row[0] if row else None


def plan_workspace(db: sqlite_utils.Database, plan_id: int) -> int | None:
    """Return the workspace of a plan, or None when there is no such plan."""
    row = db.execute("SELECT workspace_id FROM plans WHERE id = ?", [plan_id]).fetchone()
    return row[0] if row else None


def sessions_by_ids(db: sqlite_utils.Database, ids: list[str]) -> list[SessionRecord]:
    """Return the sessions among `ids` that exist, newest first."""
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    rows = db["sessions"].rows_where(f"id IN ({marks})", list(ids), order_by="updated desc, id")
    return [_session(r) for r in rows]


def create_plan(db: sqlite_utils.Database, plan: Plan, session_id: str | None = None, *,
                workspace_id: int | None = None) -> int:
    """Store a new draft plan with its KPIs in a workspace (that of its interview session
    when there is one) and return its id."""
    now = _now()
    with transaction(db):
        if session_id:
            workspace_id = session_workspace(db, session_id)
        if workspace_id is None:
            raise ValueError("a plan belongs to a workspace: give workspace_id or a session")
        plan_id = _inserted_id(db.table("plans").insert({
            "org_name": plan.org_name, "status": "draft", "created": now, "updated": now,
            "session_id": session_id, "workspace_id": workspace_id,
            "updated_by": current_actor(), **_plan_columns(plan),
        }))
        _insert_kpis(db, plan_id, plan.kpis)
        if session_id:
            db.table("sessions").update(session_id, {"plan_id": plan_id, "updated": now})
        _snapshot(db, plan_id, 1, now)
    return plan_id


def _inserted_id(table: sqlite_utils.db.Table) -> int:
    """Return the id (INTEGER PRIMARY KEY) of the row `table` has just inserted."""
    if not isinstance(table.last_pk, int):
        raise TypeError(f"{table.name}: the inserted row has no whole-number id")
    return table.last_pk


def _snapshot(db: sqlite_utils.Database, plan_id: int, version: int, now: str) -> None:
    """Keep the plan as this save leaves it, so a form opened on it can be compared later."""
    record = get_plan(db, plan_id)
    data = {"plan": record.plan.model_dump(mode="json", exclude_none=True),
            "kpi_ids": record.kpi_ids}
    db.table("plan_versions").insert({"plan_id": plan_id, "version": version, "saved_at": now,
                                      "saved_by": current_actor(),
                                      "data": json.dumps(data, ensure_ascii=False)})


def _plan_columns(plan: Plan) -> dict:
    return {
        "goals": json.dumps(plan.goals), "departments": json.dumps(plan.departments),
        "data_sources": None if plan.data_sources is None else json.dumps(plan.data_sources),
        "max_kpis_per_owner": plan.max_kpis_per_owner, "lang": plan.lang, "stage": plan.stage,
    }


def _insert_kpis(db: sqlite_utils.Database, plan_id: int, kpis: list[PlanKpi]) -> None:
    rows = [{"plan_id": plan_id, "position": i, "data": kpi.model_dump_json(exclude_none=True)}
            for i, kpi in enumerate(kpis)]
    db.table("plan_kpis").insert_all(rows)


def get_plan(db: sqlite_utils.Database, plan_id: int) -> PlanRecord:
    """Return a stored plan, or raise NotFoundError."""
    rows = list(db["plans"].rows_where("id = ?", [plan_id]))
    if not rows:
        raise NotFoundError("plan", str(plan_id))
    row = rows[0]
    kpi_rows = list(db["plan_kpis"].rows_where("plan_id = ? AND removed_at IS NULL", [plan_id],
                                               order_by="position"))
    plan = Plan.model_validate({
        "org_name": row["org_name"], "goals": json.loads(row["goals"]),
        "departments": json.loads(row["departments"]),
        "data_sources": json.loads(row["data_sources"]) if row["data_sources"] else None,
        "max_kpis_per_owner": row["max_kpis_per_owner"], "lang": row["lang"],
        "stage": row.get("stage"), "kpis": [json.loads(k["data"]) for k in kpi_rows],
    })
    return PlanRecord(id=row["id"], status=row["status"], version=row["version"],
                      created=row["created"], updated=row["updated"],
                      session_id=row["session_id"], plan=plan,
                      kpi_ids=[k["id"] for k in kpi_rows], workspace_id=row.get("workspace_id"))


def get_plan_version(db: sqlite_utils.Database, plan_id: int, version: int) -> PlanVersion:
    """Return the plan as save number `version` left it, or raise NotFoundError."""
    rows = list(db["plan_versions"].rows_where("plan_id = ? AND version = ?",
                                               [plan_id, version]))
    if not rows:
        raise NotFoundError("plan version", f"{plan_id}/{version}")
    data = json.loads(rows[0]["data"])
    return PlanVersion(version=version, saved_at=rows[0]["saved_at"],
                       plan=Plan.model_validate(data["plan"]), kpi_ids=data["kpi_ids"])


def _identity(kpi: PlanKpi) -> str:
    """Return what makes a plan KPI the same KPI across edits: its catalog id or its name."""
    return kpi.kpi_id or f"custom:{(kpi.name or '').casefold()}"


def update_plan(db: sqlite_utils.Database, plan_id: int, plan: Plan,
                expected_version: int | None = None,
                kpi_ids: Sequence[int | None] | None = None) -> PlanRecord:
    """Replace a plan's context and KPIs, send it back to draft and give it the next version.

    A KPI keeps its row (and its measurements) while it stays in the plan; a KPI taken out is
    only marked removed, so its measurements survive and come back with it if it is added
    again. `kpi_ids` may name the row of each KPI (None: a new one); without it rows are found
    by catalog id or name. With `expected_version`, the save happens only if nobody saved the
    plan since that version (else PlanChangedError), checked under the write lock.
    """
    now = _now()
    with transaction(db):
        current = get_plan(db, plan_id)
        if expected_version is not None and expected_version != current.version:
            raise PlanChangedError(plan_id, expected_version, current.version)
        version = current.version + 1
        db.table("plans").update(plan_id, {"org_name": plan.org_name, "status": "draft",
                                     "updated": now, "version": version,
                                     "updated_by": current_actor(),
                                     **_plan_columns(plan)})
        kept = _store_kpis(db, plan_id, plan.kpis, kpi_ids)
        placeholders = ",".join("?" * len(kept)) or "NULL"
        db.execute(f"UPDATE plan_kpis SET removed_at = ? WHERE plan_id = ? AND removed_at IS NULL "
                   f"AND id NOT IN ({placeholders})", [now, plan_id, *kept])
        _snapshot(db, plan_id, version, now)
    return get_plan(db, plan_id)


def change_kpis(db: sqlite_utils.Database, plan_id: int,
                changes: dict[int, dict]) -> PlanRecord:
    """Change some fields of some KPIs (by row id) and give the plan its next version; the
    version before stays in plan_versions and the plan keeps its status (a review's change,
    such as a KPI's frequency or next target, is not a new draft). Call it inside the caller's
    transaction to make it part of a larger change."""
    now = _now()
    with transaction(db):
        current = get_plan(db, plan_id)
        for row_id, kpi in zip(current.kpi_ids, current.plan.kpis, strict=True):
            if row_id in changes:
                changed = PlanKpi.model_validate({**kpi.model_dump(), **changes[row_id]})
                db.execute("UPDATE plan_kpis SET data = ? WHERE id = ?",
                           [changed.model_dump_json(exclude_none=True), row_id])
        version = current.version + 1
        db.table("plans").update(plan_id, {"updated": now, "version": version})
        _snapshot(db, plan_id, version, now)
    return get_plan(db, plan_id)


def _store_kpis(db: sqlite_utils.Database, plan_id: int, kpis: list[PlanKpi],
                kpi_ids: Sequence[int | None] | None) -> list[int]:
    """Write each KPI into its row (named, or found by identity, or new); return the rows."""
    reusable = _reusable_kpis(db, plan_id)
    named = {i for i in kpi_ids or [] if i is not None}
    for ids in reusable.values():
        ids[:] = [i for i in ids if i not in named]
    kept = []
    for position, kpi in enumerate(kpis):
        update = {"data": kpi.model_dump_json(exclude_none=True), "position": position,
                  "removed_at": None}
        row_id = kpi_ids[position] if kpi_ids else None
        if row_id is None and reusable.get(_identity(kpi)):
            row_id = reusable[_identity(kpi)].pop(0)
        if row_id is None:
            kept.append(_inserted_id(db.table("plan_kpis").insert({"plan_id": plan_id, **update})))
        else:
            db.execute("UPDATE plan_kpis SET data = ?, position = ?, removed_at = NULL "
                       "WHERE id = ? AND plan_id = ?", [update["data"], position, row_id,
                                                        plan_id])
            kept.append(row_id)
    return kept


def removed_kpi(db: sqlite_utils.Database, plan_id: int, row_id: int) -> RemovedKpi:
    """Return a KPI taken out of the plan, with its last position, or raise NotFoundError."""
    rows = list(db["plan_kpis"].rows_where("id = ? AND plan_id = ? AND removed_at IS NOT NULL",
                                           [row_id, plan_id]))
    if not rows:
        raise NotFoundError("removed KPI", str(row_id))
    return RemovedKpi(id=row_id, position=rows[0]["position"],
                      kpi=PlanKpi.model_validate_json(rows[0]["data"]))


def _reusable_kpis(db: sqlite_utils.Database, plan_id: int) -> dict[str, list[int]]:
    """Return the plan's KPI row ids by identity, rows still in the plan first."""
    reusable: dict[str, list[int]] = {}
    rows = db["plan_kpis"].rows_where("plan_id = ?", [plan_id],
                                      order_by="removed_at IS NOT NULL, position")
    for row in rows:
        kpi = PlanKpi.model_validate_json(row["data"])
        reusable.setdefault(_identity(kpi), []).append(row["id"])
    return reusable


def set_status(db: sqlite_utils.Database, plan_id: int, status: str) -> None:
    """Mark a plan draft or ready."""
    with transaction(db):
        get_plan(db, plan_id)
        db.table("plans").update(plan_id, {"status": status, "updated": _now(),
                                           "updated_by": current_actor()})


def note_page(db: sqlite_utils.Database, session_id: str, page: str) -> None:
    """Remember the wizard page a session was last seen on, so its resume link opens there."""
    with transaction(db):
        db.execute("UPDATE sessions SET last_page = ? WHERE id = ? AND "
                   "last_page IS NOT ?", [page, session_id, page])


def list_plans(db: sqlite_utils.Database, workspace_id: int) -> list[dict]:
    """Return the workspace's plans: id, organisation, status and dates, newest first."""
    sql = ("SELECT p.id, p.org_name, p.status, p.created, p.updated, count(k.id) AS kpis "
           "FROM plans p LEFT JOIN plan_kpis k ON k.plan_id = p.id AND k.removed_at IS NULL "
           "WHERE p.workspace_id = ? GROUP BY p.id ORDER BY p.updated DESC, p.id DESC")
    return [dict(zip(("id", "org_name", "status", "created", "updated", "kpis"), r, strict=True))
            for r in db.execute(sql, [workspace_id]).fetchall()]


def plan_overviews(db: sqlite_utils.Database, workspace_id: int) -> list[dict]:
    """Return the workspace's plans with their session, newest first (their latest reviews:
    advisor.review.measurements.last_reviews)."""
    sql = ("SELECT id, org_name, status, updated, session_id FROM plans WHERE workspace_id = ? "
           "ORDER BY updated DESC, id DESC")
    keys = ("id", "org_name", "status", "updated", "session_id")
    return [dict(zip(keys, r, strict=True)) for r in db.execute(sql, [workspace_id]).fetchall()]
