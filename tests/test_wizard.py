"""The wizard through Flask's test client: every page, its errors, ownership and the exports."""

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from advisor.plans import get_plan, get_session
from advisor.store import open_db
from catalog.vocab import INDUSTRIES
from tests.conftest import app_account, sign_in

ANSWERS = {
    "org_name": {"org_name": "Công ty Bình Minh"},
    "goals": {"rank-increase_revenue": "1", "rank-build_brand_awareness": "2"},
    "departments": {"departments": ["sales", "marketing"]},
    "industry": {"industry": "professional_services"},
    "revenue_model": {"revenue_model": "project"},
    "business_model": {"business_model": "b2b"},
    "stage": {"stage": "growth"},
    "size": {"size": "small"},
    "sales_motion": {"sales_motion": "inside"},
    "channels": {"channels": ["email", "website", "paid_ads"]},
    "email_list_size": {"email_list_size": "5.000"},
    "monthly_ad_budget": {"monthly_ad_budget": "20.000.000"},
    "data_sources": {"data_sources": ["crm", "web_analytics"]},
    "max_kpis_per_department": {"max_kpis_per_department": "4"},
    "keep": {},
}


def token(client) -> str:
    """Return the CSRF token of the client's session (read from a real form)."""
    html = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def start(client, lang: str = "vi") -> str:
    """Start an interview; return the first question's URL."""
    client.get(f"/?lang={lang}")
    response = client.post("/wizard/start", data={"csrf_token": token(client)})
    assert response.status_code == 303
    return response.location


def sid_of(url: str) -> str:
    return url.split("/s/")[1].split("/")[0]


