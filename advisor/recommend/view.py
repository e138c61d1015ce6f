"""The recommendation as the API, the CLI and the wizard show it, in one language."""

import contextlib
from collections.abc import Iterable, Mapping
from typing import Any

from advisor.fit import ANSWER_OF, fit_verdict
from advisor.i18n import N_, gettext
from advisor.recommend.candidate import Candidate, Need
from advisor.recommend.lacks import WHY, lack_json, set_lacks, why_key
from advisor.recommend.selection import Selection
from catalog.labels import label
from catalog.loader import Catalog
from catalog.models import Kpi, Text
from catalog.vocab import PERSPECTIVES
from rules.policy import RecommendPolicy

TEMPLATES = {
    "higher_is_better": N_("recommend.template.higher_is_better"),
    "lower_is_better": N_("recommend.template.lower_is_better"),
    "in_range": N_("recommend.template.in_range"),
}
STEPS = {
    "keep": N_("recommend.step.keep"),
    "headline": N_("recommend.step.headline"),
    "goal": N_("recommend.step.goal"),
    "balance": N_("recommend.step.balance"),
    "guard": N_("recommend.step.guard"),
    "fill": N_("recommend.step.fill"),
    "added": N_("recommend.step.added"),
}
FIT = {
    "general": N_("recommend.fit.general"),
    "matches": N_("recommend.fit.matches"),
    "kept": N_("recommend.fit.kept"),
    "poor": N_("recommend.fit.poor"),
}
GUARD = {
    "in_set": N_("recommend.guard.in_set"),
    "missing": N_("recommend.guard.missing"),
    "none": N_("recommend.guard.none"),
}
# The vocabulary of labels.yaml each context answer takes its words from.
VOCAB_OF = {"industry": "industries", "revenue_model": "revenue_models",
            "business_model": "business_models", "sales_motion": "sales_motions",
            "channels": "channels", "stage": "stages", "size": "sizes"}


def _reason_values(fact: Mapping[str, Any], lang: str) -> dict[str, str]:
    """Return the placeholder values a reason text may use, in `lang`."""
    def names(vocab: str, words: list[str]) -> str:
        return ", ".join(label(vocab, w).pick(lang) for w in words) or "-"
    return {
        "goals": names("goals", fact["matched_goals"]),
        "primary_goal": names("goals", [fact["primary_goal"]]),
        "top_goal": names("goals", fact["client_goals"][:1]),
        "missing": names("data_sources", fact["missing_sources"]),
        "channels": names("channels", fact["channels"]),
        "stage": label("stages", fact.get("stage", "-")).pick(lang),
        "business_model": label("business_models", fact.get("business_model", "-")).pick(lang),
    }


def render_reasons(reasons: Iterable[Text], fact: Mapping[str, Any], lang: str) -> list[str]:
    """Return rules' reasons for one KPI in `lang` with the answers behind them filled in."""
    values = None
    texts = []
    for reason in reasons:
        text = reason.pick(lang)
        if "{" in text or "}" in text:  # else nothing to fill in: what format would return
            values = values or _reason_values(fact, lang)
            with contextlib.suppress(KeyError, IndexError, ValueError):
                text = text.format(**values)
        texts.append(text)
    return texts


def need_text(need: Need | list, lang: str) -> str:
    """Return a balance need as a few words in `lang` (financial, leading, ...)."""
    attribute, value = need
    vocab = {"financial": "financial", "indicator": "indicators"}.get(attribute, "perspectives")
    return label(vocab, value).pick(lang).lower()


def _data_source(kpi: Kpi, have: set[str]) -> str:
    """Return the data source to measure with: one the client has, else the first needed."""
    return next((s for s in kpi.data_sources if s in have), kpi.data_sources[0])


def collect_data(kpi: Kpi, have: set[str]) -> list[str]:
    """Return the data to start collecting: the first source of each requirement the client's
    data does not meet (empty when the KPI is measurable now)."""
    return [group[0] for group in kpi.requirements() if have.isdisjoint(group)]


def _step_text(step: dict, lang: str, catalog: Catalog) -> str:
    """Return why one selection step chose the KPI, in `lang`."""
    detail = step["detail"]
    values: dict[str, str] = {}
    if step["step"] in ("goal", "headline"):
        values["goal"] = label("goals", detail).pick(lang)
    elif step["step"] == "balance":
        attribute, value = detail.split("=", 1)
        values["need"] = need_text((attribute, value == "True" if attribute == "financial"
                                    else value), lang)
    elif step["step"] == "guard":
        values["kpi"] = catalog.by_id[detail].name.pick(lang)
    return gettext(lang, STEPS[step["step"]], **values)


