"""The numbers table beside each review chart, written out in Python: a plan of 30 KPIs has over
a thousand rows, too many to format one cell at a time through template macros."""

from dataclasses import dataclass

from advisor.formatting import period_text
from advisor.i18n import gettext
from advisor.review.models import KpiReview
from advisor.review.policy import review_policy
from advisor.review.report import number
from web.words import NAMES


@dataclass(frozen=True)
class TableRow:
    """One measured period as the table shows it: its cells as text, and how it is marked."""

    period: str
    cells: tuple[str, str, str, str, str]
    remark: str
    kind: str
    older: bool


def table_rows(review: KpiReview, lang: str, max_periods: int,
               print_periods: int) -> list[TableRow]:
    """Return the table rows of the last `max_periods` periods; those before the last
    `print_periods` are marked `older` (the printed report leaves them to the chart)."""
    run = review_policy().run_length
    kinds: dict[str, list[str]] = {}
    for signal in review.signals:
        name = gettext(lang, NAMES["signal"][signal.rule], run=run)
        for period in signal.periods:
            if name not in kinds.setdefault(period, []):
                kinds[period].append(name)
    no_note = gettext(lang, "review.exclude.no_note")
    shown = review.chart[-max_periods:]
    rows = []
    for i, p in enumerate(shown):
        if p.excluded:
            kind, remark = "excluded-row", "✕ " + gettext(lang, "review.table.excluded",
                                                          note=p.note or no_note)
        elif p.signal:
            kind, remark = "signal-row", "▲ " + "; ".join(kinds.get(p.period, []))
        else:
            kind, remark = "", ""
        cells = (number(p.value, review, lang),
                 number(p.target, review, lang) if p.target is not None else "",
                 number(p.centre, review, lang), number(p.lower, review, lang),
                 number(p.upper, review, lang))
        rows.append(TableRow(period_text(p.period, lang), cells, remark, kind,
                             i < len(shown) - print_periods))
    return rows
