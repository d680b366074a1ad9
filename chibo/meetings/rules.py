"""Numbers about meetings, each with its source (RULES.md §1), in the rulebook.

Read through `rule_for(unit, name, on)`: the nearest unit at or above `unit` that set its own
value wins (a province its window, a commune its attendance target), else the default.
"""

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chibo import rulebook
from chibo.rulebook import Rule
from chibo.units.models import Unit

DAY, MINUTES = _("(ngày trong tháng)"), _("phút")
WINDOW = "Hậu Lộc: sinh hoạt định kỳ ngày mùng 3–5 hằng tháng (local)"

rulebook.register(
    Rule(
        "meetings.regular_window_first_day",
        3,
        WINDOW,
        _("Sinh hoạt thường kỳ: từ ngày"),
        DAY,
        local=True,
        minimum=1,
        maximum=28,
    ),
    Rule(
        "meetings.regular_window_last_day",
        5,
        WINDOW,
        _("Sinh hoạt thường kỳ: đến ngày"),
        DAY,
        local=True,
        minimum=1,
        maximum=31,
    ),
    Rule(
        "meetings.regular_start_hour",
        19,
        "Chỉ thị 50-CT/TW (2025) khuyến khích sinh hoạt buổi tối",
        _("Giờ bắt đầu sinh hoạt thường kỳ"),
        _("giờ"),
        local=True,
        minimum=0,
        maximum=23,
    ),
    Rule(
        "meetings.min_minutes",
        90,
        "42-HD/BTCTW (2025): thời lượng tối thiểu 90 phút",
        _("Thời lượng tối thiểu của cuộc họp"),
        MINUTES,
        minimum=1,
    ),
    Rule(
        "meetings.min_minutes_with_thematic",
        120,
        "42-HD/BTCTW (2025): chuyên đề cùng buổi tối thiểu 120 phút",
        _("Thời lượng tối thiểu khi có sinh hoạt chuyên đề cùng buổi"),
        MINUTES,
        minimum=1,
    ),
    Rule(
        "meetings.documents_days_before",
        1,
        "42-HD/BTCTW (2025): tài liệu gửi trước ít nhất 1 ngày",
        _("Gửi tài liệu trước cuộc họp ít nhất"),
        pgettext_lazy("unit of a rule", "ngày"),
        minimum=0,
    ),
    Rule(
        "meetings.attendance_target_percent",
        85,
        "Hậu Lộc: trên 85% đảng viên dự đủ (local target)",
        _("Chỉ tiêu tỷ lệ đảng viên dự sinh hoạt"),
        "%",
        local=True,
        minimum=1,
        maximum=100,
    ),
    Rule(
        "meetings.checkin_opens_minutes_before",
        30,
        "local practice: tự điểm danh mở 30 phút trước giờ họp",
        _("Tự điểm danh mở trước giờ họp"),
        MINUTES,
        local=True,
        minimum=0,
    ),
    Rule(
        "meetings.checkin_closes_hours_after",
        4,
        "local practice: tự điểm danh đóng 4 giờ sau giờ họp, nếu chưa ghi giờ kết thúc",
        _("Tự điểm danh đóng sau giờ họp (khi chưa ghi giờ kết thúc)"),
        _("giờ"),
        local=True,
        minimum=1,
    ),
    Rule(
        "meetings.online_approved",
        False,
        "03-HD/TW (27/12/2022): thí điểm sinh hoạt đảng trực tuyến ở chi bộ, đảng bộ cơ sở có "
        "tính chất đặc thù, khi quá nửa đảng viên không thể họp trực tiếp; cấp ủy cấp trên "
        "cho phép (RULES.md §1.6)",
        _("Được phép sinh hoạt trực tuyến hoặc kết hợp"),
        local=True,
        decided_above=True,
    ),
)


def rule_for(unit: Unit | None, name: str, on: date | None = None) -> Any:
    """The value of rule `name` for `unit` on `on` (nearest setting above, else default)."""
    return rulebook.rule(f"meetings.{name}", unit, on)


def source(name: str) -> str:
    return rulebook.source(f"meetings.{name}")
