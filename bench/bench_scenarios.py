"""The practitioner benchmark's score: each scenario of tests/scenarios/ through POST
/api/v1/recommendations, the share of its expectations met, and the properties it breaks.

Run: .venv/bin/python bench/bench_scenarios.py [-v]
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalog.loader import builtin_catalog  # noqa: E402
from tests.scenario_judge import judge, request_body, scenarios  # noqa: E402
from web import create_app  # noqa: E402


def main() -> None:
    """Print a score per scenario and overall; -v also names the groups missed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("-v", "--verbose", action="store_true", help="name what was missed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "DATABASE": str(Path(folder) / "bench.db"),
                          "SECRET_KEY": "bench"})
        client = app.test_client()
        met = total = broken = 0
        for scenario in scenarios():
            result = client.post("/api/v1/recommendations", json=request_body(scenario))
            verdict = judge(scenario, result.get_json(), builtin_catalog())
            met, total = met + verdict.met, total + len(verdict.groups)
            broken += len(verdict.broken)
            problems = f"  properties broken: {len(verdict.broken)}" if verdict.broken else ""
            print(f"{verdict.scenario:32} {100 * verdict.score:5.1f}%  "
                  f"({verdict.met}/{len(verdict.groups)}){problems}")
            if args.verbose:
                chosen = [k["id"] for k in result.get_json()["kpis"]]
                for section, ids, ok in verdict.groups:
                    if not ok:
                        print(f"    missed {section}: {', '.join(ids)}")
                for problem in verdict.broken:
                    print(f"    property: {problem}")
                print(f"    chosen: {', '.join(chosen)}")
    print(f"overall: {100 * met / total:.1f}% of {total} expectations met in "
          f"{len(scenarios())} scenarios (goal 100%); properties broken: {broken}")


if __name__ == "__main__":
    main()
