"""Schemathesis, with every check and every phase, against a real server on a free port: the API
must answer every generated request (valid or not) as its generated document says."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = Path(__file__).parent / "data" / "schemathesis" / "schemathesis.toml"
REPORT = ROOT / "test-output" / "schemathesis.txt"


@pytest.mark.slow
def test_schemathesis_finds_no_failure(live_server, account, tmp_path):
    command = [str(Path(sys.executable).with_name("st")), "--config-file", str(CONFIG), "run",
               f"{live_server}/api/v1/openapi.json", "--checks", "all", "--workers", "2",
               "--header", f"Authorization: Bearer {account.token}", "--no-color"]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path,
                          stdin=subprocess.DEVNULL)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    tail = proc.stdout[-6000:]
    assert proc.returncode == 0, f"schemathesis failed (report: {REPORT}):\n{tail}"
    tested = re.search(r"Tested: (\d+)", proc.stdout)
    counted = re.search(r"(\d+) generated, (\d+) passed", proc.stdout)
    assert tested and int(tested[1]) >= 15, tail
    assert counted and counted[1] == counted[2] and int(counted[1]) > 1000, tail
