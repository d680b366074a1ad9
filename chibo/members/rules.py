"""Numbers from the Party's rules about members, each with its source (RULES.md §2, §5).

Registered in the rulebook (`chibo.rulebook`); read them through `rule(name, unit, on)`.
"""

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from chibo import rulebook
from chibo.rulebook import Rule
from chibo.units.models import Unit

MONTHS, WORKDAYS, DONG = _("tháng"), _("ngày làm việc"), _("đồng/tháng")

rulebook.register(
    Rule(
        "members.probation_months",
        12,
        "Điều lệ Đảng, Điều 5(1): dự bị 12 tháng kể từ ngày kết nạp",
        _("Thời gian dự bị"),
        MONTHS,
        minimum=1,
    ),
    Rule(
        "members.min_admission_age",
        18,
        "232-QĐ/TW (2025): từ đủ 18 tuổi",
        _("Tuổi tối thiểu được kết nạp"),
        _("tuổi"),
        minimum=16,
    ),
    Rule(
        "members.transfer_presentation_workdays",
        30,
        "29-QĐ/TW §6.3 (nhắc lại ở các quy định sau): nộp giấy giới thiệu trong 30 ngày làm việc",
        _("Hạn xuất trình giấy giới thiệu sinh hoạt đảng"),
        WORKDAYS,
        minimum=1,
    ),
    Rule(
        "members.temporary_transfer_min_months",
        3,
        "29-QĐ/TW §6.3, 01-HD/TW (2021) §10: chuyển sinh hoạt tạm thời từ 3 tháng trở lên",
        _("Chuyển sinh hoạt tạm thời: ngắn nhất"),
        MONTHS,
        minimum=1,
    ),
    Rule(
        "members.temporary_transfer_max_months",
        24,
        "01-HD/TW (2021) §10: học tập trong nước tối đa 2 năm",
        _("Chuyển sinh hoạt tạm thời: dài nhất"),
        MONTHS,
        minimum=1,
    ),
    Rule(
        "members.other_dues_min",
        2_000,
        "342-QĐ/TW: đảng viên khác 2.000–30.000 đ/tháng",
        _("Đảng phí của đảng viên khác: thấp nhất"),
        DONG,
        minimum=0,
    ),
    Rule(
        "members.other_dues_max",
        30_000,
        "342-QĐ/TW: đảng viên khác 2.000–30.000 đ/tháng",
        _("Đảng phí của đảng viên khác: cao nhất"),
        DONG,
        minimum=0,
    ),
)


def rule(name: str, unit: Unit | None = None, on: date | None = None) -> Any:
    """The value of rule `name` for `unit` on `on`: the nearest setting above it, else the
    regulation's default."""
    return rulebook.rule(f"members.{name}", unit, on)


def source(name: str) -> str:
    return rulebook.source(f"members.{name}")
