"""What a KPI set lacks or overdoes, and the one message table that words it: the same findings
for the first recommendation and for the consultant's edited set."""

from collections.abc import Iterable

from advisor.i18n import N_, gettext
from advisor.recommend.candidate import Candidate, Need, rank_key
from catalog.labels import label
from catalog.loader import Catalog

LACKS = {
    "goal_unserved": N_("recommend.lack.goal_unserved"),
    "department_empty": N_("recommend.lack.department_empty"),
    "balance_unmet": N_("recommend.lack.balance_unmet"),
    "over_limit": N_("recommend.lack.over_limit"),
    "pair_missing": N_("recommend.lack.pair_missing"),
    "guards_short": N_("recommend.lack.guards_short"),
    "duplicate": N_("recommend.lack.duplicate"),
    "slot_empty": N_("recommend.lack.slot_empty"),
}
WHY = {
    "no_room": N_("recommend.why.no_room"),
    "no_kpi_in_scope": N_("recommend.why.no_kpi_in_scope"),
    "no_kpi_fits": N_("recommend.why.no_kpi_fits"),
    "no_data": N_("recommend.why.no_data"),
    "not_in_scope": N_("recommend.why.not_in_scope"),
    "does_not_fit": N_("recommend.why.does_not_fit"),
    "duplicate": N_("recommend.why.duplicate"),
    "edited": N_("recommend.why.edited"),
    "is_guard": N_("recommend.why.is_guard"),
}
HINT = N_("recommend.lack.hint")


def set_lacks(chosen: list[Candidate], candidates: Iterable[Candidate], goals: list[str],
              departments: list[str], limit: int, needs: tuple[Need, ...],
              min_guarded_share: float) -> list[dict]:
    """Return what the set `chosen` lacks or overdoes: goals unserved (with a KPI to add),
    empty or lopsided or too full departments, unguarded KPIs, too few guards, and KPIs
    measuring the same thing; each a dict with its code and details."""
    found = _goal_lacks(chosen, candidates, goals)
    for department in departments:
        found += _department_lacks(department, chosen, limit, needs)
    found += _guard_lacks(chosen, min_guarded_share)
    found += _duplicates(chosen)
    return found


def _goal_lacks(chosen: list[Candidate], candidates: Iterable[Candidate],
                goals: list[str]) -> list[dict]:
    ids = {c.kpi.id for c in chosen}
    found = []
    for goal in goals:
        if any(goal in c.kpi.goals for c in chosen):
            continue
        serving = sorted((c for c in candidates if goal in c.kpi.goals and not c.excluded
                          and c.kpi.id not in ids), key=rank_key)
        found.append({"code": "goal_unserved", "goal": goal,
                      "suggest": serving[0].kpi.id if serving else None})
    return found


def _department_lacks(department: str, chosen: list[Candidate], limit: int,
                      needs: tuple[Need, ...]) -> list[dict]:
    group = [c for c in chosen if c.kpi.department == department]
    if not group:
        return [{"code": "department_empty", "department": department}]
    found: list[dict] = [{"code": "balance_unmet", "department": department,
                          "need": list(need)}
                         for need in needs if not any(c.satisfies(need) for c in group)]
    if len(group) > limit:
        found.append({"code": "over_limit", "department": department, "count": len(group),
                      "limit": limit})
    return found


def _guard_lacks(chosen: list[Candidate], min_share: float) -> list[dict]:
    ids = {c.kpi.id for c in chosen}
    risky = [c for c in chosen if c.guards()]
    unguarded = [c for c in risky if ids.isdisjoint(c.guards())]
    found: list[dict] = [{"code": "pair_missing", "kpi": c.kpi.id, "counter": c.guards()[0]}
                         for c in unguarded]
    guarded = len(risky) - len(unguarded)
    if risky and guarded < min_share * len(risky):
        found.append({"code": "guards_short", "guarded": guarded, "risky": len(risky)})
    return found


def _duplicates(chosen: list[Candidate]) -> list[dict]:
    found = []
    for i, first in enumerate(chosen):
        for second in chosen[i + 1:]:
            if first.kpi.overlaps(second.kpi):
                found.append({"code": "duplicate", "kpi": first.kpi.id, "other": second.kpi.id})
    return found


def why_key(lack: dict) -> tuple:
    """Return the key under which the selection recorded why `lack` could not be avoided."""
    code = lack["code"]
    if code == "goal_unserved":
        return code, lack["goal"]
    if code == "balance_unmet":
        return code, lack["department"], tuple(lack["need"])
    if code == "pair_missing":
        return code, lack["kpi"]
    return (code,)


def _need_text(need: list, lang: str) -> str:
    attribute, value = need
    vocab = {"financial": "financial", "indicator": "indicators"}.get(attribute, "perspectives")
    return label(vocab, value).pick(lang).lower()


def lack_values(lack: dict, lang: str, catalog: Catalog) -> dict:
    """Return a finding's details as its message shows them in `lang`: goals, departments,
    balance needs and KPI ids as names."""
    values = {key: value for key, value in lack.items() if key != "code"}
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


def lack_json(lack: dict, lang: str, catalog: Catalog) -> dict:
    """Return a finding with its message in `lang`: what is lacking, why it could not be
    avoided (its `reason`, if any) and what to add (its `suggest`, if any)."""
    values = lack_values(lack, lang, catalog)
    parts = [gettext(lang, LACKS[lack["code"]], **values)]
    if lack.get("reason"):
        parts.append(gettext(lang, WHY[lack["reason"]]))
    if lack.get("suggest"):
        parts.append(gettext(lang, HINT, kpi=values["suggest"]))
    return {**lack, "message": " ".join(parts)}
