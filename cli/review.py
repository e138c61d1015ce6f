"""`kpi-advisor review HISTORY.csv`: one or more KPI histories in, limits and suggestions out."""

from dataclasses import dataclass
from pathlib import Path

import click

from advisor.review.analysis import review_kpis
from advisor.review.errors import RowsRejectedError
from advisor.review.models import KpiReview, ReviewKpi
from advisor.review.report import ACTION_NAMES
from advisor.review.tables import Problems, RawRow, cell_text, read_number, read_upload
from advisor.review.view import decimals_for, number_text, review_json
from catalog.vocab import UNITS
from cli.shell import LANG, AdvisorCommand, print_json

LABELS = {
    "kpi": ("KPI", "KPI"),
    "status": ("Trạng thái", "Status"),
    "basis": ("Cách tính giới hạn", "Limits computed on"),
    "range": ("Dải tự nhiên kỳ tới", "Natural range next period"),
    "signals": ("Tín hiệu", "Signals"),
    "forecast": ("Dự báo (dải 80%)", "Forecast (80% band)"),
    "probability": ("Khả năng đạt mục tiêu kỳ tới", "Chance of the target next period"),
    "attainment": ("Số kỳ đạt mục tiêu", "Periods on target"),
    "suggestion": ("Đề xuất", "Suggestion"),
    "levels": ("Mức cam kết / thử thách", "Committed / stretch level"),
    "why": ("Lý do", "Why"),
    "notes": ("Ghi chú", "Notes"),
    "none": ("không có", "none"),
    "values": ("giá trị đo", "the measured values"),
    "forecast_residuals": ("sai số dự báo (chuỗi có xu hướng/mùa vụ)",
                           "forecast errors (the history trends or is seasonal)"),
}


def _say(key: str, lang: str) -> str:
    vi, en = LABELS[key]
    return vi if lang == "vi" else en


@dataclass(frozen=True)
class _Options:
    """What the command line says about every KPI in the file."""

    direction: str
    unit: str | None
    frequency: str | None
    target: float | None
    range: tuple[float, float] | None
    commitment: str


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
    kpis = [_kpi(name, group, options, problems) for name, group in groups.items()]
    problems.raise_if_any()
    return kpis, list(groups.values())


def _kpi(name: str, rows: list[RawRow], options: _Options, problems: Problems) -> ReviewKpi:
    history = []
    for row in rows:
        value = _cell_number(row, "value", problems)
        target = _cell_number(row, "target", problems) if row.cells.get("target") not in (
            None, "") else None
        history.append({"period": cell_text(row.cells.get("period")) or "?",
                        "value": value if value is not None else 0.0, "target": target})
    latest_target = next((h["target"] for h in reversed(history) if h["target"] is not None),
                         None)
    ranged = options.direction == "in_range"
    return ReviewKpi(
        name=name[:120], direction=options.direction, unit=options.unit,
        frequency=options.frequency,
        target=None if ranged else (options.target if options.target is not None
                                    else latest_target),
        target_low=options.range[0] if ranged and options.range else None,
        target_high=options.range[1] if ranged and options.range else None,
        commitment=options.commitment, history=history,
    )


def _cell_number(row: RawRow, column: str, problems: Problems) -> float | None:
    read = read_number(row.cells.get(column))
    if isinstance(read, dict):
        problems.add(row, column, read, {"vi": "Ghi một con số, ví dụ 1250 hoặc 12.5.",
                                         "en": "Write a number such as 1250 or 12.5."})
        return None
    return read


# --- Printing ----------------------------------------------------------------------------------


def _table(pairs: list[tuple[str, str]]) -> str:
    width = max(len(key) for key, _ in pairs)
    return "\n".join(f"{key:<{width}}  {value}" for key, value in pairs)


def _fmt(review: KpiReview, value: float | None, lang: str) -> str:
    natural = review.natural_range_next
    spread = natural.upper - natural.lower if natural else 0.0
    return number_text(value, lang, decimals_for(spread, review.unit))


