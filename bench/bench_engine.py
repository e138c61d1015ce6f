"""Time and stress the rule engine on made-up rule sets and facts; prints figures, asserts nothing.

(a) 150 facts x 60 rules (the built-in recommend rules, padded with made-up ones);
(b) 5,000 facts x 400 rules, once with selective rules (about 1 firing per fact) and once
    with denser ones (about 14), which also gives the fixed and the per-firing cost;
(c) RSS after 10,000 evaluations against RSS after 100;
(d) 8 threads x 5,000 evaluations compared with the sequential results, then live sessions.

Rules and facts come from a seeded generator shaped like the recommend rule set (kind, stage,
goal, data-source tests; lists, numbers, yes/no; some any/not nesting), so the script needs
nothing but the project. Times are medians of wall time and of this thread's CPU time (the
CPU figure is steadier on a shared machine). Run: `.venv/bin/python bench/bench_engine.py`
(`--quick` shrinks c and d to a smoke run).
"""

import random
import resource
import statistics
import sys
import threading
import time

from rules.engine import evaluate, live_sessions
from rules.loader import load_builtin
from rules.models import RuleSet

STAGES = ["startup", "growth", "mature", "decline"]
GOALS = ["increase_revenue", "acquire_customers", "retain_customers", "raise_awareness",
         "improve_margin", "grow_share", "launch_product", "build_loyalty"]
SOURCES = ["crm", "web_analytics", "ads_manager", "pos", "survey", "brand_tracking",
           "email_tool", "erp", "call_center", "social"]
UNITS = ["percent", "ratio", "count", "currency", "days", "hours"]
DEPARTMENTS = ["sales", "marketing", "branding"]


def made_up_fact(rng: random.Random, index: int) -> dict:
    """Return one KPI-like fact with the fields the made-up rules test, plus some noise."""
    goals = rng.sample(GOALS, rng.randint(0, 3))
    return {
        "kind": "kpi" if rng.random() < 0.95 else "plan",
        "id": f"{rng.choice(DEPARTMENTS)}.kpi_{index}",
        "department": rng.choice(DEPARTMENTS),
        "stage": rng.choice(STAGES),
        "indicator": rng.choice(["leading", "lagging"]),
        "unit": rng.choice(UNITS),
        "matched_goals": goals,
        "goal_match_count": len(goals),
        "data_sources": rng.sample(SOURCES, rng.randint(0, 4)),
        "missing_source_count": rng.randint(0, 3),
        "serves_top_goal": rng.random() < 0.3,
        "best_goal_rank": rng.randint(1, 5),
        "monthly_ad_budget": round(rng.uniform(0, 5e8), 2),
        "email_list_size": rng.randint(0, 100_000),
        "name": f"Chỉ số số {index}",
        "statement": "Mô tả dài của KPI " * rng.randint(1, 5),
    }


def made_up_test(rng: random.Random) -> dict:
    """Return one random field test on a field made_up_fact fills (most are selective)."""
    choice = rng.randrange(10)
    if choice == 0:
        return {"field": "stage", "op": "in", "value": rng.sample(STAGES, 2)}
    if choice == 1:
        return {"field": "stage", "op": "eq", "value": rng.choice(STAGES)}
    if choice == 2:
        return {"field": "matched_goals", "op": "contains", "value": rng.choice(GOALS)}
    if choice == 3:
        op = rng.choice(["contains", "contains", "not_contains"])
        return {"field": "data_sources", "op": op, "value": rng.choice(SOURCES)}
    if choice == 4:
        return {"field": "goal_match_count", "op": "gte", "value": rng.randint(2, 3)}
    if choice == 5:
        return {"field": "serves_top_goal", "op": "eq", "value": True}
    if choice == 6:
        return {"field": "monthly_ad_budget", "op": "gt", "value": rng.uniform(0, 5e8)}
    if choice == 7:
        return {"field": "unit", "op": "eq", "value": rng.choice(UNITS)}
    if choice == 8:
        return {"field": "department", "op": "eq", "value": rng.choice(DEPARTMENTS)}
    return {"field": "indicator", "op": "eq", "value": rng.choice(["leading", "lagging"])}


def made_up_rule(rng: random.Random, index: int, extra_tests: tuple[int, int]) -> dict:
    """Return one rule: kind=kpi plus a random number of tests; a fifth nest an any/not."""
    tests: list[dict] = [{"field": "kind", "op": "eq", "value": "kpi"}]
    tests += [made_up_test(rng) for _ in range(rng.randint(*extra_tests))]
    if rng.random() < 0.2:
        tests[-1] = {"any": [made_up_test(rng), {"not": made_up_test(rng)}]}
    return {
        "id": f"rule_{index}",
        "priority": rng.randint(0, 3),
        "when": {"all": tests},
        "then": {"action": "score", "points": rng.choice([-2, -1, 0.5, 1, 2, 3])},
        "reason": {"vi": f"Lý do {index}", "en": f"Reason {index}"},
    }


