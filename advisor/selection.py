"""Choosing a balanced KPI set per department from scored candidates."""

import itertools
from collections import Counter
from dataclasses import dataclass, field

from advisor.models import RecommendRequest
from catalog.loader import Catalog
from catalog.models import Kpi

# Filling the last places, a KPI loses this many points for each chosen KPI that shares its
# balanced-scorecard perspective.
PERSPECTIVE_REPEAT = 1.0
BALANCE_NEEDS = (
    ("financial", True), ("financial", False), ("indicator", "leading"), ("indicator", "lagging"),
)


@dataclass(slots=True)
class Candidate:
    """A catalog KPI with what the rules said about it.

    Most of a large catalog gets a reason or two, so the records are tuples, grown by copy.
    """

    kpi: Kpi
    fact: dict
    score: float = 0.0
    reasons: tuple[dict, ...] = ()
    flags: tuple[dict, ...] = ()
    pair_with: tuple[str, ...] = ()
    required: bool = False
    excluded: bool = False
    picked_for: tuple[dict, ...] = ()
    measurable: bool = field(init=False)  # the client has a data source this KPI can use

    def __post_init__(self) -> None:
        self.measurable = self.fact["missing_source_count"] == 0

    def apply(self, action, entry: dict) -> None:
        """Record one fired rule's effect on this candidate; `entry` is its reason_entry."""
        verb = action.action
        if verb == "score":
            self.score += action.points
            self.reasons += (entry,)
        elif verb == "require":
            self.required = True
            self.reasons += (entry,)
        elif verb == "exclude":
            self.excluded = True
            self.flags += (entry,)
        elif verb == "flag":
            self.flags += (entry,)
        elif verb == "pair_with":
            self.pair_with += (action.kpi,)
            self.reasons += (entry,)

    def satisfies(self, need: tuple[str, object]) -> bool:
        """Return True when this KPI meets one balance need, e.g. ("financial", True)."""
        attribute, value = need
        return getattr(self.kpi, attribute) == value


def reason_entry(rule_id: str, action, reason) -> dict:
    """Return what a fired rule records on the candidates it fires for (one dict shared by
    all of them, never changed): its id and reason, and its points or flag code. The reason
    is rendered later, for the KPIs that are shown."""
    entry = {"rule": rule_id, "reason": reason}
    if action.action == "score":
        entry["points"] = action.points
    elif action.action in ("exclude", "flag"):
        entry["code"] = "excluded" if action.action == "exclude" else action.code
    return entry


@dataclass
class Selection:
    """The chosen KPIs per department, the alternatives, and what could not be met."""

    chosen: dict[str, list[Candidate]]
    alternatives: dict[str, list[Candidate]]
    warnings: list[dict]
    cap: int


def rank_key(candidate: Candidate) -> tuple:
    """Order candidates: measurable first, then by score, then catalog order (stable)."""
    return (not candidate.measurable, -candidate.score)


