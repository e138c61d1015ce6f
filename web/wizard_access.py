"""Who may open an interview session: the browser that started it, or whoever holds its link.

Accounts come later. Until then the browser that starts a session keeps a random owner token in
its signed cookie, and a resume link carries a key derived from the app's secret, so it cannot
be guessed from the session id; opening it adds the session to that browser's grants. Anyone
else gets the same 404 as for a session that does not exist, so ids cannot be probed.
"""

import base64
import hashlib
import hmac
import secrets

import sqlite_utils
from flask import abort, current_app, session

from advisor.errors import NotFoundError
from advisor.plans import SessionRecord, get_session, list_sessions, sessions_by_ids
from web.i18n import _

OWNER_KEY = "wizard_owner"
GRANTS_KEY = "wizard_grants"
# A cookie holds about 4 KB; the newest grants win when a browser collects more than this.
MAX_GRANTS = 40


def owner_token() -> str:
    """Return this browser's owner token, creating it (in a lasting cookie) on first use."""
    if OWNER_KEY not in session:
        session[OWNER_KEY] = secrets.token_urlsafe(18)
        session.permanent = True
    return session[OWNER_KEY]


def resume_key(session_id: str) -> str:
    """Return the key that, with the session id, makes the session's resume link."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, b"resume:" + session_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def grant(session_id: str, key: str) -> bool:
    """Give this browser the session when `key` is its resume key; return whether it was."""
    if not hmac.compare_digest(key.encode(), resume_key(session_id).encode()):
        return False
    grants = [g for g in session.get(GRANTS_KEY, []) if g != session_id]
    session[GRANTS_KEY] = [session_id, *grants][:MAX_GRANTS]
    session.permanent = True
    return True


def may_open(record: SessionRecord) -> bool:
    """Return True when this browser owns the session or holds a grant for it."""
    return (record.owner == session.get(OWNER_KEY)
            or record.id in session.get(GRANTS_KEY, []))


def open_session(db: sqlite_utils.Database, session_id: str) -> SessionRecord:
    """Return the session if this browser may open it; otherwise answer 404."""
    try:
        record = get_session(db, session_id)
    except NotFoundError:
        record = None
    if record is None or not may_open(record):
        abort(404, description=_("wizard.not_found"))
    return record


def my_sessions(db: sqlite_utils.Database, limit: int = 50) -> list[SessionRecord]:
    """Return the sessions this browser owns or was given, newest first."""
    owned = list_sessions(db, session[OWNER_KEY]) if OWNER_KEY in session else []
    given = sessions_by_ids(db, session.get(GRANTS_KEY, []))
    seen = {r.id for r in owned}
    merged = owned + [r for r in given if r.id not in seen]
    return sorted(merged, key=lambda r: r.updated, reverse=True)[:limit]
