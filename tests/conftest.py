"""Shared fixtures: the app on a fresh database file, its clients (signed in, with an API
token), accounts of each role, and a live server."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from waitress.server import create_server

from advisor.accounts.tokens import create_token
from advisor.accounts.users import create_user, user_by_email
from advisor.accounts.workspaces import add_member, create_workspace, workspace_by_slug
from advisor.store import ensure_catalog, ensure_schema, open_db
from catalog.loader import builtin_catalog
from cli import cli
from tests.contract import watch
from tests.servers import SERVED_TOKENS
from web import create_app

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def new_app(folder: Path):
    """Return an app on a fresh SQLite file in `folder`, its API answers checked against the
    OpenAPI document (see tests/contract.py)."""
    app = create_app({
        "TESTING": True,
        "DATABASE": str(folder / "test.db"),
        "SECRET_KEY": "test-secret-" + folder.name,
    })
    watch(app)
    return app


def assert_contract_kept(app) -> None:
    """Fail the running test if an API answer since the last call broke the document."""
    mismatches = app.extensions["contract_watch"].mismatches
    found, mismatches[:] = list(mismatches), []
    if found:
        pytest.fail("API answers that break the OpenAPI document:\n" + "\n".join(found[:20]),
                    pytrace=False)


@pytest.fixture
def app(tmp_path):
    """Return an app on a fresh SQLite file in a temporary instance folder."""
    app = new_app(tmp_path)
    yield app
    assert_contract_kept(app)


PASSWORD = "a long test password"


@dataclass
class Account:
    """A user of a workspace with a role there, and an API token of theirs for it."""

    user_id: int
    email: str
    password: str
    workspace_id: int
    slug: str
    role: str
    token: str
    read_only_token: str

    @property
    def bearer(self) -> dict[str, str]:
        """Return the Authorization header of the read-write token."""
        return {"Authorization": f"Bearer {self.token}"}


def make_account(database, email: str, role: str = "owner", slug: str = "test",
                 name: str | None = None) -> Account:
    """Return an account with `role` in workspace `slug` (both made when missing)."""
    user = user_by_email(database, email) or create_user(
        database, email, name or email.split("@")[0].title(), PASSWORD)
    workspace = workspace_by_slug(database, slug)
    if workspace is None:
        owner = user if role == "owner" else create_user(database, f"owner-of-{slug}@example.com",
                                                         "Owner", PASSWORD)
        workspace = create_workspace(database, slug, slug.title(), owner.id)
    add_member(database, workspace.id, user.id, role)
    token, _ = create_token(database, user.id, workspace.id, "tests", read_only=False)
    read_only, _ = create_token(database, user.id, workspace.id, "tests-read", read_only=True)
    return Account(user.id, user.email, PASSWORD, workspace.id, slug, role, token, read_only)


# A period of each frequency, for tests that store one value of a plan's KPI.
PERIOD_OF = {"daily": "2025-03-15", "weekly": "2025-W07", "monthly": "2025-03",
             "quarterly": "2025-Q1"}


def app_account(app, email: str = "owner@example.com", role: str = "owner",
                slug: str = "test") -> Account:
    """Return an account made in the app's database."""
    database = open_db(app.config["DATABASE"])
    try:
        return make_account(database, email, role, slug)
    finally:
        database.close()


def sign_in(test_client, account: Account):
    """Sign a Flask test client in as the account (the session Flask-Login keeps) and give it
    the account's read-write token for the API; return the client."""
    with test_client.session_transaction() as session:
        session["_user_id"] = str(account.user_id)
        session["_fresh"] = True
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {account.token}"
    return test_client


@pytest.fixture
def account(app) -> Account:
    """Return the owner of the test workspace, in the app's database."""
    return app_account(app)


@pytest.fixture
def client(app, account):
    """Return Flask's test client, signed in as the test workspace's owner and sending that
    owner's read-write API token."""
    return sign_in(app.test_client(), account)


@pytest.fixture
def anonymous(app):
    """Return Flask's test client with no session and no token."""
    return app.test_client()


@pytest.fixture
def db(tmp_path):
    """Return a fresh SQLite file with the store's schema."""
    database = open_db(tmp_path / "store.db")
    ensure_schema(database)
    yield database
    database.close()


@pytest.fixture
def workspace_id(db) -> int:
    """Return the id of a workspace in the `db` fixture's file."""
    return make_account(db, "store@example.com").workspace_id


@pytest.fixture
def catalog_db():
    """Return an in-memory database holding the built-in catalog."""
    db = open_db(None)
    ensure_catalog(db, builtin_catalog())
    yield db
    db.close()


