"""Every page and endpoint of the app × every kind of caller, through a real server.

The table below is written from the issue, not read from web/access.py: each endpoint's kind
says who may reach it. A route added to the app without a line here fails this test; a route
whose check differs from its line fails it too.
"""

import http.cookiejar
import json
import re
import urllib.error
import urllib.request

import pytest

from tests.conftest import PERIOD_OF, app_account, sign_in
from tests.test_wizard import build, sid_of, stored
from web.wizard_access import resume_key

CATALOG, COMPUTE, STORED = "catalog", "compute", "stored"  # API
PUBLIC, ACCOUNT, CREATE = "public", "account", "create"  # pages
READ, EDIT, OWNER = "read", "edit", "owner"
EXPECTED = {
    "api.list_kpis": CATALOG, "api.show_kpi": CATALOG, "api.openapi": CATALOG,
    "api.docs": CATALOG,
    "api_advice.list_questions": COMPUTE, "api_advice.interview_next": COMPUTE,
    "api_advice.recommendations": COMPUTE, "api_advice.smart_check": COMPUTE,
    "api_review.create_review": COMPUTE,
    "api_review.plans": STORED, "api_review.add_plan": STORED, "api_review.plan": STORED,
    "api_review.measurements": STORED, "api_review.add_measurements": STORED,
    "api_review.import_measurements": STORED, "api_review.review": STORED,
    "api_review.apply_suggestion": STORED,
    "auth.login": PUBLIC, "auth.logout": PUBLIC, "auth.setup": PUBLIC,
    "auth.invitation": PUBLIC, "static": PUBLIC,
    "pages.home": ACCOUNT, "wizard.start": CREATE,
    "wizard.resume": READ, "wizard.continue_session": READ,
    "wizard.question": EDIT, "wizard.check": EDIT, "wizard_plan.swap": EDIT,
    "wizard_plan.add": EDIT,
    "wizard_plan.results": READ, "wizard_plan.plan": READ, "wizard_plan.cards": READ,
    "wizard_plan.dictionary": READ, "wizard_plan.export_dictionary_csv": READ,
    "wizard_plan.export_csv": READ, "wizard_plan.export_xlsx": READ,
    "wizard_plan.report": READ, "wizard_plan.remove": READ, "wizard_plan.restore": READ,
    "wizard_plan.status": READ,
    "review.page": READ, "review.save": READ, "review.import_measurements": READ,
    "review.enter_measurement": READ, "review.report": READ, "review.report_as_csv": READ,
    "review.report_as_xlsx": READ, "review.exclusion": READ, "review.apply_suggestion": READ,
    "workspaces.page": READ, "workspaces.members_page": OWNER, "workspaces.invite": OWNER,
    "workspaces.remove": OWNER, "workspaces.tokens_page": OWNER,
    "workspaces.new_token": OWNER, "workspaces.revoke": OWNER,
}
CALLERS = ("none", "viewer", "editor", "owner", "other", "read_only")


