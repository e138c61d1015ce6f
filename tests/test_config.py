"""Settings: defaults, file, environment and test config, and the generated secret key."""

import json
import re
from pathlib import Path

import pytest

from advisor import config
from advisor.errors import ConfigError
from web import create_app

README = Path(__file__).resolve().parents[1] / "README.md"


def test_environment_overrides_defaults():
    found = config.from_env({"KPI_ADVISOR_PORT": "8080", "KPI_ADVISOR_LANG": "en",
                             "KPI_ADVISOR_DB": "/tmp/x.db", "OTHER": "1"})
    assert found == {"PORT": 8080, "DEFAULT_LANG": "en", "DATABASE": "/tmp/x.db"}


@pytest.mark.parametrize(("env", "message"), [
    ({"KPI_ADVISOR_PORT": "eighty"}, "PORT must be int"),
    ({"KPI_ADVISOR_LANG": "fr"}, "DEFAULT_LANG must be one of vi, en"),
])
def test_bad_environment_values_are_named(env, message):
    with pytest.raises(ConfigError, match=message):
        config.from_env(env)


def test_config_file_is_read_and_unknown_keys_refused(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"PORT": 7000}))
    assert config.from_file(good) == {"PORT": 7000}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"PROT": 7000}))
    with pytest.raises(ConfigError, match="unknown settings"):
        config.from_file(bad)


def test_layers_apply_in_order(tmp_path, monkeypatch):
    file = tmp_path / "conf.json"
    file.write_text(json.dumps({"PORT": 7000, "DEFAULT_LANG": "en"}))
    monkeypatch.setenv("KPI_ADVISOR_CONFIG", str(file))
    monkeypatch.setenv("KPI_ADVISOR_PORT", "7001")
    app = create_app({"DATABASE": str(tmp_path / "a.db"), "SECRET_KEY": "k", "HOST": "0.0.0.0"})
    assert (app.config["PORT"], app.config["DEFAULT_LANG"], app.config["HOST"]) == (7001, "en",
                                                                                     "0.0.0.0")


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = config.instance_secret(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert config.instance_secret(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_is_created_on_first_start(tmp_path):
    path = tmp_path / "sub" / "kpi.db"
    create_app({"DATABASE": str(path), "SECRET_KEY": "k"})
    assert path.exists()


def test_readme_lists_every_setting():
    text = README.read_text(encoding="utf-8")
    assert config.settings_table() in text
