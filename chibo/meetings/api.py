"""Meetings in the JSON API: a unit's meetings, planning one or a month's series, moving one,
the roll in bulk, votes and resolutions, closing, the dues of a month, and the PDF records.

Every call goes through the same access checks and services as the pages: reading needs the
meeting's unit in the caller's scope (and, for anything that names members, a role that opens
their records); writing needs a write role on it; anything else is a 404. Times without an
offset are read as Vietnam time (Asia/Ho_Chi_Minh); times are returned with their offset.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import field_serializer, field_validator

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.accounts.models import User
from chibo.api.errors import ERRORS
from chibo.meetings import selectors, services
from chibo.meetings.dues import selectors as dues_selectors
from chibo.meetings.dues import services as dues_services
from chibo.meetings.models import (
    Mark,
    Meeting,
    MeetingKind,
    MeetingMode,
    MeetingState,
    Resolution,
    Vote,
    VoteRule,
)
from chibo.meetings.records import pdf
from chibo.meetings.records import selectors as records
from chibo.meetings.records import services as record_services

router = Router()

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
MONTH_HELP = "The month as YYYY-MM."
LOCAL_TIME = " Without an offset it is read as Vietnam time."
PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The PDF document.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _aware(moment: datetime) -> datetime:
    """A time from the request; one without an offset is Vietnam time, as on the pages."""
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _midnight(day: date) -> datetime:
    """The start of a day in Vietnam."""
    return timezone.make_aware(datetime.combine(day, time()))


def _month(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def _unique_members(rows: list[Any]) -> list[Any]:
    ids = [row.member_id for row in rows]
    if len(ids) != len(set(ids)):
        raise ValueError("a member_id is listed more than once")
    return rows


# Shapes -----------------------------------------------------------------------------------


class _Meeting(Schema):
    id: int = Field(description="Meeting id.")
    unit_id: int = Field(description="The unit holding the meeting.")
    kind: MeetingKind = Field(description="Kind of meeting.")
    mode: MeetingMode = Field(description="In person, online or hybrid.")
    state: MeetingState = Field(
        description="planned, notified, held (the roll is being taken), closed (locked) or "
        "cancelled."
    )
    title: str = Field(description="Topic; required for a thematic meeting.")
    starts_at: datetime = Field(description="Start, with its offset (Vietnam time).")
    ends_at: datetime | None = Field(description="End, recorded when the meeting is closed.")
    place: str = Field(description="Where it is held.")
    expected: int = Field(
        description="Members the meeting expects on its day (RULES.md §1.5): official and "
        "probationary members of the unit and those attached to it, not exempted members."
    )
    present: int = Field(description="Expected members marked present or late.")
    rate: float | None = Field(
        description="Present as a percentage of expected, once the meeting is held."
    )

    @field_serializer("starts_at", "ends_at")
    def _local(self, moment: datetime | None) -> datetime | None:
        return timezone.localtime(moment) if moment else None


class MeetingRow(_Meeting):
    """One line of a unit's meetings; read from a meeting annotated by `with_turnout`."""

    @staticmethod
    def resolve_expected(obj: Meeting) -> int:
        return obj.expected_n  # type: ignore[attr-defined]

    @staticmethod
    def resolve_present(obj: Meeting) -> int:
        return obj.present_n  # type: ignore[attr-defined]

    @staticmethod
    def resolve_rate(obj: Meeting) -> float | None:
        return selectors.rate_of(obj)


class AgendaItemOut(Schema):
    position: int = Field(description="Order in the agenda, from 1.")
    part: str = Field(description="opening, content or closing.")
    title: str = Field(description="What the item is about.")
    assignee_name: str | None = Field(description="The member in charge of it, if any.")
    assignee_id: int | None = Field(
        description="That member's id, for callers who may open members' records."
    )


class MeetingOut(_Meeting):
    series_month: date | None = Field(
        description="First day of the month, for a regular meeting of the monthly series."
    )
    cascade_from_id: int | None = Field(
        description="The higher unit's meeting whose topic this one carries out."
    )
    prepares_id: int | None = Field(
        description="For a preparatory meeting of the cell committee: the meeting it prepares."
    )
    excused: int = Field(description="Expected members absent with a reason.")
    unexcused: int = Field(description="Expected members absent without a reason.")
    unmarked: int = Field(description="Expected members not marked yet.")
    exempted: int = Field(
        description="Exempted members: they may come (recorded present, not counted)."
    )
    agenda: list[AgendaItemOut] = Field(description="The agenda, in order.")


