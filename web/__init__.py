"""The Flask application: wizard pages, review pages and the JSON API."""

from pathlib import Path
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

from advisor import config
from advisor.interview import base_questions
from advisor.lookup import SearchCache
from advisor.store import ensure_catalog, ensure_schema, open_db
from catalog.loader import Catalog, builtin_catalog, load_catalog
from rules.loader import builtin_names, load_builtin


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Return the app: defaults, KPI_ADVISOR_CONFIG file, environment, then test_config."""
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = Id64Converter
    app.config.update(config.layered())
    if test_config:
        app.config.update(test_config)
    _finish_config(app)
    _prepare_store(app)
    _register(app)
    return app


def _up_to(limit: str) -> str:
    """Return a regex of the numbers with as many digits as `limit` that do not exceed it."""
    options = [limit]
    for i, digit in enumerate(limit):
        if digit != "0":
            low = "1" if i == 0 else "0"
            if low <= str(int(digit) - 1):
                rest = len(limit) - i - 1
                options.append(f"{limit[:i]}[{low}-{int(digit) - 1}][0-9]{{{rest}}}")
    return "|".join(options)


class Id64Converter(IntegerConverter):
    """`<int:...>` in every route: an id from 1 to 2**63 - 1 written plainly (ASCII digits, no
    leading zero). Anything else matches no route, so it is a 404 (not an overflow in the
    database, nor the 405 werkzeug gives when a converter refuses a value it matched)."""

    regex = f"(?:[1-9][0-9]{{0,17}}|{_up_to(str(2**63 - 1))})"


def _finish_config(app: Flask) -> None:
    """Fill the settings whose defaults live in the instance folder."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE"):
        app.config["DATABASE"] = str(Path(app.instance_path) / "kpi-advisor.db")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.instance_secret(app.instance_path)
    if isinstance(app.json, DefaultJSONProvider):  # Flask's own provider, the one we use
        app.json.ensure_ascii = False
        app.json.sort_keys = False


def _check_policy() -> None:
    """Parse every rule set and the interview's questions, so a broken file stops the start."""
    for name in builtin_names():
        load_builtin(name)
    base_questions()


def _load_catalog(app: Flask) -> Catalog:
    """Return the catalog the CATALOG_FILES setting names, else the built-in one: the app's one
    catalog, which every page and API call is given (web.db.get_catalog)."""
    files = config.catalog_files(app.config["CATALOG_FILES"])
    return load_catalog(files) if files else builtin_catalog()


def _prepare_store(app: Flask) -> None:
    """Load the catalog and rules (failing fast on broken data) and bring the database up to
    date."""
    _check_policy()
    catalog = _load_catalog(app)
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
        access,
        api,
        api_advice,
        api_review,
        auth,
        csrf,
        db,
        errors,
        i18n,
        pages,
        protect,
        review,
        wizard,
        workspaces,
    )

    protect.init_app(app)  # first: a request for another host name goes no further
    db.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    access.init_app(app)  # before CSRF: who may do what is answered first
    csrf.init_app(app)
    errors.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(api_advice.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api_review.bp)
    app.register_blueprint(review.bp)
    wizard.init_app(app)
    workspaces.init_app(app)
    access.require_classified(app)
