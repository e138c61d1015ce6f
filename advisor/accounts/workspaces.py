"""Workspaces, their members with roles, and invitations in the store."""

import datetime as dt
import re
import secrets
import unicodedata

import sqlite_utils

from advisor.accounts.clock import digest, stamp, utc_now
from advisor.accounts.errors import DuplicateError, InvitationError, UnknownError
from advisor.accounts.models import ROLES, Invitation, Member, Membership, Workspace
from advisor.accounts.rows import inserted_id, written
from advisor.accounts.users import normal_email
from advisor.i18n import N_
from advisor.store import transaction

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
_WS = "w.id, w.slug, w.name, w.created"


def _workspace(row: tuple | None) -> Workspace | None:
    if row is None:
        return None
    return Workspace(id=row[0], slug=row[1], name=row[2], created=row[3])


def slug_for(name: str) -> str:
    """Return a slug made from a name (ASCII letters, digits and dashes), never empty."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:40].strip("-")
    return slug or "workspace"


def free_slug(db: sqlite_utils.Database, name: str) -> str:
    """Return a slug made from `name` that no workspace has yet."""
    base = slug_for(name)
    slug, n = base, 2
    while workspace_by_slug(db, slug) is not None:
        slug, n = f"{base[:36]}-{n}", n + 1
    return slug


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UnknownError(N_("workspace.role.invalid"), "role", roles=", ".join(ROLES))


def create_workspace(db: sqlite_utils.Database, slug: str, name: str,
                     owner_id: int) -> Workspace:
    """Create a workspace owned by `owner_id`; raise DuplicateError if the slug is taken."""
    slug = (slug or "").strip().lower()
    name = (name or "").strip()
    if not SLUG.match(slug):
        raise UnknownError(N_("workspace.slug.invalid"), "slug")
    if not name or len(name) > 200:
        raise UnknownError(N_("workspace.name.required"), "name")
    with transaction(db):
        if workspace_by_slug(db, slug) is not None:
            raise DuplicateError(N_("workspace.slug.taken"), "slug", slug=slug)
        now = stamp()
        ws_id = inserted_id(db.execute("INSERT INTO workspaces (slug, name, created) "
                                       "VALUES (?, ?, ?)", [slug, name, now]))
        db.execute("INSERT INTO memberships (workspace_id, user_id, role, created) "
                   "VALUES (?, ?, 'owner', ?)", [ws_id, owner_id, now])
    return written(workspace_by_id(db, ws_id))


def workspace_by_slug(db: sqlite_utils.Database, slug: str) -> Workspace | None:
    """Return the workspace with this slug, or None."""
    return _workspace(db.execute(f"SELECT {_WS} FROM workspaces w WHERE slug = ?",
                                 [slug]).fetchone())


def workspace_by_id(db: sqlite_utils.Database, workspace_id: int) -> Workspace | None:
    """Return the workspace with this id, or None."""
    return _workspace(db.execute(f"SELECT {_WS} FROM workspaces w WHERE id = ?",
                                 [workspace_id]).fetchone())


def require_workspace(db: sqlite_utils.Database, slug: str) -> Workspace:
    """Return the workspace with this slug, or raise UnknownError."""
    found = workspace_by_slug(db, slug)
    if found is None:
        raise UnknownError(N_("workspace.unknown"), "slug", slug=slug)
    return found


def role_in(db: sqlite_utils.Database, user_id: int, workspace_id: int) -> str | None:
    """Return the user's role in the workspace, or None when not a member."""
    row = db.execute("SELECT role FROM memberships WHERE user_id = ? AND workspace_id = ?",
                     [user_id, workspace_id]).fetchone()
    return row[0] if row else None


def memberships(db: sqlite_utils.Database, user_id: int) -> list[Membership]:
    """Return the workspaces the user belongs to, with the role in each, by name."""
    rows = db.execute(f"SELECT {_WS}, m.role FROM memberships m JOIN workspaces w "
                      "ON w.id = m.workspace_id WHERE m.user_id = ? ORDER BY w.name, w.id",
                      [user_id]).fetchall()
    return [Membership(workspace=written(_workspace(r[:4])), role=r[4]) for r in rows]


