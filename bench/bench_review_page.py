"""Time the review page of a plan of 30 KPIs with 36 monthly values each, in process and through
a real `kpi-advisor serve`.

The histories come from the seeded generator of bench_review_speed.py (level, trend, season,
noise, an occasional shift), stored in a fresh SQLite file with one period excluded as an
assignable cause per fifth KPI. In process, the page is asked of the app's test client: each
request reads the measurements, reviews every KPI (statistics and the review rule set), and
renders both charts of each KPI, the tables and the forms. Through the server, the same page is
fetched over HTTP. The goal is under 300 ms for the page.
Run: `.venv/bin/python bench/bench_review_page.py`.
"""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advisor.plan_models import Plan  # noqa: E402
from advisor.plans import create_plan, get_plan  # noqa: E402
from advisor.review.importer import add_rows  # noqa: E402
from advisor.store import ensure_schema, open_db  # noqa: E402
from bench.bench_review_speed import made_up_history  # noqa: E402
from catalog.loader import builtin_catalog  # noqa: E402

KPIS = 30
POINTS = 36
ROUNDS = 15
MONTHS = [f"{2022 + i // 12}-{i % 12 + 1:02d}" for i in range(POINTS)]


def make_plan(path: Path) -> int:
    """Store the plan of KPIS KPIs with POINTS months each in a fresh file; return its id."""
    rng = np.random.default_rng(7)
    histories = [made_up_history(rng)[-POINTS:] for _ in range(KPIS)]
    plan = Plan.model_validate({"org_name": "Bench", "lang": "vi", "kpis": [
        {"name": f"Chỉ số {i + 1}", "unit": "count", "frequency": "monthly",
         "target": round(values[-1] * 1.05, 1)} for i, values in enumerate(histories)]})
    db = open_db(path)
    ensure_schema(db)
    record = get_plan(db, create_plan(db, plan))
    rows = [{"kpi": f"Chỉ số {i + 1}", "period": month, "value": round(value, 2),
             **({"exclude": "yes", "note": "sự cố"} if i % 5 == 0 and j == 10 else {})}
            for i, values in enumerate(histories) for j, (month, value)
            in enumerate(zip(MONTHS, values, strict=True))]
    add_rows(db, record, rows, builtin_catalog(), "api")
    db.close()
    return record.id


def in_process(path: Path, plan_id: int) -> tuple[list[float], list[float]]:
    """Return the wall and CPU seconds of each page request through the app's test client
    (after a first one); on a shared machine the CPU time is the page's own cost."""
    from web import create_app

    app = create_app({"DATABASE": str(path), "SECRET_KEY": "bench"})
    client = app.test_client()
    url = f"/plans/{plan_id}/review?lang=vi"
    response = client.get(url)
    assert response.status_code == 200 and response.data.count(b"<svg") == 2 * KPIS
    times, cpu = [], []
    for _ in range(ROUNDS):
        began, began_cpu = time.perf_counter(), time.process_time()
        client.get(url).get_data()
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return times, cpu


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def through_server(path: Path, plan_id: int) -> list[float]:
    """Return the seconds of each page fetch from a real `kpi-advisor serve` (after one)."""
    port = _free_port()
    env = {**os.environ, "KPI_ADVISOR_DB": str(path), "KPI_ADVISOR_SECRET_KEY": "bench",
           "KPI_ADVISOR_WORKERS": "2"}
    server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/plans/{plan_id}/review?lang=vi"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url, timeout=10).read()
                break
            except OSError:
                time.sleep(0.1)
        times = []
        for _ in range(ROUNDS):
            began = time.perf_counter()
            with urllib.request.urlopen(url, timeout=30) as response:
                size = len(response.read())
            times.append(time.perf_counter() - began)
        print(f"page size: {size / 1024:.0f} kB")
        return times
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    """Print the median and slowest page time in process and through the server."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        plan_id = make_plan(path)
        wall, cpu = in_process(path, plan_id)
        print(f"review page, {KPIS} KPIs x {POINTS} months, in process, CPU time: median "
              f"{1000 * statistics.median(cpu):.0f} ms, fastest {1000 * min(cpu):.0f} ms")
        for name, times in (("in process", wall),
                            ("through kpi-advisor serve", through_server(path, plan_id))):
            print(f"review page, {KPIS} KPIs x {POINTS} months, {name}: median "
                  f"{1000 * statistics.median(times):.0f} ms, slowest "
                  f"{1000 * max(times):.0f} ms over {ROUNDS} requests (goal < 300 ms)")
        print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
