"""The review of KPI histories: statistics become flat facts, the review rules decide what to do.

For every KPI with at least six periods: XmR limits (on the forecast errors when the history trends
or is seasonal), signals, a forecast with an 80% band, the chance of meeting the target next period,
attainment so far, and committed (p = 0.8) and stretch (p = 0.4) levels. Python computes every
number; `rules/data/review.yaml` compares them with constants and picks the suggestion.
"""

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from advisor.review import view
from advisor.review.errors import RowsRejectedError
from advisor.review.forecast import (
    Forecast,
    TrendSeasonality,
    forecast,
    level_for_probability,
    probability_at_least,
    probability_at_most,
    residuals_for_xmr,
    trend_and_seasonality,
)
from advisor.review.history import History, read_history
from advisor.review.models import (
    Attainment,
    ChartLimits,
    ChartPoint,
    Flag,
    ForecastPoint,
    KpiReview,
    Range,
    ReviewKpi,
    SignalOut,
    Suggestion,
    Text,
)
from advisor.review.periods import missing_periods, next_periods
from advisor.review.xmr import XmrChart, xmr_chart
from catalog.loader import Catalog
from catalog.models import ValueRange, value_bounds
from rules.engine import Firing, evaluate
from rules.loader import load_builtin
from rules.models import RuleSet

MIN_POINTS = 6
COMMITTED_P = 0.8
STRETCH_P = 0.4
SEASON_LENGTH = {"daily": 7, "weekly": 52, "monthly": 12, "quarterly": 4}
# A quarterly review looks at the periods since the last one; signals and misses there need words.
REVIEW_WINDOW = {"daily": 91, "weekly": 13, "monthly": 3, "quarterly": 1}
HORIZON = {"daily": 28, "weekly": 13, "monthly": 3, "quarterly": 2}
MAX_LISTED = 12

_NOT_ENOUGH = Text(
    vi="Chưa đủ dữ liệu: cần ít nhất {needed} kỳ đo, mới có {got}. Chưa thể tính giới hạn hay "
       "đề xuất mục tiêu; hãy nhập thêm số liệu các kỳ trước.",
    en="Not enough data yet: at least {needed} measured periods are needed, there are {got}. No "
       "limits or target suggestion can be given; add the values of earlier periods.",
)


@dataclass(frozen=True)
class _Stats:
    """Everything the statistics say about one history."""

    shape: TrendSeasonality
    basis: str
    chart: XmrChart
    ahead: Forecast
    expected: list[float]
    next_range: Range


@functools.cache
def review_ruleset() -> RuleSet:
    """Return the built-in review rule set (read once per process)."""
    return load_builtin("review")


# --- Statistics ------------------------------------------------------------------------------


def _statistics(history: History, horizon: int) -> _Stats:
    values = history.values
    season = SEASON_LENGTH[history.frequency]
    shape = trend_and_seasonality(values, season)
    around_forecast = shape.trend or shape.seasonal
    ahead = forecast(values, horizon, season)
    if around_forecast:
        residuals = residuals_for_xmr(values, season)
        chart = xmr_chart(residuals)
        expected = [v - r for v, r in zip(values, residuals, strict=True)]
        base = ahead.points[0]
    else:
        chart = xmr_chart(values)
        expected = [0.0] * len(values)
        base = 0.0
    limits = chart.limits
    next_range = Range(centre=base + limits.centre, lower=base + limits.lower,
                       upper=base + limits.upper)
    return _Stats(shape=shape, basis="forecast_residuals" if around_forecast else "values",
                  chart=chart, ahead=ahead, expected=expected, next_range=next_range)


def _probability(kpi: ReviewKpi, stats: _Stats) -> float | None:
    step = stats.ahead.step(1)
    if kpi.direction == "in_range":
        if kpi.target_low is None or kpi.target_high is None:
            return None
        inside = probability_at_most(step, kpi.target_high) - probability_at_most(
            step, kpi.target_low)
        return max(0.0, inside)
    if kpi.target is None:
        return None
    if kpi.direction == "lower_is_better":
        return probability_at_most(step, kpi.target)
    return probability_at_least(step, kpi.target)


