"""Meeting pages: a unit's meetings, a meeting, planning and moving, and the roll call."""

import re
from datetime import date, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.meetings import selectors, services
from chibo.meetings.models import Attendance, Mark, Meeting, MeetingKind, MeetingState
from chibo.members import services as member_services
from chibo.members.models import Member, Membership, MembershipKind, MemberStatus, Status
from chibo.units.models import Unit, UnitKind
from conftest import Tree, make_member, make_unit, make_user

B = member_services.Basis


def at(day: date, hour: int = 19, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def plan(unit: Unit, day: date, kind: str = MeetingKind.REGULAR, **extra: str) -> Meeting:
    return services.plan_meeting(unit, actor=None, kind=kind, starts_at=at(day), **extra)


def member(name: str) -> Member:
    return Member.objects.get(full_name=name)


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def queries(client: Client, method: str, url: str, data: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
        assert response.status_code in (200, 302)
    return len(captured)


# A unit's meetings


def test_unit_meetings_upcoming_and_past_with_turnout(tree: Tree, users: dict[str, User]) -> None:
    past = plan(tree.cell_a1, date(2025, 3, 4))
    services.record_attendance(
        past,
        actor=None,
        marks={
            member("Lê Văn Chín").pk: (Mark.PRESENT, ""),
            member("Đặng Văn Dũng").pk: (Mark.LATE, ""),
            member("Phạm Thị Hường").pk: (Mark.EXCUSED, "Ốm"),
        },
    )
    plan(tree.cell_a1, date(2099, 5, 5), MeetingKind.THEMATIC, title="Học tập Nghị quyết")
    url = reverse("meetings:unit", args=[tree.cell_a1.pk])
    page = text(signed_in(users[Role.SECRETARY]).get(url))
    upcoming, earlier = page.split("Đã qua")
    assert "05/05/2099" in upcoming
    assert "Học tập Nghị quyết" in upcoming
    assert "04/03/2025" in earlier
    assert "66,7%" in earlier
    assert "2/3" in earlier
    assert reverse("meetings:plan", args=[tree.cell_a1.pk]) in page
    # The member role reads its cell's meetings but plans nothing.
    page = text(signed_in(users[Role.MEMBER]).get(url))
    assert "04/03/2025" in page
    assert reverse("meetings:plan", args=[tree.cell_a1.pk]) not in page
    other = reverse("meetings:unit", args=[tree.other_cell.pk])
    assert signed_in(users[Role.SECRETARY]).get(other).status_code == 404


def test_the_list_counts_the_expected_members_as_the_roll_call_does(
    tree: Tree, users: dict[str, User]
) -> None:
    """The list computes turnout in SQL for every meeting at once: it must agree with
    `selectors.expected` on exempted, attached and newly arrived members."""
    chin, huong = member("Lê Văn Chín"), member("Phạm Thị Hường")
    member_services.exempt_member(
        chin, actor=None, on=date(2026, 1, 1), extent="full", basis=B("NQ")
    )
    son = member("Hoàng Văn Sơn")
    for person, host in [(huong, tree.cell_a2), (son, tree.cell_a1)]:
        Membership.objects.create(
            member=person,
            unit=host,
            kind=MembershipKind.TEMPORARY,
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31),
        )
        current = person.statuses.get(valid_to__isnull=True)
        current.valid_to = date(2025, 12, 31)
        current.save()
        MemberStatus.objects.create(
            member=person,
            status=Status.ATTACHED,
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31),
        )
    make_member(tree.cell_a1, "Người Mới", on=date(2026, 3, 20))
    meetings = [
        plan(tree.cell_a1, date(2025, 12, 3)),
        plan(tree.cell_a1, date(2026, 3, 4)),
        plan(tree.cell_a1, date(2026, 4, 3)),
    ]
    for meeting in meetings:
        first = selectors.expected(meeting).members[0]
        services.record_attendance(meeting, actor=None, marks={first.pk: (Mark.PRESENT, "")})
    page = text(signed_in(users[Role.STAFF]).get(reverse("meetings:unit", args=[tree.cell_a1.pk])))
    figures = [selectors.turnout(m) for m in meetings]
    assert [(f.present, f.expected) for f in figures] == [(1, 3), (1, 2), (1, 3)]
    for f in figures:
        assert f"{f.present}/{f.expected}" in page


