"""`kpi-advisor review HISTORY.csv`: one or more KPI histories in, limits and suggestions out."""

import argparse
import sys
from pathlib import Path

from advisor.cli import EXIT_BAD_INPUT, command, fail, print_json
from advisor.review.analysis import review_kpis
from advisor.review.errors import RowsRejectedError
from advisor.review.models import KpiReview, ReviewKpi
from advisor.review.report import ACTION_NAMES
from advisor.review.tables import Problems, RawRow, cell_text, read_number, read_upload
from advisor.review.view import decimals_for, number_text, review_json
from catalog.vocab import UNITS

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
    "season_adjusted": ("giá trị đã khử mùa vụ (chuỗi có mùa vụ)",
                        "the season-adjusted values (the history is seasonal)"),
    "forecast_residuals": ("sai số dự báo (chuỗi có xu hướng/mùa vụ)",
                           "forecast errors (the history trends or is seasonal)"),
}


def _say(key: str, lang: str) -> str:
    vi, en = LABELS[key]
    return vi if lang == "vi" else en


# --- Reading the history file ------------------------------------------------------------------


def _read_kpis(path: str, args: argparse.Namespace) -> tuple[list[ReviewKpi],
                                                            list[list[RawRow]]]:
    """Return one ReviewKpi per KPI in the file (a `kpi` column is optional), and its rows."""
    data = Path(path).read_bytes()
    problems = Problems()
    rows = read_upload(path, data, problems, required=("period", "value"))
    groups: dict[str, list[RawRow]] = {}
    for row in rows:
        name = cell_text(row.cells.get("kpi")) or Path(path).stem
        groups.setdefault(name, []).append(row)
    kpis = [_kpi(name, group, args, problems) for name, group in groups.items()]
    problems.raise_if_any()
    return kpis, list(groups.values())


def _kpi(name: str, rows: list[RawRow], args: argparse.Namespace,
         problems: Problems) -> ReviewKpi:
    history = []
    for row in rows:
        value = _cell_number(row, "value", problems)
        target = _cell_number(row, "target", problems) if row.cells.get("target") not in (
            None, "") else None
        history.append({"period": cell_text(row.cells.get("period")) or "?",
                        "value": value if value is not None else 0.0, "target": target})
    latest_target = next((h["target"] for h in reversed(history) if h["target"] is not None),
                         None)
    ranged = args.direction == "in_range"
    return ReviewKpi(
        name=name[:120], direction=args.direction, unit=args.unit, frequency=args.frequency,
        target=None if ranged else (args.target if args.target is not None else latest_target),
        target_low=args.range[0] if ranged and args.range else None,
        target_high=args.range[1] if ranged and args.range else None,
        commitment=args.commitment, history=history,
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
    if review.status != "ok":
        return [*pairs, (_say("status", lang), review.message.pick(lang))]
    natural, suggestion = review.natural_range_next, review.suggestion
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


def _print_problems(exc: RowsRejectedError, lang: str) -> int:
    print("kpi-advisor: error: the history cannot be read / không đọc được số liệu:",
          file=sys.stderr)
    for problem in exc.errors_in(lang):
        where = f"line {problem['line']}" if "line" in problem else problem["field"]
        column = f", {problem['column']}" if "column" in problem else ""
        print(f"  {where}{column}: {problem['message']} → {problem['fix']}", file=sys.stderr)
    return EXIT_BAD_INPUT


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


def _review(args: argparse.Namespace) -> int:
    ranged = args.direction == "in_range"
    if ranged and (args.range is None or args.target is not None):
        return fail("--direction in_range takes --range LOW HIGH instead of --target")
    if args.range is not None and not ranged:
        return fail("--range is for --direction in_range; use --target otherwise")
    try:
        kpis, groups = _read_kpis(args.history, args)
    except RowsRejectedError as exc:
        return _print_problems(exc, args.lang)
    try:
        reviews = review_kpis(kpis)
    except RowsRejectedError as exc:
        return _print_problems(_with_lines(exc, groups), args.lang)
    if args.json:
        print_json({"lang": args.lang, "kpis": [review_json(r, args.lang) for r in reviews]})
        return 0
    print("\n\n".join(_table(_pairs(r, args.lang)) for r in reviews))
    return 0


@command
def _register_review(subs: argparse._SubParsersAction) -> None:
    parser = subs.add_parser(
        "review", help="review KPI history: limits, signals, forecast, target suggestion",
        description="Read a CSV or XLSX history (columns period, value; optional kpi, target, "
                    "note) and print XmR limits, signals, a forecast and a target suggestion.")
    parser.add_argument("history", help="CSV or XLSX file with period and value columns")
    parser.add_argument("--target", type=float, help="target for the next periods (default: "
                                                     "the last target in the file)")
    parser.add_argument("--range", type=float, nargs=2, metavar=("LOW", "HIGH"),
                        help="target range, with --direction in_range")
    parser.add_argument("--direction", default="higher_is_better",
                        choices=("higher_is_better", "lower_is_better", "in_range"))
    parser.add_argument("--commitment", default="committed",
                        choices=("committed", "aspirational"))
    parser.add_argument("--frequency", choices=("daily", "weekly", "monthly", "quarterly"),
                        help="period frequency (default: read from the period labels)")
    parser.add_argument("--unit", choices=UNITS)
    parser.add_argument("--lang", choices=("vi", "en"), default="vi")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=_review)
