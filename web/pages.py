"""Plain pages: the home page, which starts an interview and lists this browser's sessions."""

from flask import Blueprint, render_template

from advisor.review.measurements import last_reviews
from web.db import get_db
from web.i18n import current_lang
from web.wizard_access import my_sessions
from web.wizard_state import progress_summary

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    """Render the start page with this browser's interview sessions."""
    lang = current_lang()
    sessions = [(record, progress_summary(record, lang)) for record in my_sessions(get_db())]
    reviews = last_reviews(get_db(), [r.plan_id for r, _p in sessions if r.plan_id])
    return render_template("home.html", sessions=sessions, reviews=reviews)
