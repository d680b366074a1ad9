"""Each obligation at its boundaries, judged from records written through the real services."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from chibo.committees.tests.helpers import make_probationary, supervision_of
from chibo.compliance.models import RemovalReview, Result, ReviewOutcome, Status
from chibo.compliance.tests.helpers import at, evaluate, hold, result
from chibo.lib.dates import today
from chibo.meetings import preparation
from chibo.meetings.dues import services as dues_services
from chibo.meetings.models import MeetingKind
from chibo.meetings.tests.preparation_helpers import upload
from chibo.members.models import Member, MemberStatus, TransferKind
from chibo.members.models import Status as MemberState
from chibo.members.transfers import services as transfer_services
from chibo.rulebook import services as rulebook_services
from chibo.units.models import Unit
from conftest import Tree, make_member

MARCH = date(2026, 3, 1)
AFTER_MARCH = date(2026, 4, 15)


def status(unit: Unit, code: str, month: date = MARCH) -> str:
    """The unit's status; a result that says nothing is not stored: not applicable."""
    row = Result.objects.filter(unit=unit, obligation=code, month=month.replace(day=1)).first()
    return row.status if row else Status.NOT_APPLICABLE


# The regular meeting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [(3, Status.OK), (5, Status.OK), (2, Status.WARNING), (6, Status.WARNING)],
)
def test_regular_meeting_inside_or_outside_the_window(tree: Tree, day: int, expected: str) -> None:
    hold(tree.cell_a1, date(2026, 3, day))
    evaluate(tree.cell_a1, MARCH, as_of=AFTER_MARCH)
    assert status(tree.cell_a1, "regular_meeting") == expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 3, 5), Status.NOT_APPLICABLE),  # still inside the window
        (date(2026, 3, 6), Status.WARNING),  # the window has passed
        (date(2026, 3, 31), Status.WARNING),
        (date(2026, 4, 1), Status.FAILED),  # the month is over
    ],
)
def test_no_regular_meeting(tree: Tree, as_of: date, expected: str) -> None:
    evaluate(tree.cell_a1, MARCH, as_of=as_of)
    assert status(tree.cell_a1, "regular_meeting") == expected


def test_a_province_sets_its_own_window(tree: Tree) -> None:
    rulebook_services.set_rule(
        tree.province,
        actor=None,
        key="meetings.regular_window_last_day",
        value=10,
        valid_from=date(2026, 1, 1),
        basis="QĐ của Tỉnh ủy",
    )
    hold(tree.cell_a1, date(2026, 3, 9))
    evaluate(tree.cell_a1, MARCH, as_of=AFTER_MARCH)
    assert status(tree.cell_a1, "regular_meeting") == Status.OK


def test_an_obligation_switched_off_for_a_subtree(tree: Tree) -> None:
    rulebook_services.set_rule(
        tree.commune_a,
        actor=None,
        key="compliance.thematic_quarter_enabled",
        value=False,
        valid_from=date(2026, 1, 1),
        basis="Chi bộ đặc thù",
    )
    evaluate(tree.district, MARCH, as_of=AFTER_MARCH)
    assert status(tree.cell_b1, "thematic_quarter") == Status.FAILED
    assert not tree.cell_a1.compliance_results.filter(obligation="thematic_quarter").exists()
    assert tree.cell_a1.compliance_results.filter(obligation="regular_meeting").exists()
    district = result(tree.district, "thematic_quarter", MARCH)
    assert (district.units_failed, district.applicable) == (1, 1)


# Thematic meetings ---------------------------------------------------------------------------


def test_thematic_meeting_once_a_quarter(tree: Tree) -> None:
    hold(tree.cell_a1, date(2026, 2, 18), kind=MeetingKind.THEMATIC, minutes=130)
    evaluate(tree.commune_a, MARCH, as_of=AFTER_MARCH)
    evaluate(tree.commune_a, date(2026, 2, 1), as_of=AFTER_MARCH)
    assert status(tree.cell_a1, "thematic_quarter") == Status.OK
    assert status(tree.cell_a2, "thematic_quarter") == Status.FAILED
    # In the quarter's first months there is still time.
    assert status(tree.cell_a2, "thematic_quarter", date(2026, 2, 1)) == Status.NOT_APPLICABLE
    evaluate(tree.cell_a2, MARCH, as_of=date(2026, 3, 20))
    assert status(tree.cell_a2, "thematic_quarter") == Status.WARNING


