"""The review of KPI histories: statistics become flat facts, the review rules decide what to do.

For every KPI with at least the policy's `min_points` measured (not excluded) periods: the
process as process.py reads it (season-adjusted when seasonal, shifts found before any model,
limits from the latest stable stretch, marked provisional while short), signals, an outlook with
an 80% band, the chance of meeting the target, attainment so far, and the committed and stretch
levels. Python computes every number; `rules/data/review.yaml` holds the policy (its `policy:`
block) and the rules that compare the numbers with constants and pick the suggestion.
"""

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from advisor.i18n import both
from advisor.review import view
from advisor.review.errors import RowsRejectedError
from advisor.review.forecast import (
    level_for_probability,
    probability_at_least,
    probability_at_most,
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
from advisor.review.policy import review_policy
from advisor.review.process import Z80, ProcessView, read_process
from catalog.loader import Catalog
from catalog.models import ValueRange, value_bounds
from rules.engine import Firing, evaluate
from rules.loader import load_builtin
from rules.models import Flag as FlagAction
from rules.models import RuleSet, Suggest, action_as
from rules.policy import ReviewPolicy

MAX_LISTED = 12  # periods named in a text before "…"; presentation, not policy



@functools.cache
def review_ruleset() -> RuleSet:
    """Return the built-in review rule set (read once per process)."""
    return load_builtin("review")


# --- Statistics ------------------------------------------------------------------------------


def _probability(kpi: ReviewKpi, process: ProcessView) -> float | None:
    step = process.outlook.step(1)
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


def _level(kpi: ReviewKpi, process: ProcessView, p: float, decimals: int, safe: bool,
           bounds: tuple[float | None, float | None]) -> tuple[float, float]:
    """Return the level met with probability about `p` (rounded, and within what the KPI can
    take) and its exact probability."""
    step = process.outlook.step(1)
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


def _met(direction: str | None, value: float, target: float) -> bool:
    return value <= target if direction == "lower_is_better" else value >= target


def _attainment(kpi: ReviewKpi, history: History) -> Attainment:
    """Return how often the target was met in the periods that count (excluded ones left out:
    their cause is known and is not the process)."""
    pairs = [(history.values[i], history.targets[i]) for i in history.included]
    low, high = kpi.target_low, kpi.target_high
    if kpi.direction == "in_range" and low is not None and high is not None:
        met = [low <= v <= high for v, _ in pairs]
    else:
        met = [_met(kpi.direction, v, t) for v, t in pairs if t is not None]
    okr = None
    last = history.included[-1]
    last_target = history.targets[last]
    if kpi.baseline is not None and last_target is not None and last_target != kpi.baseline:
        progress = (history.values[last] - kpi.baseline) / (last_target - kpi.baseline)
        okr = round(min(1.0, max(0.0, progress)), 2)
    return Attainment(
        periods_with_target=len(met), periods_met=sum(met),
        share=round(sum(met) / len(met), 4) if met else None,
        last_met=met[-1] if met and (last_target is not None or kpi.target_low is not None)
        else None,
        okr_score=okr,
    )


# --- Facts -----------------------------------------------------------------------------------


def _signals(history: History, process: ProcessView, window: int) -> list[SignalOut]:
    """Return the chart's signals with their periods; recent ones touch the review window."""
    first_recent = len(history.values) - window
    out = []
    for signal in process.chart.signals:
        positions = [process.included[process.fit_start + i] for i in signal.indices]
        out.append(SignalOut(rule=signal.kind, side=signal.side,
                             periods=[history.periods[i].label for i in positions],
                             recent=max(positions) >= first_recent))
    return out


def _position(kpi: ReviewKpi, process: ProcessView) -> str | None:
    if kpi.target is None or kpi.direction == "in_range":
        return None
    above = kpi.target > process.next_upper
    below = kpi.target < process.next_lower
    if not (above or below):
        return "inside"
    favourable = above if kpi.direction == "higher_is_better" else below
    return "beyond_favourable" if favourable else "beyond_unfavourable"


def _range_position(kpi: ReviewKpi, process: ProcessView) -> str | None:
    low, high = kpi.target_low, kpi.target_high
    if kpi.direction != "in_range" or low is None or high is None:
        return None
    if low <= process.next_lower and process.next_upper <= high:
        return "holds_process"
    if process.next_upper < low or process.next_lower > high:
        return "misses_process"
    return "partly_outside"


def _target_sigmas(kpi: ReviewKpi, process: ProcessView) -> float:
    sigma = (process.next_upper - process.next_lower) / 6
    sign = -1.0 if kpi.direction == "lower_is_better" else 1.0
    assert kpi.target is not None  # called only for a target position, so there is a target
    distance = sign * (kpi.target - process.next_centre)
    if sigma <= 0:
        return 0.0 if distance == 0 else math.copysign(99.0, distance)
    return round(distance / sigma, 3)


def _labels(periods: list[str]) -> list[str]:
    unique = list(dict.fromkeys(periods))
    return unique if len(unique) <= MAX_LISTED else [*unique[:MAX_LISTED], "…"]


def _baseline_facts(history: History, process: ProcessView, policy: ReviewPolicy) -> dict:
    """Return the facts about where the limits come from and how far they can be trusted."""
    used = process.baseline
    labels = [history.periods[process.included[i]].label for i in used]
    shifts = len(process.lasting_shifts) if process.chart.baseline.stretch_start > 0 or (
        process.fit_start > 0) else 0
    return {"baseline_start": labels[0], "baseline_end": labels[-1],
            "baseline_count": len(labels), "provisional": len(labels) < policy.provisional_below,
            "provisional_below": policy.provisional_below, "shift_count": shifts}


def _season_facts(history: History, process: ProcessView, levels: dict[str, float]) -> dict:
    """Return the facts of a seasonal KPI: the next period and what the levels mean in it."""
    if process.season is None:
        return {}
    position = np.array([len(history.values)])
    coming = next_periods(history.periods[-1], 1)[0]
    facts = {"next_period": coming.label,
             "season_factor_pct": round(100 * float(process.restore(np.array([1.0]), position)[0])
                                        if process.season.multiplicative else 100)}
    for key, value in levels.items():
        facts[f"{key}_next"] = float(process.restore(np.array([value]), position)[0])
    return facts


def _attainment_facts(attainment: Attainment) -> dict:
    facts = {"periods_with_target": attainment.periods_with_target,
             "periods_met": attainment.periods_met}
    if attainment.share is not None:
        facts["attainment_pct"] = round(100 * attainment.share)
    return facts


def build_fact(kpi: ReviewKpi, history: History, process: ProcessView, signals: list[SignalOut],
               levels: dict[str, float], policy: ReviewPolicy) -> dict:
    """Return the flat fact the review rules see for one KPI."""
    favourable_high = kpi.direction != "lower_is_better"
    recent = [s for s in signals if s.recent]
    older = [s for s in signals if not s.recent]
    window = policy.review_window.of(history.frequency)
    first = len(history.values) - window
    missed = [history.periods[i].label for i in history.included if i >= first
              and (target := history.targets[i]) is not None
              and not _met(kpi.direction, history.values[i], target)]
    gaps = [p.label for p in missing_periods(history.periods)]
    excluded = [p.label for p, out in zip(history.periods, history.excluded, strict=True) if out]
    fact = {
        "kind": "kpi", "name": kpi.label, "direction": kpi.direction,
        "commitment": kpi.commitment, "points": len(process.included), "basis": process.basis,
        "trend": process.trend, "seasonal": process.season is not None,
        "has_target": kpi.has_target(), "centre_next": process.next_centre,
        "lower_next": process.next_lower, "upper_next": process.next_upper,
        "favourable_limit": process.next_upper if favourable_high else process.next_lower,
        "unfavourable_limit": process.next_lower if favourable_high else process.next_upper,
        "has_signal": bool(signals), "recent_signal": bool(recent), "signal_count": len(signals),
        "recent_signal_periods": _labels([p for s in recent for p in s.periods]),
        "recent_signal_rules": list(dict.fromkeys(s.rule for s in recent)),
        "older_signal_periods": _labels([p for s in older for p in s.periods]),
        "missed_recently": bool(missed), "missed_periods": missed,
        "gap_count": len(gaps), "missing_periods": _labels(gaps),
        "excluded_count": len(excluded), "excluded_periods": _labels(excluded),
        "committed_pct": round(100 * policy.committed_probability),
        "stretch_pct": round(100 * policy.stretch_probability),
        **_baseline_facts(history, process, policy),
        **_attainment_facts(_attainment(kpi, history)),
        **_season_facts(history, process, levels),
        **levels,
    }
    probability = _probability(kpi, process)
    if probability is not None:
        fact["probability_of_target"] = round(probability, 4)
        fact["probability_pct"] = round(100 * probability)
        fact["chance_meets_commitment"] = probability >= policy.committed_probability
    for key in ("target", "target_low", "target_high"):
        if getattr(kpi, key) is not None:
            fact[key] = getattr(kpi, key)
    position = _position(kpi, process)
    if position:
        fact["target_position"] = position
        fact["target_sigmas"] = _target_sigmas(kpi, process)
    range_position = _range_position(kpi, process)
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
    process: ProcessView
    signals: list[SignalOut]
    fact: dict
    decimals: int
    levels: dict[str, tuple[float, float]]
    bounds: tuple[float | None, float | None]  # what the KPI can take, see _bounds
    policy: ReviewPolicy


def _prepare(kpi: ReviewKpi, name: Text, history: History, policy: ReviewPolicy) -> _Pending:
    horizon = kpi.horizon or policy.horizon.of(history.frequency)
    process = read_process(history.values, history.excluded, history.frequency, horizon, policy)
    spread = process.next_upper - process.next_lower
    decimals = view.decimals_for(spread or abs(process.next_centre), kpi.unit)
    signals = _signals(history, process, policy.review_window.of(history.frequency))
    levels: dict[str, tuple[float, float]] = {}
    bounds = _bounds(kpi, history)
    if kpi.direction != "in_range":
        levels["committed"] = _level(kpi, process, policy.committed_probability, decimals, True,
                                     bounds)
        levels["stretch"] = _level(kpi, process, policy.stretch_probability, decimals, False,
                                   bounds)
    level_facts = {f"{key}_level": value for key, (value, _) in levels.items()}
    fact = build_fact(kpi, history, process, signals, level_facts, policy)
    return _Pending(kpi, name, history, process, signals, fact, decimals, levels, bounds,
                    policy)


def _suggested_target(action: str, pending: _Pending) -> float | None:
    """Return the target the policy's `suggested_target` picks for `action`."""
    kpi = pending.kpi
    if kpi.direction == "in_range":
        return None
    choice = pending.policy.suggested_target.choice(action, kpi.commitment,
                                                    kpi.target is not None)
    if choice in ("current", "unchanged"):
        return kpi.target
    return pending.levels[choice][0]


def _suggestion(pending: _Pending, firing: Firing, explanation: Text) -> Suggestion:
    action = action_as(firing.action, Suggest).suggestion
    committed = pending.levels.get("committed", (None, None))
    stretch = pending.levels.get("stretch", (None, None))
    return Suggestion(
        action=action, target=_suggested_target(action, pending),
        committed_target=committed[0], committed_probability=_round(committed[1]),
        stretch_target=stretch[0], stretch_probability=_round(stretch[1]),
        rule=firing.rule_id,
        explanation=explanation,
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _chart_points(pending: _Pending) -> list[ChartPoint]:
    """Return the chart's points in KPI units (the season put back); a natural limit beyond
    what the KPI can take is drawn at that bound (a share's upper limit at 100%), as the bound
    is the process's real limit. Excluded periods sit on the line between their neighbours."""
    process, history, bounds = pending.process, pending.history, pending.bounds
    limits = process.chart.limits
    positions = np.arange(len(history.values))
    offsets = np.interp(positions, process.included, process.offsets)
    flagged = {p for s in pending.signals for p in s.periods}
    centre = process.restore(offsets + limits.centre, positions)
    lower = process.restore(offsets + limits.lower, positions)
    upper = process.restore(offsets + limits.upper, positions)
    return [ChartPoint(period=p.label, value=v, target=t, centre=float(c),
                       lower=_within(float(lo), bounds), upper=_within(float(hi), bounds),
                       signal=p.label in flagged, excluded=out, note=note)
            for p, v, t, c, lo, hi, out, note in zip(
                history.periods, history.values, history.targets, centre, lower, upper,
                history.excluded, history.notes, strict=True)]


def _forecast_points(pending: _Pending) -> list[ForecastPoint]:
    """Return the outlook and its 80% band in KPI units, cut to what the KPI can take (a
    share stays at or under 100%)."""
    process, history, bounds = pending.process, pending.history, pending.bounds
    outlook = process.outlook
    coming = next_periods(history.periods[-1], len(outlook.points))
    positions = np.arange(len(history.values), len(history.values) + len(coming))
    centres, sigmas = np.array(outlook.centres), np.array(outlook.sigmas)
    points = process.restore(np.array(outlook.points), positions)
    lows = process.restore(centres - Z80 * sigmas, positions)
    highs = process.restore(centres + Z80 * sigmas, positions)
    return [ForecastPoint(period=p.label, value=_within(float(v), bounds),
                          lower=_within(float(lo), bounds), upper=_within(float(hi), bounds))
            for p, v, lo, hi in zip(coming, points, lows, highs, strict=True)]


def _limits(pending: _Pending) -> ChartLimits:
    limits, fact = pending.process.chart.limits, pending.fact
    labels = [pending.history.periods[pending.process.included[i]].label
              for i in pending.process.baseline]
    return ChartLimits(centre=limits.centre, lower=limits.lower, upper=limits.upper,
                       url=limits.url, provisional=fact["provisional"], baseline_periods=labels)


def _finish(pending: _Pending, firings: list[Firing]) -> KpiReview:
    kpi, process = pending.kpi, pending.process
    # The highest-priority suggestion wins; a rule set without a catch-all may leave none.
    suggest = next((f for f in firings if f.action.action == "suggest"), None)
    flagged = [f for f in firings if f.action.action == "flag"]
    told = [*flagged, suggest] if suggest else flagged
    texts = view.explain_all([f.reason for f in told], pending.fact, pending.decimals,
                             pending.name)
    flags = [Flag(code=action_as(f.action, FlagAction).code, rule=f.rule_id, message=text)
             for f, text in zip(flagged, texts, strict=False)]
    limits = _limits(pending)
    return KpiReview(
        **_identity(kpi, pending.name, pending.history.frequency, len(process.included)),
        status="ok", basis=process.basis, basis_note=view.basis_note(pending.fact),
        trend=process.trend, seasonal=process.season is not None, limits=limits,
        natural_range_next=Range(centre=process.next_centre, lower=process.next_lower,
                                 upper=process.next_upper),
        baseline_periods=[limits.baseline_periods[0], limits.baseline_periods[-1]],
        signals=pending.signals, forecast=_forecast_points(pending),
        probability_of_target=pending.fact.get("probability_of_target"),
        target_position=pending.fact.get("target_position"),
        attainment=_attainment(kpi, pending.history),
        suggestion=_suggestion(pending, suggest, texts[-1]) if suggest else None,
        flags=flags, comment_required=any(f.code == "comment_required" for f in flags),
        missing_periods=[p.label for p in missing_periods(pending.history.periods)],
        chart=_chart_points(pending),
    )


def _identity(kpi: ReviewKpi, name: Text, frequency: str | None, points: int) -> dict:
    return {"kpi_id": kpi.kpi_id, "name": name, "direction": kpi.direction, "unit": kpi.unit,
            "frequency": frequency, "commitment": kpi.commitment, "target": kpi.target,
            "target_low": kpi.target_low, "target_high": kpi.target_high, "points": points}


def _insufficient(kpi: ReviewKpi, name: Text, history: History,
                  policy: ReviewPolicy) -> KpiReview:
    got = len(history.included)
    excluded = len(history.values) - got
    message = Text(**both("review.not_enough", needed=policy.min_points, got=got))
    if excluded:
        more = both("review.not_enough.excluded", excluded=excluded)
        message = Text(vi=f"{message.vi} {more['vi']}", en=f"{message.en} {more['en']}")
    return KpiReview(**_identity(kpi, name, history.frequency if history.values
                                 else kpi.frequency, got),
                     status="insufficient_data", message=message)


def review_kpis(kpis: Sequence[ReviewKpi], names: Sequence[Text | None] | None = None,
                ruleset: RuleSet | None = None) -> list[KpiReview]:
    """Return the review of each KPI, in order; raise RowsRejectedError for unreadable periods
    or excluded periods that are not in the history."""
    ruleset = ruleset or review_ruleset()
    policy = review_policy(ruleset)
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
        _prepare(kpi, label, history, policy) if len(history.included) >= policy.min_points
        else _insufficient(kpi, label, history, policy)
        for kpi, label, history in zip(kpis, labels, histories, strict=True)
    ]
    pending = [r for r in results if isinstance(r, _Pending)]
    firings = evaluate(ruleset, [p.fact for p in pending])
    by_fact: dict[int, list[Firing]] = {}
    for firing in firings:
        by_fact.setdefault(firing.fact_index, []).append(firing)
    done = iter(_finish(p, by_fact.get(i, [])) for i, p in enumerate(pending))
    return [next(done) if isinstance(r, _Pending) else r for r in results]
