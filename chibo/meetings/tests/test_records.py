"""Minutes, votes and resolutions: denominators, numbering, locking and amendments, the
figures of the minutes, the PDFs and the pages."""

import io
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.meetings import services as meeting_services
from chibo.meetings.models import Mark, Meeting, MeetingKind, Resolution, Vote, VoteRule
from chibo.meetings.records import pdf, selectors, services
from chibo.members import services as member_services
from chibo.members.models import Member, TransferKind
from chibo.members.transfers import services as transfer_services
from chibo.units.models import Unit
from conftest import Tree, make_member

B = member_services.Basis
DAY = date(2026, 3, 4)
PRESENT, LATE, EXCUSED, UNEXCUSED = Mark.PRESENT, Mark.LATE, Mark.EXCUSED, Mark.UNEXCUSED


def at(day: date, hour: int = 19) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def member(name: str) -> Member:
    return Member.objects.get(full_name=name)


def meeting_of(unit: Unit, day: date = DAY, kind: str = MeetingKind.REGULAR) -> Meeting:
    return meeting_services.plan_meeting(
        unit, actor=None, kind=kind, starts_at=at(day), place="Nhà văn hóa thôn"
    )


def take_roll(meeting: Meeting, marks: dict[str, tuple[str, str]]) -> None:
    meeting_services.record_attendance(
        meeting, actor=None, marks={member(name).pk: mark for name, mark in marks.items()}
    )


def attach(person: Member, host: Unit, on: date = date(2026, 1, 5)) -> None:
    """A temporary transfer of `person` to `host`, issued and confirmed (RULES.md §2.4)."""
    transfer = transfer_services.issue_transfer(
        person,
        actor=None,
        kind=TransferKind.TEMPORARY,
        to_unit=host,
        letter_number="12-GGT/ĐU",
        letter_date=on,
        effective_on=on,
        until=date(2026, 12, 31),
    )
    transfer_services.confirm_transfer(transfer, actor=None, on=on)


@dataclass
class Cell:
    """Cell A1 (Ninh Phú) on 4/3/2026, one member of each kind."""

    meeting: Meeting
    unit: Unit


@pytest.fixture
def cell(tree: Tree) -> Cell:
    """Officials: Hường, Dũng (from the tree), Tư, Năm. Exempted: Chín. Probationary: Sáu.
    Suspended: Bảy. Attached elsewhere (to A2): Tám. Attached here (from B1): Sơn."""
    a1 = tree.cell_a1
    make_member(a1, "Trần Văn Tư")
    make_member(a1, "Ngô Thị Năm", sex="F")
    make_member(a1, "Bùi Văn Sáu", on=date(2025, 10, 1), admitted_on=date(2025, 10, 1))
    bay = make_member(a1, "Vũ Văn Bảy")
    tam = make_member(a1, "Hoàng Thị Tám", sex="F")
    member_services.exempt_member(
        member("Lê Văn Chín"), actor=None, on=date(2026, 1, 1), extent="full", basis=B("03-NQ")
    )
    member_services.suspend_member(bay, actor=None, on=date(2026, 2, 1), basis=B("07-QĐ/UBKT"))
    attach(tam, tree.cell_a2)
    attach(member("Hoàng Văn Sơn"), a1)
    return Cell(meeting_of(a1), a1)


def vote(meeting: Meeting, rule: str, votes_for: int, against: int = 0, abstain: int = 0) -> Vote:
    return services.record_vote(
        meeting,
        actor=None,
        subject="Thông qua nghị quyết tháng 3",
        rule=rule,
        votes_for=votes_for,
        votes_against=against,
        abstentions=abstain,
    )


# Votes and their denominators ------------------------------------------------------------


