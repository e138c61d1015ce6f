"""The sub-commands of `kpi-advisor`, each a small parser plus a handler."""

import argparse
import sys

from advisor.catalog_export import export_catalog
from advisor.cli import command, print_json
from advisor.lookup import KpiQuery, find_kpis, get_kpi, kpi_json
from advisor.store import ensure_catalog, open_db
from catalog.loader import builtin_catalog
from catalog.vocab import DEPARTMENTS


def _catalog_db(path: str | None):
    """Return a database holding the current catalog (in memory unless a path is given)."""
    db = open_db(path)
    ensure_catalog(db, builtin_catalog())
    return db


def _catalog_search(args: argparse.Namespace) -> int:
    query = KpiQuery(q=args.query, department=args.department, lang=args.lang, limit=args.limit)
    page = find_kpis(_catalog_db(args.db), builtin_catalog(), query)
    if args.json:
        print_json(page)
        return 0
    for item in page["items"]:
        print(f"{item['id']:<40} {item['name']}")
    print(f"({len(page['items'])} of {page['total']})")
    return 0


def _catalog_show(args: argparse.Namespace) -> int:
    kpi = get_kpi(builtin_catalog(), args.id)
    data = kpi_json(kpi, args.lang)
    if args.json:
        print_json(data)
        return 0
    for key, value in data.items():
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value) or "-"
        print(f"{key:>13}: {value}")
    return 0


def _catalog_export(args: argparse.Namespace) -> int:
    text = export_catalog(builtin_catalog(), args.format)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


@command
def _register_catalog(subs: argparse._SubParsersAction) -> None:
    parser = subs.add_parser("catalog", help="look KPIs up in the catalog")
    inner = parser.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    search = inner.add_parser("search", help="search KPIs by words (diacritics optional)")
    search.add_argument("query")
    search.add_argument("--department", choices=DEPARTMENTS)
    search.add_argument("--lang", choices=("vi", "en"), default="vi")
    search.add_argument("--limit", type=int, default=20)
    search.add_argument("--json", action="store_true", help="print JSON")
    search.add_argument("--db", help="SQLite file to use (default: in memory)")
    search.set_defaults(handler=_catalog_search)
    show = inner.add_parser("show", help="show one KPI with every field")
    show.add_argument("id")
    show.add_argument("--lang", choices=("vi", "en"), default=None)
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=_catalog_show)
    export = inner.add_parser("export", help="export the whole catalog")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.set_defaults(handler=_catalog_export)


def _serve(args: argparse.Namespace) -> int:
    from web import create_app
    from web.server import serve

    overrides = {k: v for k, v in (("DATABASE", args.db), ("HOST", args.host),
                                   ("PORT", args.port)) if v is not None}
    app = create_app(overrides)
    host, port = app.config["HOST"], app.config["PORT"]
    print(f"KPI Advisor on http://{host}:{port}/ (database {app.config['DATABASE']})", flush=True)
    serve(app, host, port, app.config["WORKERS"], app.config["THREADS"],
          app.config["REQUEST_TIMEOUT"])
    return 0


@command
def _register_serve(subs: argparse._SubParsersAction) -> None:
    parser = subs.add_parser("serve", help="run the web app and API under gunicorn")
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 5000)")
    parser.add_argument("--db", help="SQLite file (default: instance/kpi-advisor.db)")
    parser.set_defaults(handler=_serve)
