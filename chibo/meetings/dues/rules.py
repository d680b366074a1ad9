"""Numbers about party dues, each with its source (RULES.md §2.2, §5), in the rulebook.

The amounts themselves (2.000–30.000 đ for "other" members, half beyond working age) live
with the member's record in `chibo.members.rules`.
"""

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from chibo import rulebook
from chibo.rulebook import Rule
from chibo.units.models import Unit

CALENDAR_YEAR = "calendar_year"  # January to December of the month asked about
ROLLING_12_MONTHS = "rolling_12_months"  # the 12 months ending with the month asked about

rulebook.register(
    Rule(
        "meetings.dues_unpaid_months_flag",
        3,
        "24-QĐ/TW §8.1: không đóng đảng phí ba tháng trong năm mà không có lý do chính đáng "
        "là căn cứ xem xét xóa tên (đề nghị, không tự động)",
        _("Số tháng không đóng đảng phí thì đề nghị xem xét xóa tên"),
        _("tháng"),
        minimum=1,
    ),
    Rule(
        "meetings.dues_unpaid_window",
        CALENDAR_YEAR,
        "RULES.md §2.2: 'trong năm' đọc là năm dương lịch; năm dương lịch hay 12 tháng liên "
        "tiếp: CHƯA XÁC NHẬN (UNCONFIRMED)",
        _("Cách đếm 'trong năm' (calendar_year: năm dương lịch; rolling_12_months: 12 tháng)"),
        sure=False,
        choices=(CALENDAR_YEAR, ROLLING_12_MONTHS),
    ),
)


def rule(name: str, unit: Unit | None = None, on: date | None = None) -> Any:
    """The value of rule `name` for `unit` on `on` (nearest setting above, else default)."""
    return rulebook.rule(f"meetings.dues_{name}", unit, on)


def source(name: str) -> str:
    return rulebook.source(f"meetings.dues_{name}")
