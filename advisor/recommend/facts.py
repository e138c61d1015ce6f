"""Scoring the catalog for a client: the facts the recommend rules see, their hits."""

from collections.abc import Callable, Mapping, Sequence
from itertools import chain, compress
from operator import itemgetter
from typing import TypeVar

from advisor.errors import InvalidInputError
from advisor.fit import ANSWER_OF, FitRule
from advisor.models import RecommendRequest
from advisor.recommend.candidate import Candidate, reason_entry
from advisor.recommend.selection import select_kpis
from advisor.recommend.view import recommendation_json
from catalog.loader import Catalog
from catalog.models import Kpi
from rules.engine import hits_by_columns
from rules.facts import Column
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
    kpis, columns = kpi_columns(request, catalog, only_fitting)
    hits = hits_by_columns(ruleset or load_builtin("recommend"), columns, len(kpis))
    return _candidates(kpis, columns, hits), hits


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


OWN_FIELDS = ("kind", "id", "department", "financial", "perspective", "indicator", "unit",
              "direction", "goals", "primary_goal", "headline_for", "measures", "data_sources",
              "channels", "channel_specific", "seed", "has_counter")
T = TypeVar("T")


class _CatalogIndex:
    """What the facts need of every catalog KPI, by catalog position (built once per
    catalog): its own fields, and its goals, data requirements, channels and fit rule as the
    position of the first KPI with equal ones, so that a request works once per distinct one."""

    def __init__(self, catalog: Catalog) -> None:
        kpis = catalog.kpis
        parts = [_kpi_part(kpi) for kpi in kpis]
        self.own = {name: [part[name] for part in parts] for name in OWN_FIELDS}
        self.memo: dict[str, dict] = {name: {} for name in OWN_FIELDS}  # the engine's, per field
        self.in_department: dict[str, list[int]] = {}
        for position, kpi in enumerate(kpis):
            self.in_department.setdefault(kpi.department, []).append(position)
        self.goal_key = _firsts([tuple(kpi.goals) for kpi in kpis])
        self.channel_key = _firsts([tuple(kpi.channels) for kpi in kpis])
        self.primary_key = _firsts([kpi.primary_goal for kpi in kpis])
        self.requirements = [kpi.requirements() for kpi in kpis]
        self.requirement_key = _firsts([tuple(map(tuple, r)) for r in self.requirements])
        self.fit_rules = [FitRule.of(kpi) for kpi in kpis]
        self.fit_key = _firsts([repr(rule) for rule in self.fit_rules])


def _firsts(keys: list) -> list[int]:
    """Return, per key, the position of the first key equal to it."""
    first: dict = {}
    return [first.setdefault(key, position) for position, key in enumerate(keys)]


def _index(catalog: Catalog) -> _CatalogIndex:
    """Return the catalog's index for the facts (built once per catalog)."""
    index = catalog.memo.get("recommend_fact_index")
    if index is None:
        index = catalog.memo["recommend_fact_index"] = _CatalogIndex(catalog)
    return index


def _pick(values: Sequence[T], rows: list[int]) -> Sequence[T]:
    """Return the values at `rows`, in that order."""
    if len(rows) > 1:
        return itemgetter(*rows)(values)
    return [values[row] for row in rows]


def _by_key(keys: Sequence[int], work: Callable[[int], T]) -> Column:
    """Return work(key) per key as a Column, working once per distinct key."""
    number = {key: n for n, key in enumerate(dict.fromkeys(keys))}
    return Column([work(key) for key in number], list(map(number.__getitem__, keys)))


def _split(rows: Column, width: int) -> list[Column]:
    """Return the rows' values column by column (`width` columns)."""
    return [Column(list(map(itemgetter(column), rows.distinct)), rows.keys)
            for column in range(width)]


