"""Dates as the users write them (dd/mm/yyyy) and the day it is in Vietnam."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

INPUT_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def today() -> date:
    """Today in the project's time zone (Asia/Ho_Chi_Minh), not the server's."""
    return timezone.localdate()


def parse_date(text: str | None, *, default: date | None = None) -> date | None:
    """Read 31/12/2021 or 2021-12-31; an empty value gives `default`; anything else is an error."""
    if text is None or not text.strip():
        return default
    for fmt in INPUT_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValidationError(
        _("Ngày “%(value)s” không hợp lệ: hãy viết dạng dd/mm/yyyy (Invalid date)."),
        code="invalid_date",
        params={"value": text},
    )


def format_date(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""
