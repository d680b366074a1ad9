"""Past meeting books entered in bulk: meetings already held and closed, with their roll.

A committee digitising its cells' paper books (sổ ghi biên bản) has years of meetings per cell,
each with who came and who was absent and why. Entering them one by one through the roll-call
screen would cost a few queries per meeting and per member; here a cell's whole book is checked
against the same rule of who is expected (`selectors.classify`) and written in a few inserts,
all or nothing, with one audit event per cell. The demo's history since 2016 is written so.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.audit.services import record
from chibo.lib import bulk
from chibo.lib.dates import format_date, today
from chibo.meetings import selectors
from chibo.meetings.dues import services as dues_services
from chibo.meetings.models import (
    Attendance,
    DuesPayment,
    Mark,
    MarkSource,
    Meeting,
    MeetingKind,
    MeetingState,
)
from chibo.members.models import ON_ROLL, Member, Membership, MembershipKind, MemberStatus
from chibo.units.models import Unit

MARKS = frozenset(Mark.values)
BOOK_KINDS = (MeetingKind.REGULAR, MeetingKind.THEMATIC, MeetingKind.EXTRAORDINARY)


@dataclass
class PastMeeting:
    """One meeting of the book: when, what, and each member's mark (member id → (mark,
    reason)). Every expected member must be marked; an exempted member who came may be."""

    kind: str
    starts_at: datetime
    ends_at: datetime
    marks: Mapping[int, tuple[str, str]]
    title: str = ""
    place: str = ""
    minutes: str = ""
    conclusions: str = ""
    # The month's dues collected at a regular meeting: member id → (amount, paid).
    dues: Mapping[int, tuple[int, bool]] = field(default_factory=dict)


@dataclass
class Roll:
    """A cell's memberships and its members' statuses over the book's period, in memory."""

    memberships: list[Membership]
    statuses: dict[int, list[MemberStatus]] = field(default_factory=dict)

    def _status(self, member_id: int, day: date) -> str | None:
        for s in self.statuses.get(member_id, ()):
            if s.valid_from <= day and (s.valid_to is None or s.valid_to >= day):
                return s.status
        return None

    def _active(self, day: date) -> list[Membership]:
        return [
            m
            for m in self.memberships
            if m.valid_from <= day and (m.valid_to is None or m.valid_to >= day)
        ]

    def on_roll(self, day: date) -> dict[int, Member]:
        """The unit's roll on `day` (`members.selectors.on_roll`): members whose home unit it
        is, with a status on the roll; those who pay their dues here."""
        return {
            m.member_id: m.member
            for m in self._active(day)
            if m.kind == MembershipKind.OFFICIAL and self._status(m.member_id, day) in ON_ROLL
        }

    def expected_on(self, day: date) -> selectors.Expected:
        rows = [(m.kind, self._status(m.member_id, day), m.member) for m in self._active(day)]
        rows.sort(key=lambda r: (r[2].sort_name, r[2].pk))
        return selectors.classify(rows)


def roll_of(unit: Unit, first: date, last: date) -> Roll:
    """A unit's roll between two days, to ask who each meeting expects (two queries)."""
    memberships = list(
        Membership.objects.filter(unit=unit, valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .select_related("member")
    )
    roll = Roll(memberships)
    member_ids = {m.member_id for m in memberships}
    for s in MemberStatus.objects.filter(member_id__in=member_ids, valid_from__lte=last).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=first)
    ):
        roll.statuses.setdefault(s.member_id, []).append(s)
    return roll


def _refuse(number: int, day: date, message: str) -> ValidationError:
    return ValidationError(
        _("Cuộc họp thứ %(n)s (%(day)s): %(why)s")
        % {"n": number, "day": format_date(day), "why": message}
    )


