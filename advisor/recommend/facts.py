"""Scoring the catalog for a client: the facts the recommend rules see, their hits."""

from advisor.errors import InvalidInputError
from advisor.fit import ANSWER_OF, FitRule
from advisor.models import RecommendRequest
from advisor.recommend.selection import Candidate, reason_entry, select_kpis
from advisor.recommend.view import recommendation_json
from catalog.loader import Catalog
from catalog.models import Kpi
from rules.engine import hits_by_fact
from rules.loader import load_builtin
from rules.models import RuleSet
from rules.policy import RecommendPolicy

_NOTHING: list[str] = []  # shared by the facts of KPIs with nothing missing; never changed
CLIENT_FIELDS = ("industry", "revenue_model", "business_model", "stage", "size",
                 "sales_motion", "email_list_size", "monthly_ad_budget")


def recommend_kpis(request: RecommendRequest, catalog: Catalog,
                   ruleset: RuleSet | None = None) -> dict:
    """Return the recommended KPI set with reasons, balance, alternatives, warnings and trace."""
    ruleset = ruleset or load_builtin("recommend")
    policy = recommend_policy(ruleset)
    _check_keep(request, catalog)
    # KPIs that do not fit the context can be neither chosen nor offered: no facts for them.
    candidates, hits = score_candidates(request, catalog, ruleset, only_fitting=True)
    selection = select_kpis(candidates, request, policy)
    shown = {c.kpi.id for group in (*selection.chosen.values(), *selection.alternatives.values())
             for c in group}
    trace = _trace(candidates, hits, shown)
    return recommendation_json(selection, candidates, request, catalog, policy, trace)


def _trace(candidates: list[Candidate], hits: list[tuple], shown: set[str]) -> list[dict]:
    """Return every rule that fired for the KPIs shown (chosen or offered as alternatives)."""
    steps: dict[int, list[tuple[str, str]]] = {}
    trace = []
    for candidate, fired in zip(candidates, hits, strict=True):
        if candidate.kpi.id not in shown:
            continue
        pairs = steps.get(id(fired))
        if pairs is None:
            pairs = steps[id(fired)] = [(hit.rule_id, hit.action.action) for hit in fired]
        kpi_id = candidate.kpi.id
        trace += [{"rule": rule, "kpi": kpi_id, "action": action} for rule, action in pairs]
    return trace


def recommend_policy(ruleset: RuleSet | None = None) -> RecommendPolicy:
    """Return the selection policy of the recommend rule set (the built-in one by default);
    a rule set without a policy block takes the built-in policy."""
    if ruleset is not None and ruleset.policy is not None:
        return ruleset.policy_as(RecommendPolicy)
    return load_builtin("recommend").policy_as(RecommendPolicy)


def score_candidates(request: RecommendRequest, catalog: Catalog,
                     ruleset: RuleSet | None = None,
                     only_fitting: bool = False) -> tuple[list[Candidate], list[tuple]]:
    """Return every in-scope catalog KPI (with `only_fitting`, those that fit the client's
    context or are kept) as a Candidate scored by the recommend rules, and per KPI the rules
    that fired for it (rules.engine.Hit)."""
    kpis, facts = kpi_facts(_kpis_in_scope(request, catalog), request, catalog, only_fitting)
    hits = hits_by_fact(ruleset or load_builtin("recommend"), facts)
    return _candidates(kpis, facts, hits), hits


def _check_keep(request: RecommendRequest, catalog: Catalog) -> None:
    """Raise InvalidInputError for kept KPIs that are unknown or outside the departments."""
    errors = []
    for i, kpi_id in enumerate(request.keep or []):
        kpi = catalog.get(kpi_id)
        if kpi is None:
            errors.append({"field": f"keep.{i}", "message": f"unknown KPI id {kpi_id!r}; see "
                           "GET /api/v1/kpis for the catalog ids"})
        elif kpi.department not in request.departments:
            errors.append({"field": f"keep.{i}", "message": f"{kpi_id} belongs to "
                           f"{kpi.department}, which is not among the departments in scope"})
    if errors:
        raise InvalidInputError(errors)


def _kpis_in_scope(request: RecommendRequest, catalog: Catalog) -> list[Kpi]:
    """Return the catalog KPIs of the departments in scope, in catalog order."""
    return [k for k in catalog.kpis if k.department in request.departments]


def _fit_rules(catalog: Catalog) -> dict[str, FitRule]:
    """Return, per KPI id, its fits and misfits as plain conditions (built once per catalog)."""
    rules = catalog.memo.get("recommend_fit_rules")
    if rules is None:
        rules = catalog.memo["recommend_fit_rules"] = {
            kpi.id: FitRule.of(kpi) for kpi in catalog.kpis}
    return rules


