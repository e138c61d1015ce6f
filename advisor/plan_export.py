"""A KPI plan as spreadsheet rows (CSV, XLSX) in Vietnamese or English, with its SMART gaps."""

from advisor.exports import to_csv, to_xlsx
from advisor.formatting import date_text, range_text
from advisor.i18n import N_, gettext
from advisor.plan_models import Plan, PlanKpi
from catalog.labels import label
from catalog.loader import Catalog

PLAN_COLUMNS = (
    ("department", N_("plan.column.department")),
    ("kpi_id", N_("plan.column.kpi_id")),
    ("name", N_("plan.column.name")),
    ("statement", N_("plan.column.statement")),
    ("unit", N_("plan.column.unit")),
    ("direction", N_("plan.column.direction")),
    ("owner", N_("plan.column.owner")),
    ("report_to", N_("plan.column.report_to")),
    ("baseline", N_("plan.column.baseline")),
    ("baseline_date", N_("plan.column.baseline_date")),
    ("target", N_("plan.column.target")),
    ("deadline", N_("plan.column.deadline")),
    ("frequency", N_("plan.column.frequency")),
    ("data_source", N_("plan.column.data_source")),
    ("commitment", N_("plan.column.commitment")),
    ("smart_score", N_("plan.column.smart_score")),
    ("ready", N_("plan.column.ready")),
    ("open_gaps", N_("plan.column.open_gaps")),
)
# The text of a gap first; its letter group and stable code follow for reference.
GAP_COLUMNS = (N_("plan.gap.kpi"), N_("plan.gap.severity"), N_("plan.gap.problem"),
               N_("plan.gap.fix"), N_("plan.gap.letter"), N_("plan.gap.code"))
SHEETS = {"plan": N_("plan.sheet.plan"), "gaps": N_("plan.sheet.gaps")}
COMMITMENTS = {"committed": N_("plan.commitment.committed"),
               "aspirational": N_("plan.commitment.aspirational")}
YES_NO = {True: N_("plan.ready.yes"), False: N_("plan.ready.no")}
SEVERITIES = {"error": N_("plan.severity.error"), "warning": N_("plan.severity.warning")}
# SMART's own letters (S, M, A, R, T) stay letters; the other groups have names.
LETTERS = {"owner": N_("wizard.gap.letter.owner"), "plan": N_("wizard.gap.letter.plan"),
           "reporting": N_("wizard.gap.letter.reporting"),
           "measurement": N_("wizard.gap.letter.measurement")}
WHOLE_PLAN = N_("plan.whole_plan")


def plan_header(lang: str) -> list[str]:
    """Return the column titles of the plan sheet in `lang`."""
    return [gettext(lang, title) for _, title in PLAN_COLUMNS]


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
        "baseline": kpi.baseline, "baseline_date": _date(kpi.baseline_date, lang),
        "target": _target(kpi, lang), "deadline": _date(kpi.deadline, lang),
        "frequency": _word("frequencies", kpi.frequency, lang),
        "data_source": _word("data_sources", kpi.data_source, lang),
        "commitment": gettext(lang, COMMITMENTS[kpi.commitment]) if kpi.commitment else None,
        "smart_score": result["score"],
        "ready": gettext(lang, YES_NO[result["ready"]]),
        "open_gaps": [g["message"] for g in result["gaps"]],
    }
    return [values[key] for key, _ in PLAN_COLUMNS]


def _word(vocab: str, word: str | None, lang: str) -> str | None:
    return label(vocab, word).pick(lang) if word else None


def _date(value, lang: str) -> str | None:
    return date_text(value, lang) if value else None


def _target(kpi: PlanKpi, lang: str):
    """Return the target number, or the range as text when the KPI has one."""
    if kpi.target is not None:
        return kpi.target
    if kpi.target_low is not None and kpi.target_high is not None:
        return range_text(kpi.target_low, kpi.target_high, lang, kpi.unit, 4)
    return None


def gap_rows(check: dict, lang: str) -> list[list]:
    """Return one row per SMART gap, the plan's own gaps last."""
    gaps = [(k["name"], g) for k in check["kpis"] for g in k["gaps"]]
    gaps += [(gettext(lang, WHOLE_PLAN), g) for g in check["plan_gaps"]]
    return [[name, gettext(lang, SEVERITIES[g["severity"]]), g["message"], g["fix"],
             _letter(g["letter"], lang), g["code"]] for name, g in gaps]


def _letter(letter: str, lang: str) -> str:
    return gettext(lang, LETTERS[letter]) if letter in LETTERS else letter


def plan_csv(plan: Plan, check: dict, lang: str, catalog: Catalog) -> str:
    """Return the plan sheet as CSV text (with a BOM so spreadsheets keep the diacritics)."""
    return to_csv(plan_header(lang), plan_rows(plan, check, lang, catalog))


def plan_xlsx(plan: Plan, check: dict, lang: str, catalog: Catalog) -> bytes:
    """Return an XLSX workbook: the plan sheet and the SMART gaps sheet."""
    return to_xlsx({
        gettext(lang, SHEETS["plan"]): (plan_header(lang),
                                        plan_rows(plan, check, lang, catalog)),
        gettext(lang, SHEETS["gaps"]): ([gettext(lang, t) for t in GAP_COLUMNS],
                                        gap_rows(check, lang)),
    })
