"""Writes on meetings: planning (one by one, or a cell's monthly series), the agenda,
attendance, and closing. Each service is atomic and audited."""

from calendar import monthrange
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.accounts.models import User
from chibo.audit.services import record
from chibo.lib.dates import format_date
from chibo.lib.intervals import active_on
from chibo.lib.workdays import add_workdays
from chibo.meetings import selectors
from chibo.meetings.models import (
    AgendaItem,
    Attendance,
    Guest,
    Mark,
    MarkSource,
    Meeting,
    MeetingKind,
    MeetingMode,
    MeetingState,
)
from chibo.meetings.rules import rule_for
from chibo.units import treepath
from chibo.units.models import Unit, UnitKind

# The standard order of a regular monthly meeting (09-HD/BTCTW 2012, 12-HD/BTCTW 2018,
# 42-HD/BTCTW 2025; RULES.md §1.3). Editable per meeting.
STANDARD_AGENDA = [
    (AgendaItem.Part.OPENING, gettext_lazy("Thu đảng phí tháng")),
    (AgendaItem.Part.OPENING, gettext_lazy("Báo cáo tình hình đảng viên, số có mặt, vắng mặt")),
    (AgendaItem.Part.OPENING, gettext_lazy("Thông qua chương trình, cử thư ký")),
    (AgendaItem.Part.CONTENT, gettext_lazy("Thông tin thời sự, chủ trương, chính sách mới")),
    (
        AgendaItem.Part.CONTENT,
        gettext_lazy("Nhận xét tình hình tư tưởng của đảng viên, quần chúng"),
    ),
    (AgendaItem.Part.CONTENT, gettext_lazy("Đánh giá kết quả thực hiện nhiệm vụ tháng trước")),
    (AgendaItem.Part.CONTENT, gettext_lazy("Nhiệm vụ tháng tới, phân công đảng viên thực hiện")),
    (AgendaItem.Part.CONTENT, gettext_lazy("Thảo luận")),
    (AgendaItem.Part.CLOSING, gettext_lazy("Biểu quyết nghị quyết")),
    (AgendaItem.Part.CLOSING, gettext_lazy("Thông qua biên bản")),
]
# Units that hold meetings of their own members: cells, and base organisations that are a
# single cell (chi bộ cơ sở) — those without cells below them.
MEETING_KINDS = (UnitKind.CELL, UnitKind.BASE, UnitKind.GROUP)


def _fail(message: str) -> ValidationError:
    return ValidationError(message)


def _check_open(meeting: Meeting) -> None:
    if meeting.state in (MeetingState.CLOSED, MeetingState.CANCELLED):
        raise _fail(
            _("Cuộc họp đã khóa; sửa đổi phải ghi thành đính chính có lý do. (Meeting closed.)")
        )