def _answer_names(answer: str, given, lang: str) -> str:
    """Return the client's answer to one context question as names in `lang`."""
    words = given if isinstance(given, list) else [given]
    return ", ".join(label(VOCAB_OF[answer], w).pick(lang) for w in words)


def fit_json(kpi: Kpi, context: dict, kept: bool, lang: str) -> dict:
    """Return whether `kpi` fits the client and why, naming the answers it fits."""
    verdict = fit_verdict(kpi, context)
    if not verdict.fits:
        why = "; ".join([m.pick(lang) for m in verdict.misfits] + [
            _answer_names(ANSWER_OF[c], context.get(ANSWER_OF[c]), lang)
            for c in verdict.failed])
        message = FIT["kept"] if kept else FIT["poor"]
        return {"fits": False, "text": gettext(lang, message, why=why)}
    matched = []
    conditions = kpi.fits.conditions() if kpi.fits is not None else {}
    for condition, words in conditions.items():
        answer = ANSWER_OF[condition]
        given = context.get(answer)
        given = [w for w in given if w in words] if isinstance(given, list) else \
            ([given] if given in words else [])
        matched += [label(VOCAB_OF[answer], w).pick(lang) for w in given]
    if not matched:
        return {"fits": True, "text": gettext(lang, FIT["general"])}
    text = gettext(lang, FIT["matches"], answers=", ".join(matched))
    if kpi.fits is not None and kpi.fits.why is not None:
        text += " " + kpi.fits.why.pick(lang)
    return {"fits": True, "text": text}


def guard_json(candidate: Candidate, in_set: set[str], reason: str | None, catalog: Catalog,
               lang: str) -> dict:
    """Return the KPI's guard: its counter-KPIs, whether one is in the set, and why not."""
    guards = candidate.guards()
    counters = [{"id": g, "name": catalog.by_id[g].name.pick(lang), "in_set": g in in_set}
                for g in guards if g in catalog.by_id]
    present = next((c for c in counters if c["in_set"]), None)
    if not counters:
        text = gettext(lang, GUARD["none"])
    elif present is not None:
        text = gettext(lang, GUARD["in_set"], counter=present["name"])
    else:
        text = gettext(lang, GUARD["missing"], counter=counters[0]["name"])
        if reason:
            text += " " + gettext(lang, WHY[reason])
    return {"counters": counters, "in_set": present is not None,
            "reason": None if present or not counters else reason, "text": text}


def kpi_item(candidate: Candidate, context: dict, catalog: Catalog, lang: str,
             picked: list[dict], in_set: set[str], guard_reason: str | None = None) -> dict:
    """Return one chosen KPI as the answer shows it."""
    kpi = candidate.kpi
    have = set(context.get("data_sources") or [])
    name = kpi.name.pick(lang)
    counter = kpi.counter_kpis[0] if kpi.counter_kpis else None
    fact = candidate.fact
    return {
        "id": kpi.id, "department": kpi.department, "name": name,
        "financial": kpi.financial, "perspective": kpi.perspective, "indicator": kpi.indicator,
        "score": candidate.score,
        "reasons": [{"rule": r["rule"], "text": text} for r, text in zip(
            candidate.reasons, render_reasons([r["reason"] for r in candidate.reasons], fact,
                                              lang), strict=True)],
        "selected_by": picked[0]["step"] if picked else "added",
        "selected_because": [_step_text(step, lang, catalog) for step in picked]
        or [gettext(lang, STEPS["added"])],
        "owner_role": kpi.owner_role.pick(lang), "frequency": kpi.frequency,
        "data_source": _data_source(kpi, have), "unit": kpi.unit, "direction": kpi.direction,
        "smart_template": gettext(lang, TEMPLATES[kpi.direction], name=_lower_first(name)),
        "counter_kpi": _ref(counter, catalog, lang),
        "pitfalls": [p.pick(lang) for p in kpi.pitfalls],
        "flags": [{"rule": f["rule"], "code": f["code"], "text": text} for f, text in zip(
            candidate.flags, render_reasons([f["reason"] for f in candidate.flags], fact, lang),
            strict=True)],
        "collect_data": collect_data(kpi, have),
        "primary_goal": kpi.primary_goal, "headline_for": list(kpi.headline_for),
        "measures": kpi.measures,
        "fit": fit_json(kpi, context, candidate.required, lang),
        "guard": guard_json(candidate, in_set, guard_reason, catalog, lang),
    }


