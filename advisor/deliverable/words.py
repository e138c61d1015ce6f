"""The words of the deliverable (statements, rhythm, units after a number) and numbers as text."""

from advisor.exports import Quantity
from advisor.formatting import value_text
from advisor.i18n import N_, gettext

COMMITMENTS = {"committed": N_("plan.commitment.committed"),
               "aspirational": N_("plan.commitment.aspirational")}
YES_NO = {True: N_("plan.ready.yes"), False: N_("plan.ready.no")}

# After a number: money in đồng, durations in their unit; percent takes its sign.
UNIT_AFTER = {"currency": N_("plan.unit_after.currency"), "days": N_("plan.unit_after.days"),
              "hours": N_("plan.unit_after.hours"), "months": N_("plan.unit_after.months")}

STATEMENTS = {
    "higher_is_better": N_("plan.statement.higher_is_better"),
    "lower_is_better": N_("plan.statement.lower_is_better"),
    "in_range": N_("plan.statement.in_range"),
}
BLANK = N_("plan.statement.blank")
RHYTHM = {"measured": N_("plan.rhythm.measured"), "reported": N_("plan.rhythm.reported"),
          "reviewed": N_("plan.rhythm.reviewed"), "unknown": N_("plan.rhythm.unknown")}


def quantity_text(quantity: Quantity | None, lang: str) -> str:
    """Return a number in its unit as people read it: 1.200.000.000 ₫, 45,5%, 12 ngày."""
    if quantity is None:
        return "–"
    text = value_text(quantity.value, quantity.unit, lang)
    after = UNIT_AFTER.get(quantity.unit or "")
    return f"{text} {gettext(lang, after)}" if after else text