class Caller:
    """One kind of caller: a cookie jar (signed in through /login) and an optional token."""

    def __init__(self, base: str, token: str | None = None):
        self.base = base
        self.token = token
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())

    def send(self, method: str, path: str, body: bytes | None = None,
             headers: dict | None = None) -> tuple[int, str, str]:
        """Return (status, Location, body text) of one request."""
        headers = dict(headers or {})
        if self.token and path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base + path, data=body, method=method,
                                         headers=headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, "", response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            return err.code, err.headers.get("Location", ""), err.read().decode("utf-8",
                                                                                "replace")

    def sign_in(self, email: str, password: str) -> None:
        """Sign in through the real form."""
        _status, _loc, html = self.send("GET", "/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        body = urllib.parse.urlencode({"csrf_token": csrf, "email": email,
                                       "password": password}).encode()
        status, location, _ = self.send("POST", "/login", body,
                                        {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 303 and not location.endswith("/login"), (status, location)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def world(app, account, live_server):
    """Workspace "test" with an interview, its plan and each role; workspace "elsewhere"."""
    owner_client = sign_in(app.test_client(), account)
    sid = sid_of(build(owner_client))
    record, plan = stored(app, sid)
    people = {"owner": account,
              "viewer": app_account(app, "viewer@example.com", "viewer"),
              "editor": app_account(app, "editor@example.com", "editor"),
              "other": app_account(app, "other@example.com", "owner", "elsewhere")}
    callers = {"none": Caller(live_server), "read_only": Caller(live_server,
                                                                account.read_only_token)}
    for role, person in people.items():
        callers[role] = Caller(live_server, person.token)
        callers[role].sign_in(person.email, person.password)
    with app.test_request_context():
        key = resume_key(sid)
    values = {"plan_id": plan.id, "sid": sid, "slug": "test", "key": key,
              "kpi_id": plan.plan.kpis[0].kpi_id, "qid": "org_name",
              "row_id": plan.kpi_ids[0], "user_id": 999999, "token_id": 999999,
              "filename": "style.css", "secret": "not-an-invitation"}
    return {"app": app, "callers": callers, "values": values, "record": record,
            "frequency": plan.plan.kpis[0].frequency}


def _routes(app):
    """Yield (endpoint, method, path) of every route, its values filled in."""
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, rule


def _path(rule, values: dict) -> str:
    missing = set(rule.arguments) - set(values)
    assert not missing, f"{rule.rule}: give the matrix a value for {missing}"
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]


def _denial(kind: str, caller: str, method: str, endpoint: str) -> int | str | None:
    """Return how the caller is refused (a status, or "login"), or None when let in."""
    writes = method != "GET"
    if kind in (CATALOG, COMPUTE, PUBLIC):
        return None
    if kind == STORED:
        if caller == "none":
            return 401
        if caller == "other" and endpoint not in ("api_review.plans", "api_review.add_plan"):
            return 404
        if writes and caller in ("viewer", "read_only"):
            return 403
        return None
    if caller in ("none", "read_only"):  # a token does not sign a browser in
        return "login"
    if kind == ACCOUNT:
        return None
    if kind == CREATE:  # an editor somewhere: "other" owns a workspace of its own
        return 403 if caller == "viewer" else None
    if caller == "other":
        return 404
    needed = {READ: "editor" if writes else "viewer", EDIT: "editor", OWNER: "owner"}[kind]
    rank = {"viewer": 1, "editor": 2, "owner": 3}
    return 403 if rank[caller] < rank[needed] else None


def test_every_route_answers_each_caller_as_the_table_says(world):
    app, callers, values = world["app"], world["callers"], world["values"]
    unknown = sorted({e for e, _m, _r in _routes(app)} - set(EXPECTED))
    assert not unknown, f"routes without a line in the access matrix: {unknown}"
    wrong = []
    tried = 0
    for endpoint, method, rule in _routes(app):
        if endpoint == "auth.logout":
            continue  # would end the callers' sessions; tried in test_logout below
        path = _path(rule, values)
        headers = {"Content-Type": "application/json"} if path.startswith("/api/") else {
            "Content-Type": "application/x-www-form-urlencoded"}
        body = b"{}" if method == "POST" else None
        for caller in CALLERS:
            status, location, text = callers[caller].send(method, path, body, headers)
            tried += 1
            denial = _denial(EXPECTED[endpoint], caller, method, endpoint)
            if EXPECTED[endpoint] == PUBLIC:  # the page's own answer (302, 404 ...) stands
                ok = status < 500 and status not in (401, 403)
            elif denial == "login":
                ok = status == 302 and "/login?next=" in location
            elif denial is not None:
                ok = status == denial
                if ok and path.startswith("/api/"):
                    ok = json.loads(text)["status"] == denial
            else:
                ok = status < 500 and status not in (401, 403, 404) and "/login" not in location
            if not ok:
                wrong.append(f"{caller:9} {method:4} {path} -> {status} {location} "
                             f"(expected {denial or 'let in'})")
    assert tried > 300
    assert not wrong, "\n".join(wrong)


def test_the_plan_list_holds_only_the_tokens_workspace(world):
    callers = world["callers"]
    mine = json.loads(callers["owner"].send("GET", "/api/v1/plans")[2])["plans"]
    theirs = json.loads(callers["other"].send("GET", "/api/v1/plans")[2])["plans"]
    assert [p["id"] for p in mine] == [world["values"]["plan_id"]]
    assert theirs == []


def test_a_cross_origin_multipart_import_is_refused_and_stores_nothing(world):
    callers, plan_id = world["callers"], world["values"]["plan_id"]
    kpi = world["values"]["kpi_id"].encode()
    period = PERIOD_OF[world["frequency"]].encode()
    body = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\nkpi,period,value\n" + kpi + b"," + period
            + b",5\r\n--b--\r\n")
    multipart = {"Content-Type": "multipart/form-data; boundary=b"}
    for caller, origin in (("none", {"Origin": "http://evil.example"}),
                           ("owner", {"Origin": "http://evil.example"}),
                           ("owner", {"Sec-Fetch-Site": "cross-site"})):
        status, _loc, text = callers[caller].send(
            "POST", f"/api/v1/plans/{plan_id}/measurements/import", body,
            {**multipart, **origin})
        assert status == 403, text
        page = callers[caller].send("POST", f"/plans/{plan_id}/review/import", body,
                                    {**multipart, **origin})
        assert page[0] == 403
    stored_rows = json.loads(callers["owner"].send(
        "GET", f"/api/v1/plans/{plan_id}/measurements")[2])["measurements"]
    assert stored_rows == []
    same_site = callers["owner"].send("POST", f"/api/v1/plans/{plan_id}/measurements/import",
                                      body, multipart)
    assert same_site[0] == 200, same_site[2]


def test_logout_ends_the_session(world):
    caller = world["callers"]["editor"]
    _s, _l, home = caller.send("GET", "/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    status, location, _ = caller.send("POST", "/logout", f"csrf_token={csrf}".encode(),
                                      {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303 and location.endswith("/login")
    status, location, _ = caller.send("GET", "/w/test")
    assert status == 302 and "/login?next=/w/test" in location
