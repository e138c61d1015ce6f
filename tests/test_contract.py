"""The checks that keep the code and the OpenAPI document together can fail."""

from flask import Response


def test_the_watch_catches_answers_that_break_the_document(app):
    contract = app.extensions["contract_watch"]
    with app.test_request_context("/api/v1/kpis/sales.revenue"):
        contract.check(Response('{"id": 5}', mimetype="application/json"))
        contract.check(Response("{}", status=418, mimetype="application/json"))
        contract.check(Response("<p>", mimetype="text/html"))
    with app.test_request_context("/api/v1/plans", method="POST"):
        contract.check(Response('{"id": 1}', status=201, mimetype="application/json"))
    with app.test_request_context("/api/v1/nothing"):
        contract.check(Response('{"title": "Not found"}', status=404,
                                mimetype="application/problem+json"))
    found, contract.mismatches[:] = list(contract.mismatches), []
    assert any(f.startswith("GET /api/v1/kpis/sales.revenue -> 200: body at /: {'id': 5} is "
                            "not valid") for f in found)
    assert "GET /api/v1/kpis/sales.revenue -> 418: status not declared for get " \
           "/api/v1/kpis/{kpi_id}" in found
    assert any("-> 200: media type text/html not declared" in f for f in found)
    assert "POST /api/v1/plans -> 201: required header Location missing" in found
    assert "POST /api/v1/plans -> 201: body at /: 'status' is a required property" in found
    assert "GET /api/v1/nothing -> 404: body at /: 'type' is a required property" in found


def test_the_watch_passes_a_real_answer(app, client):
    assert client.get("/api/v1/kpis/sales.revenue?lang=vi").status_code == 200
    assert client.get("/api/v1/kpis?q=doanh").status_code == 200
    assert app.extensions["contract_watch"].mismatches == []


def test_the_non_blank_pattern_agrees_with_what_the_handlers_read_as_blank():
    """A name the document accepts is a name the handlers keep (schemathesis found \\u001e)."""
    import re

    from web.contract.plans import NON_BLANK

    disagree = [hex(ord(ch)) for ch in map(chr, range(0x10000))
                if (re.search(NON_BLANK, ch) is None) != (not ch.strip())]
    assert disagree == []
