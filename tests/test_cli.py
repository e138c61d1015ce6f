"""The `kpi-advisor` command: in process through CliRunner, as a real process where it matters."""

import csv
import gc
import io
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click
import pytest

from catalog.labels import concept_label, label
from catalog.loader import builtin_catalog
from cli import cli
from cli.catalog import kpi_text
from cli.shell import AdvisorCommand
from tests.conftest import free_port
from web.server import freeze_loaded_objects


def test_catalog_search_prints_matches(run_cli):
    code, out, _ = run_cli("catalog", "search", "doanh so")
    assert code == 0
    assert out.splitlines()[0].startswith("sales.sales_volume")
    assert "Doanh số bán hàng" in out


def test_catalog_search_json_and_department(run_cli):
    code, out, _ = run_cli("catalog", "search", "rate", "--department", "marketing", "--json",
                           "--lang", "en")
    body = json.loads(out)
    assert code == 0 and body["items"]
    assert all(k["department"] == "marketing" and isinstance(k["name"], str)
               for k in body["items"])


def test_catalog_show(run_cli):
    code, out, _ = run_cli("catalog", "show", "sales.conversion_rate", "--lang", "vi")
    assert code == 0 and "Tỷ lệ chuyển đổi" in out
    # Fields by their names, words for codes, ranges as the language writes them.
    assert "  Đơn vị " in out and "Phần trăm" in out and "0% đến 100%" in out
    assert "unit:" not in out and "higher_is_better" not in out


def test_catalog_show_says_where_a_kpi_fits_what_it_is_for_and_the_data_it_needs(run_cli):
    code, out, _ = run_cli("catalog", "show", "sales.store_conversion_rate", "--lang", "vi")
    assert code == 0
    lines = [line.strip() for line in out.splitlines()]
    # Two "all of" groups: the POS and a footfall counter, each on its own line.
    needed = [line for line in lines if line.startswith("Dữ liệu cần có")]
    assert [n.split("  ")[-1].strip() for n in needed] == [
        "Máy bán hàng (POS)", "Bộ đếm lượt khách vào cửa hàng"]
    assert any(line.startswith("Phù hợp khi") and "kênh đang dùng: Cửa hàng bán lẻ" in line
               for line in lines)
    assert any(line.startswith("Gây hiểu lầm khi") and "ngành: Nhà hàng, ăn uống (F&B) — "
               in line for line in lines)
    assert any(line.startswith("Mục tiêu chính") and "Cải thiện tỷ lệ chuyển đổi" in line
               for line in lines)
    assert "retail_stores" not in out and "food_beverage" not in out
    code, out, _ = run_cli("catalog", "show", "branding.repeat_purchase_rate", "--lang", "en")
    assert code == 0
    assert "Data needed           one of: CRM, Loyalty programme" in out
    assert "Repeat purchase (repeat_purchase) (also measured by Repeat purchase rate " \
           "[sales.repeat_purchase_rate])" in out
    assert "Headline outcome for  Retain customers" in out
    assert "Misleads when         revenue model: One-off (few buy twice) — " in out


def test_catalog_show_prints_every_fit_misfit_and_purpose_of_every_kpi():
    catalog = builtin_catalog()
    for kpi in catalog.kpis:
        for lang in ("vi", "en"):
            text = kpi_text(kpi, catalog, lang)
            expected = [label("goals", kpi.primary_goal).pick(lang), kpi.measures,
                        concept_label(kpi.measures).pick(lang),
                        *(label("goals", g).pick(lang) for g in kpi.headline_for),
                        *(m.why.pick(lang) for m in kpi.misfits),
                        *(label("data_sources", s).pick(lang)
                          for group in kpi.requirements() for s in group)]
            if kpi.fits is not None and kpi.fits.why is not None:
                expected.append(kpi.fits.why.pick(lang))
            for name, words in (kpi.fits.conditions() if kpi.fits else {}).items():
                expected += [label(name, w).pick(lang) for w in words]
            missing = [e for e in expected if e not in text]
            assert not missing, (kpi.id, lang, missing)


def test_a_refusal_of_the_core_is_told_in_the_commands_language(run_cli):
    code, _, err = run_cli("catalog", "show", "sales.unknown")
    assert code == 2 and err == "Lỗi: Không tìm thấy KPI sales.unknown trong danh mục.\n"
    code, _, err = run_cli("catalog", "show", "sales.unknown", "--lang", "en")
    assert code == 2 and err == "Error: KPI sales.unknown is not in the catalog.\n"
    code, _, err = run_cli("catalog", "show", "sales.unknown", env={"KPI_ADVISOR_LANG": "en"})
    assert code == 2 and err.startswith("Error: KPI sales.unknown")


# click's own usage errors (unknown command, option value) keep click's English words.
@pytest.mark.parametrize("args", [
    ("catalog", "search", "x", "--department", "hr"),
    ("catalog", "export", "--format", "pdf"),
    ("nonsense",),
])
def test_bad_input_exits_2_with_a_message(run_cli, args):
    code, out, err = run_cli(*args)
    assert code == 2
    assert "Error: " in err and "Traceback" not in err