# Minutes, documents, notices ----------------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "expected"), [(7, Status.OK), (8, Status.WARNING)])
def test_minutes_closed_within_seven_days(tree: Tree, days_ago: int, expected: str) -> None:
    day = today() - timedelta(days=days_ago)
    hold(tree.cell_a1, day)  # closed now, `days_ago` days after the meeting
    evaluate(tree.cell_a1, day)
    assert status(tree.cell_a1, "minutes_closed", day) == expected


def test_minutes_left_open(tree: Tree) -> None:
    day = date(2026, 3, 4)
    hold(tree.cell_a1, day, minutes=None)
    evaluate(tree.cell_a1, MARCH, as_of=date(2026, 3, 11))
    assert status(tree.cell_a1, "minutes_closed") == Status.NOT_APPLICABLE
    evaluate(tree.cell_a1, MARCH, as_of=date(2026, 3, 12))
    assert status(tree.cell_a1, "minutes_closed") == Status.FAILED


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        (timedelta(days=1), Status.OK),
        (timedelta(days=1) - timedelta(minutes=1), Status.WARNING),
        (None, Status.FAILED),
    ],
)
def test_documents_a_day_before(tree: Tree, before: timedelta | None, expected: str) -> None:
    day = date(2026, 3, 4)
    meeting = hold(tree.cell_a1, day, documents=False, minutes=None)
    if before is not None:
        preparation.upload_document(meeting, actor=None, file=upload(), now=at(day) - before)
    evaluate(tree.cell_a1, MARCH, as_of=AFTER_MARCH)
    assert status(tree.cell_a1, "documents_sent") == expected


def test_supervising_member_notified(tree: Tree) -> None:
    supervision_of(tree.cell_a1, on=date(2026, 1, 1))
    supervision_of(tree.cell_a2, on=date(2026, 1, 1))
    hold(tree.cell_a1, date(2026, 3, 4))
    hold(tree.cell_a2, date(2026, 3, 4), notice=False)
    hold(tree.cell_b1, date(2026, 3, 4))  # nobody supervises it
    evaluate(tree.district, MARCH, as_of=AFTER_MARCH)
    assert status(tree.cell_a1, "supervisor_notified") == Status.OK
    assert status(tree.cell_a2, "supervisor_notified") == Status.FAILED
    assert status(tree.cell_b1, "supervisor_notified") == Status.WARNING


# Attendance and length -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("absent", "expected"),
    [(3, Status.OK), (4, Status.WARNING), (5, Status.FAILED)],
)
def test_attendance_target(tree: Tree, absent: int, expected: str) -> None:
    """20 expected: 17 present is exactly 85 %; 16 is 80 %, within 5 points; 15 is below."""
    for i in range(19):
        make_member(tree.cell_b1, f"Nguyễn Văn Số {i}")
    hold(tree.cell_b1, date(2026, 3, 4), absent=absent)
    evaluate(tree.cell_b1, MARCH, as_of=AFTER_MARCH)
    row = result(tree.cell_b1, "attendance_rate", MARCH)
    assert (row.status, row.numerator, row.denominator) == (expected, 20 - absent, 20)


def test_attendance_target_set_by_a_commune(tree: Tree) -> None:
    rulebook_services.set_rule(
        tree.commune_a,
        actor=None,
        key="meetings.attendance_target_percent",
        value=60,
        valid_from=date(2026, 1, 1),
        basis="Nghị quyết Đảng ủy xã",
    )
    hold(tree.cell_a1, date(2026, 3, 4), absent=1)  # 2 of 3
    evaluate(tree.cell_a1, MARCH, as_of=AFTER_MARCH)
    assert status(tree.cell_a1, "attendance_rate") == Status.OK