class _Selector:
    """The state of one selection run; each step is one method."""

    def __init__(self, candidates: list[Candidate], request: RecommendRequest, catalog: Catalog):
        self.request = request
        self.catalog = catalog
        self.cap = request.max_kpis_per_department
        self.pool = [c for c in candidates if not c.excluded or c.required]
        # Scores are final here, so one sort serves every step (sorting is stable: equal
        # candidates stay in catalog order, as if each step sorted its own subset).
        self.ranked = sorted(self.pool, key=rank_key)
        self.ranked_in: dict[str, list[Candidate]] = {d: [] for d in request.departments}
        for candidate in self.ranked:
            self.ranked_in[candidate.kpi.department].append(candidate)
        self.position = {c.kpi.id: i for i, c in enumerate(self.pool)}
        self.by_id = {c.kpi.id: c for c in candidates}
        self.chosen: dict[str, list[Candidate]] = {d: [] for d in request.departments}
        self.chosen_ids: set[str] = set()
        self.warnings: list[dict] = []

    def duplicates(self, candidate: Candidate) -> Candidate | None:
        """Return a chosen KPI that measures the same thing as `candidate`, if any."""
        for group in self.chosen.values():
            for other in group:
                if other.kpi.overlaps(candidate.kpi):
                    return other
        return None

    def room(self, department: str) -> bool:
        return len(self.chosen[department]) < self.cap

    def add(self, candidate: Candidate, why: str, detail: str = "") -> None:
        self.chosen[candidate.kpi.department].append(candidate)
        self.chosen_ids.add(candidate.kpi.id)
        candidate.picked_for += ({"step": why, "detail": detail},)

    def eligible(self, candidate: Candidate) -> bool:
        return (candidate.kpi.id not in self.chosen_ids and not candidate.excluded
                and self.duplicates(candidate) is None)

    def warn(self, code: str, **details) -> None:
        self.warnings.append({"code": code, **details})

    def keep_required(self) -> None:
        for candidate in self.pool:
            if candidate.required and candidate.kpi.id not in self.chosen_ids:
                self.add(candidate, "keep")
        for department, group in self.chosen.items():
            if len(group) > self.cap:
                self.warn("keep_over_limit", department=department, count=len(group),
                          limit=self.cap)

    def serve_goals(self) -> None:
        for goal in self.request.goals:
            if any(goal in c.kpi.goals for g in self.chosen.values() for c in g):
                continue
            pick = next((c for c in self.ranked if goal in c.kpi.goals and self.eligible(c)
                         and self.room(c.kpi.department)), None)
            if pick is None:
                served = any(goal in c.kpi.goals for c in self.ranked)
                self.warn("goal_unserved", goal=goal,
                          reason="no_room" if served else "no_kpi_in_scope")
                continue
            self.add(pick, "goal", goal)

    def balance(self) -> None:
        for department in self.request.departments:
            for need in BALANCE_NEEDS:
                if not any(c.satisfies(need) for c in self.chosen[department]):
                    self._meet_need(department, need)

    def _meet_need(self, department: str, need: tuple[str, object]) -> None:
        option = next((c for c in self.ranked_in[department]
                       if c.satisfies(need) and c.measurable and self.eligible(c)), None)
        if option is None:
            self.warn("balance_unmet", department=department, need=list(need),
                      reason="no_measurable_kpi")
            return
        if not self.room(department) and not self._free_slot(department, need):
            self.warn("balance_unmet", department=department, need=list(need), reason="no_room")
            return
        self.add(option, "balance", f"{need[0]}={need[1]}")

    def _free_slot(self, department: str, need: tuple[str, object]) -> bool:
        """Drop the weakest chosen KPI whose loss breaks no goal or balance; True if done."""
        group = self.chosen[department]
        for victim in sorted(group, key=lambda c: c.score):
            rest = [c for c in group if c is not victim]
            if victim.required or not self._still_covered(victim, rest):
                continue
            group.remove(victim)
            self.chosen_ids.discard(victim.kpi.id)
            victim.picked_for = ()
            return True
        return False

    def _still_covered(self, victim: Candidate, rest: list[Candidate]) -> bool:
        others = [c for d, g in self.chosen.items() for c in g if c is not victim]
        for goal in victim.kpi.goals:
            if goal in self.request.goals and not any(goal in c.kpi.goals for c in others):
                return False
        return all(any(c.satisfies(n) for c in rest) for n in BALANCE_NEEDS
                   if victim.satisfies(n))

    def fill(self) -> None:
        for department in self.request.departments:
            while self.room(department):
                pick = self._best_filler(department)
                if pick is None:
                    break
                self.add(pick, "score")

    def _best_filler(self, department: str) -> Candidate | None:
        """Return the best remaining candidate, each perspective already chosen costing
        PERSPECTIVE_REPEAT points, so that the set spreads over the scorecard (ties go to
        the earlier KPI in the catalog)."""
        repeats = Counter(c.kpi.perspective for c in self.chosen[department])
        best_of: dict[str, Candidate] = {}  # the first eligible candidate of each perspective
        for candidate in self.ranked_in[department]:
            if not candidate.measurable or candidate.score <= 0:
                break  # measurable ones come first, by score
            if candidate.kpi.perspective not in best_of and self.eligible(candidate):
                best_of[candidate.kpi.perspective] = candidate
        return min(best_of.values(), default=None, key=lambda c: (
            PERSPECTIVE_REPEAT * repeats[c.kpi.perspective] - c.score,
            self.position[c.kpi.id]))

    def pair(self) -> None:
        for candidate in [c for g in self.chosen.values() for c in g]:
            for target_id in candidate.pair_with:
                target = self.by_id.get(target_id)
                if target is None or target_id in self.chosen_ids:
                    continue
                if (self.room(target.kpi.department) and self.eligible(target)
                        and target.measurable):
                    self.add(target, "pair", candidate.kpi.id)
                else:
                    self.warn("pair_missing", kpi=candidate.kpi.id, counter=target_id)

    def alternatives(self, limit: int = 5) -> dict[str, list[Candidate]]:
        found: dict[str, list[Candidate]] = {}
        for department in self.request.departments:
            rest = (c for c in self.ranked_in[department]
                    if c.kpi.id not in self.chosen_ids and not c.excluded)
            found[department] = list(itertools.islice(rest, limit))
        return found


def select_kpis(candidates: list[Candidate], request: RecommendRequest,
                catalog: Catalog) -> Selection:
    """Return the balanced selection: kept KPIs, goal coverage, balance, best scores, pairs."""
    selector = _Selector(candidates, request, catalog)
    selector.keep_required()
    selector.serve_goals()
    selector.balance()
    selector.fill()
    selector.pair()
    return Selection(chosen=selector.chosen, alternatives=selector.alternatives(),
                     warnings=selector.warnings, cap=selector.cap)