class RollLine(Schema):
    member_id: int = Field(description="Member id.")
    full_name: str = Field(description="Full name.")
    counted: bool = Field(
        description="True for an expected member; false for an exempted member, who may "
        "come but does not count in the rate."
    )
    mark: Mark | None = Field(description="present, late, excused or unexcused; null if unmarked.")
    reason: str = Field(description="Reason of an absence.")
    source: str | None = Field(description="secretary or self (QR check-in); null if unmarked.")
    recorded_at: datetime | None = Field(description="When the mark was last written.")


class RollOut(Schema):
    meeting_id: int = Field(description="Meeting id.")
    state: MeetingState = Field(description="State of the meeting.")
    expected: int = Field(description="Members the meeting expects (RULES.md §1.5).")
    present: int = Field(description="Expected members present or late.")
    excused: int = Field(description="Expected members absent with a reason.")
    unexcused: int = Field(description="Expected members absent without a reason.")
    unmarked: int = Field(description="Expected members not marked yet.")
    rate: float | None = Field(description="Present as a percentage of expected, once held.")
    members: list[RollLine] = Field(
        description="Expected members, then exempted members, each in Vietnamese name order."
    )


class RollWritten(RollOut):
    changed: int = Field(description="How many marks this request wrote or changed.")


class Period(Schema):
    from_: date | None = Field(
        None, alias="from", description="Only meetings starting on or after this day."
    )
    to: date | None = Field(None, description="Only meetings starting on or before this day.")


class PlanIn(Schema):
    kind: MeetingKind = Field(description="Kind of meeting.")
    starts_at: datetime = Field(description="Start." + LOCAL_TIME)
    place: str = Field("", max_length=200, description="Where it is held.")
    title: str = Field("", max_length=300, description="Topic; required for a thematic meeting.")
    mode: MeetingMode = Field(
        MeetingMode.IN_PERSON,
        description="in_person by default; online or hybrid only where the committee above "
        "approved the unit for it (rule meetings.online_approved, 03-HD/TW).",
    )
    prepares_id: int | None = Field(
        None,
        description="For a preparatory meeting (kind preparatory): the meeting of the same "
        "unit it prepares, still to come.",
    )


class SeriesIn(Schema):
    month: str = Field(pattern=MONTH, description=MONTH_HELP)


class SeriesOut(Schema):
    unit_id: int = Field(description="The unit the series was generated from.")
    month: date = Field(description="First day of the month.")
    planned: int = Field(
        description="Regular meetings planned; units that had one already are left alone."
    )


class MoveIn(Schema):
    starts_at: datetime = Field(description="New start." + LOCAL_TIME)
    place: str | None = Field(None, max_length=200, description="New place; omitted keeps it.")


class MarkIn(Schema):
    member_id: int = Field(description="An expected member, or an exempted member who came.")
    mark: Mark = Field(description="present, late, excused or unexcused.")
    reason: str = Field("", max_length=200, description="Required for an excused absence.")


class AttendanceIn(Schema):
    marks: list[MarkIn] = Field(
        description="Marks to set; members left out keep what they have. Nothing is written "
        "if one of them is refused."
    )

    _unique = field_validator("marks")(_unique_members)


class VoteIn(Schema):
    subject: str = Field(max_length=300, description="What was voted on.")
    rule: VoteRule = Field(
        VoteRule.MAJORITY,
        description="majority, or two_thirds_official for admission, recognition and removal.",
    )
    votes_for: int = Field(ge=0, description="Votes for.")
    votes_against: int = Field(0, ge=0, description="Votes against.")
    abstentions: int = Field(0, ge=0, description="Members present who did not vote.")
    resolution_id: int | None = Field(None, description="A resolution of this meeting voted on.")


class VoteOut(Schema):
    id: int = Field(description="Vote id.")
    subject: str = Field(description="What was voted on.")
    rule: VoteRule = Field(description="The rule the vote is measured by.")
    votes_for: int = Field(description="Votes for.")
    votes_against: int = Field(description="Votes against.")
    abstentions: int = Field(description="Members present who did not vote.")
    denominator: int = Field(description="The members the rule counts (RULES.md §1.5).")
    passed: bool = Field(description="Whether the vote passed against that denominator.")
    resolution_id: int | None = Field(description="The resolution voted on, if any.")


class ResolutionIn(Schema):
    title: str = Field(max_length=300, description="Title (trích yếu).")
    body: str = Field("", description="Text of the resolution.")


