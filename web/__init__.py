"""The Flask application: wizard pages, review pages and the JSON API."""

import os
from pathlib import Path
from typing import Any

from flask import Flask

from advisor import config
from advisor.interview import questions
from advisor.lookup import SearchCache
from advisor.store import ensure_catalog, ensure_schema, open_db
from catalog.loader import builtin_catalog
from rules.loader import builtin_names, load_builtin


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Return the app: defaults, KPI_ADVISOR_CONFIG file, environment, then test_config."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(config.defaults())
    config_file = os.environ.get(config.ENV_PREFIX + "CONFIG")
    if config_file:
        app.config.update(config.from_file(config_file))
    app.config.update(config.from_env())
    if test_config:
        app.config.update(test_config)
    _finish_config(app)
    _prepare_store(app)
    _register(app)
    return app


def _finish_config(app: Flask) -> None:
    """Fill the settings whose defaults live in the instance folder."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE"):
        app.config["DATABASE"] = str(Path(app.instance_path) / "kpi-advisor.db")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.instance_secret(app.instance_path)
    app.json.ensure_ascii = False
    app.json.sort_keys = False


def _check_policy() -> None:
    """Parse every rule set and the interview's questions, so a broken file stops the start."""
    for name in builtin_names():
        load_builtin(name)
    questions()


def _prepare_store(app: Flask) -> None:
    """Load the catalog and rules (failing fast on broken data) and bring the database up to
    date."""
    _check_policy()
    catalog = builtin_catalog()
    app.extensions["kpi_catalog"] = catalog
    app.extensions["search_cache"] = SearchCache(app.config["SEARCH_CACHE_SIZE"])
    db = open_db(app.config["DATABASE"])
    try:
        ensure_schema(db)
        ensure_catalog(db, catalog)
    finally:
        db.close()


def _register(app: Flask) -> None:
    """Register the blueprints, the error handlers and the per-request database."""
    from web import (
        api,
        api_advice,
        api_review,
        csrf,
        db,
        errors,
        i18n,
        pages,
        protect,
        review,
        wizard,
    )

    protect.init_app(app)  # first: a request for another host name goes no further
    db.init_app(app)
    i18n.init_app(app)
    csrf.init_app(app)
    errors.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(api_advice.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api_review.bp)
    app.register_blueprint(review.bp)
    wizard.init_app(app)
