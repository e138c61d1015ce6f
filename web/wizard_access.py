"""Interview sessions a signed-in person may open, and the resume links that lead back to them.

Who may open a session is checked before any handler runs (web/access.py): the members of its
workspace. A resume link also carries a key derived from the app's secret, so a link cannot be
made from a session id; a wrong key answers the same 404 as a session that does not exist.
"""

import base64
import hashlib
import hmac

import sqlite_utils
from flask import abort, current_app
from flask_login import current_user

from advisor.accounts.models import at_least
from advisor.accounts.workspaces import memberships
from advisor.errors import NotFoundError
from advisor.plans import SessionRecord, get_session, workspace_sessions
from web.i18n import _


def resume_key(session_id: str) -> str:
    """Return the key that, with the session id, makes the session's resume link."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, b"resume:" + session_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def grant(session_id: str, key: str) -> bool:
    """Return whether `key` is the session's resume key."""
    return hmac.compare_digest(key.encode(), resume_key(session_id).encode())


def open_session(db: sqlite_utils.Database, session_id: str) -> SessionRecord:
    """Return the session (access to it was checked before the handler); 404 if it is gone."""
    try:
        return get_session(db, session_id)
    except NotFoundError:
        abort(404, description=_("wizard.not_found"))


def my_sessions(db: sqlite_utils.Database, limit: int = 50) -> list[SessionRecord]:
    """Return the sessions of the signed-in user's workspaces, newest first."""
    ids = [m.workspace.id for m in memberships(db, current_user.id)]
    return workspace_sessions(db, ids, limit)


def start_workspace(db: sqlite_utils.Database, slug: str | None) -> int:
    """Return the workspace a new interview goes to: the one named (404 unless the user is a
    member, 403 unless an editor), else the user's first workspace they may edit (403 if none)."""
    mine = memberships(db, current_user.id)
    if slug:
        chosen = [m for m in mine if m.workspace.slug == slug]
        if not chosen:
            abort(404)
    else:
        chosen = [m for m in mine if at_least(m.role, "editor")]
    if not chosen or not at_least(chosen[0].role, "editor"):
        abort(403, description=_("access.page.forbidden"))
    return chosen[0].workspace.id
