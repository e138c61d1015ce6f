"""CSRF protection for every browser form: a per-session token checked on each unsafe request.

The JSON API under /api/ keeps no cookie-based identity, so it needs none; everything else that
changes state must carry the token in a `csrf_token` field or an X-CSRF-Token header.
"""

import hmac
import secrets

from flask import Flask, abort, request, session
from markupsafe import Markup

from web.i18n import _

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def csrf_token() -> str:
    """Return this session's CSRF token, creating it on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def csrf_field() -> Markup:
    """Return the hidden form field that carries the token."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(csrf_token())


def _check() -> None:
    if request.method in SAFE_METHODS or request.path.startswith("/api/"):
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token", "")
    expected = session.get("csrf")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, description=_("error.csrf"))


def init_app(app: Flask) -> None:
    """Check the token before every unsafe request and offer csrf_field() to templates."""
    app.before_request(_check)
    app.jinja_env.globals.update(csrf_field=csrf_field, csrf_token=csrf_token)
