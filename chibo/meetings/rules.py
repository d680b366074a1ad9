"""Numbers about meetings, each with its source (RULES.md §1). Read through `rule_for`."""

from typing import Any

from chibo.units.models import Unit

DEFAULTS: dict[str, tuple[Any, str]] = {
    "regular_window_first_day": (3, "Hậu Lộc: sinh hoạt định kỳ ngày mùng 3–5 hằng tháng (local)"),
    "regular_window_last_day": (5, "Hậu Lộc: sinh hoạt định kỳ ngày mùng 3–5 hằng tháng (local)"),
    "regular_start_hour": (19, "Chỉ thị 50-CT/TW (2025) khuyến khích sinh hoạt buổi tối"),
    "min_minutes": (90, "42-HD/BTCTW (2025): thời lượng tối thiểu 90 phút"),
    "min_minutes_with_thematic": (
        120,
        "42-HD/BTCTW (2025): chuyên đề cùng buổi tối thiểu 120 phút",
    ),
    "documents_days_before": (1, "42-HD/BTCTW (2025): tài liệu gửi trước ít nhất 1 ngày"),
    "attendance_target_percent": (85, "Hậu Lộc: trên 85% đảng viên dự đủ (local target)"),
    "checkin_opens_minutes_before": (
        30,
        "local practice: tự điểm danh mở 30 phút trước giờ họp",
    ),
    "checkin_closes_hours_after": (
        4,
        "local practice: tự điểm danh đóng 4 giờ sau giờ họp, nếu chưa ghi giờ kết thúc",
    ),
}


def rule_for(unit: Unit | None, name: str) -> Any:
    """The value of rule `name` for `unit`: the defaults until a subtree sets its own."""
    return DEFAULTS[name][0]


def source(name: str) -> str:
    return DEFAULTS[name][1]
