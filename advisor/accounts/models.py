"""What the accounts store returns: users, workspaces, members, invitations and API tokens."""

from typing import Literal

from pydantic import BaseModel

Role = Literal["owner", "editor", "viewer"]
ROLES: tuple[str, ...] = ("owner", "editor", "viewer")
# What each role may do, in increasing order: a role may do what the roles before it may.
RANK = {"viewer": 1, "editor": 2, "owner": 3}


def at_least(role: str | None, needed: str) -> bool:
    """Return True when `role` may do what `needed` may (None: not a member)."""
    return role is not None and RANK[role] >= RANK[needed]


class User(BaseModel):
    """A person who signs in."""

    id: int
    email: str
    name: str
    created: str

    # Flask-Login reads these four; they are plain facts of a stored account.
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        """Return the id Flask-Login keeps in the session cookie."""
        return str(self.id)


class Workspace(BaseModel):
    """One client organisation (or the consultant's own company)."""

    id: int
    slug: str
    name: str
    created: str


class Membership(BaseModel):
    """A workspace a user belongs to, with the user's role there."""

    workspace: Workspace
    role: Role


class Member(BaseModel):
    """A user of a workspace, as the members page lists them."""

    user_id: int
    email: str
    name: str
    role: Role


class Invitation(BaseModel):
    """A single-use invitation of an email to a workspace with a role."""

    id: int
    workspace_id: int
    email: str
    role: Role
    created: str
    expires: str
    used_at: str | None


class ApiToken(BaseModel):
    """An API token as stored (its secret is only ever shown at creation)."""

    id: int
    workspace_id: int
    user_id: int
    name: str
    read_only: bool
    created: str
    last_used: str | None
    revoked_at: str | None
