"""Lapses of members over a removal review's window: months with an unexcused absence and
months with dues unpaid (24-QĐ/TW §8.1, RULES.md §2.2), read for a scope of the tree in a few
grouped statements that return only the members who may be proposed for a review.

The window is the calendar year so far, or the last 12 months where a committee chose that;
the months are read as bit masks (bit i: the window's i-th month), counted in the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Case, Count, IntegerField, Sum, Value, When

from chibo.compliance.facts import (
    Month,
    UnitInfo,
    compiled,
    materialized,
    midnight,
    month_end,
    rows_of,
)
from chibo.meetings.models import Attendance, DuesPayment, Mark
from chibo.members.models import ON_ROLL, Membership, MembershipKind, MemberStatus


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
    """Members with unexcused absences, or dues unpaid, in at least as many months of the
    window as the smallest threshold in force (one grouped statement each); then the other
    kind of lapse of those members alone (by their ids, through the member indexes). A month
    counts as unpaid only where the unit's dues book has that month: a cell that keeps no book
    in chibo does not make its members look unpaid."""
    months = lapse_months(ctx)
    absent_least = ctx.rules.smallest("compliance.absence_months_flag")
    unpaid_least = ctx.rules.smallest("meetings.dues_unpaid_months_flag")
    # Early in the year the window is shorter than any threshold: nobody can be proposed.
    absent = _absences(ctx, months, absent_least) if len(months) >= absent_least else {}
    unpaid = _unpaid(ctx, months, unpaid_least) if len(months) >= unpaid_least else {}
    named_absent = {member for member, _u in absent}
    named_unpaid = {member for member, _u in unpaid}
    if named_unpaid - named_absent:
        absent.update(_absences(ctx, months, 1, sorted(named_unpaid - named_absent)))
    if named_absent - named_unpaid:
        unpaid.update(_unpaid(ctx, months, 1, sorted(named_absent - named_unpaid)))
    return Lapses(months, absent, unpaid)


CHUNK = 2000  # member ids in one statement


def _chunks(ids: Sequence[int] | None) -> list[Sequence[int] | None]:
    if ids is None:
        return [None]
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _absences(
    ctx: Month, months: list[date], least: int, ids: Sequence[int] | None = None
) -> dict[tuple[int, int], int]:
    """Months with an unexcused absence per (member, unit), at least `least` of them."""
    bounds = [midnight(m) for m in months] + [midnight(month_end(months[-1]) + timedelta(1))]
    bit = Case(
        *[
            When(meeting__starts_at__gte=bounds[i], meeting__starts_at__lt=bounds[i + 1], then=v)
            for i, (v, _m) in enumerate(_bits(months))
        ],
        default=Value(0),
        output_field=IntegerField(),
    )
    found: dict[tuple[int, int], int] = {}
    for chunk in _chunks(ids):
        rows = Attendance.objects.filter(
            mark=Mark.UNEXCUSED,
            counted=True,
            meeting__unit_id__in=ctx.subtree(),
            meeting__starts_at__gte=bounds[0],
            meeting__starts_at__lt=bounds[-1],
        )
        if chunk is not None:
            rows = rows.filter(member_id__in=chunk)
        grouped = (
            rows.values("member_id", "meeting__unit_id")
            .annotate(mask=Sum(bit, distinct=True), n=Count(bit, distinct=True))
            .filter(n__gte=least)
            .order_by()
            .values_list("member_id", "meeting__unit_id", "mask")
        )
        found.update(((member, unit), mask) for member, unit, mask in grouped)
    return found


def _unpaid(
    ctx: Month, months: list[date], least: int, ids: Sequence[int] | None = None
) -> dict[tuple[int, int], int]:
    """Months with dues unpaid per (member, unit), at least `least` of them: months in which
    the member was on the unit's roll on the first day, the unit's book has the month, and no
    paid entry of the member's is recorded for it (by any unit).

    One statement: each unit's book as a mask of months (an index probe per unit and month),
    each member's paid months as a mask (one pass over the months' payments), and the roll
    months of each membership, combined with bit operations and counted in the database."""
    adapt = connection.ops.adapt_datefield_value
    bits = _bits(months)
    first, last = adapt(months[0]), adapt(months[-1])
    units_sql, units_params = compiled(ctx.subtree())
    ms, st = Membership._meta.db_table, MemberStatus._meta.db_table
    dues = DuesPayment._meta.db_table
    exists = f"SELECT 1 FROM {dues} d WHERE d.unit_id = v.unit_id AND d.month = %s"  # noqa: S608
    book = " + ".join(f"CASE WHEN EXISTS ({exists}) THEN {value} ELSE 0 END" for value, _m in bits)
    paid = " ".join(f"WHEN %s THEN {value}" for value, _m in bits)
    roll = " + ".join(
        f"CASE WHEN ms.valid_from <= %s AND (ms.valid_to IS NULL OR ms.valid_to >= %s) "
        f"AND s.valid_from <= %s AND (s.valid_to IS NULL OR s.valid_to >= %s) "
        f"THEN {value} ELSE 0 END"
        for value, _m in bits
    )
    count = " + ".join(f"((x.unpaid >> {i}) & 1)" for i in range(len(months)))
    statuses = ", ".join(["%s"] * len(ON_ROLL))
    once = materialized()
    found: dict[tuple[int, int], int] = {}
    for chunk in _chunks(ids):
        chunked = list(chunk or [])
        only = f"AND ms.member_id IN ({', '.join(['%s'] * len(chunked))})" if chunked else ""
        units, units_at = f"({units_sql}) v", list(units_params)
        if chunked:  # the named members' units only
            named = f"SELECT DISTINCT ms.unit_id FROM {ms} ms WHERE ms.unit_id IN ({units_sql})"  # noqa: S608
            units = f"({named} {only}) v"
            units_at += chunked
        # Table names come from the models, values are parameters.
        query = f"""
            WITH books AS {once} (
                SELECT v.unit_id, {book} AS mask FROM {units}
            ),
            paid AS {once} (
                SELECT d.member_id, SUM(CASE d.month {paid} ELSE 0 END) AS mask
                FROM {dues} d
                WHERE d.paid AND d.month >= %s AND d.month <= %s AND d.member_id IN (
                    SELECT ms.member_id FROM {ms} ms
                    WHERE ms.unit_id IN ({units_sql}) AND ms.kind = %s {only}
                )
                GROUP BY d.member_id
            ),
            lapsed AS {once} (
                SELECT r.member_id, r.unit_id, CAST(SUM(r.unpaid) AS BIGINT) AS unpaid FROM (
                    SELECT ms.member_id, ms.unit_id,
                           ({roll}) & b.mask & ~COALESCE(p.mask, 0) AS unpaid
                    FROM {ms} ms
                    JOIN {st} s ON s.member_id = ms.member_id
                    JOIN books b ON b.unit_id = ms.unit_id
                    LEFT JOIN paid p ON p.member_id = ms.member_id
                    WHERE ms.kind = %s AND b.mask <> 0 {only}
                      AND ms.valid_from <= %s AND (ms.valid_to IS NULL OR ms.valid_to >= %s)
                      AND s.valid_from <= %s AND (s.valid_to IS NULL OR s.valid_to >= %s)
                      AND s.status IN ({statuses})
                ) r
                WHERE r.unpaid <> 0
                GROUP BY r.member_id, r.unit_id
            )
            SELECT x.member_id, x.unit_id, x.unpaid FROM lapsed x WHERE {count} >= %s
        """  # noqa: S608
        end = adapt(month_end(months[-1]))
        params: list[Any] = [*[adapt(m) for _v, m in bits], *units_at]
        params += [*[adapt(m) for _v, m in bits], first, last, *units_params]
        params += [MembershipKind.OFFICIAL, *chunked]
        for _v, m in bits:
            params += [adapt(m)] * 4
        params += [MembershipKind.OFFICIAL, *chunked, end, first, end, first, *sorted(ON_ROLL)]
        params.append(least)
        found.update(((member, unit), mask) for member, unit, mask in rows_of(query, params))
    return found
