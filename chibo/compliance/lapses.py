"""Lapses of members over a removal review's window: months with an unexcused absence and
months with dues unpaid (24-QĐ/TW §8.1, RULES.md §2.2). Each month is read for a scope of the
tree in two statements when it is evaluated and stored (`Lapse`), and the window is counted
from the stored months, returning only the members who may be proposed for a review.

The window is the calendar year so far, or the last 12 months where a committee chose that;
the months are read as bit masks (bit i: the window's i-th month), counted in the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Sum, Value, When

from chibo.compliance.facts import Month, UnitInfo, midnight, month_end
from chibo.compliance.models import Lapse, LapseMonth
from chibo.lib.bulk import insert_rows
from chibo.lib.intervals import active_on
from chibo.meetings.models import Attendance, DuesPayment, Mark
from chibo.members.models import ON_ROLL, Membership, MembershipKind
from chibo.units import treepath
from chibo.units.models import UnitVersion


def _bits(values: Iterable[date]) -> list[tuple[int, date]]:
    return [(1 << i, value) for i, value in enumerate(values)]


def months_of(mask: int, months: Sequence[date]) -> set[date]:
    return {m for i, m in enumerate(months) if mask >> i & 1}


def window_months(ctx: Month, unit: UnitInfo) -> list[date]:
    """The months counted towards a removal review as of this month: the calendar year so far,
    or the last 12 months, as the dues rule says (RULES.md §2.2, UNCONFIRMED which)."""
    from chibo.meetings.dues.rules import ROLLING_12_MONTHS

    if ctx.rule("meetings.dues_unpaid_window", unit) == ROLLING_12_MONTHS:
        return [ctx.month - relativedelta(months=n) for n in range(11, -1, -1)]
    return [date(ctx.month.year, m, 1) for m in range(1, ctx.month.month + 1)]


def lapse_months(ctx: Month) -> list[date]:
    """The months any unit's removal-review window covers this month, oldest first: the
    calendar year so far, or the last 12 months where a committee chose that window."""
    from chibo.meetings.dues.rules import ROLLING_12_MONTHS

    if ROLLING_12_MONTHS in ctx.rules.values("meetings.dues_unpaid_window"):
        months = [ctx.month - relativedelta(months=n) for n in range(11, -1, -1)]
    else:
        months = [date(ctx.month.year, m, 1) for m in range(1, ctx.month.month + 1)]
    return [m for m in months if m <= ctx.as_of]


@dataclass
class Lapses:
    """Per (member, unit), for the members who may be proposed for a removal review: months
    with an unexcused absence and months with dues unpaid, as masks over `months`."""

    months: list[date]
    absent: dict[tuple[int, int], int]
    unpaid: dict[tuple[int, int], int]


def lapses(ctx: Month) -> Lapses:
    """The lapses of the scope's members over the window, for those with at least as many
    months of either kind as the smallest threshold in force.

    Each month of the window from the first one not stored complete for all the scope's
    units (the month evaluated while it is not over, the first evaluation of a year, a month
    forgotten because a record of it changed) is read from its attendance and dues (two
    statements a month) and stored as `Lapse` rows. The window is then counted from the
    stored rows in one statement: evaluating a month reads at most that month, not the whole
    year, and a month evaluated again after it ended reads none (decision 0016)."""
    months = lapse_months(ctx)
    if not months:
        return Lapses(months, {}, {})
    stale = _stale(ctx, months)
    if stale:
        _store(ctx, stale)
    absent_least = ctx.rules.smallest("compliance.absence_months_flag")
    unpaid_least = ctx.rules.smallest("meetings.dues_unpaid_months_flag")
    # Early in the year the window is shorter than any threshold: nobody can be proposed.
    if len(months) < min(absent_least, unpaid_least):
        return Lapses(months, {}, {})
    return _counted(ctx, months, absent_least, unpaid_least)


def _stale(ctx: Month, months: list[date]) -> list[date]:
    """The months to read again: from the first one not stored complete for every unit of the
    scope to the end of the window, or none (one statement). A month stays complete until a
    record of it changes through the services, which forget it (`forget`)."""
    done = dict(
        LapseMonth.objects.filter(unit_id__in=ctx.subtree(), month__in=months, complete=True)
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("month", "n")
    )
    first = next((m for m in months if done.get(m, 0) < len(ctx.units)), None)
    return [] if first is None else [m for m in months if m >= first]


def _store(ctx: Month, months: list[date]) -> None:
    """Read the scope's lapses in `months` and store them in place of those stored, with the
    months marked for each unit, complete where the month is over."""
    rows = []
    for month in months:
        absent = _absent(ctx, month)
        unpaid = _unpaid(ctx, month)
        rows += [(u, month, m, (m, u) in absent, (m, u) in unpaid) for m, u in absent | unpaid]
    Lapse.objects.filter(unit_id__in=ctx.subtree(), month__in=months).delete()
    LapseMonth.objects.filter(unit_id__in=ctx.subtree(), month__in=months).delete()
    ctx.written += insert_rows(Lapse, ["unit_id", "month", "member_id", "absent", "unpaid"], rows)
    ctx.written += insert_rows(
        LapseMonth,
        ["unit_id", "month", "complete"],
        ((unit_id, m, ctx.as_of > month_end(m)) for m in months for unit_id in ctx.units),
    )


def _counted(ctx: Month, months: list[date], absent_least: int, unpaid_least: int) -> Lapses:
    """The stored lapses of the window as masks, for the members with at least `absent_least`
    months of absence or `unpaid_least` months unpaid in one unit (one grouped statement)."""
    bit = Case(
        *[When(month=m, then=Value(v)) for v, m in _bits(months)],
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        Lapse.objects.filter(unit_id__in=ctx.subtree(), month__in=months)
        .values("member_id", "unit_id")
        .annotate(
            absent_mask=Sum(bit, filter=Q(absent=True)),
            unpaid_mask=Sum(bit, filter=Q(unpaid=True)),
            absent_n=Count("pk", filter=Q(absent=True)),
            unpaid_n=Count("pk", filter=Q(unpaid=True)),
        )
        .filter(Q(absent_n__gte=absent_least) | Q(unpaid_n__gte=unpaid_least))
        .order_by()
        .values_list("member_id", "unit_id", "absent_mask", "unpaid_mask")
    )
    absent: dict[tuple[int, int], int] = {}
    unpaid: dict[tuple[int, int], int] = {}
    for member_id, unit_id, absent_mask, unpaid_mask in rows:
        if absent_mask:
            absent[member_id, unit_id] = absent_mask
        if unpaid_mask:
            unpaid[member_id, unit_id] = unpaid_mask
    return Lapses(months, absent, unpaid)


def forget(unit_ids: Iterable[int], month: date, members: Iterable[int] = ()) -> None:
    """A record of these units dated in `month` changed: their stored lapses of that month and
    later are read again when next needed. With `members` (dues recorded by another unit),
    also those of the units where these members are official members."""
    found = Q(unit_id__in=list(unit_ids))
    named = list(members)
    if named:
        homes = Membership.objects.filter(member_id__in=named, kind=MembershipKind.OFFICIAL)
        found |= Q(unit_id__in=homes.values("unit_id"))
    LapseMonth.objects.filter(found, month__gte=month.replace(day=1)).delete()


def forget_below(path: str, month: date) -> None:
    """Every stored month of the subtree at `path` from `month` on is read again when next
    needed: after its records were corrected behind the services' back (in SQL)."""
    below = UnitVersion.objects.filter(treepath.within(path)).values("unit_id")
    LapseMonth.objects.filter(unit_id__in=below, month__gte=month.replace(day=1)).delete()


