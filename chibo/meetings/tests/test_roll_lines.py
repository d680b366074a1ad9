"""The roll call's lines (`meetings.templatetags.roll`): what a member's line says and links to,
with the text a secretary typed escaped."""

from types import SimpleNamespace

from chibo.meetings.models import Attendance, Mark, MarkSource
from chibo.meetings.templatetags.roll import roll_line, roll_mark


def line(
    mark: str | None, reason: str = "", source: str = MarkSource.SECRETARY, **context: object
) -> str:
    attendance = None if mark is None else Attendance(mark=mark, reason=reason, source=source)
    member = SimpleNamespace(pk=1234, full_name="Phạm Thị <Hường>")
    return roll_line(context, SimpleNamespace(member=member, attendance=attendance))


def test_a_line_opens_the_members_mark_for_those_who_may_mark() -> None:
    url = "/meetings/7/roll-call/"
    assert line(None, can_mark=True, roll_url=url) == (
        '<li id="m-1234"><a href="/meetings/7/roll-call/?member=1234#m-1234" '
        'hx-get="/meetings/7/roll-call/?member=1234">Phạm Thị &lt;Hường&gt; '
        "<small>Chưa điểm danh</small></a></li>"
    )
    assert line(Mark.PRESENT, can_mark=False) == (
        '<li id="m-1234">Phạm Thị &lt;Hường&gt; <small>Có mặt</small></li>'
    )


def test_an_absence_is_in_bold_with_its_reason_escaped() -> None:
    html = line(Mark.EXCUSED, reason="Ốm <b>nặng</b>", can_mark=False)
    assert html.startswith('<li id="m-1234" class="mark-excused">')
    assert "<strong>Vắng có lý do</strong>: Ốm &lt;b&gt;nặng&lt;/b&gt;" in html


def test_a_self_check_in_says_so() -> None:
    attendance = Attendance(mark=Mark.LATE, source=MarkSource.SELF)
    assert roll_mark(attendance) == "<strong>Đi muộn</strong> · tự điểm danh"
