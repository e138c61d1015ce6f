"""One database connection per request, opened through the store."""

import sqlite_utils
from flask import Flask, current_app

from advisor.store import thread_db
from catalog.loader import Catalog


def get_db() -> sqlite_utils.Database:
    """Return this worker thread's connection to the app's database."""
    return thread_db(current_app.config["DATABASE"])


def get_catalog() -> Catalog:
    """Return the catalog loaded at start."""
    return current_app.extensions["kpi_catalog"]


def end_transaction(_exc: BaseException | None = None) -> None:
    """Roll back whatever a failed request left open on this thread's connection."""
    db = thread_db(current_app.config["DATABASE"])
    if db.conn.in_transaction:
        db.conn.rollback()


def init_app(app: Flask) -> None:
    """Leave no transaction open between requests."""
    app.teardown_appcontext(end_transaction)