def test_unknown_option_value_exits_2_with_clicks_message(run_cli):
    code, out, err = run_cli("recommend", "answers.yaml", "--lang", "fr")
    assert code == 2 and out == ""
    assert "Invalid value for '--lang': 'fr' is not one of 'vi', 'en'." in err


def test_export_csv_keeps_vietnamese(run_cli, tmp_path):
    target = tmp_path / "catalog.csv"
    code, _, _ = run_cli("catalog", "export", "--format", "csv", "--output", str(target))
    assert code == 0
    text = target.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) >= 120
    assert any(r["name_vi"] == "Doanh số bán hàng" for r in rows)


def test_export_csv_carries_where_each_kpi_fits_and_what_it_needs(run_cli, tmp_path):
    target = tmp_path / "catalog.csv"
    assert run_cli("catalog", "export", "--output", str(target))[0] == 0
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(
        target.read_text(encoding="utf-8-sig")))}
    store = rows["sales.store_conversion_rate"]
    assert store["data_requirements"] == "pos + footfall_counter"
    assert store["fits"] == "channels: retail_stores"
    assert store["misfits"] == "industries: food_beverage"
    assert store["primary_goal"] == "improve_conversion" and store["measures"]
    assert rows["branding.repeat_purchase_rate"]["data_requirements"] == "crm / loyalty_program"
    nrr = builtin_catalog().by_id["sales.net_revenue_retention"]
    # NRR fits recurring revenue from business accounts (issue #10 benchmark: not gyms, schools,
    # banks or insurers).
    assert rows[nrr.id]["fits"] == "revenue_models: recurring; business_models: b2b"
    assert rows[nrr.id]["fits_why_en"] == nrr.fits.why.en
    assert rows[nrr.id]["misfits_why_vi"] == " | ".join(m.why.vi for m in nrr.misfits)


def test_export_json(run_cli):
    code, out, _ = run_cli("catalog", "export", "--format", "json")
    items = json.loads(out)
    assert code == 0 and len(items) >= 120 and items[0]["name"]["vi"]


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _command_paths(command, (*prefix, name))


def test_every_command_has_help(run_cli):
    paths = [p for p, _ in _command_paths(cli)]
    assert ("catalog", "search") in paths and ("serve",) in paths
    for path in [(), *paths]:
        code, out, _ = run_cli(*path, "--help")
        assert code == 0 and "Usage: kpi-advisor" in out, path


def test_every_command_turns_named_errors_into_exit_2():
    """Each command runs through AdvisorCommand.invoke, the one place that does it."""
    leaves = [(p, c) for p, c in _command_paths(cli) if not isinstance(c, click.Group)]
    assert len(leaves) == 15
    assert all(isinstance(c, AdvisorCommand) for _, c in leaves), leaves


def test_the_console_script_runs():
    script = Path(sys.executable).with_name("kpi-advisor")
    proc = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "Usage: kpi-advisor" in proc.stdout
    assert "recommend" in proc.stdout and "serve" in proc.stdout


def test_serve_runs_a_production_server(tmp_path):
    port = free_port()
    env = {**os.environ, "KPI_ADVISOR_SECRET_KEY": "s"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port),
         "--db", str(tmp_path / "serve.db")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path,
    )
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/kpis?limit=1",
                                            timeout=2) as response:
                    body = json.load(response)
                    server = response.headers.get("Server")
                break
            except OSError:
                time.sleep(0.1)
        assert body is not None and body["total"] >= 120
        assert "gunicorn" in server
        # Workers forked after freeze_loaded_objects() still run the engine end to end.
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/recommendations", method="POST",
            data=json.dumps({"goals": ["acquire_customers"], "departments": ["sales"]}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200 and json.load(response)["kpis"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert (tmp_path / "serve.db").exists()


def test_serve_freezes_what_it_loaded_before_forking():
    before = gc.get_freeze_count()
    try:
        freeze_loaded_objects()
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_cli_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("## Command line"):text.index("## Interview and recommendations")]


def test_readme_shows_the_groups_own_help(run_cli):
    section = _readme_cli_section()
    shown = section.split("$ kpi-advisor --help\n", 1)[1].split("```", 1)[0]
    code, out, _ = run_cli("--help")
    assert code == 0 and shown == out


def test_readme_synopsis_names_real_commands_and_options():
    section = _readme_cli_section()
    lines = [line for line in section.splitlines() if line.startswith("kpi-advisor ")]
    assert len(lines) == 15
    for line in lines:
        command, words = cli, line.split()[1:]
        while isinstance(command, click.Group):
            command = command.commands[words.pop(0)]
        known = {opt for param in command.params for opt in param.opts}
        named = {w.strip("[]|").split("|")[0] for w in words if w.strip("[").startswith("--")}
        assert named <= known, (line, named - known)
