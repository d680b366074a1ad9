"""What the records say about one month of a subtree, read in a fixed number of queries.

Every reading covers all the units of the subtree at once (a subquery on the tree as it stood
that month, never a list of ids), so evaluating a province costs the same number of queries as
evaluating a cell; the per-unit work is done here in memory. Obligations read these facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar, cast

from dateutil.relativedelta import relativedelta
from django.db.models import CharField, Count, Exists, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from chibo.audit.models import AuditEvent
from chibo.committees.models import SupervisionAssignment
from chibo.compliance.rules import Reader
from chibo.lib.intervals import active_on, overlaps
from chibo.meetings.models import (
    Attendance,
    DuesPayment,
    Mark,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingNotice,
    MeetingState,
)
from chibo.meetings.selectors import HELD, with_turnout
from chibo.members.models import (
    ON_ROLL,
    Membership,
    MembershipKind,
    Status,
    Transfer,
    TransferState,
)
from chibo.members.selectors import member_counts, on_roll
from chibo.units import treepath
from chibo.units.models import UnitKind, UnitVersion

T = TypeVar("T")
MONITORED_KINDS = (MeetingKind.REGULAR, MeetingKind.THEMATIC)


def month_end(month: date) -> date:
    return month + relativedelta(months=1, days=-1)


def quarter_start(month: date) -> date:
    return month.replace(month=(month.month - 1) // 3 * 3 + 1)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


@dataclass(frozen=True)
class UnitInfo:
    """A unit as it stood in the month evaluated."""

    id: int
    path: str
    parent_id: int | None
    kind: str
    name: str
    leaf: bool = False  # holds the monthly meeting of its own members (a cell, a lone base)

    @property
    def depth(self) -> int:
        return treepath.depth(self.path)


@dataclass
class MeetingFact:
    id: int
    unit_id: int
    kind: str
    state: str
    starts_at: datetime  # local time
    ends_at: datetime | None
    expected: int
    present: int
    closed_at: datetime | None = None
    first_document_at: datetime | None = None
    first_notice_at: datetime | None = None

    @property
    def day(self) -> date:
        return self.starts_at.date()

    @property
    def held(self) -> bool:
        return self.state in HELD

    @property
    def from_book(self) -> bool:
        """Entered closed from a paper book (`meetings.history`): no closing event in chibo,
        and its preparation (documents, notices) was never recorded here."""
        return self.state == MeetingState.CLOSED and self.closed_at is None


@dataclass
class Month:
    """One month of one subtree being evaluated, and the facts read for it so far."""

    root_path: str
    month: date
    as_of: date
    units: dict[int, UnitInfo]
    rules: Reader
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def end(self) -> date:
        return month_end(self.month)

    @property
    def day(self) -> date:
        """The day the tree and the rolls are read on: the month's last day, or today."""
        return min(self.end, self.as_of)

    @property
    def over(self) -> bool:
        return self.as_of > self.end

    @property
    def begun(self) -> bool:
        return self.as_of >= self.month

    def leaves(self) -> list[UnitInfo]:
        return [u for u in self.units.values() if u.leaf]

    def rule(self, key: str, unit: UnitInfo) -> Any:
        return self.rules(key, unit.path)

    def subtree(self) -> QuerySet:
        """The unit ids of the subtree that month, as a subquery."""
        return UnitVersion.objects.filter(
            active_on(self.day), treepath.within(self.root_path)
        ).values("unit_id")

    def once(self, name: str, read: Callable[[Month], T]) -> T:
        if name not in self.cache:
            self.cache[name] = read(self)
        found: T = self.cache[name]
        return found


def load_units(root_path: str, day: date) -> dict[int, UnitInfo]:
    """The subtree as it stood on `day`, with its meeting units marked (one query): cells, and
    base organisations with no cell below them, as `meetings.services.meeting_units` says."""
    rows = list(
        UnitVersion.objects.filter(active_on(day), treepath.within(root_path)).values_list(
            "unit_id", "path", "parent_id", "unit__kind", "name"
        )
    )
    with_cells = {parent for _u, _p, parent, kind, _n in rows if kind == UnitKind.CELL}
    units = {}
    for unit_id, path, parent_id, kind, name in rows:
        leaf = kind == UnitKind.CELL or (kind == UnitKind.BASE and unit_id not in with_cells)
        units[unit_id] = UnitInfo(unit_id, path, parent_id, kind, name, leaf)
    return units


# Meetings -----------------------------------------------------------------------------------


