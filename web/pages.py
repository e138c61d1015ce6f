"""Plain pages: the home page, which lists the user's workspaces, starts an interview and
lists the interviews of those workspaces."""

from flask import Blueprint, render_template
from flask_login import current_user

from advisor.accounts.models import at_least
from advisor.accounts.workspaces import memberships
from advisor.review.measurements import last_reviews
from web.db import get_db
from web.i18n import current_lang
from web.wizard_access import my_sessions
from web.wizard_state import progress_summary

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    """Render the start page with the user's workspaces and their interview sessions."""
    lang = current_lang()
    sessions = [(record, progress_summary(record, lang)) for record in my_sessions(get_db())]
    mine = memberships(get_db(), current_user.id)
    editable = [m.workspace for m in mine if at_least(m.role, "editor")]
    reviews = last_reviews(get_db(), [r.plan_id for r, _p in sessions if r.plan_id])
    return render_template("home.html", sessions=sessions, memberships=mine, editable=editable,
                           reviews=reviews)