def members(db: sqlite_utils.Database, workspace_id: int) -> list[Member]:
    """Return the workspace's members, owners first, then by name."""
    rows = db.execute("SELECT u.id, u.email, u.name, m.role FROM memberships m JOIN users u "
                      "ON u.id = m.user_id WHERE m.workspace_id = ? ORDER BY "
                      "CASE m.role WHEN 'owner' THEN 0 WHEN 'editor' THEN 1 ELSE 2 END, u.name",
                      [workspace_id]).fetchall()
    return [Member(user_id=r[0], email=r[1], name=r[2], role=r[3]) for r in rows]


def add_member(db: sqlite_utils.Database, workspace_id: int, user_id: int, role: str) -> None:
    """Give the user this role in the workspace (a member's role is changed)."""
    _check_role(role)
    with transaction(db):
        db.execute("INSERT INTO memberships (workspace_id, user_id, role, created) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT (workspace_id, user_id) DO UPDATE SET "
                   "role = excluded.role", [workspace_id, user_id, role, stamp()])
        _keep_an_owner(db, workspace_id)


def remove_member(db: sqlite_utils.Database, workspace_id: int, user_id: int) -> None:
    """Take the user out of the workspace; the last owner cannot be removed."""
    with transaction(db):
        db.execute("DELETE FROM memberships WHERE workspace_id = ? AND user_id = ?",
                   [workspace_id, user_id])
        _keep_an_owner(db, workspace_id)


def _keep_an_owner(db: sqlite_utils.Database, workspace_id: int) -> None:
    owners = db.execute("SELECT count(*) FROM memberships WHERE workspace_id = ? AND "
                        "role = 'owner'", [workspace_id]).fetchone()[0]
    if owners == 0:
        raise UnknownError(N_("workspace.last_owner"), "user")


# --- Invitations ------------------------------------------------------------------------------

_INV = "id, workspace_id, email, role, created, expires, used_at"


def create_invitation(db: sqlite_utils.Database, workspace_id: int, email: str, role: str,
                      invited_by: int, days: int) -> tuple[str, Invitation]:
    """Store a single-use invitation valid `days` days; return its secret and the invitation."""
    email = normal_email(email)
    _check_role(role)
    secret = secrets.token_urlsafe(32)
    now = utc_now()
    with transaction(db):
        inv_id = db.execute(
            "INSERT INTO invitations (workspace_id, email, role, token_hash, invited_by, "
            "created, expires) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [workspace_id, email, role, digest(secret), invited_by, stamp(now),
             stamp(now + dt.timedelta(days=days))]).lastrowid
    return secret, _invitation(db.execute(f"SELECT {_INV} FROM invitations WHERE id = ?",
                                          [inv_id]).fetchone())


def _invitation(row: tuple) -> Invitation:
    return Invitation(**dict(zip(_INV.split(", "), row, strict=True)))


def open_invitation(db: sqlite_utils.Database, secret: str) -> Invitation:
    """Return the invitation of this link if it can still be used, else raise InvitationError."""
    row = db.execute(f"SELECT {_INV} FROM invitations WHERE token_hash = ?",
                     [digest(secret or "")]).fetchone()
    if row is None:
        raise InvitationError(N_("invitation.unknown"))
    invitation = _invitation(row)
    if invitation.used_at:
        raise InvitationError(N_("invitation.used"))
    if invitation.expires < stamp():
        raise InvitationError(N_("invitation.expired"))
    return invitation


def accept_invitation(db: sqlite_utils.Database, secret: str, user_id: int) -> Invitation:
    """Join the user to the invitation's workspace with its role and use the invitation up."""
    with transaction(db):
        invitation = open_invitation(db, secret)
        db.execute("INSERT INTO memberships (workspace_id, user_id, role, created) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT (workspace_id, user_id) DO NOTHING",
                   [invitation.workspace_id, user_id, invitation.role, stamp()])
        db.execute("UPDATE invitations SET used_at = ?, used_by = ? WHERE id = ?",
                   [stamp(), user_id, invitation.id])
    return invitation


def pending_invitations(db: sqlite_utils.Database, workspace_id: int) -> list[Invitation]:
    """Return the workspace's invitations not used and not expired, newest first."""
    rows = db.execute(f"SELECT {_INV} FROM invitations WHERE workspace_id = ? AND used_at IS "
                      "NULL AND expires >= ? ORDER BY created DESC, id DESC",
                      [workspace_id, stamp()]).fetchall()
    return [_invitation(r) for r in rows]

