"""Reviews as people read them: numbers in each language's style, reasons filled in, JSON shapes."""

import math

from advisor.formatting import Blank, number_text
from advisor.review.models import KpiReview, Text
from rules.models import Text as RuleText

SIGNAL_NAMES: dict[str, Text] = {
    "beyond_limit": Text(vi="điểm vượt giới hạn tự nhiên", en="a point beyond a natural limit"),
    "run_of_8": Text(vi="8 điểm liền cùng một phía đường trung tâm",
                     en="8 points in a row on one side of the centre line"),
    "three_of_four": Text(vi="3 trong 4 điểm liền gần giới hạn",
                          en="3 of 4 points in a row near a limit"),
    "range_beyond_url": Text(vi="bước nhảy vượt giới hạn khoảng biến động",
                             en="a jump beyond the upper range limit"),
}

_BEYOND = {
    "higher_is_better": (Text(vi="cao hơn giới hạn tự nhiên trên",
                              en="above the upper natural limit"),
                         Text(vi="thấp hơn giới hạn tự nhiên dưới",
                              en="below the lower natural limit")),
    "lower_is_better": (Text(vi="thấp hơn giới hạn tự nhiên dưới",
                             en="below the lower natural limit"),
                        Text(vi="cao hơn giới hạn tự nhiên trên",
                             en="above the upper natural limit")),
}

_SHAPES = {
    (True, False): Text(vi="có xu hướng", en="trends"),
    (False, True): Text(vi="có tính mùa vụ", en="has a seasonal pattern"),
    (True, True): Text(vi="có xu hướng và tính mùa vụ", en="trends and has a seasonal pattern"),
}

TARGET_FIELDS = ("target", "target_low", "target_high")
NUMBER_FIELDS = ("favourable_limit", "unfavourable_limit", "lower_next", "upper_next",
                 "centre_next", "committed_level", "stretch_level")


def decimals_for(spread: float, unit: str | None) -> int:
    """Return how many decimals a KPI's numbers deserve, from the width of its natural range."""
    if unit == "count":
        return 0
    if not math.isfinite(spread) or spread <= 0:
        return 2
    return max(0, min(4, 2 - math.floor(math.log10(spread))))


def localized_values(fact: dict, lang: str, decimals: int, name: Text) -> dict[str, str]:
    """Return the fact's values as text in `lang`, with the language-specific extras added."""
    values: dict[str, str] = {}
    for key, value in fact.items():
        if key in TARGET_FIELDS:
            # A target is shown as the team set it, not rounded to the process's precision.
            values[key] = number_text(value, lang, max(decimals, 4))
        elif key in NUMBER_FIELDS:
            values[key] = number_text(value, lang, decimals)
        elif isinstance(value, list):
            values[key] = ", ".join(str(v) for v in value)
        elif isinstance(value, float):
            values[key] = number_text(value, lang, 2)
        else:
            values[key] = str(value)
    values["name"] = name.pick(lang)
    direction = fact.get("direction")
    if direction in _BEYOND:
        favourable, unfavourable = _BEYOND[direction]
        values["beyond_favourable_text"] = favourable.pick(lang)
        values["beyond_unfavourable_text"] = unfavourable.pick(lang)
    kinds = fact.get("recent_signal_rules", [])
    values["recent_signal_names"] = "; ".join(SIGNAL_NAMES[k].pick(lang) for k in kinds)
    shape = _SHAPES.get((bool(fact.get("trend")), bool(fact.get("seasonal"))))
    if shape:
        values["shape_text"] = shape.pick(lang)
    return values


def explain(reason: RuleText, fact: dict, decimals: int, name: Text) -> Text:
    """Return a rule's reason with the fact filled in, in both languages."""
    return Text(**{lang: reason.pick(lang).format_map(
        Blank(localized_values(fact, lang, decimals, name))) for lang in ("vi", "en")})


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
