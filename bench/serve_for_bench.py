"""Serve the real app plus a bare constant-JSON endpoint under the production server (gunicorn),
for bench_catalog.py."""

import argparse

from flask import jsonify

from web import create_app
from web.access import PUBLIC, classify
from web.server import serve


def main() -> None:
    """Start the production server on the given port with the app and one bare endpoint."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--workers", type=int, default=0, help="0: 2 x cores + 1")
    parser.add_argument("--cache", type=int, default=2048, help="search cache size (0: off)")
    args = parser.parse_args()
    app = create_app({"DATABASE": args.db, "SECRET_KEY": "bench",
                      "SEARCH_CACHE_SIZE": args.cache})

    @app.get("/bench/bare")
    def bare():
        return jsonify({"items": [], "total": 0, "limit": 20, "offset": 0})

    classify("bare", PUBLIC)

    serve(app, "127.0.0.1", args.port, args.workers or None)


if __name__ == "__main__":
    main()
