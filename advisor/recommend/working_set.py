"""The consultant's working KPI set: built from the interview, edited, explained and re-balanced.

The recommendation picks a set; the consultant then swaps, removes and adds KPIs. Every view of
the set is recomputed from its current KPI ids, so the balance and the warnings always describe
what is on the page, not what was first recommended.
"""

import json
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from pydantic import ValidationError

from advisor.errors import InvalidInputError
from advisor.interview import parse_answers
from advisor.models import RecommendRequest
from advisor.plan_models import Plan, PlanKpi
from advisor.recommend.candidate import Candidate, rank_key
from advisor.recommend.facts import recommend_kpis, recommend_policy, score_candidates
from advisor.recommend.view import (
    alternative_json,
    balance_json,
    client_context,
    guard_json,
    kpi_item,
    warnings_json,
)
from catalog.loader import Catalog


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
    """Return the set as it stands: each KPI explained (its fit and its guard in this set),
    balance, what the set lacks and, per department, the best alternatives not in the set."""
    request = recommend_request(answers, lang)
    policy = recommend_policy()
    key = _key(request)
    recommendation_ = recommendation(request, catalog)
    recommended = {item["id"]: item for item in recommendation_["kpis"]}
    candidates = _candidates(catalog, key)
    context = client_context(request)
    ids = [i for i in kpi_ids if i in candidates]
    in_set = set(ids)
    items = []
    for kpi_id in ids:
        item = recommended.get(kpi_id) or kpi_item(candidates[kpi_id], context, catalog, lang,
                                                    [], in_set)
        item["guard"] = guard_json(candidates[kpi_id], in_set, "edited", catalog, lang)
        items.append(item)
    chosen = [candidates[i] for i in ids]
    limit = recommendation_["limit_per_department"]
    return {
        "kpis": items,
        "balance": balance_json(chosen, list(request.departments), policy.needs()),
        "warnings": warnings_json(chosen, candidates.values(), request, limit, policy, catalog),
        "alternatives": alternatives(candidates, kpi_ids, list(request.departments), context,
                                     lang),
        "departments": list(request.departments),
        "limit_per_department": limit,
    }


def alternatives(candidates: Mapping[str, Candidate], kpi_ids: list[str], departments: list[str],
                 context: dict, lang: str, limit: int = 8) -> dict[str, list[dict]]:
    """Return, per department, the best-ranked fitting KPIs that are not in the set."""
    found = {}
    for department in departments:
        rest = [c for c in candidates.values() if c.kpi.department == department
                and c.kpi.id not in kpi_ids and not c.excluded]
        found[department] = [alternative_json(c, context, lang)
                             for c in sorted(rest, key=rank_key)[:limit]]
    return found
