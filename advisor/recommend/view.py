"""The recommendation as the API, the CLI and the wizard show it, in one language."""

from advisor.recommend.selection import BALANCE_NEEDS, Candidate, Selection
from catalog.labels import label
from catalog.loader import Catalog
from catalog.models import Kpi, Text
from catalog.vocab import PERSPECTIVES

TEMPLATES = {
    "higher_is_better": Text(vi="Tăng {name} từ [mức hiện tại] lên [mục tiêu] trước [ngày]",
                             en="Raise {name} from [baseline] to [target] by [date]"),
    "lower_is_better": Text(vi="Giảm {name} từ [mức hiện tại] xuống [mục tiêu] trước [ngày]",
                            en="Lower {name} from [baseline] to [target] by [date]"),
    "in_range": Text(vi="Giữ {name} trong khoảng [thấp nhất]–[cao nhất] đến [ngày]",
                     en="Keep {name} between [minimum] and [maximum] until [date]"),
}

WARNINGS = {
    "goal_unserved/no_kpi_in_scope": Text(
        vi="Không KPI nào trong các bộ phận đã chọn phục vụ mục tiêu “{goal}”. "
           "Hãy thêm bộ phận phù hợp hoặc bỏ mục tiêu này.",
        en="No KPI in the chosen departments serves the goal “{goal}”. "
           "Add a department that does, or drop the goal."),
    "goal_unserved/no_room": Text(
        vi="Mục tiêu “{goal}” chưa có KPI vì các bộ phận đã đủ số KPI tối đa. "
           "Hãy tăng số KPI mỗi bộ phận hoặc bớt mục tiêu.",
        en="The goal “{goal}” has no KPI because the departments are full. "
           "Raise the number of KPIs per department or choose fewer goals."),
    "balance_unmet/no_measurable_kpi": Text(
        vi="Bộ phận {department} chưa có KPI {need}: không có KPI loại này đo được bằng dữ liệu "
           "hiện có. Hãy bổ sung nguồn dữ liệu.",
        en="{department} has no {need} KPI: none of that kind can be measured with the data "
           "you have. Add a data source."),
    "balance_unmet/no_room": Text(
        vi="Bộ phận {department} chưa có KPI {need} vì số KPI tối đa quá nhỏ để vừa cân bằng "
           "vừa phục vụ các mục tiêu.",
        en="{department} has no {need} KPI because the KPI limit is too small to both balance "
           "the set and serve every goal."),
    "keep_over_limit": Text(
        vi="Bộ phận {department} phải giữ {count} KPI, nhiều hơn giới hạn {limit}.",
        en="{department} must keep {count} KPIs, more than its limit of {limit}."),
    "pair_missing": Text(
        vi="“{kpi}” nên đi kèm KPI đối trọng “{counter}” để tránh chạy theo con số, nhưng không "
           "còn chỗ hoặc thiếu dữ liệu; hãy cân nhắc thay một KPI khác.",
        en="“{kpi}” should come with its counter-KPI “{counter}” to guard against gaming, but "
           "there is no room or no data for it; consider swapping another KPI out."),
}

STEP_TEXT = {
    "keep": Text(vi="Khách hàng yêu cầu giữ KPI này.", en="The client asked to keep this KPI."),
    "goal": Text(vi="Được chọn để phục vụ mục tiêu “{detail}”.",
                 en="Chosen to serve the goal “{detail}”."),
    "balance": Text(vi="Được chọn để cân bằng bộ KPI ({detail}).",
                    en="Chosen to balance the set ({detail})."),
    "score": Text(vi="Một trong những KPI có điểm phù hợp cao nhất của bộ phận.",
                  en="Among the department's best-scoring KPIs."),
    "pair": Text(vi="KPI đối trọng cho {detail}.", en="Counter-KPI for {detail}."),
}


def _reason_values(fact: dict, lang: str) -> dict[str, str]:
    """Return the placeholder values a reason text may use, in `lang`."""
    def names(vocab: str, words: list[str]) -> str:
        return ", ".join(label(vocab, w).pick(lang) for w in words) or "-"
    return {
        "goals": names("goals", fact["matched_goals"]),
        "missing": names("data_sources", fact["missing_sources"]),
        "channels": names("channels", fact["channels"]),
        "stage": fact.get("stage", "-"),
        "business_model": fact.get("business_model", "-"),
    }


def render_reason(reason: Text, fact: dict, lang: str) -> str:
    """Return a rule's reason in `lang` with the answers behind it filled in."""
    values = _reason_values(fact, lang)
    try:
        return reason.pick(lang).format(**values)
    except (KeyError, IndexError, ValueError):
        return reason.pick(lang)


def _need_text(need: list, lang: str) -> str:
    attribute, value = need
    vocab = "financial" if attribute == "financial" else "indicators"
    return label(vocab, value).pick(lang).lower()


