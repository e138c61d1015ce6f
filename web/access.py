"""Who may do what, checked in one place before any handler runs.

Every endpoint has an access kind in ACCESS (the app refuses to start when one is missing, and
tests/test_access_matrix.py tries each through a real server). The object a URL names (a plan by
`plan_id`, an interview by `sid`, a workspace by `slug`) is resolved to its workspace first; the
signed-in user (pages) or the API token (under /api/) must belong to it, or the answer is the
404 of an object that does not exist, so ids cannot be probed across workspaces.
"""

from dataclasses import dataclass
from typing import NoReturn

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from advisor.accounts.actor import reset_actor, set_actor
from advisor.accounts.models import ApiToken, at_least
from advisor.accounts.tokens import token_for_secret
from advisor.accounts.users import count_users
from advisor.accounts.workspaces import memberships, role_in, workspace_by_slug
from advisor.errors import NotFoundError
from advisor.i18n import gettext
from advisor.plans import plan_workspace, session_workspace
from web.db import get_db
from web.errors import ApiProblem, problem, problem_lang
from web.i18n import N_, _

PUBLIC = "public"      # anyone: sign-in pages, static files
CATALOG = "catalog"    # the KPI catalog and API documents (KPI_ADVISOR_OPEN_API)
COMPUTE = "compute"    # calculations that store nothing (KPI_ADVISOR_OPEN_API)
ACCOUNT = "account"    # any signed-in user; the view picks among the user's workspaces
CREATE = "create"      # a signed-in editor of some workspace; the view picks which
READ = "read"          # members of the named object's workspace; writing needs editor
EDIT = "edit"          # editors of the named object's workspace, even to look
OWNER = "owner"        # owners of the named object's workspace
STORED = "stored"      # API: a token of the named object's workspace; writing needs read-write
OPEN_LEVELS = {"compute": (CATALOG, COMPUTE), "catalog": (CATALOG,), "none": ()}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

ACCESS: dict[str, str] = {
    "static": PUBLIC, "auth.login": PUBLIC, "auth.logout": PUBLIC, "auth.setup": PUBLIC,
    "auth.invitation": PUBLIC,
    "api.list_kpis": CATALOG, "api.show_kpi": CATALOG, "api.openapi": CATALOG,
    "api.docs": CATALOG,
    "api_advice.list_questions": COMPUTE, "api_advice.interview_next": COMPUTE,
    "api_advice.recommendations": COMPUTE, "api_advice.smart_check": COMPUTE,
    "api_review.create_review": COMPUTE,
    "api_review.plans": STORED, "api_review.add_plan": STORED, "api_review.plan": STORED,
    "api_review.measurements": STORED, "api_review.add_measurements": STORED,
    "api_review.import_measurements": STORED, "api_review.review": STORED,
    "api_review.apply_suggestion": STORED,
    "pages.home": ACCOUNT, "wizard.start": CREATE,
    "wizard.resume": READ, "wizard.continue_session": READ,
    "wizard.question": EDIT, "wizard.check": EDIT, "wizard_plan.swap": EDIT,
    "wizard_plan.add": EDIT,
    "wizard_plan.results": READ, "wizard_plan.plan": READ, "wizard_plan.cards": READ,
    "wizard_plan.dictionary": READ, "wizard_plan.export_dictionary_csv": READ,
    "wizard_plan.export_csv": READ, "wizard_plan.export_xlsx": READ,
    "wizard_plan.report": READ, "wizard_plan.remove": READ, "wizard_plan.restore": READ,
    "wizard_plan.status": READ,
    "review.page": READ, "review.save": READ, "review.import_measurements": READ,
    "review.enter_measurement": READ, "review.report": READ, "review.report_as_csv": READ,
    "review.report_as_xlsx": READ, "review.exclusion": READ, "review.apply_suggestion": READ,
    "workspaces.page": READ, "workspaces.members_page": OWNER, "workspaces.invite": OWNER,
    "workspaces.remove": OWNER, "workspaces.tokens_page": OWNER,
    "workspaces.new_token": OWNER, "workspaces.revoke": OWNER,
}


@dataclass(frozen=True)
class Grant:
    """What the request was let in with: the workspace of the named object and the role there
    (pages), or the token (API)."""

    workspace_id: int | None = None
    role: str | None = None
    token: ApiToken | None = None

    @property
    def can_edit(self) -> bool:
        """Return True when the request may change the workspace's objects."""
        if self.token is not None and self.token.read_only:
            return False
        return at_least(self.role, "editor")

    @property
    def workspace(self) -> int:
        """Return the workspace's id (endpoints that name an object or take a token only)."""
        if self.workspace_id is None:
            raise LookupError("this request was let in without a workspace")
        return self.workspace_id


def grant() -> Grant:
    """Return what this request was let in with (nothing for public endpoints)."""
    return g.get("access", Grant())


def _object_workspace() -> int | None:
    """Return the workspace of the object the URL names; 404 when it names none that exists."""
    args = request.view_args or {}
    db = get_db()
    if "plan_id" in args:
        found = plan_workspace(db, args["plan_id"])
    elif "sid" in args:
        found = session_workspace(db, args["sid"])
    elif "slug" in args:
        workspace = workspace_by_slug(db, args["slug"])
        found = workspace.id if workspace else None
    else:
        return None
    if found is None:
        _not_found()
    return found


def _not_found() -> NoReturn:
    """Answer the 404 of an object that does not exist (the same for another workspace's)."""
    args = request.view_args or {}
    if "plan_id" in args:
        raise NotFoundError("plan", str(args["plan_id"]))
    if "sid" in args and not request.path.startswith("/api/"):
        abort(404, description=_("wizard.not_found"))
    abort(404)


