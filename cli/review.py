"""`kpi-advisor review HISTORY.csv`: one or more KPI histories in, limits and suggestions out."""

from dataclasses import dataclass
from pathlib import Path

import click

from advisor.i18n import both, gettext
from advisor.review.analysis import review_kpis
from advisor.review.errors import RowsRejectedError
from advisor.review.models import ReviewKpi
from advisor.review.tables import (
    Problems,
    RawRow,
    cell_text,
    number_fix,
    read_flag,
    read_number,
    read_upload,
)
from advisor.review.view import review_json, review_text
from catalog.vocab import UNITS
from cli.shell import LANG, AdvisorCommand, BadInput, command_lang, print_json


@dataclass(frozen=True)
class _Options:
    """What the command line says about every KPI in the file."""

    direction: str
    unit: str | None
    frequency: str | None
    target: float | None
    range: tuple[float, float] | None
    commitment: str
    excluded: dict[str, list[str]]


# --- Reading the history file ------------------------------------------------------------------


def _read_kpis(path: str, options: _Options) -> tuple[list[ReviewKpi], list[list[RawRow]]]:
    """Return one ReviewKpi per KPI in the file (a `kpi` column is optional), and its rows."""
    data = Path(path).read_bytes()
    problems = Problems()
    rows = read_upload(path, data, problems, required=("period", "value"))
    groups: dict[str, list[RawRow]] = {}
    for row in rows:
        name = cell_text(row.cells.get("kpi")) or Path(path).stem
        groups.setdefault(name, []).append(row)
    _check_excluded_names(options.excluded, groups)
    kpis = [_kpi(name, group, options, problems) for name, group in groups.items()]
    problems.raise_if_any()
    return kpis, list(groups.values())


def _parse_excluded(values: tuple[str, ...], lang: str) -> dict[str, list[str]]:
    """Return the periods --exclude names per KPI ("" for a file of one KPI)."""
    found: dict[str, list[str]] = {}
    for value in values:
        name, _sep, period = value.rpartition(":")
        if not period.strip():
            raise BadInput(gettext(lang, "cli.review.exclude_format"), lang)
        found.setdefault(name.strip(), []).append(period.strip())
    return found


def _check_excluded_names(excluded: dict[str, list[str]], groups: dict) -> None:
    """Refuse an --exclude naming a KPI that is not in the file (or none when there are many)."""
    lang = command_lang(click.get_current_context())
    for name in excluded:
        if name and name not in groups:
            raise BadInput(gettext(lang, "cli.review.exclude_unknown_kpi", kpi=name,
                                   kpis=", ".join(groups)), lang)
        if not name and len(groups) > 1:
            raise BadInput(gettext(lang, "cli.review.exclude_which_kpi",
                                   kpis=", ".join(groups)), lang)


def _kpi(name: str, rows: list[RawRow], options: _Options, problems: Problems) -> ReviewKpi:
    history = []
    for row in rows:
        value = _cell_number(row, "value", problems)
        target = _cell_number(row, "target", problems) if row.cells.get("target") not in (
            None, "") else None
        exclude = read_flag(row.cells.get("exclude"))
        if isinstance(exclude, dict):
            problems.add(row, "exclude", exclude, both("review.import.flag_fix"))
        history.append({"period": cell_text(row.cells.get("period")) or "?",
                        "value": value if value is not None else 0.0, "target": target,
                        "exclude": exclude is True,
                        "note": cell_text(row.cells.get("note")) or None})
    latest_target = next((h["target"] for h in reversed(history) if h["target"] is not None),
                         None)
    ranged = options.direction == "in_range"
    return ReviewKpi.model_validate({  # checked as the API checks a request body
        "name": name[:120], "direction": options.direction, "unit": options.unit,
        "frequency": options.frequency,
        "target": None if ranged else (options.target if options.target is not None
                                       else latest_target),
        "target_low": options.range[0] if ranged and options.range else None,
        "target_high": options.range[1] if ranged and options.range else None,
        "commitment": options.commitment, "history": history,
        "excluded_periods": options.excluded.get(name, []) + options.excluded.get("", []),
    })


def _cell_number(row: RawRow, column: str, problems: Problems) -> float | None:
    read = read_number(row.cells.get(column))
    if isinstance(read, dict):
        problems.add(row, column, read, number_fix())
        return None
    return read


def _with_lines(exc: RowsRejectedError, groups: list[list[RawRow]]) -> RowsRejectedError:
    """Return the problems with the file line of each history point they name."""
    problems = []
    for problem in exc.problems:
        parts = problem["field"].split(".")
        if len(parts) == 4 and parts[0] == "kpis" and parts[2] == "excluded_periods":
            problem = {**problem, "field": "--exclude"}
        if len(parts) == 5 and parts[0] == "kpis" and parts[2] == "history":
            row = groups[int(parts[1])][int(parts[3])]
            problem = {**problem, "field": f"{row.where}.{parts[4]}", "line": row.line,
                       "column": parts[4]}
        problems.append(problem)
    return RowsRejectedError(problems)


def _check_target_options(direction: str, target: float | None,
                          target_range: tuple[float, float] | None, lang: str) -> None:
    """Raise a usage error (in `lang`) when --target and --range do not fit --direction."""
    ranged = direction == "in_range"
    if ranged and (target_range is None or target is not None):
        raise click.UsageError(gettext(lang, "cli.review.range_needed"))
    if target_range is not None and not ranged:
        raise click.UsageError(gettext(lang, "cli.review.range_only_in_range"))


@click.command(cls=AdvisorCommand)
@click.argument("history", type=click.Path(dir_okay=False))
@click.option("--target", type=float,
              help="Target for the next periods (default: the last target in the file).")
@click.option("--range", "target_range", type=float, nargs=2, metavar="LOW HIGH",
              help="Target range, with --direction in_range.")
@click.option("--direction", default="higher_is_better", show_default=True,
              type=click.Choice(("higher_is_better", "lower_is_better", "in_range")))
@click.option("--commitment", default="committed", show_default=True,
              type=click.Choice(("committed", "aspirational")))
@click.option("--frequency", type=click.Choice(("daily", "weekly", "monthly", "quarterly")),
              help="Period frequency (default: read from the period labels).")
@click.option("--unit", type=click.Choice(UNITS))
@click.option("--exclude", "excluded", multiple=True, metavar="[KPI:]PERIOD",
              help="Leave a period out as an assignable cause (strike, outage); repeatable. "
              "KPI: is needed when the file holds several KPIs.")
@click.option("--lang", type=LANG, default="vi", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def review(history: str, target: float | None, target_range: tuple[float, float] | None,
           direction: str, commitment: str, frequency: str | None, unit: str | None,
           excluded: tuple[str, ...], lang: str, as_json: bool) -> None:
    """Review KPI history: limits, signals, forecast, target.

    Read a CSV or XLSX HISTORY (columns period, value; optional kpi, target, note, exclude)
    and print XmR limits, signals, a forecast and a target suggestion. Periods marked in the
    exclude column or with --exclude are left out of limits and forecasts.
    """
    _check_target_options(direction, target, target_range, lang)
    options = _Options(direction=direction, unit=unit, frequency=frequency, target=target,
                       range=target_range, commitment=commitment,
                       excluded=_parse_excluded(excluded, lang))
    kpis, groups = _read_kpis(history, options)
    try:
        reviews = review_kpis(kpis)
    except RowsRejectedError as exc:
        raise _with_lines(exc, groups) from exc
    if as_json:
        print_json({"lang": lang, "kpis": [review_json(r, lang) for r in reviews]})
        return
    click.echo("\n\n".join(review_text(r, lang) for r in reviews))
