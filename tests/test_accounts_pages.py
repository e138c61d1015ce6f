"""Sign-in, the first account, invitations, members and tokens pages, viewers and settings."""

import re

import pytest

from tests.conftest import PASSWORD, PERIOD_OF, app_account, sign_in
from tests.test_wizard import build, sid_of, stored


def csrf(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_an_empty_database_leads_to_the_first_account_and_its_workspace(anonymous):
    assert anonymous.get("/").location.endswith("/setup")
    assert anonymous.get("/login").location.endswith("/setup")
    assert anonymous.get("/w/anything").location.endswith("/setup")
    token = csrf(anonymous, "/setup")
    weak = anonymous.post("/setup", data={"csrf_token": token, "name": "An",
                                          "email": "an@example.com", "password": "12345",
                                          "workspace": "Tư vấn An"})
    html = weak.get_data(as_text=True)
    assert weak.status_code == 422 and "ít nhất 10 ký tự" in html
    assert 'value="an@example.com"' in html and 'value="Tư vấn An"' in html  # kept
    made = anonymous.post("/setup", data={"csrf_token": token, "name": "An",
                                          "email": "an@example.com", "password": PASSWORD,
                                          "workspace": "Tư vấn An"})
    assert made.status_code == 303 and made.location.endswith("/w/tu-van-an")
    page = anonymous.get("/w/tu-van-an").get_data(as_text=True)
    assert "Tư vấn An" in page and "chủ sở hữu" in page and 'action="/wizard/start"' in page
    assert anonymous.get("/setup").location.endswith("/login")  # only once


def test_sign_in_goes_back_where_the_visitor_was_going_and_never_elsewhere(app, account):
    visitor = app.test_client()
    response = visitor.get("/w/test/members")
    assert response.status_code == 302 and "/login?next=/w/test/members" in response.location
    token = csrf(visitor)
    wrong = visitor.post("/login", data={"csrf_token": token, "email": account.email,
                                         "password": "not the password"})
    assert wrong.status_code == 401 and "không đúng" in wrong.get_data(as_text=True)
    assert f'value="{account.email}"' in wrong.get_data(as_text=True)
    right = visitor.post("/login", data={"csrf_token": token, "email": account.email,
                                         "password": PASSWORD, "next": "/w/test/members"})
    assert right.status_code == 303 and right.location.endswith("/w/test/members")
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        again = app.test_client()
        response = again.post("/login", data={"csrf_token": csrf(again), "email": account.email,
                                              "password": PASSWORD, "next": target})
        assert response.location == "/", target


def test_ten_wrong_passwords_answer_429_with_when_to_retry(app, account):
    visitor = app.test_client()
    token = csrf(visitor)
    for _ in range(10):
        assert visitor.post("/login?lang=en", data={"csrf_token": token, "email": account.email,
                                                    "password": "wrong wrong"}).status_code == 401
    locked = visitor.post("/login?lang=en", data={"csrf_token": token, "email": account.email,
                                                  "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 800
    assert "Try again in 15 minutes" in locked.get_data(as_text=True)


@pytest.mark.parametrize("https", [False, True])
def test_the_session_cookie_is_httponly_lax_and_secure_over_https(tmp_path, https):
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "t.db"), "SECRET_KEY": "x",
                      "HTTPS": https})
    account = app_account(app)
    client = app.test_client()
    response = client.post("/login", data={"csrf_token": csrf(client), "email": account.email,
                                           "password": PASSWORD})
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("Secure" in cookie) == https