def meetings(ctx: Month) -> dict[int, list[MeetingFact]]:
    """Regular and thematic meetings of the subtree's units from the quarter's start to the
    month's end, with turnout, closing time, first document and first notice (four queries)."""
    start, end = _midnight(quarter_start(ctx.month)), _midnight(ctx.end + timedelta(days=1))
    found = with_turnout(
        Meeting.objects.filter(
            unit_id__in=ctx.subtree(),
            kind__in=MONITORED_KINDS,
            starts_at__gte=start,
            starts_at__lt=end,
        )
    ).order_by("starts_at", "id")
    facts = {
        m.pk: MeetingFact(
            m.pk,
            m.unit_id,
            m.kind,
            m.state,
            timezone.localtime(m.starts_at),
            m.ends_at,
            m.expected_n,  # type: ignore[attr-defined]
            m.present_n,  # type: ignore[attr-defined]
        )
        for m in found
    }
    ids = found.values("pk")
    closes = (
        AuditEvent.objects.filter(
            action="meetings.meeting.close",
            object_type="meetings.meeting",
            object_id__in=found.annotate(key=Cast("pk", CharField())).values("key"),
        )
        .values("object_id")
        .annotate(first=Min("at"))
        .order_by()
    )
    for object_id, first in closes.values_list("object_id", "first"):
        facts[int(object_id)].closed_at = first
    documents = (
        MeetingDocument.objects.filter(meeting_id__in=ids)
        .values("meeting_id")
        .annotate(first=Min("uploaded_at"))
        .order_by()
    )
    for meeting_id, first in documents.values_list("meeting_id", "first"):
        facts[meeting_id].first_document_at = first
    notices = (
        MeetingNotice.objects.filter(meeting_id__in=ids)
        .values("meeting_id")
        .annotate(first=Min("sent_at"))
        .order_by()
    )
    for meeting_id, first in notices.values_list("meeting_id", "first"):
        facts[meeting_id].first_notice_at = first
    by_unit: dict[int, list[MeetingFact]] = defaultdict(list)
    for fact in facts.values():
        by_unit[fact.unit_id].append(fact)
    return by_unit


def supervised(ctx: Month) -> dict[int, list[tuple[date, date | None]]]:
    """The periods in the month during which each unit had a committee member assigned."""
    rows = SupervisionAssignment.objects.filter(
        overlaps(ctx.month, ctx.end), unit_id__in=ctx.subtree()
    ).values_list("unit_id", "valid_from", "valid_to")
    periods: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for unit_id, start, end in rows:
        periods[unit_id].append((start, end))
    return periods


# Members and dues ---------------------------------------------------------------------------


def roll_counts(ctx: Month) -> dict[int, int]:
    """Members owing the month's dues: the roll of each unit on the month's first day."""
    return member_counts(ctx.subtree(), ctx.month)


def dues(ctx: Month) -> tuple[dict[int, int], set[int]]:
    """Members on each unit's roll who paid the month's dues, and the units whose dues book
    has the month (two queries)."""
    paid = DuesPayment.objects.filter(member_id=OuterRef("member_id"), month=ctx.month, paid=True)
    rows = (
        Membership.objects.filter(on_roll(ctx.month), unit_id__in=ctx.subtree())
        .filter(Exists(paid))
        .values("unit_id")
        .annotate(n=Count("member_id", distinct=True))
        .order_by()
    )
    books = set(
        DuesPayment.objects.filter(unit_id__in=ctx.subtree(), month=ctx.month)
        .values_list("unit_id", flat=True)
        .distinct()
    )
    return {row["unit_id"]: row["n"] for row in rows}, books


def dues_keepers(ctx: Month) -> set[int]:
    """Units that keep their dues book in chibo by this month: for the others a month with no
    entry says nothing about whether dues were collected on paper."""
    return set(
        DuesPayment.objects.filter(unit_id__in=ctx.subtree(), month__lte=ctx.month)
        .values_list("unit_id", flat=True)
        .distinct()
    )


def official_counts(ctx: Month) -> dict[int, int]:
    """Official members on each unit's roll on the day, party groups counted in their cell."""
    # A join, not a correlated EXISTS per membership: SQLite runs the latter row by row.
    rows = (
        Membership.objects.filter(
            active_on(ctx.day),
            active_on(ctx.day, "member__statuses__"),
            member__statuses__status=Status.OFFICIAL,
            unit_id__in=ctx.subtree(),
            kind=MembershipKind.OFFICIAL,
        )
        .values("unit_id")
        .annotate(n=Count("member_id", distinct=True))
        .order_by()
    )
    counts: dict[int, int] = defaultdict(int)
    for row in rows:
        unit = ctx.units.get(row["unit_id"])
        if unit is None:
            continue
        if unit.kind == UnitKind.GROUP and unit.parent_id in ctx.units:
            counts[unit.parent_id] += row["n"]
        else:
            counts[unit.id] += row["n"]
    return counts


