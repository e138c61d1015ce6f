"""Measurements, reviews and review comments in the store; nothing entered is ever deleted.

A measurement is one value of one plan KPI for one period. Saving the same value again changes
nothing; saving a different value (or target, note or exclusion) for a stored period marks the
stored row replaced (`replaced_at`) and adds the new one, so the history of corrections stays
readable. A period marked excluded (an assignable cause: a strike, a lockdown, an outage) keeps
its mark and note when the same value comes again without saying anything about exclusion.
Review comments are kept the same way.
"""

import datetime as dt
import math

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from advisor.accounts.actor import current_actor
from advisor.errors import InvalidInputError, NotFoundError
from advisor.i18n import gettext
from advisor.store import transaction
from advisor.values import has_lone_surrogate


class MeasurementIn(BaseModel):
    """One checked measurement ready to store: period label in canonical form and its key."""

    model_config = ConfigDict(frozen=True)

    plan_kpi_id: int
    period: str
    period_key: int
    value: float
    target: float | None = None
    note: str | None = None
    # None: keep what is stored (a file without an `exclude` column leaves the marks alone).
    exclude: bool | None = None


class FrequencySet(BaseModel):
    """A KPI whose frequency an import set to the file's."""

    plan_kpi_id: int
    frequency: str
    previous: str | None


class SaveResult(BaseModel):
    """What a save did: rows added, rows that replaced a stored value, rows already stored,
    and the KPIs whose frequency an import set to the file's."""

    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    frequencies_set: list[FrequencySet] = []


class ReviewState(BaseModel):
    """A plan's review of one quarter: open or done, and the team's current comments."""

    plan_id: int
    quarter: str
    status: str
    done_at: str | None
    comments: dict[int, str]
    updated_by: str | None = None


