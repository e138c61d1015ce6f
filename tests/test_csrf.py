"""Every browser form needs its CSRF token; the JSON API does not use cookies and needs none."""

from flask import Blueprint

from web.access import PUBLIC, classify


def _app_with_form(app):
    bp = Blueprint("form_probe", __name__)

    @bp.route("/probe", methods=["GET", "POST"])
    def probe():
        from web.csrf import csrf_field
        return f"<form method=post>{csrf_field()}</form>"

    app.register_blueprint(bp)
    classify("form_probe.probe", PUBLIC)
    return app


def test_post_without_token_is_refused_and_with_it_accepted(app):
    client = _app_with_form(app).test_client()
    html = client.get("/probe").get_data(as_text=True)
    token = html.split('value="')[1].split('"')[0]
    refused = client.post("/probe", data={})
    # The page speaks the request's language only (it used to print both, English first).
    assert refused.status_code == 400 and "Mã bảo mật" in refused.get_data(as_text=True)
    refused = client.post("/probe?lang=en", data={})
    assert refused.status_code == 400 and "security token" in refused.get_data(as_text=True)
    assert "Mã bảo mật" not in refused.get_data(as_text=True)
    assert client.post("/probe", data={"csrf_token": "forged"}).status_code == 400
    assert client.post("/probe", data={"csrf_token": token}).status_code == 200


def test_api_posts_are_not_subject_to_csrf(client):
    response = client.post("/api/v1/kpis")
    assert response.status_code == 405