def _level(kpi: ReviewKpi, stats: _Stats, p: float, decimals: int, safe: bool,
           bounds: tuple[float | None, float | None]) -> tuple[float, float]:
    """Return the level met with probability about `p` (rounded, and within what the KPI can
    take) and its exact probability."""
    step = stats.ahead.step(1)
    level = level_for_probability(step, p, kpi.direction)
    scale = 10.0 ** decimals
    if safe:
        # Rounding towards the easy side keeps the promise of "at least p".
        easy = math.floor if kpi.direction == "higher_is_better" else math.ceil
        level = easy(level * scale) / scale
    else:
        level = round(level, decimals)
    level = _within(level, bounds)
    met = (probability_at_least(step, level) if kpi.direction == "higher_is_better"
           else probability_at_most(step, level))
    return level, met


def _within(value: float, bounds: tuple[float | None, float | None]) -> float:
    low, high = bounds
    if low is not None and value < low:
        return low
    return high if high is not None and value > high else value


def _bounds(kpi: ReviewKpi, history: History) -> tuple[float | None, float | None]:
    """Return what the KPI can take: its value_range, else its unit's; never below 0 when no
    value so far has been (a forecast must not promise a negative count or rate)."""
    low, high = ((kpi.value_range.low, kpi.value_range.high) if kpi.value_range is not None
                 else value_bounds(kpi.unit, None))
    if min(history.values) >= 0:
        low = 0.0 if low is None else max(low, 0.0)
    return low, high


def _met(direction: str, value: float, target: float) -> bool:
    return value <= target if direction == "lower_is_better" else value >= target


def _attainment(kpi: ReviewKpi, history: History) -> Attainment:
    pairs = list(zip(history.values, history.targets, strict=True))
    if kpi.direction == "in_range" and kpi.target_low is not None:
        met = [kpi.target_low <= v <= kpi.target_high for v, _ in pairs]
    else:
        met = [_met(kpi.direction, v, t) for v, t in pairs if t is not None]
    okr = None
    last_target = history.targets[-1]
    if kpi.baseline is not None and last_target is not None and last_target != kpi.baseline:
        progress = (history.values[-1] - kpi.baseline) / (last_target - kpi.baseline)
        okr = round(min(1.0, max(0.0, progress)), 2)
    return Attainment(
        periods_with_target=len(met), periods_met=sum(met),
        share=round(sum(met) / len(met), 4) if met else None,
        last_met=met[-1] if met and (history.targets[-1] is not None or kpi.target_low is not None)
        else None,
        okr_score=okr,
    )


# --- Facts -----------------------------------------------------------------------------------


def _signals(history: History, stats: _Stats) -> list[SignalOut]:
    first_recent = len(history.values) - REVIEW_WINDOW[history.frequency]
    return [SignalOut(rule=s.kind, side=s.side, periods=[history.periods[i].label
                                                         for i in s.indices],
                      recent=max(s.indices) >= first_recent)
            for s in stats.chart.signals]


def _position(kpi: ReviewKpi, stats: _Stats) -> str | None:
    if kpi.target is None or kpi.direction == "in_range":
        return None
    above = kpi.target > stats.next_range.upper
    below = kpi.target < stats.next_range.lower
    if not (above or below):
        return "inside"
    favourable = above if kpi.direction == "higher_is_better" else below
    return "beyond_favourable" if favourable else "beyond_unfavourable"


def _range_position(kpi: ReviewKpi, stats: _Stats) -> str | None:
    if kpi.direction != "in_range" or kpi.target_low is None:
        return None
    natural = stats.next_range
    if kpi.target_low <= natural.lower and natural.upper <= kpi.target_high:
        return "holds_process"
    if natural.upper < kpi.target_low or natural.lower > kpi.target_high:
        return "misses_process"
    return "partly_outside"


