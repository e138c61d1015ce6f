"""Named exceptions of the review statistics; each carries its message in Vietnamese and English."""

from advisor.errors import AdvisorError, InvalidInputError


class ReviewError(AdvisorError):
    """Base class of every error the review statistics raise on purpose."""

    def __init__(self, message: dict[str, str]):
        super().__init__(message["en"])
        self.message = message


class PeriodError(ReviewError):
    """A period label cannot be read, or labels of different frequencies were mixed."""

    def __init__(self, label: str, message: dict[str, str]):
        super().__init__(
            {lang: f"{label!r}: {text}" for lang, text in message.items()},
        )
        self.label = label
        self.reason = message


class InsufficientDataError(ReviewError):
    """A series is too short for the statistic asked of it."""

    def __init__(self, needed: int, got: int):
        super().__init__(
            {
                "vi": f"Cần ít nhất {needed} kỳ dữ liệu, mới có {got} kỳ.",
                "en": f"At least {needed} periods of data are needed, got {got}.",
            }
        )
        self.needed = needed
        self.got = got


class InvalidValueError(ReviewError):
    """A series holds a value that is not a finite number."""

    def __init__(self, index: int, value: object):
        super().__init__(
            {
                "vi": f"Giá trị ở vị trí {index} không phải là một số hữu hạn: {value!r}.",
                "en": f"The value at position {index} is not a finite number: {value!r}.",
            }
        )
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
        super().__init__(self.errors_in("en"))

    def errors_in(self, lang: str) -> list[dict]:
        """Return the problems as [{field, line, column, message, fix}] in `lang`."""
        return [{**problem, "message": problem["message"][lang], "fix": problem["fix"][lang]}
                for problem in self.problems]
