"""Self check-in by QR code: the link a meeting shows, the window it is valid in, and who may
use it (the meeting's expected members and the cell's exempted members, RULES.md §1.5)."""

import secrets
from dataclasses import dataclass
from datetime import datetime

import segno
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.meetings import selectors, services
from chibo.meetings.models import Attendance, Mark, MarkSource, Meeting, MeetingState
from chibo.members.models import Member

Window = selectors.Window
window = selectors.window


when = selectors.moment


def path(meeting: Meeting) -> str:
    return reverse("meetings:checkin", args=[meeting.pk, meeting.checkin_code])


def code_matches(meeting: Meeting, code: str) -> bool:
    return secrets.compare_digest(meeting.checkin_code.encode(), code.encode())


def qr_svg(url: str, title: str) -> SafeString:
    """The QR code of `url` as an inline SVG that scales with its box (a few kilobytes)."""
    code = segno.make(url, error="m")
    # segno escapes the title and writes only its own markup: safe to inline.
    return mark_safe(  # noqa: S308
        code.svg_inline(scale=1, border=4, light="#fff", omitsize=True, svgclass="qr", title=title)
    )


@dataclass(frozen=True)
class Verdict:
    """What happens if this user checks in now: `allowed`, already `done`, or refused."""

    allowed: bool
    done: bool
    message: str
    member: Member | None = None


def assess(meeting: Meeting, user: User, now: datetime | None = None) -> Verdict:
    """Whether `user` may check in to `meeting` at `now` (default: now). Reads only."""
    now = now or timezone.now()
    if meeting.state in (MeetingState.CLOSED, MeetingState.CANCELLED):
        return _no(
            _("Cuộc họp đã hủy.")
            if meeting.state == MeetingState.CANCELLED
            else _("Cuộc họp đã kết thúc và khóa biên bản. Nếu bạn có dự, hãy báo thư ký chi bộ.")
        )
    member = Member.objects.filter(user=user).first()
    if member is None:
        return _no(
            _(
                "Tài khoản của bạn chưa gắn với hồ sơ đảng viên nào, nên chưa tự điểm danh "
                "được. Hãy báo thư ký chi bộ điểm danh giúp."
            )
        )
    if not selectors.is_expected(meeting, member, or_exempted=True):
        return _no(
            _(
                "Bạn không có tên trong danh sách dự cuộc họp này của %(unit)s. Nếu có nhầm "
                "lẫn, hãy báo thư ký chi bộ."
            )
            % {"unit": meeting.unit.name},
            member,
        )
    row = Attendance.objects.filter(meeting=meeting, member=member).first()
    if row is not None and row.mark in (Mark.PRESENT, Mark.LATE):
        return Verdict(
            False,
            True,
            _("Bạn đã được ghi có mặt (%(when)s).") % {"when": when(row.recorded_at)},
            member,
        )
    span = window(meeting)
    if now < span.opens:
        return _no(
            _("Chưa đến giờ tự điểm danh: mở từ %(when)s.") % {"when": when(span.opens)}, member
        )
    if now > span.closes:
        return _no(
            _("Đã hết giờ tự điểm danh (đến %(when)s). Nếu bạn có dự, hãy báo thư ký chi bộ.")
            % {"when": when(span.closes)},
            member,
        )
    return Verdict(True, False, "", member)


def _no(message: str, member: Member | None = None) -> Verdict:
    return Verdict(False, False, message, member)


def check_in(meeting: Meeting, *, user: User, now: datetime | None = None) -> Verdict:
    """Record `user`'s own member present (source: self) if `assess` allows it. A mark of
    absence the secretary wrote earlier gives way: the member is here."""
    verdict = assess(meeting, user, now)
    if not verdict.allowed or verdict.member is None:
        return verdict
    services.record_attendance(
        meeting,
        actor=user,
        marks={verdict.member.pk: (Mark.PRESENT, "")},
        source=MarkSource.SELF,
    )
    return Verdict(False, True, _("Đã ghi bạn có mặt. Cảm ơn!"), verdict.member)
