"""What the records say about one month of a part of the tree, read in a fixed number of queries.

Every reading covers all the units of its scope at once (a subquery on the tree as it stood that
month) and is one statement grouped in the database: one small row per unit (counts, month
masks, booleans), or per meeting for the month's meetings, which are about one per unit. Rows
per member are read only for the few members an obligation names (removal reviews in
`lapses.py`, probation). Evaluating a province costs the same number of queries as a cell, and
the memory of its units' figures, not of its members' records (decision 0015, change 3).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple, TypeVar

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce, Substr, TruncDate
from django.utils import timezone

from chibo.audit.models import AuditEvent
from chibo.committees.models import SupervisionAssignment
from chibo.compliance.rules import Reader
from chibo.lib.intervals import active_on, active_on_sql, overlaps, overlaps_sql
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
from chibo.meetings.selectors import HELD
from chibo.members.models import (
    Membership,
    MembershipKind,
    MemberStatus,
    Status,
    Transfer,
    TransferState,
)
from chibo.members.selectors import on_roll_sql
from chibo.units import treepath
from chibo.units.models import Unit, UnitKind, UnitVersion

T = TypeVar("T")
MONITORED_KINDS = (MeetingKind.REGULAR, MeetingKind.THEMATIC)
UNCUT = (UnitKind.CELL, UnitKind.GROUP)  # evaluated with everything below them


def month_end(month: date) -> date:
    return month + relativedelta(months=1, days=-1)


def quarter_start(month: date) -> date:
    return month.replace(month=(month.month - 1) // 3 * 3 + 1)


def midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


@dataclass(frozen=True)
class Scope:
    """The units whose facts are read: whole subtrees, as the range of paths [low, high) (a
    unit's subtree, or several siblings' subtrees side by side), or a few units named by id
    (the units above the pieces of a large tree, evaluated after them)."""

    low: str = ""
    high: str = ""
    ids: tuple[int, ...] = ()

    @classmethod
    def below(cls, path: str) -> Scope:
        return cls(path, treepath.upper_bound(path))

    def versions(self, day: date) -> QuerySet[UnitVersion]:
        found = UnitVersion.objects.filter(active_on(day))
        if self.ids:
            return found.filter(unit_id__in=self.ids)
        return found.filter(path__gte=self.low, path__lt=self.high)

    def around(self, field: str) -> Q:
        """Rows whose unit (`field`, a Unit relation) lies in the scope by its current path,
        or, for named units, is one of them."""
        if self.ids:
            return Q(**{f"{field}_id__in": self.ids})
        return Q(**{f"{field}__path__gte": self.low, f"{field}__path__lt": self.high})


@dataclass(frozen=True, slots=True)
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


@dataclass(slots=True)
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
    """One month of one scope being evaluated, and the facts read for it so far."""

    scope: Scope
    month: date
    as_of: date
    units: dict[int, UnitInfo]
    rules: Reader
    cache: dict[str, Any] = field(default_factory=dict)
    written: int = 0  # rows written that later pieces read: results, lapses, alerts, reviews
    end: date = field(init=False)
    day: date = field(init=False)  # the tree and the rolls are read on it: the last day, or today
    over: bool = field(init=False)
    begun: bool = field(init=False)

    def __post_init__(self) -> None:
        self.end = month_end(self.month)
        self.day = min(self.end, self.as_of)
        self.over = self.as_of > self.end
        self.begun = self.as_of >= self.month

    def leaves(self) -> list[UnitInfo]:
        return [u for u in self.units.values() if u.leaf]

    def rule(self, key: str, unit: UnitInfo) -> Any:
        return self.rules(key, unit.path)

    def subtree(self) -> QuerySet:
        """The unit ids of the scope that month, as a subquery."""
        return self.scope.versions(self.day).values("unit_id")

    def once(self, name: str, read: Callable[[Month], T]) -> T:
        if name not in self.cache:
            self.cache[name] = read(self)
        found: T = self.cache[name]
        return found


def load_units(scope: Scope, day: date) -> dict[int, UnitInfo]:
    """The scope's units as they stood on `day`, with their meeting units marked (one query):
    cells, and base organisations with no cell below them, as `meetings.services.meeting_units`
    says. Whether a base has cells is read from the tree, not from the units loaded, so a base
    evaluated apart from its cells is judged as it would be with them."""
    cells = UnitVersion.objects.filter(
        active_on(day), parent_id=OuterRef("unit_id"), unit__kind=UnitKind.CELL
    )
    rows = (
        scope.versions(day)
        .annotate(with_cells=Exists(cells))
        .values_list("unit_id", "path", "parent_id", "unit__kind", "name", "with_cells")
    )
    units = {}
    for unit_id, path, parent_id, kind, name, with_cells in rows:
        leaf = kind == UnitKind.CELL or (kind == UnitKind.BASE and not with_cells)
        units[unit_id] = UnitInfo(unit_id, path, parent_id, kind, name, leaf)
    return units


@dataclass
class Plan:
    """How a tree is evaluated: its pieces, each a range of whole subtrees of at most the
    limit's number of units, one after the other; then the units above them (`top`), from
    their own facts and their children's stored rows."""

    pieces: list[Scope]
    top: list[int]


