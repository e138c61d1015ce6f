"""Numbers and placeholders as people read them, in Vietnamese or English."""

import datetime as dt
import math

# Vietnamese writes 12.345,6 where English writes 12,345.6.
_SEPARATORS = {"vi": (".", ","), "en": (",", ".")}


def number_text(value: float | None, lang: str, decimals: int) -> str:
    """Return `value` with at most `decimals` decimals, in the language's style; '–' for none."""
    if value is None or not math.isfinite(value):
        return "–"
    thousands, point = _SEPARATORS.get(lang, _SEPARATORS["en"])
    text = f"{value:,.{decimals}f}"
    if "." in text:
        # A whole-number target reads 97, not 97.0.
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(",", "\0").replace(".", point).replace("\0", thousands)


class Blank(dict):
    """Leave unknown placeholders visible rather than failing on them."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def date_text(day: dt.date, lang: str) -> str:
    """Return a date as the language writes it: 31/12/2026 in Vietnamese, ISO in English."""
    return day.strftime("%d/%m/%Y") if lang == "vi" else day.isoformat()


def round_to_scale(value: float, scale: float, steps: int) -> float:
    """Return `value` rounded to a power of ten near `scale` / `steps`: a suggested level of
    5,122,252,747 reads 5,120,000,000 when the change is half a billion, 104.3 reads 104."""
    if scale <= 0 or not math.isfinite(scale):
        return value
    unit = 10 ** math.floor(math.log10(scale / steps))
    return round(round(value / unit) * unit, 10)
