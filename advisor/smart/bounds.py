"""Values a stored plan may not hold: numbers outside a KPI's value range, inverted ranges.

The SMART check reports such values as error gaps, in context, because finding them is its
job; a plan that is stored (API, wizard form) refuses them, naming the field and the range.
"""

from dataclasses import dataclass

from advisor.formatting import number_text
from advisor.i18n import gettext
from advisor.plan_models import Plan, PlanKpi
from catalog.loader import Catalog
from catalog.models import value_bounds


@dataclass(frozen=True)
class ImpossibleValue:
    """One value a stored plan may not hold: where it is, what it is, what is allowed."""

    index: int  # the KPI's position in the plan
    field: str  # the KPI's field: target, target_low, target_high, baseline, milestones.N
    value: float
    low: float | None
    high: float | None
    inverted: bool = False  # a range's low end above its high end (high holds that end)

    @property
    def path(self) -> str:
        """Return the field's path in the plan, as the API names it."""
        suffix = ".target" if self.field.startswith("milestones.") else ""
        return f"kpis.{self.index}.{self.field}{suffix}"

    def message(self, lang: str = "en") -> str:
        """Return what is wrong and what is allowed, in `lang` (English unless asked)."""
        value = number_text(self.value, lang, 6)
        if self.inverted:
            return gettext(lang, "smart.impossible.inverted", value=value,
                           high=number_text(self.high, lang, 6))
        return gettext(lang, "smart.impossible.outside", value=value,
                       allowed=allowed_text(self.low, self.high, lang))

    def problem(self, lang: str = "en") -> dict:
        """Return the value as an InvalidInputError item, its message in `lang`."""
        return {"field": self.path, "message": self.message(lang)}


def allowed_text(low: float | None, high: float | None, lang: str) -> str:
    """Return the allowed values in words: "from 1 to 5", "0 or more", "100 or less"."""
    low_text, high_text = number_text(low, lang, 6), number_text(high, lang, 6)
    if low is not None and high is not None:
        return gettext(lang, "smart.allowed.between", low=low_text, high=high_text)
    if low is not None:
        return gettext(lang, "smart.allowed.at_least", low=low_text)
    return gettext(lang, "smart.allowed.at_most", high=high_text)


def impossible_values(plan: Plan, catalog: Catalog) -> list[ImpossibleValue]:
    """Return every value of the plan that no KPI can hold, KPI by KPI (unknown ids skipped;
    they are refused elsewhere)."""
    found = []
    for index, kpi in enumerate(plan.kpis):
        entry = catalog.get(kpi.kpi_id or "")
        low, high = value_bounds(kpi.unit or (entry.unit if entry else None), entry)
        for field, value in _numbers(kpi):
            if (low is not None and value < low) or (high is not None and value > high):
                found.append(ImpossibleValue(index, field, value, low, high))
        if kpi.target_low is not None and kpi.target_high is not None and \
                kpi.target_low > kpi.target_high:
            found.append(ImpossibleValue(index, "target_low", kpi.target_low, None,
                                         kpi.target_high, inverted=True))
    return found


def _numbers(kpi: PlanKpi) -> list[tuple[str, float]]:
    """Return the KPI's values with their field names: baseline, targets, milestones."""
    named = [(f, getattr(kpi, f)) for f in ("baseline", "target", "target_low", "target_high")]
    named += [(f"milestones.{j}", m.target) for j, m in enumerate(kpi.milestones or [])]
    return [(f, v) for f, v in named if v is not None]