def made_up_ruleset(rng: random.Random, rule_count: int, base: RuleSet | None = None,
                    extra_tests: tuple[int, int] = (3, 4)) -> RuleSet:
    """Return a rule set of `rule_count` rules: `base`'s rules first, made-up ones after."""
    rules = [rule.model_dump(by_alias=True) for rule in base.rules] if base else []
    rules += [made_up_rule(rng, index, extra_tests) for index in range(rule_count - len(rules))]
    return RuleSet.model_validate({
        "ruleset": "bench",
        "description": {"vi": "Bộ luật thử", "en": "Benchmark rules"},
        "rules": rules,
    })


def medians(ruleset: RuleSet, facts: list[dict], runs: int) -> tuple[float, float, int]:
    """Return the median wall and CPU time of `evaluate` in ms, and the number of firings."""
    firings = len(evaluate(ruleset, facts))  # compiles once
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.thread_time()
        evaluate(ruleset, facts)
        cpus.append((time.thread_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    return statistics.median(walls), statistics.median(cpus), firings


def rss_mb() -> float:
    """Return this process's current resident set size in MB (Linux /proc)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 1e6


def bench_small(rng: random.Random) -> None:
    """Print (a)."""
    ruleset = made_up_ruleset(rng, 60, load_builtin("recommend"))
    facts = [made_up_fact(rng, index) for index in range(150)]
    wall, cpu, firings = medians(ruleset, facts, 50)
    print(f"(a) 150 facts x 60 rules: median {wall:.1f} ms wall, {cpu:.1f} ms CPU "
          f"({firings} firings)")


def bench_large(rng: random.Random) -> None:
    """Print (b) for a selective and a dense rule set, and the cost model they imply."""
    facts = [made_up_fact(rng, index) for index in range(5000)]
    points = []
    for label, extra_tests in (("selective", (5, 6)), ("dense", (3, 4))):
        ruleset = made_up_ruleset(rng, 400, extra_tests=extra_tests)
        start = time.perf_counter()
        evaluate(ruleset, facts)
        first = (time.perf_counter() - start) * 1000
        wall, cpu, firings = medians(ruleset, facts, 7)
        points.append((firings, cpu))
        print(f"(b) 5,000 facts x 400 {label} rules: median {wall:.0f} ms wall, {cpu:.0f} ms CPU "
              f"({firings:,} firings, {firings / 5000:.1f} per fact; first run with "
              f"compiling {first:.0f} ms)")
    (few, few_cpu), (many, many_cpu) = points
    per_firing = (many_cpu - few_cpu) / (many - few) * 1000
    fixed = few_cpu - per_firing * few / 1000
    print(f"    cost model: about {fixed:.0f} ms for 5,000 facts plus {per_firing:.1f} µs "
          "per firing")


def bench_memory(rng: random.Random, total: int) -> None:
    """Print (c): RSS after 100 evaluations and after `total`."""
    ruleset = made_up_ruleset(rng, 60, load_builtin("recommend"))
    facts = [made_up_fact(rng, index) for index in range(150)]
    for _ in range(100):
        evaluate(ruleset, facts)
    after_100 = rss_mb()
    for _ in range(total - 100):
        evaluate(ruleset, facts)
    growth = rss_mb() - after_100
    print(f"(c) RSS after 100 evaluations {after_100:.1f} MB, after {total:,} "
          f"{after_100 + growth:.1f} MB (growth {growth:+.1f} MB; goal < 10 MB)")


def bench_threads(rng: random.Random, threads: int, per_thread: int) -> None:
    """Print (d): concurrent evaluations compared with sequential ones."""
    ruleset = made_up_ruleset(rng, 60, load_builtin("recommend"))
    inputs = [[made_up_fact(rng, i) for i in range(rng.randint(0, 20))] for _ in range(50)]
    expected = [evaluate(ruleset, facts) for facts in inputs]
    mismatches: list[int] = []
    crashes: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            for n in range(per_thread):
                k = (seed + n) % len(inputs)
                if evaluate(ruleset, inputs[k]) != expected[k]:
                    mismatches.append(k)
        except BaseException as exc:  # noqa: BLE001 - counted and printed below
            crashes.append(exc)

    start = time.perf_counter()
    workers = [threading.Thread(target=work, args=(s,)) for s in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - start
    print(f"(d) {threads} threads x {per_thread:,} evaluations in {seconds:.1f} s: "
          f"{len(mismatches)} mismatches, {len(crashes)} exceptions, "
          f"live sessions {live_sessions()}")


def main() -> None:
    """Run every benchmark and print the figures."""
    quick = "--quick" in sys.argv
    rng = random.Random(20240601)
    bench_small(rng)
    bench_large(rng)
    bench_memory(rng, 1_000 if quick else 10_000)
    bench_threads(rng, 8, 300 if quick else 5_000)


if __name__ == "__main__":
    main()