class ResolutionOut(Schema):
    id: int = Field(description="Resolution id.")
    code: str = Field(description='Number as printed after "Số:", e.g. "05-NQ/CB".')
    number: int = Field(description="Number within the unit and year.")
    year: int = Field(description="Year of the meeting.")
    title: str = Field(description="Title (trích yếu).")

    @staticmethod
    def resolve_code(obj: Resolution) -> str:
        return records.resolution_code(obj)


class CloseIn(Schema):
    ends_at: datetime = Field(description="When the meeting ended." + LOCAL_TIME)


class ClosedOut(Schema):
    id: int = Field(description="Meeting id.")
    state: MeetingState = Field(description="closed.")
    ends_at: datetime = Field(description="End, with its offset (Vietnam time).")
    warnings: list[str] = Field(
        description="What the guidance asks that the meeting did not meet (e.g. shorter than "
        "90 minutes); the meeting is closed all the same."
    )

    @field_serializer("ends_at")
    def _local(self, moment: datetime) -> datetime:
        return timezone.localtime(moment)


class PaymentIn(Schema):
    member_id: int = Field(description="A member on the unit's roll on the month's first day.")
    amount: int | None = Field(
        None, description="Amount in đồng; omitted: the member's configured monthly rate."
    )
    paid: bool = Field(True, description="Whether the member paid.")


class DuesIn(Schema):
    payments: list[PaymentIn] = Field(
        description="Payments to record; recording a month again updates it. Nothing is "
        "written if one of them is refused."
    )
    meeting_id: int | None = Field(
        None, description="The unit's meeting the dues were collected at."
    )

    _unique = field_validator("payments")(_unique_members)


class DuesOut(Schema):
    unit_id: int = Field(description="Unit id.")
    month: date = Field(description="First day of the month.")
    changed: int = Field(description="How many payments this request wrote or changed.")


# Helpers ----------------------------------------------------------------------------------


def _rate(meeting: Meeting, figures: selectors.Turnout) -> float | None:
    return figures.rate if meeting.state in selectors.HELD else None


def _roll(meeting: Meeting) -> dict[str, Any]:
    """The roll as `RollOut` shows it: expected members, then exempted ones, with marks."""
    expected = selectors.expected(meeting)
    marks = records.marks_of(meeting)
    figures = selectors.turnout(meeting, expected_count=len(expected.members))
    lines = []
    for counted, group in ((True, expected.members), (False, expected.exempted)):
        for member in group:
            row = marks.get(member.pk)
            lines.append(
                RollLine(
                    member_id=member.pk,
                    full_name=member.full_name,
                    counted=counted,
                    mark=Mark(row.mark) if row else None,
                    reason=row.reason if row else "",
                    source=row.source if row else None,
                    recorded_at=timezone.localtime(row.recorded_at) if row else None,
                )
            )
    return {
        "meeting_id": meeting.pk,
        "state": meeting.state,
        "expected": figures.expected,
        "present": figures.present,
        "excused": figures.excused,
        "unexcused": figures.unexcused,
        "unmarked": figures.unmarked,
        "rate": _rate(meeting, figures),
        "members": lines,
    }


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# A unit's meetings ------------------------------------------------------------------------


@router.get(
    "/units/{unit_id}", response={200: list[MeetingRow], **ERRORS}, summary="A unit's meetings"
)
@paginate(PageNumberPagination, page_size=100)
def list_meetings(request: HttpRequest, unit_id: int, params: Query[Period]) -> list[Meeting]:
    """The unit's own meetings in time order, `from` and `to` included, 100 a page, each with
    its turnout (the same figures as the unit's meetings page, in one query)."""
    unit = access.access_unit(user_of(request), unit_id)
    meetings = selectors.meetings_of(unit.pk)
    if params.from_:
        meetings = meetings.filter(starts_at__gte=_midnight(params.from_))
    if params.to:
        meetings = meetings.filter(starts_at__lt=_midnight(params.to + timedelta(days=1)))
    return selectors.with_turnout(meetings).order_by("starts_at", "pk")  # type: ignore[return-value]


@router.post("/units/{unit_id}", response={201: MeetingOut, **ERRORS}, summary="Plan a meeting")
def plan_meeting(request: HttpRequest, unit_id: int, data: PlanIn) -> Status[MeetingOut]:
    """Put a meeting on the unit's calendar, as the planning page does: a regular or thematic
    meeting gets the standard agenda, and a regular meeting takes its month's place in the
    series (a second regular meeting in a month is refused: move the first one instead)."""
    user = user_of(request)
    unit = access.access_unit(user, unit_id, write=True)
    prepares = None
    if data.prepares_id is not None:
        prepares = access.access_meeting(user, data.prepares_id, write=True)
    meeting = services.plan_meeting(
        unit,
        actor=user,
        kind=data.kind,
        starts_at=_aware(data.starts_at),
        place=data.place,
        title=data.title,
        mode=data.mode,
        prepares=prepares,
    )
    return Status(201, _meeting_out(user, meeting))


