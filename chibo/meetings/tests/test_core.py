"""Planning meetings, who is expected, attendance, closing."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from chibo.audit.models import AuditEvent
from chibo.meetings import selectors, services
from chibo.meetings.models import Attendance, Mark, Meeting, MeetingKind, MeetingState
from chibo.members import services as member_services
from chibo.members.models import Member, Membership, MembershipKind, MemberStatus, Status
from chibo.units.models import UnitKind
from conftest import Tree, make_member, make_unit

B = member_services.Basis


def at(day: date, hour: int = 19) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def names(members: list[Member]) -> list[str]:
    return [m.full_name for m in members]


def test_monthly_series_on_the_first_working_day_of_the_window(tree: Tree) -> None:
    # 3/1/2027 is a Sunday: the meeting is on Monday the 4th, at 19:00.
    meeting = services.plan_month(tree.cell_a1, date(2027, 1, 1), actor=None)
    assert meeting is not None
    assert timezone.localtime(meeting.starts_at) == at(date(2027, 1, 4))
    assert meeting.agenda.count() == len(services.STANDARD_AGENDA)
    assert meeting.agenda.first().title == "Thu đảng phí tháng"  # type: ignore[union-attr]
    assert services.plan_month(tree.cell_a1, date(2027, 1, 15), actor=None) is None


def test_generate_for_every_meeting_unit_below(tree: Tree) -> None:
    single = make_unit(tree.district, UnitKind.BASE, "SCHOOL", "Chi bộ Trường THPT")
    count = services.generate_month(tree.district, date(2027, 2, 1), actor=None)
    assert count == 4  # three cells and the base organisation that is a single cell
    units = set(Meeting.objects.values_list("unit__code", flat=True))
    assert units == {"A1", "A2", "B1", single.code}
    assert services.generate_month(tree.district, date(2027, 2, 1), actor=None) == 0


def test_expected_members_follow_the_rules(tree: Tree) -> None:
    chin = Member.objects.get(full_name="Lê Văn Chín")
    huong = Member.objects.get(full_name="Phạm Thị Hường")
    dung = Member.objects.get(full_name="Đặng Văn Dũng")
    member_services.exempt_member(
        chin, actor=None, on=date(2026, 1, 1), extent="full", basis=B("NQ")
    )
    # Hường is attached to cell A2 for a while; a guest from B1 is attached to A1.
    for member, host in [
        (huong, tree.cell_a2),
        (Member.objects.get(full_name="Hoàng Văn Sơn"), tree.cell_a1),
    ]:
        Membership.objects.create(
            member=member,
            unit=host,
            kind=MembershipKind.TEMPORARY,
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31),
        )
        current = member.statuses.get(valid_to__isnull=True)
        current.valid_to = date(2025, 12, 31)
        current.save()
        MemberStatus.objects.create(
            member=member,
            status=Status.ATTACHED,
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31),
        )
    newcomer = make_member(tree.cell_a1, "Người Mới", on=date(2026, 3, 20))
    march = services.plan_meeting(
        tree.cell_a1, actor=None, kind=MeetingKind.REGULAR, starts_at=at(date(2026, 3, 4))
    )
    april = services.plan_meeting(
        tree.cell_a1, actor=None, kind=MeetingKind.REGULAR, starts_at=at(date(2026, 4, 3))
    )
    expected = selectors.expected(march)
    assert names(expected.members) == ["Đặng Văn Dũng", "Hoàng Văn Sơn"]
    assert names(expected.exempted) == ["Lê Văn Chín"]
    assert names(expected.attached_elsewhere) == ["Phạm Thị Hường"]
    assert newcomer in selectors.expected(april).members
    assert newcomer not in selectors.expected(march).members
    assert dung in expected.members
    # One member asked about reads that member's row alone, with the same answer.
    for member in [*expected.members, *expected.exempted, *expected.attached_elsewhere, newcomer]:
        alone = selectors.expected(march, only=[member.pk])
        assert (alone.members, alone.exempted, alone.attached_elsewhere) == tuple(
            [m for m in group if m == member]
            for group in (expected.members, expected.exempted, expected.attached_elsewhere)
        )
        assert selectors.is_expected(march, member) == (member in expected.members)
        assert selectors.is_expected(march, member, or_exempted=True) == (
            member in expected.members or member in expected.exempted
        )
    # The list pages count the same members in SQL: exempted, attached here and elsewhere.
    a2 = services.plan_meeting(
        tree.cell_a2, actor=None, kind=MeetingKind.REGULAR, starts_at=at(date(2026, 3, 5))
    )
    listed = selectors.with_turnout(Meeting.objects.filter(pk__in=[march.pk, april.pk, a2.pk]))
    assert {m.pk: m.expected_n for m in listed} == {
        m.pk: len(selectors.expected(m).members) for m in (march, april, a2)
    }
    for meeting in (march, april, a2):
        assert selectors.expected_count(meeting) == len(selectors.expected(meeting).members)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner, without statistics")
def test_turnout_reads_each_members_status_by_the_member_index(tree: Tree) -> None:
    """Without ANALYZE, SQLite chose the (status, valid_from) index for the EXISTS and read
    every member of that status for each membership: 5 s for a 300-member cell's year."""
    query = selectors.with_turnout(Meeting.objects.filter(unit=tree.cell_a1)).query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [row[-1] for row in cursor.fetchall()]
    status_reads = [step for step in plan if "status" in step]
    assert len(status_reads) == 2, plan
    assert all("member_status_of_member" in step for step in status_reads), plan


