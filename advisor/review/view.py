"""Reviews as people read them: numbers in each language's style, reasons filled in, JSON shapes."""

from advisor.formatting import (
    Blank,
    count_text,
    decimals_for,
    list_text,
    money_text,
    number_text,
    period_text,
    range_text,
    share_text,
    value_text,
)
from advisor.i18n import N_, MessageId, gettext
from advisor.review.models import KpiReview, Text
from advisor.review.policy import review_policy
from catalog.labels import label
from rules.models import Text as RuleText

_SIGNAL_NAMES: dict[str, MessageId] = {
    "beyond_limit": N_("review.signal_text.beyond_limit"),
    "run_of_8": N_("review.signal_text.run_of_8"),
    "three_of_four": N_("review.signal_text.three_of_four"),
    "range_beyond_url": N_("review.signal_text.range_beyond_url"),
}
ACTION_NAMES: dict[str, MessageId] = {
    "raise": N_("review.action.raise"),
    "lower": N_("review.action.lower"),
    "keep": N_("review.action.keep"),
    "investigate": N_("review.action.investigate"),
    "change_process": N_("review.action.change_process"),
}


def signal_name(code: str, lang: str, run_length: int | None = None) -> str:
    """Return the readable name of a detection rule (its code, e.g. run_of_8, stays in JSON)."""
    run = run_length or review_policy().run_length
    return gettext(lang, _SIGNAL_NAMES[code], run=run)


def action_name(action: str, lang: str) -> str:
    """Return the readable name of a suggestion (raise, lower, keep, ...)."""
    return ACTION_NAMES[action].pick(lang)


def signals_text(review: KpiReview, lang: str) -> str:
    """Return the review's signals as a person reads them: rule names and periods."""
    return "; ".join(f"{signal_name(s.rule, lang)}: "
                     f"{list_text([period_text(p, lang) for p in s.periods])}"
                     for s in review.signals)

_ABOVE_UPPER = N_("review.beyond.above_upper")
_BELOW_LOWER = N_("review.beyond.below_lower")
# (beyond the favourable limit, beyond the unfavourable limit) per direction.
_BEYOND = {
    "higher_is_better": (_ABOVE_UPPER, _BELOW_LOWER),
    "lower_is_better": (_BELOW_LOWER, _ABOVE_UPPER),
}

_SHAPES = {
    (True, False): N_("review.shape.trend"),
    (False, True): N_("review.shape.seasonal"),
    (True, True): N_("review.shape.trend_seasonal"),
}

TARGET_FIELDS = ("target", "target_low", "target_high")
NUMBER_FIELDS = ("favourable_limit", "unfavourable_limit", "lower_next", "upper_next",
                 "centre_next", "committed_level", "stretch_level", "committed_level_next",
                 "stretch_level_next")


def localized_values(fact: dict, lang: str, decimals: int, name: Text) -> dict[str, str]:
    """Return the fact's values as text in `lang`, with the language-specific extras added."""
    values: dict[str, str] = {}
    unit = fact.get("unit")
    for key, value in fact.items():
        if key in TARGET_FIELDS:
            # A target is shown as the team set it, not rounded to the process's precision.
            values[key] = _fact_number(value, unit, lang, max(decimals, 4))
        elif key in NUMBER_FIELDS:
            values[key] = _fact_number(value, unit, lang, decimals)
        elif isinstance(value, list):
            values[key] = list_text([period_text(str(v), lang) for v in value])
        elif isinstance(value, bool):
            values[key] = gettext(lang, _YES_NO[value])
        elif isinstance(value, int):
            values[key] = count_text(value, lang)
        elif isinstance(value, float):
            values[key] = number_text(value, lang, 2)
        else:
            values[key] = period_text(str(value), lang)
    values["name"] = name.pick(lang)
    direction = fact.get("direction")
    if direction in _BEYOND:
        favourable, unfavourable = _BEYOND[direction]
        values["beyond_favourable_text"] = gettext(lang, favourable)
        values["beyond_unfavourable_text"] = gettext(lang, unfavourable)
    kinds = fact.get("recent_signal_rules", [])
    values["recent_signal_names"] = "; ".join(signal_name(k, lang) for k in kinds)
    shape = _SHAPES.get((bool(fact.get("trend")), bool(fact.get("seasonal"))))
    if shape:
        values["shape_text"] = gettext(lang, shape)
    values["attainment_text"] = _attainment_text(fact, lang)
    return values