def test_majority_counts_officials_less_the_exclusions(cell: Cell) -> None:
    """4 officials (Hường, Dũng, Tư, Năm); Chín exempted and absent, Bảy suspended, Tám
    attached elsewhere: not counted; Hường away with an approved reason: not counted."""
    take_roll(
        cell.meeting,
        {
            "Phạm Thị Hường": (EXCUSED, "Đi viện"),
            "Đặng Văn Dũng": (PRESENT, ""),
            "Trần Văn Tư": (LATE, ""),
            "Ngô Thị Năm": (PRESENT, ""),
            "Bùi Văn Sáu": (PRESENT, ""),
            "Hoàng Văn Sơn": (PRESENT, ""),
        },
    )
    assert selectors.vote_base(cell.meeting, VoteRule.MAJORITY) == selectors.VoteBase(3, 3)
    two = vote(cell.meeting, VoteRule.MAJORITY, 2, 1)
    assert (two.denominator, two.passed) == (3, True)  # 2 > 3/2
    one = vote(cell.meeting, VoteRule.MAJORITY, 1, 2)
    assert (one.denominator, one.passed) == (3, False)


def test_an_exempted_member_who_comes_is_counted(cell: Cell) -> None:
    take_roll(
        cell.meeting,
        {
            "Lê Văn Chín": (PRESENT, ""),
            "Phạm Thị Hường": (EXCUSED, "Đi viện"),
            "Đặng Văn Dũng": (PRESENT, ""),
            "Trần Văn Tư": (PRESENT, ""),
            "Ngô Thị Năm": (UNEXCUSED, ""),
        },
    )
    # 4 officials − 1 excused + Chín, who came: 4, and 2 of 4 is not more than half.
    assert selectors.vote_base(cell.meeting, VoteRule.MAJORITY) == selectors.VoteBase(4, 3)
    assert vote(cell.meeting, VoteRule.MAJORITY, 2, 1).passed is False
    assert vote(cell.meeting, VoteRule.MAJORITY, 3).passed is True


def test_an_unexcused_absence_still_counts(cell: Cell) -> None:
    take_roll(
        cell.meeting,
        {
            "Phạm Thị Hường": (UNEXCUSED, ""),
            "Đặng Văn Dũng": (PRESENT, ""),
            "Trần Văn Tư": (PRESENT, ""),
            "Ngô Thị Năm": (UNEXCUSED, ""),
        },
    )
    result = vote(cell.meeting, VoteRule.MAJORITY, 2)
    assert (result.denominator, result.passed) == (4, False)


def test_two_thirds_of_all_official_members(cell: Cell) -> None:
    """Admission, recognition, removal: 2/3 of the cell's 4 official members, whoever is away."""
    take_roll(
        cell.meeting,
        {
            "Lê Văn Chín": (PRESENT, ""),
            "Phạm Thị Hường": (EXCUSED, "Ốm"),
            "Đặng Văn Dũng": (PRESENT, ""),
            "Trần Văn Tư": (PRESENT, ""),
            "Ngô Thị Năm": (PRESENT, ""),
        },
    )
    short = vote(cell.meeting, VoteRule.TWO_THIRDS_OFFICIAL, 2, 2)
    assert (short.denominator, short.passed) == (4, False)  # 2/4 < 2/3
    enough = vote(cell.meeting, VoteRule.TWO_THIRDS_OFFICIAL, 3, 1)
    assert (enough.denominator, enough.passed) == (4, True)  # 3/4 ≥ 2/3


def test_exactly_two_thirds_passes_and_exactly_half_does_not() -> None:
    assert selectors.passes(VoteRule.TWO_THIRDS_OFFICIAL, 6, 9) is True
    assert selectors.passes(VoteRule.TWO_THIRDS_OFFICIAL, 5, 9) is False
    assert selectors.passes(VoteRule.MAJORITY, 5, 10) is False
    assert selectors.passes(VoteRule.MAJORITY, 6, 10) is True
    assert selectors.passes(VoteRule.MAJORITY, 0, 0) is False