def test_attendance_and_closing(tree: Tree) -> None:
    chin = Member.objects.get(full_name="Lê Văn Chín")
    member_services.exempt_member(
        chin, actor=None, on=date(2026, 1, 1), extent="full", basis=B("NQ")
    )
    meeting = services.plan_meeting(
        tree.cell_a1, actor=None, kind=MeetingKind.REGULAR, starts_at=at(date(2026, 3, 4))
    )
    dung = Member.objects.get(full_name="Đặng Văn Dũng")
    huong = Member.objects.get(full_name="Phạm Thị Hường")
    with pytest.raises(ValidationError, match="lý do"):
        services.record_attendance(meeting, actor=None, marks={dung.pk: (Mark.EXCUSED, "")})
    stranger = Member.objects.get(full_name="Hoàng Văn Sơn")
    with pytest.raises(ValidationError):
        services.record_attendance(meeting, actor=None, marks={stranger.pk: (Mark.PRESENT, "")})
    assert not Attendance.objects.exists()
    services.record_attendance(
        meeting, actor=None, marks={dung.pk: (Mark.PRESENT, ""), chin.pk: (Mark.PRESENT, "")}
    )
    with pytest.raises(ValidationError, match="chưa điểm danh"):
        services.close_meeting(meeting, actor=None, ends_at=at(date(2026, 3, 4), 21))
    services.record_attendance(meeting, actor=None, marks={huong.pk: (Mark.EXCUSED, "Ốm")})
    figures = selectors.turnout(meeting)
    assert (figures.expected, figures.present, figures.excused, figures.rate) == (2, 1, 1, 50.0)
    # The exempted member who came is present but not counted.
    assert Attendance.objects.get(member=chin).counted is False
    warnings = services.close_meeting(meeting, actor=None, ends_at=at(date(2026, 3, 4), 20))
    assert warnings and "60 phút" in warnings[0]
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CLOSED
    with pytest.raises(ValidationError, match="khóa"):
        services.record_attendance(meeting, actor=None, marks={dung.pk: (Mark.LATE, "")})
    actions = list(
        AuditEvent.objects.filter(object_id=str(meeting.pk), object_type="meetings.meeting")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "meetings.meeting.plan",
        "meetings.attendance.record",
        "meetings.attendance.record",
        "meetings.meeting.close",
    ]


def test_moving_a_meeting_and_a_thematic_topic(tree: Tree) -> None:
    meeting = services.plan_meeting(
        tree.cell_a1, actor=None, kind=MeetingKind.REGULAR, starts_at=at(date(2026, 3, 4))
    )
    services.move_meeting(
        meeting, actor=None, starts_at=at(date(2026, 3, 5)), place="Nhà văn hóa thôn"
    )
    meeting.refresh_from_db()
    assert (timezone.localtime(meeting.starts_at).day, meeting.place) == (5, "Nhà văn hóa thôn")
    with pytest.raises(ValidationError, match="chủ đề"):
        services.plan_meeting(
            tree.cell_a1, actor=None, kind=MeetingKind.THEMATIC, starts_at=at(date(2026, 3, 20))
        )


def test_online_or_hybrid_only_where_the_committee_above_approved_it(tree: Tree) -> None:
    from chibo.meetings.models import MeetingMode
    from chibo.rulebook import services as rulebook_services

    when = at(date(2027, 3, 10))
    with pytest.raises(ValidationError, match="approval of the committee above"):
        services.plan_meeting(
            tree.cell_a1, actor=None, kind=MeetingKind.EXTRAORDINARY, starts_at=when, mode="online"
        )
    assert not Meeting.objects.exists()
    rulebook_services.set_rule(
        tree.commune_a,
        actor=None,
        key="meetings.online_approved",
        value=True,
        valid_from=date(2027, 3, 1),
        basis="QĐ 15-QĐ/ĐU cho phép thí điểm (03-HD/TW)",
    )
    meeting = services.plan_meeting(
        tree.cell_a1, actor=None, kind=MeetingKind.EXTRAORDINARY, starts_at=when, mode="hybrid"
    )
    assert meeting.mode == MeetingMode.HYBRID
    # The approval is dated: a meeting before it, or in a cell of another commune, stays in person.
    for unit, day in [(tree.cell_a1, date(2027, 2, 26)), (tree.cell_b1, date(2027, 3, 10))]:
        with pytest.raises(ValidationError, match="approval"):
            services.plan_meeting(
                unit, actor=None, kind=MeetingKind.EXTRAORDINARY, starts_at=at(day), mode="online"
            )


def test_the_preparatory_meeting_names_the_meeting_it_prepares(tree: Tree) -> None:
    regular = services.plan_month(tree.cell_a1, date(2027, 4, 1), actor=None)
    assert regular is not None
    before = regular.starts_at - timedelta(days=3)
    prep = services.plan_meeting(
        tree.cell_a1,
        actor=None,
        kind=MeetingKind.PREPARATORY,
        starts_at=before,
        prepares=regular,
    )
    assert list(regular.preparations.all()) == [prep]
    event = AuditEvent.objects.get(action="meetings.meeting.plan", object_id=str(prep.pk))
    assert event.changes["prepares"] == regular.pk
    other = services.plan_month(tree.cell_a2, date(2027, 4, 1), actor=None)
    assert other is not None
    refusals = [
        (MeetingKind.EXTRAORDINARY, before, regular, "Only a preparatory meeting"),
        (MeetingKind.PREPARATORY, before, other, "same unit"),
        (MeetingKind.PREPARATORY, regular.starts_at, regular, "comes before"),
    ]
    for kind, when, prepared, message in refusals:
        with pytest.raises(ValidationError, match=message):
            services.plan_meeting(
                tree.cell_a1, actor=None, kind=kind, starts_at=when, prepares=prepared
            )
