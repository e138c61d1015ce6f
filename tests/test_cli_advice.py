"""`kpi-advisor recommend`, `check` and `interview` as real processes."""

import json

import pytest

from tests.conftest import DATA

CLI = DATA / "cli"


def test_recommend_prints_a_readable_report(run_cli):
    code, out, err = run_cli("recommend", str(CLI / "answers.yaml"), "--lang", "vi")
    assert code == 0, err
    # Departments and counts in words of the language, never their codes.
    assert "== Kinh doanh (" in out and "== Marketing (" in out and "== sales" not in out
    heading = next(line for line in out.splitlines() if line.startswith("== Kinh doanh"))
    assert "tài chính" in heading and "dẫn dắt" in heading and "leading" not in heading
    assert "Tăng" in out or "Giảm" in out or "Giữ" in out


def test_recommend_json(run_cli):
    code, out, _ = run_cli("recommend", str(CLI / "answers.yaml"), "--json", "--lang", "en")
    body = json.loads(out)
    assert code == 0 and body["kpis"] and {"balance", "alternatives", "trace"} <= set(body)
    assert sum(1 for k in body["kpis"] if k["department"] == "sales") <= 4


def test_check_reports_gaps_and_not_ready(run_cli):
    code, out, _ = run_cli("check", str(CLI / "plan.yaml"), "--lang", "en")
    assert code == 0
    assert "T.deadline_past" in out and "S.direction_conflict" in out and "owner.none" in out
    assert "  Error    The deadline Dec 31, 2025 has passed. [T.deadline_past]" in out
    assert out.strip().endswith("NOT READY")


def test_check_speaks_vietnamese_with_the_code_after_the_text(run_cli):
    code, out, _ = run_cli("check", str(CLI / "plan.yaml"), "--lang", "vi")
    assert code == 0
    assert "Doanh thu  [SMART 3/5]  (chưa sẵn sàng)" in out
    assert "  Lỗi       Hạn chót 31/12/2025 đã qua. [T.deadline_past]" in out
    assert "  Cảnh báo  " in out and "Toàn bộ kế hoạch" in out
    assert out.strip().endswith("CHƯA SẴN SÀNG")
    for english in ("READY", "PLAN", "error", "warning", "not ready"):
        assert english not in out.replace("CHƯA SẴN SÀNG", ""), english


def test_check_json(run_cli):
    code, out, _ = run_cli("check", str(CLI / "plan.yaml"), "--json")
    body = json.loads(out)
    assert code == 0 and body["kpis"][0]["gaps"] == [] and body["ready"] is False


