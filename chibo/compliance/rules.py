"""The numbers of the compliance monitor, each with its source, in the rulebook.

Obligations read the meetings', dues' and members' own rules by those apps' keys (a province
that moves its meeting window moves it for planning and for monitoring alike); the numbers
below are the monitor's own. Every obligation can be switched off for a subtree by the rule
`compliance.<code>_enabled`.

A whole month is evaluated for thousands of units at once, so `Reader` resolves a rule for a
unit from its path as the tree stood that month, against the settings the rulebook holds in
memory: no query per unit, the same answer as `rulebook.rule(key, unit, on)`.
"""

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chibo import rulebook
from chibo.rulebook import Rule
from chibo.rulebook.registry import SETTINGS, get
from chibo.units import treepath

DAYS, UNITS, PERCENT = pgettext_lazy("unit of a rule", "ngày"), _("đơn vị"), "%"
DEMO_DISTRICT = "Hậu Lộc (seed article): chỉ tiêu địa phương"

rulebook.register(
    Rule(
        "compliance.minutes_close_days",
        7,
        "RULES.md §1.2(5): việc sau cuộc họp CHƯA XÁC NHẬN; mặc định của chibo: khóa biên bản "
        "trong 7 ngày (local)",
        _("Khóa biên bản trong vòng"),
        DAYS,
        sure=False,
        local=True,
        minimum=0,
    ),
    Rule(
        "compliance.attendance_warning_points",
        5,
        "chibo: dưới chỉ tiêu không quá 5 điểm phần trăm là 'cần chú ý', thấp hơn là 'không đạt'",
        _("Tỷ lệ dự họp dưới chỉ tiêu bao nhiêu điểm % thì chỉ là cần chú ý"),
        PERCENT,
        local=True,
        minimum=0,
        maximum=100,
    ),
    Rule(
        "compliance.min_official_members",
        3,
        "Điều lệ Đảng, Điều 24(1): chi bộ có ít nhất 3 đảng viên chính thức — RULES.md §1.1",
        _("Chi bộ có ít nhất (đảng viên chính thức)"),
        _("đảng viên chính thức"),
        minimum=1,
    ),
    Rule(
        "compliance.absence_months_flag",
        3,
        "24-QĐ/TW §8.1: bỏ sinh hoạt đảng ba tháng trong năm không có lý do chính đáng là căn "
        "cứ xem xét xóa tên (đề nghị, không tự động) — RULES.md §2.2",
        _("Số tháng vắng sinh hoạt không lý do thì đề nghị chi bộ xem xét xóa tên"),
        _("tháng"),
        minimum=1,
    ),
    Rule(
        "compliance.probation_notice_days",
        30,
        "chibo: nhắc chi bộ xét công nhận chính thức 30 ngày trước khi hết 12 tháng dự bị "
        "(PEERS.md §4.2)",
        _("Nhắc trước khi hết thời gian dự bị"),
        DAYS,
        local=True,
        minimum=0,
    ),
    Rule(
        "compliance.recognition_workdays",
        30,
        "29-QĐ/TW §4.2: chi bộ xét công nhận chính thức trong 30 ngày làm việc sau khi hết 12 "
        "tháng dự bị — RULES.md §3.4",
        _("Chi bộ xét công nhận chính thức trong vòng (ngày làm việc)"),
        _("ngày làm việc"),
        minimum=1,
    ),
    Rule(
        "compliance.rollup_failed_percent",
        10,
        "chibo: cấp trên 'không đạt' khi hơn 10% đơn vị trực thuộc không đạt, 'cần chú ý' khi "
        "có đơn vị chưa đạt",
        _("Cấp trên không đạt khi tỷ lệ đơn vị không đạt vượt quá"),
        PERCENT,
        local=True,
        minimum=0,
        maximum=100,
    ),
    Rule(
        "compliance.alert_escalation_days",
        10,
        "chibo: cảnh báo chưa xử lý sau 10 ngày thì chuyển lên cấp ủy cấp trên",
        _("Cảnh báo chưa xử lý thì chuyển lên cấp trên sau"),
        DAYS,
        local=True,
        minimum=1,
    ),
    Rule(
        "compliance.alert_months",
        2,
        "chibo: chỉ tạo cảnh báo cho tháng này và tháng trước; lịch sử cũ chỉ để thống kê",
        _("Tạo cảnh báo cho số tháng gần nhất"),
        _("tháng"),
        minimum=1,
        maximum=24,
    ),
)


def enabled_key(code: str) -> str:
    return f"compliance.{code}_enabled"


def register_switch(code: str, source: str, label: Any) -> None:
    """Every obligation has a switch: a committee turns it off for its subtree (a cell of
    fishermen at sea, an agency bloc without thematic meetings) without a code change."""
    rulebook.register(Rule(enabled_key(code), True, source, label, local=True))


class Reader:
    """The rules in force on `on` for units given by their path that day (no query per unit).

    A rule nobody set anywhere is its default for every unit, without looking at the path;
    otherwise the deepest setting on the unit's path wins, as in `rulebook.rule`."""

    def __init__(self, on: date) -> None:
        self.on = on
        self.held = SETTINGS.current()
        self.placed: dict[str, dict[int, Any]] = {}

    def __call__(self, key: str, path: str) -> Any:
        placed = self.placed.get(key)
        if placed is None:
            placed = self._in_force(key)
        if placed:
            for unit_id in reversed(treepath.ids(path)):
                if unit_id in placed:
                    return placed[unit_id]
        return get(key).default

    def _in_force(self, key: str) -> dict[int, Any]:
        """The settings of `key` in force on `on`, by the unit that holds them."""
        get(key)  # an unknown key is a mistake, whatever is set
        placed: dict[int, Any] = {}
        for h in self.held.get(key, []):
            if h.valid_from <= self.on and (h.valid_to is None or h.valid_to >= self.on):
                placed.setdefault(h.unit_id, h.value)
        self.placed[key] = placed
        return placed

    def values(self, key: str) -> list[Any]:
        """The default and every value set for some unit on `on`."""
        return [
            get(key).default,
            *(
                h.value
                for h in self.held.get(key, [])
                if h.valid_from <= self.on and (h.valid_to is None or h.valid_to >= self.on)
            ),
        ]

    def smallest(self, key: str) -> Any:
        """The smallest value any unit uses on `on`: a bound for a query over many units."""
        return min(self.values(key))