_YES_NO = {True: N_("review.yes"), False: N_("review.no")}


def _fact_number(value: float | None, unit: str | None, lang: str, decimals: int) -> str:
    """Return a number for a reason's text: money in whole đồng, no unit sign added (the
    reasons place their own)."""
    if unit == "currency":
        return money_text(value, lang)
    return number_text(value, lang, decimals)


def _attainment_text(fact: dict, lang: str) -> str:
    """Return what actually happened with the target, counted (never "almost always")."""
    of = fact.get("periods_with_target", 0)
    if not of:
        return gettext(lang, "review.attainment.none_yet")
    met = count_text(fact.get("periods_met", 0), lang)
    return gettext(lang, "review.attainment.met_so_far", met=met, of=count_text(of, lang))


_BASIS_NOTES = {
    "values": N_("review.basis_note.values"),
    "season_adjusted": N_("review.basis_note.season_adjusted"),
    "forecast_residuals": N_("review.basis_note.forecast_residuals"),
}


def basis_note(fact: dict) -> Text:
    """Return, in both languages, what the limits were computed on and how far to trust them."""
    def note(lang: str) -> str:
        values = {key: period_text(str(fact.get(key, "")), lang)
                  for key in ("baseline_start", "baseline_end")}
        values |= {key: count_text(fact.get(key), lang) if key in fact else ""
                   for key in ("baseline_count", "provisional_below", "excluded_count")}
        parts = [gettext(lang, _BASIS_NOTES[fact["basis"]], **values)]
        if fact.get("provisional"):
            parts.append(gettext(lang, "review.basis_note.provisional", **values))
        if fact.get("excluded_count"):
            parts.append(gettext(lang, "review.basis_note.excluded", **values))
        return " ".join(parts)

    return Text(vi=note("vi"), en=note("en"))


def explain(reason: RuleText, fact: dict, decimals: int, name: Text) -> Text:
    """Return a rule's reason with the fact filled in, in both languages."""
    return explain_all([reason], fact, decimals, name)[0]


def explain_all(reasons: list[RuleText], fact: dict, decimals: int, name: Text) -> list[Text]:
    """Return each rule's reason with the same fact filled in, in both languages (the fact's
    values are written once per language for all of them)."""
    values = {lang: Blank(localized_values(fact, lang, decimals, name)) for lang in ("vi", "en")}
    return [Text(**{lang: reason.pick(lang).format_map(values[lang]) for lang in values})
            for reason in reasons]


