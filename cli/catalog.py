"""`kpi-advisor catalog search|show|export`: look KPIs up in the catalog."""

import click

from advisor.catalog_export import export_catalog
from advisor.formatting import count_text, range_text
from advisor.i18n import N_, MessageId, gettext
from advisor.lookup import KpiQuery, find_kpis, get_kpi, kpi_json
from advisor.models import Lang
from advisor.smart.view import value_range_text
from advisor.store import ensure_catalog, open_db
from catalog.labels import concept_label, label
from catalog.loader import Catalog
from catalog.models import Context, Kpi
from catalog.vocab import DEPARTMENTS, Department
from cli.shell import LANG, AdvisorGroup, Shell, command_lang, pass_shell, print_json

# The fields `catalog show` prints as text, with the vocabulary their words come from.
WORD_FIELDS: dict[str, tuple[MessageId, str]] = {
    "department": (N_("cli.kpi.department"), "departments"),
    "unit": (N_("cli.kpi.unit"), "units"),
    "direction": (N_("cli.kpi.direction"), "directions"),
    "financial": (N_("cli.kpi.financial"), "financial"),
    "perspective": (N_("cli.kpi.perspective"), "perspectives"),
    "indicator": (N_("cli.kpi.indicator"), "indicators"),
    "frequency": (N_("cli.kpi.frequency"), "frequencies"),
    "change_pace": (N_("cli.kpi.change_pace"), "change_paces"),
    "data_sources": (N_("cli.kpi.data_sources"), "data_sources"),
    "channels": (N_("cli.kpi.channels"), "channels"),
    "goals": (N_("cli.kpi.goals"), "goals"),
}


# The name of each condition a KPI's fits and misfits can set (its vocabulary has its name).
CONTEXT_TITLES: dict[str, MessageId] = {
    "industries": N_("cli.kpi.context.industries"),
    "revenue_models": N_("cli.kpi.context.revenue_models"),
    "business_models": N_("cli.kpi.context.business_models"),
    "sales_motions": N_("cli.kpi.context.sales_motions"),
    "channels": N_("cli.kpi.context.channels"),
    "stages": N_("cli.kpi.context.stages"),
    "sizes": N_("cli.kpi.context.sizes"),
}


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
def search(shell: Shell, query: str, department: Department | None, lang: Lang, limit: int,
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
    click.echo(gettext(lang, "cli.catalog.shown", shown=count_text(len(page["items"]), lang),
                       total=count_text(page["total"], lang)))


@catalog.command()
@click.argument("kpi_id", metavar="ID")
@click.option("--lang", type=LANG, default=None)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_shell
def show(shell: Shell, kpi_id: str, lang: str | None, as_json: bool) -> None:
    """Show one KPI: what a person reads, in words (every field, codes included, with --json;
    both languages unless --lang names one)."""
    kpi = get_kpi(shell.catalog, kpi_id)
    if as_json:
        print_json(kpi_json(kpi, lang))
        return
    click.echo(kpi_text(kpi, shell.catalog, lang or command_lang(click.get_current_context())))


def kpi_text(kpi: Kpi, catalog: Catalog, lang: str) -> str:
    """Return a KPI as text in `lang`: its name and id, then each field by its name, words and
    numbers as the language writes them."""
    low, high = kpi.bounds()
    lines = [(N_("cli.kpi.definition"), kpi.definition.pick(lang)),
             (N_("cli.kpi.formula"), kpi.formula.pick(lang)),
             (N_("cli.kpi.owner"), kpi.owner_role.pick(lang))]
    for field, (title, vocab) in WORD_FIELDS.items():
        value = getattr(kpi, field)
        words = value if isinstance(value, list | tuple) else [value]
        lines.append((title, ", ".join(label(vocab, w).pick(lang) for w in words) or "–"))
    lines.append((N_("cli.kpi.value_range"), value_range_text(low, high, kpi.unit, lang)
                  if low is not None or high is not None else "–"))
    lines += [(N_("cli.kpi.counter_kpis"), _names(kpi.counter_kpis, catalog, lang)),
              (N_("cli.kpi.related"), _names(kpi.related, catalog, lang))]
    lines += _purpose_lines(kpi, catalog, lang) + _fit_lines(kpi, lang)
    lines += [(N_("cli.kpi.pitfall"), p.pick(lang)) for p in kpi.pitfalls]
    lines += [(N_("cli.kpi.benchmark"), gettext(
        lang, "cli.kpi.benchmark_text", range=range_text(b.low, b.high, lang, kpi.unit),
        context=b.context.pick(lang), source=b.source)) for b in kpi.benchmarks]
    titles = [(gettext(lang, title), text) for title, text in lines]
    width = max(len(title) for title, _ in titles)
    return "\n".join([f"{kpi.name.pick(lang)} [{kpi.id}]",
                      *(f"  {title:<{width}}  {text}" for title, text in titles)])


def _purpose_lines(kpi: Kpi, catalog: Catalog, lang: str) -> list[tuple[MessageId, str]]:
    """Return what the KPI is for and needs: its main goal, the goals it is the headline
    outcome of, the concept it measures (with the KPIs sharing it) and each group of data
    sources it needs."""
    sharing = [k.id for k in catalog.kpis if k.measures == kpi.measures and k.id != kpi.id]
    concept = f"{concept_label(kpi.measures).pick(lang)} ({kpi.measures})"
    measures = gettext(lang, "cli.kpi.measures_shared", concept=concept,
                       kpis=_names(sharing, catalog, lang)) if sharing else concept
    lines = [(N_("cli.kpi.primary_goal"), label("goals", kpi.primary_goal).pick(lang)),
             (N_("cli.kpi.headline_for"), _words("goals", kpi.headline_for, lang)),
             (N_("cli.kpi.measures"), measures)]
    for group in kpi.requirements():
        sources = _words("data_sources", group, lang)
        lines.append((N_("cli.kpi.data_needed"), sources if len(group) == 1 else gettext(
            lang, "cli.kpi.one_of", sources=sources)))
    return lines


def _fit_lines(kpi: Kpi, lang: str) -> list[tuple[MessageId, str]]:
    """Return where the KPI fits (any client when it names no condition) and each context in
    which it misleads, with why."""
    fits = _context_text(kpi.fits, lang) if kpi.fits else ""
    if kpi.fits and kpi.fits.why:
        fits = f"{fits} — {kpi.fits.why.pick(lang)}" if fits else kpi.fits.why.pick(lang)
    lines = [(N_("cli.kpi.fits"), fits or gettext(lang, "cli.kpi.fits_anywhere"))]
    lines += [(N_("cli.kpi.misfit"), f"{_context_text(m, lang)} — {m.why.pick(lang)}")
              for m in kpi.misfits]
    return lines


def _context_text(context: Context, lang: str) -> str:
    """Return a context's conditions as words: "industry: Retail, E-commerce; ..."."""
    return "; ".join(f"{gettext(lang, CONTEXT_TITLES[name])}: {_words(name, words, lang)}"
                     for name, words in context.conditions().items())


def _words(vocab: str, words: list[str], lang: str) -> str:
    """Return vocabulary words as their labels in `lang`, or a dash when there are none."""
    return ", ".join(label(vocab, w).pick(lang) for w in words) or "–"


def _names(ids: list[str] | tuple[str, ...], catalog: Catalog, lang: str) -> str:
    """Return KPIs named by id as their names, each with its id."""
    return "; ".join(f"{catalog.by_id[i].name.pick(lang)} [{i}]" if i in catalog.by_id else i
                     for i in ids) or "–"


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