@pytest.mark.parametrize(("content", "message"), [
    ("goals: [world_peace]\ndepartments: [sales]\n", "goals.0"),
    ("goals: [increase_revenue]\ndepartments: []\n", "departments"),
    ("- just\n- a list\n", "must hold a mapping"),
    ("goals: [unclosed\n", "not valid YAML/JSON"),
    ("goals: [increase_revenue]\ndepartments: [sales]\nindustry: bakery\n",
     'industry: "bakery" is not one of the allowed values: retail, consumer_goods, '
     "distribution, ecommerce, software_saas, professional_services, food_beverage, "
     "real_estate, financial_services, insurance, manufacturing, education, healthcare, "
     "travel_hospitality, nonprofit, other"),
    ("goals: [increase_revenue]\ndepartments: [sales]\nrevenue_model: rent\n",
     'revenue_model: "rent" is not one of the allowed values: recurring, repeat, one_off, '
     "project"),
    ("goals: [increase_revenue]\ndepartments: [sales]\ndata_sources: [pos, loyalty_card]\n",
     'data_sources.1: "loyalty_card" is not one of the allowed values: crm, '),
])
def test_recommend_bad_files_exit_2(run_cli, tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    code, _, err = run_cli("recommend", str(path), "--lang", "en")
    assert code == 2 and message in err and "Traceback" not in err


def test_unknown_context_words_exit_2_in_vietnamese_too(run_cli, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("goals: [increase_revenue]\ndepartments: [sales]\nindustry: tiệm bánh\n"
                    "revenue_model: thuê\n", encoding="utf-8")
    code, out, err = run_cli("recommend", str(path), "--lang", "vi")
    assert code == 2 and not out and "Traceback" not in err
    assert 'industry: "tiệm bánh" không phải một trong các giá trị được phép: retail,' in err
    assert 'revenue_model: "thuê" không phải một trong các giá trị được phép: recurring, ' \
        "repeat, one_off, project" in err


def test_recommend_with_industry_and_revenue_model(run_cli, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text((CLI / "answers.yaml").read_text(encoding="utf-8")
                    + "industry: software_saas\nrevenue_model: recurring\n", encoding="utf-8")
    code, out, err = run_cli("recommend", str(path), "--json", "--lang", "en")
    assert code == 0, err
    assert json.loads(out)["kpis"]


def test_missing_file_exits_2(run_cli, tmp_path):
    code, _, err = run_cli("check", str(tmp_path / "nope.yaml"))
    assert code == 2 and "nope.yaml" in err


def test_interview_in_the_terminal(run_cli, tmp_path):
    script = "\n".join([
        "Công ty Mới",   # org_name
        "x",             # an invalid goals answer, asked again
        "3 1",           # goals: retain_customers, increase_revenue
        "3",             # departments: branding only -> no channel questions
        "5",             # industry: software_saas
        "1",             # revenue_model: recurring
        "2",             # business_model: b2c
        "2",             # stage: growth
        "1",             # size
        "9 10",          # data_sources: survey, brand_tracking
        "",              # max KPIs: the policy's number for the size
        "",              # keep: none
    ]) + "\n"
    target = tmp_path / "answers.json"
    code, out, err = run_cli("interview", "--lang", "en", "--output", str(target), stdin=script)
    assert code == 0, err
    answers = json.loads(target.read_text(encoding="utf-8"))
    assert answers["goals"] == ["retain_customers", "increase_revenue"]
    assert answers["departments"] == ["branding"] and "channels" not in answers
    # Fewer than 10 people: the recommend policy's size (micro 3), not a fixed 5.
    assert answers["max_kpis_per_department"] == 3
    assert answers["industry"] == "software_saas" and answers["revenue_model"] == "recurring"
    assert "That answer is not valid" in err
    assert "Which industry is the client in?" in err
    assert "Software and SaaS\n       Software, apps and online services" in err
    assert "How does most of the revenue come in?" in err
    assert "Few customers buy twice, or only years later" in err
    for source in ("Loyalty programme", "Footfall counter", "Product analytics",
                   "Marketplace seller centre", "ERP (orders, stock, production)",
                   "Distributor management system (DMS", "Market research"):
        assert source in err, source
    # What the interview wrote, industry and revenue model included, is what recommend reads.
    code, out, err = run_cli("recommend", str(target), "--json", "--lang", "en")
    assert code == 0, err
    assert {k["department"] for k in json.loads(out)["kpis"]} == {"branding"}


def test_a_non_profit_is_not_asked_its_revenue_model_in_the_terminal(run_cli):
    script = "\n".join(["Quỹ Học Bổng", "1", "3", "15", "1", "1", "1", "9", "", ""]) + "\n"
    code, out, err = run_cli("interview", "--lang", "vi", stdin=script)
    assert code == 0, err
    answers = json.loads(out)
    assert answers["industry"] == "nonprofit" and "revenue_model" not in answers
    assert answers["business_model"] == "b2b" and answers["stage"] == "startup"
    assert "Khách hàng hoạt động trong ngành nào?" in err
    assert "Doanh thu chủ yếu đến theo cách nào?" not in err


def test_interview_ends_cleanly_when_input_runs_out(run_cli):
    code, _, err = run_cli("interview", stdin="Only a name\n")
    assert code == 2 and "Lỗi: goals: chưa có câu trả lời (đã hết dữ liệu vào)" in err
    code, _, err = run_cli("interview", "--lang", "en", stdin="Only a name\n")
    assert code == 2 and "Error: goals: no answer (end of input)" in err
