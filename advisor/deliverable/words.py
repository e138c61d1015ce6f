"""The words of the deliverable (column titles, statements, units) and numbers as text."""

from advisor.exports import Quantity
from advisor.formatting import number_text
from catalog.models import Text

COMMITMENTS = {"committed": Text(vi="Cam kết", en="Committed"),
               "aspirational": Text(vi="Kỳ vọng", en="Aspirational")}
YES_NO = {True: Text(vi="Có", en="Yes"), False: Text(vi="Chưa", en="Not yet")}

# After a number: money in đồng, durations in their unit; percent takes its sign.
UNIT_AFTER = {"currency": Text(vi="₫", en="VND"), "days": Text(vi="ngày", en="days"),
              "hours": Text(vi="giờ", en="hours"), "months": Text(vi="tháng", en="months")}

STATEMENTS = {
    "higher_is_better": Text(vi="Tăng {name} từ {baseline} lên {target} trước {deadline}",
                             en="Raise {name} from {baseline} to {target} by {deadline}"),
    "lower_is_better": Text(vi="Giảm {name} từ {baseline} xuống {target} trước {deadline}",
                            en="Lower {name} from {baseline} to {target} by {deadline}"),
    "in_range": Text(vi="Giữ {name} trong khoảng {low}–{high} đến {deadline}",
                     en="Keep {name} between {low} and {high} until {deadline}"),
    "blank": Text(vi="[…]", en="[…]"),
}

REVIEW_RHYTHM = {
    "measured": Text(vi="Đo {frequency} từ {source}.", en="Measured {frequency} from {source}."),
    "reported": Text(vi="Báo cáo cho {report_to} sau mỗi lần đo.",
                     en="Reported to {report_to} after each measurement."),
    "reviewed": Text(vi="Rà soát mục tiêu mỗi quý bằng biểu đồ XmR.",
                     en="Target reviewed every quarter on an XmR chart."),
    "unknown": Text(vi="(chưa chọn)", en="(not chosen yet)"),
}


def quantity_text(quantity: Quantity | None, lang: str) -> str:
    """Return a number in its unit as people read it: 1.200.000.000 ₫, 45,5%, 12 ngày."""
    if quantity is None:
        return "–"
    decimals = 0 if quantity.unit in ("currency", "count") else 2
    text = number_text(quantity.value, lang, decimals)
    if quantity.unit == "percent":
        return text + "%"
    after = UNIT_AFTER.get(quantity.unit or "")
    return f"{text} {after.pick(lang)}" if after else text