def warning_values(warning: dict, lang: str, catalog: Catalog) -> dict:
    """Return a warning's details as its message shows them in `lang`: goals, departments,
    balance needs and KPI ids as names (shared with the wizard's set warnings)."""
    values = {key: value for key, value in warning.items() if key != "code"}
    if "goal" in values:
        values["goal"] = label("goals", values["goal"]).pick(lang)
    if "department" in values:
        values["department"] = label("departments", values["department"]).pick(lang)
    if "need" in values:
        values["need"] = _need_text(values["need"], lang)
    for key in ("kpi", "counter", "other", "suggest"):
        kpi = catalog.get(values[key]) if isinstance(values.get(key), str) else None
        if kpi is not None:
            values[key] = kpi.name.pick(lang)
    return values


def warning_json(warning: dict, lang: str, catalog: Catalog) -> dict:
    """Return a warning with its message in `lang`."""
    key = warning["code"] + (f"/{warning['reason']}" if "reason" in warning else "")
    message = WARNINGS[key].pick(lang).format(**warning_values(warning, lang, catalog))
    return {**warning, "message": message}


def _data_source(kpi: Kpi, have: set[str]) -> str:
    """Return the data source to measure with: one the client has, else the first needed."""
    return next((s for s in kpi.data_sources if s in have), kpi.data_sources[0])


def _why_picked(candidate: Candidate, lang: str) -> list[str]:
    texts = []
    for step in candidate.picked_for:
        detail = step["detail"]
        if step["step"] == "goal":
            detail = label("goals", detail).pick(lang)
        elif step["step"] == "balance":
            attribute, value = detail.split("=", 1)
            detail = _need_text([attribute, value == "True" if attribute == "financial"
                                 else value], lang)
        texts.append(STEP_TEXT[step["step"]].pick(lang).format(detail=detail))
    return texts


def kpi_item(candidate: Candidate, have: set[str], catalog: Catalog, lang: str) -> dict:
    """Return one chosen KPI as the answer shows it."""
    kpi = candidate.kpi
    name = kpi.name.pick(lang)
    counter = kpi.counter_kpis[0] if kpi.counter_kpis else None
    item = {
        "id": kpi.id, "department": kpi.department, "name": name,
        "financial": kpi.financial, "perspective": kpi.perspective, "indicator": kpi.indicator,
        "score": candidate.score,
        "reasons": [{"rule": r["rule"], "text": render_reason(r["reason"], candidate.fact, lang)}
                    for r in candidate.reasons],
        "selected_because": _why_picked(candidate, lang),
        "owner_role": kpi.owner_role.pick(lang), "frequency": kpi.frequency,
        "data_source": _data_source(kpi, have), "unit": kpi.unit, "direction": kpi.direction,
        "smart_template": TEMPLATES[kpi.direction].pick(lang).format(name=_lower_first(name)),
        "counter_kpi": _ref(counter, catalog, lang),
        "pitfalls": [p.pick(lang) for p in kpi.pitfalls],
        "flags": [{"rule": f["rule"], "code": f["code"],
                   "text": render_reason(f["reason"], candidate.fact, lang)}
                  for f in candidate.flags],
        "collect_data": [] if have & set(kpi.data_sources) else kpi.data_sources[:1],
    }
    return item


def _lower_first(name: str) -> str:
    """Return `name` with a lower-case first letter, unless it starts an acronym (MQL, NPS)."""
    if len(name) > 1 and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _ref(kpi_id: str | None, catalog: Catalog, lang: str) -> dict | None:
    if kpi_id is None:
        return None
    return {"id": kpi_id, "name": catalog.by_id[kpi_id].name.pick(lang)}


def balance_json(chosen: list[Candidate], departments: list[str]) -> dict:
    """Return counts of financial/non-financial, perspectives and leading/lagging, overall and
    per department, with whether each department meets the balance needs."""
    def counts(group: list[Candidate]) -> dict:
        return {
            "total": len(group),
            "financial": sum(c.kpi.financial for c in group),
            "non_financial": sum(not c.kpi.financial for c in group),
            "leading": sum(c.kpi.indicator == "leading" for c in group),
            "lagging": sum(c.kpi.indicator == "lagging" for c in group),
            "perspectives": {p: sum(c.kpi.perspective == p for c in group) for p in PERSPECTIVES},
        }
    per_department = {}
    for department in departments:
        group = [c for c in chosen if c.kpi.department == department]
        per_department[department] = {
            **counts(group),
            "balanced": all(any(c.satisfies(n) for c in group) for n in BALANCE_NEEDS),
        }
    return {**counts(chosen), "departments": per_department}


def recommendation_json(selection: Selection, request, catalog: Catalog, trace: list) -> dict:
    """Return the full answer: kpis, balance, alternatives, warnings, trace."""
    lang = request.lang
    have = set(request.data_sources or [])
    chosen = [c for d in request.departments for c in selection.chosen[d]]
    alternatives = {
        d: [{"id": c.kpi.id, "name": c.kpi.name.pick(lang), "score": c.score,
             "financial": c.kpi.financial, "indicator": c.kpi.indicator,
             "perspective": c.kpi.perspective, "measurable": c.measurable}
            for c in group]
        for d, group in selection.alternatives.items()
    }
    return {
        "kpis": [kpi_item(c, have, catalog, lang) for c in chosen],
        "balance": balance_json(chosen, list(request.departments)),
        "alternatives": alternatives,
        "warnings": [warning_json(w, lang, catalog) for w in selection.warnings],
        "limit_per_department": selection.cap,
        "trace": trace,
    }
