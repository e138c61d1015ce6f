"""Every setting of KPI Advisor, listed once with its default and a line of help."""

import json
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.errors import ConfigError

ENV_PREFIX = "KPI_ADVISOR_"


@dataclass(frozen=True)
class Setting:
    """One setting: its config key, environment suffix, default, type and help line."""

    key: str
    env: str
    default: Any
    kind: type
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE", "DB", None, str,
            "Path of the SQLite file; default: kpi-advisor.db in the instance folder."),
    Setting("HOST", "HOST", "127.0.0.1", str, "Address `kpi-advisor serve` listens on."),
    Setting("PORT", "PORT", 5000, int, "Port `kpi-advisor serve` listens on."),
    Setting("SECRET_KEY", "SECRET_KEY", None, str,
            "Signs sessions and CSRF tokens; default: generated once into instance/secret_key."),
    Setting("DEFAULT_LANG", "LANG", "vi", str, "Language when a request names none: vi or en."),
    Setting("MAX_CONTENT_LENGTH", "MAX_BYTES", 2 * 1024 * 1024, int,
            "Largest request body accepted, in bytes (uploads included)."),
    Setting("WORKERS", "WORKERS", 0, int,
            "Worker processes of the production server; 0 means 2 x CPU cores + 1."),
    Setting("THREADS", "THREADS", 8, int,
            "Threads per worker process; a slow client holds one thread, not a process."),
    Setting("REQUEST_TIMEOUT", "REQUEST_TIMEOUT", 60, int,
            "Seconds a client may take to send its request to the production server; a "
            "slower one gets 408."),
    Setting("ALLOWED_HOSTS", "ALLOWED_HOSTS", None, str,
            "Host names the app answers, comma-separated (.example.com: with subdomains; *: "
            "any); default: the address serve binds plus localhost, 127.0.0.1 and ::1. "
            "Other Host headers get 400."),
    Setting("SEARCH_CACHE_SIZE", "SEARCH_CACHE", 2048, int,
            "Catalog search pages kept in memory per process; 0 turns the cache off."),
    Setting("CATALOG_FILES", "CATALOG", None, str,
            "Catalog data files to use instead of the built-in catalog, separated by `:`; "
            "default: the files in catalog/data."),
    Setting("OPEN_API", "OPEN_API", "compute", str,
            "What the API answers without a token: compute (the catalog, its documents and "
            "the calculations that store nothing), catalog (the catalog and documents only) "
            "or none. Stored plans always need a token."),
    Setting("HTTPS", "HTTPS", False, bool,
            "The site is served over HTTPS (behind a proxy): the session cookie is then sent "
            "over HTTPS only (Secure)."),
    Setting("LOGIN_FAILURES", "LOGIN_FAILURES", 10, int,
            "Failed sign-ins allowed per account and address within LOGIN_WINDOW; more get "
            "429 until the oldest leaves the window."),
    Setting("LOGIN_WINDOW", "LOGIN_WINDOW", 900, int,
            "Seconds over which failed sign-ins are counted."),
    Setting("INVITATION_DAYS", "INVITATION_DAYS", 7, int,
            "Days an invitation link stays valid."),
)

OPEN_API_LEVELS: tuple[str, ...] = ("compute", "catalog", "none")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")

LANGS: tuple[str, ...] = ("vi", "en")


def defaults() -> dict[str, Any]:
    """Return the default value of every setting."""
    return {s.key: s.default for s in SETTINGS}


def from_file(path: str | Path) -> dict[str, Any]:
    """Return the settings in a JSON config file, rejecting unknown keys."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a JSON object")
    known = {s.key for s in SETTINGS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"unknown settings in {path}: {unknown}; allowed: {sorted(known)}")
    return {s.key: _convert(s, data[s.key], path) for s in SETTINGS if s.key in data}


def layered(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return every setting: its default, then the KPI_ADVISOR_CONFIG file, then KPI_ADVISOR_*
    environment variables."""
    environ = os.environ if environ is None else environ
    settings = defaults()
    config_file = environ.get(ENV_PREFIX + "CONFIG")
    if config_file:
        settings.update(from_file(config_file))
    settings.update(from_env(environ))
    return settings


def catalog_files(value: str | Sequence[str | Path] | None) -> list[Path]:
    """Return the files the CATALOG_FILES setting names; none means the built-in catalog."""
    if not value:
        return []
    parts = value.split(os.pathsep) if isinstance(value, str) else value
    return [Path(part) for part in parts if str(part)]


def from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the settings given by KPI_ADVISOR_* environment variables."""
    environ = os.environ if environ is None else environ
    found = {}
    for setting in SETTINGS:
        raw = environ.get(ENV_PREFIX + setting.env)
        if raw not in (None, ""):
            found[setting.key] = _convert(setting, raw, ENV_PREFIX + setting.env)
    return found


def _convert(setting: Setting, raw: Any, origin: object) -> Any:
    """Return `raw` as the setting's type, or raise a ConfigError naming where it came from."""
    try:
        value = _as_bool(raw) if setting.kind is bool else setting.kind(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{origin}: {setting.key} must be {setting.kind.__name__}") from exc
    if setting.key == "DEFAULT_LANG" and value not in LANGS:
        raise ConfigError(f"{origin}: DEFAULT_LANG must be one of {', '.join(LANGS)}")
    if setting.key == "OPEN_API" and value not in OPEN_API_LEVELS:
        raise ConfigError(f"{origin}: OPEN_API must be one of {', '.join(OPEN_API_LEVELS)}")
    if setting.key in ("THREADS", "REQUEST_TIMEOUT", "LOGIN_FAILURES", "LOGIN_WINDOW",
                       "INVITATION_DAYS") and value < 1:
        raise ConfigError(f"{origin}: {setting.key} must be at least 1")
    return value


def _as_bool(raw: Any) -> bool:
    """Return a yes/no setting given as a bool or a word (1/0, true/false, yes/no, on/off)."""
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(word)


def instance_secret(instance_dir: str | Path) -> str:
    """Return the secret key kept in the instance folder, generating it on first use."""
    path = Path(instance_dir) / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def settings_table() -> str:
    """Return the Markdown table of settings that the README carries."""
    rows = ["| Environment variable | Default | Meaning |", "|---|---|---|"]
    for s in SETTINGS:
        default = "(see meaning)" if s.default is None else f"`{s.default}`"
        rows.append(f"| `{ENV_PREFIX}{s.env}` | {default} | {s.help} |")
    return "\n".join(rows)