def window_months(ctx: Month, unit: UnitInfo) -> list[date]:
    """The months counted towards a removal review as of this month: the calendar year so far,
    or the last 12 months, as the dues rule says (RULES.md §2.2, UNCONFIRMED which)."""
    from chibo.meetings.dues.rules import ROLLING_12_MONTHS

    if ctx.rule("meetings.dues_unpaid_window", unit) == ROLLING_12_MONTHS:
        return [ctx.month - relativedelta(months=n) for n in range(11, -1, -1)]
    return [date(ctx.month.year, m, 1) for m in range(1, ctx.month.month + 1)]


@dataclass
class Lapses:
    """Per (member, unit): months with an unexcused absence and months with dues unpaid."""

    absent: dict[tuple[int, int], set[date]]
    unpaid: dict[tuple[int, int], set[date]]


def lapses(ctx: Month) -> Lapses:
    """Unexcused absences and unpaid dues over the 12 months ending with this one (two
    queries). A month counts as unpaid only where the unit's dues book has that month: a cell
    that keeps no book in chibo does not make its members look unpaid."""
    months = [ctx.month - relativedelta(months=n) for n in range(11, -1, -1)]
    months = [m for m in months if m <= ctx.as_of]
    start, end = _midnight(months[0]), _midnight(ctx.end + timedelta(days=1))
    absent: dict[tuple[int, int], set[date]] = defaultdict(set)
    rows = (
        Attendance.objects.filter(
            mark=Mark.UNEXCUSED,
            counted=True,
            meeting__unit_id__in=ctx.subtree(),
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
        )
        .annotate(at=TruncMonth("meeting__starts_at", tzinfo=timezone.get_current_timezone()))
        .values_list("member_id", "meeting__unit_id", "at")
        .distinct()
    )
    for member_id, unit_id, at in rows:
        month = at.date() if isinstance(at, datetime) else at
        absent[member_id, unit_id].add(month.replace(day=1))
    unpaid: dict[tuple[int, int], set[date]] = defaultdict(set)
    threshold = ctx.rules.smallest("meetings.dues_unpaid_months_flag")
    paid = DuesPayment.objects.filter(member_id=OuterRef("member_id"), paid=True)
    book = DuesPayment.objects.filter(unit_id=OuterRef("unit_id"))
    columns = {
        f"m{i}": Count(
            "member_id",
            distinct=True,
            filter=on_roll(m) & Q(Exists(book.filter(month=m))) & ~Q(Exists(paid.filter(month=m))),
        )
        for i, m in enumerate(months)
    }
    total = sum(columns.values())
    rows2 = (
        Membership.objects.filter(
            overlaps(months[0], ctx.end),
            overlaps(months[0], ctx.end, "member__statuses__"),
            unit_id__in=ctx.subtree(),
            kind=MembershipKind.OFFICIAL,
            member__statuses__status__in=ON_ROLL,
        )
        .values("member_id", "unit_id")
        .annotate(**columns, total=total)
        .filter(total__gte=threshold)
        .order_by()
    )
    for row in rows2:
        data = cast(dict[str, int], row)
        for i, m in enumerate(months):
            if data[f"m{i}"]:
                unpaid[data["member_id"], data["unit_id"]].add(m)
    return Lapses(absent, unpaid)


@dataclass
class Probation:
    member_id: int
    unit_id: int
    admitted_on: date


def probationers(ctx: Month) -> dict[int, list[Probation]]:
    """Probationary members on each unit's roll on the day, with their admission date."""
    # Joined from the statuses: probationary members are few, the roll is long.
    rows = Membership.objects.filter(
        active_on(ctx.day),
        active_on(ctx.day, "member__statuses__"),
        member__statuses__status=Status.PROBATIONARY,
        unit_id__in=ctx.subtree(),
        kind=MembershipKind.OFFICIAL,
    ).values_list("member_id", "unit_id", "member__admitted_on")
    found: dict[int, list[Probation]] = defaultdict(list)
    for member_id, unit_id, admitted_on in rows:
        if admitted_on is not None:
            found[unit_id].append(Probation(member_id, unit_id, admitted_on))
    return found


# Transfers ----------------------------------------------------------------------------------


@dataclass
class TransferFact:
    id: int
    from_unit_id: int
    from_path: str
    to_unit_id: int | None
    letter_date: date
    confirmed_on: date | None
    state: str


def transfers(ctx: Month) -> list[TransferFact]:
    """Transfers into or out of the subtree still pending during the month, or confirmed in
    it (one query)."""
    rows = (
        Transfer.objects.exclude(state=TransferState.CANCELLED)
        .filter(letter_date__lte=ctx.day, to_unit__isnull=False)
        .filter(Q(confirmed_on__isnull=True) | Q(confirmed_on__gte=ctx.month))
        .filter(Q(from_unit_id__in=ctx.subtree()) | Q(to_unit_id__in=ctx.subtree()))
        .values_list(
            "pk",
            "from_unit_id",
            "from_unit__path",
            "to_unit_id",
            "letter_date",
            "confirmed_on",
            "state",
        )
    )
    return [TransferFact(*row) for row in rows]
