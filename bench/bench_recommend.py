"""Recommendation speed and memory: real catalog, a synthetic 5,000-KPI catalog with 400 rules,
the share of time spent inside durable-rules, and RSS after 10,000 recommendations vs 100.

Each speed is measured twice: in this plain process, then as `kpi-advisor serve` runs it, with
what was loaded frozen out of the garbage collector (web.server.freeze_loaded_objects).

Run: .venv/bin/python bench/bench_recommend.py [--quick]
"""

import argparse
import gc
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import advisor.recommend.facts as recommend_module  # noqa: E402
import rules.engine as engine_module  # noqa: E402
from advisor.models import RecommendRequest  # noqa: E402
from advisor.recommend import recommend_kpis  # noqa: E402
from catalog.loader import Catalog, builtin_catalog  # noqa: E402
from catalog.vocab import CHANNELS, GOALS  # noqa: E402
from rules.engine import live_sessions  # noqa: E402
from rules.loader import load_builtin  # noqa: E402
from rules.models import RuleSet  # noqa: E402
from web.server import freeze_loaded_objects  # noqa: E402

REQUEST = RecommendRequest.model_validate({
    "goals": ["acquire_customers", "increase_revenue", "retain_customers"],
    "departments": ["sales", "marketing", "branding"],
    "business_model": "b2b", "stage": "growth", "sales_motion": "inside",
    "channels": ["website", "seo", "email", "paid_ads", "events"],
    "data_sources": ["crm", "web_analytics", "email_platform", "accounting", "ad_platform"],
    "monthly_ad_budget": 80_000_000, "email_list_size": 5000, "lang": "vi",
})


class EngineClock:
    """Wraps the recommendation's rule-engine call to add up the time spent inside it."""

    def __init__(self):
        self.seconds = 0.0
        self.firings = 0.0
        self.real = recommend_module.hits_by_columns

    def __call__(self, ruleset, columns, count):
        start = time.perf_counter()
        try:
            hits = self.real(ruleset, columns, count)
            self.firings = sum(map(len, hits)) / max(1, count)
            return hits
        finally:
            self.seconds += time.perf_counter() - start


class DurableClock:
    """Stands in for the durable_rules_engine module in rules.engine, adding up the time spent
    in the calls into durable-rules' C core."""

    def __init__(self):
        self.seconds = 0.0
        self.real = engine_module.durable_rules_engine

    def __getattr__(self, name):
        value = getattr(self.real, name)
        if not callable(value) or isinstance(value, type):
            return value

        def timed_call(*args):
            start = time.perf_counter()
            try:
                return value(*args)
            finally:
                self.seconds += time.perf_counter() - start
        return timed_call


def timed(runs: int, catalog: Catalog | None = None, ruleset: RuleSet | None = None):
    """Return (median ms, p95 ms, share of time in the engine, share in durable-rules' C core,
    firings per fact) over `runs` recommendations."""
    clock, durable = EngineClock(), DurableClock()
    recommend_module.hits_by_columns = clock
    engine_module.durable_rules_engine = durable
    try:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            result = recommend_kpis(REQUEST, catalog or builtin_catalog(), ruleset)
            times.append((time.perf_counter() - start) * 1000)
    finally:
        recommend_module.hits_by_columns = clock.real
        engine_module.durable_rules_engine = durable.real
    times.sort()
    total = sum(times) / 1000
    assert result["kpis"]
    return (statistics.median(times), times[int(0.95 * (len(times) - 1))],
            clock.seconds / total, durable.seconds / total, clock.firings)


def synthetic_catalog(size: int) -> Catalog:
    """Return `size` KPIs: copies of the real ones with new ids, goals and channels."""
    rng = random.Random(11)
    real = builtin_catalog().kpis
    kpis = []
    for i in range(size):
        base = real[i % len(real)]
        kpis.append(base.model_copy(update={
            "id": f"{base.department}.synthetic_{i}",
            "goals": rng.sample(GOALS, rng.randint(1, 3)),
            "channels": rng.sample(CHANNELS, rng.choice([0, 0, 1])),
            "counter_kpis": [], "related": [],
        }))
    return Catalog(kpis=tuple(kpis), fingerprint=f"synthetic-{size}", by_id={k.id: k for k in kpis})


