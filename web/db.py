"""One database connection per request, opened through the store."""

import sqlite_utils
from flask import Flask, current_app, g

from advisor.store import open_db
from catalog.loader import Catalog


def get_db() -> sqlite_utils.Database:
    """Return this request's database connection, opening it on first use."""
    if "db" not in g:
        g.db = open_db(current_app.config["DATABASE"])
    return g.db


def get_catalog() -> Catalog:
    """Return the catalog loaded at start."""
    return current_app.extensions["kpi_catalog"]


def close_db(_exc: BaseException | None = None) -> None:
    """Close this request's connection if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    """Close the connection at the end of every request."""
    app.teardown_appcontext(close_db)
