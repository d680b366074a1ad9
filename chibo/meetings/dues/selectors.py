"""Reads on party dues: the dues book of a unit for a month and a year, totals up the tree,
and the members who left three months unpaid. Permission comes from accounts.access.

Who owes dues for a month is the unit's roll on the month's first day (`members_on`), the
same day for the book, the totals and the flag, so that they always agree: a member who moves
mid-month pays that month in the unit they started it in (the transfer letter says up to
which month dues were paid), and a newcomer pays from the next month.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)

from chibo.lib.dates import today
from chibo.lib.intervals import active_on, overlaps
from chibo.meetings.dues import rules
from chibo.meetings.models import DuesPayment, Meeting
from chibo.members.models import ON_ROLL, Member, Membership, MembershipKind
from chibo.members.selectors import members_on, on_roll
from chibo.units import treepath
from chibo.units.models import Unit, UnitVersion


def month_of(day: date) -> date:
    """The first day of the month of `day`: how a month is stored."""
    return day.replace(day=1)


def this_month() -> date:
    return month_of(today())


def months_of(year: int) -> list[date]:
    return [date(year, m, 1) for m in range(1, 13)]


def due(months: list[date]) -> list[date]:
    """The months that have begun: a month still to come is not owed yet."""
    now = this_month()
    return [m for m in months if m <= now]


def flag_window(until: date) -> list[date]:
    """The months whose unpaid dues count towards the flag as of the month `until`."""
    until = month_of(until)
    if rules.rule("unpaid_window") == rules.ROLLING_12_MONTHS:
        return [until - relativedelta(months=n) for n in range(11, -1, -1)]
    return [date(until.year, m, 1) for m in range(1, until.month + 1)]


def meeting_of(unit: Unit, meeting_id: int) -> Meeting | None:
    """A meeting of `unit` (dues are collected at the unit's own meetings), or None."""
    return Meeting.objects.filter(unit=unit, pk=meeting_id).first()


# The month book


@dataclass
class Line:
    """One member in the month's book."""

    member: Member
    on_roll: bool  # on the unit's roll on the month's first day
    payment: DuesPayment | None
    collected_here: bool  # False: the payment was recorded by another unit

    @property
    def rate(self) -> int | None:
        """The member's configured monthly dues, if any."""
        return self.member.dues_monthly

    @property
    def paid(self) -> bool:
        return self.payment is not None and self.payment.paid

    @property
    def paid_amount(self) -> int:
        return self.payment.amount if self.payment is not None and self.payment.paid else 0

    @property
    def unpaid(self) -> bool:
        return self.on_roll and not self.paid


@dataclass
class MonthBook:
    unit: Unit
    month: date
    lines: list[Line]

    @property
    def expected_total(self) -> int:
        return sum(line.rate or 0 for line in self.lines if line.on_roll)

    @property
    def paid_total(self) -> int:
        """What this unit collected: payments another unit recorded are theirs."""
        return sum(line.paid_amount for line in self.lines if line.collected_here)

    @property
    def paid_count(self) -> int:
        return sum(1 for line in self.lines if line.on_roll and line.paid)

    @property
    def unpaid_count(self) -> int:
        return sum(1 for line in self.lines if line.unpaid)

    @property
    def roll_count(self) -> int:
        return sum(1 for line in self.lines if line.on_roll)


def month_book(unit: Unit, month: date) -> MonthBook:
    """Every member on the unit's roll on the month's first day, in Vietnamese name order,
    with their payment for the month wherever it was recorded; and anyone this unit recorded
    a payment for who was not on the roll that day (the roll was corrected later). Two queries.
    """
    month = month_of(month)
    roll = list(members_on(unit.pk, month).order_by("member__sort_name", "member_id"))
    payments = {
        p.member_id: p
        for p in DuesPayment.objects.filter(
            Q(unit=unit) | Q(member_id__in=[row.member_id for row in roll]), month=month
        ).select_related("unit", "member")
    }
    lines = []
    for row in roll:
        payment = payments.pop(row.member_id, None)
        here = payment is None or payment.unit_id == unit.pk
        lines.append(Line(row.member, True, payment, here))
    for payment in sorted(payments.values(), key=lambda p: (p.member.sort_name, p.member_id)):
        lines.append(Line(payment.member, False, payment, True))
    return MonthBook(unit, month, lines)


# The year book


@dataclass
class Cell:
    month: date
    on_roll: bool
    payment: DuesPayment | None
    collected_here: bool
    is_due: bool  # the month has begun

    @property
    def paid(self) -> bool:
        return self.payment is not None and self.payment.paid

    @property
    def unpaid(self) -> bool:
        return self.on_roll and self.is_due and not self.paid

    @property
    def paid_here(self) -> int:
        """The amount this unit collected for the month (0 if unpaid or paid elsewhere)."""
        if self.payment is None or not self.paid or not self.collected_here:
            return 0
        return self.payment.amount


@dataclass
class YearRow:
    member: Member
    cells: list[Cell]
    flagged: bool = False

    @property
    def paid_total(self) -> int:
        return sum(c.paid_here for c in self.cells)

    @property
    def unpaid_months(self) -> int:
        return sum(1 for c in self.cells if c.unpaid)


@dataclass
class YearBook:
    unit: Unit
    year: int
    months: list[date]
    rows: list[YearRow]
    flags: list["Flag"] = field(default_factory=list)

    @property
    def month_totals(self) -> list[int]:
        """Paid amounts collected by this unit, month by month."""
        return [sum(r.cells[i].paid_here for r in self.rows) for i in range(len(self.months))]

    @property
    def unpaid_by_month(self) -> list[int]:
        return [sum(1 for r in self.rows if r.cells[i].unpaid) for i in range(len(self.months))]

    @property
    def total(self) -> int:
        return sum(self.month_totals)

    @property
    def unpaid_total(self) -> int:
        return sum(self.unpaid_by_month)


def _roll_months(unit_id: int, months: list[date]) -> dict[int, tuple[Member, set[date]]]:
    """Each member on the roll of the unit on the first day of any of `months`, with those
    months (one query: each month is an EXISTS on the same `on_roll` as the month book)."""
    if not months:
        return {}
    flags = {
        f"m{i}": Exists(Membership.objects.filter(on_roll(m), pk=OuterRef("pk")))
        for i, m in enumerate(months)
    }
    rows = (
        Membership.objects.filter(
            overlaps(months[0], months[-1]), unit_id=unit_id, kind=MembershipKind.OFFICIAL
        )
        .select_related("member")
        .annotate(**flags)
    )
    found: dict[int, tuple[Member, set[date]]] = {}
    for row in rows:
        _member, on = found.setdefault(row.member_id, (row.member, set()))
        on.update(m for i, m in enumerate(months) if getattr(row, f"m{i}"))
    return {k: v for k, v in found.items() if v[1]}


def _payments(
    unit_id: int, months: list[date], member_ids: list[int]
) -> dict[tuple[int, date], DuesPayment]:
    """Payments for `months` that the unit recorded or that its members made anywhere."""
    rows = DuesPayment.objects.filter(
        Q(unit_id=unit_id) | Q(member_id__in=member_ids), month__in=months
    ).select_related("unit", "member")
    return {(p.member_id, p.month): p for p in rows}


def year_book(unit: Unit, year: int) -> YearBook:
    """Twelve columns for every member on the unit's roll in any month of `year` (or paid
    here): what they paid each month, month and year totals, and the flag. Four queries."""
    months = months_of(year)
    roll = _roll_months(unit.pk, months)
    payments = _payments(unit.pk, months, list(roll))
    members = {member_id: member for member_id, (member, _on) in roll.items()}
    for member_id, _month in payments:
        if member_id not in members and payments[(member_id, _month)].unit_id == unit.pk:
            members[member_id] = payments[(member_id, _month)].member
    started = set(due(months))
    rows = []
    for member in sorted(members.values(), key=lambda m: (m.sort_name, m.pk)):
        on = roll.get(member.pk, (member, set()))[1]
        cells = []
        for m in months:
            payment = payments.get((member.pk, m))
            here = payment is None or payment.unit_id == unit.pk
            if not here and m not in on:
                payment = None  # paid elsewhere while on another roll: not this book's
            cells.append(Cell(m, m in on, payment, here, m in started))
        rows.append(YearRow(member, cells))
    until = min(date(year, 12, 1), this_month())
    flags = unpaid_flags(unit, until) if until.year >= year else []
    flagged = {f.member.pk for f in flags}
    for row in rows:
        row.flagged = row.member.pk in flagged
    return YearBook(unit, year, months, rows, flags)


# The flag


@dataclass(frozen=True)
class Flag:
    """A member with too many unpaid months in the window: grounds for the cell to consider
    proposing removal (24-QĐ/TW §8.1, RULES.md §2.2). It proposes; it never removes."""

    member: Member
    months: list[date]


def unpaid_flags(unit: Unit, until: date) -> list[Flag]:
    """Members of the unit's roll with at least `unpaid_months_flag` months unpaid in the
    window ending with `until` (the calendar year so far, by default). Two queries."""
    months = due(flag_window(until))
    roll = _roll_months(unit.pk, months)
    paid = {
        key
        for key, p in _payments(unit.pk, months, list(roll)).items()
        if p.paid and key[0] in roll
    }
    threshold = rules.rule("unpaid_months_flag", unit)
    flags = []
    for member_id, (member, on) in roll.items():
        unpaid = sorted(m for m in on if (member_id, m) not in paid)
        if len(unpaid) >= threshold:
            flags.append(Flag(member, unpaid))
    return sorted(flags, key=lambda f: (f.member.sort_name, f.member.pk))


# Totals up the tree


@dataclass(frozen=True)
class Totals:
    paid: int = 0  # amounts collected by the units of the subtree
    unpaid: int = 0  # member-months owed and not paid


def unpaid_counts(unit_ids: QuerySet, months: list[date]) -> dict[int, int]:
    """Member-months on the roll of each unit `unit_ids` selects with no paid dues, over
    `months` (one query, one row per unit, whatever the number of members)."""
    if not months:
        return {}
    paid = DuesPayment.objects.filter(member_id=OuterRef("member_id"), paid=True)
    # The statuses are joined once by the filter; each month's count reuses that join.
    counts = {
        f"m{i}": Count(
            "member_id", distinct=True, filter=on_roll(m) & ~Q(Exists(paid.filter(month=m)))
        )
        for i, m in enumerate(months)
    }
    rows = (
        Membership.objects.filter(
            overlaps(months[0], months[-1]),
            overlaps(months[0], months[-1], "member__statuses__"),
            unit_id__in=unit_ids,
            kind=MembershipKind.OFFICIAL,
            member__statuses__status__in=ON_ROLL,
        )
        .values("unit_id")
        .annotate(**counts)
        .order_by()
    )
    found: dict[int, int] = {}
    for row in rows:
        data = cast(dict[str, int], row)
        found[data["unit_id"]] = sum(data[name] for name in counts)
    return found


def totals_below(version: UnitVersion, on: date, months: list[date]) -> dict[int, Totals]:
    """Dues paid and member-months unpaid over `months` in the subtree of the unit of
    `version` and of every unit below it, the tree as it stood on `on`.

    Two queries whatever the size of the tree: the subtree's units with the amounts each
    collected, and the unpaid member-months of each.
    """
    in_tree = UnitVersion.objects.filter(active_on(on), treepath.within(version.path))
    collected = (
        DuesPayment.objects.filter(
            unit_id=OuterRef("unit_id"), paid=True, month__in=[month_of(m) for m in months]
        )
        .values("unit_id")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    units = in_tree.annotate(paid=Subquery(collected, output_field=IntegerField())).values_list(
        "unit_id", "path", "paid"
    )
    unpaid = unpaid_counts(in_tree.values("unit_id"), due(months))
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for unit_id, path, paid in units:
        for ancestor_id in treepath.ids(path[len(version.path) - treepath.SEGMENT :]):
            totals = sums[ancestor_id]
            totals[0] += paid or 0
            totals[1] += unpaid.get(unit_id, 0)
    return {unit_id: Totals(*totals) for unit_id, totals in sums.items()}


def reference_day(months: list[date]) -> date:
    """The day the tree is read on for a period: its last day, or today while it runs."""
    last = months[-1] + relativedelta(months=1, days=-1)
    return max(months[0], min(last, today()))
