"""Reads of the compliance monitor: a unit's dashboard for a month, the inbox of alerts, the
people responsible. Permission comes from accounts.access.

The dashboard reads stored results only: the unit's own rows over twelve months and its
children's rows for the month, a few hundred rows whatever the size of the subtree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from chibo.accounts import access
from chibo.accounts.models import Role, RoleAssignment, User
from chibo.committees.models import CommitteeSeat, Position, SupervisionAssignment
from chibo.compliance import obligations
from chibo.compliance.facts import month_end
from chibo.compliance.models import Alert, AlertState, RemovalReview, Result, ReviewOutcome, Status
from chibo.lib.dates import today
from chibo.lib.intervals import active_on
from chibo.meetings.models import Meeting
from chibo.meetings.selectors import with_turnout
from chibo.units import treepath
from chibo.units.models import Unit
from chibo.units.selectors import version_on

OPEN_STATES = (AlertState.OPEN, AlertState.ACKNOWLEDGED)
TREND_MONTHS = 12
# What the trend charts show: the figures a committee reads first.
TREND_CODES = ("regular_meeting", "attendance_rate", "dues_collected")
SEVERITY = Case(
    When(status=Status.FAILED, then=Value(0)),
    When(status=Status.WARNING, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def parse_month(text: str | None) -> date | None:
    """2026-10 → 1/10/2026; anything else → None."""
    try:
        year, number = (int(part) for part in (text or "").strip().split("-"))
        return date(year, number, 1) if 1930 <= year <= 2200 else None
    except ValueError:
        return None


def default_month() -> date:
    """The month a dashboard opens on: the last month that is over."""
    return today().replace(day=1) - relativedelta(months=1)


def percent(numerator: int, denominator: int) -> str:
    """86,2 % (Vietnamese) or 86.2 % (English), one decimal."""
    if not denominator:
        return "—"
    # A no-break space: the figure and its sign stay on one line on a narrow phone.
    return f"{number_format(100 * numerator / denominator, 1, use_l10n=True)}\u00a0%"


def figure(row: Result | None) -> str:
    """A result's figure as a person reads it: a rate, or "13/14"."""
    if row is None or not row.denominator:
        return "—"
    obligation = obligations.REGISTRY.get(row.obligation)
    if obligation is not None and obligation.figure == "rate":
        return percent(row.numerator, row.denominator)
    return f"{number_format(row.numerator, use_l10n=True, force_grouping=True)}/" + (
        number_format(row.denominator, use_l10n=True, force_grouping=True)
    )


@dataclass
class Line:
    """One unit's row of the matrix: its results by obligation for the month."""

    unit: Unit
    cells: list[Result | None]
    link: bool

    @property
    def failed(self) -> int:
        return sum(r.units_failed for r in self.cells if r is not None)

    @property
    def warning(self) -> int:
        return sum(r.units_warning for r in self.cells if r is not None)

    @property
    def score(self) -> float:
        """Share of the results below it that are ok: the exemplary units first."""
        ok = sum(r.units_ok for r in self.cells if r is not None)
        total = sum(r.applicable for r in self.cells if r is not None)
        return ok / total if total else -1.0


@dataclass
class Trend:
    code: str
    label: str
    points: list[tuple[date, float | None]]

    WIDTH, HEIGHT = 240, 60

    def dots(self) -> list[tuple[str, str]]:
        """Where each known month sits on the chart, 0–100 % (no script, no library)."""
        step = self.WIDTH / max(len(self.points) - 1, 1)
        return [
            (f"{i * step:.1f}", f"{self.HEIGHT - value * self.HEIGHT / 100:.1f}")
            for i, (_m, value) in enumerate(self.points)
            if value is not None
        ]

    def svg_points(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.dots())

    @property
    def last(self) -> float | None:
        known = [v for _m, v in self.points if v is not None]
        return known[-1] if known else None

    def text(self) -> str:
        """The same figures as words, for screen readers and for the table view."""
        return "; ".join(
            f"{m:%m/%Y}: {number_format(v, 1, use_l10n=True) + ' %' if v is not None else '—'}"
            for m, v in self.points
        )