def qid_of(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?")[0]


def answer(client, url: str, data: dict):
    """Post one answer with the CSRF token."""
    return client.post(url, data={"csrf_token": token(client), **data})


def walk(client, answers: dict = ANSWERS, lang: str = "vi") -> str:
    """Answer every question the route asks; return the check page's URL."""
    url = start(client, lang)
    seen = []
    while "/q/" in url:
        qid = qid_of(url)
        seen.append(qid)
        assert client.get(url).status_code == 200
        response = answer(client, url, answers[qid])
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        url = response.location
    assert url.endswith("/check")
    return url


def build(client, answers: dict = ANSWERS, lang: str = "vi") -> str:
    """Walk the interview and confirm it; return the results page's URL."""
    check = walk(client, answers, lang)
    response = client.post(check, data={"csrf_token": token(client)})
    assert response.status_code == 303
    return response.location


def stored(app, sid: str):
    db = open_db(app.config["DATABASE"])
    try:
        record = get_session(db, sid)
        plan = get_plan(db, record.plan_id) if record.plan_id else None
        return record, plan
    finally:
        db.close()


def test_home_starts_an_interview_and_lists_it(client):
    assert "Trình duyệt này chưa có buổi phỏng vấn nào" in client.get("/?lang=vi").get_data(
        as_text=True)
    url = start(client)
    assert qid_of(url) == "org_name"
    answer(client, url, ANSWERS["org_name"])
    home = client.get("/").get_data(as_text=True)
    assert "Công ty Bình Minh" in home and "Đã trả lời 1/11 câu" in home
    assert "/wizard/resume/" + sid_of(url) + "/" in home


@pytest.mark.parametrize(("qid", "fragments"), [
    ("org_name", ['<label for="org_name">', 'aria-describedby="org_name-hint"',
                  'autocomplete="organization"']),
    ("goals", ["<fieldset", "<legend", '<label class="rank-label" for="rank-increase_revenue">',
               "Ưu tiên 1"]),
    ("departments", ['type="checkbox"', 'for="departments-sales"', "Chọn tất cả các mục"]),
])
def test_question_pages_label_every_input(client, qid, fragments):
    url = start(client)
    for before in ("org_name", "goals", "departments"):
        if before == qid:
            break
        url = answer(client, url, ANSWERS[before]).location
    html = client.get(url).get_data(as_text=True)
    for fragment in fragments:
        assert fragment in html
    assert 'name="csrf_token"' in html and 'class="back-link"' in html


@pytest.mark.parametrize(("qid", "data", "message", "kept"), [
    ("org_name", {"org_name": "   "}, "Hãy nhập câu trả lời.", None),
    ("org_name", {"org_name": "x" * 121}, "tối đa 120 ký tự", "x" * 121),
    ("goals", {}, "Hãy chọn ít nhất 1 mục.", None),
    ("goals", {f"rank-{g}": str(i + 1) for i, g in enumerate(
        ["increase_revenue", "acquire_customers", "retain_customers", "improve_conversion",
         "improve_profitability"])} | {"rank-launch_product": "5"},
     "cùng số ưu tiên", 'value="5" selected'),
    ("departments", {"departments": ["nonsense"]}, "Hãy chọn ít nhất 1 mục.", None),
    ("business_model", {}, "Hãy chọn một phương án.", None),
    ("industry", {"industry": "bakery"}, "Hãy chọn một phương án.", None),
    ("revenue_model", {}, "Hãy chọn một phương án.", None),
    ("email_list_size", {"email_list_size": "nhiều lắm"}, "Hãy nhập con số", "nhiều lắm"),
    ("email_list_size", {"email_list_size": "12,5"}, "số nguyên", "12,5"),
    ("max_kpis_per_department", {"max_kpis_per_department": "20"}, "từ 1 đến 12", 'value="20"'),
    ("max_kpis_per_department", {"max_kpis_per_department": ""}, "Hãy nhập một con số.", None),
])
def test_invalid_answers_are_shown_next_to_the_field_and_kept(client, qid, data, message, kept):
    url = start(client)
    while qid_of(url) != qid:
        url = answer(client, url, ANSWERS[qid_of(url)]).location
    response = answer(client, url, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary" role="alert"' in html
    assert f'id="{qid}-error"' in html and message in html
    assert f"{qid}-hint {qid}-error" in html
    if kept:
        assert kept in html
    record, _plan = stored(client.application, sid_of(url))
    assert qid not in record.answers


@pytest.mark.parametrize(("lang", "texts"), [
    ("vi", ["Khách hàng hoạt động trong ngành nào?", "Dịch vụ chuyên môn",
            "Doanh thu chủ yếu đến theo cách nào?", "Theo dự án (báo giá từng thương vụ)",
            "Mỗi thương vụ được báo giá"]),
    ("en", ["Which industry is the client in?", "Professional services",
            "How does most of the revenue come in?", "Project (quoted deals)",
            "Each deal is quoted"]),
])
def test_industry_then_revenue_model_each_on_its_page_and_on_the_check_page(client, lang, texts):
    url = start(client, lang)
    for _ in range(3):
        url = answer(client, url, ANSWERS[qid_of(url)]).location
    assert qid_of(url) == "industry"
    page = client.get(url).get_data(as_text=True)
    assert texts[0] in page and page.count('name="industry"') == len(INDUSTRIES)
    assert 'aria-describedby="industry-retail-def"' in page  # each option says what it covers
    url = answer(client, url, ANSWERS["industry"]).location
    assert qid_of(url) == "revenue_model"
    page = client.get(url).get_data(as_text=True)
    assert texts[2] in page and texts[4] in page and page.count('name="revenue_model"') == 4
    html = client.get(walk(client, lang=lang)).get_data(as_text=True)
    for text in (texts[0], texts[1], texts[2], texts[3]):
        assert text in html, text
    assert "/q/industry?return=check" in html and "/q/revenue_model?return=check" in html


def test_a_non_profit_skips_the_revenue_model_and_a_change_drops_it(client, app):
    check = walk(client, {**ANSWERS, "industry": {"industry": "nonprofit"}})
    record, _plan = stored(app, sid_of(check))
    assert record.answers["industry"] == "nonprofit" and "revenue_model" not in record.answers
    assert "/q/revenue_model" not in client.get(check).get_data(as_text=True)
    sid = sid_of(check)
    url = f"/wizard/s/{sid}/q/industry?return=check"
    response = answer(client, url, {"industry": "education", "return": "check"})
    assert qid_of(response.location) == "revenue_model"
    response = answer(client, response.location, {"revenue_model": "repeat", "return": "check"})
    assert response.location.endswith("/check")
    response = answer(client, url, {"industry": "nonprofit", "return": "check"})
    assert response.location.endswith("/check")
    html = client.get(response.location).get_data(as_text=True)
    assert "không còn phù hợp" in html and "Doanh thu chủ yếu đến theo cách nào?" in html
    record, _plan = stored(app, sid)
    assert "revenue_model" not in record.answers


def test_numbers_accept_grouped_thousands(client):
    check = walk(client)
    record, _plan = stored(client.application, sid_of(check))
    assert record.answers["email_list_size"] == 5000
    assert record.answers["monthly_ad_budget"] == 20_000_000
    assert record.answers["goals"] == ["increase_revenue", "build_brand_awareness"]


def test_back_links_follow_the_route_and_keep_answers(client):
    url = start(client)
    for _ in range(3):
        url = answer(client, url, ANSWERS[qid_of(url)]).location
    html = client.get(url).get_data(as_text=True)
    assert qid_of(url) == "industry"
    assert f'href="/wizard/s/{sid_of(url)}/q/departments"' in html
    previous = client.get(f"/wizard/s/{sid_of(url)}/q/departments").get_data(as_text=True)
    assert 'value="sales" checked' in previous and 'value="marketing" checked' in previous
    goals = client.get(f"/wizard/s/{sid_of(url)}/q/goals").get_data(as_text=True)
    assert re.search(r'id="rank-build_brand_awareness".*?value="2" selected', goals, re.S)


def test_progress_never_runs_backwards(client):
    check = walk(client)
    sid = sid_of(check)
    html = client.get(f"/wizard/s/{sid}/q/org_name").get_data(as_text=True)
    steps = re.findall(r'class="step step-(\w+)( step-here)?"', html)
    assert steps[0] == ("done", " step-here")
    assert all(state in ("done", "current") for state, _here in steps)


def test_changing_an_answer_drops_only_what_no_longer_applies(client):
    check = walk(client)
    sid = sid_of(check)
    change = f"/wizard/s/{sid}/q/departments?return=check"
    assert "Thay đổi" in client.get(check).get_data(as_text=True)
    response = answer(client, change, {"departments": ["branding"], "return": "check"})
    assert response.location.endswith("/check")
    page = client.get(response.location).get_data(as_text=True)
    assert "không còn phù hợp" in page
    assert "Đội kinh doanh bán hàng chủ yếu theo cách nào?" in page.split("<h1>")[0]
    record, _plan = stored(client.application, sid)
    assert record.answers["departments"] == ["branding"]
    for gone in ("sales_motion", "channels", "email_list_size", "monthly_ad_budget"):
        assert gone not in record.answers
    assert record.answers["stage"] == "growth" and record.answers["size"] == "small"


def test_adding_a_department_asks_its_questions_then_returns_to_check(client):
    answers = {**ANSWERS, "departments": {"departments": ["branding"]}}
    check = walk(client, answers)
    sid = sid_of(check)
    response = answer(client, f"/wizard/s/{sid}/q/departments",
                      {"departments": ["branding", "marketing"], "return": "check"})
    assert qid_of(response.location) == "channels" and "return=check" in response.location
    response = answer(client, response.location, {"channels": ["seo"], "return": "check"})
    assert response.location.endswith("/check")


def test_check_page_lists_answers_in_priority_order(client):
    html = client.get(walk(client)).get_data(as_text=True)
    assert "<ol>" in html
    assert html.index("Tăng doanh thu") < html.index("Xây dựng nhận biết thương hiệu")
    assert "20.000.000" in html and "Kiểm tra lại câu trả lời" in html
    assert html.count("?return=check") == 15


def test_results_show_each_kpi_with_its_reasons_and_the_balance(client, app):
    results = build(client)
    html = client.get(results).get_data(as_text=True)
    _record, plan = stored(app, sid_of(results))
    assert len(plan.plan.kpis) == 8
    for heading in ("Định nghĩa", "Công thức", "Vì sao chọn", "Người phụ trách gợi ý",
                    "Tần suất đo", "Nguồn dữ liệu", "KPI đối trọng", "Cạm bẫy thường gặp",
                    "Độ cân bằng", "Chỉ số dẫn dắt"):
        assert heading in html
    assert html.count('class="kpi-card"') == 8 and "<svg" in html


def test_a_ten_person_shop_that_keeps_the_suggested_number_gets_the_small_size(client, app):
    shop = {**ANSWERS, "size": {"size": "small"}}
    url = start(client)
    while qid_of(url) != "max_kpis_per_department":
        url = answer(client, url, shop[qid_of(url)]).location
    html = client.get(url).get_data(as_text=True)
    # The person leaves the field as it is: the browser sends the value the page shows.
    shown = re.search(r'id="max_kpis_per_department" name="max_kpis_per_department"\s+'
                      r'value="([^"]*)"', html).group(1)
    assert shown == "3"
    url = answer(client, url, {"max_kpis_per_department": shown}).location
    url = answer(client, url, shop[qid_of(url)]).location
    response = client.post(url, data={"csrf_token": token(client)})
    _record, plan = stored(app, sid_of(response.location))
    per_department = {d: sum(1 for k in plan.plan.kpis if k.department == d)
                      for d in ("sales", "marketing")}
    assert per_department == {"sales": 3, "marketing": 3}


def _balance(html: str, name: str) -> int:
    return int(re.search(rf'<th scope="row">{name}</th><td>.*?</td><td class="num">(\d+)',
                         html, re.S).group(1))


def test_swap_remove_and_add_update_the_set_balance_and_warnings(client, app):
    results = build(client)
    sid = sid_of(results)
    _record, plan = stored(app, sid)
    first = plan.plan.kpis[0].kpi_id
    swap_page = client.get(f"/wizard/s/{sid}/swap/{first}").get_data(as_text=True)
    alternative = re.search(r'name="kpi_id" value="([^"]+)"', swap_page).group(1)
    response = client.post(f"/wizard/s/{sid}/swap/{first}",
                           data={"csrf_token": token(client), "kpi_id": alternative})
    assert response.status_code == 303
    _record, plan = stored(app, sid)
    assert plan.plan.kpis[0].kpi_id == alternative and first not in [
        k.kpi_id for k in plan.plan.kpis]
    assert "Đã thay" in client.get(results).get_data(as_text=True)

    sales = [k.kpi_id for k in plan.plan.kpis if k.department == "sales"]
    before = client.get(results).get_data(as_text=True)
    for kpi_id in sales:
        client.post(f"/wizard/s/{sid}/remove/{kpi_id}", data={"csrf_token": token(client)})
    after = client.get(results).get_data(as_text=True)
    assert _balance(after, "Tài chính") < _balance(before, "Tài chính") or \
        _balance(after, "Phi tài chính") < _balance(before, "Phi tài chính")
    assert "Bộ phận Kinh doanh chưa có KPI nào" in after

    response = client.post(f"/wizard/s/{sid}/add",
                           data={"csrf_token": token(client), "kpi_id": alternative})
    assert response.status_code == 303
    html = client.get(results).get_data(as_text=True)
    assert "Đã thêm" in html and "Do chuyên gia tư vấn thêm vào bộ KPI" in html
    assert "Bộ phận Kinh doanh chưa có KPI nào" not in html


def test_catalog_search_works_without_javascript(client):
    sid = sid_of(build(client))
    html = client.get(f"/wizard/s/{sid}/add?q=ty+le+thang&department=sales").get_data(
        as_text=True)
    assert "Kết quả cho “ty le thang”" in html and 'value="sales.win_rate"' not in html
    html = client.get(f"/wizard/s/{sid}/add?q=churn").get_data(as_text=True)
    assert 'name="kpi_id"' in html


def test_adding_a_kpi_twice_or_from_outside_the_scope_changes_nothing(client, app):
    sid = sid_of(build(client))
    _record, plan = stored(app, sid)
    for kpi_id in (plan.plan.kpis[0].kpi_id, "branding.brand_awareness", "nope"):
        client.post(f"/wizard/s/{sid}/add", data={"csrf_token": token(client),
                                                   "kpi_id": kpi_id})
        assert "Không thay đổi được bộ KPI" in client.get(
            f"/wizard/s/{sid}/results").get_data(as_text=True)
    _record, after = stored(app, sid)
    assert after.plan.kpis == plan.plan.kpis


def plan_form(record, fields: dict | None = None) -> dict:
    """Return a plan form for the stored plan: its version, its KPI rows and `fields`."""
    return {"version": str(record.version), "kpi": [str(i) for i in record.kpi_ids],
            **(fields or {})}


def _fill(record, owner: str = "Lan") -> dict:
    """Return plan form fields that satisfy the SMART check."""
    from catalog.loader import builtin_catalog
    catalog, today, data = builtin_catalog(), dt.date.today(), {}
    for row, kpi in zip(record.kpi_ids, record.plan.kpis, strict=True):
        direction = catalog.by_id[kpi.kpi_id].direction
        name = catalog.by_id[kpi.kpi_id].name.vi.lower()
        k = f"kpi-{row}-"
        data |= {k + "statement": f"Đưa {name} từ 50 tới mục tiêu trong 6 tháng",
                 k + "owner": owner, k + "report_to": "Ban giám đốc",
                 k + "baseline": "50", k + "baseline_date": today.isoformat(),
                 k + "target": "45" if direction == "lower_is_better" else "55",
                 k + "deadline": (today + dt.timedelta(days=180)).isoformat(),
                 k + "frequency": kpi.frequency, k + "data_source": kpi.data_source,
                 k + "commitment": "committed"}
    return plan_form(record, data)


def test_plan_page_shows_a_checklist_and_a_summary_and_becomes_ready(client, app):
    sid = sid_of(build(client))
    url = f"/wizard/s/{sid}/plan"
    _record, plan = stored(app, sid)
    first = plan.kpi_ids[0]
    html = client.get(url).get_data(as_text=True)
    # Nothing typed yet: what is missing is listed, not shouted.
    assert "is-checked" not in html and 'role="alert"' not in html
    assert f'data-fields="kpi-{first}-owner"' in html and "chưa điền" in html
    assert f'<a class="blocker blocker-todo" href="#kpi-{first}-owner">Người phụ trách</a>' in html
    assert f'id="kpi-{first}-goals"' in html and f'href="#kpi-{first}"' in html
    refused = client.post(f"/wizard/s/{sid}/status",
                          data={"csrf_token": token(client), "status": "ready"})
    assert "checked=1" in refused.location and refused.location.endswith("#ready-summary")
    html = client.get(refused.location).get_data(as_text=True)
    assert "Chưa thể đánh dấu sẵn sàng" in html and 'class="ready-summary is-checked"' in html
    response = client.post(url, data={"csrf_token": token(client), **_fill(plan)})
    assert response.status_code == 303
    html = client.get(response.location).get_data(as_text=True)
    assert "Không còn việc nào ngăn kế hoạch sẵn sàng" in html
    assert stored(app, sid)[1].version == plan.version + 1
    client.post(f"/wizard/s/{sid}/status", data={"csrf_token": token(client),
                                                 "status": "ready"})
    assert stored(app, sid)[1].status == "ready"


def test_an_unreadable_field_is_reported_and_every_valid_field_is_saved(client, app):
    sid = sid_of(build(client))
    url = f"/wizard/s/{sid}/plan"
    _record, plan = stored(app, sid)
    first, second = plan.kpi_ids[:2]
    response = client.post(url, data={"csrf_token": token(client), **plan_form(plan, {
        f"kpi-{first}-owner": "Lan", f"kpi-{first}-target": "30 tỷ",
        f"kpi-{first}-baseline": "1.250", f"kpi-{second}-deadline": "31/02/2025",
        f"kpi-{second}-owner": "Bình"})})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'href="#kpi-{first}-target"' in html and f'id="kpi-{first}-target-error"' in html
    assert 'value="30 tỷ"' in html and 'value="31/02/2025"' in html
    saved = stored(app, sid)[1]
    assert saved.plan.kpis[0].owner == "Lan" and saved.plan.kpis[0].baseline == 1250
    assert saved.plan.kpis[1].owner == "Bình" and saved.plan.kpis[0].target is None
    # The target holds text that could not be read: it is not called empty.
    target_item = re.search(rf'<li class="check-item check-(\w+)" data-fields="kpi-{first}-target">'
                            r'.*?</li>', html, re.S)
    assert target_item.group(1) == "invalid" and "chưa đọc được" in target_item.group(0)
    assert "Đã lưu mọi ô hợp lệ" in html


def test_fields_are_keyed_by_kpi_so_a_removal_elsewhere_misassigns_nothing(client, app):
    sid = sid_of(build(client))
    url = f"/wizard/s/{sid}/plan"
    _record, plan = stored(app, sid)
    owners = {row: f"Người {n}" for n, row in enumerate(plan.kpi_ids)}
    form = plan_form(plan, {f"kpi-{row}-owner": name for row, name in owners.items()})
    gone = plan.plan.kpis[0].kpi_id
    client.post(f"/wizard/s/{sid}/remove/{gone}", data={"csrf_token": token(client)})
    response = client.post(url, data={"csrf_token": token(client), **form})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "bị bỏ khỏi kế hoạch" in html and "Người 0" in html
    for row in plan.kpi_ids[1:]:
        assert f'value="{owners[row]}"' in html
    after = stored(app, sid)[1]
    assert all(k.owner is None for k in after.plan.kpis)
    form = plan_form(after, {f"kpi-{row}-owner": owners[row] for row in after.kpi_ids})
    assert client.post(url, data={"csrf_token": token(client), **form}).status_code == 303
    saved = stored(app, sid)[1]
    by_id = {k.kpi_id: k.owner for k in saved.plan.kpis}
    expected = {k.kpi_id: owners[row] for row, k in zip(plan.kpi_ids, plan.plan.kpis,
                                                         strict=True) if k.kpi_id != gone}
    assert by_id == expected


def test_a_form_from_an_older_version_shows_what_changed_and_keeps_what_was_typed(client, app):
    sid = sid_of(build(client))
    url = f"/wizard/s/{sid}/plan"
    _record, plan = stored(app, sid)
    first, second = plan.kpi_ids[:2]
    empty = {f"kpi-{first}-owner": "", f"kpi-{second}-owner": "", f"kpi-{second}-target": ""}
    tab_a = plan_form(plan, {**empty, f"kpi-{first}-owner": "Chị An"})
    tab_b = plan_form(plan, {**empty, f"kpi-{second}-owner": "Anh Bảo",
                             f"kpi-{second}-target": "70"})
    assert client.post(url, data={"csrf_token": token(client), **tab_a}).status_code == 303
    response = client.post(url, data={"csrf_token": token(client), **tab_b})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Kế hoạch đã được lưu ở nơi khác" in html
    assert "Người phụ trách: (để trống) → Chị An" in html
    # B left the first owner as it was, so the page shows A's value; B's own values stay.
    assert re.search(rf'id="kpi-{first}-owner" name="kpi-{first}-owner" value="Chị An"', html)
    assert 'value="Anh Bảo"' in html and 'value="70"' in html
    assert stored(app, sid)[1].plan.kpis[1].owner is None
    tab_c = plan_form(plan, {**empty, f"kpi-{first}-owner": "Chị Cúc"})
    html = client.post(url, data={"csrf_token": token(client), **tab_c}).get_data(as_text=True)
    assert 'value="Chị Cúc"' in html and "Đã được đổi ở nơi khác thành: Chị An" in html


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_exports_keep_vietnamese_and_neutralise_formulas(client, app, lang):
    sid = sid_of(build(client, lang=lang))
    _record, plan = stored(app, sid)
    client.post(f"/wizard/s/{sid}/plan", data={"csrf_token": token(client),
                                               **_fill(plan, "=HYPERLINK(\"x\")")})
    response = client.get(f"/wizard/s/{sid}/plan.csv?lang={lang}")
    assert response.headers["Content-Disposition"].endswith('kpi-plan-cong-ty-binh-minh.csv"')
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][0] == ("Bộ phận" if lang == "vi" else "Department")
    assert rows[1][6] == "'=HYPERLINK(\"x\")" and rows[1][7] == "Ban giám đốc"
    assert len(rows) == 1 + len(plan.plan.kpis)
    book = load_workbook(io.BytesIO(client.get(f"/wizard/s/{sid}/plan.xlsx").data))
    sheet = book.worksheets[0]
    values = list(sheet.values)
    assert values[0][0].startswith("Kế hoạch KPI — Công ty Bình Minh" if lang == "vi"
                                   else "KPI plan — Công ty Bình Minh")
    assert values[3][0] == ("Kinh doanh" if lang == "vi" else "Sales")
    # Typed as text in XLSX, so it is kept as typed and never runs.
    assert values[3][6] == "=HYPERLINK(\"x\")" and sheet["G4"].data_type == "s"
    assert len(values) == 3 + len(plan.plan.kpis)


def test_report_is_one_printable_page(client):
    sid = sid_of(build(client))
    html = client.get(f"/wizard/s/{sid}/report").get_data(as_text=True)
    assert "Kế hoạch KPI — Công ty Bình Minh" in html and 'class="report-table"' in html
    assert "wizard.css" in html


def test_a_session_is_private_to_its_workspace_and_its_resume_link_to_members(app, client):
    check = walk(client)
    sid = sid_of(check)
    home = client.get("/").get_data(as_text=True)
    link = re.search(r'value="(http://[^"]+/wizard/resume/[^"]+)"', home).group(1)
    resume = link.replace("http://localhost", "")
    paths = (check, f"/wizard/s/{sid}/q/goals", f"/wizard/s/{sid}",
             f"/wizard/resume/{sid}/wrong-key", "/wizard/s/nope/check", resume)
    signed_out = app.test_client()
    for path in paths:
        response = signed_out.get(path)
        assert response.status_code == 302 and "/login?next=" in response.location, path
    outsider = sign_in(app.test_client(), app_account(app, "outsider@example.com", "owner",
                                                      "elsewhere"))
    for path in paths:
        assert outsider.get(path).status_code == 404, path
    assert "Không tìm thấy phiên phỏng vấn" in outsider.get(check).get_data(as_text=True)
    assert "Công ty Bình Minh" not in outsider.get("/").get_data(as_text=True)
    colleague = sign_in(app.test_client(), app_account(app, "colleague@example.com", "editor"))
    assert colleague.get(f"/wizard/resume/{sid}/wrong-key").status_code == 404
    response = colleague.get(resume)
    assert response.status_code == 302 and response.location.endswith("/check")
    assert colleague.get(check).status_code == 200
    assert "Công ty Bình Minh" in colleague.get("/").get_data(as_text=True)


def test_forms_without_the_csrf_token_are_refused(client):
    url = start(client)
    response = client.post(url, data={"org_name": "X"})
    # A Vietnamese page says it in Vietnamese only (it used to carry the English text too).
    assert response.status_code == 400 and "Mã bảo mật" in response.get_data(as_text=True)
    assert "security token" not in response.get_data(as_text=True)
    assert client.post("/wizard/start").status_code == 400


def test_user_text_is_escaped_everywhere(client):
    url = start(client)
    answer(client, url, {"org_name": "<script>alert(1)</script>"})
    for page in ("/", f"/wizard/s/{sid_of(url)}/q/org_name"):
        html = client.get(page).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_english_pages_and_catalog_content_follow_the_language(client):
    url = start(client, "en")
    assert "What is the client organisation called?" in client.get(url).get_data(as_text=True)
    results = build(client, lang="en")
    html = client.get(results + "?lang=en").get_data(as_text=True)
    assert "Why it is here" in html and "Win rate" in html
    html = client.get(results + "?lang=vi").get_data(as_text=True)
    assert "Tỷ lệ thắng" in html


def test_large_requests_are_refused(client, app):
    url = start(client)
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.post(url, data={"csrf_token": token(client), "org_name": "x" * size})
    assert response.status_code == 413


def test_rebuilding_after_a_change_keeps_details_of_kpis_that_stay(client, app):
    results = build(client)
    sid = sid_of(results)
    _record, plan = stored(app, sid)
    client.post(f"/wizard/s/{sid}/plan", data={"csrf_token": token(client),
                                               **_fill(plan)})
    answer(client, f"/wizard/s/{sid}/q/max_kpis_per_department",
           {"max_kpis_per_department": "5", "return": "check"})
    check = client.get(f"/wizard/s/{sid}/check").get_data(as_text=True)
    assert "Dựng lại bộ KPI" in check and "Bạn đã đổi câu trả lời" in check
    client.post(f"/wizard/s/{sid}/check", data={"csrf_token": token(client)})
    _record, rebuilt = stored(app, sid)
    assert len(rebuilt.plan.kpis) > len(plan.plan.kpis)
    kept = [k for k in rebuilt.plan.kpis if k.kpi_id == plan.plan.kpis[0].kpi_id]
    assert kept and kept[0].owner == "Lan"


def test_kept_kpis_outside_the_departments_are_flagged_on_the_check_page(client, app):
    check = walk(client, {**ANSWERS, "keep": {"keep": ["sales.win_rate"]}})
    sid = sid_of(check)
    answer(client, f"/wizard/s/{sid}/q/departments", {"departments": ["marketing"],
                                                       "return": "check"})
    response = client.post(check, data={"csrf_token": token(client)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'href="#change-keep"' in html
    assert "thuộc bộ phận không còn trong phạm vi" in html
    assert stored(app, sid)[0].plan_id is None


def test_giving_a_goal_a_taken_priority_swaps_or_inserts_instead_of_dropping(client, app):
    sid = sid_of(walk(client))
    url = f"/wizard/s/{sid}/q/goals?return=check"
    swapped = {"rank-increase_revenue": "1", "rank-build_brand_awareness": "1",
               "return": "check"}
    assert answer(client, url, swapped).status_code == 303
    assert stored(app, sid)[0].answers["goals"] == ["build_brand_awareness", "increase_revenue"]
    inserted = {"rank-build_brand_awareness": "1", "rank-increase_revenue": "2",
                "rank-acquire_customers": "1", "return": "check"}
    assert answer(client, url, inserted).status_code == 303
    assert stored(app, sid)[0].answers["goals"] == [
        "acquire_customers", "build_brand_awareness", "increase_revenue"]
    html = client.get(f"/wizard/s/{sid}/check").get_data(as_text=True)
    assert "Ưu tiên 1: Thu hút khách hàng mới" in html
    assert html.index("Ưu tiên 2: Xây dựng nhận biết thương hiệu") < html.index(
        "Ưu tiên 3: Tăng doanh thu")


def test_after_changing_an_earlier_answer_continue_skips_what_is_answered(client, app):
    sid = sid_of(walk(client))
    # Back through the pages (no "return" link), change one answer: straight to the check.
    response = answer(client, f"/wizard/s/{sid}/q/stage", {"stage": "startup"})
    assert response.location.endswith("/check")
    # The same answer again is a walk through the pages: the next one follows.
    response = answer(client, f"/wizard/s/{sid}/q/stage", {"stage": "startup"})
    assert qid_of(response.location) == "size"
    # A change that asks new questions goes to the first of them.
    response = answer(client, f"/wizard/s/{sid}/q/channels",
                      {"channels": ["email", "website", "paid_ads", "seo"]})
    assert response.location.endswith("/check")
    response = answer(client, f"/wizard/s/{sid}/q/departments",
                      {"departments": ["sales", "marketing", "branding"]})
    assert response.location.endswith("/check")


def test_the_stepper_and_the_question_count_tell_the_truth(client):
    url = start(client)
    html = client.get(url).get_data(as_text=True)
    assert "Câu 1 (tối đa 15 câu)" in html
    for qid in ("org_name", "goals"):
        url = answer(client, url, ANSWERS[qid]).location
    html = client.get(url).get_data(as_text=True)
    steps = re.findall(r'class="step step-(\w+)( step-here)?"', html)
    assert steps[0] == ("done", "") and steps[1] == ("current", " step-here")
    assert all(state == "todo" for state, _here in steps[2:])
    url = answer(client, url, {"departments": ["branding"]}).location
    html = client.get(url).get_data(as_text=True)
    assert "Câu 4/11" in html  # branding only: no sales or channel questions can follow
    check = walk(client)
    html = client.get(f"/wizard/s/{sid_of(check)}/q/channels").get_data(as_text=True)
    assert "Câu 10/15" in html


def test_the_keep_question_has_a_search_box_and_each_kpis_definition(client):
    url = start(client)
    while qid_of(url) != "keep":
        url = answer(client, url, ANSWERS[qid_of(url)]).location
    html = client.get(url).get_data(as_text=True)
    assert 'data-keep-search hidden' in html and 'type="search"' in html
    assert 'aria-describedby="keep-sales-win_rate-def"' in html
    from catalog.loader import builtin_catalog
    assert builtin_catalog().by_id["sales.win_rate"].definition.vi in html


def test_a_resume_link_opens_where_the_user_stopped(app, client):
    sid = sid_of(build(client))
    client.get(f"/wizard/s/{sid}/plan")
    link = re.search(r'value="(http://[^"]+/wizard/resume/[^"]+)"',
                     client.get("/").get_data(as_text=True)).group(1)
    colleague = sign_in(app.test_client(), app_account(app, "colleague@example.com", "viewer"))
    assert colleague.get(link.replace("http://localhost", "")).location.endswith("/plan")
    client.get(f"/wizard/s/{sid}/q/stage")
    assert colleague.get(link.replace("http://localhost", "")).location.endswith("/q/stage")


def test_remove_can_be_undone_with_everything_typed_for_the_kpi(client, app):
    sid = sid_of(build(client))
    _record, plan = stored(app, sid)
    first = plan.kpi_ids[0]
    client.post(f"/wizard/s/{sid}/plan", data={"csrf_token": token(client), **plan_form(
        plan, {f"kpi-{first}-owner": "Chị Lan", f"kpi-{first}-target": "60"})})
    gone = plan.plan.kpis[0].kpi_id
    response = client.post(f"/wizard/s/{sid}/remove/{gone}", data={"csrf_token": token(client)})
    assert response.location.endswith(f"/results?removed={first}")
    html = client.get(response.location).get_data(as_text=True)
    assert f'action="/wizard/s/{sid}/restore/{first}"' in html and "Hoàn tác" in html
    assert gone not in [k.kpi_id for k in stored(app, sid)[1].plan.kpis]
    client.post(f"/wizard/s/{sid}/restore/{first}", data={"csrf_token": token(client)})
    back = stored(app, sid)[1]
    assert back.kpi_ids == plan.kpi_ids and back.plan.kpis[0].owner == "Chị Lan"
    assert back.plan.kpis[0].target == 60
    html = client.get(f"/wizard/s/{sid}/results?removed={first}").get_data(as_text=True)
    assert "Hoàn tác" not in html  # it is back: nothing left to undo


def test_a_department_over_its_limit_is_not_called_balanced(client, app):
    results = build(client)
    sid = sid_of(results)
    page = client.get(f"/wizard/s/{sid}/add?department=sales").get_data(as_text=True)
    extra = re.search(r'name="kpi_id" value="([^"]+)"', page).group(1)
    client.post(f"/wizard/s/{sid}/add", data={"csrf_token": token(client), "kpi_id": extra})
    html = client.get(results).get_data(as_text=True)
    row = re.search(r'<th scope="row">Kinh doanh</th><td class="num">5 / 4</td>\s*<td>(.*?)</td>',
                    html, re.S)
    assert row and "Không: vượt 1 KPI" in row.group(1)
