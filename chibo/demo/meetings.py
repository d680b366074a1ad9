"""The demo's cell meetings: every cell's book since 2016 (written in bulk as a committee
digitising its paper books would), the last months of Đa Lộc's fourteen cells held through the
roll-call and closing services with dues, and next month's meetings planned.

Turnout is drawn around each cell's own habit, which improves over the years as the article
tells: above 85 % for most cells, lower for a few lagging cells, which also miss a month now
and then. Thematic meetings are held in most quarters.
"""

import random
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.core.mail import get_connection
from django.utils import timezone

from chibo.accounts.models import User
from chibo.lib.dates import today
from chibo.lib.progress import Progress
from chibo.meetings import history, preparation, selectors, services
from chibo.meetings.dues import services as dues_services
from chibo.meetings.models import Mark, Meeting, MeetingKind, VoteRule
from chibo.meetings.records import selectors as record_selectors
from chibo.meetings.records import services as record_services
from chibo.meetings.records.pdf import Document
from chibo.members import selectors as member_selectors
from chibo.members.models import Member
from chibo.units.models import Unit, UnitKind

HISTORY_FROM = date(2016, 1, 1)

MONTHS_HELD = 6
REASONS = ["Ốm", "Đi làm ăn xa", "Việc gia đình", "Đi biển", "Con ốm"]
CONCLUSIONS = [
    "Tập trung thu hoạch vụ mùa, chuẩn bị vụ đông; vận động nhân dân vệ sinh môi trường.",
    "Hoàn thành thu đảng phí; tuyên truyền phòng chống thiên tai, bão lụt.",
    "Đẩy mạnh nuôi trồng thủy sản; giới thiệu quần chúng ưu tú đi học lớp cảm tình Đảng.",
    "Tu sửa đường làng, ngõ xóm; giữ vững an ninh trật tự trên địa bàn thôn.",
]
TOPICS = [
    "Phát triển kinh tế nuôi trồng thủy sản",
    "Xây dựng nông thôn mới",
    "Vệ sinh môi trường, chỉnh trang đường làng, ngõ xóm",
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
]


def habit_of(cell: Unit) -> float:
    """A cell's usual turnout, the same in its book and in its recent months."""
    own = random.Random(f"habit-{cell.code}")
    return own.uniform(0.74, 0.82) if own.random() < 0.15 else own.uniform(0.86, 0.97)


def _held_months(cell: Unit) -> int:
    """Đa Lộc's cells hold their last months through the services; the others have books."""
    return MONTHS_HELD if cell.code.startswith("HL-DALOC") else 0


def build_history(
    actor: User, rng: random.Random, since: date = HISTORY_FROM, stream: object | None = None
) -> int:
    """Every meeting unit's book from `since` up to the months held through the services."""
    this_month = today().replace(day=1)
    units = [
        u
        for u in Unit.objects.filter(kind__in=services.MEETING_KINDS).order_by("code")
        if u.kind != UnitKind.BASE or not u.children.filter(kind=UnitKind.CELL).exists()
    ]
    bar = Progress(len(units), "Sổ sinh hoạt từ 2016 / meeting books", stream=stream)  # type: ignore[arg-type]
    written = 0
    for unit in units:
        last = this_month - relativedelta(months=_held_months(unit) + 1)
        book = _book(unit, rng, since, last)
        written += history.record_past_meetings(unit, actor=actor, book=book)
        bar.advance()
    return written


def _book(unit: Unit, rng: random.Random, since: date, last: date) -> list[history.PastMeeting]:
    base = habit_of(unit)
    lagging = base < 0.85
    roll = history.roll_of(unit, since, last + relativedelta(months=1))
    book: list[history.PastMeeting] = []
    payer = random.Random(f"dues-{unit.code}")  # its own draws: the meetings stay as they were
    month = since
    while month <= last:
        day = services.regular_day(unit, month)
        # Habits improved year by year as the district raised the quality of meetings.
        habit = min(0.98, base - 0.03 + 0.006 * (month.year - HISTORY_FROM.year))
        skipped = lagging and rng.random() < 0.06
        if unit.is_active_on(day) and not skipped:
            regular = _past(unit, roll, rng, habit, MeetingKind.REGULAR, day, 19)
            regular.dues = _dues(roll.on_roll(month), payer, 0.85 if lagging else 0.96)
            book.append(regular)
            if month.month in (3, 6, 9, 12) and rng.random() < 0.8:
                book.append(
                    _past(
                        unit, roll, rng, habit, MeetingKind.THEMATIC, day + timedelta(days=14), 19
                    )
                )
        month += relativedelta(months=1)
    return book


