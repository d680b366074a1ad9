"""Reads on members, as of a date. Permission comes from accounts.access."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from chibo.lib.bulk import among
from chibo.lib.intervals import active_on, active_on_sql
from chibo.lib.vntext import search_key
from chibo.members.models import ON_ROLL, Member, Membership, MembershipKind, MemberStatus
from chibo.units import treepath
from chibo.units.models import SubtreeCount, UnitVersion


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


def on_roll_sql(on: date) -> tuple[str, list[Any]]:
    """`on_roll` in SQL, for a membership `ms` joined to its member's statuses `st`: the
    official membership of a member on the roll that day (the condition and its parameters)."""
    day = connection.ops.adapt_datefield_value(on)
    statuses = sorted(str(status) for status in ON_ROLL)
    sql = (
        f"ms.kind = %s AND {active_on_sql('ms')} AND {active_on_sql('st')} "
        f"AND st.status IN ({', '.join(['%s'] * len(statuses))})"
    )
    return sql, [MembershipKind.OFFICIAL.value, day, day, day, day, *statuses]


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


@dataclass(frozen=True)
class RollFilter:
    """What a member list is narrowed to; empty fields do not narrow it."""

    status: str = ""
    sex: str = ""
    age_from: int | None = None
    age_to: int | None = None
    party_age_from: int | None = None
    party_age_to: int | None = None
    text: str = ""


def roll(unit_path: str, on: date, only: RollFilter = RollFilter()) -> QuerySet[Membership]:
    """Members on the roll of the unit with `unit_path` and every unit below it on `on`, as it
    stood that day, in Vietnamese name order, each with `status` that day. One query; a search
    adds one for the subtree's stored roll and, unless that roll is small, one to find the names
    first.

    Ages count whole years on `on`; party age counts from the admission decision (Điều lệ
    Art. 5(4), RULES.md §2.1).
    """
    subtree = UnitVersion.objects.filter(active_on(on), treepath.within(unit_path)).values(
        "unit_id"
    )
    q = on_roll(on) & Q(unit_id__in=subtree)
    if only.status:
        q &= Q(member__statuses__status=only.status)
    if only.sex:
        q &= Q(member__sex=only.sex)
    if only.age_from is not None:
        q &= Q(member__birth_date__lte=on - relativedelta(years=only.age_from))
    if only.age_to is not None:
        q &= Q(member__birth_date__gt=on - relativedelta(years=only.age_to + 1))
    if only.party_age_from is not None:
        q &= Q(member__admission_decided_on__lte=on - relativedelta(years=only.party_age_from))
    if only.party_age_to is not None:
        q &= Q(member__admission_decided_on__gt=on - relativedelta(years=only.party_age_to + 1))
    key = search_key(only.text)
    if key:
        q &= _matching(key, only.text.strip(), unit_path, on)
    return (
        Membership.objects.filter(q)
        .select_related("member", "unit")
        .annotate(status=F("member__statuses__status"))
        .order_by("member__sort_name", "member_id")
    )


# A full name searched across the whole Party matches about 15.000 people; the ids go into the
# statement as one parameter (`lib.bulk.among`: an array on PostgreSQL, a JSON list on SQLite).
NAME_FIRST_LIMIT = 20_000
# A subtree with at most this many members on its roll is searched in the roll's own statement:
# its memberships are few enough to read (a commune of 11.400 members: 12–20 ms at the province,
# against 27–40 ms finding the names among the province's 240.000 first). Above it, on
# PostgreSQL, the planner may walk the whole roll in name order hoping to stop after a page
# (245 ms for the province's top unit, against 49 ms with the names found first).
SEARCH_IN_ROLL_UP_TO = 20_000


def _matching(key: str, typed: str, unit_path: str, on: date) -> Q:
    """Members whose name holds `key` (or whose card number was typed). Below a large unit,
    where few people match, they are found first, through the trigram index on PostgreSQL
    (decision 0015), so that the search does not walk the whole roll in name order; below a
    small one, in the roll's statement."""
    in_roll = Q(member__search_name__contains=key) | Q(member__card_number=typed)
    size = _stored_roll(unit_path, on)
    if size is not None and size <= SEARCH_IN_ROLL_UP_TO:
        return in_roll
    names = Q(search_name__contains=key) | Q(card_number=typed)
    ids = list(
        Member.objects.filter(names)
        .order_by()  # any of them: past the limit they are not used
        .values_list("pk", flat=True)[: NAME_FIRST_LIMIT + 1]
    )
    if len(ids) <= NAME_FIRST_LIMIT:
        return among("member_id", ids)
    return in_roll


def _stored_roll(unit_path: str, on: date) -> int | None:
    """The members on the roll of the subtree at `unit_path` on `on`, as the stored subtree
    counts have it (one probe of their index); None where that day is not stored. It chooses
    only how the search is made, never what it finds."""
    unit_id = treepath.ids(unit_path)[-1]
    found = SubtreeCount.objects.filter(day=on, unit_id=unit_id).values_list("members")
    return next((members for (members,) in found), None)


def age_on(born: date | None, on: date) -> int | None:
    return relativedelta(on, born).years if born else None


def party_age_on(member: Member, on: date) -> int | None:
    """Whole years since the admission decision, for an official member (Điều lệ Art. 5(4))."""
    if member.admission_decided_on is None or member.recognised_on is None:
        return None
    if member.recognised_on > on:
        return None
    return relativedelta(on, member.admission_decided_on).years


def timeline(member: Member) -> tuple[list[MemberStatus], list[Membership]]:
    """A member's status chain and units, oldest first (two queries)."""
    statuses = list(member.statuses.order_by("valid_from"))
    memberships = list(member.memberships.select_related("unit").order_by("valid_from", "kind"))
    return statuses, memberships
