"""A newcomer in real Chromium: the first account, an interview, the workspace page, the plan
and its review; an invited client editor in a second browser who sees that workspace only; a
third browser without an account that reaches nothing stored."""

import pytest

from advisor.store import open_db
from tests.conftest import (
    PASSWORD,
    assert_contract_kept,
    http,
    make_account,
    new_app,
    screenshot,
    serving,
)
from tests.test_wizard_browser import VI, interview

pytestmark = pytest.mark.browser


@pytest.fixture
def empty_server(tmp_path):
    """Serve an app on an empty database (no account yet); yield (app, base URL)."""
    app = new_app(tmp_path)
    with serving(app) as url:
        yield app, url
    assert_contract_kept(app)


def submit(page) -> None:
    with page.expect_navigation():
        page.locator("form.account-form button[type=submit]").click()


def test_first_account_interview_workspace_page_invitation_and_a_stranger(empty_server,
                                                                          browser):
    app, base = empty_server
    first = browser.new_context(locale="vi-VN")
    page = first.new_page()
    page.goto(base + "/")
    assert page.url.endswith("/setup")
    screenshot(page, "accounts-setup")
    page.fill("#name", "Nguyễn An")
    page.fill("#email", "an@tuvan.vn")
    page.fill("#password", "12345")
    page.fill("#workspace", "Công ty Sao Mai")
    submit(page)
    assert "ít nhất 10 ký tự" in page.inner_text("main")
    assert page.input_value("#email") == "an@tuvan.vn"  # typed values kept
    page.fill("#password", PASSWORD)
    submit(page)
    assert page.url.endswith("/w/cong-ty-sao-mai")
    assert "Công ty Sao Mai" in page.inner_text("h1")
    # The consultant's other client, which the invited editor must never see.
    db = open_db(app.config["DATABASE"])
    make_account(db, "an@tuvan.vn", "owner", "khach-khac")
    db.close()

    interview(page, base, "vi", VI)  # the client: Công ty Bình Minh
    page.get_by_role("button", name=VI["confirm"]).click()
    assert "/results" in page.url
    page.goto(base + "/w/cong-ty-sao-mai")
    screenshot(page, "accounts-workspace-page")
    row = page.locator("table.plans tbody tr").first
    assert "bản nháp" in row.inner_text() and "chưa rà soát" in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("link", name="Kế hoạch", exact=True).click()
    assert page.url.endswith("/plan")
    crumbs = page.locator("nav.breadcrumbs").inner_text()
    assert "Công ty Sao Mai" in crumbs
    with page.expect_navigation():
        page.get_by_role("link", name="Rà soát hằng quý").click()
    assert page.url.endswith("/review")
    with page.expect_navigation():
        page.get_by_role("link", name="Kế hoạch KPI").click()
    assert page.url.endswith("/plan")

    page.goto(base + "/w/cong-ty-sao-mai/members")
    page.fill("#email", "lan@saomai.vn")
    page.select_option("#role", "editor")
    submit(page)
    link = page.locator("#invitation-link").input_value()
    assert "/invite/" in link

    second = browser.new_context(locale="vi-VN")
    client = second.new_page()
    client.goto(link)
    assert "lan@saomai.vn" in client.inner_text("main")
    client.fill("#name", "Trần Lan")
    client.fill("#password", "mật khẩu của Lan 2026")
    submit(client)
    assert client.url.endswith("/w/cong-ty-sao-mai")
    assert "Công ty Bình Minh" in client.inner_text("table.plans")
    client.goto(base + "/")
    workspaces = client.locator("#workspaces").inner_text()
    assert "Công ty Sao Mai" in workspaces and "Khach-Khac" not in workspaces
    assert "Công ty Bình Minh" in client.locator("#sessions").inner_text()  # the interview
    assert client.goto(base + "/w/khach-khac").status == 404
    client.goto(base + "/w/cong-ty-sao-mai")
    with client.expect_navigation():
        client.locator("table.plans").get_by_role("link", name="Rà soát", exact=True).click()
    review = client.url
    assert "/plans/" in review and client.locator("#import-file").count() == 1  # an editor
    screenshot(client, "accounts-invited-editor-review")

    third = browser.new_context(locale="vi-VN")
    stranger = third.new_page()
    for path in (review, base + "/w/cong-ty-sao-mai", base + "/", link.replace(
            "/invite/", "/invite/x")):
        stranger.goto(path)
        assert "/login" in stranger.url or "Không tìm thấy" in stranger.inner_text("main"), path
    plan_id = review.split("/plans/")[1].split("/")[0]
    status, _headers, _body = http(f"{base}/api/v1/plans/{plan_id}")
    assert status == 401
    assert stranger.goto(link).status == 404  # used by Lan
    for context in (first, second, third):
        context.close()
