"""SMART check: facts about each plan KPI in, gaps with a concrete fix out (rules in smart.yaml)."""

import datetime as dt

from advisor.errors import InvalidInputError
from advisor.i18n import gettext
from advisor.plan_models import Plan
from advisor.smart.facts import KpiContext, kpi_fact
from advisor.smart.view import gap_json, score_letters
from catalog.loader import Catalog
from rules.engine import evaluate
from rules.loader import load_builtin
from rules.models import RuleSet
from rules.policy import SmartPolicy


def check_plan(plan: Plan, catalog: Catalog, ruleset: RuleSet | None = None) -> dict:
    """Return the SMART gaps of every KPI of the plan and of the plan as a whole.

    `ruleset` replaces the built-in smart.yaml (a methodologist's variant, in tests).
    """
    ruleset = ruleset or load_builtin("smart")
    _check_ids(plan, catalog)
    context = KpiContext(plan, plan.as_of or dt.date.today(), ruleset.policy_as(SmartPolicy))
    facts = [kpi_fact(i, k, catalog.get(k.kpi_id or ""), context)
             for i, k in enumerate(plan.kpis)]
    facts += owner_facts(plan, facts)
    facts.append(plan_fact(plan, catalog))
    per_kpi: list[list[dict]] = [[] for _ in plan.kpis]
    plan_gaps: list[dict] = []
    for firing in evaluate(ruleset, facts):
        fact = facts[firing.fact_index]
        gap = gap_json(firing, fact, plan.lang)
        (per_kpi[fact["index"]] if fact["kind"] == "kpi" else plan_gaps).append(gap)
    kpis = [{"kpi_id": k.kpi_id, "name": facts[i]["name"], "score": score_letters(per_kpi[i]),
             "gaps": per_kpi[i], "ready": not any(g["severity"] == "error" for g in per_kpi[i])}
            for i, k in enumerate(plan.kpis)]
    ready = all(k["ready"] for k in kpis) and not any(g["severity"] == "error"
                                                      for g in plan_gaps)
    return {"kpis": kpis, "plan_gaps": plan_gaps, "ready": ready}


def _check_ids(plan: Plan, catalog: Catalog) -> None:
    """Raise InvalidInputError for unknown catalog ids and KPIs with neither id nor name."""
    errors = unknown_kpis(plan, catalog)
    if errors:
        raise InvalidInputError(errors)


def unknown_kpis(plan: Plan, catalog: Catalog) -> list[dict]:
    """Return the field errors of KPIs whose id the catalog lacks or that have neither id nor
    name, in the plan's language."""
    errors = []
    for i, kpi in enumerate(plan.kpis):
        if kpi.kpi_id and catalog.get(kpi.kpi_id) is None:
            errors.append({"field": f"kpis.{i}.kpi_id", "message": gettext(
                plan.lang, "smart.error.unknown_kpi", kpi_id=repr(kpi.kpi_id))})
        if not kpi.kpi_id and not kpi.name:
            errors.append({"field": f"kpis.{i}.name",
                           "message": gettext(plan.lang, "smart.error.no_name")})
    return errors


def owner_facts(plan: Plan, kpi_facts: list[dict]) -> list[dict]:
    """Return one fact per owner: how many KPIs they hold (and which), against the plan's
    limit, so that an overloaded owner is one gap on the plan."""
    held: dict[str, list[dict]] = {}
    for fact in kpi_facts:
        if "owner" in fact:
            held.setdefault(fact["owner"].casefold(), []).append(fact)
    limit = plan.max_kpis_per_owner
    return [{"kind": "owner", "owner": group[0]["owner"], "owner_kpi_count": len(group),
             "owner_kpis": [f["name"] for f in group], "limit": limit,
             "owner_overloaded": len(group) > limit}
            for group in held.values()]


def plan_fact(plan: Plan, catalog: Catalog) -> dict:
    """Return the fact about the plan as a whole: balance and duplicates."""
    entries = [catalog.get(k.kpi_id or "") for k in plan.kpis]
    known = [e for e in entries if e is not None]
    ids = {e.id for e in known}
    pairs = sorted({tuple(sorted((e.id, r))) for e in known for r in e.related if r in ids})
    fact = {
        "kind": "plan", "kpi_count": len(plan.kpis), "catalog_kpi_count": len(known),
        "financial_count": sum(e.financial for e in known),
        "non_financial_count": sum(not e.financial for e in known),
        "leading_count": sum(e.indicator == "leading" for e in known),
        "lagging_count": sum(e.indicator == "lagging" for e in known),
        "duplicate_pair_count": len(pairs),
        "name": plan.org_name or "plan",
    }
    if pairs:
        fact["duplicate_pairs"] = [" ~ ".join(catalog.by_id[i].name.pick(plan.lang) for i in p)
                                   for p in pairs]
    return fact
