"""A real `kpi-advisor serve` killed with SIGKILL in the middle of a 20,000-row import: after a
restart the plan holds all of the rows or none, and SQLite finds the file intact."""

import contextlib
import datetime as dt
import json
import os
import signal
import threading
import time
import uuid
from pathlib import Path

import pytest
from conftest import SCREENSHOTS, http, start_serve

from advisor.store import integrity_check, open_db

pytestmark = pytest.mark.slow
ROWS = 20_000
PLAN = {"org_name": "Kill test", "kpis": [
    {"name": f"Đơn hàng kênh {i + 1}", "unit": "count", "frequency": "daily"} for i in range(10)]}
# When to kill, as a share of how long a whole import took on this server (the write
# transaction comes last, after reading and checking), and two kills timed by the write itself.
FRACTIONS = (0.2, 0.5, 0.7, 0.85, 0.95)


def import_file() -> bytes:
    """Return a multipart body with a CSV of 10 KPIs × 2,000 daily values."""
    start = dt.date(2020, 1, 1)
    lines = ["kpi,period,value,note"] + [
        f"Đơn hàng kênh {k + 1},{start + dt.timedelta(days=d)},{100 + (d * 7 + k) % 50},"
        f"{'ghi chú' if d % 10 == 0 else ''}" for k in range(10) for d in range(ROWS // 10)]
    return "\n".join(lines).encode()


def multipart(data: bytes) -> tuple[bytes, dict]:
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n').encode() + data + \
        f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def new_plan(url: str) -> int:
    status, _headers, body = http(f"{url}/api/v1/plans", "POST", json.dumps(PLAN).encode(),
                                  {"Content-Type": "application/json"})
    assert status == 201
    return json.loads(body)["id"]


def stored(url: str, plan_id: int) -> int:
    status, _headers, body = http(f"{url}/api/v1/plans/{plan_id}/measurements?history=true")
    assert status == 200
    return len(json.loads(body)["measurements"])


def post_in_background(url: str, body: bytes, headers: dict) -> threading.Thread:
    def send() -> None:
        with contextlib.suppress(OSError):  # the server is killed under it
            http(url, "POST", body, headers, timeout=60)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


def wait_for_write(wal: Path, before: int, limit: float) -> None:
    """Return as soon as the write-ahead log changes (the write transaction has begun)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if wal.exists() and wal.stat().st_mtime_ns != before:
            return
        time.sleep(0.001)


def test_a_kill_during_a_large_import_leaves_all_rows_or_none(tmp_path):
    body, headers = multipart(import_file())
    served = start_serve(tmp_path, WORKERS=1)
    wal = Path(f"{served.database}-wal")
    try:
        whole = new_plan(served.url)
        began = time.monotonic()
        status, _headers, answer = http(f"{served.url}/api/v1/plans/{whole}/measurements/import",
                                        "POST", body, headers, timeout=60)
        took = time.monotonic() - began
        assert status == 200 and json.loads(answer)["inserted"] == ROWS
        outcomes = []
        for moment in [*FRACTIONS, "write", "write+10ms"]:
            plan_id = new_plan(served.url)
            before = wal.stat().st_mtime_ns
            sender = post_in_background(f"{served.url}/api/v1/plans/{plan_id}/measurements/"
                                        "import", body, headers)
            if isinstance(moment, float):
                time.sleep(moment * took)
            else:
                wait_for_write(wal, before, 3 * took + 5)
                time.sleep(0.01 if moment == "write+10ms" else 0)
            os.killpg(served.process.pid, signal.SIGKILL)
            served.process.wait(timeout=10)
            sender.join(10)
            served = start_serve(tmp_path, database=served.database, WORKERS=1)
            count = stored(served.url, plan_id)
            outcomes.append((moment, count))
            assert count in (0, ROWS), outcomes
            assert stored(served.url, whole) == ROWS
    finally:
        served.stop()
    db = open_db(served.database)
    assert integrity_check(db) == "ok"
    db.close()
    SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS.parent / "kill_test.json").write_text(json.dumps(
        {"import_seconds": round(took, 2), "trials": outcomes}, indent=1))
