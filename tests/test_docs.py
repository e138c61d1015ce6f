"""The README is tested: every curl example runs against a live server, every CLI example
against the CLI, and what the README shows them printing is what they print.

The convention the README follows is in tests/readme_examples.py (and in a comment at the top
of the README). A command may use `$NAME` placeholders; PLACEHOLDERS below says how each is
made (a new one, such as `$TOKEN` for an API token, is one more entry there).
"""

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
import sqlite_utils
from click.testing import CliRunner

from advisor.accounts.models import User
from advisor.accounts.users import create_user, user_by_email
from advisor.accounts.workspaces import create_workspace, workspace_by_slug
from advisor.plan_models import Plan
from advisor.plans import create_plan
from advisor.store import ensure_schema, open_db
from cli import cli
from tests.conftest import PASSWORD, Account
from tests.readme_examples import Example, examples, fill, matches, placeholders, readme

ROOT = Path(__file__).resolve().parents[1]
README_URL = "http://127.0.0.1:5000"
DOCS_DATA = ROOT / "tests" / "data" / "docs"
EXAMPLES, SYNOPSES = examples(readme(ROOT))


@dataclass
class Setting:
    """Where an example runs: the database file it uses (and the server on it with its test
    workspace's owner, for curl)."""

    database: Path
    account: Account | None = None


OWNER_EMAIL, MEMBER_EMAIL = "an@example.com", "lan@example.com"


@contextmanager
def _db(setting: Setting) -> Iterator[sqlite_utils.Database]:
    db = open_db(setting.database)
    try:
        ensure_schema(db)
        yield db
    finally:
        db.close()


def _user(db: sqlite_utils.Database, email: str, name: str) -> User:
    return user_by_email(db, email) or create_user(db, email, name, PASSWORD)


def _owner(setting: Setting) -> str:
    """An account's email (`--owner`, `tokens create`): the example's owner."""
    if setting.account is not None:
        return setting.account.email
    with _db(setting) as db:
        return _user(db, OWNER_EMAIL, "Nguyễn An").email


def _workspace(setting: Setting) -> str:
    """A workspace's slug, owned by $OWNER."""
    if setting.account is not None:
        return setting.account.slug
    with _db(setting) as db:
        found = workspace_by_slug(db, "binh-minh")
        if found is None:
            owner = _user(db, OWNER_EMAIL, "Nguyễn An")
            found = create_workspace(db, "binh-minh", "Công ty Bình Minh", owner.id)
        return found.slug


def _member(setting: Setting) -> str:
    """An account that is no member of $WORKSPACE yet."""
    with _db(setting) as db:
        return _user(db, MEMBER_EMAIL, "Trần Lan").email


def _token(setting: Setting) -> str:
    """A read-write API token of the live server's test workspace."""
    if setting.account is None:
        pytest.fail("$TOKEN is for curl examples (the live server's workspace)")
    return setting.account.token


def _stored_plan(setting: Setting) -> str:
    """Store the plan of tests/data/docs/plan.json (the one the README creates) in the
    example's workspace; return its id."""
    plan = Plan.model_validate_json((DOCS_DATA / "plan.json").read_text(encoding="utf-8"))
    slug = _workspace(setting)
    with _db(setting) as db:
        found = workspace_by_slug(db, slug)
        assert found is not None
        return str(create_plan(db, plan, workspace_id=found.id))


PLACEHOLDERS: dict[str, Callable[[Setting], str]] = {
    "PLAN": _stored_plan,
    "TOKEN": _token,
    "OWNER": _owner,
    "WORKSPACE": _workspace,
    "MEMBER": _member,
}


def _values(example: Example, setting: Setting) -> dict[str, str]:
    """Return the value of every placeholder the example uses, or fail naming the unknown."""
    wanted = placeholders(example.command) | placeholders(example.expected or "")
    unknown = sorted(wanted - PLACEHOLDERS.keys())
    if unknown:
        pytest.fail(f"{example.name}: no value for ${', $'.join(unknown)}; add it to "
                    "PLACEHOLDERS in tests/test_docs.py", pytrace=False)
    return {name: PLACEHOLDERS[name](setting) for name in sorted(wanted)}