def kpi_facts(kpis: list[Kpi], request: RecommendRequest, catalog: Catalog,
              only_fitting: bool = False) -> tuple[list[Kpi], list[dict]]:
    """Return the KPIs and the flat facts the recommend rules see: one per KPI, with the
    client's answers; with `only_fitting`, KPIs that do not fit the client's context (and are
    not kept) have no fact, since nothing can choose them.

    Facts share their lists with the catalog and with each other (the client's lists are one
    object for all facts): facts are read, never changed, and a large catalog is thousands.
    """
    client = _Client(request)
    parts = _kpi_parts(catalog)
    fit_rules = _fit_rules(catalog)
    kept, facts = [], []
    for kpi in kpis:
        fits, met, unknown, unknown_made_for = fit_rules[kpi.id].judge(client.context)
        if only_fitting and not fits and kpi.id not in client.keep:
            continue
        kept.append(kpi)
        facts.append(client.fact(parts[kpi.id], kpi.requirements(), fits,
                                 (met, unknown, unknown_made_for)))
    return kept, facts


def _kpi_parts(catalog: Catalog) -> dict[str, dict]:
    """Return, per KPI id, what its facts say whoever the client is (built once per catalog)."""
    parts = catalog.memo.get("recommend_fact_parts")
    if parts is None:
        parts = catalog.memo["recommend_fact_parts"] = {
            kpi.id: _kpi_part(kpi) for kpi in catalog.kpis}
    return parts


def _kpi_part(kpi: Kpi) -> dict:
    """Return the KPI's own fields of its fact."""
    return {
        "kind": "kpi",
        "id": kpi.id,
        "department": kpi.department,
        "financial": kpi.financial,
        "perspective": kpi.perspective,
        "indicator": kpi.indicator,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "goals": kpi.goals,
        "primary_goal": kpi.primary_goal,
        "headline_for": kpi.headline_for,
        "measures": kpi.measures,
        "data_sources": kpi.data_sources,
        "channels": kpi.channels,
        "channel_specific": bool(kpi.channels),
        "seed": kpi.seed,
        "has_counter": bool(kpi.counter_kpis),
    }


class _Client:
    """The client's answers, prepared once for the facts of every KPI."""

    def __init__(self, request: RecommendRequest) -> None:
        self.goals = list(request.goals)
        self.rank = {goal: rank for rank, goal in enumerate(self.goals, start=1)}
        self.have = set(request.data_sources or [])
        self.channels = list(request.channels or [])
        self.channel_set = set(self.channels)
        self.keep = set(request.keep or [])
        self.context = {name: getattr(request, name) for name in ANSWER_OF.values()}
        self.shared = {"client_goals": self.goals, "client_channels": self.channels,
                       "client_sources": sorted(self.have)}
        for name in CLIENT_FIELDS:
            value = getattr(request, name)
            if value is not None:
                self.shared[name] = value

    def fact(self, part: dict, requirements: list[list[str]], fits: bool,
             context: tuple[int, int, int] = (0, 0, 0)) -> dict:
        """Return the fact for one KPI, given its own part (see _kpi_part), its data
        requirements (groups, each met by any one of its sources) and whether it fits the
        client's context."""
        kpi_goals = part["goals"]
        matched = [goal for goal in self.goals if goal in kpi_goals]
        # Each requirement group is met by any one of its sources; all groups must be met.
        missing = [source for group in requirements
                   if self.have.isdisjoint(group) for source in group] or _NOTHING
        return {
            **part,
            "matched_goals": matched,
            "goal_match_count": len(matched),
            "serves_top_goal": bool(self.goals) and self.goals[0] in kpi_goals,
            "primary_goal_match": part["primary_goal"] in self.rank,
            "best_goal_rank": self.rank[matched[0]] if matched else 0,
            "missing_sources": missing,
            "missing_source_count": len(missing),
            "channel_available": not self.channel_set.isdisjoint(part["channels"]),
            "kept": part["id"] in self.keep,
            "fits_context": fits,
            "context_matches": context[0],
            "context_unknown": context[1],
            "made_for_unknown": context[2],
            **self.shared,
        }


def _candidates(kpis: list[Kpi], facts: list[dict], hits: list[tuple]) -> list[Candidate]:
    """Return one Candidate per KPI with the points, reasons and flags its rules gave it.

    KPIs that look alike to the rules share their tuple of hits, and so their effects.
    """
    entries: dict[str, dict] = {}
    effects: dict[int, dict] = {}
    candidates = []
    for kpi, fact, fired in zip(kpis, facts, hits, strict=True):
        effect = effects.get(id(fired))
        if effect is None:
            effect = effects[id(fired)] = _effect(kpi, fact, fired, entries)
        candidates.append(Candidate(kpi=kpi, fact=fact, **effect))
    return candidates


def _effect(kpi: Kpi, fact: dict, fired: tuple, entries: dict[str, dict]) -> dict:
    """Return the Candidate fields the rules that fired set: score, reasons, flags, pairs,
    required, excluded."""
    scratch = Candidate(kpi=kpi, fact=fact)
    for hit in fired:
        entry = entries.get(hit.rule_id)
        if entry is None:
            entry = entries[hit.rule_id] = reason_entry(hit.rule_id, hit.action, hit.reason)
        scratch.apply(hit.action, entry)
    return {"score": scratch.score, "reasons": scratch.reasons, "flags": scratch.flags,
            "pair_with": scratch.pair_with, "required": scratch.required,
            "excluded": scratch.excluded}
