"""Traffic lights with a text and an icon (never colour alone), and figures written the
Vietnamese way (86,2 %, 8.900)."""

from datetime import date
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from chibo.compliance import selectors
from chibo.compliance.models import Result, Status

register = template.Library()

ICONS = {
    Status.OK: "✓",
    Status.WARNING: "!",
    Status.FAILED: "✕",
    Status.NOT_APPLICABLE: "–",
}


@register.simple_tag
def light(row: Result | None, status: str | None = None) -> SafeString:
    """A cell of the matrix: icon, status in words (hidden for sighted users, who have the
    icon and the colour) and the figure."""
    status = status or (row.status if row is not None else Status.NOT_APPLICABLE)
    label = Status(status).label
    shown = selectors.figure(row) if row is not None else "—"
    return format_html(
        '<span class="light light-{}" title="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}:</span> {}</span>',
        status,
        label,
        ICONS[Status(status)],
        label,
        shown,
    )


@register.filter
def figure(row: Result | None) -> str:
    return selectors.figure(row)


@register.filter
def month_param(month: date) -> str:
    return f"{month:%Y-%m}"


@register.filter
def status_label(status: str) -> str:
    return str(Status(status).label)


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)