def plan(path: str, day: date, limit: int) -> Plan:
    """Cut the subtree at `path` into pieces of at most `limit` units, going down from the top
    only where a subtree is larger (one query, and two per unit cut). Siblings side by side
    share a piece; a cell is never cut from its party groups."""
    within = UnitVersion.objects.filter(active_on(day))
    whole = Plan([Scope.below(path)], [])
    if within.filter(treepath.within(path)).count() <= limit:
        return whole
    if Unit.objects.filter(pk=treepath.ids(path)[-1], kind__in=UNCUT).exists():
        return whole
    found = Plan([], [])

    def cut(parent: str) -> None:
        found.top.append(treepath.ids(parent)[-1])
        width = len(parent) + treepath.SEGMENT
        children = list(
            within.filter(path__gt=parent, path__lt=treepath.upper_bound(parent))
            .annotate(child=Substr("path", 1, width))
            .values("child")
            .annotate(n=Count("pk"))
            .order_by("child")
            .values_list("child", "n")
        )
        kinds = dict(
            Unit.objects.filter(pk__in=[treepath.ids(c)[-1] for c, _n in children]).values_list(
                "pk", "kind"
            )
        )
        run: list[tuple[str, int]] = []

        def close() -> None:
            if run:
                found.pieces.append(Scope(run[0][0], treepath.upper_bound(run[-1][0])))
                run.clear()

        for child, n in children:
            if n > limit and kinds.get(treepath.ids(child)[-1]) not in UNCUT:
                close()
                cut(child)
                continue
            if run and sum(size for _c, size in run) + n > limit:
                close()
            run.append((child, n))
        close()

    cut(path)
    return found


