"""The plan and its KPI dictionary as spreadsheets: an XLSX workbook (plan, dictionary and
SMART gaps sheets, each titled with the client and the date) and CSV files."""

import datetime as dt

from advisor.deliverable.dictionary import Entry, plan_dictionary
from advisor.deliverable.words import YES_NO, quantity_text
from advisor.exports import Sheet, to_csv, write_xlsx
from advisor.formatting import date_text
from advisor.plans import PlanRecord
from catalog.loader import Catalog
from catalog.models import Text

T = Text
# (entry field, title); the same titles serve both sheets where a column is shared.
PLAN_COLUMNS = (
    ("department", T(vi="Bộ phận", en="Department")),
    ("kpi_id", T(vi="Mã KPI", en="KPI id")),
    ("name", T(vi="KPI", en="KPI")),
    ("statement", T(vi="Phát biểu mục tiêu", en="Target statement")),
    ("unit_name", T(vi="Đơn vị", en="Unit")),
    ("direction_name", T(vi="Chiều tốt", en="Direction")),
    ("owner", T(vi="Người phụ trách", en="Owner")),
    ("report_to", T(vi="Báo cáo cho", en="Reports to")),
    ("baseline", T(vi="Mức hiện tại", en="Baseline")),
    ("baseline_date", T(vi="Ngày đo mức hiện tại", en="Baseline date")),
    ("target", T(vi="Mục tiêu", en="Target")),
    ("target_low", T(vi="Mục tiêu từ", en="Target from")),
    ("target_high", T(vi="Mục tiêu đến", en="Target to")),
    ("deadline", T(vi="Hạn chót", en="Deadline")),
    ("frequency", T(vi="Tần suất đo", en="Frequency")),
    ("data_source", T(vi="Nguồn dữ liệu", en="Data source")),
    ("commitment", T(vi="Mức cam kết", en="Commitment")),
    ("goals", T(vi="Mục tiêu chiến lược phục vụ", en="Strategic goals served")),
    ("smart_score", T(vi="Điểm SMART (trên 5)", en="SMART score (of 5)")),
    ("ready", T(vi="Sẵn sàng", en="Ready")),
    ("open_gaps", T(vi="Việc còn thiếu", en="Open gaps")),
)
DICTIONARY_COLUMNS = (
    ("kpi_id", T(vi="Mã KPI", en="KPI id")),
    ("name", T(vi="KPI", en="KPI")),
    ("department", T(vi="Bộ phận", en="Department")),
    ("definition", T(vi="Định nghĩa", en="Definition")),
    ("formula", T(vi="Công thức", en="Formula")),
    ("unit_name", T(vi="Đơn vị", en="Unit")),
    ("direction_name", T(vi="Chiều tốt", en="Direction")),
    ("financial", T(vi="Tài chính / phi tài chính", en="Financial or not")),
    ("perspective", T(vi="Góc nhìn thẻ điểm cân bằng", en="Scorecard perspective")),
    ("indicator", T(vi="Dẫn dắt / kết quả", en="Leading or lagging")),
    ("frequency", T(vi="Tần suất đo", en="Frequency")),
    ("data_source", T(vi="Nguồn dữ liệu", en="Data source")),
    ("owner", T(vi="Người phụ trách", en="Owner")),
    ("report_to", T(vi="Báo cáo cho", en="Reports to")),
    ("baseline", T(vi="Mức hiện tại", en="Baseline")),
    ("baseline_date", T(vi="Ngày đo mức hiện tại", en="Baseline date")),
    ("target", T(vi="Mục tiêu", en="Target")),
    ("target_low", T(vi="Mục tiêu từ", en="Target from")),
    ("target_high", T(vi="Mục tiêu đến", en="Target to")),
    ("deadline", T(vi="Hạn chót", en="Deadline")),
    ("commitment", T(vi="Mức cam kết", en="Commitment")),
    ("goals", T(vi="Mục tiêu chiến lược phục vụ", en="Strategic goals served")),
    ("counter_kpis", T(vi="KPI đối trọng", en="Counter-KPIs")),
    ("pitfalls", T(vi="Cạm bẫy thường gặp", en="Common pitfalls")),
    ("benchmarks", T(vi="Mức tham chiếu (nguồn)", en="Benchmark (source)")),
)
# Columns of long text, which wrap in the sheet.
WRAPPED = {"statement", "definition", "formula", "pitfalls", "benchmarks", "open_gaps"}
GAP_COLUMNS = (T(vi="KPI", en="KPI"), T(vi="Mức độ", en="Severity"),
               T(vi="Vấn đề", en="Problem"), T(vi="Cách sửa", en="Fix"),
               T(vi="Nhóm", en="Letter"), T(vi="Mã", en="Code"))
