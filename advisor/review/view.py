"""Reviews as people read them: numbers in each language's style, reasons filled in, JSON shapes."""

import math

from advisor.formatting import Blank, number_text
from advisor.review.models import KpiReview, Text
from advisor.review.policy import review_policy
from rules.models import Text as RuleText

_SIGNAL_NAMES: dict[str, Text] = {
    "beyond_limit": Text(vi="điểm vượt giới hạn tự nhiên", en="a point beyond a natural limit"),
    "run_of_8": Text(vi="{run} điểm liền cùng một phía đường trung tâm",
                     en="{run} points in a row on one side of the centre line"),
    "three_of_four": Text(vi="3 trong 4 điểm liền gần giới hạn",
                          en="3 of 4 points in a row near a limit"),
    "range_beyond_url": Text(vi="bước nhảy vượt giới hạn khoảng biến động",
                             en="a jump beyond the upper range limit"),
}
ACTION_NAMES: dict[str, Text] = {
    "raise": Text(vi="Nâng mục tiêu", en="Raise the target"),
    "lower": Text(vi="Hạ mục tiêu", en="Lower the target"),
    "keep": Text(vi="Giữ mục tiêu", en="Keep the target"),
    "investigate": Text(vi="Tìm nguyên nhân", en="Investigate"),
    "change_process": Text(vi="Thay đổi quy trình", en="Change the process"),
}


def signal_name(code: str, lang: str, run_length: int | None = None) -> str:
    """Return the readable name of a detection rule (its code, e.g. run_of_8, stays in JSON)."""
    run = run_length or review_policy().run_length
    return _SIGNAL_NAMES[code].pick(lang).format(run=run)


def action_name(action: str, lang: str) -> str:
    """Return the readable name of a suggestion (raise, lower, keep, ...)."""
    return ACTION_NAMES[action].pick(lang)


def signals_text(review: KpiReview, lang: str) -> str:
    """Return the review's signals as a person reads them: rule names and periods."""
    return "; ".join(f"{signal_name(s.rule, lang)}: {', '.join(s.periods)}"
                     for s in review.signals)

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
                 "centre_next", "committed_level", "stretch_level", "committed_level_next",
                 "stretch_level_next")


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
        elif isinstance(value, bool):
            values[key] = _YES_NO[value].pick(lang)
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
    values["recent_signal_names"] = "; ".join(signal_name(k, lang) for k in kinds)
    shape = _SHAPES.get((bool(fact.get("trend")), bool(fact.get("seasonal"))))
    if shape:
        values["shape_text"] = shape.pick(lang)
    values["attainment_text"] = _attainment_text(fact, lang)
    return values


_YES_NO = {True: Text(vi="có", en="yes"), False: Text(vi="không", en="no")}
_MET_SO_FAR = Text(vi="đã đạt {met}/{of} kỳ", en="met in {met} of {of} periods so far")
_NO_PERIOD_YET = Text(vi="chưa kỳ nào có mục tiêu này", en="no period has had this target yet")


def _attainment_text(fact: dict, lang: str) -> str:
    """Return what actually happened with the target, counted (never "almost always")."""
    of = fact.get("periods_with_target", 0)
    if not of:
        return _NO_PERIOD_YET.pick(lang)
    return _MET_SO_FAR.pick(lang).format(met=fact.get("periods_met", 0), of=of)


_BASIS_NOTES = {
    "values": Text(vi="Giới hạn tính trực tiếp trên các giá trị đo, từ giai đoạn ổn định "
                      "{baseline_start} đến {baseline_end} ({baseline_count} kỳ).",
                   en="Limits computed on the measured values, from the stable stretch "
                      "{baseline_start} to {baseline_end} ({baseline_count} periods)."),
    "season_adjusted": Text(
        vi="Chuỗi có tính mùa vụ: giới hạn tính trên giá trị đã khử mùa vụ, từ {baseline_start} "
           "đến {baseline_end} ({baseline_count} kỳ); mục tiêu được so với mức đã khử mùa vụ, "
           "không với riêng mùa của kỳ tới.",
        en="The history is seasonal: limits computed on the season-adjusted values, from "
           "{baseline_start} to {baseline_end} ({baseline_count} periods); targets are judged "
           "against the season-adjusted level, not against the next period's season alone."),
    "forecast_residuals": Text(
        vi="Chuỗi có xu hướng hoặc mùa vụ: giới hạn tính trên sai số dự báo, quanh đường kỳ "
           "vọng.",
        en="The history trends or is seasonal: limits are computed on the forecast errors, "
           "around the expected path."),
}
_PROVISIONAL_NOTE = Text(
    vi=" Giới hạn còn tạm thời: mới có {baseline_count} kỳ, cần từ {provisional_below} kỳ.",
    en=" The limits are provisional: {baseline_count} periods so far, {provisional_below} "
       "are needed.")
_EXCLUDED_NOTE = Text(vi=" {excluded_count} kỳ bị loại trừ không được tính.",
                      en=" {excluded_count} excluded periods are left out.")


def basis_note(fact: dict) -> Text:
    """Return, in both languages, what the limits were computed on and how far to trust them."""
    parts = [_BASIS_NOTES[fact["basis"]]]
    if fact.get("provisional"):
        parts.append(_PROVISIONAL_NOTE)
    if fact.get("excluded_count"):
        parts.append(_EXCLUDED_NOTE)
    return Text(**{lang: "".join(p.pick(lang) for p in parts).format_map(Blank(
        {k: str(v) for k, v in fact.items()})) for lang in ("vi", "en")})


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


_LABELS: dict[str, Text] = {key: Text(vi=vi, en=en) for key, (vi, en) in {
    "kpi": ("KPI", "KPI"),
    "status": ("Trạng thái", "Status"),
    "basis": ("Giới hạn", "Limits"),
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
}.items()}


def _number(review: KpiReview, value: float | None, lang: str) -> str:
    natural = review.natural_range_next
    return number_text(value, lang, decimals_for(
        natural.upper - natural.lower if natural else 0.0, review.unit))


def review_pairs(review: KpiReview, lang: str) -> list[tuple[str, str]]:
    """Return one KPI's review as (label, text) lines a person reads in `lang`: readable names
    of signals and suggestions, never their codes (the terminal prints these)."""
    say = {key: text.pick(lang) for key, text in _LABELS.items()}
    pairs = [(say["kpi"], f"{review.name.pick(lang)} ({review.points} × "
                          f"{review.frequency or '?'})")]
    if review.status != "ok":
        return [*pairs, (say["status"], review.message.pick(lang))]
    natural, suggestion, fmt = review.natural_range_next, review.suggestion, _number
    ahead = ", ".join(f"{f.period} {fmt(review, f.value, lang)} ({fmt(review, f.lower, lang)}–"
                      f"{fmt(review, f.upper, lang)})" for f in review.forecast)
    pairs += [
        (say["basis"], review.basis_note.pick(lang) if review.basis_note else ""),
        (say["range"], f"{fmt(review, natural.lower, lang)} – {fmt(review, natural.centre, lang)}"
                       f" – {fmt(review, natural.upper, lang)}"),
        (say["signals"], signals_text(review, lang) or say["none"]),
        (say["forecast"], ahead),
    ]
    if review.probability_of_target is not None:
        pairs.append((say["probability"], f"{100 * review.probability_of_target:.0f}%"))
    attainment = review.attainment
    if attainment and attainment.periods_with_target:
        pairs.append((say["attainment"],
                      f"{attainment.periods_met}/{attainment.periods_with_target}"))
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
