"""Dates as the users read them (dd/mm/yyyy) and the day it is in Vietnam."""

import calendar
from datetime import date

from django.utils import timezone


def today() -> date:
    """Today in the project's time zone (Asia/Ho_Chi_Minh), not the server's."""
    return timezone.localdate()


def format_date(day: date | None) -> str:
    """31/08/2021, the way dates are written in messages and documents."""
    return day.strftime("%d/%m/%Y") if day else ""


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, the day of the month kept where the month has it, else
    its last day (31/01 + 1 month = 28/02 or 29/02): `day + relativedelta(months=months)`,
    which costs ten times as much, for checks made once a row of a file (an age, a probation).
    Years are twelve months."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