SHEETS = {"plan": T(vi="Kế hoạch KPI", en="KPI plan"),
          "dictionary": T(vi="Từ điển KPI", en="KPI dictionary"),
          "gaps": T(vi="Khoảng trống SMART", en="SMART gaps")}
SEVERITIES = {"error": T(vi="Lỗi", en="Error"), "warning": T(vi="Cảnh báo", en="Warning")}
WHOLE_PLAN = T(vi="Toàn bộ kế hoạch", en="Whole plan")
TITLE = T(vi="{what} — {client} — lập ngày {date}", en="{what} — {client} — made on {date}")
SOURCE = T(vi="Nguồn", en="Source")


def sheet_title(what: Text, org_name: str | None, lang: str, today: dt.date) -> str:
    """Return a sheet's title row: what it is, for which client, made on which day."""
    return TITLE.pick(lang).format(what=what.pick(lang), client=org_name or "—",
                                   date=date_text(today, lang))


def benchmark_text(entry: Entry, lang: str) -> list[str]:
    """Return each benchmark as one line: the range, its context and its source."""
    lines = []
    for b in entry.benchmarks:
        low, high = quantity_text(b.low, lang), quantity_text(b.high, lang)
        level = low if low == high else f"{low}–{high}"
        lines.append(f"{level}: {b.context} ({SOURCE.pick(lang)}: {b.source})")
    return lines


def _values(entry: Entry, result: dict | None, lang: str) -> dict:
    values = dict(vars(entry))
    values["benchmarks"] = benchmark_text(entry, lang)
    values["ready"] = YES_NO[entry.ready].pick(lang)
    values["open_gaps"] = [g["message"] for g in result["gaps"]] if result else []
    return values


def _rows(columns, entries: list[Entry], check: dict, lang: str) -> list[list]:
    rows = []
    for entry, result in zip(entries, check["kpis"], strict=True):
        values = _values(entry, result, lang)
        rows.append([values[key] for key, _ in columns])
    return rows


def _header(columns, lang: str) -> list[str]:
    return [title.pick(lang) for _, title in columns]


def _wrapped(columns) -> set[int]:
    return {i for i, (key, _) in enumerate(columns) if key in WRAPPED}


def gap_rows(check: dict, lang: str) -> list[list]:
    """Return one row per SMART gap, the plan's own gaps last."""
    gaps = [(k["name"], g) for k in check["kpis"] for g in k["gaps"]]
    gaps += [(WHOLE_PLAN.pick(lang), g) for g in check["plan_gaps"]]
    return [[name, SEVERITIES[g["severity"]].pick(lang), g["message"], g["fix"], g["letter"],
             g["code"]] for name, g in gaps]


def plan_csv(record: PlanRecord, check: dict, lang: str, catalog: Catalog) -> str:
    """Return the plan sheet as CSV text (with a BOM so spreadsheets keep the diacritics)."""
    entries = plan_dictionary(record, check, lang, catalog)
    return to_csv(_header(PLAN_COLUMNS, lang), _rows(PLAN_COLUMNS, entries, check, lang))


def dictionary_csv(record: PlanRecord, check: dict, lang: str, catalog: Catalog) -> str:
    """Return the KPI dictionary as CSV text (UTF-8 with BOM)."""
    entries = plan_dictionary(record, check, lang, catalog)
    return to_csv(_header(DICTIONARY_COLUMNS, lang),
                  _rows(DICTIONARY_COLUMNS, entries, check, lang))


def plan_xlsx(record: PlanRecord, check: dict, lang: str, catalog: Catalog,
              today: dt.date | None = None) -> bytes:
    """Return the XLSX workbook: plan, KPI dictionary and SMART gaps, each titled."""
    today = today or dt.date.today()
    entries = plan_dictionary(record, check, lang, catalog)
    org = record.plan.org_name

    def sheet(key: str, columns) -> Sheet:
        return Sheet(SHEETS[key].pick(lang), _header(columns, lang),
                     _rows(columns, entries, check, lang),
                     sheet_title(SHEETS[key], org, lang, today), _wrapped(columns))

    gaps = Sheet(SHEETS["gaps"].pick(lang), [t.pick(lang) for t in GAP_COLUMNS],
                 gap_rows(check, lang), sheet_title(SHEETS["gaps"], org, lang, today), {2, 3})
    return write_xlsx([sheet("plan", PLAN_COLUMNS), sheet("dictionary", DICTIONARY_COLUMNS),
                       gaps], lang)