def synthetic_rules(count: int, catalog: Catalog) -> RuleSet:
    """Return the built-in recommend rules padded with made-up ones to `count` rules."""
    rng = random.Random(5)
    base = load_builtin("recommend")
    data = base.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"policy"})
    ids = [k.id for k in catalog.kpis]
    while len(data["rules"]) < count:
        n = len(data["rules"])
        tests = [{"field": "kind", "op": "eq", "value": "kpi"}]
        # Like the real rules: each names the situation it is for (a few KPIs, or a goal in
        # one perspective at one stage, ...), so a fact meets a handful of rules, not half.
        choice = n % 3
        if choice == 0:
            tests.append({"field": "id", "op": "in", "value": rng.sample(ids, 5)})
        elif choice == 1:
            tests.append({"field": "matched_goals", "op": "contains", "value": rng.choice(GOALS)})
            tests.append({"field": "stage", "op": "eq",
                          "value": rng.choice(["startup", "growth", "mature"])})
            tests.append({"field": "indicator", "op": "eq",
                          "value": rng.choice(["leading", "lagging"])})
        else:
            tests.append({"field": "perspective", "op": "eq", "value": rng.choice(
                ["financial", "customer", "internal_process", "learning_growth"])})
            tests.append({"field": "client_goals", "op": "contains", "value": rng.choice(GOALS)})
            tests.append({"field": "goal_match_count", "op": "gte", "value": rng.randint(2, 3)})
        data["rules"].append({
            "id": f"synthetic_{n}", "when": {"all": tests},
            "then": {"action": "score", "points": round(rng.uniform(-1, 2), 1)},
            "reason": {"vi": "Quy tắc thử nghiệm.", "en": "A made-up rule."},
        })
    return RuleSet.model_validate(data).model_copy(update={"policy": base.policy})


def rss_mb() -> float:
    """Return this process's current resident memory in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory(total: int) -> tuple[float, float]:
    """Return RSS after 100 recommendations and after `total`."""
    for _ in range(100):
        recommend_kpis(REQUEST, builtin_catalog())
    after_100 = rss_mb()
    for _ in range(total - 100):
        recommend_kpis(REQUEST, builtin_catalog())
    return after_100, rss_mb()


def main() -> None:
    """Print every figure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a smoke test")
    args = parser.parse_args()
    runs, total = (20, 500) if args.quick else (300, 10_000)
    catalog = synthetic_catalog(5000)
    ruleset = synthetic_rules(400, catalog)
    recommend_kpis(REQUEST, builtin_catalog())
    recommend_kpis(REQUEST, catalog, ruleset)
    for setting in ("plain process", "as served, loaded objects frozen"):
        if gc.get_freeze_count() == 0 and setting.startswith("as served"):
            freeze_loaded_objects()
        print(f"-- {setting}")
        median, p95, share, core, density = timed(runs)
        print(f"real catalog ({len(builtin_catalog().kpis)} KPIs, "
              f"{len(load_builtin('recommend').rules)} rules, {density:.1f} firings per KPI): "
              f"median {median:.1f} ms, p95 {p95:.1f} ms (goal < 25 / < 50 ms); "
              f"{100 * share:.0f}% inside the rule engine, {100 * core:.0f}% of the whole in "
              "durable-rules' C core")
        median, p95, share, core, density = timed(max(5, runs // 10), catalog, ruleset)
        print(f"synthetic catalog (5,000 KPIs, 400 rules, {density:.1f} firings per KPI): "
              f"median {median:.0f} ms, p95 {p95:.0f} ms (goal < 150 ms median); "
              f"{100 * share:.0f}% inside the rule engine, {100 * core:.0f}% of the whole in "
              "durable-rules' C core")
    before, after = memory(total)
    print(f"RSS after 100 recommendations {before:.1f} MB, after {total:,}: {after:.1f} MB "
          f"(growth {after - before:+.1f} MB; goal within 10 MB); live sessions: "
          f"{live_sessions()}")


if __name__ == "__main__":
    main()
