"""Writes on a meeting's records: the minutes, votes and resolutions, and amendments once the
meeting is closed. Each service is atomic and audited; closing the meeting locks them all."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.audit.services import diff, record
from chibo.meetings.models import Mark, Meeting, MeetingState, Resolution, Vote, VoteRule
from chibo.meetings.records import selectors
from chibo.meetings.selectors import meeting_day
from chibo.meetings.services import _check_open
from chibo.members.models import Member
from chibo.units.models import Unit


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _clean_line(text: str) -> str:
    return " ".join((text or "").split())


def _check_held(meeting: Meeting) -> None:
    """Votes and resolutions belong to a meeting that has taken place (its roll is taken)."""
    if meeting.state != MeetingState.HELD:
        raise ValidationError(
            _("Cuộc họp chưa diễn ra: hãy điểm danh trước. (Take the roll first.)")
        )


@transaction.atomic
def record_vote(
    meeting: Meeting,
    *,
    actor: User | None,
    subject: str,
    rule: str,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    resolution: Resolution | None = None,
) -> Vote:
    """Record a show-of-hands vote and whether it passed against its rule's denominator
    (`selectors.vote_base`, RULES.md §1.5); the denominator is stored with the vote.

    Refused: negative counts, more votes than members with a vote who are present.
    """
    meeting = _locked(meeting)
    _check_open(meeting)
    _check_held(meeting)
    subject = _clean_line(subject)
    if not subject:
        raise ValidationError(_("Hãy ghi vấn đề biểu quyết. (A subject is required.)"))
    if rule not in VoteRule.values:
        raise ValidationError(_("Quy tắc biểu quyết không hợp lệ. (Unknown rule.)"))
    counts = (votes_for, votes_against, abstentions)
    if any(n < 0 for n in counts):
        raise ValidationError(_("Số phiếu không được là số âm. (Counts cannot be negative.)"))
    if resolution is not None and resolution.meeting_id != meeting.pk:
        raise ValidationError(
            _("Nghị quyết không thuộc cuộc họp này. (Resolution of another meeting.)")
        )
    base = selectors.vote_base(meeting, rule)
    if sum(counts) > base.voters_present:
        raise ValidationError(
            _(
                "Tổng số phiếu (%(sum)s) nhiều hơn số đảng viên chính thức có mặt được biểu "
                "quyết (%(present)s). (More votes than voting members present.)"
            )
            % {"sum": sum(counts), "present": base.voters_present}
        )
    vote = Vote.objects.create(
        meeting=meeting,
        resolution=resolution,
        subject=subject,
        rule=rule,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        denominator=base.denominator,
        passed=selectors.passes(rule, votes_for, base.denominator),
    )
    record(
        "meetings.vote.record",
        actor=actor,
        obj=vote,
        unit=meeting.unit,
        changes={
            "meeting": meeting.pk,
            "rule": rule,
            "for": votes_for,
            "against": votes_against,
            "abstentions": abstentions,
            "denominator": vote.denominator,
            "passed": vote.passed,
            "resolution": resolution.pk if resolution else None,
        },
    )
    return vote


@transaction.atomic
def adopt_resolution(meeting: Meeting, *, actor: User | None, title: str, body: str) -> Resolution:
    """Adopt a resolution of the meeting with the unit's next number for the meeting's year
    ("Số: 05-NQ/CB"). The unit's row is locked while the number is taken, so two resolutions
    adopted at once cannot get the same number."""
    meeting = _locked(meeting)
    _check_open(meeting)
    _check_held(meeting)
    title = _clean_line(title)
    if not title:
        raise ValidationError(_("Hãy ghi trích yếu nghị quyết. (A title is required.)"))
    Unit.objects.select_for_update().filter(pk=meeting.unit_id).values_list("pk").get()
    year = meeting_day(meeting).year
    last = Resolution.objects.filter(unit_id=meeting.unit_id, year=year).aggregate(
        last=Max("number")
    )["last"]
    resolution = Resolution.objects.create(
        meeting=meeting,
        unit_id=meeting.unit_id,
        year=year,
        number=(last or 0) + 1,
        title=title,
        body=(body or "").strip(),
    )
    record(
        "meetings.resolution.adopt",
        actor=actor,
        obj=resolution,
        unit=meeting.unit,
        object_text=f"{selectors.resolution_code(resolution)} {title}",
        changes={"meeting": meeting.pk, "year": year, "number": resolution.number, "title": title},
    )
    return resolution


def _check_person(meeting: Meeting, person: Member | None, role: str) -> None:
    if person is None:
        return
    allowed = {m.pk for m in selectors.people_of(meeting)}
    if person.pk not in allowed:
        raise ValidationError(
            _("%(role)s phải là người dự cuộc họp. (%(name)s is not at this meeting.)")
            % {"role": role, "name": person.full_name}
        )
    mark = meeting.attendance.filter(member=person).values_list("mark", flat=True).first()
    if mark in (Mark.EXCUSED, Mark.UNEXCUSED):
        raise ValidationError(
            _("%(name)s được ghi vắng mặt, không thể là %(role)s. (Recorded absent.)")
            % {"name": person.full_name, "role": role.lower()}
        )


def _minutes_state(meeting: Meeting) -> dict[str, str]:
    return {
        "minutes": meeting.minutes,
        "conclusions": meeting.conclusions,
        "chair": meeting.chair.full_name if meeting.chair else "",
        "minutes_secretary": (
            meeting.minutes_secretary.full_name if meeting.minutes_secretary else ""
        ),
    }


@transaction.atomic
def write_minutes(
    meeting: Meeting,
    *,
    actor: User | None,
    minutes: str,
    conclusions: str,
    chair: Member | None,
    minutes_secretary: Member | None,
) -> Meeting:
    """Write the minutes' own text (the proceedings, the conclusions) and who chaired and kept
    them; the figures of the minutes come from the attendance. Chair and secretary must be at
    the meeting. Refused once the meeting is closed: then it is an amendment."""
    meeting = _locked(meeting)
    _check_open(meeting)
    _check_person(meeting, chair, _("Người chủ trì"))
    _check_person(meeting, minutes_secretary, _("Thư ký"))
    before = _minutes_state(meeting)
    meeting.minutes = (minutes or "").strip()
    meeting.conclusions = (conclusions or "").strip()
    meeting.chair = chair
    meeting.minutes_secretary = minutes_secretary
    changes = diff(before, _minutes_state(meeting))
    if changes:
        meeting.save(update_fields=["minutes", "conclusions", "chair", "minutes_secretary"])
        record(
            "meetings.minutes.write", actor=actor, obj=meeting, unit=meeting.unit, changes=changes
        )
    return meeting


@transaction.atomic
def amend_meeting(
    meeting: Meeting,
    *,
    actor: User | None,
    reason: str,
    minutes: str | None = None,
    conclusions: str | None = None,
) -> Meeting:
    """Correct the minutes of a closed meeting. The reason is required and kept with the text
    before and after in the audit log; the minutes show that they were amended."""
    meeting = _locked(meeting)
    if meeting.state != MeetingState.CLOSED:
        raise ValidationError(
            _(
                "Chỉ đính chính biên bản đã khóa; cuộc họp chưa khóa thì sửa trực tiếp. "
                "(Only a closed meeting is amended.)"
            )
        )
    reason = _clean_line(reason)
    if not reason:
        raise ValidationError(_("Đính chính phải ghi rõ lý do. (A reason is required.)"))
    proposed = {"minutes": minutes, "conclusions": conclusions}
    before, after = {}, {}
    for name, value in proposed.items():
        if value is None:
            continue
        value = value.strip()
        if value != getattr(meeting, name):
            before[name], after[name] = getattr(meeting, name), value
            setattr(meeting, name, value)
    if not after:
        raise ValidationError(_("Không có nội dung nào thay đổi. (Nothing to amend.)"))
    meeting.save(update_fields=list(after))
    record(
        "meetings.meeting.amend",
        actor=actor,
        obj=meeting,
        unit=meeting.unit,
        changes={"reason": reason, "before": before, "after": after},
    )
    return meeting