def _pairs(review: KpiReview, lang: str) -> list[tuple[str, str]]:
    pairs = [(_say("kpi", lang), f"{review.name.pick(lang)} ({review.points} × "
                                  f"{review.frequency or '?'})")]
    natural, suggestion = review.natural_range_next, review.suggestion
    if review.status != "ok" or natural is None:
        message = review.message.pick(lang) if review.message else review.status
        return [*pairs, (_say("status", lang), message)]
    signals = "; ".join(f"{s.rule} {', '.join(s.periods)}" for s in review.signals)
    ahead = ", ".join(f"{f.period} {_fmt(review, f.value, lang)} "
                      f"({_fmt(review, f.lower, lang)}–{_fmt(review, f.upper, lang)})"
                      for f in review.forecast)
    pairs += [
        (_say("basis", lang), _say(review.basis, lang)),
        (_say("range", lang), f"{_fmt(review, natural.lower, lang)} – "
                              f"{_fmt(review, natural.centre, lang)} – "
                              f"{_fmt(review, natural.upper, lang)}"),
        (_say("signals", lang), signals or _say("none", lang)),
        (_say("forecast", lang), ahead),
    ]
    if review.probability_of_target is not None:
        pairs.append((_say("probability", lang), f"{100 * review.probability_of_target:.0f}%"))
    attainment = review.attainment
    if attainment and attainment.periods_with_target:
        pairs.append((_say("attainment", lang), f"{attainment.periods_met}/"
                                                f"{attainment.periods_with_target}"))
    if suggestion is not None:
        pairs += [
            (_say("suggestion", lang), f"{ACTION_NAMES[suggestion.action].pick(lang)} "
                                       f"[{suggestion.action}, {suggestion.rule}]"),
            (_say("levels", lang), f"{_fmt(review, suggestion.committed_target, lang)} / "
                                   f"{_fmt(review, suggestion.stretch_target, lang)}"),
            (_say("why", lang), suggestion.explanation.pick(lang)),
        ]
    # The notes label is printed once; further notes line up under the first.
    pairs += [(_say("notes", lang) if i == 0 else "", "- " + f.message.pick(lang))
              for i, f in enumerate(review.flags)]
    return pairs


def _with_lines(exc: RowsRejectedError, groups: list[list[RawRow]]) -> RowsRejectedError:
    """Return the problems with the file line of each history point they name."""
    problems = []
    for problem in exc.problems:
        parts = problem["field"].split(".")
        if len(parts) == 5 and parts[0] == "kpis" and parts[2] == "history":
            row = groups[int(parts[1])][int(parts[3])]
            problem = {**problem, "field": f"{row.where}.{parts[4]}", "line": row.line,
                       "column": parts[4]}
        problems.append(problem)
    return RowsRejectedError(problems)


def _check_target_options(direction: str, target: float | None,
                          target_range: tuple[float, float] | None) -> None:
    """Raise a usage error when --target and --range do not fit --direction."""
    ranged = direction == "in_range"
    if ranged and (target_range is None or target is not None):
        raise click.UsageError("--direction in_range takes --range LOW HIGH instead of --target")
    if target_range is not None and not ranged:
        raise click.UsageError("--range is for --direction in_range; use --target otherwise")


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
@click.option("--lang", type=LANG, default="vi", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def review(history: str, target: float | None, target_range: tuple[float, float] | None,
           direction: str, commitment: str, frequency: str | None, unit: str | None,
           lang: str, as_json: bool) -> None:
    """Review KPI history: limits, signals, forecast, target.

    Read a CSV or XLSX HISTORY (columns period, value; optional kpi, target, note) and print
    XmR limits, signals, a forecast and a target suggestion.
    """
    _check_target_options(direction, target, target_range)
    options = _Options(direction=direction, unit=unit, frequency=frequency, target=target,
                       range=target_range, commitment=commitment)
    kpis, groups = _read_kpis(history, options)
    try:
        reviews = review_kpis(kpis)
    except RowsRejectedError as exc:
        raise _with_lines(exc, groups) from exc
    if as_json:
        print_json({"lang": lang, "kpis": [review_json(r, lang) for r in reviews]})
        return
    click.echo("\n\n".join(_table(_pairs(r, lang)) for r in reviews))