def now() -> str:
    """Return the current UTC time as stored in the database."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _resolved(stored: tuple | None, new: MeasurementIn) -> MeasurementIn:
    """Return the row to store: an unsaid exclusion takes the stored mark (and its note)."""
    if new.exclude is not None:
        return new
    if stored is None or not stored[4]:
        return new.model_copy(update={"exclude": False})
    return new.model_copy(update={"exclude": True, "note": new.note or stored[3]})


def _same(row: tuple, new: MeasurementIn) -> bool:
    _ident, value, target, note, excluded = row
    return (value == new.value and target == new.target
            and (note or None) == (new.note or None) and bool(excluded) == new.exclude)


def save_measurements(db: sqlite_utils.Database, rows: list[MeasurementIn],
                      source: str) -> SaveResult:
    """Store checked rows in one transaction: new periods added, changed ones replaced.

    Each write is an upsert that keeps history: under the write lock the stored value of the
    period is read, marked replaced if it differs, and the new value added as the current one;
    so two writers of the same period never meet the unique index, the later one simply wins.
    """
    keys = [(new.plan_kpi_id, new.period) for new in rows]
    if len(set(keys)) != len(keys):
        raise ValueError("save_measurements takes one row per plan KPI and period")
    result = SaveResult()
    with transaction(db):
        stamp = now()  # taken under the write lock, so history reads in the order of writes
        current = _current_rows(db, sorted({new.plan_kpi_id for new in rows}))
        replaced, added = [], []
        for given in rows:
            stored = current.get((given.plan_kpi_id, given.period))
            new = _resolved(stored, given)
            if stored is not None and _same(stored, new):
                result.unchanged += 1
                continue
            if stored is not None:
                replaced.append((stamp, stored[0]))
                result.replaced += 1
            else:
                result.inserted += 1
            added.append((new.plan_kpi_id, new.period, new.period_key, new.value, new.target,
                          new.note, int(bool(new.exclude)), source, stamp, current_actor()))
        db.conn.executemany("UPDATE measurements SET replaced_at = ? WHERE id = ?", replaced)
        db.conn.executemany(
            "INSERT INTO measurements (plan_kpi_id, period, period_key, value, target, note, "
            "excluded, source, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            added)
    return result


def _current_rows(db: sqlite_utils.Database,
                  plan_kpi_ids: list[int]) -> dict[tuple[int, str], tuple]:
    """Return the current (id, value, target, note, excluded) of every stored period of the
    KPIs."""
    if not plan_kpi_ids:
        return {}
    marks = ", ".join("?" for _ in plan_kpi_ids)
    sql = (f"SELECT plan_kpi_id, period, id, value, target, note, excluded FROM measurements "
           f"WHERE replaced_at IS NULL AND plan_kpi_id IN ({marks})")
    return {(kpi, period): rest for kpi, period, *rest in db.execute(sql, plan_kpi_ids)}


_COLUMNS = ("id", "plan_kpi_id", "position", "period", "period_key", "value", "target", "note",
            "exclude", "source", "recorded_at", "replaced_at", "recorded_by")


def stored_measurements(db: sqlite_utils.Database, plan_id: int,
                        include_replaced: bool = False) -> list[dict]:
    """Return the plan's measurements by KPI position and period, as stored, with the name of
    who recorded each (None: recorded before accounts, or by an unattended job)."""
    sql = ("SELECT m.id, m.plan_kpi_id, k.position, m.period, m.period_key, m.value, m.target, "
           "m.note, m.excluded = 1, m.source, m.recorded_at, m.replaced_at, u.name "
           "FROM measurements m JOIN plan_kpis k ON k.id = m.plan_kpi_id "
           "LEFT JOIN users u ON u.id = m.recorded_by "
           "WHERE k.plan_id = ? AND k.removed_at IS NULL")
    if not include_replaced:
        sql += " AND m.replaced_at IS NULL"
    sql += " ORDER BY k.position, m.period_key, m.recorded_at"
    rows = [dict(zip(_COLUMNS, row, strict=True)) for row in db.execute(sql, [plan_id])]
    for row in rows:
        row["exclude"] = bool(row["exclude"])
    return rows


def plan_measurements(db: sqlite_utils.Database, plan_id: int,
                      include_replaced: bool = False) -> list[dict]:
    """Return the plan's measurements by KPI position and period; replaced ones on request.

    A number that is not finite (written before values were checked) comes back as None: no
    JSON or spreadsheet can hold infinity, and the review sets such rows aside anyway.
    """
    rows = stored_measurements(db, plan_id, include_replaced)
    for row in rows:
        for key in ("value", "target"):
            if isinstance(row[key], float) and not math.isfinite(row[key]):
                row[key] = None
    return rows


def kpi_periods(db: sqlite_utils.Database, plan_kpi_ids: list[int]) -> dict[int, list[str]]:
    """Return the stored (current) period labels of each plan KPI."""
    found: dict[int, list[str]] = {k: [] for k in plan_kpi_ids}
    if not plan_kpi_ids:
        return found
    marks = ", ".join("?" for _ in plan_kpi_ids)
    sql = (f"SELECT plan_kpi_id, period FROM measurements WHERE replaced_at IS NULL "
           f"AND plan_kpi_id IN ({marks}) ORDER BY period_key")
    for plan_kpi_id, period in db.execute(sql, plan_kpi_ids):
        found[plan_kpi_id].append(period)
    return found


def mark_excluded(db: sqlite_utils.Database, plan_kpi_id: int, period: str, exclude: bool,
                  note: str | None, source: str) -> bool:
    """Mark a stored period excluded (an assignable cause, with the team's note) or counted
    again; the row before is kept as replaced. Return False when the KPI has no such period."""
    with transaction(db):
        row = db.execute("SELECT id, period_key, value, target, note, excluded FROM measurements "
                         "WHERE plan_kpi_id = ? AND period = ? AND replaced_at IS NULL",
                         [plan_kpi_id, period]).fetchone()
        if row is None:
            return False
        ident, key, value, target, old_note, excluded = row
        new_note = (note or None) if exclude else old_note
        if bool(excluded) == exclude and (old_note or None) == new_note:
            return True
        stamp = now()
        db.execute("UPDATE measurements SET replaced_at = ? WHERE id = ?", [stamp, ident])
        db.execute("INSERT INTO measurements (plan_kpi_id, period, period_key, value, target, "
                   "note, excluded, source, recorded_at, recorded_by) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [plan_kpi_id, period, key, value, target, new_note, int(exclude), source,
                    stamp, current_actor()])
    return True


# --- Reviews and comments --------------------------------------------------------------------


def _review_row(db: sqlite_utils.Database, plan_id: int, quarter: str) -> dict | None:
    rows = list(db["reviews"].rows_where("plan_id = ? AND quarter = ?", [plan_id, quarter]))
    return rows[0] if rows else None


def _ensure_review(db: sqlite_utils.Database, plan_id: int, quarter: str) -> dict:
    """Return the quarter's review row, adding an open one first if there is none."""
    stamp = now()
    db.execute("INSERT INTO reviews (plan_id, quarter, status, created, updated) "
               "VALUES (?, ?, 'open', ?, ?) ON CONFLICT (plan_id, quarter) DO NOTHING",
               [plan_id, quarter, stamp, stamp])
    row = _review_row(db, plan_id, quarter)
    assert row is not None  # inserted just above, or there already
    return row


def review_state(db: sqlite_utils.Database, plan_id: int, quarter: str) -> ReviewState:
    """Return the review of the plan's quarter (open with no comments if never saved)."""
    _require_plan(db, plan_id)
    row = _review_row(db, plan_id, quarter)
    if row is None:
        return ReviewState(plan_id=plan_id, quarter=quarter, status="open", done_at=None,
                           comments={})
    comments = {k: c for k, c in db.execute(
        "SELECT plan_kpi_id, comment FROM review_comments "
        "WHERE review_id = ? AND replaced_at IS NULL", [row["id"]])}
    by = db.execute("SELECT name FROM users WHERE id = ?", [row.get("updated_by")]).fetchone()
    return ReviewState(plan_id=plan_id, quarter=quarter, status=row["status"],
                       done_at=row["done_at"], comments=comments,
                       updated_by=by[0] if by else None)


def save_comments(db: sqlite_utils.Database, plan_id: int, quarter: str,
                  comments: dict[int, str], lang: str = "en") -> ReviewState:
    """Store the team's comments per plan KPI; a changed comment keeps the old one in history.
    A comment that is not text is refused, the message in `lang`."""
    invalid = [{"field": f"comments.{k}", "message": gettext(lang, "review.comment.surrogate")}
               for k, text in comments.items() if has_lone_surrogate(text)]
    if invalid:
        raise InvalidInputError(invalid)
    with transaction(db):
        stamp = now()
        _require_plan(db, plan_id)
        review = _ensure_review(db, plan_id, quarter)
        for plan_kpi_id, text in comments.items():
            _save_comment(db, review["id"], plan_kpi_id, text.strip(), stamp)
        db.table("reviews").update(review["id"], {"updated": stamp,
                                                  "updated_by": current_actor()})
    return review_state(db, plan_id, quarter)


def _save_comment(db: sqlite_utils.Database, review_id: int, plan_kpi_id: int, text: str,
                  stamp: str) -> None:
    rows = db.execute("SELECT id, comment FROM review_comments WHERE review_id = ? AND "
                      "plan_kpi_id = ? AND replaced_at IS NULL",
                      [review_id, plan_kpi_id]).fetchall()
    if rows and rows[0][1] == text:
        return
    if not rows and not text:
        return
    if rows:
        db.execute("UPDATE review_comments SET replaced_at = ? WHERE id = ?", [stamp, rows[0][0]])
    db.execute("INSERT INTO review_comments (review_id, plan_kpi_id, comment, recorded_at, "
               "recorded_by) VALUES (?, ?, ?, ?, ?)",
               [review_id, plan_kpi_id, text, stamp, current_actor()])


def set_review_status(db: sqlite_utils.Database, plan_id: int, quarter: str,
                      status: str) -> ReviewState:
    """Mark the quarter's review open or done (the caller checks the required comments)."""
    if status not in ("open", "done"):
        raise ValueError(f"status must be open or done, got {status!r}")
    with transaction(db):
        stamp = now()
        _require_plan(db, plan_id)
        review = _ensure_review(db, plan_id, quarter)
        db.table("reviews").update(review["id"], {"status": status, "updated": stamp,
                                                  "updated_by": current_actor(),
                                                  "done_at": stamp if status == "done" else None})
    return review_state(db, plan_id, quarter)


class ReviewSummary(BaseModel):
    """A plan's latest review as lists show it: its quarter, open or done, and when."""

    plan_id: int
    quarter: str
    status: str
    done_at: str | None
    updated: str


def last_reviews(db: sqlite_utils.Database, plan_ids: list[int]) -> dict[int, ReviewSummary]:
    """Return the latest quarter's review of each plan that has one, by plan id."""
    if not plan_ids:
        return {}
    marks = ", ".join("?" for _ in plan_ids)
    sql = (f"SELECT plan_id, quarter, status, done_at, updated FROM reviews r WHERE plan_id IN "
           f"({marks}) AND quarter = (SELECT MAX(quarter) FROM reviews WHERE plan_id = r.plan_id)")
    return {row[0]: ReviewSummary(plan_id=row[0], quarter=row[1], status=row[2],
                                  done_at=row[3], updated=row[4])
            for row in db.execute(sql, list(plan_ids))}


def _require_plan(db: sqlite_utils.Database, plan_id: int) -> None:
    if db.execute("SELECT 1 FROM plans WHERE id = ?", [plan_id]).fetchone() is None:
        raise NotFoundError("plan", str(plan_id))
