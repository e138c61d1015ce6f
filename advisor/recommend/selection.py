"""Choosing the KPI set per department from scored candidates: the steps, their order and their
numbers come from the recommend policy (rules/data/recommend.yaml, block `policy:`)."""

import itertools
from collections import Counter
from dataclasses import dataclass

from advisor.models import RecommendRequest
from advisor.recommend.candidate import Candidate, Need, rank_key
from advisor.recommend.mend import mend_set, reword_guards
from rules.policy import RecommendPolicy


@dataclass
class Selection:
    """The chosen KPIs per department, why each was chosen, the alternatives, and the reasons
    behind what could not be met (keyed as advisor.recommend.lacks keys its findings)."""

    chosen: dict[str, list[Candidate]]
    picked: dict[str, list[dict]]
    alternatives: dict[str, list[Candidate]]
    why_not: dict[tuple, str]
    notes: list[dict]
    cap: int


class Selector:
    """The state of one selection run; each step of the policy is one method."""

    def __init__(self, candidates: list[Candidate], request: RecommendRequest,
                 policy: RecommendPolicy):
        self.request = request
        self.policy = policy
        self.needs = policy.needs()
        # The most ranking points a candidate can earn: a guard, and one need per attribute.
        self.most_extra = policy.ranking.guard_affinity + policy.ranking.balance_need * len(
            {attribute for attribute, _ in self.needs})
        self.cap = policy.limit(request.size, request.max_kpis_per_department)
        self.pool = [c for c in candidates if not c.excluded or c.required]
        # Scores are final here, so one sort serves every step (sorting is stable).
        self.ranked = sorted(self.pool, key=rank_key)
        self.ranked_in: dict[str, list[Candidate]] = {d: [] for d in request.departments}
        for candidate in self.ranked:
            self.ranked_in[candidate.kpi.department].append(candidate)
        self.measurable_needs = {d: {n for n in self.needs if any(
            c.measurable and c.satisfies(n) for c in group)} for d, group in self.ranked_in.items()}
        self.position = {c.kpi.id: i for i, c in enumerate(self.pool)}
        self.in_pool = {c.kpi.id: c for c in self.pool}
        self.chosen: dict[str, list[Candidate]] = {d: [] for d in request.departments}
        self.chosen_ids: set[str] = set()
        self.picked: dict[str, list[dict]] = {}
        self.protected: set[str] = set()
        self.why_not: dict[tuple, str] = {}
        self.notes: list[dict] = []
        self.concepts: set[str] = set()
        self.related: set[str] = set()
        self.guarding: set[str] = set()

    # --- helpers ---------------------------------------------------------------------------

    def members(self) -> list[Candidate]:
        """Return every chosen KPI, department by department."""
        return [c for group in self.chosen.values() for c in group]

    def duplicates(self, candidate: Candidate) -> Candidate | None:
        """Return a chosen KPI that measures the same thing as `candidate`, if any."""
        kpi = candidate.kpi
        if kpi.measures not in self.concepts and kpi.id not in self.related \
                and self.chosen_ids.isdisjoint(kpi.related):
            return None
        return next((o for o in self.members() if o.kpi.overlaps(kpi)), None)

    def _changed(self) -> None:
        """Recount what the set's members measure, relate to and guard."""
        members = self.members()
        self.concepts = {c.kpi.measures for c in members}
        self.related = {r for c in members for r in c.kpi.related}
        self.guarding = {g for c in members for g in c.guards()}

    def room(self, department: str) -> bool:
        """Return True when the department has a free place."""
        return len(self.chosen[department]) < self.cap

    def add(self, candidate: Candidate, step: str, detail: str = "") -> None:
        """Put `candidate` in the set, chosen by `step`."""
        self.chosen[candidate.kpi.department].append(candidate)
        self.chosen_ids.add(candidate.kpi.id)
        self.picked.setdefault(candidate.kpi.id, []).append({"step": step, "detail": detail})
        self._changed()

    def drop(self, candidate: Candidate) -> None:
        """Take `candidate` out of the set again."""
        self.chosen[candidate.kpi.department].remove(candidate)
        self.chosen_ids.discard(candidate.kpi.id)
        self.picked.pop(candidate.kpi.id, None)
        self._changed()

    def eligible(self, candidate: Candidate) -> bool:
        """Return True when `candidate` may still join: not chosen, fits, no duplicate."""
        return (candidate.kpi.id not in self.chosen_ids and not candidate.excluded
                and self.duplicates(candidate) is None)

    def guarded(self, candidate: Candidate) -> bool:
        """Return True when one of the KPIs guarding `candidate` is in the set."""
        return not self.chosen_ids.isdisjoint(candidate.guards())

    def affinity(self, candidate: Candidate) -> float:
        """Return the points for guarding a chosen KPI or being guarded by one."""
        pairs = candidate.kpi.id in self.guarding or self.guarded(candidate)
        return self.policy.ranking.guard_affinity if pairs else 0.0

    def balancing(self, candidate: Candidate) -> float:
        """Return the points for each balance need its department still lacks that the
        candidate meets (one KPI meeting two needs leaves a place for another); a KPI
        without data earns them only for needs no measurable KPI of its department meets."""
        department = candidate.kpi.department
        group = self.chosen[department]
        lacking = sum(candidate.satisfies(n) and not any(c.satisfies(n) for c in group)
                      and (candidate.measurable or n not in self.measurable_needs[department])
                      for n in self.needs)
        return self.policy.ranking.balance_need * lacking

    def value(self, candidate: Candidate) -> float:
        """Return the candidate's score with the ranking points it earns in the set so far."""
        return candidate.score + self.affinity(candidate) + self.balancing(candidate)

    def best(self, options, bonus=lambda c: 0.0, most_bonus: float = 0.0,
             ranked: bool = True) -> Candidate | None:
        """Return the best option: measurable first, then score with the ranking points.

        Options given in rank order (measurable first, then by score) are read only as far as
        one of them could still win: the ranking points add at most `extra` to a score.
        """
        extra = self.most_extra + most_bonus
        found, found_key = None, None
        for c in options:
            if ranked and found_key is not None and (
                    (not c.measurable and not found_key[0])
                    or (c.measurable == (not found_key[0]) and -(c.score + extra) > found_key[1])):
                break
            key = (not c.measurable, -(self.value(c) + bonus(c)), self.position[c.kpi.id])
            if found_key is None or key < found_key:
                found, found_key = c, key
        return found

    def step_of(self, candidate: Candidate) -> str:
        """Return the step that first chose `candidate`."""
        return self.picked[candidate.kpi.id][0]["step"]

    # --- the steps -------------------------------------------------------------------------

    def keep(self) -> None:
        """Choose every KPI the client keeps."""
        for candidate in self.pool:
            if candidate.required and candidate.kpi.id not in self.chosen_ids:
                self.add(candidate, "keep")
                self.protected.add(candidate.kpi.id)

    def headline(self) -> None:
        """Choose, per department, the headline outcome of each top goal it can serve."""
        most = max(1, int(self.policy.headline.max_share * self.cap))
        for goal in self.request.goals[:self.policy.headline.top_goals]:
            for department, group in self.chosen.items():
                if any(goal in c.kpi.headline_for for c in group):
                    continue
                headlines = sum(self.step_of(c) == "headline" for c in group)
                if not self.room(department) or headlines >= most:
                    continue
                # A headline the client cannot measure yet must still score as a filler would.
                pick = self.best(c for c in self.ranked_in[department]
                                 if goal in c.kpi.headline_for and self.eligible(c)
                                 and (c.measurable or c.score >= self.policy.filler_min_score))
                if pick is not None:
                    # The department's first headline stays; later ones may give way to
                    # balance for a KPI that serves the same goals.
                    if not any(self.step_of(c) == "headline" for c in group):
                        self.protected.add(pick.kpi.id)
                    self.add(pick, "headline", goal)

    def goals(self) -> None:
        """Serve every chosen goal with at least one KPI."""
        bonus = self.policy.ranking.primary_goal
        for goal in self.request.goals:
            if any(goal in c.kpi.goals for c in self.members()):
                continue
            pick = self.best((c for c in self.ranked if goal in c.kpi.goals and self.eligible(c)
                              and self.room(c.kpi.department)),
                             lambda c, goal=goal: bonus if c.kpi.primary_goal == goal else 0.0,
                             most_bonus=bonus)
            if pick is None:
                served = any(goal in c.kpi.goals for c in self.ranked)
                self.why_not[("goal_unserved", goal)] = "no_room" if served else \
                    "no_kpi_in_scope"
                continue
            self.add(pick, "goal", goal)

    def balance(self) -> None:
        """Meet every balance need in every department; balance beats data when the policy
        says so (the best-fitting KPI comes with the data to start collecting)."""
        for department in self.request.departments:
            for need in self.needs:
                if not any(c.satisfies(need) for c in self.chosen[department]):
                    self._meet_need(department, need)

    def _meet_need(self, department: str, need: Need) -> None:
        options = [c for c in self.ranked_in[department] if c.satisfies(need)
                   and self.eligible(c) and (c.measurable or self.policy.balance_beats_data)]
        key = ("balance_unmet", department, need)
        low = self.policy.filler_min_score
        # A KPI that serves the client's goals first, then one that can be measured now.
        option = self.best(c for c in options if c.score >= low) \
            or self.best(c for c in options if c.score < low)
        if option is None:
            self.why_not[key] = "no_kpi_fits"
        elif self.room(department) or self._free_slot(department, need):
            self.add(option, "balance", f"{need[0]}={need[1]}")
        elif not self._swap_for_need(department, need):
            self.why_not[key] = "no_room"

    def _swap_for_need(self, department: str, need: Need) -> bool:
        """Put a KPI meeting `need` in the place of a chosen one whose goals and balance it
        keeps (a later headline last); True if done."""
        for victim in sorted(self.chosen[department],
                             key=self._giving_way_order):
            if victim.kpi.id in self.protected or self.step_of(victim) == "guard":
                continue
            step = self.picked[victim.kpi.id][0]
            self.drop(victim)
            # A headline gives way only to a KPI made for the same goal.
            stand_in = self.best(c for c in self.ranked_in[department] if c.satisfies(need)
                                 and self._keeps_what(c, victim)
                                 and (step["step"] != "headline"
                                      or c.kpi.primary_goal == step["detail"]))
            if stand_in is not None:
                self.add(stand_in, "balance", f"{need[0]}={need[1]}")
                return True
            self.add(victim, step["step"], step["detail"])
        return False

    def _giving_way_order(self, candidate: Candidate) -> tuple:
        """Return the order chosen KPIs give way in: others first, then headlines, the
        headline of the client's lowest-priority goal first; lower scores first."""
        step = self.picked[candidate.kpi.id][0]
        if step["step"] != "headline":
            return (False, 0, candidate.score)
        return (True, -self.request.goals.index(step["detail"]), candidate.score)

    def _keeps_what(self, candidate: Candidate, victim: Candidate) -> bool:
        """Return True when `candidate` (for the victim, already out of the set) fits, is
        measurable, scores enough, and serves the goals and needs only the victim served."""
        if not (candidate is not victim and candidate.measurable and self.eligible(candidate)
                and candidate.score >= self.policy.filler_min_score):
            return False
        group = self.chosen[victim.kpi.department]
        if not all(candidate.satisfies(n) for n in self.needs if victim.satisfies(n)
                   and not any(c.satisfies(n) for c in group)):
            return False
        return not any(g in self.request.goals and g not in candidate.kpi.goals
                       and not any(g in c.kpi.goals for c in self.members())
                       for g in victim.kpi.goals)

    def _free_slot(self, department: str, need: Need | None = None,
                   steps: tuple[str, ...] = ("goal", "balance", "fill"),
                   spare: Candidate | None = None) -> bool:
        """Drop the weakest chosen KPI of `steps` (never `spare`) whose loss breaks no goal,
        balance or guard; True if done."""
        group = self.chosen[department]
        for victim in sorted(group, key=lambda c: c.score):
            if victim.kpi.id in self.protected or self.step_of(victim) not in steps \
                    or victim is spare:
                continue
            if need is not None and victim.satisfies(need):
                continue
            if self._guarded_by_choice(victim):
                continue
            if self._still_covered(victim, [c for c in group if c is not victim]):
                self.drop(victim)
                return True
        return False

    def _guarded_by_choice(self, candidate: Candidate) -> bool:
        """Return True when a KPI in the set was chosen as the guard of `candidate`."""
        return any(p["step"] == "guard" and p["detail"] == candidate.kpi.id
                   for steps in self.picked.values() for p in steps)

    def _still_covered(self, victim: Candidate, rest: list[Candidate]) -> bool:
        """Return True when the set without `victim` still serves its goals, meets its
        department's balance and guards what it guarded."""
        others = [c for c in self.members() if c is not victim]
        for goal in victim.kpi.goals:
            if goal in self.request.goals and not any(goal in c.kpi.goals for c in others):
                return False
        if any(victim.kpi.id in c.guards() and not (
                self.chosen_ids - {victim.kpi.id}).intersection(c.guards()) for c in others):
            return False
        return all(any(c.satisfies(n) for c in rest) for n in self.needs
                   if victim.satisfies(n))

    def guard(self) -> None:
        """Give each chosen KPI one of its counter-KPIs, in the order the KPIs were chosen;
        a filler gives way to a guard when its department is full."""
        done: set[str] = set()
        while (candidate := next((c for c in self.members() if c.kpi.id not in done),
                                 None)) is not None:
            done.add(candidate.kpi.id)
            if self.guarded(candidate):
                continue
            if self.step_of(candidate) == "guard" and not self.policy.guard.guard_the_guards:
                self.why_not[("pair_missing", candidate.kpi.id)] = "is_guard"
                continue
            options = [self.in_pool[g] for g in candidate.guards() if g in self.in_pool
                       and self.eligible(self.in_pool[g])
                       and self._may_guard(self.in_pool[g], candidate)]
            key = ("pair_missing", candidate.kpi.id)
            if not options:
                self.why_not[key] = self._no_guard_reason(candidate)
            elif not self._place_guard(candidate, options):
                self.why_not[key] = "no_room"
        self._fewer_risky()

    def _may_guard(self, guard: Candidate, ward: Candidate) -> bool:
        """Return True when `guard` may be chosen as the guard of `ward`: it can be measured,
        or neither can yet and the policy lets the two be collected together."""
        return guard.measurable or (self.policy.guard.unmeasured_guards_unmeasured
                                    and not ward.measurable)

    def _place_guard(self, candidate: Candidate, options: list[Candidate]) -> bool:
        """Put the best of `options` that finds a place (its department has room, or a
        filler gives way) in the set as the guard of `candidate`; True if done."""
        while (pick := self.best(options, ranked=False)) is not None:
            department = pick.kpi.department
            if self.room(department) or self._free_slot(department, steps=("fill",),
                                                        spare=candidate):
                self.add(pick, "guard", candidate.kpi.id)
                return True
            if self._guard_in_place_of(pick, candidate):
                return True
            options = [o for o in options if o is not pick]
        return False

    def _guard_in_place_of(self, pick: Candidate, ward: Candidate) -> bool:
        """Put `pick` (the guard of `ward`) in the place of a KPI chosen for a goal or for
        balance whose goals, balance and guards the set with `pick` still keeps; True if
        done."""
        group = self.chosen[pick.kpi.department]
        for victim in sorted(group, key=lambda c: c.score):
            if victim is ward or victim.kpi.id in self.protected \
                    or self.step_of(victim) not in ("goal", "balance"):
                continue
            step = self.picked[victim.kpi.id][0]
            self.drop(victim)
            self.add(pick, "guard", ward.kpi.id)
            if self._still_covered(victim, [c for c in group if c is not victim]) \
                    and pick.score >= victim.score - self.policy.ranking.guard_affinity:
                return True
            self.drop(pick)
            self.add(victim, step["step"], step["detail"])
        return False

    def _fewer_risky(self) -> None:
        """While fewer than the policy's share of risky KPIs carry a guard, put a KPI that is
        guarded (or guards another) in the place of an unguarded one that can give way, or
        leave a filler's place empty."""
        share = self.policy.guard.min_guarded_share
        swapped: set[str] = set()  # each KPI gives way at most once: no swapping back and forth
        while True:
            risky = [c for c in self.members() if c.guards()]
            unguarded = [c for c in risky if not self.guarded(c)]
            if not risky or len(risky) - len(unguarded) >= share * len(risky):
                return
            if self._swap_for_guarded(unguarded, swapped):
                continue
            victim = next((c for c in reversed(unguarded) if self.step_of(c) == "fill"
                           and self._still_covered(c, [o for o in self.chosen[c.kpi.department]
                                                       if o is not c])), None)
            if victim is None:
                return
            self.drop(victim)
            self.notes.append({"code": "slot_empty", "department": victim.kpi.department,
                               "count": self.cap - len(self.chosen[victim.kpi.department])})

    def _swap_for_guarded(self, unguarded: list[Candidate], swapped: set[str]) -> bool:
        """Replace one unguarded KPI that is not protected by a stand-in of its department
        that keeps its goals and balance and is guarded or guards; True if done."""
        for victim in reversed(unguarded):
            if victim.kpi.id in self.protected or self.step_of(victim) in ("guard", "headline") \
                    or victim.kpi.id in swapped:
                continue
            swapped.add(victim.kpi.id)
            step = self.picked[victim.kpi.id]
            self.drop(victim)
            stand_in = self.best(c for c in self.ranked_in[victim.kpi.department]
                                 if self._can_stand_in(c, victim, unguarded))
            if stand_in is not None:
                # Its own reason: the goal the victim served, if it serves it too.
                same = step[0]["step"] in ("goal", "balance") and (
                    step[0]["detail"] in stand_in.kpi.goals if step[0]["step"] == "goal"
                    else all(stand_in.satisfies(n) for n in self.needs
                             if f"{n[0]}={n[1]}" == step[0]["detail"]))
                self.add(stand_in, *((step[0]["step"], step[0]["detail"]) if same
                                     else ("fill", "")))
                return True
            self.add(victim, step[0]["step"], step[0]["detail"])
        return False

    def _can_stand_in(self, candidate: Candidate, victim: Candidate,
                      unguarded: list[Candidate]) -> bool:
        """Return True when `candidate` may take the victim's place: it keeps what the victim
        served (see _keeps_what) and is guarded or guards."""
        if not self._keeps_what(candidate, victim):
            return False
        guards_one = any(candidate.kpi.id in c.guards() for c in unguarded if c is not victim)
        return not candidate.guards() or self.guarded(candidate) or guards_one

    def _no_guard_reason(self, candidate: Candidate) -> str:
        """Return why none of the KPIs guarding `candidate` can join the set."""
        guards = [self.in_pool.get(g) for g in candidate.guards()]
        if not any(guards):
            return "not_in_scope"
        if all(g is None or g.excluded for g in guards):
            return "does_not_fit"
        if all(g is None or g.excluded or not self._may_guard(g, candidate) for g in guards):
            return "no_data"
        return "duplicate"

    def fill(self) -> None:
        """Fill the free places with the best remaining measurable KPIs, spread over the
        scorecard; a place stays empty rather than hold a KPI scoring below the cut-off."""
        for department in self.request.departments:
            while self.room(department):
                pick = self._best_filler(department)
                if pick is None:
                    self.notes.append({"code": "slot_empty", "department": department,
                                       "count": self.cap - len(self.chosen[department])})
                    break
                self.add(pick, "fill")

    def _best_filler(self, department: str, guarded_only: bool = False) -> Candidate | None:
        """Return the best remaining candidate, each chosen KPI of its perspective costing
        the policy's perspective_repeat points and serving a client goal its department does
        not serve yet earning goal_spread (ties go to the earlier KPI in the catalog);
        with `guarded_only`, only one whose guard is in the set or that needs none."""
        repeat = self.policy.ranking.perspective_repeat
        repeats = Counter(c.kpi.perspective for c in self.chosen[department])
        spread = self.policy.ranking.goal_spread
        open_goals = set(self.request.goals) - {g for c in self.chosen[department]
                                                for g in c.kpi.goals}
        extra = self.most_extra + spread
        found, found_key = None, None
        for c in self.ranked_in[department]:
            if not c.measurable or c.score < self.policy.filler_min_score or (
                    found_key is not None and -(c.score + extra) > found_key[0]):
                break  # measurable ones come first, by score: none further can win
            if not self.eligible(c) or (guarded_only and c.guards() and not self.guarded(c)):
                continue
            widens = spread if open_goals.intersection(c.kpi.goals) else 0.0
            key = (repeat * repeats[c.kpi.perspective] - self.value(c) - widens,
                   self.position[c.kpi.id])
            if found_key is None or key < found_key:
                found, found_key = c, key
        return found

    def mend(self) -> None:
        """Swap chosen KPIs for better-placed ones while that mends the set (see mend)."""
        mend_set(self)

    def alternatives(self) -> dict[str, list[Candidate]]:
        """Return, per department, the best-ranked fitting KPIs not in the set."""
        found: dict[str, list[Candidate]] = {}
        for department in self.request.departments:
            rest = (c for c in self.ranked_in[department]
                    if c.kpi.id not in self.chosen_ids and not c.excluded)
            found[department] = list(itertools.islice(rest, self.policy.alternatives))
        return found


def select_kpis(candidates: list[Candidate], request: RecommendRequest,
                policy: RecommendPolicy) -> Selection:
    """Return the selection made by the policy's steps, in the policy's order."""
    selector = Selector(candidates, request, policy)
    for step in policy.steps:
        getattr(selector, step)()
    reword_guards(selector)
    return Selection(chosen=selector.chosen, picked=selector.picked,
                     alternatives=selector.alternatives(), why_not=selector.why_not,
                     notes=selector.notes, cap=selector.cap)
