"""Wizard speed and weight: whole interviews, results and plans walked through Flask's test
client; median and p95 server time per page, and each page's weight with its assets.

Goals (issue 5): under 50 ms at the median per page, under 200 KB per page with its assets.
Each round is a new session with its own organisation name and email list size, as in real use,
so its answers and its recommendation are new to the process; only the very first round (cold
start: rule files, catalog, templates) is left out.

Run: .venv/bin/python bench/bench_wizard.py [--rounds 30]
"""

import argparse
import datetime as dt
import gzip
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from web import create_app  # noqa: E402

ANSWERS = {
    "org_name": {"org_name": "Công ty Bình Minh"},
    "goals": {"rank-increase_revenue": "1", "rank-acquire_customers": "2",
              "rank-build_brand_awareness": "3"},
    "departments": {"departments": ["sales", "marketing", "branding"]},
    "industry": {"industry": "software_saas"},
    "revenue_model": {"revenue_model": "recurring"},
    "business_model": {"business_model": "b2b"},
    "stage": {"stage": "growth"},
    "size": {"size": "small"},
    "sales_motion": {"sales_motion": "inside"},
    "channels": {"channels": ["website", "seo", "email", "paid_ads", "events"]},
    "email_list_size": {"email_list_size": "12.000"},
    "monthly_ad_budget": {"monthly_ad_budget": "50.000.000"},
    "data_sources": {"data_sources": ["crm", "web_analytics", "email_platform", "accounting"]},
    "max_kpis_per_department": {"max_kpis_per_department": "5"},
    "keep": {},
}
ASSETS = ("/static/style.css", "/static/wizard.css", "/static/wizard.js")


class Walker:
    """One browser's walk through the wizard, timing every request by page name."""

    def __init__(self, client, times: dict, pages: dict):
        self.client, self.times, self.pages = client, times, pages
        self.token = ""

    def call(self, name: str, method: str, url: str, data: dict | None = None):
        start = time.perf_counter()
        response = self.client.open(url, method=method, data=data)
        self.times[name].append(time.perf_counter() - start)
        if response.status_code >= 400:
            raise SystemExit(f"{method} {url} answered {response.status_code}")
        if method == "GET" and response.mimetype == "text/html":
            self.pages[name] = max(self.pages.get(name, 0), len(response.data))
            found = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(True))
            self.token = found.group(1) if found else self.token
        return response

    def post(self, name: str, url: str, data: dict | None = None):
        return self.call(name, "POST", url, {"csrf_token": self.token, **(data or {})})


def walk(walker: Walker, round_no: int) -> None:
    """Answer every question, confirm, swap one KPI, fill and save the plan, export it."""
    walker.call("home", "GET", "/?lang=vi")
    url = walker.post("start", "/wizard/start").location
    while "/q/" in url:
        qid = url.rsplit("/", 1)[1]
        walker.call("question GET", "GET", url)
        data = dict(ANSWERS[qid])
        if qid == "org_name":
            data = {"org_name": f"Công ty Bình Minh {round_no}"}
        if qid == "email_list_size":
            # A different list size per session makes every recommendation new to the process.
            data = {"email_list_size": str(12_000 + round_no)}
        url = walker.post("question POST", url, data).location
    walker.call("check GET", "GET", url)
    results = walker.post("check POST (builds the set)", url).location
    page = walker.call("results GET", "GET", results).get_data(True)
    base = results.rsplit("/", 1)[0]
    first = re.search(r'/swap/([^"]+)"', page).group(1)
    swap = walker.call("swap GET", "GET", f"{base}/swap/{first}?q=doanh+thu").get_data(True)
    chosen = re.search(r'name="kpi_id" value="([^"]+)"', swap).group(1)
    walker.post("swap POST", f"{base}/swap/{first}", {"kpi_id": chosen})
    walker.call("results GET", "GET", results)
    plan = walker.call("plan GET", "GET", f"{base}/plan").get_data(True)
    walker.post("plan POST", f"{base}/plan", plan_form(plan))
    walker.call("plan GET", "GET", f"{base}/plan")
    walker.call("plan.csv", "GET", f"{base}/plan.csv")
    walker.call("plan.xlsx", "GET", f"{base}/plan.xlsx")
    walker.call("report", "GET", f"{base}/report")


def plan_form(html: str) -> dict:
    """Return plausible values for every KPI on the plan page."""
    today = dt.date.today()
    rows = re.findall(r'name="kpi" value="(\d+)"', html)
    data = {"version": re.search(r'name="version" value="(\d+)"', html).group(1), "kpi": rows}
    for row in rows:
        k = f"kpi-{row}-"
        data |= {k + "owner": "Chị Lan", k + "report_to": "Ban giám đốc",
                 k + "baseline": "50", k + "target": "55",
                 k + "baseline_date": today.isoformat(),
                 k + "deadline": (today + dt.timedelta(days=180)).isoformat()}
    return data


def asset_bytes(client) -> tuple[int, int]:
    """Return the raw and gzip sizes of the assets every wizard page loads."""
    raw = b"".join(client.get(path).data for path in ASSETS)
    return len(raw), len(gzip.compress(raw))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE": str(Path(folder) / "bench.db"), "SECRET_KEY": "bench"})
        times: dict[str, list[float]] = defaultdict(list)
        pages: dict[str, int] = {}
        walk(Walker(app.test_client(), defaultdict(list), {}), 0)
        for round_no in range(1, args.rounds + 1):
            walk(Walker(app.test_client(), times, pages), round_no)
        assets_raw, assets_gzip = asset_bytes(app.test_client())
    report(times, pages, assets_raw, assets_gzip, args.rounds)


def report(times, pages, assets_raw: int, assets_gzip: int, rounds: int) -> None:
    print(f"wizard pages over {rounds} sessions (test client, one process; cold first round "
          "left out)")
    print(f"{'page':30} {'n':>5} {'median ms':>10} {'p95 ms':>8}  {'HTML KB':>8} "
          f"{'+assets KB':>10}")
    all_times = []
    for name, values in times.items():
        all_times += values
        size = pages.get(name)
        weight = f"{size / 1024:8.1f} {(size + assets_raw) / 1024:10.1f}" if size else ""
        print(f"{name:30} {len(values):5d} {statistics.median(values) * 1000:10.1f} "
              f"{percentile(values, .95) * 1000:8.1f}  {weight}")
    heaviest = max(pages.values())
    print(f"all requests: median {statistics.median(all_times) * 1000:.1f} ms, "
          f"p95 {percentile(all_times, .95) * 1000:.1f} ms")
    print(f"assets: {assets_raw / 1024:.1f} KB ({assets_gzip / 1024:.1f} KB gzipped); heaviest "
          f"page with assets {(heaviest + assets_raw) / 1024:.1f} KB (goal < 200 KB)")


if __name__ == "__main__":
    main()
