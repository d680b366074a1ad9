"""Who sets the criteria of meeting quality, and which meetings are assessed (RULES.md §1.7).

No national scoring standard exists: a province issues its own framework (e.g. Quảng Nam,
Quy định 15-QĐi/TU, 14/11/2018), and so may a commune or, before 1/7/2025, a district; a base
organisation with its cells (đảng ủy cơ sở) is the pre-2025 commune. A cell does not set the
criteria it assesses itself against.
"""

from chibo.meetings.models import MeetingKind, MeetingState
from chibo.units.models import Unit, UnitKind

FRAMEWORK_KINDS = (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE, UnitKind.BASE)
# The cell's own meetings: the monthly self-assessment form ("Biểu tự đánh giá chất lượng sinh
# hoạt chi bộ tháng …") covers the regular and the thematic meeting.
ASSESSED_KINDS = (MeetingKind.REGULAR, MeetingKind.THEMATIC)
ASSESSED_STATES = (MeetingState.HELD, MeetingState.CLOSED)
MAX_POINTS = 1000  # a framework's total, far above the usual 100


def sets_frameworks(unit: Unit) -> bool:
    return unit.kind in FRAMEWORK_KINDS