def _check_output(example: Example, printed: str, values: dict[str, str]) -> None:
    """Fail when what the command printed is not what the README shows."""
    if example.expected is None:
        return
    if example.expected_lang == "json":
        printed = json.dumps(json.loads(printed), ensure_ascii=False, indent=2)
    expected = fill(example.expected, values)
    assert matches(expected, printed), (
        f"{example.name}: the README shows\n{expected}\n--- but it printed ---\n{printed}")


CURL = [e for e in EXAMPLES if e.tool == "curl"]
CLI = [e for e in EXAMPLES if e.tool == "kpi-advisor"]


@pytest.mark.parametrize("example", CURL, ids=[e.name for e in CURL])
def test_curl_example(example, app, live_server, account):
    """Run the README's curl command as it is written, on a live server."""
    assert shutil.which("curl"), "curl is needed to run the README's examples (make test)"
    values = _values(example, Setting(Path(app.config["DATABASE"]), account))
    argv = [fill(word, values).replace(README_URL, live_server) for word in example.argv()]
    include = {"-i", "--include"} & set(argv)
    run = subprocess.run(["curl", "--silent", "--show-error", "--max-time", "60",
                          "--write-out", "\n%{http_code}", *argv[1:]],
                         cwd=ROOT, capture_output=True, text=True, timeout=90, check=False)
    assert run.returncode == 0, f"{example.name}: curl failed: {run.stderr}"
    body, _, status = run.stdout.rpartition("\n")
    if not include:
        assert status.startswith("2"), f"{example.name}: status {status}: {body[:2000]}"
    _check_output(example, body, values)


@pytest.mark.parametrize("example", CLI, ids=[e.name for e in CLI])
def test_cli_example(example, tmp_path, monkeypatch):
    """Run the README's kpi-advisor command in this process from the repository's folder."""
    monkeypatch.chdir(ROOT)
    setting = Setting(tmp_path / "cli.db")
    values = _values(example, setting)
    argv = [fill(word, values) for word in example.argv()]
    env = {"KPI_ADVISOR_DB": str(setting.database), **example.env}
    result = CliRunner().invoke(cli, argv[1:], input=example.stdin, env=env,
                                prog_name="kpi-advisor")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == example.exit_code, (
        f"{example.name}: exit code {result.exit_code}, not {example.exit_code}: {result.output}")
    _check_output(example, result.output, values)


