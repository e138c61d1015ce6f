"""Serve the real app plus a bare constant-JSON endpoint under waitress, for bench_catalog.py."""

import argparse
import logging

import waitress
from flask import jsonify

from web import create_app


def main() -> None:
    """Start waitress on the given port with the app and one bare endpoint."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--cache", type=int, default=2048, help="search cache size (0: off)")
    args = parser.parse_args()
    app = create_app({"DATABASE": args.db, "SECRET_KEY": "bench",
                      "SEARCH_CACHE_SIZE": args.cache})

    @app.get("/bench/bare")
    def bare():
        return jsonify({"items": [], "total": 0, "limit": 20, "offset": 0})

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    waitress.serve(app, host="127.0.0.1", port=args.port, threads=args.threads,
                   ident="kpi-advisor", _quiet=True)


if __name__ == "__main__":
    main()
