"""The practitioner benchmark's judge: the scenarios of tests/scenarios/, judged as their README
says (must_include, collect_data and must_exclude groups; the properties every set must have)."""

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from advisor.fit import ANSWER_OF, fit_verdict
from catalog.loader import Catalog

FOLDER = Path(__file__).resolve().parent / "scenarios"
SECTIONS = ("must_include", "collect_data", "must_exclude")
# The KPIs per department a size stands for when max_kpis_per_department is not given (the
# scenarios' README; the policy in rules/data/recommend.yaml must agree).
SIZE_LIMIT = {"micro": 3, "small": 3, "medium": 4, "large": 5}
BALANCE = (("financial", True), ("financial", False), ("indicator", "leading"),
           ("indicator", "lagging"))


@dataclass
class Verdict:
    """What a scenario's set met: its groups (section, ids, met) and any broken property."""

    scenario: str
    groups: list[tuple[str, tuple[str, ...], bool]] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)

    @property
    def met(self) -> int:
        """Return how many groups were met."""
        return sum(ok for _, _, ok in self.groups)

    @property
    def score(self) -> float:
        """Return the share of the scenario's groups met (1.0 for none)."""
        return self.met / len(self.groups) if self.groups else 1.0


def scenarios() -> list[dict]:
    """Return every scenario file, parsed, in name order."""
    return [yaml.safe_load(path.read_text(encoding="utf-8"))
            for path in sorted(FOLDER.glob("*.yaml"))]


def request_body(scenario: dict) -> dict:
    """Return the recommendation request of a scenario: its answers in its language."""
    return {**scenario["answers"], "lang": scenario["lang"]}


def judge(scenario: dict, result: dict, catalog: Catalog) -> Verdict:
    """Return the verdict on one scenario's recommendation `result` (the API's answer)."""
    verdict = Verdict(scenario["id"])
    items = {item["id"]: item for item in result["kpis"]}
    have = set(scenario["answers"].get("data_sources") or [])
    for section in SECTIONS:
        for group in scenario["expect"].get(section) or []:
            ids = tuple(group["ids"])
            verdict.groups.append((section, ids, _group_met(section, ids, items, have, catalog)))
    verdict.broken = properties(scenario["answers"], result, catalog)
    return verdict


def _group_met(section: str, ids: tuple[str, ...], items: dict, have: set[str],
               catalog: Catalog) -> bool:
    """Return whether one group of a section is met by the chosen `items`."""
    if section == "must_exclude":
        return not any(i in items for i in ids)
    if section == "must_include":
        return any(i in items for i in ids)
    return any(i in items and (_measurable(catalog.by_id[i], have) or items[i]["collect_data"])
               for i in ids)


def _measurable(kpi, have: set[str]) -> bool:
    """Return whether the client's data sources meet every data requirement of `kpi`."""
    return all(not have.isdisjoint(group) for group in kpi.requirements())


def properties(answers: dict, result: dict, catalog: Catalog) -> list[str]:
    """Return the properties of issue #10 the set breaks, each as a short sentence."""
    broken: list[str] = []
    chosen = [catalog.by_id[item["id"]] for item in result["kpis"]]
    codes = {(w["code"], w.get("kpi"), w.get("department"), w.get("goal"))
             for w in result["warnings"]}
    limit = answers.get("max_kpis_per_department") or SIZE_LIMIT.get(answers.get("size"), 5)
    keep = set(answers.get("keep") or [])
    for department in answers["departments"]:
        group = [k for k in chosen if k.department == department]
        kept_here = sum(k.id in keep for k in group)
        if not 0 < len(group) <= max(limit, kept_here):
            broken.append(f"{department}: {len(group)} KPIs, limit {limit}")
        for attribute, value in BALANCE:
            if not any(getattr(k, attribute) == value for k in group):
                broken.append(f"{department}: no {attribute}={value} KPI")
    broken += _guard_problems(chosen, codes)
    broken += _reason_problems(answers, result, catalog)
    broken += _context_problems(answers, result, chosen, keep)
    for goal in answers["goals"]:
        if not any(goal in k.goals for k in chosen) and ("goal_unserved", None, None,
                                                         goal) not in codes:
            broken.append(f"goal {goal} neither served nor explained")
    return broken


def _guard_problems(chosen: list, codes: set) -> list[str]:
    """Return what breaks the counter-KPI property: an unguarded KPI without a word, or
    fewer than half the KPIs with counter-KPIs guarded."""
    ids = {k.id for k in chosen}
    risky = [k for k in chosen if k.counter_kpis]
    guarded = [k for k in risky if ids & set(k.counter_kpis)]
    explained = {c[1] for c in codes if c[0] == "pair_missing"}
    broken = [f"{k.id} unguarded without a warning" for k in risky
              if k not in guarded and k.id not in explained]
    if risky and 2 * len(guarded) < len(risky):
        broken.append(f"only {len(guarded)} of {len(risky)} KPIs with counter-KPIs guarded")
    return broken


def _context_problems(answers: dict, result: dict, chosen: list, keep: set[str]) -> list[str]:
    """Return chosen KPIs that do not fit the context, that share a concept, fillers with a
    negative score, and kept KPIs missing from the set."""
    context = {name: answers.get(name) for name in ANSWER_OF.values()}
    broken = [f"{k.id} does not fit the context" for k in chosen
              if k.id not in keep and not fit_verdict(k, context).fits]
    for i, first in enumerate(chosen):
        for second in chosen[i + 1:]:
            if first.measures == second.measures and not {first.id, second.id} <= keep:
                broken.append(f"{first.id} and {second.id} both measure {first.measures}")
    broken += [f"{item['id']} filled in with score {item['score']}" for item in result["kpis"]
               if item.get("selected_by") == "fill" and item["score"] < 0]
    broken += [f"kept {kpi_id} missing" for kpi_id in sorted(keep - {k.id for k in chosen})]
    return broken


def _reason_problems(answers: dict, result: dict, catalog: Catalog) -> list[str]:
    """Return the reasons that are not true of their KPI: a headline not the headline of a
    goal chosen, a goal pick serving no goal chosen, a guard guarding nothing in the set, a
    "main purpose" reason for a KPI whose primary goal was not chosen."""
    goals = set(answers["goals"])
    ids = {item["id"] for item in result["kpis"]}
    broken = []
    for item in result["kpis"]:
        kpi, step = catalog.by_id[item["id"]], item["selected_by"]
        if step == "headline" and not goals & set(kpi.headline_for):
            broken.append(f"{kpi.id} chosen as a headline of no goal chosen")
        if step == "goal" and not goals & set(kpi.goals):
            broken.append(f"{kpi.id} chosen for a goal it does not serve")
        if step == "guard" and not any(kpi.id in catalog.by_id[other].counter_kpis
                                       for other in ids - {kpi.id}):
            broken.append(f"{kpi.id} chosen as the guard of nothing in the set")
        if any(r["rule"] == "made_for_chosen_goal" for r in item["reasons"]) \
                and kpi.primary_goal not in goals:
            broken.append(f"{kpi.id}: 'main purpose' reason, primary goal not chosen")
    return broken
