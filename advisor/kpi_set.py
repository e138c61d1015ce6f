"""The consultant's working KPI set: built from the interview, edited, explained and re-balanced.

The recommendation picks a set; the consultant then swaps, removes and adds KPIs. Every view of
the set is recomputed from its current KPI ids, so the balance and the warnings always describe
what is on the page, not what was first recommended.
"""

import json
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from advisor.errors import InvalidInputError
from advisor.interview import parse_answers
from advisor.models import RecommendRequest
from advisor.plan_models import Plan, PlanKpi
from advisor.recommend import recommend_kpis, score_candidates
from advisor.recommend_view import balance_json, kpi_item, render_reason, warning_values
from advisor.selection import BALANCE_NEEDS, Candidate, rank_key
from catalog.loader import Catalog
from catalog.models import Text

ADDED = Text(vi="Do chuyên gia tư vấn thêm vào bộ KPI.", en="Added to the set by the consultant.")

SET_WARNINGS = {
    "goal_unserved": Text(
        vi="Chưa KPI nào trong bộ phục vụ mục tiêu “{goal}”.{hint}",
        en="No KPI in the set serves the goal “{goal}”.{hint}"),
    "goal_hint": Text(vi=" Có thể thêm “{kpi}”.", en=" You could add “{kpi}”."),
    "department_empty": Text(
        vi="Bộ phận {department} chưa có KPI nào; hãy thêm ít nhất một KPI.",
        en="{department} has no KPI yet; add at least one."),
    "balance_unmet": Text(
        vi="Bộ phận {department} chưa có KPI {need}; bộ KPI đang lệch.",
        en="{department} has no {need} KPI; the set is lopsided."),
    "over_limit": Text(
        vi="Bộ phận {department} có {count} KPI, nhiều hơn mức {limit} mà đội có thể theo dõi.",
        en="{department} has {count} KPIs, more than the {limit} the team said it can track."),
    "pair_missing": Text(
        vi="“{kpi}” nên đi kèm KPI đối trọng “{counter}” để tránh chạy theo con số.",
        en="“{kpi}” should come with its counter-KPI “{counter}” to guard against gaming."),
    "duplicate": Text(
        vi="“{kpi}” và “{other}” đo gần như cùng một điều; hãy giữ một trong hai.",
        en="“{kpi}” and “{other}” measure much the same thing; keep one of them."),
}


def recommend_request(answers: dict, lang: str) -> RecommendRequest:
    """Return the recommendation request for finished interview answers, or raise
    InvalidInputError naming each missing or bad answer."""
    given = parse_answers(answers).given()
    try:
        return RecommendRequest.model_validate({**given, "lang": lang})
    except ValidationError as exc:
        raise InvalidInputError([
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors(include_url=False)
        ]) from exc


@lru_cache(maxsize=128)
def _recommendation_text(catalog: Catalog, request_json: str) -> str:
    """Return recommend_kpis for a request given as JSON, as JSON text (same catalog and answers,
    same answer); kept as text so that every caller gets a copy of its own to change."""
    request = RecommendRequest.model_validate_json(request_json)
    return json.dumps(recommend_kpis(request, catalog), ensure_ascii=False)


@lru_cache(maxsize=128)
def _candidates(catalog: Catalog, request_json: str) -> Mapping[str, Candidate]:
    """Return every in-scope catalog KPI scored by the recommend rules, keyed by id (read-only:
    the candidates are only read here, and what leaves this module is built from them)."""
    request = RecommendRequest.model_validate_json(request_json)
    return MappingProxyType({c.kpi.id: c for c in score_candidates(request, catalog)[0]})


def _key(request: RecommendRequest) -> str:
    """Return the request as JSON without the organisation's name, which changes nothing."""
    return request.model_copy(update={"org_name": None}).model_dump_json()


def recommendation(request: RecommendRequest, catalog: Catalog) -> dict:
    """Return the recommendation for `request` from `catalog`, computed once per distinct
    request and catalog; the caller may change the copy it gets."""
    return json.loads(_recommendation_text(catalog, _key(request)))