def test_impossible_numbers_are_refused(cell: Cell) -> None:
    take_roll(
        cell.meeting,
        {
            "Đặng Văn Dũng": (PRESENT, ""),
            "Trần Văn Tư": (PRESENT, ""),
            "Bùi Văn Sáu": (PRESENT, ""),  # probationary: no vote (Điều lệ, Điều 3)
            "Hoàng Văn Sơn": (PRESENT, ""),  # attached here: votes in his own cell
        },
    )
    with pytest.raises(ValidationError, match=r"nhiều hơn.*\(2\).*More votes"):
        vote(cell.meeting, VoteRule.MAJORITY, 2, 1)
    with pytest.raises(ValidationError, match="âm"):
        vote(cell.meeting, VoteRule.MAJORITY, 3, -1)
    with pytest.raises(ValidationError, match="Unknown rule"):
        vote(cell.meeting, "unanimous", 1)
    assert not Vote.objects.exists()
    vote(cell.meeting, VoteRule.MAJORITY, 2)
    assert AuditEvent.objects.filter(action="meetings.vote.record").count() == 1


def test_no_vote_before_the_roll(cell: Cell) -> None:
    with pytest.raises(ValidationError, match="điểm danh"):
        vote(cell.meeting, VoteRule.MAJORITY, 0)


# Resolutions and their numbers -----------------------------------------------------------


def resolve(meeting: Meeting, title: str = "Về nhiệm vụ tháng tới") -> Resolution:
    return services.adopt_resolution(meeting, actor=None, title=title, body="Chi bộ quyết nghị.")


def held(unit: Unit, day: date) -> Meeting:
    meeting = meeting_of(unit, day)
    roll = selectors.roll(meeting)
    meeting_services.record_attendance(
        meeting, actor=None, marks={m.pk: (PRESENT, "") for m in roll.expected}
    )
    return meeting


def test_resolutions_are_numbered_per_unit_and_year(tree: Tree) -> None:
    march, april = held(tree.cell_a1, DAY), held(tree.cell_a1, date(2026, 4, 3))
    other_cell = held(tree.cell_a2, DAY)
    last_year = held(tree.cell_a1, date(2025, 12, 3))
    assert [resolve(march).number, resolve(march).number, resolve(april).number] == [1, 2, 3]
    assert resolve(other_cell).number == 1  # another unit counts on its own
    assert resolve(last_year).number == 1  # 2025 has its own series
    for _ in range(2):
        fifth = resolve(april)
    assert (fifth.year, selectors.resolution_code(fifth)) == (2026, "05-NQ/CB")
    event = AuditEvent.objects.filter(action="meetings.resolution.adopt").first()
    assert event is not None and event.object_text.startswith("05-NQ/CB")
    with pytest.raises(ValidationError, match="trích yếu"):
        resolve(april, "   ")


@pytest.mark.skipif(
    not connection.features.has_select_for_update, reason="SQLite serialises writes itself"
)
def test_the_number_is_taken_under_a_lock_on_the_unit(tree: Tree) -> None:
    meeting = held(tree.cell_a1, DAY)
    with CaptureQueriesContext(connection) as queries:
        resolve(meeting)
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert any("units_unit" in sql for sql in locks), locks


def test_a_vote_names_a_resolution_of_its_own_meeting(tree: Tree) -> None:
    march, other = held(tree.cell_a1, DAY), held(tree.cell_a2, DAY)
    resolution = resolve(march)
    with pytest.raises(ValidationError, match="another meeting"):
        services.record_vote(
            other,
            actor=None,
            subject="Biểu quyết",
            rule=VoteRule.MAJORITY,
            votes_for=1,
            votes_against=0,
            abstentions=0,
            resolution=resolution,
        )


# The minutes, locking and amendments -----------------------------------------------------