@router.post("/units/{unit_id}/series", response={200: SeriesOut, **ERRORS}, summary="Plan a month")
def generate_series(request: HttpRequest, unit_id: int, data: SeriesIn) -> SeriesOut:
    """Plan the regular meeting of the month for the unit and every unit below it that holds
    its own meetings, on the unit's fixed day; units that have one already are left alone."""
    user = user_of(request)
    unit = access.access_unit(user, unit_id, write=True)
    month = _month(data.month)
    planned = services.generate_month(unit, month, actor=user)
    return SeriesOut(unit_id=unit.pk, month=month, planned=planned)


# One meeting ------------------------------------------------------------------------------


def _meeting_out(user: User, meeting: Meeting) -> MeetingOut:
    expected = selectors.expected(meeting)
    figures = selectors.turnout(meeting, expected_count=len(expected.members))
    named = access.sees_members_of(user, meeting.unit)
    agenda = [
        AgendaItemOut(
            position=item.position,
            part=item.part,
            title=item.title,
            assignee_name=item.assignee.full_name if item.assignee else None,
            assignee_id=item.assignee_id if named else None,
        )
        for item in meeting.agenda.select_related("assignee").order_by("position")
    ]
    return MeetingOut(
        id=meeting.pk,
        unit_id=meeting.unit_id,
        kind=meeting.kind,  # type: ignore[arg-type]
        mode=meeting.mode,  # type: ignore[arg-type]
        state=meeting.state,  # type: ignore[arg-type]
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        place=meeting.place,
        series_month=meeting.series_month,
        cascade_from_id=meeting.cascade_from_id,
        prepares_id=meeting.prepares_id,
        expected=figures.expected,
        present=figures.present,
        excused=figures.excused,
        unexcused=figures.unexcused,
        unmarked=figures.unmarked,
        exempted=len(expected.exempted),
        rate=_rate(meeting, figures),
        agenda=agenda,
    )


@router.get("/{meeting_id}", response={200: MeetingOut, **ERRORS}, summary="One meeting")
def get_meeting(request: HttpRequest, meeting_id: int) -> MeetingOut:
    """A meeting with its agenda and attendance figures, as its page shows them."""
    user = user_of(request)
    return _meeting_out(user, access.access_meeting(user, meeting_id))


@router.patch("/{meeting_id}", response={200: MeetingOut, **ERRORS}, summary="Move a meeting")
def move_meeting(request: HttpRequest, meeting_id: int, data: MoveIn) -> MeetingOut:
    """Move a meeting that has not been held yet to a new time (and place)."""
    user = user_of(request)
    meeting = access.access_meeting(user, meeting_id, write=True)
    moved = services.move_meeting(
        meeting, actor=user, starts_at=_aware(data.starts_at), place=data.place
    )
    moved.unit = meeting.unit
    return _meeting_out(user, moved)


# The roll ---------------------------------------------------------------------------------