def test_unit_meetings_query_count_is_constant(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.STAFF])
    url = reverse("meetings:unit", args=[tree.cell_a1.pk])
    plan(tree.cell_a1, date(2025, 1, 3))
    client.get(url)
    few = queries(client, "get", url)
    for i in range(12):
        make_member(tree.cell_a1, f"Đảng Viên {i}")
    for month in range(2, 12):
        meeting = plan(tree.cell_a1, date(2025, month, 4))
        marks = {m.pk: (Mark.PRESENT, "") for m in selectors.expected(meeting).members}
        services.record_attendance(meeting, actor=None, marks=marks)
    plan(tree.cell_a1, date(2099, 1, 5))
    assert queries(client, "get", url) == few


# A meeting


def test_meeting_page_for_writers_and_readers(tree: Tree, users: dict[str, User]) -> None:
    meeting = plan(tree.cell_a1, date(2099, 3, 4), place="Nhà văn hóa thôn")
    item = meeting.agenda.get(position=7)
    item.assignee = member("Đặng Văn Dũng")
    item.save()
    url = reverse("meetings:detail", args=[meeting.pk])
    page = text(signed_in(users[Role.SECRETARY]).get(url))
    assert "04/03/2099" in page
    assert "19:00" in page
    assert "Nhà văn hóa thôn" in page
    assert page.index("Thu đảng phí tháng") < page.index("Thông qua biên bản")
    assert "Đặng Văn Dũng" in page
    assert re.search(r'id="stat-expected">3<', page)
    for name in ("meetings:roll_call", "meetings:qr", "meetings:move"):
        assert reverse(name, args=[meeting.pk]) in page
    assert '<svg viewBox="0 0' in page
    inspector = text(signed_in(users[Role.INSPECTOR]).get(url))
    assert reverse("meetings:roll_call", args=[meeting.pk]) in inspector
    assert reverse("meetings:qr", args=[meeting.pk]) not in inspector
    assert "<svg" not in inspector
    assert meeting.checkin_code not in inspector
    mine = text(signed_in(users[Role.MEMBER]).get(url))
    assert reverse("meetings:roll_call", args=[meeting.pk]) not in mine
    assert reverse("members:detail", args=[item.assignee_id]) not in mine
    assert "Đặng Văn Dũng" in mine
    assert (
        signed_in(users[Role.SECRETARY])
        .get(reverse("meetings:detail", args=[plan(tree.cell_a2, date(2099, 3, 4)).pk]))
        .status_code
        == 404
    )


def test_the_unit_page_links_to_its_meetings(tree: Tree, users: dict[str, User]) -> None:
    page = text(signed_in(users[Role.MEMBER]).get(reverse("units:detail", args=[tree.cell_a1.pk])))
    assert reverse("meetings:unit", args=[tree.cell_a1.pk]) in page


def test_plan_a_meeting(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.SECRETARY])
    url = reverse("meetings:plan", args=[tree.cell_a1.pk])
    form = text(client.get(url))
    assert "dd/mm/yyyy" in form
    assert 'value="19:00"' in form
    response = client.post(
        url,
        {
            "kind": "regular",
            "day": "04/03/2026",
            "at": "19h30",
            "place": " Hội trường ",
            "title": "",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    assert timezone.localtime(meeting.starts_at) == at(date(2026, 3, 4), 19, 30)
    assert (meeting.place, meeting.series_month) == ("Hội trường", date(2026, 3, 1))
    assert meeting.agenda.count() == len(services.STANDARD_AGENDA)
    # A second regular meeting the same month: the generated series would have one too.
    again = client.post(url, {"kind": "regular", "day": "20/03/2026", "at": "08:00"})
    assert "đã có cuộc họp thường kỳ (04/03/2026)" in text(again)
    assert services.plan_month(tree.cell_a1, date(2026, 3, 1), actor=None) is None
    thematic = client.post(url, {"kind": "thematic", "day": "20/03/2026", "at": "08:00"})
    assert "chủ đề" in text(thematic)
    bad = client.post(url, {"kind": "regular", "day": "2026/03/40", "at": "25:00"})
    assert bad.status_code == 200
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.MEMBER])
def test_read_only_roles_cannot_plan_or_move(tree: Tree, users: dict[str, User], role: str) -> None:
    meeting = plan(tree.cell_a1, date(2099, 3, 4))
    client = signed_in(users[role])
    events = AuditEvent.objects.count()
    data = {"kind": "regular", "day": "04/04/2099", "at": "19:00"}
    assert client.post(reverse("meetings:plan", args=[tree.cell_a1.pk]), data).status_code == 404
    assert client.post(reverse("meetings:move", args=[meeting.pk]), data).status_code == 404
    assert (Meeting.objects.count(), AuditEvent.objects.count()) == (1, events)