def test_minutes_figures_come_from_the_attendance(cell: Cell, tree: Tree) -> None:
    take_roll(
        cell.meeting,
        {
            "Lê Văn Chín": (PRESENT, ""),
            "Phạm Thị Hường": (EXCUSED, "Đi viện"),
            "Đặng Văn Dũng": (PRESENT, ""),
            "Trần Văn Tư": (LATE, ""),
            "Ngô Thị Năm": (UNEXCUSED, ""),
            "Hoàng Văn Sơn": (PRESENT, ""),
        },
    )
    data = selectors.minutes_data(cell.meeting)
    assert (data.on_roll, data.official, data.probationary) == (8, 4, 1)
    assert (data.exempted, data.attached_elsewhere, data.suspended) == (1, 1, 1)
    assert (data.attached_here, data.expected) == (1, 6)
    assert (data.present_official, data.present_probationary) == (2, 0)
    assert (data.present_attached, data.present_exempted) == (1, 1)
    assert data.present_counted == 3
    assert [(a.member.full_name, a.reason) for a in data.excused] == [("Phạm Thị Hường", "Đi viện")]
    assert [m.full_name for m in data.unexcused] == ["Ngô Thị Năm"]
    assert [m.full_name for m in data.unmarked] == ["Bùi Văn Sáu"]
    assert (data.unit_name, data.superior_name) == ("Chi bộ thôn Ninh Phú", "Đảng bộ xã Đa Lộc")
    assert len(data.agenda) == len(meeting_services.STANDARD_AGENDA)


def test_chair_and_secretary_must_be_at_the_meeting(cell: Cell) -> None:
    take_roll(cell.meeting, {"Đặng Văn Dũng": (PRESENT, ""), "Ngô Thị Năm": (UNEXCUSED, "")})
    dung = member("Đặng Văn Dũng")
    with pytest.raises(ValidationError, match="vắng mặt"):
        services.write_minutes(
            cell.meeting,
            actor=None,
            minutes="",
            conclusions="",
            chair=member("Ngô Thị Năm"),
            minutes_secretary=dung,
        )
    with pytest.raises(ValidationError, match="not at this meeting"):
        services.write_minutes(
            cell.meeting,
            actor=None,
            minutes="",
            conclusions="",
            chair=member("Vũ Thị Mai"),
            minutes_secretary=dung,
        )


def close(meeting: Meeting) -> None:
    roll = selectors.roll(meeting)
    marks = {m.pk: (PRESENT, "") for m in roll.expected}
    meeting_services.record_attendance(meeting, actor=None, marks=marks)
    meeting_services.close_meeting(meeting, actor=None, ends_at=at(DAY, 21))
    meeting.refresh_from_db()


def test_closing_locks_and_a_correction_is_an_amendment(tree: Tree) -> None:
    meeting = held(tree.cell_a1, DAY)
    dung = member("Đặng Văn Dũng")
    services.write_minutes(
        meeting,
        actor=None,
        minutes="Đồng chí Bí thư quán triệt Chỉ thị 50.",
        conclusions="Giao đồng chí Hường theo dõi.",
        chair=dung,
        minutes_secretary=member("Phạm Thị Hường"),
    )
    with pytest.raises(ValidationError, match="Only a closed meeting"):
        services.amend_meeting(meeting, actor=None, reason="Sai tên", conclusions="Khác")
    close(meeting)
    for attempt in (
        lambda: services.write_minutes(
            meeting, actor=None, minutes="x", conclusions="", chair=dung, minutes_secretary=None
        ),
        lambda: vote(meeting, VoteRule.MAJORITY, 1),
        lambda: resolve(meeting),
    ):
        with pytest.raises(ValidationError, match="khóa"):
            attempt()
    with pytest.raises(ValidationError, match="lý do"):
        services.amend_meeting(meeting, actor=None, reason="  ", conclusions="Khác")
    with pytest.raises(ValidationError, match="Nothing to amend"):
        services.amend_meeting(meeting, actor=None, reason="Xem lại", conclusions=None)
    services.amend_meeting(
        meeting,
        actor=None,
        reason="Ghi nhầm người theo dõi",
        conclusions="Giao đồng chí Dũng theo dõi.",
    )
    meeting.refresh_from_db()
    assert meeting.conclusions == "Giao đồng chí Dũng theo dõi."
    event = AuditEvent.objects.get(action="meetings.meeting.amend")
    assert event.changes == {
        "reason": "Ghi nhầm người theo dõi",
        "before": {"conclusions": "Giao đồng chí Hường theo dõi."},
        "after": {"conclusions": "Giao đồng chí Dũng theo dõi."},
    }
    assert [a.reason for a in selectors.minutes_data(meeting).amendments] == [
        "Ghi nhầm người theo dõi"
    ]
    actions = AuditEvent.objects.filter(object_id=str(meeting.pk), object_type="meetings.meeting")
    assert "meetings.minutes.write" in set(actions.values_list("action", flat=True))