def _lower_first(name: str) -> str:
    """Return `name` with a lower-case first letter, unless it starts an acronym (MQL, NPS)."""
    if len(name) > 1 and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _ref(kpi_id: str | None, catalog: Catalog, lang: str) -> dict | None:
    if kpi_id is None:
        return None
    return {"id": kpi_id, "name": catalog.by_id[kpi_id].name.pick(lang)}


def balance_json(chosen: list[Candidate], departments: list[str],
                 needs: tuple[Need, ...]) -> dict:
    """Return counts of financial/non-financial, perspectives and leading/lagging, overall and
    per department, with whether each department meets the balance needs."""
    def counts(group: list[Candidate]) -> dict:
        return {
            "total": len(group),
            "financial": sum(c.kpi.financial for c in group),
            "non_financial": sum(not c.kpi.financial for c in group),
            "leading": sum(c.kpi.indicator == "leading" for c in group),
            "lagging": sum(c.kpi.indicator == "lagging" for c in group),
            "perspectives": {p: sum(c.kpi.perspective == p for c in group) for p in PERSPECTIVES},
        }
    per_department = {}
    for department in departments:
        group = [c for c in chosen if c.kpi.department == department]
        per_department[department] = {
            **counts(group),
            "balanced": all(any(c.satisfies(n) for c in group) for n in needs),
        }
    return {**counts(chosen), "departments": per_department}


def alternative_json(candidate: Candidate, context: dict, lang: str) -> dict:
    """Return a KPI that could stand in for a chosen one, with its reasons and its fit."""
    kpi = candidate.kpi
    return {"id": kpi.id, "name": kpi.name.pick(lang), "department": kpi.department,
            "score": candidate.score, "financial": kpi.financial, "indicator": kpi.indicator,
            "perspective": kpi.perspective, "measurable": candidate.measurable,
            "reasons": render_reasons([r["reason"] for r in candidate.reasons], candidate.fact,
                                      lang),
            "fit": fit_json(kpi, context, False, lang)}


def client_context(request) -> dict:
    """Return the answers a KPI's fit and data are read against."""
    context = {name: getattr(request, name) for name in ANSWER_OF.values()}
    context["data_sources"] = request.data_sources or []
    return context


def warnings_json(chosen: list[Candidate], candidates: Iterable[Candidate], request,
                  limit: int, policy: RecommendPolicy, catalog: Catalog,
                  why_not: dict | None = None, notes: list[dict] | None = None) -> list[dict]:
    """Return what the set lacks, with why the selection could not avoid it, in the request's
    language."""
    lacks = set_lacks(chosen, candidates, list(request.goals), list(request.departments),
                      limit, policy.needs(), policy.guard.min_guarded_share)
    for lack in lacks:
        reason = (why_not or {}).get(why_key(lack))
        if reason is not None:
            lack["reason"] = reason
    return [lack_json(w, request.lang, catalog) for w in [*lacks, *(notes or [])]]


def recommendation_json(selection: Selection, candidates: list[Candidate], request,
                        catalog: Catalog, policy: RecommendPolicy, trace: list) -> dict:
    """Return the full answer: kpis, balance, alternatives, warnings, trace."""
    lang = request.lang
    context = client_context(request)
    chosen = [c for d in request.departments for c in selection.chosen[d]]
    in_set = {c.kpi.id for c in chosen}
    return {
        "kpis": [kpi_item(c, context, catalog, lang, selection.picked.get(c.kpi.id, []),
                          in_set, selection.why_not.get(("pair_missing", c.kpi.id)))
                 for c in chosen],
        "balance": balance_json(chosen, list(request.departments), policy.needs()),
        "alternatives": {d: [alternative_json(c, context, lang) for c in group]
                         for d, group in selection.alternatives.items()},
        "warnings": warnings_json(chosen, candidates, request, selection.cap, policy, catalog,
                                  selection.why_not, selection.notes),
        "limit_per_department": selection.cap,
        "limit_from": "max_kpis_per_department" if request.max_kpis_per_department
        else "size" if request.size else "default",
        "trace": trace,
    }