@transaction.atomic
def plan_meeting(
    unit: Unit,
    *,
    actor: User | None,
    kind: str,
    starts_at: datetime,
    place: str = "",
    title: str = "",
    series_month: date | None = None,
    mode: str = MeetingMode.IN_PERSON,
    prepares: Meeting | None = None,
) -> Meeting:
    """Put a meeting on a unit's calendar; a regular meeting gets the standard agenda.

    In person unless the committee above approved the unit for online or hybrid meetings
    (03-HD/TW, RULES.md §1.6: the rule `meetings.online_approved`). A preparatory meeting of the
    cell committee names the meeting it prepares, of the same unit and before it.
    """
    if kind not in MeetingKind.values:
        raise _fail(_("Loại cuộc họp không hợp lệ. (Unknown kind.)"))
    if mode not in MeetingMode.values:
        raise _fail(_("Hình thức họp không hợp lệ. (Unknown mode.)"))
    day = timezone.localtime(starts_at).date()
    if not unit.is_active_on(day):
        raise _fail(
            _("%(unit)s không hoạt động vào ngày %(day)s. (Unit not active that day.)")
            % {"unit": unit.name, "day": format_date(day)}
        )
    _check_mode(unit, mode, day)
    _check_prepares(unit, kind, starts_at, prepares)
    if kind == MeetingKind.THEMATIC and not title.strip():
        raise _fail(_("Sinh hoạt chuyên đề cần có chủ đề. (A thematic meeting needs a topic.)"))
    if kind == MeetingKind.REGULAR:
        # A regular meeting takes its month's place in the series: one a month, so that the
        # monthly generation never adds a second one.
        series_month = series_month or day.replace(day=1)
        _check_month_free(unit, series_month)
    meeting = Meeting.objects.create(
        unit=unit,
        kind=kind,
        starts_at=starts_at,
        place=place.strip(),
        title=title.strip(),
        series_month=series_month,
        mode=mode,
        prepares=prepares,
    )
    if kind in (MeetingKind.REGULAR, MeetingKind.THEMATIC):
        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, position=i, part=part, title=str(title_))
            for i, (part, title_) in enumerate(STANDARD_AGENDA, start=1)
        )
    record(
        "meetings.meeting.plan",
        actor=actor,
        obj=meeting,
        unit=unit,
        changes={
            "kind": kind,
            "mode": mode,
            "starts_at": starts_at,
            "place": place,
            "title": title,
            "prepares": prepares.pk if prepares else None,
        },
    )
    return meeting


def _check_mode(unit: Unit, mode: str, day: date) -> None:
    if mode != MeetingMode.IN_PERSON and not rule_for(unit, "online_approved", day):
        raise ValidationError(
            {
                "mode": [
                    _(
                        "%(unit)s chưa được cấp ủy cấp trên cho phép sinh hoạt trực tuyến hoặc "
                        "kết hợp (Hướng dẫn 03-HD/TW). (Online or hybrid meetings need the "
                        "approval of the committee above.)"
                    )
                    % {"unit": unit.name}
                ]
            }
        )


def _check_prepares(unit: Unit, kind: str, starts_at: datetime, prepares: Meeting | None) -> None:
    if prepares is None:
        return
    if kind != MeetingKind.PREPARATORY:
        raise _fail(
            _(
                "Chỉ cuộc họp chi ủy chuẩn bị mới gắn với cuộc họp khác. (Only a preparatory "
                "meeting prepares another.)"
            )
        )
    if prepares.unit_id != unit.pk:
        raise _fail(
            _("Cuộc họp được chuẩn bị phải của cùng tổ chức. (Prepare a meeting of the same unit.)")
        )
    if starts_at >= prepares.starts_at:
        raise ValidationError(
            {
                "day": [
                    _(
                        "Họp chuẩn bị phải trước cuộc họp được chuẩn bị. (The preparatory "
                        "meeting comes before the meeting it prepares.)"
                    )
                ]
            }
        )
    if prepares.state in (MeetingState.CLOSED, MeetingState.CANCELLED, MeetingState.HELD):
        raise _fail(_("Cuộc họp đó đã diễn ra. (That meeting has already been held.)"))


def _check_month_free(unit: Unit, month: date) -> None:
    start, end = (
        timezone.make_aware(datetime.combine(day, time()))
        for day in (month, month + relativedelta(months=1))
    )
    taken = (
        Meeting.objects.filter(unit=unit, kind=MeetingKind.REGULAR)
        .filter(Q(series_month=month) | Q(starts_at__gte=start, starts_at__lt=end))
        .first()
    )
    if taken is not None:
        raise _fail(
            _(
                "Tháng %(month)s đã có cuộc họp thường kỳ (%(day)s). Muốn đổi ngày, hãy dời "
                "cuộc họp đó."
            )
            % {
                "month": f"{month:%m/%Y}",
                "day": format_date(timezone.localtime(taken.starts_at).date()),
            }
        )


def regular_day(unit: Unit, month: date) -> date:
    """The first working day in the unit's fixed window of the month (e.g. the 3rd–5th)."""
    first = rule_for(unit, "regular_window_first_day")
    last = min(rule_for(unit, "regular_window_last_day"), monthrange(month.year, month.month)[1])
    candidate = add_workdays(month.replace(day=first) - timedelta(days=1), 1)
    if candidate.month == month.month and candidate.day <= last:
        return candidate
    return month.replace(day=first)  # no working day in the window: keep its first day


