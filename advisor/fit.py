"""Whether a catalog KPI fits the client's context: its `fits` conditions and `misfits`."""

from dataclasses import dataclass

from catalog.models import Context, Kpi
from catalog.models import Text as CatalogText

# The answer each context condition of the catalog reads.
ANSWER_OF = {"industries": "industry", "revenue_models": "revenue_model",
             "business_models": "business_model", "sales_motions": "sales_motion",
             "channels": "channels", "stages": "stage", "sizes": "size"}


@dataclass(frozen=True)
class FitVerdict:
    """Why a KPI does not fit: the conditions it failed and the misfits it met (empty: fits)."""

    failed: tuple[str, ...] = ()
    misfits: tuple[CatalogText, ...] = ()

    @property
    def fits(self) -> bool:
        """Return True when the KPI applies to the client and misleads in none of its context."""
        return not self.failed and not self.misfits


def _holds(condition: str, words: list[str], answers: dict) -> bool | None:
    """Return whether one condition holds for the answers, or None when it was not answered."""
    given = answers.get(ANSWER_OF[condition])
    if given is None:
        return None
    if condition == "channels":
        return not set(words).isdisjoint(given)
    if condition == "business_models" and given == "both":
        # A client selling to both kinds of customer does what a B2B- or B2C-only KPI needs.
        return not {"b2b", "b2c", "both"}.isdisjoint(words)
    return given in words


def _misfit_holds(misfit: Context, answers: dict) -> bool:
    """Return True when every condition of a misfit holds (an unanswered one does not)."""
    return _misfit_conditions_hold(misfit.conditions(), answers)


def fit_verdict(kpi: Kpi, answers: dict) -> FitVerdict:
    """Return whether `kpi` fits the client described by `answers` (answer name -> value);
    a condition on a question the client did not answer does not count against the KPI."""
    failed: tuple[str, ...] = ()
    if kpi.fits is not None:
        failed = tuple(condition for condition, words in kpi.fits.conditions().items()
                       if _holds(condition, words, answers) is False)
    misfits = tuple(m.why for m in kpi.misfits if _misfit_holds(m, answers))
    return FitVerdict(failed=failed, misfits=misfits)

# The conditions that say what a KPI was made for (an industry, a revenue model); channels and
# ways of selling only say where it can be used.
MADE_FOR = ("industries", "revenue_models")


@dataclass(frozen=True)
class FitRule:
    """A KPI's fits and misfits as plain condition dicts, read once per catalog."""

    fits: dict[str, list[str]]
    misfits: tuple[dict[str, list[str]], ...]

    @classmethod
    def of(cls, kpi: Kpi) -> "FitRule":
        """Return the fit rule of `kpi`."""
        return cls(fits=kpi.fits.conditions() if kpi.fits is not None else {},
                   misfits=tuple(m.conditions() for m in kpi.misfits))

    def judge(self, answers: dict) -> tuple[bool, int, int, int]:
        """Return (fits, industry or revenue-model conditions met, conditions on unanswered
        questions, of them industry or revenue-model ones): what fit_verdict says, with what
        the KPI was made for, at once."""
        met = unknown = unknown_made_for = 0
        fits = True
        for condition, words in self.fits.items():
            holds = _holds(condition, words, answers)
            if holds is None:
                unknown += 1
                unknown_made_for += condition in MADE_FOR
            elif holds:
                met += condition in MADE_FOR
            else:
                fits = False
        if fits and any(_misfit_conditions_hold(m, answers) for m in self.misfits):
            fits = False
        return fits, met, unknown, unknown_made_for


def _misfit_conditions_hold(conditions: dict[str, list[str]], answers: dict) -> bool:
    """Return True when every condition of a misfit holds (an unanswered one does not)."""
    for condition, words in conditions.items():
        given = answers.get(ANSWER_OF[condition])
        if given is None:
            return False
        if condition == "channels":
            if set(words).isdisjoint(given):
                return False
        elif given not in words:
            return False
    return True