@pytest.mark.parametrize(
    ("kind", "minutes", "expected"),
    [
        (MeetingKind.REGULAR, 90, Status.OK),
        (MeetingKind.REGULAR, 89, Status.FAILED),
        (MeetingKind.THEMATIC, 120, Status.OK),
        (MeetingKind.THEMATIC, 119, Status.FAILED),
    ],
)
def test_meeting_length(tree: Tree, kind: str, minutes: int, expected: str) -> None:
    hold(tree.cell_a1, date(2026, 3, 4), kind=kind, minutes=minutes)
    evaluate(tree.cell_a1, MARCH, as_of=AFTER_MARCH)
    assert status(tree.cell_a1, "meeting_length") == expected


# Dues ------------------------------------------------------------------------------------------


def _dues(tree: Tree, month: date, unpaid: int = 0) -> None:
    members = list(Member.objects.filter(memberships__unit=tree.cell_a1).order_by("pk"))
    payments = {m.pk: (20_000, i >= unpaid) for i, m in enumerate(members)}
    dues_services.collect_dues(tree.cell_a1, actor=None, month=month, payments=payments)


def test_dues_collected(tree: Tree) -> None:
    _dues(tree, date(2026, 1, 1))
    _dues(tree, date(2026, 2, 1), unpaid=1)
    evaluate(tree.district, date(2026, 1, 1), as_of=AFTER_MARCH)
    evaluate(tree.district, date(2026, 2, 1), as_of=AFTER_MARCH)
    evaluate(tree.district, MARCH, as_of=AFTER_MARCH)
    assert status(tree.cell_a1, "dues_collected", date(2026, 1, 1)) == Status.OK
    assert result(tree.cell_a1, "dues_collected", date(2026, 2, 1)).numerator == 2
    assert status(tree.cell_a1, "dues_collected", date(2026, 2, 1)) == Status.WARNING
    # A cell that keeps its book here and records nothing for a month has not collected...
    assert status(tree.cell_a1, "dues_collected") == Status.FAILED
    # ...one that has never kept its book here says nothing about its paper book.
    assert status(tree.cell_a2, "dues_collected") == Status.NOT_APPLICABLE


# Removal reviews -----------------------------------------------------------------------------


def test_three_months_of_unexcused_absence_propose_a_review(tree: Tree) -> None:
    dung = Member.objects.get(full_name="Đặng Văn Dũng")
    for month in (1, 2):
        hold(tree.cell_a1, date(2026, month, 4), unexcused=[dung.pk])
    evaluate(tree.cell_a1, date(2026, 2, 1), as_of=date(2026, 2, 28))
    assert status(tree.cell_a1, "removal_review", date(2026, 2, 1)) == Status.OK
    assert not RemovalReview.objects.exists()

    hold(tree.cell_a1, date(2026, 3, 4), unexcused=[dung.pk])
    evaluate(tree.cell_a1, MARCH, as_of=date(2026, 3, 31))
    row = result(tree.cell_a1, "removal_review", MARCH)
    assert (row.status, row.numerator) == (Status.WARNING, 1)
    review = RemovalReview.objects.get()
    assert (review.member, review.unit, review.outcome) == (dung, tree.cell_a1, "pending")
    assert review.absent_months == ["2026-01", "2026-02", "2026-03"]
    # A proposal to the cell, never a removal.
    assert MemberStatus.objects.get(member=dung, valid_to__isnull=True).status == (
        MemberState.OFFICIAL
    )


def test_the_year_starts_again_in_january(tree: Tree) -> None:
    dung = Member.objects.get(full_name="Đặng Văn Dũng")
    for day in (date(2025, 11, 4), date(2025, 12, 4), date(2026, 1, 6)):
        hold(tree.cell_a1, day, unexcused=[dung.pk])
    evaluate(tree.cell_a1, date(2026, 1, 1), as_of=date(2026, 1, 31))
    assert status(tree.cell_a1, "removal_review", date(2026, 1, 1)) == Status.OK


def test_a_decided_review_is_no_longer_pending(tree: Tree) -> None:
    from chibo.compliance import services

    dung = Member.objects.get(full_name="Đặng Văn Dũng")
    for month in (1, 2, 3):
        hold(tree.cell_a1, date(2026, month, 4), unexcused=[dung.pk])
    evaluate(tree.cell_a1, MARCH, as_of=date(2026, 3, 31))
    review = RemovalReview.objects.get()
    services.decide_review(
        review, actor=None, outcome=ReviewOutcome.NOT_PROPOSED, note="Đi biển dài ngày, có báo."
    )
    with pytest.raises(Exception, match="đã xem xét"):
        services.decide_review(review, actor=None, outcome=ReviewOutcome.PROPOSED, note="x")
    assert MemberStatus.objects.get(member=dung, valid_to__isnull=True).status == (
        MemberState.OFFICIAL
    )


