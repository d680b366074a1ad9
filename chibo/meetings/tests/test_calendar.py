"""The private iCalendar feeds: RFC 5545 text that parses, revoked links, and scope."""

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chibo.accounts import services as account_services
from chibo.accounts.models import Role, RoleAssignment, User
from chibo.audit.models import AuditEvent
from chibo.meetings import calendar, preparation, services
from chibo.meetings.models import CalendarFeed, Meeting
from chibo.members import services as member_services
from chibo.members.models import Member
from chibo.units.models import Unit
from conftest import START, Tree, make_user


def future(days: int, hour: int = 19) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def plan(unit: Unit, starts_at: datetime, **extra: str) -> Meeting:
    return services.plan_meeting(unit, actor=None, kind="regular", starts_at=starts_at, **extra)


def member_user(unit: Unit, name: str, username: str) -> tuple[Member, User]:
    user = make_user(username)
    details = member_services.MemberDetails(full_name=name, sex="F")
    person = member_services.register_member(unit, actor=None, details=details, on=START, user=user)
    return person, user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# A small, strict reader of RFC 5545 text, enough to check what the feed writes.


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def parse(text: str) -> list[dict[str, Any]]:
    """The events of a VCALENDAR, each as {property name: value (unescaped)}; fails on
    anything RFC 5545 forbids that the writer could get wrong."""
    assert text.endswith("\r\n")
    raw = text[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in raw)
    assert all(len(line.encode()) <= 75 for line in raw), "a line longer than 75 octets"
    lines: list[str] = []
    for line in raw:
        if line.startswith((" ", "\t")):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    stack: list[str] = []
    events: list[dict[str, Any]] = []
    calendar_props: dict[str, str] = {}
    for line in lines:
        name_part, _sep, value = line.partition(":")
        assert _sep, f"no colon in {line!r}"
        name = name_part.split(";")[0].upper()
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({})
        elif name == "END":
            assert stack.pop() == value
        elif stack == ["VCALENDAR", "VEVENT"]:
            assert name not in events[-1], f"{name} twice in an event"
            events[-1][name] = unescape(value)
        else:
            calendar_props[name] = unescape(value)
    assert stack == []
    assert calendar_props["VERSION"] == "2.0" and calendar_props["PRODID"]
    for event in events:
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            assert required in event, f"{required} missing"
    return [dict(e, CALNAME=calendar_props.get("X-WR-CALNAME")) for e in events]


def fetch(client: Client, feed: CalendarFeed) -> Any:
    return client.get(reverse("meetings:feed", args=[feed.token]))


# Escaping and folding


def test_text_values_are_escaped() -> None:
    assert calendar.escape("a,b;c\\d\ne\r\nf\tg\x07") == "a\\,b\\;c\\\\d\\ne\\nf g"


def test_long_vietnamese_lines_fold_between_characters() -> None:
    line = (
        "SUMMARY:" + "Sinh hoạt chuyên đề: Học tập và làm theo tư tưởng, đạo đức Hồ Chí Minh " * 3
    )
    folded = calendar.fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 3
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line


# Feeds


def test_a_member_feed_parses_and_holds_only_their_meetings(tree: Tree) -> None:
    person, user = member_user(tree.cell_a1, "Phan Thị Lịch", "lich")
    home = plan(tree.cell_a1, future(3), place="Nhà văn hóa, thôn Ninh Phú; phòng 2")
    plan(tree.cell_a2, future(4))  # a sibling cell's meeting
    recent = plan(tree.cell_a1, future(-20))
    feed = preparation.create_feed(user, actor=user)
    response = fetch(Client(), feed)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = parse(response.content.decode())
    assert sorted(e["UID"] for e in events) == sorted(
        f"meeting-{m.pk}@testserver" for m in (home, recent)
    )
    event = next(e for e in events if e["UID"] == f"meeting-{home.pk}@testserver")
    start = home.starts_at.astimezone(UTC)
    assert event["DTSTART"] == start.strftime("%Y%m%dT%H%M%SZ")
    assert event["DTSTART"].endswith("T120000Z")  # 19:00 in Vietnam is 12:00 UTC
    assert event["DTEND"].endswith("T133000Z")  # the guidance's 90 minutes
    assert event["LOCATION"] == "Nhà văn hóa, thôn Ninh Phú; phòng 2"
    assert event["SUMMARY"] == "Sinh hoạt thường kỳ · Chi bộ thôn Ninh Phú"
    link = f"http://testserver/meetings/mine/#meeting-{home.pk}"
    assert link in event["DESCRIPTION"] and event["URL"] == link
    assert event["STATUS"] == "CONFIRMED"
    assert events[0]["CALNAME"] == "Lịch sinh hoạt của Phan Thị Lịch"
    assert person.full_name in events[0]["CALNAME"]