def _leaf_commands(group: click.Group, path: tuple[str, ...] = ()) -> dict[tuple, click.Command]:
    found: dict[tuple, click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.update(_leaf_commands(command, (*path, name)))
        else:
            found[(*path, name)] = command
    return found


SYNOPSIS_LINES = [(block.line + offset, line.strip())
                  for block in SYNOPSES
                  for offset, line in enumerate(block.text.splitlines(), start=1)
                  if line.strip()]


def _command_of(words: list[str]) -> tuple[tuple[str, ...], click.Command]:
    command: click.Command = cli
    path: list[str] = []
    for word in words:
        if not isinstance(command, click.Group) or word not in command.commands:
            break
        command = command.commands[word]
        path.append(word)
    return tuple(path), command


@pytest.mark.parametrize(("line", "text"), SYNOPSIS_LINES,
                         ids=[f"README.md:{n}" for n, _ in SYNOPSIS_LINES])
def test_synopsis_line_names_real_options(line, text):
    """A synopsis line names a real command, its real options and their real choices."""
    words = text.replace("[", " ").replace("]", " ").replace("|", " | ").split()
    assert words[0] == "kpi-advisor", f"README.md:{line}: a synopsis line starts kpi-advisor"
    path, command = _command_of(words[1:])
    assert path and not isinstance(command, click.Group), f"README.md:{line}: no command"
    options = {opt: param for param in command.params for opt in param.opts}
    for position, word in enumerate(words):
        if not word.startswith("--"):
            continue
        assert word in options, f"README.md:{line}: {' '.join(path)} has no option {word}"
        choices = getattr(options[word].type, "choices", None)
        shown = _shown_values(words[position + 1:])
        if choices and shown and shown != ["..."]:
            assert set(shown) <= set(choices), f"README.md:{line}: {word} takes {choices}"
    help_run = CliRunner().invoke(cli, [*path, "--help"], prog_name="kpi-advisor")
    assert help_run.exit_code == 0, help_run.output


def _shown_values(rest: list[str]) -> list[str]:
    """Return the values a synopsis shows for an option: `a | b` or one word, up to the next
    option."""
    values: list[str] = []
    for word in rest:
        if word.startswith("--") or (values and word != "|" and values[-1] != "|"):
            break
        values.append(word)
    return [v for v in values if v != "|" and v.islower()]


def test_every_command_has_a_synopsis_line():
    """Each command of the CLI is in the README's synopsis."""
    named = {_command_of(text.split()[1:])[0] for _, text in SYNOPSIS_LINES}
    missing = sorted(" ".join(path) for path in _leaf_commands(cli) if path not in named)
    assert not missing, f"commands missing from the README's synopsis: {missing}"


def test_the_readme_has_its_examples():
    """The README's examples are found (a broken fence would hide them all)."""
    assert len(CURL) >= 5 and len(CLI) >= 4 and len(SYNOPSIS_LINES) >= 8
    assert all(e.expected is not None for e in CLI), "a CLI example shows no output"


def _layout_paths(text: str) -> list[str]:
    """Return the file and folder names the README's Layout section writes in backticks."""
    section = text.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    names = re.findall(r"`([^`\s]+)`", section)
    return [n for n in names if "/" in n or re.fullmatch(r"[\w.-]+\.(py|cfg|toml)", n)]


def test_layout_names_real_files():
    """Every file and folder the Layout section names is where it says (after a move, the
    README moves with it); a bare module name is a module of one of the packages."""
    missing = []
    for name in _layout_paths(readme(ROOT)):
        if "/" in name:
            found = all((ROOT / name.replace("<lang>", lang)).exists() for lang in ("vi", "en"))
        else:
            found = (ROOT / name).exists() or any(ROOT.glob(f"*/{name}")) \
                or any(ROOT.glob(f"*/*/{name}"))
        if not found:
            missing.append(name)
    assert len(_layout_paths(readme(ROOT))) >= 15
    assert not missing, f"the README's Layout names what is not there: {missing}"


@pytest.mark.parametrize(("expected", "actual", "same"), [
    ("a\n...\nd", "a\nb\nc\nd", True),
    ("a\n...\nd", "a\nd", True),  # a `...` line may stand for no line
    ("a\n...\nd", "a\nb\nc", False),  # but the lines after it must still come
    ("total: ...", "total: 65", True),
    ("total: ...", "total: 65\nmore", False),  # `...` in a line stays in that line
    ("a  \n\nb\n\n", "a\n\nb", True),  # trailing spaces and blank ends do not count
    ("a\nb", "a\nc", False),
])
def test_output_matching_rules(expected, actual, same):
    """The elision rules the README's outputs are compared by."""
    assert matches(expected, actual) is same


def test_readme_conventions_are_enforced():
    """A block that breaks the convention fails loudly instead of being left out."""
    with pytest.raises(ValueError, match="holds a command but is no example"):
        examples("```yaml\ncurl http://127.0.0.1:5000/\n```\n")
    with pytest.raises(ValueError, match="not-run block holds a command"):
        examples("```sh not-run\nkpi-advisor --help\n```\n")
    with pytest.raises(ValueError, match="an output block must follow"):
        examples("Text.\n\n```json output\n{}\n```\n")
    found, _ = examples("```sh\ncurl -d '{\n  \"a\": 1}' \\\n  http://127.0.0.1:5000/x  # c\n"
                        "```\n\n```json output\n{\"a\": 1}\n```\n"
                        "```\n$ kpi-advisor check x \\\n    --lang en\nout\n$ echo $?\n2\n```\n")
    assert [e.argv() for e in found] == [
        ["curl", "-d", '{\n  "a": 1}', "http://127.0.0.1:5000/x"],
        ["kpi-advisor", "check", "x", "--lang", "en"]]
    assert (found[0].expected, found[1].expected, found[1].exit_code) == ('{"a": 1}', "out", 2)
