"""Headers and what they allow: no inline script or style anywhere (so the Content-Security-Policy
needs no 'unsafe-inline'), the headers on every answer, and the Host allow-list's matching."""

import re
from pathlib import Path

import pytest

from web.protect import SECURITY_HEADERS, allowed_hosts, host_allowed

WEB = Path(__file__).resolve().parents[1] / "web"
DATA = Path(__file__).parent / "data"
# What a policy without 'unsafe-inline' blocks: script elements with a body, event-handler
# attributes, javascript: URLs and style attributes or elements.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:|\sstyle\s*=|<style",
                    re.I)


@pytest.mark.parametrize("path", sorted(p.relative_to(WEB) for p in WEB.rglob("*")
                                        if p.suffix in (".html", ".js")))
def test_no_template_or_script_holds_inline_code(path):
    text = (WEB / path).read_text(encoding="utf-8")
    assert INLINE.findall(text) == []


@pytest.fixture
def plan_with_data(client):
    plan = {"org_name": "Công ty An Phát", "kpis": [
        {"kpi_id": "sales.revenue", "target": 400, "frequency": "monthly"},
        {"kpi_id": "sales.conversion_rate", "target": 12},
        {"name": "Đại lý mới", "unit": "count", "frequency": "weekly"},
        {"kpi_id": "sales.net_revenue_retention"}]}
    plan_id = client.post("/api/v1/plans", json=plan).get_json()["id"]
    with (DATA / "imports" / "good.csv").open("rb") as handle:
        client.post(f"/api/v1/plans/{plan_id}/measurements/import",
                    data={"file": (handle, "good.csv")}, content_type="multipart/form-data")
    return plan_id


def test_rendered_pages_hold_no_inline_code_and_carry_the_headers(client, plan_with_data):
    home = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    question = client.post("/wizard/start", data={"csrf_token": token}).headers["Location"]
    refused = client.post("/wizard/start", data={})  # no CSRF token: the error page
    assert refused.status_code == 400
    pages = [question, "/", "/?lang=en", f"/plans/{plan_with_data}/review",
             f"/plans/{plan_with_data}/review/report", "/api/v1/docs", "/no-such-page",
             "/plans/999999/review"]
    for path in pages:
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert INLINE.findall(html) == [], path
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (path, name)
    assert "<svg" in client.get(f"/plans/{plan_with_data}/review").get_data(as_text=True)
    assert "<form" in client.get(question).get_data(as_text=True)
    assert INLINE.findall(refused.get_data(as_text=True)) == []
    assert refused.headers["X-Content-Type-Options"] == "nosniff"


def test_the_error_page_links_back_without_script(client):
    html = client.get("/plans/999999/review", headers={"Referer": "http://localhost/"}
                      ).get_data(as_text=True)
    assert 'href="http://localhost/"' in html
    html = client.get("/plans/999999/review", headers={"Referer": "http://elsewhere.example/"}
                      ).get_data(as_text=True)
    assert "elsewhere.example" not in html and 'href="/"' in html


@pytest.mark.parametrize(("setting", "bound", "expected"), [
    (None, "127.0.0.1", ("localhost", "127.0.0.1", "::1", "127.0.0.1")),
    (None, "192.168.1.20", ("localhost", "127.0.0.1", "::1", "192.168.1.20")),
    ("kpi.example.vn, .Khach-Hang.vn.", "0.0.0.0", ("kpi.example.vn", ".khach-hang.vn")),
    ("*", "127.0.0.1", None),
])
def test_allowed_hosts_come_from_the_setting_or_the_bound_address(setting, bound, expected):
    assert allowed_hosts(setting, bound) == expected


def test_a_server_on_every_address_also_answers_this_machines_name():
    import socket

    found = allowed_hosts(None, "0.0.0.0")
    assert "localhost" in found and socket.gethostname().lower() in found


@pytest.mark.parametrize(("header", "allowed"), [
    ("localhost", True), ("localhost:5000", True), ("LocalHost.", True), ("127.0.0.1:80", True),
    ("[::1]:5000", True), ("[::1]", True), ("kpi.example.vn", True), ("a.b.khach-hang.vn", True),
    ("khach-hang.vn", True), ("evil-khach-hang.vn", False), ("khach-hang.vn.evil.com", False),
    ("attacker.example", False), ("", False), ("localhost:notaport", False),
    ("127.0.0.2", False),
])
def test_host_headers_are_matched_by_name(header, allowed):
    names = ("localhost", "127.0.0.1", "::1", "kpi.example.vn", ".khach-hang.vn")
    assert host_allowed(header, names) is allowed
