"""Numbers from the Party's rules about admission and recognition, each with its source
(RULES.md §2.1, §3, §13.1), registered in the rulebook.

Read them through `rule_for(unit, name, on)` alone: the nearest unit at or above `unit` that set
its own value wins, else the regulation's default. Rules RULES.md marks UNCONFIRMED are
registered with `sure=False`, so the rules page says they are defaults to check.
"""

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from chibo import rulebook
from chibo.rulebook import Rule
from chibo.units.models import Unit

MONTHS, WORKDAYS = _("tháng"), _("ngày làm việc")
STATUTE = "232-QĐ/TW (20/01/2025), thay bằng 294-QĐ/TW (26/05/2025)"

rulebook.register(
    Rule(
        "recruitment.min_age_months",
        18 * 12,
        f"{STATUTE}: từ đủ 18 tuổi, tính theo tháng, đến ngày chi bộ xét kết nạp — RULES.md §2.1",
        _("Tuổi thấp nhất được xét kết nạp"),
        MONTHS,
        minimum=12 * 16,
    ),
    Rule(
        "recruitment.max_age_months",
        60 * 12,
        f"{STATUTE}: không quá 60 tuổi, tính theo tháng; trên 60 tuổi do cấp ủy trực thuộc "
        "Trung ương xem xét — RULES.md §2.1",
        _("Tuổi cao nhất được xét kết nạp"),
        MONTHS,
        minimum=12 * 18,
    ),
    Rule(
        "recruitment.certificate_valid_months",
        60,
        "Chưa xác minh được văn bản gốc (trang thứ cấp ghi 5 năm) — RULES.md §3.3, §13.1",
        _("Thời hạn giá trị của giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng"),
        MONTHS,
        sure=False,
        minimum=1,
    ),
    Rule(
        "recruitment.introducer_months",
        12,
        "24-QĐ/TW §3.2.1, nhắc lại ở 232-QĐ/TW: người giới thiệu cùng công tác, học tập, cư trú "
        "với người vào Đảng ít nhất 12 tháng — RULES.md §3.2",
        _("Thời gian người giới thiệu cùng công tác với người vào Đảng"),
        MONTHS,
        minimum=0,
    ),
    Rule(
        "recruitment.youth_max_age",
        30,
        "Điều lệ Đảng, Điều 4(1); tuổi đoàn viên theo Điều lệ Đoàn TNCS Hồ Chí Minh — "
        "RULES.md §3.2",
        _("Tuổi cao nhất được Đoàn thanh niên giới thiệu"),
        _("tuổi"),
        sure=False,
        minimum=16,
    ),
    Rule(
        "recruitment.vote_numerator",
        2,
        "Điều lệ Đảng, Điều 4(3), Điều 5(2): ít nhất hai phần ba số đảng viên chính thức (chi bộ) "
        "hoặc số cấp ủy viên (đảng ủy) tán thành — RULES.md §3.3",
        _("Tỷ lệ tán thành cần đạt: tử số"),
        minimum=1,
    ),
    Rule(
        "recruitment.vote_denominator",
        3,
        "Điều lệ Đảng, Điều 4(3), Điều 5(2) — RULES.md §3.3",
        _("Tỷ lệ tán thành cần đạt: mẫu số"),
        minimum=1,
    ),
    Rule(
        "recruitment.decision_workdays",
        60,
        f"{STATUTE} §4.3.1: cấp ủy có thẩm quyền quyết định trong 60 ngày làm việc kể từ ngày "
        "chi bộ có nghị quyết — RULES.md §3.3",
        _("Hạn quyết định kết nạp"),
        WORKDAYS,
        minimum=1,
    ),
    Rule(
        "recruitment.extension_workdays",
        30,
        f"{STATUTE} §4.3.1: trường hợp đặc biệt được kéo dài không quá 30 ngày làm việc — "
        "RULES.md §3.3",
        _("Gia hạn quyết định nhiều nhất"),
        WORKDAYS,
        minimum=0,
    ),
    Rule(
        "recruitment.ceremony_workdays",
        30,
        f"{STATUTE} §4.1: tổ chức lễ kết nạp trong 30 ngày làm việc kể từ ngày nhận quyết định — "
        "RULES.md §3.3",
        _("Hạn tổ chức lễ kết nạp"),
        WORKDAYS,
        minimum=1,
    ),
    Rule(
        "recruitment.recognition_workdays",
        30,
        f"29-QĐ/TW §4.2, nhắc lại ở {STATUTE}: chi bộ xét công nhận trong 30 ngày làm việc "
        "kể từ khi hết 12 tháng dự bị — RULES.md §3.4",
        _("Hạn chi bộ xét công nhận đảng viên chính thức"),
        WORKDAYS,
        minimum=1,
    ),
    Rule(
        "recruitment.recognition_decision_workdays",
        30,
        f"{STATUTE} §4.3.1: quyết định công nhận trong 30 ngày làm việc kể từ ngày chi bộ có "
        "nghị quyết — RULES.md §3.3",
        _("Hạn quyết định công nhận đảng viên chính thức"),
        WORKDAYS,
        minimum=1,
    ),
    Rule(
        "recruitment.failed_votes_to_escalate",
        3,
        "29-QĐ/TW §4.2, nhắc lại ở các quy định sau: biểu quyết ba lần không đủ hai phần ba thì "
        "báo cáo cấp ủy cấp trên trực tiếp — RULES.md §3.4",
        _("Số lần biểu quyết không đạt thì chuyển cấp trên"),
        _("lần"),
        minimum=1,
    ),
    Rule(
        "recruitment.review_months",
        1,
        "12-HD/BTCTW (18/01/2022): hằng tháng chi bộ rà soát danh sách quần chúng ưu tú — "
        "RULES.md §3.1",
        _("Chu kỳ rà soát danh sách quần chúng ưu tú"),
        MONTHS,
        local=True,
        minimum=1,
    ),
    Rule(
        "recruitment.base_decides",
        False,
        "29-QĐ/TW §4.3.2: đảng ủy cơ sở được ủy quyền thì quyết định kết nạp; sau 1/7/2025 cấp "
        "được ủy quyền chưa xác minh — RULES.md §3.3",
        _("Đảng ủy cơ sở được ủy quyền quyết định kết nạp"),
        sure=False,
        decided_above=True,
        local=True,
    ),
)


def rule_for(unit: Unit | None, name: str, on: date | None = None) -> Any:
    """The value of rule `name` for `unit` on `on`: the one place the numbers are read."""
    return rulebook.rule(f"recruitment.{name}", unit, on)


def source(name: str) -> str:
    return rulebook.source(f"recruitment.{name}")