@dataclass
class Dashboard:
    unit: Unit
    month: date
    obligations: list[obligations.Obligation]
    own: dict[str, Result]
    lines: list[Line]
    trends: list[Trend]
    meetings: list[Meeting] = field(default_factory=list)
    reviews: list[RemovalReview] = field(default_factory=list)
    open_alerts: int = 0

    @property
    def lagging(self) -> list[Line]:
        """Units below with a failed result this month, the worst first."""
        found = [line for line in self.lines if line.failed]
        return sorted(found, key=lambda line: (-line.failed, -line.warning, line.unit.name))

    @property
    def is_leaf(self) -> bool:
        return not self.lines and any(r.own for r in self.own.values())

    def headline(self) -> list[tuple[str, str, str]]:
        """(figure, what it counts, status) for the obligations with a headline sentence."""
        found = []
        for obligation in self.obligations:
            row = self.own.get(obligation.code)
            if row is None or not obligation.headline or not row.denominator:
                continue
            found.append((figure(row), str(obligation.headline), row.status))
        return found


def dashboard(user: User, unit: Unit, month: date) -> Dashboard:
    """A unit's dashboard for `month`, from stored results (a constant number of queries)."""
    months = [month - relativedelta(months=n) for n in range(TREND_MONTHS - 1, -1, -1)]
    codes = obligations.ordered()
    own_rows = list(Result.objects.filter(unit=unit, month__in=months))
    by_month = {(r.month, r.obligation): r for r in own_rows}
    own = {r.obligation: r for r in own_rows if r.month == month}
    children = list(
        Result.objects.filter(parent=unit, month=month).select_related("unit").order_by("path")
    )
    by_unit: dict[int, dict[str, Result]] = {}
    units: dict[int, Unit] = {}
    for row in children:
        by_unit.setdefault(row.unit_id, {})[row.obligation] = row
        units[row.unit_id] = row.unit
    links = access.visible_among(user, list(units), on=month) if units else set()
    lines = [
        Line(units[uid], [rows.get(o.code) for o in codes], uid in links)
        for uid, rows in by_unit.items()
    ]
    lines.sort(key=lambda line: (-line.score, line.unit.name))
    trends = []
    for code in TREND_CODES:
        obligation = obligations.REGISTRY[code]
        points: list[tuple[date, float | None]] = []
        for m in months:
            found = by_month.get((m, code))
            value = (
                100 * found.numerator / found.denominator if found and found.denominator else None
            )
            points.append((m, value))
        trends.append(Trend(code, str(obligation.label), points))
    board = Dashboard(unit, month, codes, own, lines, trends)
    # The units below the unit in the month are the user's to see (access_unit read the month):
    # the month's alerts are counted by where their units stood then, from one index.
    path = month_path(unit, month, next(iter(own.values())).path if own else None)
    board.open_alerts = Alert.objects.filter(
        treepath.within(path), month=month, state__in=OPEN_STATES
    ).count()
    if not lines:
        board.meetings = list(month_meetings(unit, month))
        if access.sees_members_of(user, unit):
            board.reviews = list(
                RemovalReview.objects.filter(unit=unit, outcome=ReviewOutcome.PENDING)
                .select_related("member")
                .order_by("member__sort_name")
            )
    return board


def month_meetings(unit: Unit, month: date) -> QuerySet[Meeting]:
    """The unit's meetings in the month with their turnout (one query)."""
    start = timezone.make_aware(datetime.combine(month, time()))
    end = timezone.make_aware(datetime.combine(month + relativedelta(months=1), time()))
    return with_turnout(
        Meeting.objects.filter(unit=unit, starts_at__gte=start, starts_at__lt=end)
    ).order_by("starts_at")


# Alerts ------------------------------------------------------------------------------------


def _responsible(user: User) -> Q:
    """The alerts `user` must act on: those held at a unit where they are committee staff or
    the secretary (a role, or the secretary's seat), and those not yet escalated from a unit
    whose supervising committee member they are."""
    on = today()
    held = [a.unit_id for a in access.active_roles(user) if a.role in (Role.SECRETARY, Role.STAFF)]
    q = Q(level_id__in=held)
    member = getattr(user, "member", None)
    if member is not None:
        seats = CommitteeSeat.objects.filter(
            active_on(on), member=member, position=Position.SECRETARY
        ).values("unit_id")
        supervised = SupervisionAssignment.objects.filter(active_on(on), supervisor=member)
        q |= Q(level_id__in=seats)
        q |= Q(unit_id__in=supervised.values("unit_id"), escalations=0)
    return q


