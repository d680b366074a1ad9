"""Meetings in the JSON API: the same services and access rules as the pages, one error shape,
token or session auth, and an OpenAPI description of every operation and field."""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from chibo.accounts import services as account_services
from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.meetings import api as meetings_api
from chibo.meetings import services
from chibo.meetings.models import (
    Attendance,
    DuesPayment,
    Mark,
    Meeting,
    MeetingKind,
    MeetingState,
    Resolution,
    Vote,
)
from chibo.meetings.records import services as record_services
from chibo.members import services as member_services
from chibo.members.models import Member
from chibo.units.models import Unit
from conftest import Tree, make_member

DAY = date(2025, 3, 4)
B = member_services.Basis


def at(day: date, hour: int = 19, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def plan(unit: Unit, day: date = DAY, kind: str = MeetingKind.REGULAR, **extra: Any) -> Meeting:
    return services.plan_meeting(unit, actor=None, kind=kind, starts_at=at(day), **extra)


def member(name: str) -> Member:
    return Member.objects.get(full_name=name)


def roll(meeting: Meeting, marks: dict[str, tuple[str, str]]) -> None:
    services.record_attendance(
        meeting, actor=None, marks={member(name).pk: mark for name, mark in marks.items()}
    )


EVERYONE = {
    "Lê Văn Chín": (Mark.PRESENT, ""),
    "Phạm Thị Hường": (Mark.PRESENT, ""),
    "Đặng Văn Dũng": (Mark.PRESENT, ""),
}


class Api:
    """A client of /api/v1/meetings with JSON bodies."""

    def __init__(self, user: User | None = None, token: str | None = None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        if user is not None:
            self.client.force_login(user)

    def call(self, method: str, path: str, body: Any = None, **query: str) -> Any:
        url = f"/api/v1/meetings{path}"
        if method == "GET":
            return self.client.get(url, query, headers=self.headers)
        return self.client.generic(
            method,
            url,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self.headers,
        )

    def get(self, path: str, **query: str) -> Any:
        return self.call("GET", path, **query)

    def post(self, path: str, body: Any) -> Any:
        return self.call("POST", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self.call("PUT", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self.call("PATCH", path, body)


def written() -> tuple[int, ...]:
    """What a refused request must leave as it was."""
    return (
        AuditEvent.objects.count(),
        Meeting.objects.count(),
        Attendance.objects.count(),
        Vote.objects.count(),
        Resolution.objects.count(),
        DuesPayment.objects.count(),
    )


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


# A unit's meetings, planning ----------------------------------------------------------------


def test_a_units_meetings_in_time_order_with_turnout_and_a_period(
    tree: Tree, users: dict[str, User]
) -> None:
    past = plan(tree.cell_a1)
    roll(
        past,
        {
            "Lê Văn Chín": (Mark.PRESENT, ""),
            "Đặng Văn Dũng": (Mark.LATE, ""),
            "Phạm Thị Hường": (Mark.EXCUSED, "Ốm"),
        },
    )
    future = plan(tree.cell_a1, date(2099, 5, 5), MeetingKind.THEMATIC, title="Học tập")
    plan(tree.cell_a2)  # another cell's meeting is not listed
    body = Api(users[Role.SECRETARY]).get(f"/units/{tree.cell_a1.pk}").json()
    assert body["count"] == 2
    first, second = body["items"]
    assert (first["id"], second["id"]) == (past.pk, future.pk)
    assert (first["state"], first["expected"], first["present"], first["rate"]) == (
        "held",
        3,
        2,
        66.7,
    )
    assert first["starts_at"] == "2025-03-04T19:00:00+07:00"
    assert (second["kind"], second["title"], second["rate"]) == ("thematic", "Học tập", None)
    # The period is of days, both included; the member role reads its cell's meetings too.
    member_api = Api(users[Role.MEMBER])
    only_past = member_api.get(
        f"/units/{tree.cell_a1.pk}", **{"from": "2025-03-04", "to": "2025-03-04"}
    )
    assert [m["id"] for m in only_past.json()["items"]] == [past.pk]
    later = member_api.get(f"/units/{tree.cell_a1.pk}", **{"from": "2025-03-05"})
    assert [m["id"] for m in later.json()["items"]] == [future.pk]
    assert_error(member_api.get(f"/units/{tree.cell_a1.pk}", to="04/03/2025"), 422, "malformed")


def test_the_list_costs_the_same_queries_for_a_larger_unit(
    tree: Tree, users: dict[str, User]
) -> None:
    client = Api(users[Role.SECRETARY])
    url = f"/units/{tree.cell_a1.pk}"
    roll(plan(tree.cell_a1), EVERYONE)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    client.get(url)  # the first request of a session does more (e.g. caches), once
    few = count()
    for i in range(8):
        make_member(tree.cell_a1, f"Đảng Viên Mới {i}")
    for month in range(4, 10):
        roll(plan(tree.cell_a1, date(2025, month, 4)), EVERYONE)
    assert count() == few


def test_plan_a_regular_meeting_into_its_months_place(tree: Tree, users: dict[str, User]) -> None:
    client = Api(users[Role.SECRETARY])
    response = client.post(
        f"/units/{tree.cell_a1.pk}",
        {"kind": "regular", "starts_at": "2026-04-03T19:30:00", "place": " Nhà văn hóa "},
    )
    assert response.status_code == 201
    body = response.json()
    meeting = Meeting.objects.get(pk=body["id"])
    # A time without an offset is Vietnam time, as on the planning page.
    assert meeting.starts_at == at(date(2026, 4, 3), 19, 30)
    assert (meeting.place, meeting.series_month) == ("Nhà văn hóa", date(2026, 4, 1))
    assert body["series_month"] == "2026-04-01"
    assert body["expected"] == 3
    assert len(body["agenda"]) == 10
    assert body["agenda"][0] == {
        "position": 1,
        "part": "opening",
        "title": "Thu đảng phí tháng",
        "assignee_name": None,
        "assignee_id": None,
    }
    assert AuditEvent.objects.filter(action="meetings.meeting.plan", actor=users[Role.SECRETARY])
    # The monthly generation does not add a second one; planning one by hand is refused.
    assert services.generate_month(tree.cell_a1, date(2026, 4, 1), actor=None) == 0
    before = written()
    again = client.post(
        f"/units/{tree.cell_a1.pk}",
        {"kind": "regular", "starts_at": "2026-04-20T19:00:00+07:00"},
    )
    assert "đã có cuộc họp thường kỳ" in assert_error(again, 400, "invalid")["message"]
    assert written() == before


def test_planning_refusals_write_nothing(tree: Tree, users: dict[str, User]) -> None:
    client = Api(users[Role.STAFF])
    before = written()
    thematic = client.post(
        f"/units/{tree.cell_a1.pk}",
        {"kind": "thematic", "starts_at": "2026-04-10T19:00:00+07:00", "title": "  "},
    )
    assert "cần có chủ đề" in assert_error(thematic, 400, "invalid")["message"]
    kind = client.post(
        f"/units/{tree.cell_a1.pk}", {"kind": "party", "starts_at": "2026-04-10T19:00:00"}
    )
    assert assert_error(kind, 422, "malformed")["details"]
    no_time = client.post(f"/units/{tree.cell_a1.pk}", {"kind": "regular"})
    assert_error(no_time, 422, "malformed")
    online = client.post(
        f"/units/{tree.cell_a1.pk}",
        {"kind": "extraordinary", "starts_at": "2026-04-10T19:00:00", "mode": "online"},
    )
    assert "approval of the committee above" in assert_error(online, 400, "invalid")["message"]
    assert written() == before


def test_plan_a_preparatory_meeting_for_a_meeting_in_scope_only(
    tree: Tree, users: dict[str, User]
) -> None:
    regular = plan(tree.cell_a1, date(2026, 4, 3))
    client = Api(users[Role.SECRETARY])
    body = {"kind": "preparatory", "starts_at": "2026-03-31T19:00:00", "prepares_id": regular.pk}
    response = client.post(f"/units/{tree.cell_a1.pk}", body)
    assert response.status_code == 201
    assert response.json()["prepares_id"] == regular.pk
    elsewhere = plan(tree.other_cell, date(2026, 4, 3))
    before = written()
    body["prepares_id"] = elsewhere.pk
    assert_error(client.post(f"/units/{tree.cell_a1.pk}", body), 404, "not_found")
    assert written() == before
    not_json = client.client.post(
        f"/api/v1/meetings/units/{tree.cell_a1.pk}", "{", content_type="application/json"
    )
    assert not_json.status_code == 400
    assert not_json.json()["code"] == "error"
    assert written() == before


def test_plan_a_months_series_for_the_unit_and_below(tree: Tree, users: dict[str, User]) -> None:
    client = Api(users[Role.STAFF])
    response = client.post(f"/units/{tree.commune_a.pk}/series", {"month": "2026-05"})
    assert response.status_code == 200
    assert response.json() == {"unit_id": tree.commune_a.pk, "month": "2026-05-01", "planned": 2}
    planned = Meeting.objects.filter(series_month=date(2026, 5, 1), kind=MeetingKind.REGULAR)
    assert {m.unit_id for m in planned} == {tree.cell_a1.pk, tree.cell_a2.pk}
    again = client.post(f"/units/{tree.commune_a.pk}/series", {"month": "2026-05"})
    assert again.json()["planned"] == 0
    before = written()
    for bad in ("2026-13", "05/2026", "2026-5"):
        response = client.post(f"/units/{tree.commune_a.pk}/series", {"month": bad})
        assert_error(response, 422, "malformed")
    assert written() == before


# One meeting --------------------------------------------------------------------------------


def test_one_meeting_with_its_agenda_and_figures(tree: Tree, users: dict[str, User]) -> None:
    meeting = plan(tree.cell_a1, place="Hội trường")
    member_services.exempt_member(
        member("Lê Văn Chín"), actor=None, on=date(2025, 1, 1), extent="full", basis=B("NQ")
    )
    roll(meeting, {"Phạm Thị Hường": (Mark.PRESENT, ""), "Đặng Văn Dũng": (Mark.EXCUSED, "Ốm")})
    body = Api(users[Role.MEMBER]).get(f"/{meeting.pk}").json()
    assert (body["id"], body["unit_id"], body["kind"], body["state"], body["place"]) == (
        meeting.pk,
        tree.cell_a1.pk,
        "regular",
        "held",
        "Hội trường",
    )
    figures = ("expected", "present", "excused", "unexcused", "unmarked", "exempted", "rate")
    assert [body[name] for name in figures] == [2, 1, 1, 0, 0, 1, 50.0]
    assert [item["position"] for item in body["agenda"]] == list(range(1, 11))
    assert body["ends_at"] is None


def test_move_a_planned_meeting_but_not_a_held_one(tree: Tree, users: dict[str, User]) -> None:
    meeting = plan(tree.cell_a1, date(2026, 4, 3), place="Nhà văn hóa")
    client = Api(users[Role.SECRETARY])
    response = client.patch(f"/{meeting.pk}", {"starts_at": "2026-04-05T08:00:00+07:00"})
    assert response.status_code == 200
    assert response.json()["starts_at"] == "2026-04-05T08:00:00+07:00"
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.place) == (at(date(2026, 4, 5), 8), "Nhà văn hóa")
    client.patch(f"/{meeting.pk}", {"starts_at": "2026-04-05T08:00:00", "place": "Sân đình"})
    meeting.refresh_from_db()
    assert meeting.place == "Sân đình"

    held = plan(tree.cell_a1)
    roll(held, EVERYONE)
    before = written()
    refused = client.patch(f"/{held.pk}", {"starts_at": "2025-03-06T19:00:00+07:00"})
    assert "chưa diễn ra" in assert_error(refused, 400, "invalid")["message"]
    assert_error(client.patch(f"/{meeting.pk}", {"place": "Sân đình"}), 422, "malformed")
    assert written() == before


# The roll -----------------------------------------------------------------------------------


def test_take_the_roll_in_bulk(tree: Tree, users: dict[str, User]) -> None:
    meeting = plan(tree.cell_a1)
    chin, huong, dung = member("Lê Văn Chín"), member("Phạm Thị Hường"), member("Đặng Văn Dũng")
    member_services.exempt_member(
        chin, actor=None, on=date(2025, 1, 1), extent="full", basis=B("NQ")
    )
    client = Api(users[Role.SECRETARY])
    before = client.get(f"/{meeting.pk}/attendance").json()
    assert (before["state"], before["expected"], before["unmarked"], before["rate"]) == (
        "planned",
        2,
        2,
        None,
    )
    assert [(m["full_name"], m["counted"], m["mark"]) for m in before["members"]] == [
        ("Đặng Văn Dũng", True, None),
        ("Phạm Thị Hường", True, None),
        ("Lê Văn Chín", False, None),
    ]
    response = client.put(
        f"/{meeting.pk}/attendance",
        {
            "marks": [
                {"member_id": huong.pk, "mark": "present"},
                {"member_id": dung.pk, "mark": "excused", "reason": "  Đi   công tác "},
                {"member_id": chin.pk, "mark": "present"},  # exempted, came: not counted
            ]
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["changed"], body["state"], body["present"], body["excused"], body["rate"]) == (
        3,
        "held",
        1,
        1,
        50.0,
    )
    lines = {m["member_id"]: m for m in body["members"]}
    assert (lines[dung.pk]["mark"], lines[dung.pk]["reason"]) == ("excused", "Đi công tác")
    assert lines[chin.pk]["counted"] is False
    assert lines[huong.pk]["source"] == "secretary"
    assert Attendance.objects.get(member=chin).counted is False
    assert Attendance.objects.get(member=huong).recorded_by == users[Role.SECRETARY]
    # The same marks again change nothing.
    same = client.put(
        f"/{meeting.pk}/attendance", {"marks": [{"member_id": huong.pk, "mark": "present"}]}
    )
    assert same.json()["changed"] == 0


def test_roll_refusals_write_nothing(tree: Tree, users: dict[str, User]) -> None:
    meeting = plan(tree.cell_a1)
    huong, dung = member("Phạm Thị Hường"), member("Đặng Văn Dũng")
    ahead = plan(tree.cell_a1, date(2099, 1, 5))
    client = Api(users[Role.SECRETARY])
    url = f"/{meeting.pk}/attendance"
    before = written()
    no_reason = client.put(
        url,
        {
            "marks": [
                {"member_id": huong.pk, "mark": "present"},
                {"member_id": dung.pk, "mark": "excused", "reason": " "},
            ]
        },
    )
    assert "hãy ghi lý do của Đặng Văn Dũng" in assert_error(no_reason, 400, "invalid")["message"]
    stranger = client.put(
        url, {"marks": [{"member_id": member("Nguyễn Thị Lan").pk, "mark": "present"}]}
    )
    assert "Not expected" in assert_error(stranger, 400, "invalid")["message"]
    twice = client.put(
        url,
        {
            "marks": [
                {"member_id": huong.pk, "mark": "present"},
                {"member_id": huong.pk, "mark": "late"},
            ]
        },
    )
    assert "more than once" in json.dumps(assert_error(twice, 422, "malformed")["details"])
    unknown = client.put(url, {"marks": [{"member_id": huong.pk, "mark": "asleep"}]})
    assert_error(unknown, 422, "malformed")
    # The roll opens with the check-in window, as on the roll-call page.
    early = client.put(
        f"/{ahead.pk}/attendance", {"marks": [{"member_id": huong.pk, "mark": "present"}]}
    )
    assert "Chưa đến giờ họp" in assert_error(early, 400, "invalid")["message"]
    assert written() == before


def test_the_roll_names_members_so_the_member_role_does_not_see_it(
    tree: Tree, users: dict[str, User]
) -> None:
    meeting = plan(tree.cell_a1)
    assert Api(users[Role.INSPECTOR]).get(f"/{meeting.pk}/attendance").status_code == 200
    assert_error(Api(users[Role.MEMBER]).get(f"/{meeting.pk}/attendance"), 404, "not_found")
    assert Api(users[Role.MEMBER]).get(f"/{meeting.pk}").status_code == 200


# Votes, resolutions, closing ----------------------------------------------------------------


def test_resolution_and_vote_against_the_right_denominator(
    tree: Tree, users: dict[str, User]
) -> None:
    meeting = plan(tree.cell_a1)
    roll(
        meeting,
        {
            "Lê Văn Chín": (Mark.PRESENT, ""),
            "Phạm Thị Hường": (Mark.PRESENT, ""),
            "Đặng Văn Dũng": (Mark.EXCUSED, "Ốm"),
        },
    )
    client = Api(users[Role.SECRETARY])
    adopted = client.post(f"/{meeting.pk}/resolutions", {"title": "Về nhiệm vụ tháng 4"})
    assert adopted.status_code == 201
    resolution = adopted.json()
    assert (resolution["code"], resolution["number"], resolution["year"]) == ("01-NQ/CB", 1, 2025)
    response = client.post(
        f"/{meeting.pk}/votes",
        {"subject": "Thông qua nghị quyết", "votes_for": 2, "resolution_id": resolution["id"]},
    )
    assert response.status_code == 201
    vote = response.json()
    # Majority: official members less the excused absence: 2; 2 of 2 for.
    assert (vote["denominator"], vote["passed"], vote["rule"]) == (2, True, "majority")
    assert vote["resolution_id"] == resolution["id"]
    two_thirds = client.post(
        f"/{meeting.pk}/votes",
        {"subject": "Kết nạp", "rule": "two_thirds_official", "votes_for": 2},
    ).json()
    assert (two_thirds["denominator"], two_thirds["passed"]) == (3, True)

    other = plan(tree.cell_a1, date(2025, 4, 4))
    roll(other, EVERYONE)
    foreign = record_services.adopt_resolution(other, actor=None, title="Khác", body="")
    not_held = plan(tree.cell_a1, date(2025, 5, 4))
    before = written()
    too_many = client.post(f"/{meeting.pk}/votes", {"subject": "Nhiều phiếu", "votes_for": 3})
    assert "More votes" in assert_error(too_many, 400, "invalid")["message"]
    wrong = client.post(
        f"/{meeting.pk}/votes",
        {"subject": "Sai nghị quyết", "votes_for": 1, "resolution_id": foreign.pk},
    )
    assert "another meeting" in assert_error(wrong, 400, "invalid")["message"]
    negative = client.post(f"/{meeting.pk}/votes", {"subject": "Âm", "votes_for": -1})
    assert_error(negative, 422, "malformed")
    untitled = client.post(f"/{meeting.pk}/resolutions", {"title": "  "})
    assert_error(untitled, 400, "invalid")
    early = client.post(f"/{not_held.pk}/votes", {"subject": "Sớm", "votes_for": 1})
    assert "Take the roll first" in assert_error(early, 400, "invalid")["message"]
    assert written() == before


def test_close_a_meeting_with_warnings_then_it_is_locked(
    tree: Tree, users: dict[str, User]
) -> None:
    meeting = plan(tree.cell_a1)
    roll(meeting, {"Lê Văn Chín": (Mark.PRESENT, "")})
    client = Api(users[Role.SECRETARY])
    before = written()
    unmarked = client.post(f"/{meeting.pk}/close", {"ends_at": "2025-03-04T21:00:00+07:00"})
    assert "Còn 2 đảng viên chưa điểm danh" in assert_error(unmarked, 400, "invalid")["message"]
    early = client.post(f"/{meeting.pk}/close", {"ends_at": "2025-03-04T18:00:00+07:00"})
    assert_error(early, 400, "invalid")
    assert_error(client.post(f"/{meeting.pk}/close", {"ends_at": "21:00"}), 422, "malformed")
    assert written() == before

    roll(meeting, EVERYONE)
    closed = client.post(f"/{meeting.pk}/close", {"ends_at": "2025-03-04T20:00:00"})
    assert closed.status_code == 200
    body = closed.json()
    assert (body["id"], body["state"], body["ends_at"]) == (
        meeting.pk,
        "closed",
        "2025-03-04T20:00:00+07:00",
    )
    assert len(body["warnings"]) == 1 and "60" in body["warnings"][0]
    meeting.refresh_from_db()
    assert (meeting.state, meeting.ends_at) == (MeetingState.CLOSED, at(DAY, 20))
    # Closed: the roll and votes are locked.
    before = written()
    locked = client.put(
        f"/{meeting.pk}/attendance",
        {"marks": [{"member_id": member("Lê Văn Chín").pk, "mark": "late"}]},
    )
    assert "khóa" in assert_error(locked, 400, "invalid")["message"]
    vote = client.post(f"/{meeting.pk}/votes", {"subject": "Muộn", "votes_for": 1})
    assert_error(vote, 400, "invalid")
    again = client.post(f"/{meeting.pk}/close", {"ends_at": "2025-03-04T21:00:00+07:00"})
    assert_error(again, 400, "invalid")
    assert written() == before


# Dues ---------------------------------------------------------------------------------------


def test_record_a_months_dues(tree: Tree, users: dict[str, User]) -> None:
    chin, huong = member("Lê Văn Chín"), member("Phạm Thị Hường")
    member_services.update_member(
        huong, actor=None, changes={"dues_category": "salary", "dues_monthly": 8_900}
    )
    meeting = plan(tree.cell_a1, date(2026, 3, 4))
    client = Api(users[Role.SECRETARY])
    response = client.put(
        f"/units/{tree.cell_a1.pk}/dues/2026-03",
        {
            "payments": [
                {"member_id": chin.pk, "amount": 20_000},
                {"member_id": huong.pk},  # her configured rate
            ],
            "meeting_id": meeting.pk,
        },
    )
    assert response.status_code == 200
    assert response.json() == {"unit_id": tree.cell_a1.pk, "month": "2026-03-01", "changed": 2}
    rows = {p.member_id: (p.amount, p.paid, p.meeting_id) for p in DuesPayment.objects.all()}
    assert rows == {chin.pk: (20_000, True, meeting.pk), huong.pk: (8_900, True, meeting.pk)}
    correction = client.put(
        f"/units/{tree.cell_a1.pk}/dues/2026-03",
        {"payments": [{"member_id": chin.pk, "amount": 20_000, "paid": False}]},
    )
    assert correction.json()["changed"] == 1
    assert DuesPayment.objects.get(member=chin).paid is False


def test_dues_refusals_write_nothing(tree: Tree, users: dict[str, User]) -> None:
    chin, dung = member("Lê Văn Chín"), member("Đặng Văn Dũng")
    client = Api(users[Role.SECRETARY])
    url = f"/units/{tree.cell_a1.pk}/dues/2026-03"
    elsewhere = plan(tree.cell_a2, date(2026, 3, 4))
    before = written()
    no_rate = client.put(
        url,
        {"payments": [{"member_id": chin.pk, "amount": 20_000}, {"member_id": dung.pk}]},
    )
    assert "Enter the amount" in assert_error(no_rate, 400, "invalid")["message"]
    negative = client.put(url, {"payments": [{"member_id": chin.pk, "amount": -5}]})
    assert_error(negative, 400, "invalid")
    stranger = client.put(
        url, {"payments": [{"member_id": member("Nguyễn Thị Lan").pk, "amount": 20_000}]}
    )
    assert "Not on the roll" in assert_error(stranger, 400, "invalid")["message"]
    twice = client.put(
        url,
        {
            "payments": [
                {"member_id": chin.pk, "amount": 20_000},
                {"member_id": chin.pk, "amount": 30_000},
            ]
        },
    )
    assert_error(twice, 422, "malformed")
    for month in ("2026-3", "03-2026", "2026-00"):
        bad = client.put(
            f"/units/{tree.cell_a1.pk}/dues/{month}",
            {"payments": [{"member_id": chin.pk, "amount": 20_000}]},
        )
        assert_error(bad, 422, "malformed")
    another_units_meeting = client.put(
        url,
        {"payments": [{"member_id": chin.pk, "amount": 20_000}], "meeting_id": elsewhere.pk},
    )
    assert_error(another_units_meeting, 404, "not_found")
    assert written() == before


# PDFs ---------------------------------------------------------------------------------------


def test_the_minutes_and_the_attendance_list_as_pdf(tree: Tree, users: dict[str, User]) -> None:
    meeting = plan(tree.cell_a1, place="Nhà văn hóa thôn")
    roll(
        meeting,
        {
            "Lê Văn Chín": (Mark.PRESENT, ""),
            "Phạm Thị Hường": (Mark.EXCUSED, "Ốm"),
            "Đặng Văn Dũng": (Mark.PRESENT, ""),
        },
    )
    client = Api(users[Role.INSPECTOR])
    for path, title in [("minutes.pdf", "BIÊN BẢN"), ("attendance.pdf", "DANH SÁCH")]:
        response = client.get(f"/{meeting.pk}/{path}")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        text = "".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
        assert title in text
        assert "Phạm Thị Hường" in text
    # They name members: not for the member role.
    assert_error(Api(users[Role.MEMBER]).get(f"/{meeting.pk}/minutes.pdf"), 404, "not_found")


# Access -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    method: str
    path: Callable[[Unit, Meeting], str]
    body: dict[str, Any] | None = None


WRITES = [
    Call(
        "POST",
        lambda u, m: f"/units/{u.pk}",
        {"kind": "regular", "starts_at": "2026-04-03T19:00:00+07:00"},
    ),
    Call("POST", lambda u, m: f"/units/{u.pk}/series", {"month": "2026-04"}),
    Call("PATCH", lambda u, m: f"/{m.pk}", {"starts_at": "2025-03-06T19:00:00+07:00"}),
    Call("PUT", lambda u, m: f"/{m.pk}/attendance", {"marks": []}),
    Call("POST", lambda u, m: f"/{m.pk}/votes", {"subject": "Biểu quyết", "votes_for": 1}),
    Call("POST", lambda u, m: f"/{m.pk}/resolutions", {"title": "Nghị quyết"}),
    Call("POST", lambda u, m: f"/{m.pk}/close", {"ends_at": "2025-03-04T21:00:00+07:00"}),
    Call("PUT", lambda u, m: f"/units/{u.pk}/dues/2025-03", {"payments": []}),
]
READS = [
    Call("GET", lambda u, m: f"/units/{u.pk}"),
    Call("GET", lambda u, m: f"/{m.pk}"),
    Call("GET", lambda u, m: f"/{m.pk}/attendance"),
    Call("GET", lambda u, m: f"/{m.pk}/minutes.pdf"),
    Call("GET", lambda u, m: f"/{m.pk}/attendance.pdf"),
]


def test_every_operation_outside_the_scope_is_a_404(tree: Tree, users: dict[str, User]) -> None:
    outside = plan(tree.other_cell)
    client = Api(users[Role.STAFF])
    before = written()
    for call in [*READS, *WRITES]:
        path = call.path(tree.other_cell, outside)
        response = client.call(call.method, path, call.body)
        assert response.status_code == 404, f"{call.method} {path}"
        assert response.json()["code"] == "not_found"
    assert written() == before


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.MEMBER])
def test_read_only_roles_get_a_404_on_every_write(
    tree: Tree, users: dict[str, User], role: str
) -> None:
    meeting = plan(tree.cell_a1)
    client = Api(users[role])
    before = written()
    for call in WRITES:
        path = call.path(tree.cell_a1, meeting)
        response = client.call(call.method, path, call.body)
        assert response.status_code == 404, f"{call.method} {path}"
        assert response.json()["code"] == "not_found"
    assert written() == before
    assert client.get(f"/{meeting.pk}").status_code == 200


def test_anonymous_callers_get_a_401_on_every_operation(tree: Tree) -> None:
    meeting = plan(tree.cell_a1)
    client = Api()
    before = written()
    for call in [*READS, *WRITES]:
        response = client.call(call.method, call.path(tree.cell_a1, meeting), call.body)
        assert_error(response, 401, "unauthenticated")
    assert written() == before


def test_a_bearer_token_reads_and_writes_as_its_owner(tree: Tree, users: dict[str, User]) -> None:
    secretary = users[Role.SECRETARY]
    token, raw = account_services.create_token(secretary, actor=secretary, name="Điện thoại")
    meeting = plan(tree.cell_a1)
    client = Api(token=raw)
    assert client.get(f"/units/{tree.cell_a1.pk}").json()["count"] == 1
    marks = [{"member_id": member(name).pk, "mark": "present"} for name in EVERYONE]
    response = client.put(f"/{meeting.pk}/attendance", {"marks": marks})
    assert response.status_code == 200
    assert response.json()["changed"] == 3
    event = AuditEvent.objects.get(action="meetings.attendance.record")
    assert event.actor == secretary
    # Another cell is outside the token owner's scope; a revoked or unknown token is a 401.
    assert client.get(f"/units/{tree.cell_a2.pk}").status_code == 404
    account_services.revoke_token(token, actor=secretary)
    assert_error(client.get(f"/units/{tree.cell_a1.pk}"), 401, "unauthenticated")
    assert_error(Api(token="chibo_junk").get(f"/{meeting.pk}"), 401, "unauthenticated")


# OpenAPI ------------------------------------------------------------------------------------

OPERATIONS = {
    ("get", "/api/v1/meetings/units/{unit_id}"),
    ("post", "/api/v1/meetings/units/{unit_id}"),
    ("post", "/api/v1/meetings/units/{unit_id}/series"),
    ("put", "/api/v1/meetings/units/{unit_id}/dues/{month}"),
    ("get", "/api/v1/meetings/{meeting_id}"),
    ("patch", "/api/v1/meetings/{meeting_id}"),
    ("get", "/api/v1/meetings/{meeting_id}/attendance"),
    ("put", "/api/v1/meetings/{meeting_id}/attendance"),
    ("post", "/api/v1/meetings/{meeting_id}/votes"),
    ("post", "/api/v1/meetings/{meeting_id}/resolutions"),
    ("post", "/api/v1/meetings/{meeting_id}/close"),
    ("get", "/api/v1/meetings/{meeting_id}/minutes.pdf"),
    ("get", "/api/v1/meetings/{meeting_id}/attendance.pdf"),
}


def test_openapi_documents_every_operation_field_and_error(db: None) -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    found = {
        (method, path)
        for path, operations in doc["paths"].items()
        if path.startswith("/api/v1/meetings/")
        for method in operations
    }
    assert found == OPERATIONS
    for method, path in OPERATIONS:
        operation = doc["paths"][path][method]
        where = f"{method} {path}"
        assert operation["summary"] and operation["description"], where
        assert operation["tags"] == ["meetings"], where
        assert {"400", "401", "404", "422"} <= set(operation["responses"]), where
        assert operation["security"], where
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] not in ("page", "page_size"):
                assert parameter.get("description"), f"{where} ?{parameter['name']}"
    for path in ("minutes.pdf", "attendance.pdf"):
        ok = doc["paths"][f"/api/v1/meetings/{{meeting_id}}/{path}"]["get"]["responses"]["200"]
        assert "application/pdf" in ok["content"]
    schemas = doc["components"]["schemas"]
    ours = [
        name
        for name, value in vars(meetings_api).items()
        if isinstance(value, type)
        and issubclass(value, meetings_api.Schema)
        and value.__module__ == meetings_api.__name__
        and not name.startswith("_")
    ]
    assert len(ours) >= 20
    for name in ours:
        if name == "Period":  # query parameters, checked above
            continue
        assert name in schemas, name
        for field, spec in schemas[name]["properties"].items():
            assert spec.get("description"), f"{name}.{field}"