# The PDFs ---------------------------------------------------------------------------------


def text_of(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def recorded(cell: Cell) -> Cell:
    take_roll(
        cell.meeting,
        {
            "Lê Văn Chín": (PRESENT, ""),
            "Phạm Thị Hường": (EXCUSED, "Đi viện"),
            "Đặng Văn Dũng": (PRESENT, ""),
            "Trần Văn Tư": (PRESENT, ""),
            "Ngô Thị Năm": (UNEXCUSED, ""),
            "Bùi Văn Sáu": (PRESENT, ""),
            "Hoàng Văn Sơn": (PRESENT, ""),
        },
    )
    services.write_minutes(
        cell.meeting,
        actor=None,
        minutes="Đồng chí Bí thư quán triệt Chỉ thị 50-CT/TW.\nCác đồng chí thảo luận sôi nổi.",
        conclusions="Chi bộ thống nhất nhiệm vụ tháng 4.",
        chair=member("Đặng Văn Dũng"),
        minutes_secretary=member("Trần Văn Tư"),
    )
    resolution = resolve(cell.meeting, "Về lãnh đạo thực hiện nhiệm vụ tháng 4 năm 2026")
    services.record_vote(
        cell.meeting,
        actor=None,
        subject="Thông qua Nghị quyết tháng 3",
        rule=VoteRule.MAJORITY,
        votes_for=3,
        votes_against=0,
        abstentions=0,
        resolution=resolution,
    )
    cell.meeting.refresh_from_db()
    return cell


def test_minutes_pdf_holds_the_names_and_counts(recorded: Cell) -> None:
    content = pdf.minutes_pdf(selectors.minutes_data(recorded.meeting))
    assert content.startswith(b"%PDF")
    text = text_of(content)
    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG BỘ XÃ ĐA LỘC",
        "CHI BỘ THÔN NINH PHÚ",
        "Ninh Phú, ngày 04 tháng 03 năm 2026",
        "BIÊN BẢN",
        "SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 03/2026",
        "Tổng số đảng viên của chi bộ: 8 đồng chí",
        "chính thức 4, dự bị 1",
        "Có mặt: 4/6 đồng chí",
        "Phạm Thị Hường (Đi viện)",
        "Vắng mặt không có lý do: 1 đồng chí: Ngô Thị Năm",
        "Nghị quyết số 01-NQ/CB",
        "tán thành 3/4 (75%)",
        "Đặng Văn Dũng",
        "Chi bộ thống nhất nhiệm vụ tháng 4.",
    ):
        assert expected in text, expected


def test_resolution_pdf(recorded: Cell) -> None:
    resolution = Resolution.objects.get()
    content = pdf.resolution_pdf(resolution, selectors.minutes_data(recorded.meeting))
    text = text_of(content)
    for expected in (
        "Số: 01-NQ/CB",
        "NGHỊ QUYẾT",
        "Về lãnh đạo thực hiện nhiệm vụ tháng 4 năm 2026",
        "Ngày 04/03/2026, Chi bộ thôn Ninh Phú họp sinh hoạt thường kỳ",
        "CHI BỘ QUYẾT NGHỊ",
        "T/M CHI BỘ",
        "Đảng bộ xã Đa Lộc (để báo cáo)",
    ):
        assert expected in text, expected