def test_a_unit_feed_holds_the_units_meetings_with_links_to_them(
    tree: Tree, users: dict[str, User]
) -> None:
    meeting = plan(tree.cell_a1, future(3), title="")
    thematic = services.plan_meeting(
        tree.cell_a1, actor=None, kind="thematic", starts_at=future(10), title="Chỉ thị 50"
    )
    plan(tree.cell_a2, future(3))
    client = signed_in(users[Role.STAFF])
    response = client.post(reverse("meetings:unit_feed_new", args=[tree.cell_a1.pk]))
    assert response.status_code == 302
    feed = CalendarFeed.objects.get(user=users[Role.STAFF], unit=tree.cell_a1)
    page = client.get(reverse("meetings:unit_feed", args=[tree.cell_a1.pk])).content.decode()
    assert f"/meetings/feeds/{feed.token}.ics" in page
    assert f"webcal://testserver/meetings/feeds/{feed.token}.ics" in page
    events = parse(fetch(Client(), feed).content.decode())
    assert [e["UID"] for e in events] == [
        f"meeting-{meeting.pk}@testserver",
        f"meeting-{thematic.pk}@testserver",
    ]
    assert events[0]["URL"] == f"http://testserver/meetings/{meeting.pk}/"
    assert events[1]["SUMMARY"].startswith("Sinh hoạt chuyên đề: Chỉ thị 50")
    assert events[1]["DTEND"].endswith("T140000Z")  # 120 minutes with a thematic part
    assert AuditEvent.objects.filter(action="meetings.feed.create").count() == 1


def test_a_revoked_or_unknown_token_is_not_found(tree: Tree, users: dict[str, User]) -> None:
    user = users[Role.SECRETARY]
    feed = preparation.create_feed(user, actor=user, unit=tree.cell_a1)
    assert fetch(Client(), feed).status_code == 200
    response = signed_in(user).post(reverse("meetings:feed_revoke", args=[feed.pk]))
    assert response.status_code == 302
    assert fetch(Client(), feed).status_code == 404
    assert Client().get(reverse("meetings:feed", args=["x" * 32])).status_code == 404
    # A new link replaces the old one: the old one stops working.
    first = preparation.create_feed(user, actor=user, unit=tree.cell_a1)
    second = preparation.create_feed(user, actor=user, unit=tree.cell_a1)
    assert fetch(Client(), first).status_code == 404
    assert fetch(Client(), second).status_code == 200


def test_a_unit_feed_closes_when_the_user_loses_the_unit(tree: Tree) -> None:
    user = make_user("tamthoi")
    assignment = account_services.assign_role(
        user, actor=None, unit=tree.commune_a, role=Role.STAFF, valid_from=START
    )
    feed = preparation.create_feed(user, actor=user, unit=tree.cell_a1)
    assert fetch(Client(), feed).status_code == 200
    # No service ends a role yet: end it as an administrator's correction would.
    RoleAssignment.objects.filter(pk=assignment.pk).update(
        valid_to=timezone.localdate() - timedelta(days=1)
    )
    assert fetch(Client(), feed).status_code == 404
    user.is_active = False
    user.save()
    assert calendar.live_feed(feed.token) is None


def test_a_unit_feed_only_for_a_unit_the_user_reads(tree: Tree, users: dict[str, User]) -> None:
    secretary = users[Role.SECRETARY]
    with pytest.raises(ValidationError):
        preparation.create_feed(secretary, actor=secretary, unit=tree.cell_a2)
    response = signed_in(secretary).post(reverse("meetings:unit_feed_new", args=[tree.cell_a2.pk]))
    assert response.status_code == 404
    assert not CalendarFeed.objects.exists()


def test_own_feed_needs_a_member_record(tree: Tree, users: dict[str, User]) -> None:
    staff = users[Role.STAFF]
    response = signed_in(staff).post(reverse("meetings:my_feed"), follow=True)
    assert "chưa gắn với hồ sơ đảng viên" in response.content.decode()
    assert not CalendarFeed.objects.exists()
    _person, user = member_user(tree.cell_a1, "Lâm Văn Riêng", "rieng")
    client = signed_in(user)
    client.post(reverse("meetings:my_feed"))
    feed = CalendarFeed.objects.get(user=user, unit=None)
    page = client.get(reverse("meetings:mine")).content.decode()
    assert f"http://testserver/meetings/feeds/{feed.token}.ics" in page
    # Someone else's link cannot be revoked, even by an administrator.
    admin = users[Role.ADMIN]
    assert signed_in(admin).post(reverse("meetings:feed_revoke", args=[feed.pk])).status_code == (
        404
    )
    feed.refresh_from_db()
    assert feed.revoked_at is None


def test_the_feed_includes_a_supervisors_units(tree: Tree) -> None:
    from chibo.meetings.tests.test_preparation import supervisor_of

    meeting = plan(tree.cell_a1, future(3))
    supervisor = supervisor_of(tree)
    supervisor.user = make_user("phutrach")
    supervisor.save()
    feed = preparation.create_feed(supervisor.user, actor=None)
    events = parse(calendar.feed_calendar(feed, "https://chibo.example.vn/"))
    assert [e["UID"] for e in events] == [f"meeting-{meeting.pk}@chibo.example.vn"]
    assert events[0]["SUMMARY"].startswith("[Phụ trách]")


def test_feed_window_keeps_recent_meetings_only(tree: Tree) -> None:
    _person, user = member_user(tree.cell_a1, "Tạ Văn Cũ", "cu")
    old = plan(tree.cell_a1, timezone.make_aware(datetime(2025, 3, 4, 19)))
    feed = preparation.create_feed(user, actor=None)
    uids = [e["UID"] for e in parse(calendar.feed_calendar(feed, "http://testserver/"))]
    assert f"meeting-{old.pk}@testserver" not in uids
