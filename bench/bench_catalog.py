"""Catalog speed: search throughput vs a bare endpoint on the same production server, and the
median search time over a synthetic catalog of 20,000 KPIs.

Run: .venv/bin/python bench/bench_catalog.py   (uses Debian's `wrk` as the load generator when
it is installed, else Python keep-alive clients, which take CPU from the server on 2 cores)
"""

import http.client
import multiprocessing
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advisor.store import open_db  # noqa: E402
from catalog.loader import builtin_catalog  # noqa: E402
from catalog.search import SearchFilters, build_index, search  # noqa: E402

QUERIES = [
    "doanh so", "Doanh Số", "tỷ lệ chuyển đổi", "khach hang moi", "chi phi", "thuong hieu",
    "email", "conversion rate", "customer acquisition cost", "churn", "net promoter",
    "share of voice", "pipeline", "traffic", "dat", "revenue", "hài lòng", "seo",
]
DURATION = 4.0
ROUNDS = 3
CLIENTS = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _client(port: int, paths: list[str], seconds: float, out) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    done, end, i = 0, time.monotonic() + seconds, 0
    while time.monotonic() < end:
        conn.request("GET", paths[i % len(paths)])
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"status {response.status} for {paths[i % len(paths)]}")
        done += 1
        i += 1
    out.put(done)


def requests_per_second(port: int, paths: list[str]) -> float:
    """Return the throughput of keep-alive clients requesting `paths` in turn (wrk if there)."""
    if shutil.which("wrk"):
        return _wrk(port, paths)
    queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_client, args=(port, paths[i:] + paths[:i],
                                                           DURATION, queue))
             for i in range(CLIENTS)]
    for proc in procs:
        proc.start()
    total = sum(queue.get() for _ in procs)
    for proc in procs:
        proc.join()
    return total / DURATION


def _wrk(port: int, paths: list[str]) -> float:
    """Return wrk's requests/s for `paths` in rotation (wrk costs the server's core little)."""
    listed = ", ".join('"' + p.replace('"', '\\"') + '"' for p in paths)
    script = ("paths = {" + listed + "}\ni = 0\nrequest = function()\n  i = i + 1\n"
              "  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(["wrk", "-t1", "-c8", f"-d{int(DURATION)}s", "-s", handle.name,
                              f"http://127.0.0.1:{port}/"], capture_output=True, text=True,
                             check=True).stdout
    finally:
        os.unlink(handle.name)
    if "Non-2xx" in out:
        raise SystemExit("wrk saw error responses:\n" + out)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def _wait(port: int) -> None:
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("server did not start")


def throughput(cache: int) -> tuple[float, float]:
    """Return (search rps, bare rps) measured on one production (gunicorn) server."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen([sys.executable, str(ROOT / "bench" / "serve_for_bench.py"),
                                   "--port", str(port), "--db", os.path.join(tmp, "b.db"),
                                   "--cache", str(cache)], cwd=ROOT)
        try:
            _wait(port)
            search_paths = [f"/api/v1/kpis?q={urllib.parse.quote(q)}&lang={lang}"
                            for q in QUERIES for lang in ("vi", "en")]
            requests_per_second(port, search_paths[:4])  # warm-up
            # Alternate the two, three rounds each, so that noise from anything else on the
            # machine falls on both alike; report the medians.
            bare_runs, found_runs = [], []
            for _ in range(ROUNDS):
                bare_runs.append(requests_per_second(port, ["/bench/bare"]))
                found_runs.append(requests_per_second(port, search_paths))
            bare, found = statistics.median(bare_runs), statistics.median(found_runs)
        finally:
            server.terminate()
            server.wait()
    return found, bare


def synthetic_catalog(size: int):
    """Return `size` KPIs made by renaming copies of the real ones with random words."""
    rng = random.Random(7)
    real = builtin_catalog().kpis
    words = [w for k in real for w in k.name.vi.split() + k.name.en.split()]
    kpis = []
    for i in range(size):
        base = real[i % len(real)]
        extra = " ".join(rng.choice(words) for _ in range(3))
        name = base.name.model_copy(update={"vi": f"{base.name.vi} {extra}",
                                            "en": f"{base.name.en} {extra}"})
        kpis.append(base.model_copy(update={"id": f"{base.department}.synthetic_{i}",
                                            "name": name}))
    return kpis


def synthetic_search_ms(size: int = 20_000) -> float:
    """Return the median search time in ms over a synthetic catalog of `size` KPIs."""
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(os.path.join(tmp, "syn.db"))
        build_index(db, synthetic_catalog(size))
        times = []
        for _ in range(5):
            for query in QUERIES:
                start = time.perf_counter()
                search(db, query, SearchFilters(), 20, 0)
                times.append((time.perf_counter() - start) * 1000)
        db.close()
    return statistics.median(times)


def main() -> None:
    """Print both figures."""
    for cache, name in ((2048, "as served (search cache on)"), (0, "search cache off")):
        found, bare = throughput(cache)
        print(f"{name}:")
        print(f"  bare endpoint:   {bare:8.0f} requests/s")
        print(f"  catalog search:  {found:8.0f} requests/s  ({100 * found / bare:.0f}% of bare; "
              "goal >= 60%)")
    median = synthetic_search_ms()
    print(f"search over 20,000 synthetic KPIs: median {median:.2f} ms (goal <= 10 ms)")


if __name__ == "__main__":
    main()