def _past(  # type: ignore[no-untyped-def]
    unit: Unit, roll, rng: random.Random, habit: float, kind: str, day: date, hour: int
) -> history.PastMeeting:
    starts = timezone.make_aware(datetime.combine(day, time(hour)))
    expected = roll.expected_on(day)
    minutes = rng.choice([95, 100, 105, 110, 120, 130, 85]) + (30 if kind == "thematic" else 0)
    return history.PastMeeting(
        kind=kind,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=minutes),
        marks=_marks(expected.members, rng, habit),
        title=rng.choice(TOPICS) if kind == MeetingKind.THEMATIC else "",
        place=f"Nhà văn hóa {unit.name.removeprefix('Chi bộ ')}",
    )


def _dues(
    members: dict[int, Member], rng: random.Random, paying: float
) -> dict[int, tuple[int, bool]]:
    """The month's dues at the configured rate, or a wage-based amount (1 % / 0,5 % of a salary
    or a pension, 342-QĐ/TW); a few unpaid."""
    return {
        member_id: (
            member.dues_monthly or rng.choice([30_000, 45_000, 52_000, 68_000]),
            rng.random() < paying,
        )
        for member_id, member in members.items()
    }


def _marks(members, rng: random.Random, habit: float) -> dict[int, tuple[str, str]]:  # type: ignore[no-untyped-def]
    marks: dict[int, tuple[str, str]] = {}
    for member in members:
        roll = rng.random()
        if roll < habit - 0.03:
            marks[member.pk] = (Mark.PRESENT, "")
        elif roll < habit:
            marks[member.pk] = (Mark.LATE, "")
        elif roll < habit + (1 - habit) * 0.7:
            marks[member.pk] = (Mark.EXCUSED, rng.choice(REASONS))
        else:
            marks[member.pk] = (Mark.UNEXCUSED, "")
    return marks


PRESENT = (Mark.PRESENT, Mark.LATE)


def _write_records(meeting, actor: User, rng: random.Random, present: list) -> None:  # type: ignore[no-untyped-def]
    """Minutes, the month's resolution and its vote, as the cell's secretary keeps them."""
    if len(present) < 2:
        return
    month = timezone.localtime(meeting.starts_at)
    thematic = meeting.kind == MeetingKind.THEMATIC
    topic = meeting.title if thematic else f"tháng {month:%m/%Y}"
    record_services.write_minutes(
        meeting,
        actor=actor,
        minutes=(
            f"Đồng chí chủ trì quán triệt chủ đề: {meeting.title}. Các đồng chí thảo luận, liên "
            "hệ với tình hình thôn."
            if thematic
            else "Kiểm điểm kết quả lãnh đạo tháng trước; thông tin thời sự, chính sách mới; "
            "tình hình tư tưởng đảng viên; phân công nhiệm vụ tháng tới cho từng đảng viên."
        ),
        conclusions=rng.choice(CONCLUSIONS),
        chair=present[0],
        minutes_secretary=present[1],
    )
    resolution = record_services.adopt_resolution(
        meeting,
        actor=actor,
        title=f"Nghị quyết sinh hoạt chi bộ {topic}",
        body=rng.choice(CONCLUSIONS),
    )
    base = record_selectors.vote_base(meeting, VoteRule.MAJORITY)
    against = 1 if base.voters_present > 6 and rng.random() < 0.2 else 0
    record_services.record_vote(
        meeting,
        actor=actor,
        subject=f"Thông qua {resolution.title.lower()}",
        rule=VoteRule.MAJORITY,
        votes_for=base.voters_present - against,
        votes_against=against,
        abstentions=0,
        resolution=resolution,
    )


