"""What a value must be before it is stored or computed with: a finite number of a sane size, or
text that can be written as UTF-8.

These are limits of the machine, not policy. 10^15 is a million billion (một triệu tỷ): counts,
rates and money of a plan's KPIs sit far below it (a client whose revenue in đồng came near it
would record it in millions), while numbers near float's limit (1.8·10^308) overflow to infinity
as soon as the statistics square or sum them: one such stored value turned a whole plan's review
into NaN. A lone surrogate (half of a UTF-16 pair, which JSON can spell as "\\ud800") is not a
character at all, and SQLite cannot store it. Pydantic refuses one in any `str` field by itself
(error type `string_unicode`); text read outside the models (cells of an import, comments, file
names) is checked with `has_lone_surrogate`.
"""

import math
import re
from typing import Annotated

from pydantic import AfterValidator, Field

# The largest magnitude any number we take may have; see the module's docstring.
MAX_MAGNITUDE = 1e15
_SURROGATE = re.compile("[\ud800-\udfff]")


def within_magnitude(value: float) -> float:
    """Return `value` if it is finite and within ±MAX_MAGNITUDE, else raise ValueError."""
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise ValueError(f"must be a finite number between -{MAX_MAGNITUDE:.0e} and "
                         f"{MAX_MAGNITUDE:.0e}")
    return value


def is_usable_number(value: object) -> bool:
    """Return True when `value` is a number that may be computed with (see within_magnitude)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and abs(value) <= MAX_MAGNITUDE


def has_lone_surrogate(text: str) -> bool:
    """Return True when `text` holds half of a UTF-16 surrogate pair, which is not text."""
    return _SURROGATE.search(text) is not None


# The bounds are written into the JSON schema too, so the generated API contract states them.
Number = Annotated[float, Field(allow_inf_nan=False, json_schema_extra={
    "minimum": -MAX_MAGNITUDE, "maximum": MAX_MAGNITUDE}), AfterValidator(within_magnitude)]