# --- API ---------------------------------------------------------------------------------------


class AuthProblem(ApiProblem):
    """A 401 of the API: it also names the scheme to use (WWW-Authenticate)."""


def _api_problem(status: int, msgid: str) -> ApiProblem:
    kind = AuthProblem if status == 401 else ApiProblem
    return kind(status, gettext(problem_lang(), msgid))


def _on_auth_problem(exc: AuthProblem) -> Response:
    response = problem(exc.status, exc.detail)
    response.headers["WWW-Authenticate"] = 'Bearer realm="kpi-advisor"'
    return response


def bearer_token() -> ApiToken | None:
    """Return the token of the Authorization header (None without one); 401 when it is not
    `Bearer <token>` or names no live token."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip() or " " in secret.strip():
        raise _api_problem(401, N_("access.api.malformed"))
    token = token_for_secret(get_db(), secret.strip())
    if token is None:
        raise _api_problem(401, N_("access.api.bad_token"))
    return token


def _check_api(kind: str) -> Grant:
    token = bearer_token()
    open_kinds = OPEN_LEVELS[current_app.config["OPEN_API"]]
    if kind in (CATALOG, COMPUTE):
        if token is None and kind not in open_kinds:
            raise _api_problem(401, N_("access.api.needed"))
        return Grant(token=token)
    if token is None:
        raise _api_problem(401, N_("access.api.needed"))
    workspace_id = _object_workspace()
    if workspace_id is not None and workspace_id != token.workspace_id:
        _not_found()
    role = role_in(get_db(), token.user_id, token.workspace_id)
    if request.method not in SAFE_METHODS:
        if token.read_only:
            raise _api_problem(403, N_("access.api.read_only"))
        if not at_least(role, "editor"):
            raise _api_problem(403, N_("access.api.viewer"))
    return Grant(workspace_id=token.workspace_id, role=role, token=token)


# --- Pages -------------------------------------------------------------------------------------


def _sign_in_first() -> Response:
    """Send a signed-out visitor to sign in (or, on an empty database, to the first account)."""
    if count_users(get_db()) == 0:
        return redirect(url_for("auth.setup"))
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _check_page(kind: str) -> Grant | Response:
    if not current_user.is_authenticated:
        return _sign_in_first()
    if kind == ACCOUNT:
        return Grant()
    if kind == CREATE:
        if not any(at_least(m.role, "editor") for m in memberships(get_db(), current_user.id)):
            abort(403, description=_("access.page.forbidden"))
        return Grant()
    workspace_id = _object_workspace()
    if workspace_id is None:
        _not_found()
    role = role_in(get_db(), current_user.id, workspace_id)
    if role is None:
        _not_found()
    needed = {READ: "viewer", EDIT: "editor", OWNER: "owner"}[kind]
    if request.method not in SAFE_METHODS and needed == "viewer":
        needed = "editor"
    if not at_least(role, needed):
        abort(403, description=_("access.page.forbidden"))
    return Grant(workspace_id=workspace_id, role=role)


def _same_origin() -> bool:
    """Return False for an unsafe request a browser sent from a page of another site."""
    if request.method in SAFE_METHODS:
        return True
    if request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not sent by a browser's page (curl, scripts) or an older browser's form
    return origin == request.host_url.rstrip("/")


def check_access() -> Response | None:
    """Refuse the request unless the caller may reach what it names; note who acts."""
    if request.endpoint is None:
        return None  # no route: the 404 or 405 follows
    if not _same_origin():
        if request.path.startswith("/api/"):
            raise _api_problem(403, N_("access.cross_origin"))
        abort(403, description=_("access.cross_origin"))
    kind = ACCESS.get(request.endpoint)
    if kind is None:  # fail closed: an endpoint nobody classified is not served
        raise RuntimeError(f"{request.endpoint} has no access kind in web/access.py")
    if kind == PUBLIC:
        return None
    result = _check_api(kind) if request.path.startswith("/api/") else _check_page(kind)
    if isinstance(result, Response):
        return result
    g.access = result
    actor = result.token.user_id if result.token else (
        current_user.id if current_user.is_authenticated else None)
    g.actor_token = set_actor(actor)
    return None


def _forget_actor(_exc: BaseException | None = None) -> None:
    token = g.pop("actor_token", None)
    if token is not None:
        reset_actor(token)


def unchecked_endpoints(app: Flask) -> list[str]:
    """Return the app's endpoints that ACCESS does not classify."""
    return sorted(e for e in app.view_functions if e not in ACCESS)


def classify(endpoint: str, kind: str) -> None:
    """Give an endpoint added outside create_app (a plug-in, a test's probe) its access kind."""
    if kind not in (PUBLIC, CATALOG, COMPUTE, ACCOUNT, CREATE, READ, EDIT, OWNER, STORED):
        raise ValueError(f"unknown access kind {kind!r}")
    ACCESS[endpoint] = kind


def require_classified(app: Flask) -> None:
    """Refuse to start an app with an endpoint that ACCESS does not classify."""
    missing = unchecked_endpoints(app)
    if missing:
        raise RuntimeError(f"endpoints without an access kind in web/access.py: {missing}")


def init_app(app: Flask) -> None:
    """Check access before every request and offer `access()` to templates."""
    app.before_request(check_access)
    app.teardown_request(_forget_actor)
    app.register_error_handler(AuthProblem, _on_auth_problem)
    app.jinja_env.globals.update(access=grant)
