"""The demo's cell meetings: the last months of Đa Lộc's fourteen cells, held and closed with
their roll, and next month's meetings planned.

Turnout is drawn around each cell's own habit, above the article's 85 % for most and lower
for a few lagging cells. A full history since 2016 for every cell is left for a bulk import of
past meeting books.
"""

import random
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from chibo.accounts.models import User
from chibo.lib.dates import today
from chibo.meetings import selectors, services
from chibo.meetings.dues import services as dues_services
from chibo.meetings.models import Mark, MeetingKind
from chibo.members import selectors as member_selectors
from chibo.units.models import Unit, UnitKind

MONTHS_HELD = 6
REASONS = ["Ốm", "Đi làm ăn xa", "Việc gia đình", "Đi biển", "Con ốm"]
TOPICS = [
    "Phát triển kinh tế nuôi trồng thủy sản",
    "Xây dựng nông thôn mới",
    "Vệ sinh môi trường, chỉnh trang đường làng, ngõ xóm",
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
]


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
        habit = rng.uniform(0.74, 0.82) if rng.random() < 0.15 else rng.uniform(0.86, 0.97)
        for back in range(MONTHS_HELD, 0, -1):
            month = this_month - relativedelta(months=back)
            meeting = services.plan_month(cell, month, actor=actor)
            if meeting is None:
                continue
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
    marks: dict[int, tuple[str, str]] = {}
    for member in selectors.expected(meeting).members:
        roll = rng.random()
        if roll < habit - 0.03:
            marks[member.pk] = (Mark.PRESENT, "")
        elif roll < habit:
            marks[member.pk] = (Mark.LATE, "")
        elif roll < habit + (1 - habit) * 0.7:
            marks[member.pk] = (Mark.EXCUSED, rng.choice(REASONS))
        else:
            marks[member.pk] = (Mark.UNEXCUSED, "")
    services.record_attendance(meeting, actor=actor, marks=marks)
    minutes = rng.choice([95, 100, 105, 110, 120, 130, 85])
    if meeting.kind == MeetingKind.THEMATIC:
        minutes += 30
    services.close_meeting(
        meeting, actor=actor, ends_at=meeting.starts_at + timedelta(minutes=minutes)
    )