def test_attendance_pdf_lists_everyone_to_sign(recorded: Cell) -> None:
    text = text_of(pdf.attendance_pdf(selectors.minutes_data(recorded.meeting)))
    assert "DANH SÁCH ĐẢNG VIÊN DỰ SINH HOẠT" in text
    assert "Ký tên" in text
    for name in ("Lê Văn Chín", "Phạm Thị Hường", "Hoàng Văn Sơn", "Bùi Văn Sáu"):
        assert name in text
    for absent in ("Vũ Văn Bảy", "Hoàng Thị Tám"):  # suspended, attached elsewhere
        assert absent not in text
    assert "Vắng có lý do (Đi viện)" in text


def test_decomposed_input_prints_composed_letters(tree: Tree) -> None:
    meeting = held(tree.cell_a1, DAY)
    resolve(meeting, "Nghi\u0323 quyê\u0301t đa\u0309ng")  # "Nghị quyết đảng", decomposed
    text = text_of(pdf.minutes_pdf(selectors.minutes_data(meeting)))
    assert "Nghị quyết đảng" in text


def test_place_of_the_date_line() -> None:
    assert pdf.place_of("Chi bộ thôn Ninh Phú") == "Ninh Phú"
    assert pdf.place_of("Chi bộ Trường THPT", "Đảng bộ xã Đa Lộc") == "Đa Lộc"
    assert pdf.place_of("Chi bộ Khối cơ quan", "") == "Khối cơ quan"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm is not installed")
def test_first_page_renders(recorded: Cell, tmp_path: Path) -> None:
    """poppler draws page 1 without complaint (test-output/ keeps it for a look)."""
    source = tmp_path / "minutes.pdf"
    source.write_bytes(pdf.minutes_pdf(selectors.minutes_data(recorded.meeting)))
    result = subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(source), str(tmp_path / "p")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and not result.stderr, result.stderr
    assert list(tmp_path.glob("p*.png"))


# The pages --------------------------------------------------------------------------------


def login(role: str, users: dict[str, User]) -> Client:
    client = Client()
    client.force_login(users[role])
    return client


