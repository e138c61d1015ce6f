"""The selection's last step: swaps that mend what the earlier steps left broken.

The earlier steps choose one KPI at a time, so a small department can end up lopsided or with
too few guards although another choice of the same size would have neither fault. Mending
counts the set's faults (balance needs unmet per department, guards short of the policy's
share, chosen goals unserved) and, while there are any, makes the swap of a chosen KPI (or a
free place) for another KPI of its department that lowers that count most, looking one swap
further when no swap mends them all (ties: a headline kept, fewer KPIs without data, then less
score given up). Nothing changes in a set without faults.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.recommend.candidate import Candidate
    from advisor.recommend.selection import Selector

# The KPI that gives way (None for a free place) and its stand-in.
Swap = tuple["Candidate | None", "Candidate"]


def mend_set(selector: Selector) -> None:
    """Swap chosen KPIs for better-placed ones while that lowers the set's faults."""
    for _ in range(selector.policy.mend.max_swaps):
        members = selector.members()
        now = faults(selector, members)
        found = _best_swap(selector, members, now) if now else None
        if found is None:
            break
        _make(selector, *found)
    _recount_empty_places(selector)


def _recount_empty_places(selector: Selector) -> None:
    """Keep the notes of empty places true after swaps that filled some."""
    notes = []
    for note in selector.notes:
        if note["code"] == "slot_empty":
            free = selector.cap - len(selector.chosen[note["department"]])
            if free <= 0:
                continue
            note = {**note, "count": free}
        notes.append(note)
    selector.notes[:] = notes


def faults(selector: Selector, members: list[Candidate]) -> int:
    """Return how many of the policy's properties `members` breaks: each balance need a
    department lacks, each guard short of the share, each chosen goal no KPI serves."""
    count = 0
    for department in selector.request.departments:
        group = [c for c in members if c.kpi.department == department]
        count += sum(not any(c.satisfies(n) for c in group) for n in selector.needs)
    ids = {c.kpi.id for c in members}
    risky = [c for c in members if c.guards()]
    guarded = sum(not ids.isdisjoint(c.guards()) for c in risky)
    count += max(0, math.ceil(selector.policy.guard.min_guarded_share * len(risky)) - guarded)
    return count + sum(not any(g in c.kpi.goals for c in members)
                       for g in selector.request.goals)


def _best_swap(selector: Selector, members: list[Candidate], now: int) -> Swap | None:
    """Return the swap that lowers the faults most, looking one swap further when no swap
    mends them all (ties: a headline kept, fewer KPIs without data, then less score given
    up), or None when none lowers them."""
    found = _improving(selector, members, now)
    if not found or found[0][0][0] == 0:
        return found[0][1] if found else None

    def reach(entry: tuple) -> tuple:
        key, _, after = entry
        further = _improving(selector, after, key[0])
        return (further[0][0][0] if further else key[0], key)

    return min(found, key=reach)[1]


def _improving(selector: Selector, members: list[Candidate],
               now: int) -> list[tuple[tuple, Swap, list[Candidate]]]:
    """Return every swap that lowers the faults below `now`, best first: its ranking key,
    the swap and the set after it."""
    found = []
    for victim, stand_in in _swaps(selector, members):
        after = [c for c in members if c is not victim] + [stand_in]
        count = faults(selector, after)
        if count < now:
            key = (count, victim is not None and _step(selector, victim) == "headline",
                   sum(not c.measurable for c in after),
                   -(stand_in.score - (victim.score if victim else 0.0)))
            found.append((key, (victim, stand_in), after))
    return sorted(found, key=lambda entry: entry[0])


def _swaps(selector: Selector, members: list[Candidate]) -> Iterable[Swap]:
    """Yield every swap the policy allows: a chosen KPI that may give way (or a free place)
    and a stand-in of the same department among its best-ranked candidates."""
    for department in selector.request.departments:
        group = [c for c in members if c.kpi.department == department]
        victims: list[Candidate | None] = [c for c in group if _may_give_way(selector, c)]
        if len(group) < selector.cap:
            victims.append(None)
        for stand_in in _stand_ins(selector, department, members):
            for victim in victims:
                rest = [c for c in members if c is not victim]
                if any(o.kpi.overlaps(stand_in.kpi) for o in rest):
                    continue
                if victim is not None and not _may_replace(selector, victim, stand_in):
                    continue
                yield victim, stand_in


def _stand_ins(selector: Selector, department: str,
               members: list[Candidate]) -> list[Candidate]:
    """Return the department's best-ranked candidates not in the set that could stand in
    (scoring at least the filler cut-off, or guarding a kept KPI or a headline): the policy's
    number of measurable ones and, when balance beats data, as many without data yet."""
    low, most = selector.policy.filler_min_score, selector.policy.mend.candidates
    ids = {c.kpi.id for c in members}
    outcomes = {g for c in members if _step(selector, c) in ("keep", "headline")
                for g in c.guards()}
    free = [c for c in selector.ranked_in[department]
            if c.kpi.id not in ids and not c.excluded
            and (c.score >= low or c.kpi.id in outcomes)]
    found = [c for c in free if c.measurable][:most]
    if selector.policy.balance_beats_data:
        found += [c for c in free if not c.measurable][:most]
    return found


def _may_give_way(selector: Selector, candidate: Candidate) -> bool:
    """Return True unless `candidate` is kept or its department's first headline."""
    return candidate.kpi.id not in selector.protected


def _may_replace(selector: Selector, victim: Candidate, stand_in: Candidate) -> bool:
    """Return True when `stand_in` may take the place of `victim`: never one without data in
    the place of one with it, and a headline only for a KPI that serves the same goal."""
    if victim.measurable and not stand_in.measurable:
        return False
    if _step(selector, victim) != "headline":
        return True
    return selector.picked[victim.kpi.id][0]["detail"] in stand_in.kpi.goals


def _step(selector: Selector, candidate: Candidate) -> str:
    """Return the step that chose `candidate` ("" for one only imagined in the set)."""
    picked = selector.picked.get(candidate.kpi.id)
    return picked[0]["step"] if picked else ""


def _make(selector: Selector, victim: Candidate | None, stand_in: Candidate) -> None:
    """Make the swap, with a true step for the stand-in."""
    if victim is not None:
        selector.drop(victim)
    step, detail = _why_chosen(selector, stand_in)
    selector.add(stand_in, step, detail)


def reword_guards(selector: Selector) -> None:
    """Give each KPI chosen as the guard of one that has left the set the step that is true
    of it now."""
    for member in selector.members():
        picked = selector.picked[member.kpi.id]
        if picked[0]["step"] == "guard" and picked[0]["detail"] not in selector.chosen_ids:
            step, detail = _why_chosen(selector, member)
            selector.picked[member.kpi.id] = [{"step": step, "detail": detail}]


def _why_chosen(selector: Selector, candidate: Candidate) -> tuple[str, str]:
    """Return the step that truly explains `candidate` in the set as it is: the balance need
    only it meets, the goal only it serves, the KPI it guards, or a free place filled."""
    others = [c for c in selector.members() if c is not candidate]
    group = [c for c in others if c.kpi.department == candidate.kpi.department]
    for need in selector.needs:
        if candidate.satisfies(need) and not any(c.satisfies(need) for c in group):
            return "balance", f"{need[0]}={need[1]}"
    for goal in selector.request.goals:
        if goal in candidate.kpi.goals and not any(goal in c.kpi.goals for c in others):
            return "goal", goal
    ward = next((c for c in others if candidate.kpi.id in c.guards()), None)
    if ward is not None:
        return "guard", ward.kpi.id
    return "fill", ""
