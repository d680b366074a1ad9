"""Reads on meetings: who is expected, and attendance figures."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.lib.bulk import among
from chibo.lib.dates import format_date
from chibo.lib.intervals import active_on
from chibo.meetings.models import Attendance, Mark, Meeting, MeetingState
from chibo.meetings.rules import rule_for
from chibo.members.models import Member, Membership, MembershipKind, MemberStatus, Status
from chibo.members.selectors import status_at


def meeting_day(meeting: Meeting) -> date:
    return timezone.localtime(meeting.starts_at).date()


@dataclass(frozen=True)
class Expected:
    """Who a meeting expects (counted) and who may come without being counted."""

    members: list[Member]
    exempted: list[Member]  # may attend: recorded present, not counted in the rate
    attached_elsewhere: list[Member]  # neither expected nor counted


def expected(meeting: Meeting, only: Collection[int] | None = None) -> Expected:
    """The members a cell's meeting expects on its day (one query); with `only`, among those
    member ids alone (is this member expected? a single row rather than the whole cell's).

    Expected: official and probationary members of the cell and members temporarily attached
    to it. Not expected: exempted members (they may come), members temporarily attached
    elsewhere, suspended members. RULES.md §1.4, §1.5, §2.3, §2.4.
    """
    day = meeting_day(meeting)
    rows = Membership.objects.filter(active_on(day), unit_id=meeting.unit_id)
    if only is not None:
        rows = rows.filter(among("member_id", list(only)))
    rows = (
        rows.select_related("member")
        .annotate(status=status_at(day))
        .order_by("member__sort_name", "member_id")
    )
    return classify((row.kind, row.status, row.member) for row in rows)


def is_expected(meeting: Meeting, member: Member, *, or_exempted: bool = False) -> bool:
    """Whether `member` is expected at `meeting` (or, `or_exempted`, may come uncounted)."""
    found = expected(meeting, only=[member.pk])
    return member in found.members or (or_exempted and member in found.exempted)


def classify(rows: Iterable[tuple[str, str | None, Member]]) -> Expected:
    """Sort (membership kind, status that day, member) rows of a unit into who is expected:
    the one statement of the rule, for one meeting here and for many in `meetings.history`."""
    members, exempted, elsewhere = [], [], []
    for kind, status, member in rows:
        if kind == MembershipKind.TEMPORARY:
            if status == Status.ATTACHED:
                members.append(member)
        elif status in (Status.OFFICIAL, Status.PROBATIONARY):
            members.append(member)
        elif status == Status.EXEMPTED:
            exempted.append(member)
        elif status == Status.ATTACHED:
            elsewhere.append(member)
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


LOCKED = (MeetingState.CLOSED, MeetingState.CANCELLED)
HELD = (MeetingState.HELD, MeetingState.CLOSED)


def with_turnout(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Each meeting with `expected_n` and `present_n`, in the same query: the rule of
    `selectors.expected` (RULES.md §1.5) written as SQL, so that a list costs one query.

    A membership counts if the member's status that day is one its kind expects, tested with
    EXISTS (the statuses of a member do not overlap): a semi-join, where reading each
    membership's status first and comparing it after took twice as long for a 300-member
    cell's year of meetings."""
    day = OuterRef("day")
    member_day = OuterRef(OuterRef("day"))
    status_that_day = MemberStatus.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=member_day),
        valid_from__lte=member_day,
        member_id=OuterRef("member_id"),
    )
    expected = (
        Membership.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            valid_from__lte=day,
            unit_id=OuterRef("unit_id"),
        )
        .filter(
            (
                Q(kind=MembershipKind.TEMPORARY)
                & Exists(status_that_day.filter(status=Status.ATTACHED))
            )
            | (
                ~Q(kind=MembershipKind.TEMPORARY)
                & Exists(status_that_day.filter(status__in=[Status.OFFICIAL, Status.PROBATIONARY]))
            )
        )
        .order_by()
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    present = (
        Attendance.objects.filter(
            meeting=OuterRef("pk"), counted=True, mark__in=[Mark.PRESENT, Mark.LATE]
        )
        .order_by()
        .values("meeting_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return meetings.annotate(
        day=TruncDate("starts_at", tzinfo=timezone.get_current_timezone()),
        expected_n=Coalesce(Subquery(expected), 0),
        present_n=Coalesce(Subquery(present), 0),
    )


def expected_count(meeting: Meeting) -> int:
    """How many members `meeting` expects: `len(expected(meeting).members)`, counted in SQL
    (`with_turnout`) rather than read member by member."""
    return int(with_turnout(Meeting.objects.filter(pk=meeting.pk)).get().expected_n)  # type: ignore[attr-defined]


def rate_of(meeting: Any) -> float | None:
    """Turnout % of a meeting annotated by `with_turnout`, once it has been held."""
    if meeting.state not in HELD or not meeting.expected_n:
        return None
    return round(100 * meeting.present_n / meeting.expected_n, 1)


@dataclass(frozen=True)
class Window:
    """When self check-in (and the roll call) is open."""

    opens: datetime
    closes: datetime


def window(meeting: Meeting) -> Window:
    """From a little before the start until the recorded end, or a few hours after the start."""
    before = timedelta(minutes=rule_for(meeting.unit, "checkin_opens_minutes_before"))
    after = timedelta(hours=rule_for(meeting.unit, "checkin_closes_hours_after"))
    return Window(meeting.starts_at - before, meeting.ends_at or meeting.starts_at + after)


def moment(when: datetime) -> str:
    """19:30 ngày 04/03/2026, in Vietnam's time."""
    local = timezone.localtime(when)
    return _("%(time)s ngày %(day)s") % {"time": f"{local:%H:%M}", "day": format_date(local)}


def roll_refusal(meeting: Meeting) -> str | None:
    """Why the roll cannot be taken now: the meeting is locked, or has not begun."""
    if meeting.state in LOCKED:
        return _("Cuộc họp đã khóa biên bản; không sửa điểm danh được nữa.")
    opens = window(meeting).opens
    if timezone.now() < opens:
        return _("Chưa đến giờ họp: điểm danh mở từ %(when)s.") % {"when": moment(opens)}
    return None