def rows_of(query: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def compiled(queryset: QuerySet) -> tuple[str, list[Any]]:
    """A queryset as SQL and parameters prepared for this database, to nest in a statement."""
    query, params = queryset.order_by().query.sql_with_params()
    return query, list(params)


# Meetings -----------------------------------------------------------------------------------


def _first(model: Any, moment: str) -> Subquery:
    """The earliest `moment` of a meeting's documents or notices (an index probe a meeting)."""
    return Subquery(
        model.objects.filter(meeting_id=OuterRef("pk"))
        .order_by()
        .values("meeting_id")
        .annotate(first=Min(moment))
        .values("first")
    )


def meetings(ctx: Month) -> dict[int, list[MeetingFact]]:
    """The regular and thematic meetings the scope's units held in the month, with turnout,
    closing time, first document and first notice: one row a meeting, in two statements."""
    start, end = midnight(ctx.month), midnight(ctx.end + timedelta(days=1))
    held = Meeting.objects.filter(
        unit_id__in=ctx.subtree(),
        kind__in=MONITORED_KINDS,
        state__in=HELD,
        starts_at__gte=start,
        starts_at__lt=end,
    )
    closing = (
        AuditEvent.objects.filter(
            action="meetings.meeting.close",
            object_type="meetings.meeting",
            object_id=Cast(OuterRef("pk"), CharField()),
        )
        .order_by()
        .values("object_id")
        .annotate(first=Min("at"))
        .values("first")
    )
    present = (
        Attendance.objects.filter(
            meeting_id=OuterRef("pk"), counted=True, mark__in=[Mark.PRESENT, Mark.LATE]
        )
        .order_by()
        .values("meeting_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = held.annotate(
        closed=Subquery(closing),
        document=_first(MeetingDocument, "uploaded_at"),
        notice=_first(MeetingNotice, "sent_at"),
        present_n=Coalesce(Subquery(present), 0),
    ).values_list(
        "pk",
        "unit_id",
        "kind",
        "state",
        "starts_at",
        "ends_at",
        "present_n",
        "closed",
        "document",
        "notice",
    )
    expected = _expected(held)
    by_unit: dict[int, list[MeetingFact]] = defaultdict(list)
    for pk, unit_id, kind, state, starts_at, ends_at, n, closed, document, notice in sorted(
        rows, key=lambda row: (row[4], row[0])
    ):
        fact = MeetingFact(
            pk,
            unit_id,
            kind,
            state,
            timezone.localtime(starts_at),
            ends_at,
            expected.get(pk, 0),
            n,
            closed,
            document,
            notice,
        )
        by_unit[unit_id].append(fact)
    return by_unit


def _expected(held: QuerySet[Meeting]) -> dict[int, int]:
    """Members expected at each meeting (`meetings.selectors.expected`, RULES.md §1.5): the
    unit's memberships and statuses on the meeting's day, joined once for all the meetings and
    counted per meeting, where `with_turnout` looks them up meeting by meeting. A member's
    statuses do not overlap, so each membership meets one status a day."""
    days_sql, days_params = compiled(
        held.annotate(
            meeting=F("pk"),
            held_by=F("unit_id"),
            day=TruncDate("starts_at", tzinfo=timezone.get_current_timezone()),
        ).values("meeting", "held_by", "day")
    )
    ms, st = Membership._meta.db_table, MemberStatus._meta.db_table
    # Table names come from the models, values are parameters.
    query = f"""
        WITH days AS {materialized()} ({days_sql})
        SELECT d.meeting, COUNT(*) FROM days d
        JOIN {ms} ms ON ms.unit_id = d.held_by AND ms.valid_from <= d.day
             AND (ms.valid_to IS NULL OR ms.valid_to >= d.day)
        JOIN {st} s ON s.member_id = ms.member_id AND s.valid_from <= d.day
             AND (s.valid_to IS NULL OR s.valid_to >= d.day)
        WHERE (ms.kind = %s AND s.status = %s) OR (ms.kind <> %s AND s.status IN (%s, %s))
        GROUP BY d.meeting
    """  # noqa: S608
    params = [*days_params, MembershipKind.TEMPORARY, Status.ATTACHED, MembershipKind.TEMPORARY]
    params += [Status.OFFICIAL, Status.PROBATIONARY]
    return dict(rows_of(query, params))


def materialized() -> str:
    """Each part of a statement computed once: PostgreSQL would otherwise inline it and repeat
    its work for every row that reads it."""
    return "MATERIALIZED" if connection.vendor == "postgresql" else ""


def thematic_before(ctx: Month) -> dict[int, list[int]]:
    """Thematic meetings each unit held earlier in the month's quarter (one query)."""
    rows = (
        Meeting.objects.filter(
            unit_id__in=ctx.subtree(),
            kind=MeetingKind.THEMATIC,
            state__in=HELD,
            starts_at__gte=midnight(quarter_start(ctx.month)),
            starts_at__lt=midnight(ctx.month),
        )
        .order_by("starts_at", "pk")
        .values_list("unit_id", "pk")
    )
    found: dict[int, list[int]] = defaultdict(list)
    for unit_id, pk in rows:
        found[unit_id].append(pk)
    return found


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


class Counts(NamedTuple):
    roll: int  # members owing the month's dues: on the roll on the month's first day
    paid: int  # of them, those who paid the month's dues
    official: int  # official members on the day, party groups counted in their cell


def members(ctx: Month) -> dict[int, Counts]:
    """Each unit's roll, dues paid and official members, in one pass over the memberships and
    statuses of the month (a statement grouped by unit). A member's statuses follow each
    other without overlapping, so each membership meets one status a day and plain counts
    are exact; a member has one dues entry a month at most (`dues_once_a_month`).

    Written in SQL because the ORM reaches statuses and dues through the member's row, a join
    of the whole member table that neither needs (decision 0021)."""
    first, day = ctx.month, ctx.day
    low, high = min(first, day), max(first, day)
    on_roll, roll_params = on_roll_sql(first)
    units_sql, units_params = compiled(ctx.subtree())
    ms, st = Membership._meta.db_table, MemberStatus._meta.db_table
    dues = DuesPayment._meta.db_table
    date = connection.ops.adapt_datefield_value
    official = f"{active_on_sql('ms')} AND {active_on_sql('st')} AND st.status = %s"
    # Table names come from the models, values are parameters.
    query = f"""
        SELECT ms.unit_id,
               SUM(CASE WHEN {on_roll} THEN 1 ELSE 0 END),
               SUM(CASE WHEN {on_roll} AND d.id IS NOT NULL THEN 1 ELSE 0 END),
               SUM(CASE WHEN {official} THEN 1 ELSE 0 END)
        FROM {ms} ms
        JOIN {st} st ON st.member_id = ms.member_id
        LEFT JOIN {dues} d ON d.member_id = ms.member_id AND d.month = %s AND d.paid = %s
        WHERE ms.kind = %s AND ms.unit_id IN ({units_sql})
          AND {overlaps_sql("ms")} AND {overlaps_sql("st")}
        GROUP BY ms.unit_id
    """  # noqa: S608
    params = [*roll_params, *roll_params, *[date(day)] * 4, Status.OFFICIAL]
    params += [date(first), True, MembershipKind.OFFICIAL, *units_params]
    params += [date(low), date(high)] * 2
    rows = rows_of(query, params)
    found: dict[int, Counts] = {}
    officials: dict[int, int] = defaultdict(int)
    for unit_id, roll, paid, n in rows:
        found[unit_id] = Counts(roll, paid, 0)
        unit = ctx.units.get(unit_id)
        if unit is not None and unit.kind == UnitKind.GROUP and unit.parent_id in ctx.units:
            officials[unit.parent_id] += n
        else:
            officials[unit_id] += n
    for unit_id, n in officials.items():
        found[unit_id] = found.get(unit_id, Counts(0, 0, 0))._replace(official=n)
    return found


class Book(NamedTuple):
    month: bool  # the unit's dues book has the month
    kept: bool  # the unit has kept its dues book in chibo by this month


def dues_books(ctx: Month) -> dict[int, Book]:
    """Units whose dues book has the month, and those that keep their book in chibo by then:
    for the others a month with no entry says nothing about whether dues were collected on
    paper (one statement, two index probes a unit)."""
    book = DuesPayment.objects.filter(unit_id=OuterRef("unit_id"))
    rows = (
        ctx.scope.versions(ctx.day)
        .annotate(
            has_month=Exists(book.filter(month=ctx.month)),
            kept=Exists(book.filter(month__lte=ctx.month)),
        )
        .filter(kept=True)
        .values_list("unit_id", "has_month", "kept")
    )
    return {unit_id: Book(has_month, kept) for unit_id, has_month, kept in rows}


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
    """Transfers into or out of the scope still pending during the month, or confirmed in it
    (one query)."""
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
