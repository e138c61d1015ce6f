"""The production server: gunicorn with pre-forked worker processes.

Measured here (bench/bench_catalog.py), waitress's one-process thread pool fell from about
3,500 to under 800 requests/s as soon as two clients were connected (its I/O thread and its
workers queue for the GIL); separate gunicorn processes use every core and stay steady.
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


def serve(application, host: str, port: int, workers: int | None = None) -> None:
    """Serve a WSGI application until stopped (Ctrl-C or SIGTERM)."""
    freeze_loaded_objects()
    _Gunicorn(application, {
        "bind": f"{host}:{port}",
        "workers": workers or default_workers(),
        "worker_class": "sync",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "kpi-advisor",
    }).run()