def initial_plan(answers: dict, lang: str, catalog: Catalog, previous: Plan | None = None) -> Plan:
    """Return a draft plan holding the set recommended from `catalog`; details typed into
    `previous` are kept for the KPIs that stay."""
    request = recommend_request(answers, lang)
    kept = {k.kpi_id: k for k in previous.kpis} if previous else {}
    kpis = [_plan_kpi(item["id"], kept.get(item["id"]), catalog, item)
            for item in recommendation(request, catalog)["kpis"]]
    return Plan(org_name=request.org_name, goals=list(request.goals),
                departments=list(request.departments), data_sources=request.data_sources,
                kpis=kpis, lang=request.lang)


def _plan_kpi(kpi_id: str, old: PlanKpi | None, catalog: Catalog,
              item: dict | None = None) -> PlanKpi:
    """Return a plan KPI for a catalog id: old details if any, else the recommended defaults."""
    if old is not None:
        return old
    kpi = catalog.by_id[kpi_id]
    source = item["data_source"] if item else kpi.data_sources[0]
    return PlanKpi.model_validate({"kpi_id": kpi_id, "department": kpi.department,
                                   "frequency": kpi.frequency, "data_source": source})


def _known(kpi_id: str, plan: Plan, catalog: Catalog, field: str) -> None:
    """Raise InvalidInputError unless `kpi_id` is a catalog KPI of a department in scope."""
    kpi = catalog.get(kpi_id)
    if kpi is None:
        raise InvalidInputError([{"field": field, "message": f"unknown KPI id {kpi_id!r}"}])
    if kpi.department not in plan.departments:
        raise InvalidInputError([{"field": field, "message":
                                  f"{kpi_id} belongs to a department outside the plan"}])
    if kpi_id in _ids(plan):
        raise InvalidInputError([{"field": field, "message": f"{kpi_id} is already in the set"}])


def _ids(plan: Plan) -> list[str]:
    return [k.kpi_id for k in plan.kpis if k.kpi_id]


def _position(plan: Plan, kpi_id: str) -> int:
    ids = [k.kpi_id for k in plan.kpis]
    if kpi_id not in ids:
        raise InvalidInputError([{"field": "kpi_id", "message": f"{kpi_id} is not in the set"}])
    return ids.index(kpi_id)


def swap_kpi(plan: Plan, old_id: str, new_id: str, catalog: Catalog) -> Plan:
    """Return the plan with `old_id` replaced, in place, by the catalog KPI `new_id`."""
    position = _position(plan, old_id)
    _known(new_id, plan, catalog, "kpi_id")
    kpis = list(plan.kpis)
    kpis[position] = _plan_kpi(new_id, None, catalog)
    return plan.model_copy(update={"kpis": kpis})


def remove_kpi(plan: Plan, kpi_id: str) -> Plan:
    """Return the plan without `kpi_id`; a plan keeps at least one KPI."""
    position = _position(plan, kpi_id)
    if len(plan.kpis) == 1:
        raise InvalidInputError([{"field": "kpi_id", "message": "a plan needs at least one KPI"}])
    kpis = [k for i, k in enumerate(plan.kpis) if i != position]
    return plan.model_copy(update={"kpis": kpis})


def add_kpi(plan: Plan, kpi_id: str, catalog: Catalog) -> Plan:
    """Return the plan with the catalog KPI `kpi_id` added after its department's KPIs."""
    _known(kpi_id, plan, catalog, "kpi_id")
    department = catalog.by_id[kpi_id].department
    kpis = list(plan.kpis)
    last = max((i for i, k in enumerate(kpis) if k.department == department), default=None)
    kpis.insert(len(kpis) if last is None else last + 1, _plan_kpi(kpi_id, None, catalog))
    return plan.model_copy(update={"kpis": kpis})


def working_set(answers: dict, kpi_ids: list[str], lang: str, catalog: Catalog) -> dict:
    """Return the set as it stands: each KPI explained, balance, warnings and, per department,
    the best alternatives from `catalog` not in the set."""
    request = recommend_request(answers, lang)
    key = _key(request)
    recommended = {item["id"]: item for item in recommendation(request, catalog)["kpis"]}
    candidates = _candidates(catalog, key)
    have = set(request.data_sources or [])
    items = [recommended.get(i) or _added_item(candidates, i, have, catalog, lang)
             for i in kpi_ids if i in candidates]
    chosen = [candidates[i] for i in kpi_ids if i in candidates]
    return {
        "kpis": items,
        "balance": balance_json(chosen, list(request.departments)),
        "warnings": set_warnings(chosen, candidates, request, lang, catalog),
        "alternatives": alternatives(candidates, kpi_ids, list(request.departments), lang),
        "departments": list(request.departments),
        "limit_per_department": request.max_kpis_per_department,
    }