@transaction.atomic
def plan_month(unit: Unit, month: date, *, actor: User | None) -> Meeting | None:
    """The regular meeting of `month` for a unit, unless it already has one (None then)."""
    month = month.replace(day=1)
    if Meeting.objects.filter(unit=unit, kind=MeetingKind.REGULAR, series_month=month).exists():
        return None
    day = regular_day(unit, month)
    starts_at = timezone.make_aware(
        datetime.combine(day, time(rule_for(unit, "regular_start_hour")))
    )
    return plan_meeting(
        unit, actor=actor, kind=MeetingKind.REGULAR, starts_at=starts_at, series_month=month
    )


def meeting_units(root: Unit, on: date) -> list[Unit]:
    """The units below `root` (and itself) that hold their own regular meetings on `on`:
    cells, and base organisations with no cell below them."""
    units = list(
        Unit.objects.filter(
            active_on(on), treepath.within(root.path), kind__in=MEETING_KINDS
        ).order_by("path")
    )
    parents_of_cells = {u.parent_id for u in units if u.kind == UnitKind.CELL}
    return [u for u in units if u.kind != UnitKind.BASE or u.pk not in parents_of_cells]


@transaction.atomic
def generate_month(root: Unit, month: date, *, actor: User | None) -> int:
    """Plan the regular meeting of `month` for every meeting unit below `root`."""
    month = month.replace(day=1)
    return sum(1 for unit in meeting_units(root, month) if plan_month(unit, month, actor=actor))


@transaction.atomic
def move_meeting(
    meeting: Meeting, *, actor: User | None, starts_at: datetime, place: str | None = None
) -> Meeting:
    """Move a meeting that has not been held yet."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state not in (MeetingState.PLANNED, MeetingState.NOTIFIED):
        raise _fail(_("Chỉ dời được cuộc họp chưa diễn ra. (Only planned meetings move.)"))
    before = {"starts_at": meeting.starts_at, "place": meeting.place}
    meeting.starts_at = starts_at
    if place is not None:
        meeting.place = place.strip()
    meeting.save(update_fields=["starts_at", "place"])
    record(
        "meetings.meeting.move",
        actor=actor,
        obj=meeting,
        unit=meeting.unit,
        changes={"before": before, "after": {"starts_at": starts_at, "place": meeting.place}},
    )
    return meeting


@transaction.atomic
def record_attendance(
    meeting: Meeting,
    *,
    actor: User | None,
    marks: Mapping[int, tuple[str, str]],
    source: str = MarkSource.SECRETARY,
) -> int:
    """Set the attendance of members (member id → (mark, reason)) at a meeting.

    Only expected members may be marked, and exempted members who came (present, not
    counted); anyone else is refused. An excused absence needs its reason. Returns how many
    rows were written. Refused once the meeting is closed.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_open(meeting)
    # Of the members marked, who is expected or may come: their rows, not the whole cell's.
    expected = selectors.expected(meeting, only=marks)
    counted = {m.pk for m in expected.members}
    welcome = counted | {m.pk for m in expected.exempted}
    names = {m.pk: m.full_name for m in [*expected.members, *expected.exempted]}
    strangers = set(marks) - welcome
    if strangers:
        raise _fail(
            _("Có người không thuộc danh sách dự họp của chi bộ. (Not expected at this meeting.)")
        )
    existing = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    changed = []
    for member_id, (mark, reason) in marks.items():
        reason = " ".join(reason.split())
        if mark not in Mark.values:
            raise _fail(_("Điểm danh không hợp lệ. (Unknown mark.)"))
        if mark == Mark.EXCUSED and not reason:
            raise _fail(
                _("Vắng có lý do: hãy ghi lý do của %(name)s. (A reason is required.)")
                % {"name": names[member_id]}
            )
        if member_id not in counted and mark not in (Mark.PRESENT, Mark.LATE):
            continue  # an exempted member who did not come is simply not recorded
        row = existing.get(member_id) or Attendance(meeting=meeting, member_id=member_id)
        if row.pk and (row.mark, row.reason) == (mark, reason):
            continue
        row.mark, row.reason, row.source = mark, reason, source
        row.counted = member_id in counted
        row.recorded_by = actor
        changed.append(row)
    new = [r for r in changed if r.pk is None]
    old = [r for r in changed if r.pk is not None]
    Attendance.objects.bulk_create(new)
    Attendance.objects.bulk_update(
        old,
        ["mark", "reason", "source", "counted", "recorded_by", "recorded_at"],
    )
    if changed:
        if meeting.state in (MeetingState.PLANNED, MeetingState.NOTIFIED):
            meeting.state = MeetingState.HELD
            meeting.save(update_fields=["state"])
        record(
            "meetings.attendance.record",
            actor=actor,
            obj=meeting,
            unit=meeting.unit,
            changes={"marks": {str(r.member_id): r.mark for r in changed}, "source": source},
        )
    return len(changed)


