"""Time an import of 20,000 measurement rows (the most one file may hold), in process and through
a real `kpi-advisor serve`.

The file is a CSV of 10 plan KPIs × 2,000 daily values with targets and a note on every tenth
row. In process, each stage is timed on its own (reading the file, checking every row, the one
write transaction) over a fresh SQLite file per round; through the server, the same file is
POSTed as multipart to /api/v1/plans/{id}/measurements/import on a fresh database, then once
more (every row unchanged). The goal is under 2 s for the whole import.
Run: `.venv/bin/python bench/bench_import.py`.
"""

import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advisor.plan_models import Plan  # noqa: E402
from advisor.plans import create_plan, get_plan  # noqa: E402
from advisor.review.importer import check_rows  # noqa: E402
from advisor.review.measurements import kpi_periods, save_measurements  # noqa: E402
from advisor.review.tables import Problems, read_upload  # noqa: E402
from advisor.store import ensure_schema, open_db  # noqa: E402
from catalog.loader import builtin_catalog  # noqa: E402

KPIS = 10
DAYS = 2_000
ROUNDS = 5
PLAN = {"org_name": "Bench", "kpis": [
    {"name": f"Đơn hàng kênh {i + 1}", "unit": "count", "frequency": "daily"}
    for i in range(KPIS)]}


def import_csv() -> bytes:
    """Return the 20,000-row CSV file."""
    start = dt.date(2020, 1, 1)
    lines = ["kpi,period,value,target,note"]
    for k in range(KPIS):
        for d in range(DAYS):
            note = f"ghi chú {d}" if d % 10 == 0 else ""
            day = (start + dt.timedelta(days=d)).isoformat()
            lines.append(f"Đơn hàng kênh {k + 1},{day},{100 + (d * 7 + k) % 50},120,{note}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def import_xlsx(data: bytes) -> bytes:
    """Return the same rows as an XLSX workbook (dates as date cells, as Excel keeps them)."""
    import io

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for number, line in enumerate(data.decode().splitlines()):
        cells = line.split(",")
        if number:
            cells[1] = dt.date.fromisoformat(cells[1])
            cells[2], cells[3] = float(cells[2]), float(cells[3])
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def in_process(data: bytes, folder: Path, name: str = "bench.csv") -> dict[str, float]:
    """Return the median seconds of each stage of the import, over fresh database files."""
    catalog = builtin_catalog()
    times: dict[str, list[float]] = {"read": [], "check": [], "write": [], "total": []}
    for round_no in range(ROUNDS):
        db = open_db(folder / f"bench-{name}-{round_no}.db")
        ensure_schema(db)
        record = get_plan(db, create_plan(db, Plan.model_validate(PLAN)))
        began = time.perf_counter()
        rows = read_upload(name, data, Problems())
        read = time.perf_counter()
        checked = check_rows(record, rows, kpi_periods(db, record.kpi_ids), catalog)
        check = time.perf_counter()
        result = save_measurements(db, checked, f"import:{name}")
        done = time.perf_counter()
        assert result.inserted == KPIS * DAYS, result
        for key, seconds in (("read", read - began), ("check", check - read),
                             ("write", done - check), ("total", done - began)):
            times[key].append(seconds)
        db.close()
    return {key: statistics.median(values) for key, values in times.items()}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(url: str, body: bytes, content_type: str) -> tuple[float, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    return time.perf_counter() - began, answer


def multipart(name: str, data: bytes) -> tuple[bytes, str]:
    """Return a multipart/form-data body holding the file in the field `file`."""
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n").encode() + data + \
        f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def through_server(data: bytes, folder: Path) -> tuple[float, float]:
    """Return the seconds of a first import and of the same import again, over HTTP."""
    port = _free_port()
    env = {**os.environ, "KPI_ADVISOR_DB": str(folder / "served.db"),
           "KPI_ADVISOR_SECRET_KEY": "bench", "KPI_ADVISOR_WORKERS": "2"}
    server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)],
                              env=env, cwd=folder, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/plans", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        _seconds, plan = _post(f"{base}/plans", json.dumps(PLAN).encode(), "application/json")
        body, content_type = multipart("bench.csv", data)
        url = f"{base}/plans/{plan['id']}/measurements/import"
        first, answer = _post(url, body, content_type)
        assert answer["inserted"] == KPIS * DAYS, answer
        again, answer = _post(url, body, content_type)
        assert answer["unchanged"] == KPIS * DAYS, answer
        return first, again
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    """Print the import times."""
    data = import_csv()
    workbook = import_xlsx(data)
    with tempfile.TemporaryDirectory() as tmp:
        stages = in_process(data, Path(tmp))
        sheet = in_process(workbook, Path(tmp), "bench.xlsx")
        first, again = through_server(data, Path(tmp))
    print(f"{KPIS * DAYS:,} rows, {len(data) / 1e6:.2f} MB CSV; median of {ROUNDS} rounds "
          "in process:")
    print("  read {read:.3f} s, check {check:.3f} s, write (one transaction) {write:.3f} s, "
          "total {total:.3f} s".format(**stages))
    print(f"same rows as a {len(workbook) / 1e6:.2f} MB XLSX: read {sheet['read']:.3f} s, "
          f"total {sheet['total']:.3f} s")
    print(f"through `kpi-advisor serve` (HTTP multipart): first import {first:.2f} s, "
          f"same file again (unchanged) {again:.2f} s; goal: under 2 s")


if __name__ == "__main__":
    main()
