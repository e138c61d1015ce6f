"""Named exceptions of the review statistics; each carries its message in Vietnamese and English."""

from advisor.errors import AdvisorError, InvalidInputError
from advisor.i18n import both


class ReviewError(AdvisorError):
    """Base class of every error the review statistics raise on purpose."""

    def __init__(self, message: dict[str, str]):
        super().__init__(message["en"])
        self.message = message


class PeriodError(ReviewError):
    """A period label cannot be read, or labels of different frequencies were mixed."""

    def __init__(self, label: str, message: dict[str, str]):
        super().__init__(both("review.period.labelled", label=repr(label),
                              reason=message.get))
        self.label = label
        self.reason = message


class InsufficientDataError(ReviewError):
    """A series is too short for the statistic asked of it."""

    def __init__(self, needed: int, got: int):
        super().__init__(both("review.error.insufficient", needed=needed, got=got))
        self.needed = needed
        self.got = got


class InvalidValueError(ReviewError):
    """A series holds a value that is not a finite number."""

    def __init__(self, index: int, value: object):
        super().__init__(both("review.error.invalid_value", index=index, value=repr(value)))
        self.index = index
        self.value = value


class RowsRejectedError(InvalidInputError):
    """Measurement rows (file, form or API body) with problems; none of the rows was kept.

    Each problem is a dict with `field` (a path such as ``rows.5.value``), optionally `line` and
    `column`, and `message` and `fix` in Vietnamese and English; `errors` carries them in English
    for handlers that know only InvalidInputError, `errors_in(lang)` in the reader's language.
    """

    def __init__(self, problems: list[dict]):
        self.problems = problems
        # An import's KPIs whose rows have one frequency other than the plan's: row id ->
        # the file's frequency, which the import would set when asked to.
        self.frequencies: dict[int, str] = {}
        super().__init__(self.errors_in("en"))

    def errors_in(self, lang: str) -> list[dict]:
        """Return the problems as [{field, line, column, message, fix}] in `lang`."""
        return [{**problem, "message": problem["message"][lang], "fix": problem["fix"][lang]}
                for problem in self.problems]