@router.get(
    "/{meeting_id}/attendance", response={200: RollOut, **ERRORS}, summary="A meeting's roll"
)
def get_attendance(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    """The members the meeting expects, and the exempted members, with their marks; for the
    roles that open the unit's member records (not the member role)."""
    user = user_of(request)
    meeting = access.access_meeting(user, meeting_id)
    if not access.sees_members_of(user, meeting.unit):
        raise Http404
    return _roll(meeting)


@router.put(
    "/{meeting_id}/attendance", response={200: RollWritten, **ERRORS}, summary="Take the roll"
)
def record_attendance(request: HttpRequest, meeting_id: int, data: AttendanceIn) -> dict[str, Any]:
    """Set many members' marks at once, as the roll-call page does: open from the check-in
    window's opening until the meeting is closed; only expected members (and exempted members
    who came) may be marked; an excused absence needs its reason."""
    user = user_of(request)
    meeting = access.access_meeting(user, meeting_id, write=True)
    marks = {row.member_id: (str(row.mark), row.reason) for row in data.marks}
    changed = services.take_roll(meeting, actor=user, marks=marks)
    meeting.refresh_from_db(fields=["state"])
    return {**_roll(meeting), "changed": changed}


# Votes, resolutions, closing --------------------------------------------------------------


@router.post("/{meeting_id}/votes", response={201: VoteOut, **ERRORS}, summary="Record a vote")
def record_vote(request: HttpRequest, meeting_id: int, data: VoteIn) -> Status[Vote]:
    """Record a show-of-hands vote at a held meeting; whether it passed is computed against
    its rule's denominator (RULES.md §1.5) and stored with it."""
    user = user_of(request)
    meeting = records.access_meeting(user, meeting_id, write=True)
    resolution = None
    if data.resolution_id is not None:
        resolution = meeting.resolutions.filter(pk=data.resolution_id).first()
        if resolution is None:
            raise ValidationError(
                _("Nghị quyết không thuộc cuộc họp này. (Resolution of another meeting.)")
            )
    vote = record_services.record_vote(
        meeting,
        actor=user,
        subject=data.subject,
        rule=data.rule,
        votes_for=data.votes_for,
        votes_against=data.votes_against,
        abstentions=data.abstentions,
        resolution=resolution,
    )
    return Status(201, vote)


@router.post(
    "/{meeting_id}/resolutions",
    response={201: ResolutionOut, **ERRORS},
    summary="Adopt a resolution",
)
def adopt_resolution(
    request: HttpRequest, meeting_id: int, data: ResolutionIn
) -> Status[Resolution]:
    """Adopt a resolution of a held meeting, numbered per unit and year ("05-NQ/CB")."""
    user = user_of(request)
    meeting = records.access_meeting(user, meeting_id, write=True)
    resolution = record_services.adopt_resolution(
        meeting, actor=user, title=data.title, body=data.body
    )
    return Status(201, resolution)


@router.post("/{meeting_id}/close", response={200: ClosedOut, **ERRORS}, summary="Close a meeting")
def close_meeting(request: HttpRequest, meeting_id: int, data: CloseIn) -> ClosedOut:
    """Close a held meeting whose whole roll is taken: the roll, minutes and votes are locked
    from then on (a later correction is an amendment). Warnings do not prevent closing."""
    user = user_of(request)
    meeting = access.access_meeting(user, meeting_id, write=True)
    ends_at = _aware(data.ends_at)
    warnings = services.close_meeting(meeting, actor=user, ends_at=ends_at)
    return ClosedOut(id=meeting.pk, state=MeetingState.CLOSED, ends_at=ends_at, warnings=warnings)


# Dues -------------------------------------------------------------------------------------


@router.put(
    "/units/{unit_id}/dues/{month}",
    response={200: DuesOut, **ERRORS},
    summary="Record a month's dues",
)
def collect_dues(
    request: HttpRequest,
    unit_id: int,
    data: DuesIn,
    month: str = Path(..., pattern=MONTH, description=MONTH_HELP),
) -> DuesOut:
    """Record the month's party dues of members on the unit's roll (Quyết định 342-QĐ/TW), as
    the dues page does; amounts are checked against each member's category."""
    user = user_of(request)
    unit = access.access_unit(user, unit_id, write=True)
    meeting = None
    if data.meeting_id is not None:
        meeting = dues_selectors.meeting_of(unit, data.meeting_id)
        if meeting is None:
            raise Http404
    first = _month(month)
    payments = {row.member_id: (row.amount, row.paid) for row in data.payments}
    changed = dues_services.collect_dues(
        unit, actor=user, month=first, payments=payments, meeting=meeting
    )
    return DuesOut(unit_id=unit.pk, month=first, changed=changed)


# PDF records ------------------------------------------------------------------------------


@router.get(
    "/{meeting_id}/minutes.pdf",
    response=ERRORS,
    summary="The minutes (PDF)",
    openapi_extra=PDF_RESPONSE,
)
def minutes_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The minutes (biên bản) in the layout of Party documents, filled from the roll."""
    meeting = records.access_meeting(user_of(request), meeting_id)
    return _pdf(pdf.minutes_pdf(records.minutes_data(meeting)), f"bien-ban-{meeting.pk}.pdf")


@router.get(
    "/{meeting_id}/attendance.pdf",
    response=ERRORS,
    summary="The attendance list (PDF)",
    openapi_extra=PDF_RESPONSE,
)
def attendance_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The list of members the meeting expects, with a column for each signature."""
    meeting = records.access_meeting(user_of(request), meeting_id)
    content = pdf.attendance_pdf(records.minutes_data(meeting))
    return _pdf(content, f"danh-sach-du-hop-{meeting.pk}.pdf")
