"""A broken rule or catalog file stops the app at start, naming the file, the rule and the
field."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
START = ("from web import create_app; "
         "create_app({'DATABASE': ':memory:', 'SECRET_KEY': 'x'}); print('started')")


def _start_with(tmp_path: Path, package: str, relative: str, old: str, new: str):
    """Start the app with a copy of `package` in which `old` is replaced by `new`."""
    shutil.copytree(ROOT / package, tmp_path / package)
    target = tmp_path / package / relative
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    return subprocess.run([sys.executable, "-c", START], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)


def test_the_real_files_start():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", START], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0 and "started" in proc.stdout, proc.stderr


@pytest.mark.parametrize(("package", "relative", "old", "new", "named"), [
    ("rules", "data/recommend.yaml", "op: gte, value: 1}", "op: gtee, value: 1}",
     ["recommend.yaml", "serves_chosen_goal", "op"]),
    ("rules", "data/smart.yaml", "      severity: error\n", "      severity: fatal\n",
     ["smart.yaml", "s_no_statement", "severity"]),
    ("rules", "data/interview.yaml", "then: {action: ask, question: org_name}",
     "then: {action: score, points: 1}", ["interview.yaml", "ask_org_name", "score"]),
    ("catalog", "data/sales.yaml", "    unit: currency\n", "    unti: currency\n",
     ["sales.yaml", "unti"]),
])
def test_a_broken_file_stops_the_start(tmp_path, package, relative, old, new, named):
    proc = _start_with(tmp_path, package, relative, old, new)
    assert proc.returncode != 0 and "started" not in proc.stdout
    for word in named:
        assert word in proc.stderr, (word, proc.stderr[-800:])