@transaction.atomic
def record_past_meetings(unit: Unit, *, actor: User | None, book: Sequence[PastMeeting]) -> int:
    """Write a unit's past meetings, held and closed, with their roll; returns how many.

    Each is checked as the roll-call and closing screens check one meeting: the unit was
    active, a regular meeting is the only one of its month, only expected members (and
    exempted members who came) are marked, every expected member is, an excused absence has
    its reason, the end is after the start. One bad meeting refuses the whole book, naming it.
    """
    if not book:
        return 0
    days = [timezone.localtime(m.starts_at).date() for m in book]
    roll = roll_of(unit, min(days).replace(day=1), max(days))
    low, high = dues_services.other_dues_bounds(unit)
    paid_before = set(
        DuesPayment.objects.filter(
            member_id__in={m.member_id for m in roll.memberships},
            month__gte=min(days).replace(day=1),
            month__lte=max(days),
        ).values_list("member_id", "month")
    )
    taken: set[date] = {
        month
        for month in Meeting.objects.filter(unit=unit, kind=MeetingKind.REGULAR).values_list(
            "series_month", flat=True
        )
        if month is not None
    }
    actor_id = actor.pk if actor is not None else None
    errors: list[ValidationError] = []
    meetings: list[Meeting] = []
    rows: list[list[tuple[int, str, str, bool]]] = []
    dues: list[dict[int, tuple[int, bool]]] = []
    for number, (entry, day) in enumerate(zip(book, days, strict=True), start=1):
        problem = _check(unit, entry, day, taken)
        expected = roll.expected_on(day)
        counted = {m.pk for m in expected.members}
        welcome = counted | {m.pk for m in expected.exempted}
        if problem is None and set(entry.marks) - welcome:
            problem = _("có người không thuộc danh sách dự họp. (Not expected at this meeting.)")
        if problem is None and counted - set(entry.marks):
            problem = _(
                "còn %(n)s đảng viên chưa điểm danh. (Every expected member is marked.)"
            ) % {"n": len(counted - set(entry.marks))}
        bad_marks = [
            mark
            for mark, reason in entry.marks.values()
            if mark not in MARKS or (mark == Mark.EXCUSED and not reason.strip())
        ]
        if problem is None and bad_marks:
            problem = _("vắng có lý do phải ghi lý do. (An excused absence needs its reason.)")
        if problem is None and entry.dues:
            problem = _dues_problem(entry, day.replace(day=1), roll, paid_before, low, high)
        if problem is not None:
            errors.append(_refuse(number, day, problem))
            continue
        month = day.replace(day=1) if entry.kind == MeetingKind.REGULAR else None
        if month is not None:
            taken.add(month)
        meetings.append(
            Meeting(
                unit=unit,
                kind=entry.kind,
                state=MeetingState.CLOSED,
                title=entry.title.strip(),
                place=entry.place.strip(),
                starts_at=entry.starts_at,
                ends_at=entry.ends_at,
                series_month=month,
                minutes=entry.minutes,
                conclusions=entry.conclusions,
            )
        )
        rows.append(
            [
                (
                    member_id,
                    mark,
                    reason.strip() if mark == Mark.EXCUSED else "",
                    member_id in counted,
                )
                for member_id, (mark, reason) in entry.marks.items()
            ]
        )
        dues.append(dict(entry.dues))
    if errors:
        raise ValidationError(errors[:20])
    created = Meeting.objects.bulk_create(meetings, batch_size=500)
    now = timezone.now()
    attendance = bulk.insert_rows(
        Attendance,
        ["meeting", "member", "mark", "reason", "counted", "source", "recorded_by", "recorded_at"],
        (
            (meeting.pk, member_id, mark, reason, counted, MarkSource.SECRETARY, actor_id, now)
            for meeting, marks in zip(created, rows, strict=True)
            for member_id, mark, reason, counted in marks
        ),
    )
    payments = bulk.insert_rows(
        DuesPayment,
        ["member", "unit", "month", "amount", "paid", "meeting", "recorded_at"],
        (
            (member_id, unit.pk, meeting.series_month, amount, paid, meeting.pk, now)
            for meeting, collected in zip(created, dues, strict=True)
            for member_id, (amount, paid) in collected.items()
        ),
    )
    kinds: dict[str, int] = defaultdict(int)
    for meeting in created:
        kinds[meeting.kind] += 1
    record(
        "meetings.book.record",
        actor=actor,
        obj=unit,
        unit=unit,
        changes={
            "meetings": len(created),
            "kinds": dict(kinds),
            "attendance": attendance,
            "dues": payments,
            "from": min(days).isoformat(),
            "to": max(days).isoformat(),
        },
    )
    return len(created)


def _dues_problem(
    entry: PastMeeting,
    month: date,
    roll: Roll,
    paid_before: set[tuple[int, date]],
    low: int,
    high: int,
) -> str | None:
    """Why the dues of a meeting of the book cannot be written, as `collect_dues` would say."""
    if entry.kind != MeetingKind.REGULAR:
        return _("đảng phí thu ở cuộc họp thường kỳ. (Dues go with the regular meeting.)")
    members = roll.on_roll(month)
    if set(entry.dues) - set(members):
        return _("có người nộp đảng phí không thuộc danh sách. (Not on the roll.)")
    if any((member_id, month) in paid_before for member_id in entry.dues):
        return _("đảng phí tháng này đã được ghi. (Dues of the month already recorded.)")
    for member_id, (amount, paid) in entry.dues.items():
        fault = dues_services.amount_fault(members[member_id], amount, paid, low, high)
        if fault:
            return fault
    return None


def _check(unit: Unit, entry: PastMeeting, day: date, taken: set[date]) -> str | None:
    if entry.kind not in BOOK_KINDS:
        return _("loại cuộc họp không nhập từ sổ được. (Not a kind of the meeting book.)")
    if not unit.is_active_on(day):
        return _("tổ chức không hoạt động ngày đó. (Unit not active that day.)")
    if entry.ends_at <= entry.starts_at:
        return _("giờ kết thúc phải sau giờ bắt đầu. (End before start.)")
    if day >= today():
        return _("chỉ nhập cuộc họp đã diễn ra. (Only past meetings.)")
    if entry.kind == MeetingKind.THEMATIC and not entry.title.strip():
        return _("sinh hoạt chuyên đề cần có chủ đề. (A thematic meeting needs a topic.)")
    if entry.kind == MeetingKind.REGULAR and day.replace(day=1) in taken:
        return _("tháng này đã có cuộc họp thường kỳ. (The month already has one.)")
    return None
