"""Process behaviour charts as inline SVG, drawn on the server: no script, no outside files.

Each line differs by colour (the Okabe-Ito palette, told apart by people with any common kind of
colour blindness), by dash pattern and by a text label at its right end; signals are marked with a
shape per detection rule, and periods excluded as assignable causes with a hollow grey square and
a cross. The numbers are also in the table the page puts next to the chart. Each chart comes in
two sizes: the wide one, and a compact one for small screens (fewer periods, larger text, no
labels at the right edge) that stays readable on a 375 px phone.
"""

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from advisor.formatting import period_text
from advisor.i18n import N_, gettext
from advisor.review.models import KpiReview
from advisor.review.policy import review_policy
from advisor.review.view import decimals_for, number_text
from web.words import NAMES

MAX_PERIODS = 60


@dataclass(frozen=True)
class Geometry:
    """The size of a chart and of its text, in SVG units."""

    width: int
    left: int
    right: int
    top: int
    plot_bottom: int
    font: int
    periods: int
    x_labels: int
    edge_labels: bool


WIDE = Geometry(width=720, left=64, right=150, top=16, plot_bottom=240, font=11,
                periods=MAX_PERIODS, x_labels=8, edge_labels=True)
# Drawn about 340 px wide on a phone, so a unit is about a pixel and 13 units stay readable.
COMPACT = Geometry(width=360, left=52, right=10, top=12, plot_bottom=210, font=13,
                   periods=24, x_labels=4, edge_labels=False)
EXCLUDED_MARK = 'fill="#fff" stroke="#666" stroke-width="1.5"'
SIGNAL_ORDER = ("beyond_limit", "three_of_four", "run_of_8", "range_beyond_url")

STYLE = {
    "value": 'stroke="#0072B2" stroke-width="2" fill="none"',
    "centre": 'stroke="#009E73" stroke-width="1.5" fill="none"',
    "limit": 'stroke="#D55E00" stroke-width="1.5" stroke-dasharray="8 4" fill="none"',
    "target": 'stroke="#000000" stroke-width="2" stroke-dasharray="10 3 2 3" fill="none"',
    "forecast": 'stroke="#56B4E9" stroke-width="2" stroke-dasharray="4 3" fill="none"',
}


@dataclass(frozen=True)
class _Scale:
    """Maps period positions and values to SVG coordinates."""

    count: int
    low: float
    high: float
    geo: Geometry

    def x(self, i: float) -> float:
        g = self.geo
        return g.left + (i + 0.5) * (g.width - g.left - g.right) / self.count

    def y(self, value: float) -> float:
        g = self.geo
        return g.top + (self.high - value) / (self.high - self.low) * (g.plot_bottom - g.top)


def _scale(review: KpiReview, points: list, count: int, geo: Geometry) -> _Scale:
    values = [v for p in points for v in (p.value, p.lower, p.upper, p.centre)]
    values += [p.target for p in points if p.target is not None]
    values += [v for f in review.forecast for v in (f.value, f.lower, f.upper)]
    values += [t for t in (review.target, review.target_low, review.target_high) if t is not None]
    low, high = min(values), max(values)
    pad = (high - low) * 0.06 or abs(high) * 0.1 or 1.0
    return _Scale(count, low - pad, high + pad, geo)


def _ticks(scale: _Scale) -> list[float]:
    raw = (scale.high - scale.low) / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(scale.low / step) * step
    return [first + k * step for k in range(int((scale.high - first) / step) + 1)]


def _path(coords: list[tuple[float, float]], style: str) -> str:
    d = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(coords))
    return f'<path d="{d}" {style}/>'


def _shape(kind: str, x: float, y: float, side: str) -> str:
    """Return the marker of a signal: a different shape for each detection rule."""
    fill = 'fill="#D55E00" stroke="#000" stroke-width="1"'
    if kind == "beyond_limit":
        tip = -7 if side == "above" else 7
        return f'<path d="M{x:.1f},{y + tip:.1f} L{x - 6:.1f},{y - tip * 0.6:.1f} ' \
               f'L{x + 6:.1f},{y - tip * 0.6:.1f} Z" {fill}/>'
    if kind == "three_of_four":
        return f'<path d="M{x:.1f},{y - 7:.1f} L{x + 6:.1f},{y:.1f} L{x:.1f},{y + 7:.1f} ' \
               f'L{x - 6:.1f},{y:.1f} Z" {fill}/>'
    if kind == "run_of_8":
        return f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" {fill}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="none" stroke="#D55E00" ' \
           f'stroke-width="2.5"/>'


def _signal_kinds(review: KpiReview) -> dict[str, tuple[str, str]]:
    """Return, per period, the most telling signal kind and its side."""
    found: dict[str, tuple[str, str]] = {}
    for kind in SIGNAL_ORDER:
        for signal in review.signals:
            if signal.rule == kind:
                for period in signal.periods:
                    found.setdefault(period, (kind, signal.side))
    return found