def _target_sigmas(kpi: ReviewKpi, stats: _Stats) -> float:
    natural = stats.next_range
    sigma = (natural.upper - natural.lower) / 6
    sign = -1.0 if kpi.direction == "lower_is_better" else 1.0
    distance = sign * (kpi.target - natural.centre)
    if sigma <= 0:
        return 0.0 if distance == 0 else math.copysign(99.0, distance)
    return round(distance / sigma, 3)


def _labels(periods: list[str]) -> list[str]:
    unique = list(dict.fromkeys(periods))
    return unique if len(unique) <= MAX_LISTED else [*unique[:MAX_LISTED], "…"]


def build_fact(kpi: ReviewKpi, history: History, stats: _Stats, signals: list[SignalOut],
               levels: dict[str, float]) -> dict:
    """Return the flat fact the review rules see for one KPI."""
    natural = stats.next_range
    favourable_high = kpi.direction != "lower_is_better"
    recent = [s for s in signals if s.recent]
    older = [s for s in signals if not s.recent]
    window = REVIEW_WINDOW[history.frequency]
    missed = [p.label for p, v, t in zip(history.periods[-window:], history.values[-window:],
                                         history.targets[-window:], strict=True)
              if t is not None and not _met(kpi.direction, v, t)]
    gaps = [p.label for p in missing_periods(history.periods)]
    baseline = stats.chart.baseline
    fact = {
        "kind": "kpi", "name": kpi.label, "direction": kpi.direction,
        "commitment": kpi.commitment, "points": len(history.values), "basis": stats.basis,
        "trend": stats.shape.trend, "seasonal": stats.shape.seasonal,
        "has_target": kpi.has_target(), "centre_next": natural.centre,
        "lower_next": natural.lower, "upper_next": natural.upper,
        "favourable_limit": natural.upper if favourable_high else natural.lower,
        "unfavourable_limit": natural.lower if favourable_high else natural.upper,
        "has_signal": bool(signals), "recent_signal": bool(recent), "signal_count": len(signals),
        "recent_signal_periods": _labels([p for s in recent for p in s.periods]),
        "recent_signal_rules": list(dict.fromkeys(s.rule for s in recent)),
        "older_signal_periods": _labels([p for s in older for p in s.periods]),
        "missed_recently": bool(missed), "missed_periods": missed,
        "shift_count": len(baseline.shifts) if baseline.stretch_start > 0 else 0,
        "baseline_start": history.periods[baseline.start].label,
        "gap_count": len(gaps), "missing_periods": _labels(gaps),
        **levels,
    }
    probability = _probability(kpi, stats)
    if probability is not None:
        fact["probability_of_target"] = round(probability, 4)
        fact["probability_pct"] = round(100 * probability)
    for key in ("target", "target_low", "target_high"):
        if getattr(kpi, key) is not None:
            fact[key] = getattr(kpi, key)
    position = _position(kpi, stats)
    if position:
        fact["target_position"] = position
        fact["target_sigmas"] = _target_sigmas(kpi, stats)
    range_position = _range_position(kpi, stats)
    if range_position:
        fact["range_position"] = range_position
    return fact


def with_catalog(kpis: Sequence[ReviewKpi], catalog: Catalog
                 ) -> tuple[list[ReviewKpi], list[Text | None]]:
    """Return the KPIs with direction and unit taken from the catalog where not given, and
    their names in both languages (None for KPIs the catalog does not know)."""
    filled: list[ReviewKpi] = []
    names: list[Text | None] = []
    for kpi in kpis:
        entry = catalog.get(kpi.kpi_id) if kpi.kpi_id else None
        if entry is None:
            filled.append(kpi)
            names.append(None)
            continue
        unit = kpi.unit or entry.unit
        low, high = value_bounds(unit, entry)
        filled.append(kpi.model_copy(update={
            "direction": kpi.direction or entry.direction, "unit": unit,
            "value_range": kpi.value_range or ValueRange(low=low, high=high)}))
        names.append(Text(vi=kpi.name or entry.name.vi, en=kpi.name or entry.name.en))
    return filled, names


# --- Putting a review together ---------------------------------------------------------------


