"""`kpi-advisor review` as a real process: readable table, JSON, exit code 2 on bad input."""

import json
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SHAMPOO = str(DATA / "series" / "shampoo_sales_monthly.csv")


def test_review_prints_a_readable_table(run_cli):
    code, out, err = run_cli("review", SHAMPOO, "--target", "700", "--lang", "en")
    assert code == 0, err
    lines = dict(line.split("  ", 1) for line in out.splitlines() if "  " in line)
    assert lines["KPI"].strip().startswith("shampoo_sales_monthly (36 × monthly)")
    assert "Chance of the target next period" in out and "Target 700" in out
    assert "Suggestion" in out and "Committed / stretch level" in out


def test_review_in_vietnamese_with_its_number_style(run_cli):
    code, out, _ = run_cli("review", SHAMPOO, "--target", "700.5")
    assert code == 0
    assert "Đề xuất" in out and "Mục tiêu 700,5" in out


def test_review_json_has_the_api_shape(run_cli):
    code, out, _ = run_cli("review", SHAMPOO, "--target", "300", "--json", "--lang", "en",
                           "--commitment", "aspirational")
    kpi = json.loads(out)["kpis"][0]
    assert code == 0 and kpi["status"] == "ok" and kpi["commitment"] == "aspirational"
    assert kpi["target_position"] == "beyond_unfavourable"
    assert kpi["suggestion"]["action"] == "raise"
    assert kpi["suggestion"]["target"] == kpi["suggestion"]["stretch_target"]


def test_review_reads_an_xlsx_with_several_kpis(run_cli, tmp_path):
    source = tmp_path / "plan.xlsx"
    shutil.copy(DATA / "imports" / "good.xlsx", source)
    code, out, _ = run_cli("review", str(source), "--json", "--lang", "en")
    kpis = json.loads(out)["kpis"]
    assert code == 0 and [k["name"] for k in kpis] == ["sales.revenue", "Tỷ lệ chuyển đổi"]
    assert kpis[0]["status"] == "ok" and kpis[0]["target"] == 420
    assert kpis[1]["status"] == "insufficient_data"


def test_short_history_says_so(run_cli, tmp_path):
    short = tmp_path / "short.csv"
    short.write_text("period,value\n2025-01,3\n2025-02,4\n2025-03,5\n", encoding="utf-8")
    code, out, _ = run_cli("review", str(short), "--lang", "en")
    assert code == 0 and "Not enough data yet" in out and "there are 3" in out


@pytest.mark.parametrize(("content", "expected"), [
    ("period,value\n2025-01,3\n2025-02,abc\n", "line 3, value: 'abc' is not a number"),
    ("period,value\n2025-01,3\n2025-13,4\n", "line 3, period"),
    ("period,value\n2025-01,3\n2025-01,4\n", "line 3, period"),
    ("month,value\n2025-01,3\n", "line 1, month: unknown column 'month'"),
])
def test_bad_history_exits_2_naming_the_line(run_cli, tmp_path, content, expected):
    bad = tmp_path / "bad.csv"
    bad.write_text(content, encoding="utf-8")
    code, out, err = run_cli("review", str(bad), "--lang", "en")
    assert code == 2 and out == ""
    assert expected in err


@pytest.mark.parametrize("args", [
    ("review", "missing.csv"),
    ("review", SHAMPOO, "--direction", "sideways"),
    ("review", SHAMPOO, "--target", "lots"),
    ("review", SHAMPOO, "--direction", "in_range", "--target", "5"),
])
def test_bad_arguments_exit_2(run_cli, args):
    code, _, err = run_cli(*args)
    assert code == 2 and err


def test_review_has_help(run_cli):
    code, out, _ = run_cli("review", "--help")
    assert code == 0 and "--target" in out and "--direction" in out and "--json" in out


@pytest.mark.parametrize(("lang", "day", "foreign"), [
    ("vi", "21/03/2025", r"\d{4}-\d{2}-\d{2}|\d\.\d"),
    ("en", "Mar 21, 2025", r"\d{4}-\d{2}-\d{2}|\d,\d(?!\d{2})"),
])
def test_a_daily_review_writes_its_days_and_numbers_in_the_language(run_cli, tmp_path, lang,
                                                                    day, foreign):
    import datetime as dt
    import re

    first = dt.date(2025, 1, 1)
    values = [40 + (i % 7) * 1.5 + (i % 3) * 0.25 for i in range(80)]
    rows = ["period,value"] + [f"{first + dt.timedelta(days=i)},{v}" for i, v in enumerate(values)]
    path = tmp_path / "daily.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = run_cli("review", str(path), "--target", "45", "--lang", lang)
    assert code == 0, err
    # The forecast names the coming days as the language writes dates, never as ISO dates.
    assert day in out and not re.search(foreign, out), out
