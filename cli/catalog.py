"""`kpi-advisor catalog search|show|export`: look KPIs up in the catalog."""

import click

from advisor.catalog_export import export_catalog
from advisor.lookup import KpiQuery, find_kpis, get_kpi, kpi_json
from advisor.store import ensure_catalog, open_db
from catalog.vocab import DEPARTMENTS
from cli.shell import LANG, AdvisorGroup, Shell, pass_shell, print_json


@click.group(cls=AdvisorGroup)
def catalog() -> None:
    """Look KPIs up in the catalog."""


@catalog.command()
@click.argument("query")
@click.option("--department", type=click.Choice(DEPARTMENTS))
@click.option("--lang", type=LANG, default="vi", show_default=True)
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--db", type=click.Path(dir_okay=False),
              help="SQLite file to use (default: in memory).")
@pass_shell
def search(shell: Shell, query: str, department: str | None, lang: str, limit: int,
           as_json: bool, db: str | None) -> None:
    """Search KPIs by words (diacritics optional)."""
    database = open_db(db)
    try:
        ensure_catalog(database, shell.catalog)
        ask = KpiQuery(q=query, department=department, lang=lang, limit=limit)
        page = find_kpis(database, shell.catalog, ask)
    finally:
        database.close()
    if as_json:
        print_json(page)
        return
    for item in page["items"]:
        click.echo(f"{item['id']:<40} {item['name']}")
    click.echo(f"({len(page['items'])} of {page['total']})")


@catalog.command()
@click.argument("kpi_id", metavar="ID")
@click.option("--lang", type=LANG, default=None)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_shell
def show(shell: Shell, kpi_id: str, lang: str | None, as_json: bool) -> None:
    """Show one KPI with every field."""
    data = kpi_json(get_kpi(shell.catalog, kpi_id), lang)
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value) or "-"
        click.echo(f"{key:>13}: {value}")


@catalog.command()
@click.option("--format", "fmt", type=click.Choice(("csv", "json")), default="csv",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="File to write (default: standard output).")
@pass_shell
def export(shell: Shell, fmt: str, output: str | None) -> None:
    """Export the whole catalog."""
    text = export_catalog(shell.catalog, fmt)
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    else:
        click.echo(text, nl=False)
