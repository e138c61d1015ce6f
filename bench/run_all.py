"""Run every benchmark in turn and print what each one measured (`make bench`)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["bench_catalog.py", "bench_engine.py", "bench_recommend.py", "bench_smart.py",
           "bench_wizard.py", "bench_review_speed.py", "bench_import.py",
           "bench_forecast_m3.py", "bench_access.py"]


def main() -> int:
    """Run each script with this interpreter; return 1 if any of them failed."""
    failed = []
    for script in SCRIPTS:
        print(f"\n=== {script}", flush=True)
        if subprocess.run([sys.executable, str(HERE / script)], cwd=HERE.parent).returncode:
            failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