@dataclass
class _Pending:
    """A KPI whose statistics are done and whose fact waits for the rules."""

    kpi: ReviewKpi
    name: Text
    history: History
    stats: _Stats
    signals: list[SignalOut]
    fact: dict
    decimals: int
    levels: dict[str, tuple[float, float]]
    bounds: tuple[float | None, float | None]  # what the KPI can take, see _bounds


def _prepare(kpi: ReviewKpi, name: Text, history: History) -> _Pending:
    horizon = kpi.horizon or HORIZON[history.frequency]
    stats = _statistics(history, horizon)
    spread = stats.next_range.upper - stats.next_range.lower
    decimals = view.decimals_for(spread or abs(stats.next_range.centre), kpi.unit)
    signals = _signals(history, stats)
    levels: dict[str, tuple[float, float]] = {}
    bounds = _bounds(kpi, history)
    if kpi.direction != "in_range":
        levels["committed"] = _level(kpi, stats, COMMITTED_P, decimals, True, bounds)
        levels["stretch"] = _level(kpi, stats, STRETCH_P, decimals, False, bounds)
    level_facts = {f"{key}_level": value for key, (value, _) in levels.items()}
    fact = build_fact(kpi, history, stats, signals, level_facts)
    return _Pending(kpi, name, history, stats, signals, fact, decimals, levels, bounds)


def _suggested_target(action: str, pending: _Pending) -> float | None:
    kpi, levels = pending.kpi, pending.levels
    if kpi.direction == "in_range":
        return None
    committed = levels["committed"][0]
    if action == "investigate":
        return kpi.target  # nothing moves before the signal is explained
    if action == "raise":
        return committed if kpi.commitment == "committed" else levels["stretch"][0]
    if action == "lower" or kpi.target is None:
        return committed
    return kpi.target


