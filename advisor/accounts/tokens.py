"""API tokens in the store: created for a user and a workspace, shown once, kept hashed."""

import datetime as dt
import secrets

import sqlite_utils

from advisor.accounts.clock import digest, stamp, utc_now
from advisor.accounts.errors import UnknownError
from advisor.accounts.models import ApiToken
from advisor.accounts.rows import inserted_id, written
from advisor.i18n import N_
from advisor.store import transaction

PREFIX = "kpa_"
# Last-used times are written at most this often per token, so a busy client does not turn
# every read into a write.
TOUCH_EVERY = dt.timedelta(seconds=60)
_COLUMNS = "id, workspace_id, user_id, name, read_only, created, last_used, revoked_at"


def _token(row: tuple | None) -> ApiToken | None:
    if row is None:
        return None
    return ApiToken(**dict(zip(_COLUMNS.split(", "), row, strict=True)))


def create_token(db: sqlite_utils.Database, user_id: int, workspace_id: int, name: str,
                 read_only: bool) -> tuple[str, ApiToken]:
    """Store a new token; return its secret (never stored, shown once) and the token."""
    name = (name or "").strip() or "API"
    if len(name) > 100:
        raise UnknownError(N_("token.name.long"), "name")
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction(db):
        if db.execute("SELECT 1 FROM memberships WHERE user_id = ? AND workspace_id = ?",
                      [user_id, workspace_id]).fetchone() is None:
            raise UnknownError(N_("token.not_member"), "email", email=_email(db, user_id),
                               slug=_slug(db, workspace_id))
        token_id = inserted_id(db.execute(
            "INSERT INTO api_tokens (workspace_id, user_id, name, token_hash, read_only, "
            "created) VALUES (?, ?, ?, ?, ?, ?)",
            [workspace_id, user_id, name, digest(secret), int(read_only), stamp()]))
    return secret, written(token_by_id(db, token_id))


def _email(db: sqlite_utils.Database, user_id: int) -> str:
    row = db.execute("SELECT email FROM users WHERE id = ?", [user_id]).fetchone()
    return row[0] if row else str(user_id)


def _slug(db: sqlite_utils.Database, workspace_id: int) -> str:
    row = db.execute("SELECT slug FROM workspaces WHERE id = ?", [workspace_id]).fetchone()
    return row[0] if row else str(workspace_id)


def token_by_id(db: sqlite_utils.Database, token_id: int) -> ApiToken | None:
    """Return the token with this id, or None."""
    return _token(db.execute(f"SELECT {_COLUMNS} FROM api_tokens WHERE id = ?",
                             [token_id]).fetchone())


def token_for_secret(db: sqlite_utils.Database, secret: str) -> ApiToken | None:
    """Return the live token whose secret this is (noting its use), or None if unknown or
    revoked, or if its user left the workspace."""
    row = db.execute(
        f"SELECT {', '.join('t.' + c for c in _COLUMNS.split(', '))} FROM api_tokens t "
        "JOIN memberships m ON m.workspace_id = t.workspace_id AND m.user_id = t.user_id "
        "WHERE t.token_hash = ? AND t.revoked_at IS NULL", [digest(secret)]).fetchone()
    token = _token(row)
    if token is not None:
        _touch(db, token)
    return token


def _touch(db: sqlite_utils.Database, token: ApiToken) -> None:
    now = utc_now()
    if token.last_used and dt.datetime.fromisoformat(token.last_used) > now - TOUCH_EVERY:
        return
    with transaction(db):
        db.execute("UPDATE api_tokens SET last_used = ? WHERE id = ?", [stamp(now), token.id])


def workspace_tokens(db: sqlite_utils.Database, workspace_id: int) -> list[ApiToken]:
    """Return the workspace's tokens, live ones first, newest first."""
    rows = db.execute(f"SELECT {_COLUMNS} FROM api_tokens WHERE workspace_id = ? ORDER BY "
                      "revoked_at IS NOT NULL, created DESC, id DESC", [workspace_id]).fetchall()
    return [written(_token(r)) for r in rows]


def revoke_token(db: sqlite_utils.Database, workspace_id: int, token_id: int) -> bool:
    """Revoke one of the workspace's tokens; return False when it has no such live token."""
    with transaction(db):
        changed = db.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND "
                             "workspace_id = ? AND revoked_at IS NULL",
                             [stamp(), token_id, workspace_id]).rowcount
    return changed > 0
