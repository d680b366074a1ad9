"""Dates as the users read them (dd/mm/yyyy) and the day it is in Vietnam."""

from datetime import date

from django.utils import timezone


def today() -> date:
    """Today in the project's time zone (Asia/Ho_Chi_Minh), not the server's."""
    return timezone.localdate()


def format_date(day: date | None) -> str:
    """31/08/2021, the way dates are written in messages and documents."""
    return day.strftime("%d/%m/%Y") if day else ""
