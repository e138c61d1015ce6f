"""A KPI plan as spreadsheet rows (CSV, XLSX) in Vietnamese or English, with its SMART gaps."""

from advisor.exports import to_csv, to_xlsx
from advisor.plan_models import Plan, PlanKpi
from catalog.labels import label
from catalog.loader import Catalog
from catalog.models import Text

PLAN_COLUMNS = (
    ("department", Text(vi="Bộ phận", en="Department")),
    ("kpi_id", Text(vi="Mã KPI", en="KPI id")),
    ("name", Text(vi="KPI", en="KPI")),
    ("statement", Text(vi="Phát biểu mục tiêu", en="Target statement")),
    ("unit", Text(vi="Đơn vị", en="Unit")),
    ("direction", Text(vi="Chiều tốt", en="Direction")),
    ("owner", Text(vi="Người phụ trách", en="Owner")),
    ("report_to", Text(vi="Báo cáo cho", en="Reports to")),
    ("baseline", Text(vi="Mức hiện tại", en="Baseline")),
    ("baseline_date", Text(vi="Ngày đo mức hiện tại", en="Baseline date")),
    ("target", Text(vi="Mục tiêu", en="Target")),
    ("deadline", Text(vi="Hạn chót", en="Deadline")),
    ("frequency", Text(vi="Tần suất đo", en="Frequency")),
    ("data_source", Text(vi="Nguồn dữ liệu", en="Data source")),
    ("commitment", Text(vi="Mức cam kết", en="Commitment")),
    ("smart_score", Text(vi="Điểm SMART (trên 5)", en="SMART score (of 5)")),
    ("ready", Text(vi="Sẵn sàng", en="Ready")),
    ("open_gaps", Text(vi="Việc còn thiếu", en="Open gaps")),
)
GAP_COLUMNS = (
    Text(vi="KPI", en="KPI"), Text(vi="Nhóm", en="Letter"), Text(vi="Mã", en="Code"),
    Text(vi="Mức độ", en="Severity"), Text(vi="Vấn đề", en="Problem"),
    Text(vi="Cách sửa", en="Fix"),
)
SHEETS = {"plan": Text(vi="Kế hoạch KPI", en="KPI plan"),
          "gaps": Text(vi="Khoảng trống SMART", en="SMART gaps")}
COMMITMENTS = {"committed": Text(vi="Cam kết", en="Committed"),
               "aspirational": Text(vi="Kỳ vọng", en="Aspirational")}
YES_NO = {True: Text(vi="Có", en="Yes"), False: Text(vi="Chưa", en="Not yet")}
SEVERITIES = {"error": Text(vi="Lỗi", en="Error"), "warning": Text(vi="Cảnh báo", en="Warning")}
WHOLE_PLAN = Text(vi="Toàn bộ kế hoạch", en="Whole plan")


def plan_header(lang: str) -> list[str]:
    """Return the column titles of the plan sheet in `lang`."""
    return [title.pick(lang) for _, title in PLAN_COLUMNS]


def plan_rows(plan: Plan, check: dict, lang: str, catalog: Catalog) -> list[list]:
    """Return one row per plan KPI, words as labels in `lang`, with its SMART score and gaps."""
    return [_kpi_row(kpi, result, lang, catalog)
            for kpi, result in zip(plan.kpis, check["kpis"], strict=True)]


def _kpi_row(kpi: PlanKpi, result: dict, lang: str, catalog: Catalog) -> list:
    entry = catalog.get(kpi.kpi_id or "")
    values = {
        "department": _word("departments", kpi.department or (entry and entry.department), lang),
        "kpi_id": kpi.kpi_id,
        "name": kpi.name or (entry.name.pick(lang) if entry else result["name"]),
        "statement": kpi.statement,
        "unit": _word("units", kpi.unit or (entry and entry.unit), lang),
        "direction": _word("directions", kpi.direction or (entry and entry.direction), lang),
        "owner": kpi.owner, "report_to": kpi.report_to,
        "baseline": kpi.baseline, "baseline_date": _date(kpi.baseline_date),
        "target": _target(kpi), "deadline": _date(kpi.deadline),
        "frequency": _word("frequencies", kpi.frequency, lang),
        "data_source": _word("data_sources", kpi.data_source, lang),
        "commitment": COMMITMENTS[kpi.commitment].pick(lang) if kpi.commitment else None,
        "smart_score": result["score"],
        "ready": YES_NO[result["ready"]].pick(lang),
        "open_gaps": [g["code"] for g in result["gaps"]],
    }
    return [values[key] for key, _ in PLAN_COLUMNS]


def _word(vocab: str, word: str | None, lang: str) -> str | None:
    return label(vocab, word).pick(lang) if word else None


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _target(kpi: PlanKpi):
    """Return the target number, or the range as text when the KPI has one."""
    if kpi.target is not None:
        return kpi.target
    if kpi.target_low is not None and kpi.target_high is not None:
        return f"{kpi.target_low:g}–{kpi.target_high:g}"
    return None


def gap_rows(check: dict, lang: str) -> list[list]:
    """Return one row per SMART gap, the plan's own gaps last."""
    rows = [[k["name"], g["letter"], g["code"], SEVERITIES[g["severity"]].pick(lang),
             g["message"], g["fix"]] for k in check["kpis"] for g in k["gaps"]]
    rows += [[WHOLE_PLAN.pick(lang), g["letter"], g["code"], SEVERITIES[g["severity"]].pick(lang),
              g["message"], g["fix"]] for g in check["plan_gaps"]]
    return rows


def plan_csv(plan: Plan, check: dict, lang: str, catalog: Catalog) -> str:
    """Return the plan sheet as CSV text (with a BOM so spreadsheets keep the diacritics)."""
    return to_csv(plan_header(lang), plan_rows(plan, check, lang, catalog))


def plan_xlsx(plan: Plan, check: dict, lang: str, catalog: Catalog) -> bytes:
    """Return an XLSX workbook: the plan sheet and the SMART gaps sheet."""
    return to_xlsx({
        SHEETS["plan"].pick(lang): (plan_header(lang), plan_rows(plan, check, lang, catalog)),
        SHEETS["gaps"].pick(lang): ([t.pick(lang) for t in GAP_COLUMNS], gap_rows(check, lang)),
    })
