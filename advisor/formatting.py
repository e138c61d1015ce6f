"""Numbers, money, ranges and dates as each language writes them, on Babel's CLDR data.

Vietnamese writes 1.234,5 and 30/06/2026; English (the `en` locale) 1,234.5 and Jun 30, 2026.
Every page, export, report and API explanation formats through these functions, so one place
decides how a number reads:

- a count is a whole number; money (đồng) has no decimals, and in ranges and summaries large
  amounts read in millions and billions ("7,1–31,7 triệu", "7.1–31.7 million");
- other numbers keep at most the decimals asked for, trailing zeros dropped (97, not 97,00);
- a range whose ends are equal reads as one number ("0,25", not "0,25–0,25").
"""

import datetime as dt
import functools
import math
import re
from typing import TypeGuard

from babel.dates import format_date, format_time
from babel.numbers import format_compact_decimal, format_decimal, format_scientific

NONE = "–"
# The functions pages call by name (web/i18n.py offers them to every template).
TEMPLATE_HELPERS = ("number_text", "count_text", "percent_text", "share_text", "money_text",
                    "value_text", "range_text", "date_text", "datetime_text", "period_text")
# dd/mm/yyyy in Vietnamese (CLDR's short form drops the leading zeros and the century).
_DATE_FORMATS = {"vi": "dd/MM/yyyy", "en": "medium"}
# Money from this size on reads as millions or billions where a summary is enough.
_COMPACT_FROM = 1_000_000
_WHOLE_UNITS = ("count", "currency")
# Beyond this, digits stop meaning anything (and exceed decimal's precision): 1,2E18.
_DAY_LABEL = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_HUGE = 1e15  # the largest magnitude advisor/values.py lets in, still written in full


def _finite(value: float | None) -> TypeGuard[float]:
    return value is not None and not isinstance(value, bool) and math.isfinite(value)


def number_text(value: float | None, lang: str, decimals: int = 2) -> str:
    """Return `value` with at most `decimals` decimals in the language's style; '–' for none."""
    if not _finite(value):
        return NONE
    return _formatted(float(value), lang, decimals)


@functools.lru_cache(maxsize=16_384)
def _formatted(value: float, lang: str, decimals: int) -> str:
    """Return the number as Babel writes it; kept, as a review page writes the same numbers
    (limits, targets, counts) thousands of times and Babel takes 0.1 ms for each."""
    if abs(value) > _HUGE:
        return format_scientific(value, format="0.###E0", locale=lang)
    pattern = "#,##0" + ("." + "#" * decimals if decimals > 0 else "")
    text = format_decimal(value, format=pattern, locale=lang)
    return "0" if text == "-0" else text


def count_text(value: float | None, lang: str) -> str:
    """Return a count as a whole number, thousands grouped."""
    return number_text(value, lang, 0)


def percent_text(value: float | None, lang: str, decimals: int = 1) -> str:
    """Return a value already in percent (45.5) as "45,5%" / "45.5%"."""
    return NONE if not _finite(value) else f"{number_text(value, lang, decimals)}%"


def share_text(share: float | None, lang: str) -> str:
    """Return a share of 1 (0.456) as a whole percentage ("46%")."""
    return NONE if not _finite(share) else percent_text(100 * share, lang, 0)


def money_text(value: float | None, lang: str, compact: bool = False) -> str:
    """Return an amount of money: whole đồng, or with compact=True large amounts in millions
    and billions with one decimal ("7,1 triệu", "31.7 billion")."""
    if not _finite(value):
        return NONE
    if compact and abs(value) >= _COMPACT_FROM:
        return format_compact_decimal(value, format_type="long", fraction_digits=1,
                                      locale=lang)
    # Amounts below 1,000 are rarely đồng; they keep the cents they were typed with.
    return number_text(value, lang, 0 if abs(value) >= 1000 else 2)


def value_text(value: float | None, unit: str | None, lang: str, decimals: int = 2,
               compact: bool = False) -> str:
    """Return a KPI's value as its unit deserves: counts and money whole, percentages with a
    percent sign, anything else with at most `decimals` decimals."""
    if unit == "count":
        return count_text(value, lang)
    if unit == "currency":
        return money_text(value, lang, compact)
    if unit == "percent":
        return percent_text(value, lang, decimals)
    return number_text(value, lang, decimals)


def range_text(low: float | None, high: float | None, lang: str, unit: str | None = None,
               decimals: int = 2) -> str:
    """Return "low–high" in the unit's style; one number when both ends read the same, and
    large money in millions or billions with the word said once ("7,1–31,7 triệu")."""
    compact = unit == "currency"
    first = value_text(low, unit, lang, decimals, compact)
    last = value_text(high, unit, lang, decimals, compact)
    if first == last:
        return first
    for suffix in ("%",) + _compact_words(lang):
        if first.endswith(suffix) and last.endswith(suffix):
            return f"{first.removesuffix(suffix).rstrip()}–{last}"
    return f"{first}–{last}"


@functools.cache
def _compact_words(lang: str) -> tuple[str, ...]:
    """Return the words compact money ends with in `lang` (" triệu", " tỷ", ...)."""
    words = []
    for size in (10 ** 6, 10 ** 9, 10 ** 12):
        text = format_compact_decimal(size, format_type="long", locale=lang)
        words.append(text[text.rfind(" "):] if " " in text else text.lstrip("0123456789"))
    return tuple(words)


def date_text(value: dt.date | str | None, lang: str) -> str:
    """Return a date as the language writes it: 30/06/2026 or Jun 30, 2026; '–' for none."""
    if value is None or value == "":
        return NONE
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, _DATE_FORMATS.get(lang, "medium"), locale=lang)


def period_text(label: str, lang: str) -> str:
    """Return a period label as people read it: a day's label (2026-06-30) as the language
    writes dates; months, quarters and weeks (2026-06, 2026-Q2, 2026-W26) as they are, the
    notation the imports read."""
    if _DAY_LABEL.fullmatch(label):
        return date_text(label, lang)
    return label


def list_text(items: list[str]) -> str:
    """Return items joined by commas, or by semicolons when an item holds a comma itself
    (English dates do: Jan 1, 2025; Jan 2, 2025)."""
    return ("; " if any("," in item for item in items) else ", ").join(items)


def datetime_text(value: dt.datetime | str | None, lang: str) -> str:
    """Return a moment (stored as ISO text) as date and minutes: 30/06/2026 14:05 or
    Jun 30, 2026, 2:05 PM."""
    if value is None or value == "":
        return NONE
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    time = format_time(value.time(), "short", locale=lang)
    return f"{date_text(value.date(), lang)}{' ' if lang == 'vi' else ', '}{time}"


def decimals_for(spread: float, unit: str | None) -> int:
    """Return how many decimals a KPI's numbers deserve, from the width of its natural range."""
    if unit in _WHOLE_UNITS:
        return 0
    if not math.isfinite(spread) or spread <= 0:
        return 2
    return max(0, min(4, 2 - math.floor(math.log10(spread))))


class Blank(dict):
    """Leave unknown placeholders visible rather than failing on them."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def round_to_scale(value: float, scale: float, steps: int) -> float:
    """Return `value` rounded to a power of ten near `scale` / `steps`: a suggested level of
    5,122,252,747 reads 5,120,000,000 when the change is half a billion, 104.3 reads 104."""
    if scale <= 0 or not math.isfinite(scale):
        return value
    unit = 10 ** math.floor(math.log10(scale / steps))
    return round(round(value / unit) * unit, 10)
