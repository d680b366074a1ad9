"""The roll call's lines, drawn in Python: the page of a 300-member cell draws 300 of them, and
a template included for each line (and another for its mark) cost more than the rest of the
page. The line being edited, with its form, stays a template (`meetings/_roll_row.html`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chibo.meetings.models import Attendance, Mark, MarkSource

register = template.Library()


@register.simple_tag
def roll_mark(attendance: Attendance | None) -> SafeString:
    """A member's mark as the roll shows it: an absence or a late arrival in bold, with its
    reason, and whether the member checked in by themselves."""
    if attendance is None:
        return mark_safe(escape(_("Chưa điểm danh")))  # noqa: S308 (escaped)
    text: str = escape(attendance.get_mark_display())
    if attendance.mark != Mark.PRESENT:
        text = f"<strong>{text}</strong>"
    if attendance.reason:
        text = f"{text}: {escape(attendance.reason)}"
    if attendance.source == MarkSource.SELF:
        text = f"{text} · {escape(_('tự điểm danh'))}"
    return mark_safe(text)  # noqa: S308 (every part escaped)


@register.simple_tag(takes_context=True)
def roll_line(context: Any, row: Any) -> SafeString:
    """A member's line of the roll, closed: with the right to mark, a link that opens it.
    Written with `escape` on each value rather than `format_html`: 300 lines a page."""
    member, attendance = row.member, row.attendance
    pk = int(member.pk)
    marked = attendance is not None and attendance.mark != Mark.PRESENT
    css = f' class="mark-{escape(attendance.mark)}"' if marked else ""
    text = f"{escape(member.full_name)} <small>{roll_mark(attendance)}</small>"
    if context.get("can_mark"):
        url = escape(f"{context['roll_url']}?member={pk}")
        text = f'<a href="{url}#m-{pk}" hx-get="{url}">{text}</a>'
    return mark_safe(f'<li id="m-{pk}"{css}>{text}</li>')  # noqa: S308 (every part escaped)
