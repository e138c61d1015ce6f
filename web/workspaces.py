"""A client's work in one place: the workspace page, and its members and tokens for owners."""

import sqlite_utils
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from advisor.accounts.errors import AccountError
from advisor.accounts.models import ROLES, Workspace
from advisor.accounts.tokens import create_token, revoke_token, workspace_tokens
from advisor.accounts.workspaces import (
    create_invitation,
    members,
    pending_invitations,
    remove_member,
    workspace_by_id,
    workspace_by_slug,
)
from advisor.plans import plan_overviews, workspace_sessions
from advisor.review.measurements import last_reviews
from web.access import grant
from web.auth import message
from web.db import get_db
from web.i18n import N_, _, current_lang
from web.wizard_state import progress_summary

bp = Blueprint("workspaces", __name__, url_prefix="/w")
ROLE_NAMES = {"owner": N_("role.owner"), "editor": N_("role.editor"),
              "viewer": N_("role.viewer")}


def role_name(role: str) -> str:
    """Return a role's name in the page's language."""
    return _(ROLE_NAMES[role])


def _workspace(db: sqlite_utils.Database, slug: str) -> Workspace:
    """Return the workspace the URL names (web/access.py has answered 404 when there is none)."""
    found = workspace_by_slug(db, slug)
    if found is None:
        abort(404)
    return found


def _html(template: str, status: int = 200, **values: object) -> Response:
    return Response(render_template(template, **values), status=status, mimetype="text/html")


@bp.get("/<slug>")
def page(slug: str) -> Response:
    """Show the workspace's interviews and plans, each plan with its latest review."""
    db = get_db()
    workspace = _workspace(db, slug)
    lang = current_lang()
    sessions = [(r, progress_summary(r, lang)) for r in workspace_sessions(db, [workspace.id])]
    plans = plan_overviews(db, workspace.id)
    return _html("workspaces/page.html", workspace=workspace, sessions=sessions, plans=plans,
                 reviews=last_reviews(db, [p["id"] for p in plans]), role=grant().role)


def _members_page(slug: str, status: int = 200, **extra: object) -> Response:
    db = get_db()
    workspace = _workspace(db, slug)
    return _html("workspaces/members.html", status, workspace=workspace,
                 members=members(db, workspace.id),
                 invitations=pending_invitations(db, workspace.id), roles=ROLES,
                 errors=extra.pop("errors", {}), **extra)


@bp.get("/<slug>/members")
def members_page(slug: str) -> Response:
    """List the members and open invitations, with the form to invite someone."""
    return _members_page(slug)


@bp.post("/<slug>/members")
def invite(slug: str) -> Response:
    """Create an invitation link for an email and a role, and show it to copy."""
    db = get_db()
    workspace = _workspace(db, slug)
    email, role = request.form.get("email", ""), request.form.get("role", "")
    try:
        secret, invitation = create_invitation(db, workspace.id, email, role, current_user.id,
                                               current_app.config["INVITATION_DAYS"])
    except AccountError as exc:
        return _members_page(slug, 422, errors={exc.field or "email": message(exc)},
                             typed={"email": email, "role": role})
    link = url_for("auth.invitation", secret=secret, _external=True)
    return _members_page(slug, 201, new_link=link, new_invitation=invitation)


@bp.post("/<slug>/members/<int:user_id>/remove")
def remove(slug: str, user_id: int) -> BaseResponse:
    """Take a member out of the workspace (never its last owner)."""
    db = get_db()
    try:
        remove_member(db, _workspace(db, slug).id, user_id)
    except AccountError as exc:
        return _members_page(slug, 422, errors={"remove": message(exc)})
    return redirect(url_for(".members_page", slug=slug), 303)


def _tokens_page(slug: str, status: int = 200, **extra: object) -> Response:
    db = get_db()
    workspace = _workspace(db, slug)
    return _html("workspaces/tokens.html", status, workspace=workspace,
                 tokens=workspace_tokens(db, workspace.id), errors=extra.pop("errors", {}),
                 **extra)


@bp.get("/<slug>/tokens")
def tokens_page(slug: str) -> Response:
    """List the workspace's API tokens with the form to create one."""
    return _tokens_page(slug)


@bp.post("/<slug>/tokens")
def new_token(slug: str) -> Response:
    """Create a token for the signed-in owner and show its secret once."""
    db = get_db()
    workspace = _workspace(db, slug)
    try:
        secret, token = create_token(db, current_user.id, workspace.id,
                                     request.form.get("name", ""),
                                     request.form.get("access") == "read")
    except AccountError as exc:
        return _tokens_page(slug, 422, errors={exc.field or "name": message(exc)})
    return _tokens_page(slug, 201, new_secret=secret, new_token=token)


@bp.post("/<slug>/tokens/<int:token_id>/revoke")
def revoke(slug: str, token_id: int) -> BaseResponse:
    """Revoke one of the workspace's tokens."""
    db = get_db()
    revoke_token(db, _workspace(db, slug).id, token_id)
    return redirect(url_for(".tokens_page", slug=slug), 303)


def _page_context() -> dict:
    """Give every page the workspace it belongs to, for its breadcrumbs."""
    workspace_id = grant().workspace_id
    if workspace_id is None or request.path.startswith("/api/"):
        return {"crumb_workspace": None}
    return {"crumb_workspace": workspace_by_id(get_db(), workspace_id)}


def init_app(app: Flask) -> None:
    """Register the workspace pages and the breadcrumbs every page shows."""
    app.register_blueprint(bp)
    app.context_processor(_page_context)
    app.jinja_env.globals.update(role_name=role_name)
