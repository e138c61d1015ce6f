"""Bad SMART input through the shells: the check reports impossible values as error gaps in
context, stored plans refuse them with 422 naming the field and what is allowed."""

import copy
import datetime as dt
import json

import pytest

from tests.test_smart import BASE, CATALOG, NC
from tests.test_smart_defects import COVERAGE, OTIF, RATING
from tests.test_wizard import build, sid_of, stored, token


def plan_of(kpi: dict, **changes) -> dict:
    plan = copy.deepcopy(BASE)
    plan["kpis"][0] = kpi
    return {**plan, **changes}


def problems(response) -> dict[str, str]:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return {e["field"]: e["message"] for e in response.get_json()["errors"]}


@pytest.mark.parametrize("path", ["/api/v1/smart-check", "/api/v1/plans"])
@pytest.mark.parametrize(("ends", "missing", "given"), [
    ({"target_low": 2.5}, "target_high", "target_low"),
    ({"target_high": 4.0}, "target_low", "target_high"),
])
def test_a_range_with_one_end_is_refused_naming_the_missing_end(client, path, ends, missing,
                                                                given):
    kpi = {**COVERAGE, "target_low": None, "target_high": None, **ends}
    found = problems(client.post(path, json=plan_of(kpi)))
    message = found[f"kpis.0.{missing}"]
    assert missing in message and given in message and "both ends" in message


def test_smart_check_answers_an_impossible_target_with_an_error_gap(client):
    response = client.post("/api/v1/smart-check", json=plan_of({**RATING, "target": 6}))
    assert response.status_code == 200
    body = response.get_json()
    gap = next(g for g in body["kpis"][0]["gaps"] if g["code"] == "A.out_of_range")
    assert gap["severity"] == "error" and "1 to 5" in gap["message"]
    assert body["ready"] is False


@pytest.mark.parametrize(("kpi", "field", "allowed"), [
    ({**RATING, "target": 6.0}, "kpis.0.target", "allowed: from 1 to 5"),
    ({**RATING, "baseline": 0}, "kpis.0.baseline", "allowed: from 1 to 5"),
    ({**NC, "kpi_id": "branding.employee_net_promoter_score", "target": 150},
     "kpis.0.target", "allowed: from -100 to 100"),
    ({**OTIF, "milestones": [{"date": "2026-06-30", "target": 120}]},
     "kpis.0.milestones.0.target", "allowed: from 0 to 100"),
    ({**COVERAGE, "target_low": -1}, "kpis.0.target_low", "allowed: 0 or more"),
    ({**COVERAGE, "target_low": 4.0, "target_high": 2.5}, "kpis.0.target_low",
     "must not be above its high end"),
])
def test_a_stored_plan_refuses_impossible_values(client, kpi, field, allowed):
    found = problems(client.post("/api/v1/plans", json=plan_of(kpi)))
    assert allowed in found[field], found
    assert client.get("/api/v1/plans").get_json()["plans"] == []


def test_a_stored_plan_keeps_stage_and_milestones(client):
    response = client.post("/api/v1/plans", json=plan_of(OTIF, stage="mature"))
    assert response.status_code == 201
    plan = client.get(response.headers["Location"]).get_json()["plan"]
    assert plan["stage"] == "mature"
    assert plan["kpis"][0]["milestones"] == [{"date": "2026-06-30", "target": 94.0}]


@pytest.mark.parametrize(("lang", "message"), [
    ("vi", "Chỉ số này chỉ nhận giá trị từ 0 đến 100; 120 nằm ngoài khoảng đó."),
    ("en", "This KPI can only be from 0 to 100; 120 is outside that."),
])
def test_the_wizard_plan_form_refuses_a_target_outside_the_range(client, app, lang, message):
    sid = sid_of(build(client, lang=lang))
    plan = stored(app, sid)[1].plan
    index = next(i for i, k in enumerate(plan.kpis)
                 if CATALOG.by_id[k.kpi_id].bounds() == (0.0, 100.0))
    row = stored(app, sid)[1].kpi_ids[index]
    response = client.post(f"/wizard/s/{sid}/plan", data={
        "csrf_token": token(client), f"kpi-{row}-target": "120", f"kpi-{row}-owner": "Lan"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="kpi-{row}-target-error"' in html and message in html
    assert 'value="120"' in html and 'value="Lan"' in html  # what was typed is kept
    assert stored(app, sid)[1].plan.kpis[index].target is None


def test_the_wizard_plan_form_takes_checkpoints(client, app):
    sid = sid_of(build(client, lang="vi"))
    url = f"/wizard/s/{sid}/plan"
    plan = stored(app, sid)[1].plan
    index = next(i for i, k in enumerate(plan.kpis) if k.frequency in ("weekly", "monthly"))
    row = stored(app, sid)[1].kpi_ids[index]
    deadline = (dt.date.today() + dt.timedelta(days=300)).strftime("%d/%m/%Y")
    typed = {"csrf_token": token(client), f"kpi-{row}-baseline": "50",
             f"kpi-{row}-target": "60", f"kpi-{row}-deadline": deadline,
             f"kpi-{row}-frequency": plan.kpis[index].frequency}
    html = client.get(url).get_data(as_text=True)
    assert "Đặt các mốc kiểm tra" not in html  # no deadline yet: nothing to break down
    client.post(url, data=typed)
    html = client.get(url).get_data(as_text=True)
    assert "Đặt các mốc kiểm tra" in html and f'id="kpi-{row}-milestones"' in html
    bad = client.post(url, data={**typed, f"kpi-{row}-milestones": "giữa năm: 55"})
    assert bad.status_code == 422 and 'value="60"' in bad.get_data(as_text=True)
    assert "giữa năm: 55" in bad.get_data(as_text=True)
    later = (dt.date.today() + dt.timedelta(days=150)).strftime("%d/%m/%Y")
    negative = client.post(url, data={**typed, f"kpi-{row}-milestones": f"{later}: -5"})
    assert negative.status_code == 422
    assert f'id="kpi-{row}-milestones-error"' in negative.get_data(as_text=True)
    saved = client.post(url, data={**typed, f"kpi-{row}-milestones": f"{later}: 55"})
    assert saved.status_code == 303
    kpi = stored(app, sid)[1].plan.kpis[index]
    assert [(m.date.strftime("%d/%m/%Y"), m.target) for m in kpi.milestones] == [(later, 55)]
    html = client.get(url).get_data(as_text=True)
    assert f"{later}: 55" in html
    section = html.split(f'id="kpi-{row}"')[1].split('class="plan-kpi"')[0]
    assert "Đặt các mốc kiểm tra" not in section


def test_the_cli_refuses_a_range_with_one_end_with_exit_2(run_cli, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_of({**COVERAGE, "target_high": None})), encoding="utf-8")
    code, out, err = run_cli("check", str(path))
    assert code == 2 and out == ""
    assert "kpis.0.target_high" in err and "both ends" in err


def test_the_cli_shows_an_impossible_target_as_an_error_gap(run_cli, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_of({**RATING, "target": 6})), encoding="utf-8")
    code, out, _ = run_cli("check", str(path), "--lang", "vi")
    assert code == 0 and "A.out_of_range" in out and "thang của chỉ số là 1 đến 5" in out
    assert out.strip().endswith("CHƯA SẴN SÀNG")
