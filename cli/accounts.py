"""`kpi-advisor users|workspaces|tokens`: accounts, workspaces and API tokens from the terminal."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
import sqlite_utils

from advisor import config
from advisor.accounts.models import ROLES
from advisor.accounts.tokens import create_token
from advisor.accounts.users import create_user, require_user
from advisor.accounts.workspaces import add_member, create_workspace, require_workspace
from advisor.i18n import LANGS, N_, gettext
from advisor.store import ensure_schema, open_db
from cli.shell import AdvisorGroup, command_lang

DB_OPTION = click.option("--db", type=click.Path(dir_okay=False),
                         help="SQLite file (default: instance/kpi-advisor.db).")
LANG_OPTION = click.option("--lang", type=click.Choice(LANGS),
                           help="Language of the messages (default: KPI_ADVISOR_LANG).")


def database_path(db: str | None) -> str:
    """Return the database file `serve` would use: --db, KPI_ADVISOR_DB, else the instance
    folder's kpi-advisor.db."""
    if db:
        return db
    configured = config.layered().get("DATABASE")
    if configured:
        return configured
    from flask import Flask  # only for the instance folder, found as `serve` finds it

    return str(Flask("web", instance_relative_config=True).instance_path) + "/kpi-advisor.db"


@contextmanager
def store(db: str | None) -> Iterator[sqlite_utils.Database]:
    """Open the database (brought up to the latest schema) for one command."""
    database = open_db(database_path(db))
    try:
        ensure_schema(database)
        yield database
    finally:
        database.close()


def _say(msgid: str, **values: object) -> None:
    """Print a confirmation on standard error, so standard output holds only results."""
    click.echo(gettext(command_lang(click.get_current_context()), msgid, **values), err=True)


@click.group(cls=AdvisorGroup)
def users() -> None:
    """Accounts of the people who sign in."""


@users.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's name.")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password from the first line of standard input.")
@DB_OPTION
@LANG_OPTION
def users_create(email: str, name: str, password_stdin: bool, db: str | None,
                 lang: str | None) -> None:
    """Create an account (at least 10 characters of password, no common one)."""
    password = sys.stdin.readline().rstrip("\r\n")
    with store(db) as database:
        user = create_user(database, email, name, password)
    _say(N_("cli.users.created"), email=user.email)


@click.group(cls=AdvisorGroup)
def workspaces() -> None:
    """Client workspaces and their members."""


@workspaces.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The organisation's name.")
@click.option("--owner", required=True, help="Email of the account that will own it.")
@DB_OPTION
@LANG_OPTION
def workspaces_create(slug: str, name: str, owner: str, db: str | None,
                      lang: str | None) -> None:
    """Create a workspace owned by an existing account."""
    with store(db) as database:
        workspace = create_workspace(database, slug, name, require_user(database, owner).id)
    _say(N_("cli.workspaces.created"), slug=workspace.slug)


@workspaces.command("add-member")
@click.argument("slug")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES))
@DB_OPTION
@LANG_OPTION
def workspaces_add_member(slug: str, email: str, role: str, db: str | None,
                          lang: str | None) -> None:
    """Give an existing account a role in a workspace (a member's role is changed)."""
    with store(db) as database:
        workspace = require_workspace(database, slug)
        add_member(database, workspace.id, require_user(database, email).id, role)
    _say(N_("cli.workspaces.member"), email=email, slug=slug, role=role)


@click.group(cls=AdvisorGroup)
def tokens() -> None:
    """API tokens (shown once, stored hashed)."""


@tokens.command("create")
@click.argument("email")
@click.option("--workspace", "slug", required=True, help="Slug of the token's workspace.")
@click.option("--read-only", is_flag=True, help="The token may only read.")
@click.option("--name", default="CLI", show_default=True, help="What the token is for.")
@DB_OPTION
@LANG_OPTION
def tokens_create(email: str, slug: str, read_only: bool, name: str, db: str | None,
                  lang: str | None) -> None:
    """Create an API token for a member of the workspace and print it alone on stdout."""
    with store(db) as database:
        user = require_user(database, email)
        workspace = require_workspace(database, slug)
        secret, _token = create_token(database, user.id, workspace.id, name, read_only)
    click.echo(secret)
