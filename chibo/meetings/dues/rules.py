"""Numbers about party dues, each with its source (RULES.md §2.2, §5). Read through `rule`.

The amounts themselves (2.000–30.000 đ for "other" members, half beyond working age) live
with the member's record in `chibo.members.rules`.
"""

from typing import Any

from chibo.units.models import Unit

CALENDAR_YEAR = "calendar_year"  # January to December of the month asked about
ROLLING_12_MONTHS = "rolling_12_months"  # the 12 months ending with the month asked about

DEFAULTS: dict[str, tuple[Any, str]] = {
    "unpaid_months_flag": (
        3,
        "24-QĐ/TW §8.1: không đóng đảng phí ba tháng trong năm mà không có lý do chính đáng "
        "là căn cứ xem xét xóa tên (đề nghị, không tự động)",
    ),
    "unpaid_window": (
        CALENDAR_YEAR,
        "RULES.md §2.2: 'trong năm' đọc là năm dương lịch; năm dương lịch hay 12 tháng liên "
        "tiếp: CHƯA XÁC NHẬN (UNCONFIRMED)",
    ),
}


def rule(name: str, unit: Unit | None = None) -> Any:
    """The value of rule `name` for `unit` (the defaults until a subtree sets its own)."""
    return DEFAULTS[name][0]


def source(name: str) -> str:
    return DEFAULTS[name][1]
