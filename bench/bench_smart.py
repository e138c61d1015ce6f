"""SMART check speed: a plan of 50 KPIs, median and p95 over repeated checks.

Run: .venv/bin/python bench/bench_smart.py
"""

import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advisor.plan_models import Plan  # noqa: E402
from advisor.smart import check_plan  # noqa: E402
from catalog.loader import builtin_catalog  # noqa: E402


def plan_of(size: int) -> Plan:
    """Return a plan of `size` catalog KPIs with realistic, partly incomplete details."""
    rng = random.Random(3)
    kpis = []
    for i, kpi in enumerate(rng.sample(builtin_catalog().kpis, size)):
        baseline = round(rng.uniform(10, 90), 1)
        kpis.append({
            "kpi_id": kpi.id, "baseline": baseline, "baseline_date": "2026-01-01",
            "target": round(baseline * rng.uniform(0.8, 1.6), 1),
            "deadline": rng.choice(["2026-03-01", "2026-06-30", "2026-12-31", "2025-12-31"]),
            "frequency": rng.choice(["weekly", "monthly", "quarterly"]),
            "data_source": kpi.data_sources[0] if i % 7 else None,
            "owner": rng.choice(["Lan", "Minh", "Hoa", "Tuấn", None]),
            "report_to": "Ban giám đốc" if i % 3 else None,
            "history": [round(baseline + rng.gauss(0, 3), 1) for _ in range(12)] if i % 4 == 0
            else None,
        })
    return Plan.model_validate({
        "goals": ["increase_revenue", "acquire_customers", "build_brand_awareness"],
        "departments": ["sales", "marketing", "branding"],
        "data_sources": ["crm", "accounting", "web_analytics", "survey"],
        "as_of": "2026-01-15", "lang": "vi", "kpis": kpis,
    })


def main() -> None:
    """Print the median and p95 time of checking a 50-KPI plan."""
    plan = plan_of(50)
    catalog = builtin_catalog()
    result = check_plan(plan, catalog)
    times, cpu = [], []
    for _ in range(200):
        start, start_cpu = time.perf_counter(), time.process_time()
        check_plan(plan, catalog)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    gaps = sum(len(k["gaps"]) for k in result["kpis"]) + len(result["plan_gaps"])
    # CPU time too: on a shared machine the wall clock also counts other people's work.
    print(f"SMART check of a 50-KPI plan ({gaps} gaps): median {statistics.median(times):.1f} ms, "
          f"p95 {times[189]:.1f} ms, CPU median {statistics.median(cpu):.1f} ms "
          f"(goal < 20 ms median)")


if __name__ == "__main__":
    main()
