"""Periods excluded as assignable causes in stored plans: the import column, the review page's
mark and unmark, the CLI's --exclude; limits and forecasts leave them out, charts show them."""

import io
import json

import pytest
from markupsafe import escape
from openpyxl import Workbook

from tests.test_api_review import assert_problem

STEADY = [31, 35, 29, 33, 30, 34, 28, 32, 31, 30, 33, 29,
          32, 34, 30, 31, 33, 29, 35, 30, 32, 31, 34, 30]
MONTHS = [f"{2023 + i // 12}-{i % 12 + 1:02d}" for i in range(len(STEADY))]
STRIKE = ("2024-05", "2024-06")  # a seven-week strike: next to nothing delivered
PLAN = {"org_name": "Công ty Bình Minh", "lang": "vi", "kpis": [
    {"name": "Khách hàng mới", "unit": "count", "frequency": "monthly", "target": 30}]}


def _csv(rows: list[tuple], header: str = "kpi,period,value,note,exclude") -> bytes:
    return ("\n".join([header] + [",".join(map(str, r)) for r in rows]) + "\n").encode()


def _strike_rows(mark: str = "yes") -> list[tuple]:
    return [("Khách hàng mới", m, 0 if m in STRIKE else v,
             "đình công" if m in STRIKE else "", mark if m in STRIKE else "")
            for m, v in zip(MONTHS, STEADY, strict=True)]


