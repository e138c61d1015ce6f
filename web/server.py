"""The production server: gunicorn with pre-forked worker processes, each with a few threads.

Measured here (bench/bench_catalog.py), waitress's one-process thread pool fell from about
3,500 to under 800 requests/s as soon as two clients were connected (its I/O thread and its
workers queue for the GIL); separate gunicorn processes use every core and stay steady. Each
process runs gunicorn's threaded worker (web/worker.py) rather than the one-request-at-a-time
sync worker: five slow uploads held all five sync workers for 30 s, while a slow client now
holds one thread of one process and its reads time out.
"""

import gc
import os

from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    """Return the worker count gunicorn's documentation suggests: 2 x cores + 1."""
    return 2 * (os.cpu_count() or 1) + 1


class _Gunicorn(BaseApplication):
    """Gunicorn running one WSGI application object with the given settings."""

    def __init__(self, application, options: dict):
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def freeze_loaded_objects() -> None:
    """Move everything loaded so far (app, catalog, rule sets) out of the garbage collector's
    reach, as the Python documentation advises before a server forks its workers.

    Full collections in a worker then skip the catalog's tens of thousands of objects (about
    20% of a recommendation's time on a 5,000-KPI catalog, bench/bench_recommend.py), and the
    memory pages holding them stay shared between the workers.
    """
    gc.freeze()


# Gunicorn's own limits on a request's head, set above what any request within our limits
# needs so that our checks answer first (a search of 200 Vietnamese characters is under 2 KB of
# URL; the session cookie stays under 4 KB): 8190 is the longest request line gunicorn allows.
LIMIT_REQUEST_LINE = 8190
LIMIT_REQUEST_FIELDS = 100
LIMIT_REQUEST_FIELD_SIZE = 8190
KEEPALIVE = 5  # seconds an idle kept-alive connection waits (on the poller, not a thread)


def server_options(host: str, port: int, workers: int | None, threads: int,
                   timeout: int) -> dict:
    """Return gunicorn's settings for `serve`."""
    from web.worker import ProblemWorker

    return {
        "bind": f"{host}:{port}",
        "workers": workers or default_workers(),
        "worker_class": ProblemWorker,
        "threads": threads,
        # gthread: a worker whose main loop is silent this long is restarted; and (web/worker.py)
        # a client silent this long in the middle of its request loses it.
        "timeout": timeout,
        "graceful_timeout": timeout,
        "keepalive": KEEPALIVE,
        "limit_request_line": LIMIT_REQUEST_LINE,
        "limit_request_fields": LIMIT_REQUEST_FIELDS,
        "limit_request_field_size": LIMIT_REQUEST_FIELD_SIZE,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "kpi-advisor",
    }


def serve(application, host: str, port: int, workers: int | None = None, threads: int = 8,
          timeout: int = 60) -> None:
    """Serve a WSGI application until stopped (Ctrl-C or SIGTERM)."""
    freeze_loaded_objects()
    _Gunicorn(application, server_options(host, port, workers, threads, timeout)).run()