def _labels(items: list[tuple[float, str, str]], geo: Geometry) -> list[str]:
    """Return right-edge line labels, nudged apart so that none overlaps another."""
    if not geo.edge_labels:
        return []
    placed: list[str] = []
    last_y = -1e9
    for y, text, colour in sorted(items):
        y = max(y, last_y + 13)
        last_y = y
        placed.append(f'<text x="{geo.width - geo.right + 6}" y="{y + 4:.1f}" fill="{colour}" '
                      f'font-size="12">{escape(text)}</text>')
    return placed


def _excluded_mark(x: float, y: float) -> str:
    """Return the mark of an excluded period: a hollow grey square with a cross."""
    return (f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" {EXCLUDED_MARK}/>'
            f'<path d="M{x - 5:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 5:.1f} M{x - 5:.1f},'
            f'{y + 5:.1f} L{x + 5:.1f},{y - 5:.1f}" stroke="#666" stroke-width="1.5"/>')


class _Chart:
    """Collects the SVG parts of one KPI's chart."""

    def __init__(self, review: KpiReview, lang: str, geo: Geometry = WIDE):
        self.review, self.lang, self.geo = review, lang, geo
        self.points = review.chart[-geo.periods:]
        self.count = len(self.points) + len(review.forecast)
        self.scale = _scale(review, self.points, self.count, geo)
        self.height = geo.plot_bottom + 40
        natural = review.natural_range_next
        self.decimals = decimals_for(natural.upper - natural.lower if natural else 0.0,
                                     review.unit)
        self.run = review_policy().run_length
        self.parts: list[str] = []
        self.right_labels: list[tuple[float, str, str]] = []

    def num(self, value: float | None) -> str:
        return number_text(value, self.lang, self.decimals)

    def grid(self) -> None:
        s, g = self.scale, self.geo
        self.parts.append(f'<rect x="{g.left}" y="{g.top}" width="{g.width - g.left - g.right}" '
                          f'height="{g.plot_bottom - g.top}" fill="#fff" stroke="#bbb"/>')
        for tick in _ticks(s):
            y = s.y(tick)
            self.parts.append(f'<line x1="{g.left}" x2="{g.width - g.right}" y1="{y:.1f}" '
                              f'y2="{y:.1f}" stroke="#e5e5e5"/>')
            self.parts.append(f'<text x="{g.left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                              f'font-size="{g.font}" fill="#333">'
                              f'{escape(self.num(tick))}</text>')
        step = max(1, math.ceil(self.count / g.x_labels))
        labels = [period_text(p.period, self.lang) for p in self.points] + [
            period_text(f.period, self.lang) for f in self.review.forecast]
        for i in range(0, self.count, step):
            self.parts.append(f'<text x="{s.x(i):.1f}" y="{g.plot_bottom + g.font + 5}" '
                              f'font-size="{g.font}" text-anchor="middle" fill="#333">'
                              f'{escape(labels[i])}</text>')

    def forecast(self) -> None:
        s, ahead = self.scale, self.review.forecast
        if not ahead:
            return
        start = len(self.points)
        upper = [(s.x(start + i), s.y(f.upper)) for i, f in enumerate(ahead)]
        lower = [(s.x(start + i), s.y(f.lower)) for i, f in reversed(list(enumerate(ahead)))]
        d = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}"
                     for i, (x, y) in enumerate(upper + lower))
        self.parts.append(f'<path d="{d} Z" fill="#56B4E9" fill-opacity="0.25" stroke="none"/>')
        last = self.points[-1]
        line = [(s.x(start - 1), s.y(last.value))] + [(s.x(start + i), s.y(f.value))
                                                      for i, f in enumerate(ahead)]
        self.parts.append(_path(line, STYLE["forecast"]))
        for x, y in line[1:]:
            self.parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#fff" '
                              f'stroke="#56B4E9" stroke-width="2"/>')

    def limits(self) -> None:
        s, n = self.scale, len(self.points)
        natural = self.review.natural_range_next
        for key, attr, style in ((N_("review.chart.upper"), "upper", "limit"),
                                 (N_("review.chart.centre"), "centre", "centre"),
                                 (N_("review.chart.lower"), "lower", "limit")):
            coords = [(s.x(i), s.y(getattr(p, attr))) for i, p in enumerate(self.points)]
            # The lines go on to the next period, where the target is judged against them.
            value = getattr(natural, attr)
            coords.append((s.x(n), s.y(value)))
            self.parts.append(_path(coords, STYLE[style]))
            colour = "#009E73" if style == "centre" else "#D55E00"
            self.right_labels.append((s.y(value), f"{gettext(self.lang, key)} "
                                                  f"{self.num(value)}", colour))

    def targets(self) -> None:
        s, review = self.scale, self.review
        lines = [(review.target, N_("review.chart.target"))] \
            if review.target is not None else []
        if review.target_low is not None and review.target_high is not None:
            lines = [(review.target_low, N_("review.chart.target_low")),
                     (review.target_high, N_("review.chart.target_high"))]
        for value, key in lines:
            y = s.y(value)
            self.parts.append(_path([(self.geo.left, y), (self.geo.width - self.geo.right, y)],
                                    STYLE["target"]))
            self.right_labels.append((y, f"{gettext(self.lang, key)} {self.num(value)}",
                                      "#000"))
        own = [(s.x(i), s.y(p.target)) for i, p in enumerate(self.points)
               if p.target is not None and p.target != review.target]
        for x, y in own:
            self.parts.append(f'<line x1="{x - 5:.1f}" x2="{x + 5:.1f}" y1="{y:.1f}" '
                              f'y2="{y:.1f}" stroke="#000" stroke-width="2"/>')

    def values(self) -> None:
        s = self.scale
        coords = [(s.x(i), s.y(p.value)) for i, p in enumerate(self.points)]
        self.parts.append(_path(coords, STYLE["value"]))
        kinds = _signal_kinds(self.review)
        for (x, y), point in zip(coords, self.points, strict=True):
            if point.excluded:
                shown = period_text(point.period, self.lang)
                title = gettext(self.lang, "review.chart.excluded_point", period=shown,
                                note=point.note or gettext(self.lang, "review.exclude.no_note"))
                self.parts.append(f'<g class="excluded"><title>{escape(title)}</title>'
                                  f'{_excluded_mark(x, y)}</g>')
            elif point.period in kinds:
                kind, side = kinds[point.period]
                title = gettext(self.lang, NAMES["signal"][kind], run=self.run)
                shown = period_text(point.period, self.lang)
                self.parts.append(f'<g class="signal"><title>{escape(shown)}: '
                                  f'{escape(title)}</title>{_shape(kind, x, y, side)}</g>')
            else:
                self.parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#0072B2"/>')

    def legend(self) -> None:
        items = [("line", STYLE["value"], N_("review.chart.value")),
                 ("line", STYLE["centre"], N_("review.chart.centre")),
                 ("line", STYLE["limit"], N_("review.chart.limits")),
                 ("line", STYLE["forecast"], N_("review.chart.forecast"))]
        if self.review.target is not None or self.review.target_low is not None:
            items.insert(3, ("line", STYLE["target"], N_("review.chart.target")))
        present = {kind for kind, _ in _signal_kinds(self.review).values()}
        items += [("shape", kind, NAMES["signal"][kind]) for kind in SIGNAL_ORDER
                  if kind in present]
        if any(p.excluded for p in self.points):
            items.append(("excluded", "", N_("review.chart.excluded")))
        g = self.geo
        size = max(12, g.font)
        left = 8 if not g.edge_labels else g.left
        x: float = left
        y = g.plot_bottom + 2 * g.font + 20
        for mark, style, key in items:
            text = gettext(self.lang, key, run=self.run)
            width = 40 + 0.62 * size * len(text)
            if x + width > g.width - 8 and x > left:
                x, y = left, y + size + 8
            if mark == "line":
                self.parts.append(f'<path d="M{x},{y} L{x + 24},{y}" {style}/>')
            elif mark == "excluded":
                self.parts.append(_excluded_mark(x + 12, y))
            else:
                self.parts.append(_shape(style, x + 12, y, "above"))
            self.parts.append(f'<text x="{x + 30}" y="{y + 4}" font-size="{size}" '
                              f'fill="#222">{escape(text)}</text>')
            x += width
        self.height = max(self.height, round(y + size + 6))

    def svg(self, ident: str, title: str, desc: str) -> Markup:
        self.grid()
        self.forecast()
        self.limits()
        self.targets()
        self.values()
        self.legend()
        body = "\n".join(self.parts + _labels(self.right_labels, self.geo))
        kind = "pbc" if self.geo.edge_labels else "pbc-compact"
        return Markup(
            f'<svg class="{kind}" viewBox="0 0 {self.geo.width} {self.height}" width="100%" '
            f'role="img" '
            f'aria-labelledby="{ident}-t {ident}-d" '
            f'font-family="system-ui, sans-serif"><title id="{ident}-t">{escape(title)}</title>'
            f'<desc id="{ident}-d">{escape(desc)}</desc>\n{body}\n</svg>')


def chart_svg(review: KpiReview, ident: str, lang: str, geo: Geometry = WIDE) -> Markup:
    """Return the inline SVG process behaviour chart of a reviewed KPI (status ok)."""
    chart = _Chart(review, lang, geo)
    natural = review.natural_range_next
    if natural is None:
        raise ValueError("a chart needs a review with status ok")
    title = gettext(lang, "review.chart.title", name=review.name.pick(lang))
    desc = gettext(lang, "review.chart.desc", count=len(chart.points),
                     first=period_text(chart.points[0].period, lang),
                     last=period_text(chart.points[-1].period, lang),
                     lower=chart.num(natural.lower), upper=chart.num(natural.upper),
                     centre=chart.num(natural.centre), signals=len(review.signals))
    return chart.svg(ident, title, desc)


def chart_pair(review: KpiReview, ident: str, lang: str) -> Markup:
    """Return the wide chart and the compact one; the style sheet shows one per screen size."""
    return chart_svg(review, ident, lang) + chart_svg(review, f"{ident}-s", lang, COMPACT)