def kpi_columns(request: RecommendRequest, catalog: Catalog,
                only_fitting: bool = False) -> tuple[list[Kpi], dict[str, Sequence]]:
    """Return the KPIs of the departments in scope (catalog order) and the flat facts the
    recommend rules see, one per KPI with the client's answers, as columns (field -> value
    per KPI); with `only_fitting`, KPIs that do not fit the client's context (and are not
    kept) have no fact, since nothing can choose them.

    Facts share their lists with the catalog and with each other (the client's lists are one
    object for all facts): facts are read, never changed, and a large catalog is thousands.
    """
    client = _Client(request)
    index = _index(catalog)
    rows = sorted(chain.from_iterable(index.in_department.get(department, ())
                                      for department in set(request.departments)))
    verdicts = _by_key(_pick(index.fit_key, rows),
                       lambda key: index.fit_rules[key].judge(client.context))
    if only_fitting:
        ids = index.own["id"]
        fitting = [verdict[0] or ids[row] in client.keep
                   for row, verdict in zip(rows, verdicts, strict=True)]
        rows = list(compress(rows, fitting))
        verdicts = Column(verdicts.distinct, list(compress(verdicts.keys, fitting)))
    same = [0] * len(rows)
    columns: dict[str, Sequence] = {name: Column(index.own[name], rows, index.memo[name])
                                    for name in OWN_FIELDS}
    goals = _by_key(_pick(index.goal_key, rows), lambda key: client.goal_part(
        index.own["goals"][key]))
    missing = _by_key(_pick(index.requirement_key, rows),
                      lambda key: client.missing(index.requirements[key]))
    columns.update(zip(("matched_goals", "goal_match_count", "serves_top_goal",
                        "best_goal_rank"), _split(goals, 4), strict=True))
    columns["primary_goal_match"] = _by_key(_pick(index.primary_key, rows), lambda key: (
        index.own["primary_goal"][key] in client.rank))
    columns["missing_sources"] = missing
    columns["missing_source_count"] = Column(list(map(len, missing.distinct)), missing.keys)
    columns["channel_available"] = _by_key(_pick(index.channel_key, rows), lambda key: (
        not client.channel_set.isdisjoint(index.own["channels"][key])))
    columns["kept"] = [kpi_id in client.keep for kpi_id in columns["id"]] if client.keep \
        else Column([False], same)
    columns.update(zip(("fits_context", "context_matches", "context_unknown",
                        "made_for_unknown"), _split(verdicts, 4), strict=True))
    columns.update((name, Column([value], same)) for name, value in client.shared.items())
    return list(_pick(catalog.kpis, rows)), columns


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
        self.goals: list[str] = list(request.goals)
        self.rank: dict[str, int] = {goal: rank for rank, goal in enumerate(self.goals, start=1)}
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

    def goal_part(self, kpi_goals: list[str]) -> tuple[list[str], int, bool, int]:
        """Return the fact's matched_goals, goal_match_count, serves_top_goal and
        best_goal_rank for a KPI with `kpi_goals`."""
        matched: list[str] = [goal for goal in self.goals if goal in kpi_goals]
        return (matched, len(matched), bool(self.goals) and self.goals[0] in kpi_goals,
                self.rank[matched[0]] if matched else 0)

    def missing(self, requirements: list[list[str]]) -> list[str]:
        """Return the sources of the requirement groups the client's data does not meet."""
        # Each requirement group is met by any one of its sources; all groups must be met.
        return [source for group in requirements
                if self.have.isdisjoint(group) for source in group] or _NOTHING


def _candidates(kpis: list[Kpi], columns: Mapping[str, Sequence],
                hits: list[tuple]) -> list[Candidate]:
    """Return one Candidate per KPI with the points, reasons and flags its rules gave it.

    KPIs that look alike to the rules share their tuple of hits, and so their effects.
    """
    entries: dict[str, dict] = {}
    effects: dict[int, tuple] = {}
    candidates = []
    for row, (kpi, fired) in enumerate(zip(kpis, hits, strict=True)):
        effect = effects.get(id(fired))
        if effect is None:
            effect = effects[id(fired)] = _effect(kpi, columns, row, fired, entries)
        # In the order of Candidate's fields after kpi, facts and row (positional: thousands).
        candidates.append(Candidate(kpi, columns, row, *effect))
    return candidates


def _effect(kpi: Kpi, columns: Mapping[str, Sequence], row: int, fired: tuple,
            entries: dict[str, dict]) -> tuple:
    """Return the Candidate fields the rules that fired set: score, reasons, flags, pair_with,
    required, excluded."""
    scratch = Candidate(kpi, columns, row)
    for hit in fired:
        entry = entries.get(hit.rule_id)
        if entry is None:
            entry = entries[hit.rule_id] = reason_entry(hit.rule_id, hit.action, hit.reason)
        scratch.apply(hit.action, entry)
    return (scratch.score, scratch.reasons, scratch.flags, scratch.pair_with, scratch.required,
            scratch.excluded)