def test_secretary_records_a_vote_and_a_resolution(recorded: Cell, users: dict[str, User]) -> None:
    client = login(Role.SECRETARY, users)
    meeting = recorded.meeting
    page = client.get(reverse("meetings:records", args=[meeting.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Phạm Thị Hường (Đi viện)" in body
    assert reverse("meetings:minutes_pdf", args=[meeting.pk]) in body
    response = client.post(
        reverse("meetings:records_vote", args=[meeting.pk]),
        {
            "subject": "Kết nạp quần chúng Nguyễn Văn Mười",
            "rule": VoteRule.TWO_THIRDS_OFFICIAL,
            "votes_for": "3",
            "votes_against": "0",
            "abstentions": "0",
        },
    )
    assert response.status_code == 302
    assert Vote.objects.get(subject__startswith="Kết nạp").passed is True
    too_many = client.post(
        reverse("meetings:records_vote", args=[meeting.pk]),
        {
            "subject": "Thừa phiếu",
            "rule": "majority",
            "votes_for": "9",
            "votes_against": "0",
            "abstentions": "0",
        },
    )
    assert too_many.status_code == 200
    assert "More votes than voting members present" in too_many.content.decode()
    response = client.post(
        reverse("meetings:records_resolution", args=[meeting.pk]),
        {"title": "Về công tác phát triển đảng viên", "body": "Giao chi ủy chuẩn bị hồ sơ."},
    )
    assert response.status_code == 302
    assert Resolution.objects.filter(number=2).exists()
    document = client.get(
        reverse("meetings:resolution_pdf", args=[Resolution.objects.get(number=2).pk])
    )
    assert document["Content-Type"] == "application/pdf"
    assert "Số: 02-NQ/CB" in text_of(document.content)


def test_read_only_roles_cannot_write(recorded: Cell, users: dict[str, User]) -> None:
    meeting = recorded.meeting
    inspector = login(Role.INSPECTOR, users)
    page = inspector.get(reverse("meetings:records", args=[meeting.pk]))
    assert page.status_code == 200
    assert reverse("meetings:records_vote", args=[meeting.pk]) not in page.content.decode()
    before = AuditEvent.objects.count()
    for name, data in [
        ("meetings:records_vote", {"subject": "X", "rule": "majority", "votes_for": "1"}),
        ("meetings:records_resolution", {"title": "X"}),
        ("meetings:records_minutes", {"minutes": "X"}),
        ("meetings:records_amend", {"reason": "X", "minutes": "Y"}),
    ]:
        assert inspector.post(reverse(name, args=[meeting.pk]), data).status_code == 404
    assert AuditEvent.objects.count() == before
    # The member role does not open other members' records: the minutes name them.
    member_client = login(Role.MEMBER, users)
    assert member_client.get(reverse("meetings:records", args=[meeting.pk])).status_code == 404
    assert member_client.get(reverse("meetings:minutes_pdf", args=[meeting.pk])).status_code == 404


def test_out_of_scope_is_404(tree: Tree, users: dict[str, User]) -> None:
    other = held(tree.cell_a2, DAY)
    resolution = resolve(other)
    client = login(Role.SECRETARY, users)  # secretary of A1
    for url in (
        reverse("meetings:records", args=[other.pk]),
        reverse("meetings:minutes_pdf", args=[other.pk]),
        reverse("meetings:attendance_pdf", args=[other.pk]),
        reverse("meetings:resolution_pdf", args=[resolution.pk]),
        reverse("meetings:records", args=[987_654]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("meetings:records_resolution", args=[other.pk]), {"title": "Trái phép"}
    )
    assert response.status_code == 404
    assert Resolution.objects.count() == 1
    staff = login(Role.STAFF, users)  # the district sees both cells
    assert staff.get(reverse("meetings:records", args=[other.pk])).status_code == 200


def test_amend_page_after_closing(tree: Tree, users: dict[str, User]) -> None:
    meeting = held(tree.cell_a1, DAY)
    close(meeting)
    client = login(Role.SECRETARY, users)
    page = client.get(reverse("meetings:records", args=[meeting.pk])).content.decode()
    assert reverse("meetings:records_amend", args=[meeting.pk]) in page
    assert reverse("meetings:records_minutes", args=[meeting.pk]) not in page
    refused = client.post(
        reverse("meetings:records_amend", args=[meeting.pk]), {"reason": "", "minutes": "Mới"}
    )
    assert refused.status_code == 200
    response = client.post(
        reverse("meetings:records_amend", args=[meeting.pk]),
        {"reason": "Bổ sung diễn biến", "minutes": "Mới", "conclusions": ""},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="meetings.meeting.amend")
    assert event.changes["reason"] == "Bổ sung diễn biến"
    assert event.actor == users[Role.SECRETARY]
    page = client.get(reverse("meetings:records", args=[meeting.pk])).content.decode()
    assert "Bổ sung diễn biến" in page


def test_records_page_queries_do_not_grow_with_the_cell(
    recorded: Cell, users: dict[str, User]
) -> None:
    client = login(Role.SECRETARY, users)
    url = reverse("meetings:records", args=[recorded.meeting.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(15):
        make_member(recorded.unit, f"Nguyễn Văn Thêm {i}")
    services.record_vote(
        recorded.meeting,
        actor=None,
        subject="Thêm một biểu quyết",
        rule=VoteRule.MAJORITY,
        votes_for=1,
        votes_against=0,
        abstentions=0,
    )
    resolve(recorded.meeting, "Thêm một nghị quyết")
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