def _added_item(candidates, kpi_id, have, catalog, lang) -> dict:
    item = kpi_item(candidates[kpi_id], have, catalog, lang)
    item["selected_because"] = [ADDED.pick(lang)]
    return item


def alternatives(candidates: Mapping[str, Candidate], kpi_ids: list[str], departments: list[str],
                 lang: str, limit: int = 8) -> dict[str, list[dict]]:
    """Return, per department, the best-ranked KPIs that are not in the set."""
    found = {}
    for department in departments:
        rest = [c for c in candidates.values() if c.kpi.department == department
                and c.kpi.id not in kpi_ids and not c.excluded]
        found[department] = [_alternative(c, lang) for c in sorted(rest, key=rank_key)[:limit]]
    return found


def _alternative(candidate: Candidate, lang: str) -> dict:
    kpi = candidate.kpi
    return {"id": kpi.id, "name": kpi.name.pick(lang), "department": kpi.department,
            "score": candidate.score, "financial": kpi.financial, "indicator": kpi.indicator,
            "perspective": kpi.perspective, "measurable": candidate.measurable,
            "reasons": [render_reason(r["reason"], candidate.fact, lang)
                        for r in candidate.reasons]}


def set_warnings(chosen: list[Candidate], candidates: Mapping[str, Candidate],
                 request: RecommendRequest, lang: str, catalog: Catalog) -> list[dict]:
    """Return what the current set lacks or overdoes: goals unserved, balance, size, pairs,
    duplicates; each with a code, the details and a message in `lang`."""
    found = _goal_warnings(chosen, candidates, request)
    for department in request.departments:
        found += _department_warnings(department, chosen, request.max_kpis_per_department)
    found += _pair_warnings(chosen)
    found += _duplicate_warnings(chosen)
    return [_message(w, lang, catalog) for w in found]


def _goal_warnings(chosen, candidates, request) -> list[dict]:
    found = []
    for goal in request.goals:
        if any(goal in c.kpi.goals for c in chosen):
            continue
        serving = sorted((c for c in candidates.values() if goal in c.kpi.goals
                          and not c.excluded), key=rank_key)
        found.append({"code": "goal_unserved", "goal": goal,
                      "suggest": serving[0].kpi.id if serving else None})
    return found


def _department_warnings(department: str, chosen: list[Candidate], limit: int) -> list[dict]:
    group = [c for c in chosen if c.kpi.department == department]
    if not group:
        return [{"code": "department_empty", "department": department}]
    found: list[dict[str, Any]] = [
        {"code": "balance_unmet", "department": department, "need": list(need)}
        for need in BALANCE_NEEDS if not any(c.satisfies(need) for c in group)]
    if len(group) > limit:
        found.append({"code": "over_limit", "department": department, "count": len(group),
                      "limit": limit})
    return found


def _pair_warnings(chosen: list[Candidate]) -> list[dict]:
    ids = {c.kpi.id for c in chosen}
    return [{"code": "pair_missing", "kpi": c.kpi.id, "counter": counter}
            for c in chosen for counter in dict.fromkeys(c.pair_with) if counter not in ids]


def _duplicate_warnings(chosen: list[Candidate]) -> list[dict]:
    found = []
    for i, first in enumerate(chosen):
        for second in chosen[i + 1:]:
            if first.kpi.overlaps(second.kpi):
                found.append({"code": "duplicate", "kpi": first.kpi.id, "other": second.kpi.id})
    return found


def _message(warning: dict, lang: str, catalog: Catalog) -> dict:
    """Return the warning with its message in `lang`, ids and words turned into names."""
    values = warning_values(warning, lang, catalog)
    if "goal" in values:
        values["hint"] = SET_WARNINGS["goal_hint"].pick(lang).format(kpi=values["suggest"]) \
            if warning.get("suggest") else ""
    return {**warning, "message": SET_WARNINGS[warning["code"]].pick(lang).format(**values)}
