"""Users in the store: creation, look-up and sign-in with its limit on failed attempts."""

import datetime as dt
import re

import sqlite_utils

from advisor.accounts.clock import stamp, utc_now
from advisor.accounts.errors import DuplicateError, TooManyAttemptsError, UnknownError
from advisor.accounts.models import User
from advisor.accounts.passwords import check_password, hash_password, password_matches
from advisor.accounts.rows import inserted_id, written
from advisor.i18n import N_
from advisor.store import transaction

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COLUMNS = "id, email, name, created"


def _user(row: tuple | None) -> User | None:
    return None if row is None else User(id=row[0], email=row[1], name=row[2], created=row[3])


def normal_email(email: str) -> str:
    """Return an email as stored (trimmed, lower case), or raise UnknownError if malformed."""
    email = (email or "").strip().lower()
    if not EMAIL.match(email) or len(email) > 254:
        raise UnknownError(N_("auth.email.invalid"), "email")
    return email


def count_users(db: sqlite_utils.Database) -> int:
    """Return how many accounts exist."""
    return db.execute("SELECT count(*) FROM users").fetchone()[0]


def create_user(db: sqlite_utils.Database, email: str, name: str, password: str) -> User:
    """Create an account with a checked password; the first one also owns workspace Imported."""
    email = normal_email(email)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise UnknownError(N_("auth.name.required"), "name")
    check_password(password, email)
    hashed = hash_password(password)
    with transaction(db):
        if user_by_email(db, email) is not None:
            raise DuplicateError(N_("auth.email.taken"), "email")
        user_id = inserted_id(db.execute("INSERT INTO users (email, name, password_hash, "
                                         "created) VALUES (?, ?, ?, ?)",
                                         [email, name, hashed, stamp()]))
        _adopt_imported(db, user_id)
    return written(user_by_id(db, user_id))


def _adopt_imported(db: sqlite_utils.Database, user_id: int) -> None:
    """Make the first user owner of the Imported workspace an upgrade made, if it has none."""
    if count_users(db) != 1:
        return
    db.execute("INSERT OR IGNORE INTO memberships (workspace_id, user_id, role, created) "
               "SELECT id, ?, 'owner', ? FROM workspaces w WHERE slug = 'imported' AND NOT "
               "EXISTS (SELECT 1 FROM memberships m WHERE m.workspace_id = w.id)",
               [user_id, stamp()])


def user_by_id(db: sqlite_utils.Database, user_id: int) -> User | None:
    """Return the user with this id, or None."""
    return _user(db.execute(f"SELECT {_COLUMNS} FROM users WHERE id = ?",
                            [user_id]).fetchone())


def user_by_email(db: sqlite_utils.Database, email: str) -> User | None:
    """Return the user with this email (any case), or None."""
    return _user(db.execute(f"SELECT {_COLUMNS} FROM users WHERE email = ?",
                            [(email or "").strip().lower()]).fetchone())


def require_user(db: sqlite_utils.Database, email: str) -> User:
    """Return the user with this email, or raise UnknownError."""
    user = user_by_email(db, email)
    if user is None:
        raise UnknownError(N_("auth.user.unknown"), "email", email=email)
    return user


def user_names(db: sqlite_utils.Database, ids: set[int]) -> dict[int, str]:
    """Return the names of the users with these ids (for history: who made a change)."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = db.execute(f"SELECT id, name FROM users WHERE id IN ({marks})", sorted(ids))
    return dict(rows.fetchall())


def sign_in(db: sqlite_utils.Database, email: str, password: str, address: str,
            max_failures: int, window_seconds: int) -> User | None:
    """Return the user whose email and password these are, or None (a failure is counted).

    After `max_failures` failures for this email from this address within `window_seconds`,
    raise TooManyAttemptsError with the seconds until the oldest of them leaves the window.
    """
    email = (email or "").strip().lower()
    now = utc_now()
    retry = _retry_after(db, email, address, now, max_failures, window_seconds)
    if retry:
        raise TooManyAttemptsError(retry)
    row = db.execute("SELECT id, password_hash FROM users WHERE email = ?", [email]).fetchone()
    # An unknown email is checked against a dummy hash: as slow as a wrong password.
    if password_matches(row[1] if row else None, password):
        return user_by_id(db, row[0])
    with transaction(db):
        db.execute("INSERT INTO login_failures (email, address, at) VALUES (?, ?, ?)",
                   [email, address, stamp(now)])
        db.execute("DELETE FROM login_failures WHERE at < ?",
                   [stamp(now - dt.timedelta(seconds=window_seconds))])
    return None


def _retry_after(db: sqlite_utils.Database, email: str, address: str, now: dt.datetime,
                 max_failures: int, window_seconds: int) -> int:
    """Return the seconds to wait before this email may be tried from this address (0: now)."""
    since = stamp(now - dt.timedelta(seconds=window_seconds))
    rows = db.execute("SELECT at FROM login_failures WHERE email = ? AND address = ? AND at >= ? "
                      "ORDER BY at DESC LIMIT ?", [email, address, since, max_failures]).fetchall()
    if len(rows) < max_failures:
        return 0
    oldest = dt.datetime.fromisoformat(rows[-1][0])
    return max(1, int((oldest + dt.timedelta(seconds=window_seconds) - now).total_seconds()) + 1)
