"""Signing in and out, the first account of an empty database, and accepting invitations."""

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from advisor.accounts.errors import AccountError, TooManyAttemptsError
from advisor.accounts.models import User
from advisor.accounts.rows import written
from advisor.accounts.users import count_users, create_user, sign_in, user_by_email, user_by_id
from advisor.accounts.workspaces import (
    accept_invitation,
    create_workspace,
    free_slug,
    open_invitation,
    workspace_by_id,
)
from advisor.store import transaction
from web.db import get_db
from web.i18n import N_, _

bp = Blueprint("auth", __name__)


def message(exc: AccountError) -> str:
    """Return an account error's message in the page's language."""
    return _(exc.msgid, **exc.values)


def safe_next(target: str | None) -> str:
    """Return where to go after signing in: a path of this site, else the home page."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for("pages.home")


def _form(template: str, status: int = 200, /, **values: object) -> Response:
    return Response(render_template(template, **values), status=status, mimetype="text/html")


def _start_session(user: User) -> None:
    """Sign the user in on a fresh session (no state of before carries over)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse:
    """Ask for email and password; on success go where the visitor was going."""
    if count_users(get_db()) == 0:
        return redirect(url_for(".setup"))
    target = request.values.get("next")
    if request.method == "GET":
        return _form("auth/login.html", next=target, email="", errors={})
    email = request.form.get("email", "")
    config = current_app.config
    try:
        user = sign_in(get_db(), email, request.form.get("password", ""),
                       request.remote_addr or "", config["LOGIN_FAILURES"], config["LOGIN_WINDOW"])
    except TooManyAttemptsError as exc:
        response = _form("auth/login.html", 429, next=target, email=email,
                         errors={"form": message(exc)})
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if user is None:
        return _form("auth/login.html", 401, next=target, email=email,
                     errors={"form": _("auth.wrong")})
    _start_session(user)
    return redirect(safe_next(target), 303)


@bp.post("/logout")
def logout() -> BaseResponse:
    """End the session and go to the sign-in page."""
    logout_user()
    session.clear()
    return redirect(url_for(".login"), 303)


@bp.route("/setup", methods=["GET", "POST"])
def setup() -> BaseResponse:
    """On an empty database, create the first account and its first workspace."""
    db = get_db()
    if count_users(db) > 0:
        return redirect(url_for(".login"))
    values = {k: request.form.get(k, "").strip() for k in ("name", "email", "workspace")}
    if request.method == "GET":
        return _form("auth/setup.html", values=values, errors={})
    try:
        with transaction(db):
            user = create_user(db, values["email"], values["name"],
                               request.form.get("password", ""))
            workspace_name = values["workspace"] or values["name"]
            workspace = create_workspace(db, free_slug(db, workspace_name), workspace_name,
                                         user.id)
    except AccountError as exc:
        return _form("auth/setup.html", 422, values=values,
                     errors={exc.field or "form": message(exc)})
    _start_session(user)
    return redirect(url_for("workspaces.page", slug=workspace.slug), 303)


@bp.route("/invite/<secret>", methods=["GET", "POST"])
def invitation(secret: str) -> BaseResponse:
    """Show an invitation; accept it by creating the account, signing in, or joining."""
    db = get_db()
    try:
        invited = open_invitation(db, secret)
    except AccountError as exc:
        abort(404, description=message(exc))
    workspace = written(workspace_by_id(db, invited.workspace_id))
    existing = user_by_email(db, invited.email)
    signed_in_as = current_user if current_user.is_authenticated else None
    page: dict[str, object] = {"invitation": invited, "workspace": workspace, "existing": existing,
            "signed_in_as": signed_in_as}
    if request.method == "GET":
        return _form("auth/invitation.html", values={}, errors={}, **page)
    values = {"name": request.form.get("name", "").strip()}
    try:
        user = _invited_user(invited.email, existing, signed_in_as, values["name"])
    except AccountError as exc:
        status = {"auth.wrong": 401, "auth.too_many": 429}.get(exc.msgid, 422)
        return _form("auth/invitation.html", status, values=values,
                     errors={exc.field or "form": message(exc)}, **page)
    try:
        accept_invitation(db, secret, user.id)
    except AccountError as exc:
        abort(404, description=message(exc))
    if signed_in_as is None or signed_in_as.id != user.id:
        _start_session(user)
    return redirect(url_for("workspaces.page", slug=workspace.slug), 303)


def _invited_user(email: str, existing: User | None, signed_in: User | None,
                  name: str) -> User:
    """Return who accepts: the signed-in user, the account of the email (its password given),
    or a new account for the email."""
    db = get_db()
    if signed_in is not None and (existing is None or existing.id == signed_in.id):
        return signed_in
    password = request.form.get("password", "")
    if existing is None:
        return create_user(db, email, name, password)
    config = current_app.config
    user = sign_in(db, email, password, request.remote_addr or "", config["LOGIN_FAILURES"],
                   config["LOGIN_WINDOW"])
    if user is None:
        raise AccountError(N_("auth.wrong"), "password")
    return user


def _load_user(user_id: str) -> User | None:
    try:
        return user_by_id(get_db(), int(user_id))
    except ValueError:
        return None


def init_app(app: Flask) -> None:
    """Set up Flask-Login and the session cookie, and register the sign-in pages."""
    manager = LoginManager()
    manager.user_loader(_load_user)
    manager.session_protection = "basic"
    manager.init_app(app)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=bool(app.config["HTTPS"]),
                      REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax",
                      REMEMBER_COOKIE_SECURE=bool(app.config["HTTPS"]))
    app.register_blueprint(bp)