def _import(client, plan_id: int, content: bytes, name: str = "data.csv", lang: str = "en"):
    return client.post(f"/api/v1/plans/{plan_id}/measurements/import?lang={lang}",
                       data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def _new_plan(client) -> int:
    return client.post("/api/v1/plans", json=PLAN).get_json()["id"]


def _review(client, plan_id: int) -> dict:
    return client.get(f"/api/v1/plans/{plan_id}/review?lang=en").get_json()["kpis"][0]


def _limits(kpi: dict) -> tuple:
    return tuple(round(kpi["limits"][k], 6) for k in ("centre", "lower", "upper"))


def _token(client, plan_id: int) -> str:
    html = client.get(f"/plans/{plan_id}/review").get_data(as_text=True)
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_an_excluded_strike_leaves_the_limits_as_without_it(client):
    marked, without, unmarked = _new_plan(client), _new_plan(client), _new_plan(client)
    assert _import(client, marked, _csv(_strike_rows())).status_code == 200
    rest = [r for r in _strike_rows() if r[1] not in STRIKE]
    assert _import(client, without, _csv(rest)).status_code == 200
    assert _import(client, unmarked, _csv(_strike_rows(mark=""))).status_code == 200
    review, clean, raw = (_review(client, p) for p in (marked, without, unmarked))
    # A practitioner expects the strike to change nothing in the limits once it is excluded...
    assert _limits(review) == _limits(clean)
    assert review["limits"]["lower"] > 20
    assert not set(STRIKE) & set(review["baseline_periods"])
    # ...and, left in, to drag the lower limit down or show up as a signal.
    assert _limits(raw) != _limits(clean)
    points = {p["period"]: p for p in review["chart"]}
    assert all(points[m]["excluded"] and points[m]["note"] == "đình công" for m in STRIKE)
    assert review["attainment"]["periods_with_target"] == len(STEADY) - len(STRIKE)
    stored = client.get(f"/api/v1/plans/{marked}/measurements").get_json()["measurements"]
    assert sorted(m["period"] for m in stored if m["exclude"]) == list(STRIKE)


def test_an_xlsx_with_vietnamese_headers_marks_periods_too(client):
    plan_id = _new_plan(client)
    book = Workbook()
    sheet = book.active
    sheet.append(["chỉ số", "kỳ", "giá trị", "ghi chú", "loại trừ"])
    for kpi, month, value, note, mark in _strike_rows(mark="x"):
        sheet.append([kpi, month, value, note or None, mark or None])
    data = io.BytesIO()
    book.save(data)
    assert _import(client, plan_id, data.getvalue(), "số liệu.xlsx").status_code == 200
    points = {p["period"]: p["excluded"] for p in _review(client, plan_id)["chart"]}
    assert [m for m, out in points.items() if out] == list(STRIKE)


def test_a_file_without_the_column_keeps_the_marks_and_no_counts_again(client):
    plan_id = _new_plan(client)
    _import(client, plan_id, _csv(_strike_rows()))
    plain = [(k, m, v) for k, m, v, _note, _mark in _strike_rows()]
    assert _import(client, plan_id, _csv(plain, "kpi,period,value")).get_json() == {
        "inserted": 0, "replaced": 0, "unchanged": len(STEADY)}
    kept = _review(client, plan_id)["chart"]
    assert [p["note"] for p in kept if p["excluded"]] == ["đình công", "đình công"]
    back = [("Khách hàng mới", STRIKE[0], 0, "", "không")]
    assert _import(client, plan_id, _csv(back)).get_json()["replaced"] == 1
    again = {p["period"]: p["excluded"] for p in _review(client, plan_id)["chart"]}
    assert again[STRIKE[0]] is False and again[STRIKE[1]] is True
    history = client.get(f"/api/v1/plans/{plan_id}/measurements?history=true").get_json()
    first = [m for m in history["measurements"] if m["period"] == STRIKE[0]]
    assert [m["exclude"] for m in first] == [True, False] and first[0]["replaced_at"]


def test_a_bad_exclude_cell_is_reported_with_its_line_and_nothing_is_stored(client):
    plan_id = _new_plan(client)
    rows = _strike_rows()
    rows[3] = (*rows[3][:4], "maybe")
    body = assert_problem(_import(client, plan_id, _csv(rows), lang="vi"), 422)
    [problem] = body["errors"]
    assert (problem["line"], problem["column"]) == (5, "exclude")
    assert "'maybe'" in problem["message"] and "loại trừ" in problem["fix"]
    assert client.get(f"/api/v1/plans/{plan_id}/measurements").get_json()["measurements"] == []


def test_api_rows_take_exclude_and_keep_it_when_it_is_left_out(client):
    plan_id = _new_plan(client)
    rows = [{"kpi": "Khách hàng mới", "period": m, "value": v} for m, v in zip(MONTHS, STEADY,
                                                                               strict=True)]
    client.post(f"/api/v1/plans/{plan_id}/measurements", json={"measurements": rows})
    answer = client.post(f"/api/v1/plans/{plan_id}/measurements", json={"measurements": [
        {"kpi": "Khách hàng mới", "period": "2023-04", "value": 33, "exclude": True,
         "note": "hệ thống ngừng"}]})
    assert answer.get_json() == {"inserted": 0, "replaced": 1, "unchanged": 0}
    point = next(p for p in _review(client, plan_id)["chart"] if p["period"] == "2023-04")
    assert point["excluded"] and point["note"] == "hệ thống ngừng"


def test_the_review_page_marks_and_unmarks_a_period_with_history(client):
    plan_id = _new_plan(client)
    plain = [(k, m, v) for k, m, v, _n, _x in _strike_rows()]
    _import(client, plan_id, _csv(plain, "kpi,period,value"))
    kpi = client.get(f"/api/v1/plans/{plan_id}").get_json()["plan"]["kpis"][0]["plan_kpi_id"]
    before = _limits(_review(client, plan_id))
    token = _token(client, plan_id)
    for month in STRIKE:
        response = client.post(f"/plans/{plan_id}/review/exclusions?lang=en", data={
            "csrf_token": token, "plan_kpi_id": kpi, "period": month, "note": "đình công"})
        assert response.status_code == 303 and response.location.endswith(f"#kpi-{kpi}")
    review = _review(client, plan_id)
    assert _limits(review) != before and review["limits"]["lower"] > 20
    html = client.get(f"/plans/{plan_id}/review?lang=en").get_data(as_text=True)
    assert html.count('class="excluded-row"') == 2 and "excluded: đình công" in html
    assert html.count('<g class="excluded">') == 4  # on the wide and the compact chart
    assert "2024-05: excluded as an assignable cause — đình công" in html
    assert "Excluded (assignable cause)" in html
    client.post(f"/plans/{plan_id}/review/exclusions", data={
        "csrf_token": token, "plan_kpi_id": kpi, "include": STRIKE[1]})
    excluded = [p["period"] for p in _review(client, plan_id)["chart"] if p["excluded"]]
    assert excluded == [STRIKE[0]]
    history = client.get(f"/api/v1/plans/{plan_id}/measurements?history=true").get_json()
    june = [m for m in history["measurements"] if m["period"] == STRIKE[1]]
    assert [(m["exclude"], m["source"]) for m in june] == [
        (False, "import:data.csv"), (True, "review"), (False, "review")]


@pytest.mark.parametrize(("form", "field", "words"), [
    ({"period": "2031-01", "note": "đình công"}, "period",
     "'2031-01' is not a stored period of this KPI."),
    ({"period": "2024-05", "note": "  "}, "note", "the cause is missing."),
])
def test_the_page_refuses_a_period_not_stored_or_a_missing_cause(client, form, field, words):
    plan_id = _new_plan(client)
    _import(client, plan_id, _csv(_strike_rows(mark="")))
    kpi = client.get(f"/api/v1/plans/{plan_id}").get_json()["plan"]["kpis"][0]["plan_kpi_id"]
    response = client.post(f"/plans/{plan_id}/review/exclusions?lang=en",
                           data={"csrf_token": _token(client, plan_id), "plan_kpi_id": kpi,
                                 **form})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="exclusion-{kpi}-{field}-error">' + str(escape(words)) in html
    assert f'aria-describedby="exclusion-{kpi}-{field}-error"' in html
    if field == "period":
        assert 'value="đình công"' in html  # the cause typed is kept
    assert not any(p["excluded"] for p in _review(client, plan_id)["chart"])


def test_the_page_refuses_an_exclusion_without_its_csrf_token(client):
    plan_id = _new_plan(client)
    _import(client, plan_id, _csv(_strike_rows(mark="")))
    response = client.post(f"/plans/{plan_id}/review/exclusions",
                           data={"plan_kpi_id": 1, "period": "2024-05", "note": "x"})
    assert response.status_code == 400
    assert not any(p["excluded"] for p in _review(client, plan_id)["chart"])


def test_cli_review_leaves_out_excluded_periods(run_cli, tmp_path):
    path = tmp_path / "khach.csv"
    path.write_bytes(_csv([(m, v) for _k, m, v, _n, _x in _strike_rows()], "period,value"))
    clean = tmp_path / "clean.csv"
    clean.write_bytes(_csv([(m, v) for _k, m, v, _n, _x in _strike_rows() if m not in STRIKE],
                           "period,value"))
    code, out, err = run_cli("review", str(path), "--json", "--exclude", STRIKE[0],
                             "--exclude", f"khach:{STRIKE[1]}")
    assert code == 0, err
    _code, expected, _err = run_cli("review", str(clean), "--json")
    assert _limits(json.loads(out)["kpis"][0]) == _limits(json.loads(expected)["kpis"][0])
    code, _out, err = run_cli("review", str(path), "--exclude", "2031-01", "--lang", "en")
    assert code == 2 and "--exclude: '2031-01' is not a period of the history" in err
    code, _out, err = run_cli("review", str(path), "--exclude", "other:2024-05")
    assert code == 2 and "không có chỉ số other" in err and "Traceback" not in err
