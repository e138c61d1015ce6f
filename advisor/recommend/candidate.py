"""A catalog KPI as the selection sees it: its score, reasons and flags from the rules, and the
order candidates are ranked in."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from advisor.recommend.fact_row import FactRow
from catalog.models import Kpi

Need = tuple[str, bool | str]


@dataclass(slots=True)
class Candidate:
    """A catalog KPI with what the rules said about it.

    Most of a large catalog gets a reason or two, so the records are tuples, grown by copy.
    """

    kpi: Kpi
    facts: Mapping[str, Sequence]  # every candidate's fact, field by field (read-only)
    row: int  # this KPI's place in them
    score: float = 0.0
    reasons: tuple[dict, ...] = ()
    flags: tuple[dict, ...] = ()
    pair_with: tuple[str, ...] = ()
    required: bool = False
    excluded: bool = False
    measurable: bool = field(init=False)  # the client's data meets every data requirement
    _guards: tuple[str, ...] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.measurable = self.facts["missing_source_count"][self.row] == 0

    @property
    def fact(self) -> Mapping[str, Any]:
        """Return the fact the rules saw for this KPI (read-only)."""
        return FactRow(self.facts, self.row)

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

    def satisfies(self, need: Need) -> bool:
        """Return True when this KPI meets one balance need, e.g. ("financial", True)."""
        attribute, value = need
        return getattr(self.kpi, attribute) == value

    def guards(self) -> tuple[str, ...]:
        """Return the KPIs that guard this one: the rules' pairs, then the catalog's
        counter-KPIs."""
        if self._guards is None:
            self._guards = tuple(dict.fromkeys((*self.pair_with, *self.kpi.counter_kpis)))
        return self._guards


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



def rank_key(candidate: Candidate) -> tuple:
    """Order candidates: measurable first, then by score, then catalog order (stable)."""
    return (not candidate.measurable, -candidate.score)