def test_an_owner_invites_an_editor_who_joins_and_sees_that_workspace_only(app, client):
    app_account(app, "me-elsewhere@example.com", "owner", "elsewhere")
    token = csrf(client, "/w/test/members")
    bad = client.post("/w/test/members", data={"csrf_token": token, "email": "nope",
                                               "role": "editor"})
    assert bad.status_code == 422 and 'value="nope"' in bad.get_data(as_text=True)
    made = client.post("/w/test/members", data={"csrf_token": token,
                                                "email": "client@example.com", "role": "editor"})
    link = re.search(r'value="(http://localhost/invite/[^"]+)"',
                     made.get_data(as_text=True)).group(1).replace("http://localhost", "")
    assert made.status_code == 201
    newcomer = app.test_client()
    page = newcomer.get(link).get_data(as_text=True)
    assert "client@example.com" in page and "biên tập" in page
    weak = newcomer.post(link, data={"csrf_token": csrf(newcomer, link), "name": "Khách",
                                     "password": "short"})
    assert weak.status_code == 422
    joined = newcomer.post(link, data={"csrf_token": csrf(newcomer, link), "name": "Khách",
                                       "password": PASSWORD})
    assert joined.status_code == 303 and joined.location.endswith("/w/test")
    home = newcomer.get("/").get_data(as_text=True)
    assert "/w/test" in home and "/w/elsewhere" not in home
    assert newcomer.get("/w/elsewhere").status_code == 404
    used = app.test_client().get(link)
    assert used.status_code == 404 and "đã được dùng" in used.get_data(as_text=True)
    members = client.get("/w/test/members").get_data(as_text=True)
    assert "client@example.com" in members and "Khách" in members


def test_an_invitation_for_an_existing_account_asks_its_password(app, client):
    app_account(app, "known@example.com", "owner", "elsewhere")
    token = csrf(client, "/w/test/members")
    made = client.post("/w/test/members", data={"csrf_token": token,
                                                "email": "known@example.com", "role": "viewer"})
    link = re.search(r'value="http://localhost(/invite/[^"]+)"',
                     made.get_data(as_text=True)).group(1)
    visitor = app.test_client()
    wrong = visitor.post(link, data={"csrf_token": csrf(visitor, link), "password": "wrong one!"})
    assert wrong.status_code == 401
    right = visitor.post(link, data={"csrf_token": csrf(visitor, link), "password": PASSWORD})
    assert right.status_code == 303
    assert "/w/elsewhere" in visitor.get("/").get_data(as_text=True)
    assert visitor.get("/w/test").status_code == 200


def test_tokens_are_shown_once_and_revoked_from_the_page(app, client, anonymous):
    token = csrf(client, "/w/test/tokens")
    made = client.post("/w/test/tokens", data={"csrf_token": token, "name": "Power BI",
                                               "access": "read"})
    secret = re.search(r'value="(kpa_[^"]+)"', made.get_data(as_text=True)).group(1)
    assert secret not in client.get("/w/test/tokens").get_data(as_text=True)
    headers = {"Authorization": f"Bearer {secret}"}
    assert anonymous.get("/api/v1/plans", headers=headers).status_code == 200
    refused = anonymous.post("/api/v1/plans?lang=en", headers=headers, json={})
    assert refused.status_code == 403 and "read" in refused.get_json()["detail"]
    listed = client.get("/w/test/tokens").get_data(as_text=True)
    token_id = re.findall(r'/w/test/tokens/(\d+)/revoke', listed)[0]
    assert client.post(f"/w/test/tokens/{token_id}/revoke",
                       data={"csrf_token": token}).status_code == 303
    gone = anonymous.get("/api/v1/plans?lang=en", headers=headers)
    assert gone.status_code == 401 and "revoked" in gone.get_json()["detail"]
    assert gone.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Token abc", "Bearer", "Bearer  a b", "bearer"])
def test_a_malformed_authorization_header_is_a_clear_401(anonymous, header):
    response = anonymous.get("/api/v1/plans?lang=en", headers={"Authorization": header})
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert "Bearer <token>" in response.get_json()["detail"]