def build(actor: User, rng: random.Random) -> int:
    """Hold the last MONTHS_HELD months of meetings in Đa Lộc's cells; plan next month."""
    cells = list(
        Unit.objects.filter(
            kind=UnitKind.CELL, code__startswith="HL-DALOC", valid_to__isnull=True
        ).order_by("code")
    )
    this_month = today().replace(day=1)
    held = 0
    for cell in cells:
        habit = habit_of(cell)
        for back in range(MONTHS_HELD, 0, -1):
            month = this_month - relativedelta(months=back)
            meeting = services.plan_month(cell, month, actor=actor)
            if meeting is None:
                continue
            _prepare(meeting, actor)
            _hold(meeting, actor, rng, habit)
            _collect_dues(cell, meeting, month, actor, rng)
            held += 1
            if month.month in (3, 6, 9, 12) and rng.random() < 0.8:
                thematic = services.plan_meeting(
                    cell,
                    actor=actor,
                    kind=MeetingKind.THEMATIC,
                    starts_at=meeting.starts_at + timedelta(days=14),
                    title=rng.choice(TOPICS),
                    place=f"Nhà văn hóa {cell.name.removeprefix('Chi bộ ')}",
                )
                _hold(thematic, actor, rng, habit)
                held += 1
        services.plan_month(cell, this_month + relativedelta(months=1), actor=actor)
    return held


def _prepare(meeting: Meeting, actor: User) -> None:
    """As the 2025 guidance asks: the draft resolution posted and the notice sent to every
    expected member and the supervising committee member three days before the meeting (the
    demo's mail stays in memory)."""
    before = meeting.starts_at - timedelta(days=3)
    month = f"{timezone.localtime(meeting.starts_at):%m/%Y}"
    draft = Document(f"Dự thảo nghị quyết tháng {month}")
    draft.add_page()
    draft.titled("DỰ THẢO NGHỊ QUYẾT", f"Sinh hoạt chi bộ tháng {month}")
    draft.para(f"{meeting.unit.name}: kết quả lãnh đạo tháng trước, nhiệm vụ tháng tới.")
    upload = ContentFile(draft.render(), name=f"du-thao-nghi-quyet-{month.replace('/', '-')}.pdf")
    preparation.upload_document(
        meeting, actor=actor, file=upload, title=f"Dự thảo nghị quyết tháng {month}", now=before
    )
    preparation.send_notice(
        meeting,
        actor=actor,
        base_url="http://127.0.0.1:8000",
        now=before,
        connection=get_connection("django.core.mail.backends.locmem.EmailBackend"),
    )


def _collect_dues(cell: Unit, meeting, month, actor: User, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    """Dues collected at the regular meeting: the configured rate, or a wage-based amount for
    members paid a salary or a pension (1 % / 0,5 %, 342-QĐ/TW), a few unpaid."""
    payments: dict[int, tuple[int | None, bool]] = {}
    for row in member_selectors.members_on(cell.pk, month):
        member = row.member
        amount = member.dues_monthly or rng.choice([30_000, 45_000, 52_000, 68_000])
        payments[member.pk] = (amount, rng.random() < 0.96)
    dues_services.collect_dues(cell, actor=actor, month=month, payments=payments, meeting=meeting)


def _hold(meeting, actor: User, rng: random.Random, habit: float) -> None:  # type: ignore[no-untyped-def]
    members = selectors.expected(meeting).members
    marks = _marks(members, rng, habit)
    services.record_attendance(meeting, actor=actor, marks=marks)
    _write_records(meeting, actor, rng, [m for m in members if marks[m.pk][0] in PRESENT])
    minutes = rng.choice([95, 100, 105, 110, 120, 130, 85])
    if meeting.kind == MeetingKind.THEMATIC:
        minutes += 30
    services.close_meeting(
        meeting, actor=actor, ends_at=meeting.starts_at + timedelta(minutes=minutes)
    )
