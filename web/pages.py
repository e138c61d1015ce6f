"""Plain pages: the home page."""

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    """Render the home page."""
    return render_template("home.html")