def test_a_viewer_reads_the_plan_and_review_without_any_form(app, client):
    sid = sid_of(build(client))
    plan_id = stored(app, sid)[1].id
    viewer = sign_in(app.test_client(), app_account(app, "viewer@example.com", "viewer"))
    for path in (f"/wizard/s/{sid}/results", f"/plans/{plan_id}/review", "/w/test",
                 f"/wizard/s/{sid}/report"):
        response = viewer.get(path)
        main = response.get_data(as_text=True).split("<main", 1)[1]
        assert response.status_code == 200 and 'method="post"' not in main, path
    assert viewer.get(f"/wizard/s/{sid}/plan").location.endswith(f"/wizard/s/{sid}/report")
    token = csrf(viewer, "/")
    for path in (f"/plans/{plan_id}/review", f"/wizard/s/{sid}/status", "/wizard/start"):
        assert viewer.post(path, data={"csrf_token": token}).status_code == 403, path
    # The editor's page has them.
    assert 'method="post"' in client.get(f"/plans/{plan_id}/review").get_data(as_text=True)


def test_who_changed_a_measurement_shows_in_its_history(app, client, account):
    sid = sid_of(build(client))
    record = stored(app, sid)[1]
    kpi = record.plan.kpis[0].kpi_id
    row = {"kpi": kpi, "period": PERIOD_OF[record.plan.kpis[0].frequency], "value": 5}
    assert client.post(f"/api/v1/plans/{record.id}/measurements",
                       json={"measurements": [row]}).status_code == 200
    history = client.get(f"/api/v1/plans/{record.id}/measurements?history=true").get_json()
    assert [m["recorded_by"] for m in history["measurements"]] == ["Owner"]


def test_who_marked_a_period_excluded_shows_in_its_history(app, client):
    sid = sid_of(build(client))
    record = stored(app, sid)[1]
    period = PERIOD_OF[record.plan.kpis[0].frequency]
    row = {"kpi": record.plan.kpis[0].kpi_id, "period": period, "value": 5}
    client.post(f"/api/v1/plans/{record.id}/measurements", json={"measurements": [row]})
    editor = sign_in(app.test_client(), app_account(app, "editor@example.com", "editor"))
    token = csrf(editor, f"/plans/{record.id}/review")
    response = editor.post(f"/plans/{record.id}/review/exclusions", data={
        "csrf_token": token, "plan_kpi_id": record.kpi_ids[0], "period": period,
        "note": "Tết holiday"})
    assert response.status_code == 303
    history = client.get(f"/api/v1/plans/{record.id}/measurements?history=true").get_json()
    marks = [(m["exclude"], m["recorded_by"]) for m in history["measurements"]]
    assert marks == [(False, "Owner"), (True, "Editor")]


@pytest.mark.parametrize("level, catalog, compute", [("compute", 200, 200),
                                                     ("catalog", 200, 401),
                                                     ("none", 401, 401)])
def test_open_api_setting_closes_the_catalog_and_calculations(tmp_path, level, catalog,
                                                              compute):
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "t.db"), "SECRET_KEY": "x",
                      "OPEN_API": level})
    anonymous = app.test_client()
    assert anonymous.get("/api/v1/kpis?limit=1").status_code == catalog
    assert anonymous.get("/api/v1/openapi.json").status_code == catalog
    assert anonymous.get("/api/v1/questions").status_code == compute
    account = app_account(app)
    with_token = {"Authorization": f"Bearer {account.read_only_token}"}
    assert anonymous.get("/api/v1/questions", headers=with_token).status_code == 200
    assert anonymous.get("/api/v1/kpis?limit=1", headers=with_token).status_code == 200


def test_the_workspace_page_shows_each_plans_latest_review(app, client):
    from advisor.review.measurements import set_review_status
    from advisor.store import open_db

    plan_id = stored(app, sid_of(build(client)))[1].id
    assert "not reviewed yet" in client.get("/w/test?lang=en").get_data(as_text=True)
    db = open_db(app.config["DATABASE"])
    try:
        set_review_status(db, plan_id, "2025-Q1", "open")
        set_review_status(db, plan_id, "2025-Q2", "done")
    finally:
        db.close()
    row = client.get("/w/test?lang=en").get_data(as_text=True).split('class="sessions plans"')[1]
    assert "last: 2025-Q2, Review done · " in row and "2025-Q1" not in row
