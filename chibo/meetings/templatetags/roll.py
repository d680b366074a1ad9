"""The roll call's lines, drawn in Python: the page of a 300-member cell draws 300 of them, and
a template included for each line (and another for its mark) cost more than the rest of the
page. The line being edited, with its form, stays a template (`meetings/_roll_row.html`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from chibo.meetings.models import Attendance, Mark, MarkSource

register = template.Library()


@register.simple_tag
def roll_mark(attendance: Attendance | None) -> SafeString:
    """A member's mark as the roll shows it: an absence or a late arrival in bold, with its
    reason, and whether the member checked in by themselves."""
    if attendance is None:
        return format_html("{}", _("Chưa điểm danh"))
    label = attendance.get_mark_display()
    if attendance.mark == Mark.PRESENT:
        text = format_html("{}", label)
    else:
        text = format_html("<strong>{}</strong>", label)
    if attendance.reason:
        text = format_html("{}: {}", text, attendance.reason)
    if attendance.source == MarkSource.SELF:
        text = format_html("{} · {}", text, _("tự điểm danh"))
    return text


@register.simple_tag(takes_context=True)
def roll_line(context: Any, row: Any) -> SafeString:
    """A member's line of the roll, closed: with the right to mark, a link that opens it."""
    member, attendance = row.member, row.attendance
    pk = str(member.pk)
    marked = attendance is not None and attendance.mark != Mark.PRESENT
    css = format_html(' class="mark-{}"', attendance.mark) if marked else ""
    mark = roll_mark(attendance)
    if context.get("can_mark"):
        url = f"{context['roll_url']}?member={pk}"
        return format_html(
            '<li id="m-{}"{}><a href="{}#m-{}" hx-get="{}">{} <small>{}</small></a></li>',
            pk,
            css,
            url,
            pk,
            url,
            member.full_name,
            mark,
        )
    return format_html('<li id="m-{}"{}>{} <small>{}</small></li>', pk, css, member.full_name, mark)