def test_move_a_meeting_not_yet_held(tree: Tree, users: dict[str, User]) -> None:
    meeting = plan(tree.cell_a1, date(2099, 3, 4), place="Nhà văn hóa")
    client = signed_in(users[Role.SECRETARY])
    url = reverse("meetings:move", args=[meeting.pk])
    form = text(client.get(url))
    assert 'value="04/03/2099"' in form
    assert 'value="Nhà văn hóa"' in form
    response = client.post(url, {"day": "06/03/2099", "at": "14:00", "place": "Trụ sở"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert timezone.localtime(meeting.starts_at) == at(date(2099, 3, 6), 14)
    assert meeting.place == "Trụ sở"
    held = plan(tree.cell_a1, date(2025, 3, 4))
    services.record_attendance(
        held, actor=None, marks={member("Lê Văn Chín").pk: (Mark.PRESENT, "")}
    )
    refused = client.post(
        reverse("meetings:move", args=[held.pk]), {"day": "06/03/2025", "at": "14:00"}
    )
    assert "Chỉ dời được cuộc họp chưa diễn ra" in text(refused)


# The roll call


@pytest.fixture
def meeting(tree: Tree) -> Meeting:
    """A meeting of cell A1 that has begun: its roll call is open."""
    return plan(tree.cell_a1, date(2025, 3, 4))


def marks(meeting: Meeting) -> dict[str, tuple[str, str]]:
    return {
        a.member.full_name: (a.mark, a.reason)
        for a in Attendance.objects.filter(meeting=meeting).select_related("member")
    }


def test_roll_call_everyone_present_in_one_tap_then_the_exceptions(
    tree: Tree, users: dict[str, User], meeting: Meeting
) -> None:
    chin, dung, huong = member("Lê Văn Chín"), member("Đặng Văn Dũng"), member("Phạm Thị Hường")
    member_services.exempt_member(
        chin, actor=None, on=date(2025, 1, 1), extent="full", basis=B("NQ")
    )
    client = signed_in(users[Role.SECRETARY])
    url = reverse("meetings:roll_call", args=[meeting.pk])
    page = text(client.get(url))
    assert "Tất cả có mặt" in page
    assert "Còn 2 người chưa điểm danh" in page
    expected_part, exempted_part = page.split("Được miễn sinh hoạt")
    assert "Đặng Văn Dũng" in expected_part and "Phạm Thị Hường" in expected_part
    assert "Lê Văn Chín" in exempted_part and "nếu đến thì ghi có mặt" in exempted_part

    response = client.post(reverse("meetings:all_present", args=[meeting.pk]))
    assert response.status_code == 302
    assert marks(meeting) == {"Đặng Văn Dũng": ("present", ""), "Phạm Thị Hường": ("present", "")}
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD

    # Open Dũng's line, then mark him late (htmx: the line and the counts come back).
    line = client.get(url, {"member": dung.pk}, headers={"HX-Request": "true"})
    assert text(line).startswith(f'<li id="m-{dung.pk}"')
    assert "Vắng có lý do" in text(line)
    mark_dung = reverse("meetings:mark", args=[meeting.pk, dung.pk])
    late = text(client.post(mark_dung, {"mark": "late"}, headers={"HX-Request": "true"}))
    assert late.startswith(f'<li id="m-{dung.pk}"')
    assert "Đi muộn" in late
    assert 'id="roll-counts" aria-live="polite" hx-swap-oob="true"' in late
    # The answer's counts (from the member's line and a count in SQL) are the page's.
    stats = re.compile(r'<dl class="stats">.*?</dl>', re.S)
    assert stats.findall(late) == stats.findall(text(client.get(url)))
    assert "<dd>2</dd>" in stats.findall(late)[0]
    # An excused absence needs its reason: a form error, nothing written.
    mark_huong = reverse("meetings:mark", args=[meeting.pk, huong.pk])
    refused = text(client.post(mark_huong, {"mark": "excused", "reason": " "}))
    assert "hãy ghi lý do" in refused
    assert marks(meeting)["Phạm Thị Hường"] == ("present", "")
    response = client.post(mark_huong, {"mark": "excused", "reason": "Ốm"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#m-{huong.pk}")
    # The exempted member who came: present, not counted.
    client.post(reverse("meetings:mark", args=[meeting.pk, chin.pk]), {"mark": "present"})
    assert marks(meeting) == {
        "Đặng Văn Dũng": ("late", ""),
        "Phạm Thị Hường": ("excused", "Ốm"),
        "Lê Văn Chín": ("present", ""),
    }
    assert Attendance.objects.get(member=chin).counted is False
    figures = selectors.turnout(meeting)
    assert (figures.expected, figures.present, figures.excused) == (2, 1, 1)
    page = text(client.get(url))
    assert "Tất cả có mặt" not in page
    assert "Vắng có lý do</strong>: Ốm" in page
    # Tapping "everyone present" again would not undo the exceptions.
    client.post(reverse("meetings:all_present", args=[meeting.pk]))
    assert marks(meeting)["Phạm Thị Hường"] == ("excused", "Ốm")


def test_roll_call_refused_once_closed(
    tree: Tree, users: dict[str, User], meeting: Meeting
) -> None:
    everyone = {m.pk: (Mark.PRESENT, "") for m in selectors.expected(meeting).members}
    services.record_attendance(meeting, actor=None, marks=everyone)
    services.close_meeting(meeting, actor=None, ends_at=at(date(2025, 3, 4), 21))
    client = signed_in(users[Role.SECRETARY])
    before = (marks(meeting), AuditEvent.objects.count())
    dung = member("Đặng Văn Dũng")
    refused = client.post(reverse("meetings:mark", args=[meeting.pk, dung.pk]), {"mark": "late"})
    assert refused.status_code == 200
    assert "đã khóa" in text(refused)
    refused = client.post(reverse("meetings:all_present", args=[meeting.pk]))
    assert "đã khóa" in text(refused)
    assert (marks(meeting), AuditEvent.objects.count()) == before
    page = text(client.get(reverse("meetings:roll_call", args=[meeting.pk])))
    assert "Tất cả có mặt" not in page
    assert reverse("meetings:mark", args=[meeting.pk, dung.pk]) not in page


def test_roll_call_waits_for_the_meeting(tree: Tree, users: dict[str, User]) -> None:
    later = plan(tree.cell_a1, date(2099, 3, 4))
    client = signed_in(users[Role.SECRETARY])
    page = text(client.get(reverse("meetings:roll_call", args=[later.pk])))
    assert "điểm danh mở từ 18:30 ngày 04/03/2099" in page
    refused = client.post(reverse("meetings:all_present", args=[later.pk]))
    assert "Chưa đến giờ họp" in text(refused)
    assert not Attendance.objects.exists()
    later.refresh_from_db()
    assert later.state == MeetingState.PLANNED


def test_read_only_roles_cannot_mark(tree: Tree, users: dict[str, User], meeting: Meeting) -> None:
    dung = member("Đặng Văn Dũng")
    inspector = signed_in(users[Role.INSPECTOR])
    page = text(inspector.get(reverse("meetings:roll_call", args=[meeting.pk])))
    assert "Đặng Văn Dũng" in page
    assert "Tất cả có mặt" not in page
    assert "<form" not in page.split('id="roll"')[1].split("</main>")[0]
    assert "?member=" not in page
    mark_url = reverse("meetings:mark", args=[meeting.pk, dung.pk])
    for role in (Role.INSPECTOR, Role.MEMBER):
        client = signed_in(users[role])
        assert client.post(mark_url, {"mark": "late"}).status_code == 404
        assert client.post(reverse("meetings:all_present", args=[meeting.pk])).status_code == 404
    assert (
        signed_in(users[Role.MEMBER])
        .get(reverse("meetings:roll_call", args=[meeting.pk]))
        .status_code
        == 404
    )
    assert not Attendance.objects.exists()


def test_only_the_meetings_members_are_marked(
    tree: Tree, users: dict[str, User], meeting: Meeting
) -> None:
    stranger = member("Nguyễn Thị Lan")  # cell A2
    client = signed_in(users[Role.STAFF])
    url = reverse("meetings:mark", args=[meeting.pk, stranger.pk])
    assert client.post(url, {"mark": "present"}).status_code == 404
    assert not Attendance.objects.exists()


def cell_of(tree: Tree, code: str, size: int) -> Unit:
    cell = make_unit(tree.commune_b, UnitKind.CELL, code)
    for i in range(size):
        make_member(cell, f"Đảng Viên {code} {i}")
    return cell


def test_roll_call_query_count_does_not_grow_with_the_cell(
    tree: Tree, users: dict[str, User]
) -> None:
    secretary = make_user("bithu_xa", Role.SECRETARY, tree.commune_b)
    client = signed_in(secretary)
    counts = []
    for code, size in [("SMALL", 5), ("LARGE", 60)]:
        meeting = plan(cell_of(tree, code, size), date(2025, 3, 4))
        roll = reverse("meetings:roll_call", args=[meeting.pk])
        someone = selectors.expected(meeting).members[0]
        client.get(roll)
        counts.append(
            (
                queries(client, "get", roll),
                queries(client, "post", reverse("meetings:all_present", args=[meeting.pk])),
                queries(client, "get", roll),
                queries(
                    client,
                    "post",
                    reverse("meetings:mark", args=[meeting.pk, someone.pk]),
                    {"mark": "excused", "reason": "Đi công tác"},
                ),
            )
        )
        assert len(marks(meeting)) == size
    small, large = counts
    assert small == large


def test_closing_through_the_page(tree, users) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from chibo.accounts.models import Role
    from chibo.meetings import services as meeting_services
    from chibo.meetings.models import MeetingState

    meeting = meeting_services.plan_meeting(
        tree.cell_a1,
        actor=None,
        kind="regular",
        starts_at=timezone.make_aware(datetime(2026, 3, 4, 19)),
    )
    client = Client()
    client.force_login(users[Role.SECRETARY])
    url = reverse("meetings:close", args=[meeting.pk])
    refused = client.post(url, {"ended": "21:00"})
    assert "chưa điểm danh" in refused.content.decode()
    everyone = {m.pk: ("present", "") for m in meeting_services.selectors.expected(meeting).members}
    meeting_services.record_attendance(meeting, actor=None, marks=everyone)
    response = client.post(url, {"ended": "20:00"}, follow=True)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CLOSED
    assert "60 phút" in response.content.decode()  # the short meeting is closed with a warning


def test_guests_are_recorded_and_never_counted(tree, users) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from chibo.accounts.models import Role
    from chibo.audit.models import AuditEvent
    from chibo.meetings import selectors as meeting_selectors
    from chibo.meetings import services as meeting_services

    meeting = meeting_services.plan_meeting(
        tree.cell_a1,
        actor=None,
        kind="extraordinary",
        starts_at=timezone.make_aware(datetime(2026, 3, 4, 19)),
    )
    before = meeting_selectors.expected(meeting).members
    secretary = Client()
    secretary.force_login(users[Role.SECRETARY])
    url = reverse("meetings:guests", args=[meeting.pk])
    assert "Chưa có khách mời" in secretary.get(url).content.decode()
    refused = secretary.post(url, {"name": "  ", "role": ""})
    assert refused.status_code == 200
    assert not meeting.guests.exists()
    response = secretary.post(url, {"name": "Phạm Thị Hường", "role": "Huyện ủy viên phụ trách"})
    assert response.status_code == 302
    assert [g.name for g in meeting.guests.all()] == ["Phạm Thị Hường"]
    assert meeting_selectors.expected(meeting).members == before
    assert AuditEvent.objects.filter(action="meetings.guest.add").count() == 1
    inspector = Client()
    inspector.force_login(users[Role.INSPECTOR])
    assert "Phạm Thị Hường" in inspector.get(url).content.decode()
    assert inspector.post(url, {"name": "X"}).status_code == 404


def test_plan_the_preparatory_meeting_from_the_meeting_it_prepares(
    tree: Tree, users: dict[str, User]
) -> None:
    regular = plan(tree.cell_a1, date(2099, 5, 5))
    client = signed_in(users[Role.SECRETARY])
    page = text(client.get(reverse("meetings:detail", args=[regular.pk])))
    link = reverse("meetings:plan", args=[tree.cell_a1.pk]) + f"?prepares={regular.pk}"
    assert link in page
    form = text(client.get(link))
    assert re.search(rf'<option value="{regular.pk}" selected>', form)
    assert '<option value="preparatory" selected>' in form
    assert 'type="hidden" name="mode"' in form  # in person only: no approval for online
    data = {"kind": "preparatory", "prepares": str(regular.pk), "day": "02/05/2099", "at": "19:00"}
    response = client.post(link, data)
    prep = Meeting.objects.get(kind=MeetingKind.PREPARATORY)
    assert response["Location"] == reverse("meetings:detail", args=[prep.pk])
    assert prep.prepares == regular
    assert "Chuẩn bị cho" in text(client.get(response["Location"]))
    assert "Họp chi ủy chuẩn bị" in text(client.get(reverse("meetings:detail", args=[regular.pk])))


def test_another_units_meeting_cannot_be_named_as_prepared(
    tree: Tree, users: dict[str, User]
) -> None:
    elsewhere = plan(tree.cell_a2, date(2099, 5, 5))
    client = signed_in(users[Role.SECRETARY])
    url = reverse("meetings:plan", args=[tree.cell_a1.pk])
    data = {
        "kind": "preparatory",
        "prepares": str(elsewhere.pk),
        "day": "02/05/2099",
        "at": "19:00",
    }
    assert client.post(url, data).status_code == 200  # not a choice on this unit's form
    assert not Meeting.objects.filter(kind=MeetingKind.PREPARATORY).exists()