def inbox(user: User) -> QuerySet[Alert]:
    """Unresolved alerts the user is responsible for and may see, the most serious first."""
    return (
        access.alerts_visible_to(user)
        .filter(_responsible(user), state__in=OPEN_STATES)
        .select_related("unit", "level")
        .annotate(severity=SEVERITY)
        .order_by("severity", "-month", "unit__path", "id")
    )


def month_path(unit: Unit, month: date, stored: str | None = None) -> str:
    """Where `unit` stood in the tree in `month`, as the month's results and alerts record it
    (decision 0017): the path `stored` in a result of the month already read, else one of its
    results of the month, else its version at the month's end (today in the current month)."""
    if stored:
        return stored
    found = Result.objects.filter(unit=unit, month=month).values_list("path", flat=True).first()
    if found:
        return found
    version = version_on(unit, min(month_end(month), today()))
    return version.path if version else unit.path


def unit_alerts(
    user: User, unit: Unit, *, resolved: bool = False, month: date | None = None
) -> QuerySet[Alert]:
    """Alerts of `unit` and the units below it that the user may see. With `month`, that
    month's alerts of the units below the unit as it stood then: the list behind the count on
    the month's dashboard (decision 0017), found through the same index."""
    states = [AlertState.RESOLVED] if resolved else list(OPEN_STATES)
    if month is None:
        below = treepath.within(unit.path, "unit__path")
    else:
        below = treepath.within(month_path(unit, month)) & Q(month=month)
    return (
        access.alerts_visible_to(user)
        .filter(below, state__in=states)
        .select_related("unit", "level")
        .annotate(severity=SEVERITY)
        .order_by("severity", "-month", "unit__path", "id")
    )


def responsible_users() -> list[User]:
    """Everyone who may be responsible for an alert today: secretaries and committee staff by
    role, secretaries by seat, supervising committee members (for the daily digest)."""
    on = today()
    by_role = RoleAssignment.objects.filter(
        active_on(on), role__in=(Role.SECRETARY, Role.STAFF)
    ).values("user_id")
    seats = CommitteeSeat.objects.filter(active_on(on), position=Position.SECRETARY).values(
        "member__user_id"
    )
    supervisors = SupervisionAssignment.objects.filter(active_on(on)).values("supervisor__user_id")
    return list(
        User.objects.filter(
            Q(pk__in=by_role) | Q(pk__in=seats) | Q(pk__in=supervisors), is_active=True
        ).order_by("username")
    )


def who_acts(alert: Alert) -> list[str]:
    """The people an alert is with now, as names for its page (three queries)."""
    on = today()
    names = [
        f"{seat.member.full_name} · {seat.get_position_display()} {alert.level.name}"
        for seat in CommitteeSeat.objects.filter(
            active_on(on), unit=alert.level, position=Position.SECRETARY
        ).select_related("member")
    ]
    names += [
        f"{r.user} · {r.get_role_display()} {alert.level.name}"
        for r in RoleAssignment.objects.filter(
            active_on(on), unit=alert.level, role__in=(Role.SECRETARY, Role.STAFF)
        ).select_related("user")
    ]
    if not alert.escalations:
        names += [
            f"{a.supervisor.full_name} · {_('cấp ủy viên phụ trách')}"
            for a in SupervisionAssignment.objects.filter(
                active_on(on), unit=alert.unit
            ).select_related("supervisor")
        ]
    return names


def escalates_on(alert: Alert) -> datetime | None:
    """When an unresolved alert moves up next, if there is a unit above its level."""
    from chibo.compliance.rules import Reader

    if alert.state == AlertState.RESOLVED or alert.level.parent_id is None:
        return None
    days = Reader(today())("compliance.alert_escalation_days", alert.level.path)
    return alert.level_since + timedelta(days=days)


def meeting_ids(row: Result | None) -> list[int]:
    return list(row.detail.get("meetings", [])) if row else []


def detail_of(row: Result) -> dict[str, Any]:
    return row.detail
