"""Test data for the compliance monitor, built with the real services."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from chibo.accounts.models import Role
from chibo.compliance import services
from chibo.compliance.models import Alert, RemovalReview, Result
from chibo.meetings import preparation
from chibo.meetings import services as meeting_services
from chibo.meetings.models import Mark, Meeting, MeetingKind
from chibo.meetings.selectors import expected
from chibo.meetings.tests.preparation_helpers import upload
from chibo.units.models import Unit

if TYPE_CHECKING:
    from chibo.accounts.tests.test_access_matrix import Ctx, Target

MISSING_ID = 987_654


def at(day: date, hour: int = 19) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def hold(
    unit: Unit,
    day: date,
    *,
    kind: str = MeetingKind.REGULAR,
    absent: int = 0,
    unexcused: list[int] | None = None,
    minutes: int | None = 100,
    documents: bool = True,
    notice: bool = True,
    title: str = "",
) -> Meeting:
    """A meeting of `unit` on `day` at 19:00, prepared (documents two days before, notice the
    day before), held with `absent` members away (excused) or the members `unexcused` away
    without reason, and closed after `minutes` (None: left open)."""
    starts_at = at(day)
    if kind == MeetingKind.REGULAR:
        meeting = meeting_services.plan_meeting(
            unit, actor=None, kind=kind, starts_at=starts_at, series_month=day.replace(day=1)
        )
    else:
        meeting = meeting_services.plan_meeting(
            unit, actor=None, kind=kind, starts_at=starts_at, title=title or "Chuyên đề"
        )
    if documents:
        preparation.upload_document(
            meeting, actor=None, file=upload(), title="Dự thảo", now=starts_at - timedelta(days=2)
        )
    if notice:
        preparation.send_notice(
            meeting, actor=None, base_url="http://testserver", now=starts_at - timedelta(days=1)
        )
    people = expected(meeting).members
    marks: dict[int, tuple[str, str]] = {}
    for i, member in enumerate(people):
        if unexcused and member.pk in unexcused:
            marks[member.pk] = (Mark.UNEXCUSED, "")
        elif i < absent:
            marks[member.pk] = (Mark.EXCUSED, "Ốm")
        else:
            marks[member.pk] = (Mark.PRESENT, "")
    meeting_services.record_attendance(meeting, actor=None, marks=marks)
    if minutes is not None:
        meeting_services.close_meeting(
            meeting, actor=None, ends_at=starts_at + timedelta(minutes=minutes)
        )
    return meeting


def result(unit: Unit, code: str, month: date) -> Result:
    return Result.objects.get(unit=unit, obligation=code, month=month.replace(day=1))


def evaluate(unit: Unit, month: date, **kw: Any) -> services.Summary:
    return services.evaluate(unit, month, actor=None, **kw)


# The access matrix ---------------------------------------------------------------------------


def _alert(unit: Unit) -> Alert:
    month = timezone.localdate().replace(day=1) - timedelta(days=1)
    services.evaluate(unit, month, actor=None)
    return Alert.objects.filter(unit=unit).order_by("id").first()  # type: ignore[return-value]


def alert_targets(ctx: Ctx) -> list[Target]:
    """An alert of the cell every role covers (it met nobody last month), and one of the other
    province's cell."""
    from chibo.accounts.tests.test_access_matrix import Target

    own = Target("own", _alert(ctx.tree.cell_a1).pk, True, ctx.tree.cell_a1)
    if ctx.role == Role.ADMIN:
        return [own, Target("missing", MISSING_ID, False)]
    return [own, Target("other", _alert(ctx.tree.other_cell).pk, False, ctx.tree.other_cell)]


def _review(unit: Unit) -> RemovalReview:
    """A member of `unit` away without reason in January, February and March 2025."""
    member = unit.memberships.select_related("member").order_by("id").first().member  # type: ignore[union-attr]
    for month in (1, 2, 3):
        hold(unit, date(2025, month, 4), unexcused=[member.pk], documents=False, notice=False)
    services.evaluate(unit, date(2025, 3, 1), actor=None, as_of=date(2025, 3, 31))
    return RemovalReview.objects.get(unit=unit, member=member)


def review_targets(ctx: Ctx) -> list[Target]:
    """A pending removal review in the covered cell, and one in the other province."""
    from chibo.accounts.tests.test_access_matrix import Target

    own = Target("own", _review(ctx.tree.cell_a1).pk, True, ctx.tree.cell_a1)
    if ctx.role == Role.ADMIN:
        return [own, Target("missing", MISSING_ID, False)]
    return [own, Target("other", _review(ctx.tree.other_cell).pk, False, ctx.tree.other_cell)]
