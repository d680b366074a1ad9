"""Reads on members."""

from datetime import date

from django.db.models import Count, QuerySet

from chibo.lib.intervals import active_on
from chibo.members.models import Membership


def member_counts(unit_ids: QuerySet, on: date) -> dict[int, int]:
    """Members on the roll of each unit on `on`, for the units `unit_ids` selects (one query)."""
    rows = (
        Membership.objects.filter(active_on(on), unit_id__in=unit_ids)
        .values("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["unit_id"]: row["n"] for row in rows}


def members_on(unit_id: int, on: date) -> QuerySet[Membership]:
    return Membership.objects.filter(active_on(on), unit_id=unit_id)
