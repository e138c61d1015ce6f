"""`kpi-advisor serve`: the web app and API under the production server."""

import click

from advisor.i18n import gettext
from cli.shell import AdvisorCommand


@click.command(cls=AdvisorCommand)
@click.option("--host", help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, help="Port (default 5000).")
@click.option("--db", type=click.Path(dir_okay=False),
              help="SQLite file (default: instance/kpi-advisor.db).")
def serve(host: str | None, port: int | None, db: str | None) -> None:
    """Run the web app and API under gunicorn."""
    # Flask and the app load only for this command, so the others start fast.
    from web import create_app
    from web.server import serve as run_server

    overrides = {k: v for k, v in (("DATABASE", db), ("HOST", host), ("PORT", port))
                 if v is not None}
    app = create_app(overrides)
    host, port = app.config["HOST"], app.config["PORT"]
    click.echo(gettext(app.config["DEFAULT_LANG"], "cli.serve.listening", host=host, port=port,
                       database=app.config["DATABASE"]))
    run_server(app, host, port, app.config["WORKERS"], app.config["THREADS"],
               app.config["REQUEST_TIMEOUT"])
