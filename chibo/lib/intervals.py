"""Dated intervals [valid_from, valid_to], the shape of everything that changes over time.

`valid_to` is the last day of the interval (inclusive) and empty while it is open.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import CheckConstraint, F, Q

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def active_on(on: date, prefix: str = "") -> Q:
    """Rows whose interval contains the day `on`."""
    return Q(**{f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )


def overlaps(start: date, end: date | None, prefix: str = "") -> Q:
    """Rows whose interval shares at least one day with [start, end]."""
    q = Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": start})
    if end is not None:
        q &= Q(**{f"{prefix}valid_from__lte": end})
    return q


def active_on_sql(alias: str) -> str:
    """`active_on` in SQL: the row of `alias` holds on a day given as two parameters (the day,
    twice), for statements written by hand."""
    return f"{alias}.valid_from <= %s AND ({alias}.valid_to IS NULL OR {alias}.valid_to >= %s)"


def overlaps_sql(alias: str) -> str:
    """`overlaps` in SQL for a closed period: the row of `alias` shares a day with [start,
    end], given as two parameters in that order."""
    return f"({alias}.valid_to IS NULL OR {alias}.valid_to >= %s) AND {alias}.valid_from <= %s"


def dates_in_order(name: str, message: StrOrPromise) -> CheckConstraint:
    """The database constraint every interval table carries: it does not end before it starts."""
    return CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
        name=name,
        violation_error_message=message,
    )