def free_port() -> int:
    """Return a TCP port on the loopback that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(app):
    """Serve the app with waitress on a free port while the block runs; yield its base URL."""
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # Close every channel from inside the server's own loop, which then ends by itself;
        # closing from this thread would pull sockets out from under a running select().
        with contextlib.suppress(OSError):  # a loop that has ended closed its trigger
            server.trigger.pull_trigger(lambda: server.asyncore.close_all(server._map))
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()


@pytest.fixture
def live_server(app, account):
    """Serve the app with waitress on a free port; yield its base URL (the `account` fixture
    is its test workspace's owner)."""
    with serving(app) as url:
        SERVED_TOKENS[url] = account.token
        yield url
        SERVED_TOKENS.pop(url, None)


@pytest.fixture
def run_cli(tmp_path, monkeypatch):
    """Run the `kpi-advisor` group in this process; return (exit code, stdout, stderr).

    An exception the command did not turn into an exit code fails the test with its traceback.
    """
    monkeypatch.chdir(tmp_path)

    def run(*args: str, stdin: str | None = None, env: dict | None = None):
        full_env = {"KPI_ADVISOR_DB": str(tmp_path / "cli.db"), **(env or {})}
        result = CliRunner().invoke(cli, list(args), input=stdin, env=full_env)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr
    return run


def chromium_path() -> str | None:
    """Return Debian's chromium found on PATH, or None."""
    return shutil.which("chromium")


def wait_for(predicate, timeout: float = 5.0) -> bool:
    """Return True once predicate() is true, False after `timeout` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "test-output" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    """Return Debian's Chromium driven by Playwright (installed by `make test`)."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        pytest.fail("chromium is not on PATH: run `make test`, which installs Debian's chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request):
    """Return a fresh page in its own browser context; with a live server, signed in as its
    test workspace's owner."""
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    if "live_server" in request.fixturenames:
        browser_sign_in(page, request.getfixturevalue("live_server"))
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-output/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


@dataclass
class Served:
    """A running `kpi-advisor serve`: its base URL, process, database file and log."""

    url: str
    port: int
    process: subprocess.Popen
    database: Path
    log: Path
    token: str = ""  # the read-write API token of the served database's test workspace

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the server's whole process group (gunicorn's master and workers)."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


# `http` sends the token of the test server a URL is on under /api/ unless the caller gives an
# Authorization header of its own ("" for none); see tests/servers.py.


def api_headers(url: str) -> dict[str, str]:
    """Return the Authorization header of the test server `url` is on (none for others)."""
    base = next((b for b in SERVED_TOKENS if url.startswith(b + "/api/")), None)
    return {"Authorization": f"Bearer {SERVED_TOKENS[base]}"} if base else {}


def browser_sign_in(page, base: str, email: str = "owner@example.com",
                    password: str = PASSWORD) -> None:
    """Sign a browser page in through the real sign-in form."""
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.locator("form.account-form button[type=submit]").click()
    assert "/login" not in page.url, page.inner_text("main")


def http(url: str, method: str = "GET", body: bytes | None = None,
         headers: dict | None = None, timeout: float = 30) -> tuple[int, dict, bytes]:
    """Send one request; return (status, headers, body) whatever the status."""
    headers = dict(headers or {})
    base = next((b for b in SERVED_TOKENS if url.startswith(b + "/api/")), None)
    if base and "Authorization" not in headers:
        headers["Authorization"] = f"Bearer {SERVED_TOKENS[base]}"
    headers = {k: v for k, v in headers.items() if v != ""}
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def start_serve(folder: Path, database: Path | None = None, **settings) -> Served:
    """Start `kpi-advisor serve` (gunicorn, as in production) on a free port and wait until it
    answers; settings are KPI_ADVISOR_* variables without the prefix."""
    port = free_port()
    database = database or folder / "served.db"
    log = folder / f"serve-{port}.log"
    seeded = open_db(database)
    try:
        ensure_schema(seeded)
        token = make_account(seeded, "owner@example.com").token
    finally:
        seeded.close()
    env = {**os.environ, "KPI_ADVISOR_DB": str(database), "KPI_ADVISOR_SECRET_KEY": "served",
           **{f"KPI_ADVISOR_{key}": str(value) for key, value in settings.items()}}
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port",
                                    str(port)], env=env, cwd=folder, stdout=out, stderr=out,
                                   start_new_session=True)
    served = Served(f"http://127.0.0.1:{port}", port, process, database, log, token)
    SERVED_TOKENS[served.url] = token

    def answers() -> bool:
        try:
            return http(f"{served.url}/api/v1/kpis?limit=1", timeout=2)[0] > 0  # any answer
        except OSError:
            return process.poll() is not None  # stop waiting for a server that died

    if not wait_for(answers, timeout=90) or process.poll() is not None:
        served.stop(signal.SIGKILL)
        pytest.fail(f"kpi-advisor serve did not start: {log.read_text()[-2000:]}")
    return served


@pytest.fixture
def serve(tmp_path):
    """Return a function that starts real `kpi-advisor serve` processes, all stopped after."""
    started: list[Served] = []

    def start(**settings) -> Served:
        started.append(start_serve(tmp_path, **settings))
        return started[-1]

    yield start
    for served in started:
        served.stop()
