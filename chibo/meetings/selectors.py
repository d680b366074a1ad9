"""Reads on meetings: who is expected, and attendance figures."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from chibo.lib.intervals import active_on
from chibo.meetings.models import Attendance, Mark, Meeting
from chibo.members.models import Member, Membership, MembershipKind, Status
from chibo.members.selectors import status_at


def meeting_day(meeting: Meeting) -> date:
    return timezone.localtime(meeting.starts_at).date()


@dataclass(frozen=True)
class Expected:
    """Who a meeting expects (counted) and who may come without being counted."""

    members: list[Member]
    exempted: list[Member]  # may attend: recorded present, not counted in the rate
    attached_elsewhere: list[Member]  # neither expected nor counted


def expected(meeting: Meeting) -> Expected:
    """The members a cell's meeting expects on its day (one query).

    Expected: official and probationary members of the cell and members temporarily attached
    to it. Not expected: exempted members (they may come), members temporarily attached
    elsewhere, suspended members. RULES.md §1.4, §1.5, §2.3, §2.4.
    """
    day = meeting_day(meeting)
    rows = (
        Membership.objects.filter(active_on(day), unit_id=meeting.unit_id)
        .select_related("member")
        .annotate(status=status_at(day))
        .order_by("member__sort_name", "member_id")
    )
    members, exempted, elsewhere = [], [], []
    for row in rows:
        status = row.status
        if row.kind == MembershipKind.TEMPORARY:
            if status == Status.ATTACHED:
                members.append(row.member)
        elif status in (Status.OFFICIAL, Status.PROBATIONARY):
            members.append(row.member)
        elif status == Status.EXEMPTED:
            exempted.append(row.member)
        elif status == Status.ATTACHED:
            elsewhere.append(row.member)
    return Expected(members, exempted, elsewhere)


@dataclass(frozen=True)
class Turnout:
    expected: int
    present: int  # present or late, counted
    excused: int
    unexcused: int
    unmarked: int

    @property
    def rate(self) -> float | None:
        """Share of the expected members who came (present or late), 0–100."""
        return round(100 * self.present / self.expected, 1) if self.expected else None


def turnout(meeting: Meeting, expected_count: int | None = None) -> Turnout:
    marks = list(
        Attendance.objects.filter(meeting=meeting, counted=True).values_list("mark", flat=True)
    )
    total = len(expected(meeting).members) if expected_count is None else expected_count
    present = sum(1 for m in marks if m in (Mark.PRESENT, Mark.LATE))
    excused = marks.count(Mark.EXCUSED)
    unexcused = marks.count(Mark.UNEXCUSED)
    return Turnout(total, present, excused, unexcused, max(0, total - len(marks)))


def meetings_of(unit_id: int) -> QuerySet[Meeting]:
    return Meeting.objects.filter(unit_id=unit_id).order_by("-starts_at")