# Size, transfers, probation ------------------------------------------------------------------


def test_a_cell_needs_three_official_members(tree: Tree) -> None:
    evaluate(tree.district, MARCH, as_of=AFTER_MARCH)
    assert status(tree.cell_a1, "cell_size") == Status.OK  # 3
    assert status(tree.cell_a2, "cell_size") == Status.FAILED  # 2
    assert result(tree.cell_a2, "cell_size", MARCH).detail["official"] == 2


def test_transfers_overdue_and_confirmed_late(tree: Tree) -> None:
    letter = date(2026, 2, 2)  # 30 working days later: 23/3/2026 (Tết included)
    late = transfer_services.issue_transfer(
        make_member(tree.cell_a1, "Người Chuyển Đi", on=date(2020, 1, 1)),
        actor=None,
        kind=TransferKind.OFFICIAL,
        to_unit=tree.cell_b1,
        letter_number="01-GGT",
        letter_date=letter,
        effective_on=letter,
    )
    deadline = transfer_services.deadline(late)
    evaluate(tree.district, MARCH, as_of=deadline)
    assert status(tree.cell_b1, "transfers_on_time") == Status.OK
    evaluate(tree.district, MARCH, as_of=deadline + timedelta(days=1))
    assert status(tree.cell_b1, "transfers_on_time") == Status.FAILED
    assert status(tree.cell_a1, "transfers_on_time") == Status.FAILED
    # A unit without transfers has no result for them at all.
    assert not tree.cell_a2.compliance_results.filter(obligation="transfers_on_time").exists()
    transfer_services.confirm_transfer(late, actor=None, on=deadline + timedelta(days=1))
    evaluate(tree.district, MARCH, as_of=AFTER_MARCH)
    assert status(tree.cell_b1, "transfers_on_time") == Status.WARNING


def test_probation_ending(tree: Tree) -> None:
    admitted = date(2025, 4, 20)  # probation ends 20/4/2026
    make_probationary(tree.cell_a2, "Lê Thị Dự Bị", on=admitted)
    evaluate(tree.cell_a2, MARCH, as_of=date(2026, 3, 20))
    assert status(tree.cell_a2, "probation_ending") == Status.OK  # 31 days before
    evaluate(tree.cell_a2, MARCH, as_of=date(2026, 3, 21))
    assert status(tree.cell_a2, "probation_ending") == Status.WARNING  # 30 days before
    evaluate(tree.cell_a2, date(2026, 6, 1), as_of=date(2026, 6, 30))
    assert status(tree.cell_a2, "probation_ending", date(2026, 6, 1)) == Status.FAILED


def test_meeting_entered_from_a_paper_book(tree: Tree) -> None:
    """Preparation is not recorded for a book's meetings: neither judged nor failed."""
    from chibo.meetings import history
    from chibo.meetings.models import Mark

    day = date(2026, 3, 4)
    people = Member.objects.filter(memberships__unit=tree.cell_a1)
    history.record_past_meetings(
        tree.cell_a1,
        actor=None,
        book=[
            history.PastMeeting(
                kind=MeetingKind.REGULAR,
                starts_at=at(day),
                ends_at=at(day) + timedelta(minutes=100),
                marks={m.pk: (Mark.PRESENT, "") for m in people},
            )
        ],
    )
    evaluate(tree.cell_a1, MARCH, as_of=AFTER_MARCH)
    assert status(tree.cell_a1, "regular_meeting") == Status.OK
    assert status(tree.cell_a1, "minutes_closed") == Status.OK
    assert status(tree.cell_a1, "documents_sent") == Status.NOT_APPLICABLE
    assert status(tree.cell_a1, "attendance_rate") == Status.OK
    assert timezone.now()  # the book's closing time is unknown, not "now"
