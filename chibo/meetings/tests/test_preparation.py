"""Preparing a meeting (RULES.md §1.2): the agenda, documents, the notice, members' opinions,
and the member's own page."""

import smtplib
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.committees import services as committee_services
from chibo.committees.models import Body, Position
from chibo.lib.documents import MAX_DOCUMENT_BYTES
from chibo.meetings import preparation, selectors, services
from chibo.meetings.models import (
    AgendaItem,
    Mark,
    Meeting,
    MeetingDocument,
    MeetingNotice,
    MeetingState,
    NoticeChannel,
    Opinion,
)
from chibo.meetings.tests.preparation_helpers import (
    PDF,
    PNG,
    make_document,
    office_file,
    upload,
)
from chibo.members import services as member_services
from chibo.members.models import Member, TransferKind
from chibo.members.transfers import services as transfer_services
from chibo.units.models import Unit
from conftest import START, Tree, make_member, make_user


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def future(days: int, hour: int = 19) -> datetime:
    """`days` from today, at `hour`, Vietnam time."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def plan(unit: Unit, starts_at: datetime, kind: str = "regular", **extra: str) -> Meeting:
    return services.plan_meeting(unit, actor=None, kind=kind, starts_at=starts_at, **extra)


def member(name: str) -> Member:
    return Member.objects.get(full_name=name)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


def titles(meeting: Meeting) -> list[tuple[int, str, str]]:
    return [(i.position, i.part, i.title) for i in AgendaItem.objects.filter(meeting=meeting)]


def member_user(unit: Unit, name: str, username: str, **details: Any) -> tuple[Member, User]:
    """A member on the roll of `unit` whose account is linked to their record (no role)."""
    user = make_user(username)
    details = member_services.MemberDetails(full_name=name, sex="M", **details)
    person = member_services.register_member(unit, actor=None, details=details, on=START, user=user)
    return person, user


def supervisor_of(tree: Tree, email: str = "phutrach@example.vn") -> Member:
    """A commune committee member assigned to watch over cell A1."""
    person = make_member(tree.commune_a, "Trần Văn Phụ Trách", email=email)
    committee_services.appoint(
        person,
        actor=None,
        unit=tree.commune_a,
        body=Body.COMMITTEE,
        position=Position.MEMBER,
        valid_from=START,
    )
    committee_services.assign_supervisor(person, actor=None, unit=tree.cell_a1, valid_from=START)
    return person


# The agenda


def test_added_items_go_to_the_end_of_their_part(tree: Tree) -> None:
    meeting = plan(tree.cell_a1, future(5))
    before = titles(meeting)
    item = preparation.add_agenda_item(
        meeting, actor=None, part=AgendaItem.Part.CONTENT, title="  Học tập  Chỉ thị 50 "
    )
    after = titles(meeting)
    assert item.title == "Học tập Chỉ thị 50"
    assert [p for p, _part, _t in after] == list(range(1, len(before) + 2))
    # The new content item comes after the last content item, before the closing items.
    last_content = max(i for i, (_p, part, _t) in enumerate(before) if part == "content")
    assert after[last_content + 1][2] == "Học tập Chỉ thị 50"
    assert after[-1][1] == "closing"
    opening = preparation.add_agenda_item(meeting, actor=None, part="opening", title="Chào cờ")
    assert titles(meeting)[3][2] == "Chào cờ" and opening.position == 4
    assert AuditEvent.objects.filter(action="meetings.agenda.add").count() == 2


def test_move_swaps_within_a_part_and_crosses_into_the_next_at_its_edge(tree: Tree) -> None:
    meeting = plan(tree.cell_a1, future(5))
    items = list(AgendaItem.objects.filter(meeting=meeting))
    first_content = next(i for i in items if i.part == "content")
    second_content = items[items.index(first_content) + 1]
    preparation.move_agenda_item(second_content, actor=None, up=True)
    order = [i.pk for i in AgendaItem.objects.filter(meeting=meeting)]
    assert order.index(second_content.pk) == order.index(first_content.pk) - 1
    # Now second_content is the first content item: moving it up makes it the last opening item.
    moved = preparation.move_agenda_item(second_content, actor=None, up=True)
    assert moved.part == "opening"
    assert [i.pk for i in AgendaItem.objects.filter(meeting=meeting)] == order
    # The very first item does not move up.
    top = AgendaItem.objects.filter(meeting=meeting).first()
    assert top is not None
    preparation.move_agenda_item(top, actor=None, up=True)
    assert [i.pk for i in AgendaItem.objects.filter(meeting=meeting)] == order


def test_edit_assigns_a_member_of_the_cell_only(tree: Tree) -> None:
    meeting = plan(tree.cell_a1, future(5))
    item = AgendaItem.objects.filter(meeting=meeting, part="content").last()
    assert item is not None
    preparation.edit_agenda_item(
        item,
        actor=None,
        title="Nhiệm vụ tháng tới",
        notes="Làm đường",
        assignee=member("Lê Văn Chín"),
    )
    item.refresh_from_db()
    assert (item.title, item.notes, item.assignee) == (
        "Nhiệm vụ tháng tới",
        "Làm đường",
        member("Lê Văn Chín"),
    )
    with pytest.raises(ValidationError, match="Chỉ phân công"):
        preparation.edit_agenda_item(
            item,
            actor=None,
            title="x",
            assignee=member("Nguyễn Thị Lan"),  # cell A2
        )
    with pytest.raises(ValidationError, match="Hãy ghi nội dung"):
        preparation.edit_agenda_item(item, actor=None, title="   ")


def test_remove_renumbers_the_agenda(tree: Tree) -> None:
    meeting = plan(tree.cell_a1, future(5))
    count = AgendaItem.objects.filter(meeting=meeting).count()
    third = AgendaItem.objects.get(meeting=meeting, position=3)
    preparation.remove_agenda_item(third, actor=None)
    positions = list(AgendaItem.objects.filter(meeting=meeting).values_list("position", flat=True))
    assert positions == list(range(1, count))
    event = AuditEvent.objects.get(action="meetings.agenda.remove")
    assert event.changes["title"] == third.title


def test_the_agenda_and_documents_lock_when_the_meeting_closes(tree: Tree) -> None:
    meeting = plan(tree.cell_a1, timezone.make_aware(datetime(2025, 3, 4, 19)))
    document = make_document(meeting)
    marks = {m.pk: (Mark.PRESENT, "") for m in selectors.expected(meeting).members}
    services.record_attendance(meeting, actor=None, marks=marks)
    services.close_meeting(meeting, actor=None, ends_at=meeting.starts_at + timedelta(hours=2))
    item = AgendaItem.objects.filter(meeting=meeting).first()
    assert item is not None
    attempts = [
        lambda: preparation.add_agenda_item(meeting, actor=None, part="content", title="Thêm"),
        lambda: preparation.edit_agenda_item(item, actor=None, title="Sửa"),
        lambda: preparation.move_agenda_item(item, actor=None, up=False),
        lambda: preparation.remove_agenda_item(item, actor=None),
        lambda: preparation.upload_document(meeting, actor=None, file=upload()),
        lambda: preparation.remove_document(document, actor=None),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="đã khóa"):
            attempt()
    assert MeetingDocument.objects.filter(meeting=meeting).count() == 1


def test_secretary_edits_the_agenda_from_the_page(tree: Tree, users: dict[str, User]) -> None:
    meeting = plan(tree.cell_a1, future(5))
    client = signed_in(users[Role.SECRETARY])
    page = reverse("meetings:prepare", args=[meeting.pk])
    response = client.post(
        reverse("meetings:agenda_add", args=[meeting.pk]),
        {
            "part": "content",
            "title": "Góp ý dự thảo văn kiện",
            "assignee": member("Phạm Thị Hường").pk,
            "notes": "",
        },
    )
    assert response.status_code == 302
    added = AgendaItem.objects.get(meeting=meeting, title="Góp ý dự thảo văn kiện")
    assert added.assignee == member("Phạm Thị Hường")
    shown = text(client.get(page))
    assert "Góp ý dự thảo văn kiện" in shown
    assert reverse("meetings:agenda_edit", args=[meeting.pk, added.pk]) in shown
    # An empty title comes back with its error; nothing is written.
    events = AuditEvent.objects.count()
    again = client.post(reverse("meetings:agenda_add", args=[meeting.pk]), {"part": "content"})
    assert again.status_code == 200
    assert AuditEvent.objects.count() == events
    # The edit page saves the change.
    response = client.post(
        reverse("meetings:agenda_edit", args=[meeting.pk, added.pk]),
        {"title": "Góp ý văn kiện Đại hội", "notes": "Mỗi đồng chí một ý", "assignee": ""},
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.title, added.assignee) == ("Góp ý văn kiện Đại hội", None)


def test_an_item_of_another_meeting_is_not_found(tree: Tree, users: dict[str, User]) -> None:
    mine = plan(tree.cell_a1, future(5))
    other = plan(tree.cell_a1, future(40))
    item = AgendaItem.objects.filter(meeting=other).first()
    assert item is not None
    client = signed_in(users[Role.SECRETARY])
    url = reverse("meetings:agenda_remove", args=[mine.pk, item.pk])
    assert client.post(url).status_code == 404
    assert AgendaItem.objects.filter(pk=item.pk).exists()


# Documents


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("du-thao.pdf", PDF),
        ("Báo cáo tháng.docx", office_file("word/document.xml")),
        ("bang-diem.XLSX", office_file("xl/workbook.xml")),
        ("anh-chup.png", PNG),
        ("anh.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
    ],
)
def test_accepted_documents(tree: Tree, name: str, content: bytes) -> None:
    meeting = plan(tree.cell_a1, future(5))
    document, warnings = preparation.upload_document(
        meeting, actor=None, file=upload(name, content), title=""
    )
    assert warnings == []
    assert document.title == name.rsplit(".", 1)[0]
    assert document.file.name.startswith(f"meetings/{timezone.now():%Y/%m}/")
    assert AuditEvent.objects.filter(action="meetings.document.upload").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "chỉ nhận PDF, Word"),
        ("bien-ban.doc", b"\xd0\xcf\x11\xe0", "định dạng Office cũ"),
        ("gia-mao.pdf", b"<html>not a pdf</html>", "nội dung không phải PDF"),
        ("rong.pdf", b"", "rỗng"),
        ("zip.docx", office_file("xl/workbook.xml"), "nội dung không phải Word"),
        ("trang.svg", b"<svg/>", "chỉ nhận PDF, Word"),
    ],
)
def test_refused_documents(tree: Tree, name: str, content: bytes, message: str) -> None:
    meeting = plan(tree.cell_a1, future(5))
    with pytest.raises(ValidationError, match=message):
        preparation.upload_document(meeting, actor=None, file=upload(name, content))
    assert not MeetingDocument.objects.exists()


def test_a_document_over_10_mb_is_refused(tree: Tree) -> None:
    meeting = plan(tree.cell_a1, future(5))
    big = PDF + b"0" * MAX_DOCUMENT_BYTES
    with pytest.raises(ValidationError, match="quá giới hạn 10 MB"):
        preparation.upload_document(meeting, actor=None, file=upload("lon.pdf", big))


def test_a_late_document_is_accepted_with_a_warning(tree: Tree) -> None:
    meeting = plan(tree.cell_a1, future(5))
    _on_time, warnings = preparation.upload_document(
        meeting, actor=None, file=upload(), now=meeting.starts_at - timedelta(days=2)
    )
    assert warnings == []
    late, warnings = preparation.upload_document(
        meeting,
        actor=None,
        file=upload("bo-sung.pdf"),
        title="Tài liệu bổ sung",
        now=meeting.starts_at - timedelta(hours=5),
    )
    assert len(warnings) == 1
    assert "Tài liệu bổ sung" in warnings[0] and "ít nhất 1 ngày" in warnings[0]
    assert preparation.is_late(late, meeting)


def test_upload_page_shows_a_clear_error(tree: Tree, users: dict[str, User]) -> None:
    meeting = plan(tree.cell_a1, future(5))
    client = signed_in(users[Role.SECRETARY])
    url = reverse("meetings:document_upload", args=[meeting.pk])
    response = client.post(url, {"title": "", "file": upload("bang.xls", b"\xd0\xcf\x11\xe0")})
    assert response.status_code == 200
    assert "lưu lại thành .xlsx" in text(response)
    response = client.post(url, {"title": "Dự thảo", "file": upload()})
    assert response.status_code == 302
    assert MeetingDocument.objects.get(meeting=meeting).title == "Dự thảo"


def test_documents_are_served_only_to_those_who_may_read_the_meeting(
    tree: Tree, users: dict[str, User]
) -> None:
    meeting = plan(tree.cell_a1, future(5))
    pdf = make_document(meeting)
    docx = make_document(
        meeting, "Báo cáo", file=upload("bao-cao.docx", office_file("word/document.xml"))
    )
    _on_roll, roll_user = member_user(tree.cell_a1, "Ngô Văn Tổ", "to")
    _sibling, sibling_user = member_user(tree.cell_a2, "Mai Văn Láng", "lang")
    response = signed_in(roll_user).get(reverse("meetings:document", args=[pdf.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    response = signed_in(roll_user).get(reverse("meetings:document", args=[docx.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert signed_in(sibling_user).get(reverse("meetings:document", args=[pdf.pk])).status_code == (
        404
    )
    # A supervisor reads the documents of the unit they watch over, without a role on it.
    supervisor = supervisor_of(tree)
    supervisor.user = make_user("phutrach")
    supervisor.save()
    response = signed_in(supervisor.user).get(reverse("meetings:document", args=[pdf.pk]))
    assert response.status_code == 200
    # Files are not published under MEDIA_URL.
    assert Client().get("/media/" + pdf.file.name).status_code == 404


def test_removing_a_document_deletes_its_file(
    tree: Tree, users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    meeting = plan(tree.cell_a1, future(5))
    document = make_document(meeting)
    storage, name = document.file.storage, document.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(users[Role.SECRETARY]).post(
            reverse("meetings:document_remove", args=[document.pk])
        )
    assert response.status_code == 302
    assert not MeetingDocument.objects.exists()
    assert not storage.exists(name)


# Notices


def _cell_with_addresses(tree: Tree) -> Meeting:
    make_member(tree.cell_a1, "Bùi Thị Thư", email="thu@example.vn")
    make_member(tree.cell_a1, "Vương Văn Điện", email="dien@example.vn")
    return plan(tree.cell_a1, future(5), place="Nhà văn hóa thôn Ninh Phú")


def test_the_notice_goes_to_each_expected_member_and_the_supervisor(tree: Tree) -> None:
    meeting = _cell_with_addresses(tree)
    supervisor_of(tree)
    make_member(tree.cell_a2, "Người Thôn Bên", email="ben@example.vn")
    make_document(meeting, now=meeting.starts_at - timedelta(days=3))
    result = preparation.send_notice(meeting, actor=None, base_url="https://chibo.example.vn/")
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == ["dien@example.vn", "phutrach@example.vn", "thu@example.vn"]
    assert all(len(m.to) == 1 for m in mail.outbox)  # nobody sees the others' addresses
    message = mail.outbox[0]
    assert "Chi bộ thôn Ninh Phú" in message.subject
    assert (
        meeting.starts_at.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y")
        in message.subject
    )
    assert "Nhà văn hóa thôn Ninh Phú" in message.body
    assert "19:00" in message.body
    assert "Dự thảo nghị quyết" in message.body
    assert "https://chibo.example.vn/meetings/mine/" in message.body
    assert (result.emails, result.on_page, result.warnings) == (3, 6, [])
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.NOTIFIED
    notices = {n.channel: n.recipients for n in MeetingNotice.objects.filter(meeting=meeting)}
    assert notices == {NoticeChannel.EMAIL: 3, NoticeChannel.PAGE: 6}
    event = AuditEvent.objects.get(action="meetings.notice.send")
    assert event.changes["emails"] == 3


def test_the_notice_warns_about_late_documents_without_refusing(tree: Tree) -> None:
    meeting = _cell_with_addresses(tree)
    make_document(meeting, "Báo cáo tháng", now=meeting.starts_at - timedelta(hours=20))
    result = preparation.send_notice(meeting, actor=None, base_url="http://testserver/")
    assert len(result.warnings) == 1
    assert "Báo cáo tháng" in result.warnings[0]
    assert len(mail.outbox) == 2
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.NOTIFIED
    # No documents at all, once the day-before deadline has passed, is said too.
    bare = plan(tree.cell_a1, future(5) + timedelta(days=30))
    plan_ = preparation.notice_plan(bare, now=bare.starts_at - timedelta(hours=3))
    assert any("chưa có tài liệu" in w for w in plan_.warnings)


def test_no_notice_once_the_meeting_has_started(tree: Tree) -> None:
    meeting = plan(tree.cell_a1, future(5))
    with pytest.raises(ValidationError, match="đã bắt đầu"):
        preparation.send_notice(
            meeting, actor=None, base_url="http://x/", now=meeting.starts_at + timedelta(minutes=1)
        )
    assert not MeetingNotice.objects.exists()


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("máy chủ thư không trả lời")


def test_a_mail_server_failure_records_nothing(tree: Tree, settings: Any) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    meeting = _cell_with_addresses(tree)
    with pytest.raises(ValidationError, match="Không gửi được thư"):
        preparation.send_notice(meeting, actor=None, base_url="http://x/")
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.PLANNED
    assert not MeetingNotice.objects.exists()
    assert not AuditEvent.objects.filter(action="meetings.notice.send").exists()


def test_secretary_sends_the_notice_from_the_page(tree: Tree, users: dict[str, User]) -> None:
    meeting = _cell_with_addresses(tree)
    make_document(meeting, now=meeting.starts_at - timedelta(hours=2))
    client = signed_in(users[Role.SECRETARY])
    page = text(client.get(reverse("meetings:prepare", args=[meeting.pk])))
    assert "Gửi thư điện tử tới 2 địa chỉ" in page
    assert "Lê Văn Chín" in page  # no address: reads it on their page
    assert "đăng sau hạn" in page
    response = client.post(reverse("meetings:notify", args=[meeting.pk]), follow=True)
    shown = text(response)
    assert "Đã gửi thông báo: 2 thư điện tử" in shown
    assert "ít nhất 1 ngày" in shown  # the late-document warning
    assert len(mail.outbox) == 2


def test_members_without_email_see_the_notice_on_their_page(tree: Tree) -> None:
    meeting = plan(tree.cell_a1, future(5))
    _person, user = member_user(tree.cell_a1, "Đỗ Văn Không Thư", "khongthu")
    client = signed_in(user)
    page = text(client.get(reverse("meetings:mine")))
    assert f'id="meeting-{meeting.pk}"' in page
    assert "Chưa có thông báo." in page
    preparation.send_notice(meeting, actor=None, base_url="http://testserver/")
    assert mail.outbox == []
    assert "Đã có thông báo lúc" in text(client.get(reverse("meetings:mine")))


# Opinions


def test_an_expected_member_writes_one_opinion_until_the_meeting_starts(tree: Tree) -> None:
    meeting = plan(tree.cell_a1, future(5))
    chin = member("Lê Văn Chín")
    first = preparation.write_opinion(meeting, member=chin, actor=None, text="Đồng ý dự thảo.")
    again = preparation.write_opinion(
        meeting, member=chin, actor=None, text="Đề nghị bổ sung chỉ tiêu làm đường."
    )
    assert first.pk == again.pk
    assert Opinion.objects.get().text == "Đề nghị bổ sung chỉ tiêu làm đường."
    event = AuditEvent.objects.filter(action="meetings.opinion.write").last()
    assert event is not None and "làm đường" not in str(event.changes)
    with pytest.raises(ValidationError, match="đã bắt đầu"):
        preparation.write_opinion(
            meeting, member=chin, actor=None, text="Muộn", now=meeting.starts_at
        )
    with pytest.raises(ValidationError, match="Hãy ghi ý kiến"):
        preparation.write_opinion(meeting, member=chin, actor=None, text="  ")


def test_only_expected_members_write_opinions(tree: Tree) -> None:
    meeting = plan(tree.cell_a1, future(5))
    exempted = member("Đặng Văn Dũng")
    member_services.exempt_member(
        exempted,
        actor=None,
        on=timezone.localdate(),
        extent="full",
        basis=member_services.Basis("NQ 01"),
    )
    for outsider in (member("Nguyễn Thị Lan"), exempted):  # another cell; exempted
        with pytest.raises(ValidationError, match="Chỉ đảng viên phải dự"):
            preparation.write_opinion(meeting, member=outsider, actor=None, text="Ý kiến")
    assert not Opinion.objects.exists()


def test_member_sends_an_opinion_and_the_secretary_reads_it(
    tree: Tree, users: dict[str, User]
) -> None:
    meeting = plan(tree.cell_a1, future(5))
    _person, user = member_user(tree.cell_a1, "Hà Văn Góp", "gop")
    client = signed_in(user)
    url = reverse("meetings:opinion", args=[meeting.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Đề nghị chi bộ họp sớm hơn 30 phút."})
    assert response.status_code == 302
    assert "Đề nghị chi bộ họp sớm" in text(client.get(reverse("meetings:mine")))
    page = text(
        signed_in(users[Role.SECRETARY]).get(reverse("meetings:prepare", args=[meeting.pk]))
    )
    assert "Hà Văn Góp" in page and "Đề nghị chi bộ họp sớm hơn 30 phút." in page
    detail = text(
        signed_in(users[Role.SECRETARY]).get(reverse("meetings:detail", args=[meeting.pk]))
    )
    assert "1 ý kiến góp ý" in detail
    # A member of another cell, or an account without a member record, finds no such page.
    _other, other_user = member_user(tree.cell_a2, "Lý Văn Ngoài", "ngoai")
    assert signed_in(other_user).get(url).status_code == 404
    assert signed_in(users[Role.MEMBER]).get(url).status_code == 404
    # The member role reads the meeting but not the opinions (they name members).
    prepare = reverse("meetings:prepare", args=[meeting.pk])
    assert signed_in(users[Role.MEMBER]).get(prepare).status_code == 404


def test_the_opinion_page_closes_when_the_meeting_starts(tree: Tree) -> None:
    past = plan(tree.cell_a1, timezone.make_aware(datetime(2025, 3, 4, 19)))
    _person, user = member_user(tree.cell_a1, "Hà Văn Muộn", "muon")
    response = signed_in(user).post(
        reverse("meetings:opinion", args=[past.pk]), {"text": "Ý kiến muộn"}
    )
    assert response.status_code == 200
    assert "đã bắt đầu" in text(response)
    assert not Opinion.objects.exists()


# The member's own page


def test_my_page_lists_home_and_host_meetings_only(tree: Tree) -> None:
    person, user = member_user(tree.cell_a1, "Cao Văn Tạm", "tam")
    home = plan(tree.cell_a1, future(3))
    sibling = plan(tree.cell_a2, future(4))
    make_document(home, "Tài liệu học tập")
    page = text(signed_in(user).get(reverse("meetings:mine")))
    assert f'id="meeting-{home.pk}"' in page
    assert f'id="meeting-{sibling.pk}"' not in page
    assert "Tài liệu học tập" in page
    assert reverse("meetings:opinion", args=[home.pk]) in page
    # Attached to cell A2 for a while: expected there, not at home.
    today = timezone.localdate()
    transfer = transfer_services.issue_transfer(
        person,
        actor=None,
        kind=TransferKind.TEMPORARY,
        to_unit=tree.cell_a2,
        letter_number="05-GGT",
        letter_date=today,
        effective_on=today,
        until=today + timedelta(days=200),
    )
    transfer_services.confirm_transfer(transfer, actor=None, on=today)
    page = text(signed_in(user).get(reverse("meetings:mine")))
    assert f'id="meeting-{sibling.pk}"' in page
    assert f'id="meeting-{home.pk}"' not in page


def test_supervisors_see_the_meetings_they_watch_over(tree: Tree) -> None:
    meeting = plan(tree.cell_a1, future(3))
    supervisor = supervisor_of(tree)
    supervisor.user = make_user("giamsat")
    supervisor.save()
    page = text(signed_in(supervisor.user).get(reverse("meetings:mine")))
    assert f'id="meeting-{meeting.pk}"' in page
    assert "phân công phụ trách" in page
    assert reverse("meetings:opinion", args=[meeting.pk]) not in page


def test_my_page_query_count_is_constant(tree: Tree) -> None:
    _person, user = member_user(tree.cell_a1, "Lưu Văn Đếm", "dem")
    client = signed_in(user)
    url = reverse("meetings:mine")
    first = plan(tree.cell_a1, future(2))
    make_document(first)
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = count()
    for days in range(10, 200, 31):
        meeting = plan(tree.cell_a1, future(days), kind="extraordinary")
        make_document(meeting)
        preparation.send_notice(meeting, actor=None, base_url="http://testserver/")
    assert count() == few


def test_the_nav_links_my_page_for_members_only(tree: Tree, users: dict[str, User]) -> None:
    _person, user = member_user(tree.cell_a1, "Tôn Văn Nav", "nav")
    link = f'href="{reverse("meetings:mine")}"'
    assert link in text(signed_in(user).get(reverse("accounts:profile")))
    assert link not in text(signed_in(users[Role.STAFF]).get(reverse("accounts:profile")))
    page = text(signed_in(users[Role.STAFF]).get(reverse("meetings:mine")))
    assert "chưa gắn với hồ sơ đảng viên" in page


def test_upcoming_means_from_today(tree: Tree) -> None:
    person, _user = member_user(tree.cell_a1, "Kiều Văn Nay", "nay")
    earlier = plan(tree.cell_a1, future(-3))
    later = plan(tree.cell_a1, future(3))
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time()))
    found = [m.meeting for m in preparation.meetings_for(person, start)]
    assert later in found and earlier not in found
