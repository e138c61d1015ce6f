"""What checking access costs a request: the catalog with and without a token, and a plan's
review with its token, on one production server (gunicorn) in one run; and the check of a
plan-review request on its own, in the app's process, on the same database file.

Run: .venv/bin/python bench/bench_access.py   (exits 1 when the check adds 2 ms or more at the
median)
"""

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advisor.accounts.tokens import create_token  # noqa: E402
from advisor.accounts.users import create_user  # noqa: E402
from advisor.accounts.workspaces import create_workspace  # noqa: E402
from advisor.plan_models import Plan  # noqa: E402
from advisor.plans import create_plan, get_plan  # noqa: E402
from advisor.review.importer import add_rows  # noqa: E402
from advisor.store import ensure_schema, open_db  # noqa: E402
from catalog.loader import builtin_catalog  # noqa: E402

ROUNDS = 400
LIMIT_MS = 2.0
PLAN = {"org_name": "Công ty Bình Minh", "lang": "vi", "kpis": [
    {"kpi_id": "sales.revenue", "target": 400, "frequency": "monthly"},
    {"name": "Khách hàng mới", "unit": "count", "frequency": "monthly", "target": 30}]}


def seed(path: Path) -> tuple[str, int]:
    """Store an owner, a workspace, a token and a plan with two years of values; return the
    token and the plan id."""
    db = open_db(path)
    ensure_schema(db)
    user = create_user(db, "bench@example.com", "Bench", "a long bench password")
    workspace = create_workspace(db, "bench", "Bench", user.id)
    token, _ = create_token(db, user.id, workspace.id, "bench", read_only=False)
    plan_id = create_plan(db, Plan.model_validate(PLAN), workspace_id=workspace.id)
    rows = [{"kpi": kpi, "period": f"{2023 + m // 12}-{m % 12 + 1:02d}", "value": v}
            for m in range(24) for kpi, v in (("sales.revenue", 300 + 5 * m + m % 3),
                                              ("Khách hàng mới", 30 + m % 4))]
    add_rows(db, get_plan(db, plan_id), rows, builtin_catalog(), "api")
    db.close()
    return token, plan_id


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(db: Path, port: int) -> subprocess.Popen:
    """Start `kpi-advisor serve` (one worker) and wait until it answers."""
    env = {**os.environ, "KPI_ADVISOR_DB": str(db), "KPI_ADVISOR_SECRET_KEY": "bench",
           "KPI_ADVISOR_WORKERS": "1", "KPI_ADVISOR_THREADS": "2"}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def timed(conn: http.client.HTTPConnection, path: str, headers: dict, status: int) -> float:
    """Return the milliseconds one keep-alive request took."""
    began = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    took = (time.perf_counter() - began) * 1000
    if response.status != status:
        raise SystemExit(f"{path}: {response.status}, expected {status}")
    return took


def over_http(port: int, token: str, plan_id: int) -> dict[str, list[float]]:
    """Return the latencies of each case, the cases interleaved round by round."""
    auth = {"Authorization": f"Bearer {token}"}
    cases = {
        "catalog, no token": ("/api/v1/kpis?limit=5&lang=vi", {}, 200),
        "catalog, token": ("/api/v1/kpis?limit=5&lang=vi", auth, 200),
        "plan review, token": (f"/api/v1/plans/{plan_id}/review?lang=vi", auth, 200),
        "plan review, no token (401)": (f"/api/v1/plans/{plan_id}/review?lang=vi", {}, 401),
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for path, headers, status in cases.values():  # warm every path once
        timed(conn, path, headers, status)
    found: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(ROUNDS):
        for name, (path, headers, status) in cases.items():
            found[name].append(timed(conn, path, headers, status))
    return found


def check_alone(db: Path, token: str, plan_id: int) -> list[float]:
    """Return the milliseconds of web.access.check_access for a plan-review request, alone."""
    from web import create_app
    from web.access import check_access

    app = create_app({"DATABASE": str(db), "SECRET_KEY": "bench"})
    path = f"/api/v1/plans/{plan_id}/review"
    found = []
    for _ in range(ROUNDS):
        # The context matches the URL (endpoint, plan_id) as a request would be.
        with app.test_request_context(path, headers={"Authorization": f"Bearer {token}"}):
            began = time.perf_counter()
            assert check_access() is None
            found.append((time.perf_counter() - began) * 1000)
    return found


def main() -> int:
    """Measure and print; return 1 when the check adds LIMIT_MS or more at the median."""
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        token, plan_id = seed(db)
        port = _free_port()
        proc = start(db, port)
        try:
            latencies = over_http(port, token, plan_id)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        alone = check_alone(db, token, plan_id)
    medians = {name: statistics.median(values) for name, values in latencies.items()}
    for name, value in medians.items():
        print(f"{name:30} median {value:7.2f} ms  (p90 "
              f"{statistics.quantiles(latencies[name], n=10)[-1]:.2f})")
    token_cost = medians["catalog, token"] - medians["catalog, no token"]
    check = statistics.median(alone)
    print(f"{'token check (catalog, diff)':30} median {token_cost:7.2f} ms")
    print(f"{'plan-review check, alone':30} median {check:7.3f} ms")
    print(json.dumps({"token_check_ms": round(token_cost, 3),
                      "review_check_ms": round(check, 3), "rounds": ROUNDS}))
    return 0 if max(token_cost, check) < LIMIT_MS else 1


if __name__ == "__main__":
    sys.exit(main())
