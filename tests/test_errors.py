"""Every error speaks the request's language: HTML pages and problem+json titles and details."""

import pytest
from flask import Blueprint

from tests.conftest import app_account, sign_in
from web.access import PUBLIC, classify

ENGLISH_OF_WERKZEUG = ("Not Found", "Bad Request", "Method Not Allowed", "Request Entity Too Large",
                       "The requested URL", "Internal Server Error")


def with_failing_route(app):
    """Return the app with a route that fails the way a bug would (a real exception)."""
    bp = Blueprint("failing_probe", __name__)

    @bp.get("/probe/fail")
    def fail():
        return {}["missing"]

    app.register_blueprint(bp)
    classify("failing_probe.fail", PUBLIC)
    return app


@pytest.mark.parametrize(("lang", "title", "detail"), [
    ("vi", "Không tìm thấy trang", "Không có trang nào ở địa chỉ này"),
    ("en", "Page not found", "There is no page at this address"),
])
def test_the_404_page_is_ours_in_the_page_language(client, lang, title, detail):
    response = client.get(f"/no/such/page?lang={lang}")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and f'<html lang="{lang}">' in html
    assert f"<h1>{title}</h1>" in html and detail in html
    assert not any(text in html for text in ENGLISH_OF_WERKZEUG)


@pytest.mark.parametrize(("lang", "title"), [("vi", "Lỗi hệ thống"), ("en", "Internal error")])
def test_an_unexpected_failure_is_a_500_page_in_the_page_language(app, lang, title):
    client = with_failing_route(app).test_client()
    response = client.get(f"/probe/fail?lang={lang}")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and f"<h1>{title}</h1>" in html
    assert "KeyError" not in html and "Traceback" not in html


@pytest.mark.parametrize(("lang", "title", "detail"), [
    ("vi", "Không tìm thấy trang", "Không tìm thấy kế hoạch 999."),
    ("en", "Page not found", "Plan 999 was not found."),
])
def test_problem_json_of_a_missing_plan_is_in_the_request_language(client, lang, title, detail):
    response = client.get(f"/api/v1/plans/999?lang={lang}")
    body = response.get_json()
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert body == {"type": "about:blank", "title": title, "status": 404, "detail": detail}


@pytest.mark.parametrize(("headers", "title"), [
    ({"Accept-Language": "vi"}, "Không dùng được cách gửi này"),
    ({"Accept-Language": "en"}, "Method not allowed"),
])
def test_problem_json_follows_accept_language(client, headers, title):
    response = client.post("/api/v1/kpis", headers=headers)
    assert response.status_code == 405 and response.get_json()["title"] == title


def test_a_json_body_names_the_language_of_its_problems(client):
    response = client.post("/api/v1/reviews", json={"lang": "en", "kpis": "nope"})
    body = response.get_json()
    assert response.status_code == 422 and body["title"] == "Invalid input"
    assert body["detail"].startswith("Some fields are not valid: kpis")
    assert body["errors"][0]["field"] == "kpis"
    vi = client.post("/api/v1/reviews", json={"lang": "vi", "kpis": "nope"}).get_json()
    assert vi["title"] == "Dữ liệu chưa hợp lệ" and vi["detail"].startswith("Một số trường")


def test_a_too_large_upload_says_the_limit_in_the_page_language(tmp_path):
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "t.db"), "SECRET_KEY": "x",
                      "MAX_CONTENT_LENGTH": 1024 * 1024})
    client = sign_in(app.test_client(), app_account(app))
    html = client.post("/wizard/start?lang=vi", data={"x": "y" * (2 * 1024 * 1024)}
                       ).get_data(as_text=True)
    assert "Dữ liệu gửi lên quá lớn" in html and "giới hạn 1 MB" in html
    english = client.post("/wizard/start?lang=en", data={"x": "y" * (2 * 1024 * 1024)})
    assert english.status_code == 413 and "limit of 1 MB" in english.get_data(as_text=True)


def test_a_bad_quarter_is_named_in_the_page_language(client):
    from tests.test_api_review import PLAN

    plan_id = client.post("/api/v1/plans", json=PLAN).get_json()["id"]
    html = client.get(f"/plans/{plan_id}/review?quarter=2025-Q9&lang=vi").get_data(as_text=True)
    assert "Ghi quý dạng 2025-Q1" in html and "write the quarter" not in html


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_kpi_card_never_repeats_a_tag(client, lang):
    """A financial KPI of the financial perspective reads "Tài chính" once, not twice."""
    import re

    from tests.test_wizard import build, sid_of

    sid = sid_of(build(client, lang=lang))
    html = client.get(f"/wizard/s/{sid}/add?lang={lang}").get_data(as_text=True)
    rows = re.findall(r'<p class="tags">(.*?)</p>', html, re.S)
    assert rows
    for row in rows:
        tags = re.findall(r'<span class="tag[^"]*">([^<]+)</span>', row)
        assert len(tags) == len(set(tags)), tags


@pytest.mark.parametrize(("lang", "title", "detail"), [
    ("vi", "Tên máy chủ không được nhận", "Máy chủ này không phục vụ địa chỉ"),
    ("en", "Unknown host name", "This server does not answer for the address"),
])
def test_an_unknown_host_is_told_in_the_page_language(client, lang, title, detail):
    response = client.get(f"/?lang={lang}", headers={"Host": "attacker.example"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and f"<h1>{title}</h1>" in html and detail in html
    api = client.get("/api/v1/kpis", headers={"Host": "attacker.example",
                                              "Accept-Language": lang}).get_json()
    assert api["errors"] == [{"field": "Host", "message": "not an allowed host"}]
    assert api["title"] == ("Yêu cầu chưa hợp lệ" if lang == "vi" else "Bad request")
    assert "ALLOWED_HOSTS" in api["detail"] and \
        ("tên máy chủ" in api["detail"]) == (lang == "vi")


@pytest.mark.parametrize(("lang", "title", "detail"), [
    ("vi", "Gửi dữ liệu quá lâu", "không đến đủ trong 60 giây"),
    ("en", "The page took too long to send", "did not arrive in full within 60 seconds"),
])
def test_a_request_cut_off_at_its_deadline_is_told_in_its_language(tmp_path, lang, title,
                                                                    detail):
    import threading

    from web import create_app
    from web.protect import clear_cut_off, mark_cut_off

    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "t.db"), "SECRET_KEY": "x",
                      "REQUEST_TIMEOUT": 60})
    client = app.test_client()
    mark_cut_off(threading.get_ident())  # the test client answers in this thread
    try:
        html = client.get(f"/?lang={lang}").get_data(as_text=True)
        api = client.get("/api/v1/kpis", headers={"Accept-Language": lang})
    finally:
        clear_cut_off(threading.get_ident())
    assert f"<h1>{title}</h1>" in html
    body = api.get_json()
    assert api.status_code == 408 and detail in body["detail"]
    assert body["title"] == ("Hết thời gian gửi yêu cầu" if lang == "vi" else "Request timeout")


@pytest.mark.parametrize(("lang", "heading"), [("vi", "Các phản hồi"), ("en", "Responses")])
def test_the_api_reference_has_its_own_words_in_the_page_language(client, lang, heading):
    html = client.get(f"/api/v1/docs?lang={lang}").get_data(as_text=True)
    assert f"<h3>{heading}</h3>" in html
    # The generated content is English and says so; its `code` spans are code.
    assert '<p lang="en">' in html and "<code>kpi_id</code>" in html
