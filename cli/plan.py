"""`kpi-advisor plan ...`: a stored plan's review from the terminal: import measurements, mark a
period as an assignable cause, set the next target to a suggested level."""

from pathlib import Path

import click
import sqlite_utils

from advisor.formatting import period_text
from advisor.i18n import gettext
from advisor.plans import PlanRecord, get_plan
from advisor.review.exclusions import set_excluded
from advisor.review.importer import KpiIndex, import_file
from advisor.review.report import change_text, plan_review
from advisor.review.targets import LEVELS, set_next_target
from advisor.store import ensure_schema, open_db
from cli.shell import LANG, AdvisorGroup, BadInput, Shell, pass_shell


def _database(shell: Shell, path: str | None, lang: str) -> sqlite_utils.Database:
    """Return the plans' database: --db, else the DATABASE setting (KPI_ADVISOR_DB)."""
    path = path or shell.settings.get("DATABASE")
    if not path:
        raise BadInput(gettext(lang, "cli.plan.no_database"), lang)
    if not Path(path).is_file():
        raise BadInput(gettext(lang, "cli.file.missing", path=path), lang)
    db = open_db(path)
    ensure_schema(db)
    return db


def _kpi_row(record: PlanRecord, kpi: str, shell: Shell, lang: str) -> int:
    """Return the row id of the plan KPI named by id, name or row id."""
    if kpi.isdigit() and int(kpi) in record.kpi_ids:
        return int(kpi)
    index = KpiIndex(record, shell.catalog)
    position = index.find(kpi)
    if position is None:
        raise BadInput(gettext(lang, "cli.plan.unknown_kpi", kpi=kpi,
                               kpis=", ".join(index.names)), lang)
    return record.kpi_ids[position]


@click.group(cls=AdvisorGroup)
def plan() -> None:
    """Review a stored plan: import measurements, exclude periods, apply a suggestion."""


_DB = click.option("--db", "db_path", type=click.Path(dir_okay=False),
                   help="SQLite file (default: the DATABASE setting, KPI_ADVISOR_DB).")
_LANG = click.option("--lang", type=LANG, default="vi", show_default=True)


@plan.command(name="import")
@click.argument("plan_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--set-frequency", is_flag=True,
              help="A KPI whose rows all have one frequency other than the plan's takes the "
              "file's frequency.")
@_DB
@_LANG
@pass_shell
def import_command(shell: Shell, plan_id: int, file: str, set_frequency: bool,
                   db_path: str | None, lang: str) -> None:
    """Import a CSV or XLSX FILE (kpi, period, value; target, note, exclude) into a plan.

    Every row is stored, or none: each bad row is printed with its line and fix (exit 2).
    """
    db = _database(shell, db_path, lang)
    record = get_plan(db, plan_id)
    data = Path(file).read_bytes()
    result = import_file(db, record, Path(file).name, data, shell.catalog, set_frequency)
    click.echo(gettext(lang, "review.import.done", inserted=result.inserted,
                       replaced=result.replaced, unchanged=result.unchanged))
    if result.frequencies_set:
        click.echo(gettext(lang, "review.import.frequency_set",
                           count=len(result.frequencies_set)))


@plan.command()
@click.argument("plan_id", type=int)
@click.argument("kpi")
@click.argument("period")
@click.option("--note", default="", help="The assignable cause (required unless --undo).")
@click.option("--undo", is_flag=True, help="Count the period again.")
@_DB
@_LANG
@pass_shell
def exclude(shell: Shell, plan_id: int, kpi: str, period: str, note: str, undo: bool,
            db_path: str | None, lang: str) -> None:
    """Leave a stored PERIOD of a KPI out of limits and forecasts as an assignable cause."""
    db = _database(shell, db_path, lang)
    record = get_plan(db, plan_id)
    label = set_excluded(db, record, _kpi_row(record, kpi, shell, lang), period, not undo, note)
    key = "review.exclude.undone" if undo else "review.exclude.done"
    click.echo(gettext(lang, key, period=period_text(label, lang)))


@plan.command(name="apply-suggestion")
@click.argument("plan_id", type=int)
@click.argument("kpi")
@click.option("--level", type=click.Choice(LEVELS), default="committed", show_default=True)
@click.option("--quarter", help="The review's quarter, such as 2025-Q1 (default: the latest).")
@_DB
@_LANG
@pass_shell
def apply_suggestion(shell: Shell, plan_id: int, kpi: str, level: str, quarter: str | None,
                     db_path: str | None, lang: str) -> None:
    """Set a KPI's next target to the committed or stretch level its review suggests.

    The plan's previous version keeps the old target; the report lists the change.
    """
    db = _database(shell, db_path, lang)
    record = get_plan(db, plan_id)
    row = _kpi_row(record, kpi, shell, lang)
    review = plan_review(db, plan_id, shell.catalog, quarter)
    change = set_next_target(db, plan_id, row, level, review)
    item = next(k for k in review.kpis if k.plan_kpi_id == row)
    click.echo(gettext(lang, "review.apply.done", change=change_text(change, item.review, lang)))