@transaction.atomic
def add_guest(meeting: Meeting, *, actor: User | None, name: str, role: str = "") -> Guest:
    """Someone at the meeting who is not expected (the supervising committee member, a guest
    of the cell): listed in the minutes, never counted in the turnout."""
    _check_open(meeting)
    name = " ".join(name.split())
    if not name:
        raise _fail(_("Hãy ghi họ tên khách mời. (A name is required.)"))
    guest = Guest.objects.create(meeting=meeting, name=name, role=" ".join(role.split()))
    record(
        "meetings.guest.add",
        actor=actor,
        obj=meeting,
        unit=meeting.unit,
        changes={"name": guest.name, "role": guest.role},
    )
    return guest


@transaction.atomic
def take_roll(meeting: Meeting, *, actor: User | None, marks: Mapping[int, tuple[str, str]]) -> int:
    """The secretary's roll call: as `record_attendance`, once the meeting's window has opened
    and while it is not closed."""
    refusal = selectors.roll_refusal(meeting)
    if refusal:
        raise _fail(refusal)
    return record_attendance(meeting, actor=actor, marks=marks)


@transaction.atomic
def close_meeting(meeting: Meeting, *, actor: User | None, ends_at: datetime) -> list[str]:
    """Close a held meeting: attendance, minutes and votes are locked from now on.

    Every expected member must have been marked. Returns warnings (e.g. shorter than the
    90 minutes the 2025 guidance asks, or 120 with a thematic part) without refusing.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_open(meeting)
    if ends_at <= meeting.starts_at:
        raise _fail(_("Giờ kết thúc phải sau giờ bắt đầu. (End before start.)"))
    figures = selectors.turnout(meeting)
    if figures.unmarked:
        raise _fail(
            _("Còn %(n)s đảng viên chưa điểm danh. (Take the whole roll before closing.)")
            % {"n": figures.unmarked}
        )
    meeting.ends_at = ends_at
    meeting.state = MeetingState.CLOSED
    meeting.save(update_fields=["ends_at", "state"])
    minutes = (ends_at - meeting.starts_at).total_seconds() / 60
    needed = rule_for(
        meeting.unit,
        "min_minutes_with_thematic" if meeting.kind == MeetingKind.THEMATIC else "min_minutes",
    )
    warnings = []
    if minutes < needed:
        warnings.append(
            _("Cuộc họp kéo dài %(m)s phút, dưới mức %(n)s phút. (Shorter than the guidance.)")
            % {"m": int(minutes), "n": needed}
        )
    record(
        "meetings.meeting.close",
        actor=actor,
        obj=meeting,
        unit=meeting.unit,
        changes={
            "ends_at": ends_at,
            "present": figures.present,
            "expected": figures.expected,
            "warnings": warnings,
        },
    )
    from chibo.compliance.services import meeting_changed  # lazy: compliance reads meetings

    meeting_changed(meeting)
    return warnings