def _rounded(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def review_json(review: KpiReview, lang: str) -> dict:
    """Return one KPI's review as the API answers it, texts in `lang`."""
    data = review.model_dump(exclude={"name", "message", "basis_note", "suggestion", "flags"})
    data = {"kpi_id": review.kpi_id, "name": review.name.pick(lang), **data}
    data["message"] = review.message.pick(lang) if review.message else None
    data["basis_note"] = review.basis_note.pick(lang) if review.basis_note else None
    data["flags"] = [{"code": f.code, "rule": f.rule, "message": f.message.pick(lang)}
                     for f in review.flags]
    suggestion = review.suggestion
    data["suggestion"] = None if suggestion is None else {
        **suggestion.model_dump(exclude={"explanation"}),
        "explanation": suggestion.explanation.pick(lang),
    }
    if data["probability_of_target"] is not None:
        data["probability_of_target"] = _rounded(data["probability_of_target"], 4)
    return data


def reviews_json(reviews: list[KpiReview], lang: str) -> dict:
    """Return the answer of POST /api/v1/reviews: one entry per KPI, in request order."""
    return {"lang": lang, "kpis": [review_json(r, lang) for r in reviews]}


_LABELS: dict[str, MessageId] = {
    "kpi": N_("review.line.kpi"),
    "status": N_("review.line.status"),
    "basis": N_("review.line.basis"),
    "range": N_("review.line.range"),
    "signals": N_("review.line.signals"),
    "forecast": N_("review.line.forecast"),
    "probability": N_("review.line.probability"),
    "attainment": N_("review.line.attainment"),
    "suggestion": N_("review.line.suggestion"),
    "levels": N_("review.line.levels"),
    "why": N_("review.line.why"),
    "notes": N_("review.line.notes"),
    "none": N_("review.line.none"),
}


def review_decimals(review: KpiReview) -> int:
    """Return the decimals a reviewed KPI's numbers deserve (from its natural range)."""
    natural = review.natural_range_next
    return decimals_for(natural.upper - natural.lower if natural else 0.0, review.unit)


def _number(review: KpiReview, value: float | None, lang: str) -> str:
    return value_text(value, review.unit, lang, review_decimals(review))


def number_range(review: KpiReview, low: float | None, high: float | None, lang: str) -> str:
    """Return a reviewed KPI's range ("low–high", one number when both ends read the same)."""
    return range_text(low, high, lang, review.unit, review_decimals(review))


def review_pairs(review: KpiReview, lang: str) -> list[tuple[str, str]]:
    """Return one KPI's review as (label, text) lines a person reads in `lang`: readable names
    of signals and suggestions, never their codes (the terminal prints these)."""
    say = {key: gettext(lang, msgid) for key, msgid in _LABELS.items()}
    frequency = (label("frequencies", review.frequency).pick(lang).lower() if review.frequency
                 else "?")
    pairs = [(say["kpi"], f"{review.name.pick(lang)} ({review.points} × {frequency})")]
    natural, suggestion, fmt = review.natural_range_next, review.suggestion, _number
    if review.status != "ok" or natural is None:  # an ok review always has its range
        return [*pairs, (say["status"], review.message.pick(lang) if review.message else "")]
    ahead = ", ".join(f"{period_text(f.period, lang)} {fmt(review, f.value, lang)} "
                      f"({number_range(review, f.lower, f.upper, lang)})" for f in review.forecast)
    pairs += [
        (say["basis"], review.basis_note.pick(lang) if review.basis_note else ""),
        (say["range"], f"{fmt(review, natural.lower, lang)} – {fmt(review, natural.centre, lang)}"
                       f" – {fmt(review, natural.upper, lang)}"),
        (say["signals"], signals_text(review, lang) or say["none"]),
        (say["forecast"], ahead),
    ]
    if review.probability_of_target is not None:
        pairs.append((say["probability"], share_text(review.probability_of_target, lang)))
    attainment = review.attainment
    if attainment and attainment.periods_with_target:
        pairs.append((say["attainment"], gettext(
            lang, "review.attainment.value", met=attainment.periods_met,
            total=attainment.periods_with_target)))
    if suggestion is not None:
        pairs += [
            (say["suggestion"], action_name(suggestion.action, lang)),
            (say["levels"], f"{fmt(review, suggestion.committed_target, lang)} / "
                            f"{fmt(review, suggestion.stretch_target, lang)}"),
            (say["why"], suggestion.explanation.pick(lang)),
        ]
    # The notes label is printed once; further notes line up under the first.
    pairs += [(say["notes"] if i == 0 else "", "- " + f.message.pick(lang))
              for i, f in enumerate(review.flags)]
    return pairs


def review_text(review: KpiReview, lang: str) -> str:
    """Return one KPI's review as an aligned plain-text table in `lang`."""
    pairs = review_pairs(review, lang)
    width = max(len(key) for key, _ in pairs)
    return "\n".join(f"{key:<{width}}  {value}" for key, value in pairs)
