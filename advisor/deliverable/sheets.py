"""The plan and its KPI dictionary as spreadsheets: an XLSX workbook (plan, dictionary and
SMART gaps sheets, each titled with the client and the date) and CSV files."""

import datetime as dt

from advisor.deliverable.dictionary import Entry, plan_dictionary
from advisor.deliverable.words import YES_NO, quantity_text
from advisor.exports import Sheet, to_csv, write_xlsx
from advisor.formatting import date_text
from advisor.i18n import N_, gettext
from advisor.plans import PlanRecord
from catalog.loader import Catalog

# (entry field, title); the same titles serve both sheets where a column is shared.
PLAN_COLUMNS = (
    ("department", N_("plan.column.department")),
    ("kpi_id", N_("plan.column.kpi_id")),
    ("name", N_("plan.column.name")),
    ("statement", N_("plan.column.statement")),
    ("unit_name", N_("plan.column.unit")),
    ("direction_name", N_("plan.column.direction")),
    ("owner", N_("plan.column.owner")),
    ("report_to", N_("plan.column.report_to")),
    ("baseline", N_("plan.column.baseline")),
    ("baseline_date", N_("plan.column.baseline_date")),
    ("target", N_("plan.column.target")),
    ("target_low", N_("plan.column.target_low")),
    ("target_high", N_("plan.column.target_high")),
    ("deadline", N_("plan.column.deadline")),
    ("frequency", N_("plan.column.frequency")),
    ("data_source", N_("plan.column.data_source")),
    ("commitment", N_("plan.column.commitment")),
    ("goals", N_("plan.column.goals")),
    ("smart_score", N_("plan.column.smart_score")),
    ("ready", N_("plan.column.ready")),
    ("open_gaps", N_("plan.column.open_gaps")),
)
DICTIONARY_COLUMNS = (
    ("kpi_id", N_("plan.column.kpi_id")),
    ("name", N_("plan.column.name")),
    ("department", N_("plan.column.department")),
    ("definition", N_("plan.column.definition")),
    ("formula", N_("plan.column.formula")),
    ("unit_name", N_("plan.column.unit")),
    ("direction_name", N_("plan.column.direction")),
    ("financial", N_("plan.column.financial")),
    ("perspective", N_("plan.column.perspective")),
    ("indicator", N_("plan.column.indicator")),
    ("frequency", N_("plan.column.frequency")),
    ("data_source", N_("plan.column.data_source")),
    ("owner", N_("plan.column.owner")),
    ("report_to", N_("plan.column.report_to")),
    ("baseline", N_("plan.column.baseline")),
    ("baseline_date", N_("plan.column.baseline_date")),
    ("target", N_("plan.column.target")),
    ("target_low", N_("plan.column.target_low")),
    ("target_high", N_("plan.column.target_high")),
    ("deadline", N_("plan.column.deadline")),
    ("commitment", N_("plan.column.commitment")),
    ("goals", N_("plan.column.goals")),
    ("counter_kpis", N_("plan.column.counter_kpis")),
    ("pitfalls", N_("plan.column.pitfalls")),
    ("benchmarks", N_("plan.column.benchmarks")),
)
# Columns of long text, which wrap in the sheet.
WRAPPED = {"statement", "definition", "formula", "pitfalls", "benchmarks", "open_gaps"}
# The text of a gap first; its letter group and stable code follow for reference.
GAP_COLUMNS = (N_("plan.gap.kpi"), N_("plan.gap.severity"), N_("plan.gap.problem"),
               N_("plan.gap.fix"), N_("plan.gap.letter"), N_("plan.gap.code"))
SHEETS = {"plan": N_("plan.sheet.plan"), "dictionary": N_("plan.sheet.dictionary"),
          "gaps": N_("plan.sheet.gaps")}
SEVERITIES = {"error": N_("plan.severity.error"), "warning": N_("plan.severity.warning")}
# SMART's own letters (S, M, A, R, T) stay letters; the other groups have names.
LETTERS = {"owner": N_("wizard.gap.letter.owner"), "plan": N_("wizard.gap.letter.plan"),
           "reporting": N_("wizard.gap.letter.reporting"),
           "measurement": N_("wizard.gap.letter.measurement")}
WHOLE_PLAN = N_("plan.whole_plan")
TITLE = N_("plan.sheet.title")
SOURCE = N_("plan.benchmark.source")


def sheet_title(what: str, org_name: str | None, lang: str, today: dt.date) -> str:
    """Return a sheet's title row: what it is, for which client, made on which day."""
    return gettext(lang, TITLE, what=gettext(lang, what), client=org_name or "—",
                   date=date_text(today, lang))


def benchmark_text(entry: Entry, lang: str) -> list[str]:
    """Return each benchmark as one line: the range, its context and its source."""
    lines = []
    for b in entry.benchmarks:
        low, high = quantity_text(b.low, lang), quantity_text(b.high, lang)
        level = low if low == high else f"{low}–{high}"
        lines.append(f"{level}: {b.context} ({gettext(lang, SOURCE)}: {b.source})")
    return lines


def _values(entry: Entry, result: dict | None, lang: str) -> dict:
    values = dict(vars(entry))
    values["benchmarks"] = benchmark_text(entry, lang)
    values["ready"] = gettext(lang, YES_NO[entry.ready])
    values["open_gaps"] = [g["message"] for g in result["gaps"]] if result else []
    return values


def _rows(columns, entries: list[Entry], check: dict, lang: str) -> list[list]:
    rows = []
    for entry, result in zip(entries, check["kpis"], strict=True):
        values = _values(entry, result, lang)
        rows.append([values[key] for key, _ in columns])
    return rows


def _header(columns, lang: str) -> list[str]:
    return [gettext(lang, title) for _, title in columns]


def _wrapped(columns) -> set[int]:
    return {i for i, (key, _) in enumerate(columns) if key in WRAPPED}


def gap_rows(check: dict, lang: str) -> list[list]:
    """Return one row per SMART gap, the plan's own gaps last."""
    gaps = [(k["name"], g) for k in check["kpis"] for g in k["gaps"]]
    gaps += [(gettext(lang, WHOLE_PLAN), g) for g in check["plan_gaps"]]
    return [[name, gettext(lang, SEVERITIES[g["severity"]]), g["message"], g["fix"],
             _letter(g["letter"], lang), g["code"]] for name, g in gaps]


def _letter(letter: str, lang: str) -> str:
    return gettext(lang, LETTERS[letter]) if letter in LETTERS else letter


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
        return Sheet(gettext(lang, SHEETS[key]), _header(columns, lang),
                     _rows(columns, entries, check, lang),
                     sheet_title(SHEETS[key], org, lang, today), _wrapped(columns))

    gaps = Sheet(gettext(lang, SHEETS["gaps"]), [gettext(lang, t) for t in GAP_COLUMNS],
                 gap_rows(check, lang), sheet_title(SHEETS["gaps"], org, lang, today), {2, 3})
    return write_xlsx([sheet("plan", PLAN_COLUMNS), sheet("dictionary", DICTIONARY_COLUMNS),
                       gaps], lang)
