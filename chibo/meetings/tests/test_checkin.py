"""QR self check-in: only during the meeting's window, only for that meeting's members."""

from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.meetings import checkin, selectors, services
from chibo.meetings.models import Attendance, Mark, MarkSource, Meeting, MeetingKind
from chibo.members import services as member_services
from chibo.members.models import Member
from chibo.units.models import Unit
from conftest import Tree, make_user

NOW = timezone.now


def member_with_account(unit: Unit, name: str, username: str) -> tuple[Member, User]:
    user = make_user(username)
    details = member_services.MemberDetails(full_name=name, sex="M")
    member = member_services.register_member(
        unit, actor=None, details=details, on=date(2015, 1, 1), user=user
    )
    return member, user


def meeting_starting(unit: Unit, delta: timedelta) -> Meeting:
    """A meeting of `unit` that starts `delta` from now (negative: it has begun)."""
    return services.plan_meeting(
        unit, actor=None, kind=MeetingKind.REGULAR, starts_at=NOW() + delta
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(meeting: Meeting, code: str | None = None) -> str:
    return reverse("meetings:checkin", args=[meeting.pk, code or meeting.checkin_code])


@pytest.fixture
def toan(tree: Tree) -> tuple[Member, User]:
    return member_with_account(tree.cell_a1, "Vũ Văn Toàn", "toan")


def nothing_written(meeting: Meeting) -> bool:
    return not Attendance.objects.filter(meeting=meeting).exists()


def test_an_expected_member_checks_in_during_the_meeting(
    tree: Tree, toan: tuple[Member, User]
) -> None:
    member, user = toan
    meeting = meeting_starting(tree.cell_a1, -timedelta(minutes=10))
    client = signed_in(user)
    page = client.get(url(meeting)).content.decode()
    assert "Vũ Văn Toàn" in page
    assert "Tôi có mặt" in page
    assert nothing_written(meeting)  # opening the link writes nothing: the button does
    response = client.post(url(meeting))
    assert response.status_code == 302
    row = Attendance.objects.get(meeting=meeting)
    assert (row.member, row.mark, row.source, row.recorded_by) == (
        member,
        Mark.PRESENT,
        MarkSource.SELF,
        user,
    )
    assert row.counted
    page = client.get(url(meeting)).content.decode()
    assert "Bạn đã được ghi có mặt" in page
    assert "Tôi có mặt" not in page
    events = AuditEvent.objects.count()
    client.post(url(meeting))
    assert AuditEvent.objects.count() == events  # a second scan changes nothing


@pytest.mark.parametrize(
    ("delta", "message"),
    [
        (timedelta(minutes=45), "Chưa đến giờ tự điểm danh"),
        (-timedelta(hours=4, minutes=5), "Đã hết giờ tự điểm danh"),
    ],
)
def test_outside_the_window_nothing_is_written(
    tree: Tree, toan: tuple[Member, User], delta: timedelta, message: str
) -> None:
    meeting = meeting_starting(tree.cell_a1, delta)
    client = signed_in(toan[1])
    page = client.get(url(meeting))
    assert page.status_code == 200
    assert message in page.content.decode()
    assert "Tôi có mặt" not in page.content.decode()
    refused = client.post(url(meeting))
    assert refused.status_code == 403
    assert message in refused.content.decode()
    assert nothing_written(meeting)


def test_the_window_opens_before_the_start_and_ends_with_the_meeting(tree: Tree) -> None:
    start = timezone.make_aware(datetime(2026, 3, 4, 19))
    meeting = Meeting(unit=tree.cell_a1, starts_at=start)
    span = checkin.window(meeting)
    assert (span.opens, span.closes) == (start - timedelta(minutes=30), start + timedelta(hours=4))
    meeting.ends_at = start + timedelta(hours=2)
    assert checkin.window(meeting).closes == start + timedelta(hours=2)


def test_just_inside_the_window(tree: Tree, toan: tuple[Member, User]) -> None:
    meeting = meeting_starting(tree.cell_a1, timedelta(minutes=25))
    assert signed_in(toan[1]).post(url(meeting)).status_code == 302
    assert Attendance.objects.filter(meeting=meeting).count() == 1


def test_a_wrong_code_or_another_meetings_code_is_not_found(
    tree: Tree, toan: tuple[Member, User]
) -> None:
    meeting = meeting_starting(tree.cell_a1, -timedelta(minutes=10))
    other = meeting_starting(tree.cell_a2, -timedelta(minutes=10))
    client = signed_in(toan[1])
    for wrong in (url(meeting, "x" * 22), url(meeting, other.checkin_code)):
        assert client.get(wrong).status_code == 404
        assert client.post(wrong).status_code == 404
    assert nothing_written(meeting)


def test_the_wrong_meeting_or_someone_not_expected_is_refused(
    tree: Tree, toan: tuple[Member, User]
) -> None:
    other_cells_meeting = meeting_starting(tree.cell_a2, -timedelta(minutes=10))
    client = signed_in(toan[1])
    page = client.get(url(other_cells_meeting)).content.decode()
    assert "Bạn không có tên trong danh sách dự cuộc họp này của Chi bộ thôn Đông Thành" in page
    assert client.post(url(other_cells_meeting)).status_code == 403
    assert nothing_written(other_cells_meeting)


def test_an_account_without_a_member_record_is_refused(tree: Tree, users: dict[str, User]) -> None:
    meeting = meeting_starting(tree.cell_a1, -timedelta(minutes=10))
    client = signed_in(users[Role.SECRETARY])
    assert "chưa gắn với hồ sơ đảng viên" in client.get(url(meeting)).content.decode()
    assert client.post(url(meeting)).status_code == 403
    assert nothing_written(meeting)


def test_a_closed_meeting_takes_no_check_in(tree: Tree, toan: tuple[Member, User]) -> None:
    meeting = meeting_starting(tree.cell_a1, -timedelta(minutes=60))
    member, user = toan
    everyone = {m.pk: (Mark.PRESENT, "") for m in selectors.expected(meeting).members}
    everyone[member.pk] = (Mark.UNEXCUSED, "")
    services.record_attendance(meeting, actor=None, marks=everyone)
    services.close_meeting(meeting, actor=None, ends_at=NOW() + timedelta(minutes=30))
    client = signed_in(user)
    assert "khóa biên bản" in client.get(url(meeting)).content.decode()
    assert client.post(url(meeting)).status_code == 403
    assert Attendance.objects.get(meeting=meeting, member=member).mark == Mark.UNEXCUSED


def test_an_exempted_member_may_check_in_without_counting(
    tree: Tree, toan: tuple[Member, User]
) -> None:
    member, user = toan
    member_services.exempt_member(
        member, actor=None, on=date(2020, 1, 1), extent="full", basis=member_services.Basis("NQ")
    )
    meeting = meeting_starting(tree.cell_a1, -timedelta(minutes=10))
    assert signed_in(user).post(url(meeting)).status_code == 302
    row = Attendance.objects.get(meeting=meeting)
    assert (row.member, row.mark, row.counted) == (member, Mark.PRESENT, False)


def test_an_absence_marked_earlier_gives_way(tree: Tree, toan: tuple[Member, User]) -> None:
    member, user = toan
    meeting = meeting_starting(tree.cell_a1, -timedelta(minutes=20))
    services.record_attendance(meeting, actor=None, marks={member.pk: (Mark.UNEXCUSED, "")})
    assert signed_in(user).post(url(meeting)).status_code == 302
    row = Attendance.objects.get(meeting=meeting, member=member)
    assert (row.mark, row.source) == (Mark.PRESENT, MarkSource.SELF)


def test_signing_in_first_comes_back_to_the_check_in(tree: Tree) -> None:
    meeting = meeting_starting(tree.cell_a1, -timedelta(minutes=10))
    response = Client().get(url(meeting))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("accounts:login")
    assert parse_qs(location.query)["next"] == [url(meeting)]
    assert Client().post(url(meeting)).status_code == 302
    assert nothing_written(meeting)


def test_the_meeting_page_shows_the_qr_code_of_the_check_in_link(
    tree: Tree, users: dict[str, User]
) -> None:
    meeting = meeting_starting(tree.cell_a1, timedelta(days=2))
    client = signed_in(users[Role.SECRETARY])
    link = f"http://testserver{url(meeting)}"
    svg = checkin.qr_svg(link, "Mã QR tự điểm danh")
    assert svg in client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert svg in client.get(reverse("meetings:qr", args=[meeting.pk])).content.decode()
    assert len(svg) < 6000  # a few kilobytes on a slow connection
