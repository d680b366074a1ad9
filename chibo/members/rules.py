"""Numbers from the Party's rules about members, each with its source (RULES.md §2, §5).

The single place to read them is `rule(name, unit)`: today every unit uses the defaults; a
committee that sets its own value for its subtree changes the lookup here, not the callers.
"""

from typing import Any

from chibo.units.models import Unit

DEFAULTS: dict[str, tuple[Any, str]] = {
    "probation_months": (12, "Điều lệ Đảng, Điều 5(1): dự bị 12 tháng kể từ ngày kết nạp"),
    "min_admission_age": (18, "232-QĐ/TW (2025): từ đủ 18 tuổi"),
    "transfer_presentation_workdays": (
        30,
        "29-QĐ/TW §6.3 (nhắc lại ở các quy định sau): nộp giấy giới thiệu trong 30 ngày làm việc",
    ),
    "temporary_transfer_min_months": (
        3,
        "29-QĐ/TW §6.3, 01-HD/TW (2021) §10: chuyển sinh hoạt tạm thời từ 3 tháng trở lên",
    ),
    "temporary_transfer_max_months": (24, "01-HD/TW (2021) §10: học tập trong nước tối đa 2 năm"),
    "other_dues_min": (2_000, "342-QĐ/TW: đảng viên khác 2.000–30.000 đ/tháng"),
    "other_dues_max": (30_000, "342-QĐ/TW: đảng viên khác 2.000–30.000 đ/tháng"),
}


def rule(name: str, unit: Unit | None = None) -> Any:
    """The value of rule `name` for `unit` (the defaults until a subtree sets its own)."""
    return DEFAULTS[name][0]


def source(name: str) -> str:
    return DEFAULTS[name][1]
