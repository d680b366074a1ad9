"""Reads on members, as of a date. Permission comes from accounts.access."""

from datetime import date

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from chibo.lib.intervals import active_on
from chibo.members.models import ON_ROLL, Membership, MembershipKind, MemberStatus


def on_roll(on: date) -> Q:
    """Memberships that count on `on`: the home unit of a member whose status is on the roll.

    Temporarily attached members count in their home unit, not in the host (RULES.md §2.4);
    removed, expelled, deceased and transferred-out members do not count.
    """
    return (
        active_on(on)
        & Q(kind=MembershipKind.OFFICIAL)
        & active_on(on, "member__statuses__")
        & Q(member__statuses__status__in=ON_ROLL)
    )


def member_counts(unit_ids: QuerySet, on: date) -> dict[int, int]:
    """Members on the roll of each unit on `on`, for the units `unit_ids` selects (one query)."""
    rows = (
        Membership.objects.filter(on_roll(on), unit_id__in=unit_ids)
        .values("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["unit_id"]: row["n"] for row in rows}


def status_at(on: date, member_field: str = "member_id") -> Subquery:
    """The status code of the member in `member_field` on `on`, for annotations."""
    return Subquery(
        MemberStatus.objects.filter(active_on(on), member_id=OuterRef(member_field)).values(
            "status"
        )[:1]
    )


def members_on(unit_id: int, on: date) -> QuerySet[Membership]:
    """The roll of one unit on `on`, with each member's status that day (`status`)."""
    return (
        Membership.objects.filter(on_roll(on), unit_id=unit_id)
        .select_related("member")
        .annotate(status=status_at(on))
    )
