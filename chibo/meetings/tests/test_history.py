"""Past meeting books entered in bulk: the same rule of who is expected as one meeting's roll,
all or nothing, and a number of queries that does not grow with the book."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chibo.audit.models import AuditEvent
from chibo.meetings import selectors
from chibo.meetings.history import PastMeeting, record_past_meetings
from chibo.meetings.models import Attendance, Mark, Meeting, MeetingKind, MeetingState
from chibo.members import services as member_services
from chibo.members.models import Member
from conftest import Tree, make_member


def at(day: date, hour: int = 19) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def everyone(tree: Tree, day: date, mark: str = Mark.PRESENT) -> dict[int, tuple[str, str]]:
    probe = Meeting(unit=tree.cell_a1, starts_at=at(day))
    return {
        m.pk: (mark, "Ốm" if mark == Mark.EXCUSED else "")
        for m in selectors.expected(probe).members
    }


def month(tree: Tree, day: date, **extra) -> PastMeeting:  # type: ignore[no-untyped-def]
    marks = extra.pop("marks", None) or everyone(tree, day)
    return PastMeeting(
        kind=extra.pop("kind", MeetingKind.REGULAR),
        starts_at=at(day),
        ends_at=at(day) + timedelta(minutes=100),
        marks=marks,
        **extra,
    )


def test_a_book_is_written_closed_with_its_roll_and_one_audit_event(tree: Tree) -> None:
    days = [date(2024, m, 4) for m in range(1, 13)]
    book = [month(tree, d) for d in days]
    book.append(month(tree, date(2024, 3, 18), kind=MeetingKind.THEMATIC, title="Nông thôn mới"))
    assert record_past_meetings(tree.cell_a1, actor=None, book=book) == 13
    meetings = Meeting.objects.filter(unit=tree.cell_a1)
    assert {m.state for m in meetings} == {MeetingState.CLOSED}
    assert meetings.filter(kind=MeetingKind.REGULAR).count() == 12
    assert Attendance.objects.count() == 13 * 3
    first = meetings.get(series_month=date(2024, 1, 1))
    assert selectors.turnout(first).rate == 100
    event = AuditEvent.objects.get(action="meetings.book.record")
    assert event.changes["meetings"] == 13 and event.changes["attendance"] == 39


def test_the_same_rule_of_who_is_expected_on_each_day(tree: Tree) -> None:
    chin = Member.objects.get(full_name="Lê Văn Chín")
    member_services.exempt_member(
        chin, actor=None, on=date(2024, 6, 1), extent="full", basis=member_services.Basis("NQ")
    )
    late_comer = make_member(tree.cell_a1, "Người Mới", on=date(2024, 9, 1))
    may, october = date(2024, 5, 6), date(2024, 10, 7)
    assert chin.pk in everyone(tree, may) and chin.pk not in everyone(tree, october)
    assert late_comer.pk not in everyone(tree, may) and late_comer.pk in everyone(tree, october)
    # The exempted member came in October: present, not counted.
    october_marks = {**everyone(tree, october), chin.pk: (Mark.PRESENT, "")}
    record_past_meetings(
        tree.cell_a1,
        actor=None,
        book=[month(tree, may), month(tree, october, marks=october_marks)],
    )
    row = Attendance.objects.get(member=chin, meeting__series_month=date(2024, 10, 1))
    assert row.counted is False
    # A book marking the newcomer in May is refused, whole.
    Meeting.objects.all().delete()
    bad = {**everyone(tree, may), late_comer.pk: (Mark.PRESENT, "")}
    with pytest.raises(ValidationError, match=r"thứ 2 \(06/05/2024\).*Not expected"):
        record_past_meetings(
            tree.cell_a1,
            actor=None,
            book=[month(tree, date(2024, 4, 4)), month(tree, may, marks=bad)],
        )
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"marks": {}}, "Every expected member is marked"),
        ({"kind": MeetingKind.THEMATIC}, "needs a topic"),
        ({"kind": MeetingKind.CEREMONY}, "Not a kind of the meeting book"),
    ],
)
def test_each_bad_meeting_is_named(tree: Tree, change: dict, message: str) -> None:  # type: ignore[type-arg]
    day = date(2024, 2, 5)
    entry = month(tree, day)
    for key, value in change.items():
        setattr(entry, key, value)
    with pytest.raises(ValidationError, match=message):
        record_past_meetings(tree.cell_a1, actor=None, book=[entry])
    assert not Meeting.objects.exists() and not AuditEvent.objects.filter(
        action="meetings.book.record"
    )


def test_excused_needs_a_reason_and_a_month_holds_one_regular_meeting(tree: Tree) -> None:
    day = date(2024, 2, 5)
    silent = {k: (Mark.EXCUSED, " ") for k in everyone(tree, day)}
    with pytest.raises(ValidationError, match="needs its reason"):
        record_past_meetings(tree.cell_a1, actor=None, book=[month(tree, day, marks=silent)])
    with pytest.raises(ValidationError, match="already has one"):
        record_past_meetings(
            tree.cell_a1, actor=None, book=[month(tree, day), month(tree, date(2024, 2, 20))]
        )
    future = timezone.localdate() + timedelta(days=3)
    with pytest.raises(ValidationError, match="Only past meetings"):
        record_past_meetings(tree.cell_a1, actor=None, book=[month(tree, future)])


def test_queries_do_not_grow_with_the_book(tree: Tree) -> None:
    def count(months: list[date]) -> int:
        Meeting.objects.all().delete()
        book = [month(tree, d) for d in months]
        with CaptureQueriesContext(connection) as captured:
            record_past_meetings(tree.cell_a1, actor=None, book=book)
        return len(captured)

    count([date(2022, 1, 4)])  # warm: the rules held in memory are read once per process
    assert count([date(2023, 1, 4)]) == count([date(2023, m, 4) for m in range(1, 13)])


def test_the_months_dues_go_with_its_regular_meeting(tree: Tree) -> None:
    from chibo.meetings.models import DuesPayment

    day = date(2024, 3, 4)
    roll = list(everyone(tree, day))
    dues = {member_id: (20_000, i > 0) for i, member_id in enumerate(roll)}
    record_past_meetings(tree.cell_a1, actor=None, book=[month(tree, day, dues=dues)])
    rows = DuesPayment.objects.filter(unit=tree.cell_a1, month=date(2024, 3, 1))
    assert rows.count() == 3 and rows.filter(paid=False).count() == 1
    meeting = Meeting.objects.get(series_month=date(2024, 3, 1))
    assert {r.meeting_id for r in rows} == {meeting.pk}
    assert AuditEvent.objects.get(action="meetings.book.record").changes["dues"] == 3
    # The same month again, someone not on the roll, a thematic meeting: refused, whole.
    stranger = Member.objects.get(full_name="Hoàng Văn Sơn")  # of cell B1
    refusals = [
        (month(tree, date(2024, 4, 4), dues={**dues}), None),
        (month(tree, date(2024, 5, 6), dues={stranger.pk: (20_000, True)}), "Not on the roll"),
        (
            month(tree, date(2024, 5, 20), kind=MeetingKind.THEMATIC, title="Chủ đề", dues=dues),
            "regular meeting",
        ),
    ]
    for entry, message in refusals[1:]:
        with pytest.raises(ValidationError, match=message):
            record_past_meetings(tree.cell_a1, actor=None, book=[entry])
    Meeting.objects.filter(series_month=date(2024, 3, 1)).update(series_month=None)
    with pytest.raises(ValidationError, match="already recorded"):
        record_past_meetings(tree.cell_a1, actor=None, book=[month(tree, day, dues=dues)])
    assert DuesPayment.objects.count() == 3