def _suggestion(pending: _Pending, firing: Firing) -> Suggestion:
    action = firing.action.suggestion
    committed = pending.levels.get("committed", (None, None))
    stretch = pending.levels.get("stretch", (None, None))
    return Suggestion(
        action=action, target=_suggested_target(action, pending),
        committed_target=committed[0], committed_probability=_round(committed[1]),
        stretch_target=stretch[0], stretch_probability=_round(stretch[1]),
        rule=firing.rule_id,
        explanation=view.explain(firing.reason, pending.fact, pending.decimals, pending.name),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _basis_note(stats: _Stats) -> Text:
    if stats.basis == "values":
        return Text(vi="Giới hạn tính trực tiếp trên các giá trị đo, từ một giai đoạn ổn định.",
                    en="Limits computed on the measured values, from a stable stretch.")
    return Text(vi="Chuỗi có xu hướng hoặc mùa vụ: giới hạn tính trên sai số dự báo, quanh "
                   "đường kỳ vọng.",
                en="The history trends or is seasonal: limits are computed on the forecast "
                   "errors, around the expected path.")


def _chart_points(pending: _Pending) -> list[ChartPoint]:
    """Return the chart's points; a natural limit beyond what the KPI can take is drawn at
    that bound (a share's upper limit at 100%), as the bound is the process's real limit."""
    limits, history = pending.stats.chart.limits, pending.history
    flagged = {p for s in pending.signals for p in s.periods}
    bounds = pending.bounds
    return [ChartPoint(period=p.label, value=v, target=t, centre=e + limits.centre,
                       lower=_within(e + limits.lower, bounds),
                       upper=_within(e + limits.upper, bounds), signal=p.label in flagged)
            for p, v, t, e in zip(history.periods, history.values, history.targets,
                                  pending.stats.expected, strict=True)]


def _forecast_points(pending: _Pending) -> list[ForecastPoint]:
    """Return the forecast and its 80% band, cut to what the KPI can take (a share stays at
    or under 100%)."""
    ahead = pending.stats.ahead
    coming = next_periods(pending.history.periods[-1], len(ahead.points))
    bounds = pending.bounds
    return [ForecastPoint(period=p.label, value=_within(v, bounds), lower=_within(lo, bounds),
                          upper=_within(hi, bounds))
            for p, v, lo, hi in zip(coming, ahead.points, ahead.lower80, ahead.upper80,
                                    strict=True)]


def _finish(pending: _Pending, firings: list[Firing]) -> KpiReview:
    kpi, stats = pending.kpi, pending.stats
    # The highest-priority suggestion wins; a rule set without a catch-all may leave none.
    suggest = next((f for f in firings if f.action.action == "suggest"), None)
    flags = [Flag(code=f.action.code, rule=f.rule_id,
                  message=view.explain(f.reason, pending.fact, pending.decimals, pending.name))
             for f in firings if f.action.action == "flag"]
    limits = stats.chart.limits
    return KpiReview(
        **_identity(kpi, pending.name, pending.history.frequency, len(pending.history.values)),
        status="ok", basis=stats.basis, basis_note=_basis_note(stats),
        trend=stats.shape.trend, seasonal=stats.shape.seasonal,
        limits=ChartLimits(centre=limits.centre, lower=limits.lower, upper=limits.upper,
                           url=limits.url),
        natural_range_next=stats.next_range,
        baseline_periods=[pending.history.periods[stats.chart.baseline.start].label,
                          pending.history.periods[stats.chart.baseline.end - 1].label],
        signals=pending.signals, forecast=_forecast_points(pending),
        probability_of_target=pending.fact.get("probability_of_target"),
        target_position=pending.fact.get("target_position"),
        attainment=_attainment(kpi, pending.history),
        suggestion=_suggestion(pending, suggest) if suggest else None,
        flags=flags, comment_required=any(f.code == "comment_required" for f in flags),
        missing_periods=[p.label for p in missing_periods(pending.history.periods)],
        chart=_chart_points(pending),
    )


def _identity(kpi: ReviewKpi, name: Text, frequency: str | None, points: int) -> dict:
    return {"kpi_id": kpi.kpi_id, "name": name, "direction": kpi.direction, "unit": kpi.unit,
            "frequency": frequency, "commitment": kpi.commitment, "target": kpi.target,
            "target_low": kpi.target_low, "target_high": kpi.target_high, "points": points}


def _insufficient(kpi: ReviewKpi, name: Text, history: History) -> KpiReview:
    got = len(history.values)
    message = Text(**{lang: _NOT_ENOUGH.pick(lang).format(needed=MIN_POINTS, got=got)
                      for lang in ("vi", "en")})
    return KpiReview(**_identity(kpi, name, history.frequency if got else kpi.frequency, got),
                     status="insufficient_data", message=message)


def review_kpis(kpis: Sequence[ReviewKpi], names: Sequence[Text | None] | None = None,
                ruleset: RuleSet | None = None) -> list[KpiReview]:
    """Return the review of each KPI, in order; raise RowsRejectedError for unreadable periods."""
    names = list(names) if names is not None else [None] * len(kpis)
    kpis = [k if k.direction else k.model_copy(update={"direction": "higher_is_better"})
            for k in kpis]
    histories, problems = [], []
    for i, kpi in enumerate(kpis):
        try:
            histories.append(read_history(kpi, f"kpis.{i}.history"))
        except RowsRejectedError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RowsRejectedError(problems)
    labels = [name or Text(vi=kpi.label, en=kpi.label) for kpi, name in zip(kpis, names,
                                                                               strict=True)]
    results: list[KpiReview | _Pending] = [
        _prepare(kpi, label, history) if len(history.values) >= MIN_POINTS
        else _insufficient(kpi, label, history)
        for kpi, label, history in zip(kpis, labels, histories, strict=True)
    ]
    pending = [r for r in results if isinstance(r, _Pending)]
    firings = evaluate(ruleset or review_ruleset(), [p.fact for p in pending])
    by_fact: dict[int, list[Firing]] = {}
    for firing in firings:
        by_fact.setdefault(firing.fact_index, []).append(firing)
    done = iter(_finish(p, by_fact.get(i, [])) for i, p in enumerate(pending))
    return [next(done) if isinstance(r, _Pending) else r for r in results]