def _absent(ctx: Month, month: date) -> set[tuple[int, int]]:
    """(member, unit) of the unexcused absences from the scope's meetings in `month` that
    count towards the turnout (one statement over the month's meetings)."""
    rows = Attendance.objects.filter(
        mark=Mark.UNEXCUSED,
        counted=True,
        meeting__unit_id__in=ctx.subtree(),
        meeting__starts_at__gte=midnight(month),
        meeting__starts_at__lt=midnight(month_end(month) + timedelta(days=1)),
    )
    return set(rows.values_list("member_id", "meeting__unit_id").order_by().distinct())


def _unpaid(ctx: Month, month: date) -> set[tuple[int, int]]:
    """(member, unit) of the dues unpaid in `month`: the member was on the unit's roll on the
    month's first day, the unit's dues book has the month, and no paid entry of the member's
    is recorded for it, by any unit (one statement: an index probe per unit and per member)."""
    book = DuesPayment.objects.filter(unit_id=OuterRef("unit_id"), month=month)
    paid = DuesPayment.objects.filter(member_id=OuterRef("member_id"), month=month, paid=True)
    statuses = "member__statuses__"
    rows = Membership.objects.filter(
        active_on(month),
        active_on(month, statuses),
        Exists(book),
        ~Exists(paid),
        unit_id__in=ctx.subtree(),
        kind=MembershipKind.OFFICIAL,
        **{f"{statuses}status__in": list(ON_ROLL)},
    )
    return set(rows.values_list("member_id", "unit_id").order_by())
