"""Writes of the compliance monitor: evaluating a month, rolling results up the tree, alerts
(raised, acknowledged, resolved, escalated), removal reviews and the daily digest.

Each service is atomic and audited. Evaluation is idempotent: running it again for the same
month and unit replaces that month's rows with the same figures.
"""

from __future__ import annotations

import gc
import json
import logging
import smtplib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.audit.services import record, record_many
from chibo.compliance import facts, lapses, rows
from chibo.compliance.facts import Month, UnitInfo
from chibo.compliance.models import (
    Alert,
    AlertState,
    Lapse,
    LapseMonth,
    RemovalReview,
    Result,
    ReviewOutcome,
    Status,
)
from chibo.compliance.rows import Row, Rows
from chibo.compliance.rules import Reader
from chibo.lib.bulk import insert_rows
from chibo.lib.dates import today
from chibo.lib.intervals import active_on
from chibo.lib.oncommit import Batch
from chibo.members.models import Member
from chibo.units import treepath
from chibo.units.models import Unit, UnitVersion

log = logging.getLogger(__name__)
OPEN_STATES = (AlertState.OPEN, AlertState.ACKNOWLEDGED)
PIECE_UNITS = 12_000  # units evaluated together: a province (about 10.000), at most
# Rows a piece writes before the planner's statistics are taken again for the next pieces.
RESTATE_AFTER = 10_000


@dataclass
class Summary:
    month: date
    units: int
    results: int  # rows stored for the subtree (those that say something)
    alerts_raised: int = 0
    alerts_cleared: int = 0
    reviews: int = 0


def _ancestors(path: str, day: date) -> dict[int, UnitInfo]:
    """The units above `path` as they stood on `day` (one query)."""
    ids = treepath.ids(path)[:-1]
    rows = UnitVersion.objects.filter(active_on(day), unit_id__in=ids).values_list(
        "unit_id", "path", "parent_id", "unit__kind", "name"
    )
    return {u: UnitInfo(u, p, parent, kind, name) for u, p, parent, kind, name in rows}


@transaction.atomic
def evaluate(
    root: Unit,
    month: date,
    *,
    actor: User | None,
    as_of: date | None = None,
    alerts: bool = True,
    piece_units: int = PIECE_UNITS,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Evaluate every obligation for `root` and everything below it in `month`, store the
    results of every unit of the subtree, then recompute the rows of the units above it from
    their children's rows. Raises alerts and proposes removal reviews for the recent months.

    The facts are grouped statements over the whole subtree, so the number of queries does not
    depend on its size (decision 0014). A tree of more than `piece_units` units is evaluated in
    pieces of whole subtrees, one after the other, then the units above them from their
    children's stored rows, so that memory stays at one piece's (decision 0015); `progress`
    is told (pieces done, pieces) after each.
    """
    month = month.replace(day=1)
    as_of = as_of or today()
    day = min(facts.month_end(month), as_of)
    version = UnitVersion.objects.filter(active_on(day), unit=root).first()
    if version is None:
        return Summary(month, 0, 0)
    reader = Reader(day)
    plan = facts.plan(version.path, day, piece_units)
    now = timezone.now()
    summary = Summary(month, 0, 0)
    alerting = alerts and _alerting(month, as_of, reader, version.path)
    steps = len(plan.pieces) + bool(plan.top)
    with _collecting_later():
        for done, scope in enumerate(plan.pieces, start=1):
            ctx = Month(scope, month, as_of, facts.load_units(scope, day), reader)
            _evaluate_part(ctx, rows.judge(ctx), summary, actor, now, alerting)
            if len(plan.pieces) > 1 and ctx.written >= RESTATE_AFTER:
                _refresh_statistics()
            del ctx  # the piece's facts go before the next piece's come
            if progress:
                progress(done, steps)
        _forget_strays(version.path, month, day)
        if plan.top:
            scope = facts.Scope(ids=tuple(plan.top))
            ctx = Month(scope, month, as_of, facts.load_units(scope, day), reader)
            _evaluate_part(ctx, rows.judge(ctx), summary, actor, now, alerting, children=True)
            if progress:
                progress(steps, steps)
    _refresh_above(version.path, month, day, reader, now)
    record(
        "compliance.month.evaluate",
        actor=actor,
        obj=root,
        unit=root,
        changes={
            "month": f"{month:%Y-%m}",
            "as_of": as_of,
            "units": summary.units,
            "results": summary.results,
            "alerts_raised": summary.alerts_raised,
            "alerts_cleared": summary.alerts_cleared,
        },
    )
    return summary


@contextmanager
def _collecting_later() -> Iterator[None]:
    """Python's cycle collector paused while a piece's hundred thousand small objects (facts,
    verdicts, rows, none of them in cycles) are alive: it would walk them all again and again,
    which costs more than the judging. Resumed after, as it was."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _evaluate_part(
    ctx: Month,
    own: Rows,
    summary: Summary,
    actor: User | None,
    now: datetime,
    alerting: bool,
    children: bool = False,
) -> None:
    """Roll up and store one piece's rows (with `children`: the units above the pieces, whose
    children outside the part are already stored), then its alerts and reviews."""
    below: list[tuple[int, str, tuple[int, int, int, int, int]]] = []
    if children:
        ids = list(ctx.units)
        below = [
            (parent, code, tuple(figures))
            for parent, code, *figures in Result.objects.filter(month=ctx.month, parent_id__in=ids)
            .exclude(unit_id__in=ids)
            .values_list("parent_id", "obligation", *rows.FIGURES)
        ]
    ctx.cache.clear()  # the facts are judged: only the rows are needed from here on
    # The own rows are summed into in place: alerts and reviews read only their judgement.
    found = rows.roll_up(ctx.units, rows.seed(own, below) if below else dict(own), ctx.rules)
    summary.units += len(ctx.units)
    stored, written = _store(ctx.subtree(), ctx.units, found, ctx.month, now)
    summary.results += stored
    ctx.written += written
    if alerting:
        raised, cleared = _sync_alerts(ctx, own, actor, now)
        summary.alerts_raised += raised
        summary.alerts_cleared += cleared
        proposed = _sync_reviews(ctx, own, actor, now)
        summary.reviews += proposed
        ctx.written += raised + proposed


STORED = ("parent_id", "path", "status", "own", *rows.FIGURES, "detail")


def _store(
    scope: QuerySet, units: dict[int, UnitInfo], found: Rows, month: date, now: datetime
) -> tuple[int, int]:
    """Make the month's stored rows of the units in `scope` those `found`, and say how many
    there are and how many were written: rows that did not change are left as they are (a
    month evaluated again, as every night, rewrites only what changed), the others deleted and
    inserted in bulk (COPY on PostgreSQL). The stored rows are compared as they are read, a
    chunk at a time; a row's detail is read as text and parsed only where its figures are the
    same."""

    def values(key: tuple[int, str], row: Row) -> tuple[Any, ...]:
        unit = units[key[0]]
        return (unit.parent_id, unit.path, row.status, row.own, *row.figures())

    stale: list[int] = []
    kept: set[tuple[int, str]] = set()
    stored = Result.objects.filter(month=month, unit_id__in=scope).values_list(
        "pk", "unit_id", "obligation", *STORED[:-1], Cast("detail", TextField())
    )
    for pk, unit_id, code, *was in stored.iterator(chunk_size=10_000):
        key = (unit_id, code)
        row = found.get(key)
        same = row is not None and row.worth_keeping and values(key, row) == tuple(was[:-1])
        if same and row is not None and row.detail == json.loads(was[-1]):
            kept.add(key)
        else:
            stale.append(pk)
    for start in range(0, len(stale), 5000):
        Result.objects.filter(pk__in=stale[start : start + 5000]).delete()
    worth = [(key, row) for key, row in found.items() if row.worth_keeping]
    written = insert_rows(
        Result,
        ["unit_id", "obligation", "month", *STORED, "evaluated_at"],
        (
            (key[0], key[1], month, *values(key, row), row.detail, now)
            for key, row in worth
            if key not in kept
        ),
    )
    return len(worth), written


def _refresh_statistics() -> None:
    """Take the planner's statistics of the tables a piece wrote again (PostgreSQL): the next
    pieces read them by unit within the same transaction, and planned on what they held
    before the evaluation (a month's results not there yet) would scan the rows of every
    piece written so far once for each of their own, which made the first evaluation of a
    month for the whole Party run for half an hour. Only after a piece that wrote many rows
    (`RESTATE_AFTER`): a month evaluated again rewrites few, and analysing the tables after
    each of the Party's 40 pieces took 15–18 s of its 170. The alerts and reviews are among
    them: planned on a month without alerts, finding a piece's 7.000 among the Party's
    340.000 took 0,37 s a piece instead of 0,01."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    written = (Result, Lapse, LapseMonth, Alert, RemovalReview)
    tables = ", ".join(quote(model._meta.db_table) for model in written)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def _forget_strays(path: str, month: date, day: date) -> None:
    """Rows of the month filed under the subtree's paths for units no longer in it."""
    subtree = facts.Scope.below(path).versions(day).filter(unit_id=OuterRef("unit_id"))
    # NOT EXISTS, an anti-join: NOT IN over a province's versions is a subplan per row.
    Result.objects.filter(month=month).filter(treepath.within(path)).exclude(
        Exists(subtree)
    ).delete()


def _alerting(month: date, as_of: date, reader: Reader, path: str) -> bool:
    """Alerts and reviews only for the recent months: older history is for the figures."""
    back = reader("compliance.alert_months", path)
    return month >= as_of.replace(day=1) - relativedelta(months=back - 1)


def _refresh_above(path: str, month: date, day: date, reader: Reader, now: datetime) -> None:
    """Recompute the rows of the units above `path` from their own judgement and their
    children's stored rows (three queries whatever the depth)."""
    above = _ancestors(path, day)
    if not above:
        return
    ids = list(above)
    own: Rows = {}
    below: list[tuple[int, str, tuple[int, int, int, int, int]]] = []
    stored = Result.objects.filter(month=month).filter(Q(unit_id__in=ids) | Q(parent_id__in=ids))
    for unit_id, parent_id, code, is_own, detail, *figures in stored.values_list(
        "unit_id", "parent_id", "obligation", "own", "detail", *rows.FIGURES
    ):
        if unit_id in above and is_own:
            own[unit_id, code] = Row.stored(detail)
        if parent_id in above and unit_id not in above:
            below.append((parent_id, code, tuple(figures)))
    found = rows.roll_up(above, rows.seed(own, below), reader)
    Result.objects.filter(month=month, unit_id__in=ids).delete()
    insert_rows(
        Result,
        ["unit_id", "obligation", "month", *STORED, "evaluated_at"],
        (
            (
                unit_id,
                code,
                month,
                above[unit_id].parent_id,
                above[unit_id].path,
                row.status,
                row.own,
                *row.figures(),
                row.detail,
                now,
            )
            for (unit_id, code), row in found.items()
            if row.worth_keeping
        ),
    )


# Alerts ------------------------------------------------------------------------------------


def _sync_alerts(ctx: Month, own: Rows, actor: User | None, now: datetime) -> tuple[int, int]:
    """An alert for each failed or warning result of the month; results that are ok again
    resolve theirs. Returns (raised, cleared)."""
    existing = {
        (unit_id, code): (pk, state, status, message, path)
        for pk, unit_id, code, state, status, message, path in Alert.objects.filter(
            month=ctx.month, unit_id__in=ctx.subtree()
        ).values_list("pk", "unit_id", "obligation", "state", "status", "message", "path")
    }
    new, changed, cleared = [], [], []
    for (unit_id, code), row in own.items():
        status, message = row.detail["own"][0], row.detail["message"][:500]
        alert = existing.get((unit_id, code))
        bad = status in (Status.WARNING, Status.FAILED)
        path = ctx.units[unit_id].path
        if bad and alert is None:
            new.append(
                Alert(
                    unit_id=unit_id,
                    obligation=code,
                    month=ctx.month,
                    path=path,
                    status=status,
                    message=message,
                    level_id=unit_id,
                    level_since=now,
                    raised_at=now,
                )
            )
        elif alert is None or alert[1] not in OPEN_STATES:
            continue
        elif bad and alert[2:] != (status, message, path):
            changed.append(Alert(pk=alert[0], status=status, message=message, path=path))
        elif not bad:
            note = _("Kết quả đã đạt khi đánh giá lại; tự động đóng cảnh báo.")
            cleared.append(
                Alert(
                    pk=alert[0],
                    unit_id=unit_id,
                    obligation=code,
                    message=alert[3],
                    state=AlertState.RESOLVED,
                    resolved_at=now,
                    note=note,
                )
            )
    Alert.objects.bulk_create(new, batch_size=1000)
    Alert.objects.bulk_update(changed, ["status", "message", "path"], batch_size=1000)
    Alert.objects.bulk_update(cleared, ["state", "resolved_at", "note"], batch_size=1000)
    touched = {a.unit_id for a in new} | {a.unit_id for a in cleared}
    units = {u.pk: u for u in Unit.objects.filter(pk__in=touched)} if touched else {}
    record_many(
        "compliance.alert.raise",
        actor=actor,
        objects=[
            (a, units[a.unit_id], {"obligation": a.obligation, "month": f"{a.month:%Y-%m}"})
            for a in new
        ],
    )
    record_many(
        "compliance.alert.clear",
        actor=actor,
        objects=[(a, units[a.unit_id], {"obligation": a.obligation}) for a in cleared],
    )
    return len(new), len(cleared)


def _sync_reviews(ctx: Month, own: Rows, actor: User | None, now: datetime) -> int:
    """A removal review proposed to the cell for each member flagged; a pending one keeps its
    months up to date. Returns how many were proposed."""
    flagged: dict[tuple[int, int, date], dict[str, list[str]]] = {}
    for (unit_id, code), row in own.items():
        if code != "removal_review" or not row.detail.get("members"):
            continue
        start = date.fromisoformat(row.detail["period_start"])
        for member_id, months in row.detail["members"].items():
            flagged[int(member_id), unit_id, start] = months
    if not flagged:
        return 0
    starts = {start for _m, _u, start in flagged}
    existing = {
        (member_id, unit_id, start): (pk, outcome, absent, unpaid)
        for pk, member_id, unit_id, start, outcome, absent, unpaid in RemovalReview.objects.filter(
            period_start__in=starts, unit_id__in=ctx.subtree()
        ).values_list(
            "pk",
            "member_id",
            "unit_id",
            "period_start",
            "outcome",
            "absent_months",
            "unpaid_months",
        )
    }
    new, changed = [], []
    for key, months in flagged.items():
        review = existing.get(key)
        if review is None:
            member_id, unit_id, start = key
            new.append(
                RemovalReview(
                    member_id=member_id,
                    unit_id=unit_id,
                    period_start=start,
                    absent_months=months["absent"],
                    unpaid_months=months["unpaid"],
                    proposed_at=now,
                )
            )
        elif review[1] == ReviewOutcome.PENDING and (
            review[2] != months["absent"] or review[3] != months["unpaid"]
        ):
            changed.append(
                RemovalReview(
                    pk=review[0], absent_months=months["absent"], unpaid_months=months["unpaid"]
                )
            )
    RemovalReview.objects.bulk_create(new)
    RemovalReview.objects.bulk_update(changed, ["absent_months", "unpaid_months"], batch_size=500)
    if new:
        units = {u.pk: u for u in Unit.objects.filter(pk__in={r.unit_id for r in new})}
        people = {m.pk: m for m in Member.objects.filter(pk__in={r.member_id for r in new})}
        for r in new:
            r.member = people[r.member_id]  # named in the audit log's text
        record_many(
            "compliance.review.propose",
            actor=actor,
            objects=[
                (
                    r,
                    units[r.unit_id],
                    {"member": r.member_id, "absent": r.absent_months, "unpaid": r.unpaid_months},
                )
                for r in new
            ],
        )
    return len(new)


def _note(note: str) -> str:
    return "\n".join(line.rstrip() for line in note.strip().splitlines())


def _locked_alert(alert: Alert) -> Alert:
    return (
        Alert.objects.select_for_update(of=("self",))
        .select_related("unit", "level")
        .get(pk=alert.pk)
    )


@transaction.atomic
def acknowledge_alert(alert: Alert, *, actor: User | None) -> Alert:
    """Say the alert was seen and is being dealt with. It still escalates until resolved."""
    alert = _locked_alert(alert)
    if alert.state != AlertState.OPEN:
        raise ValidationError(
            _("Cảnh báo này đã được tiếp nhận hoặc xử lý. (Already acknowledged.)")
        )
    alert.state, alert.acknowledged_at, alert.acknowledged_by = (
        AlertState.ACKNOWLEDGED,
        timezone.now(),
        actor,
    )
    alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
    record("compliance.alert.acknowledge", actor=actor, obj=alert, unit=alert.unit, changes={})
    return alert


@transaction.atomic
def resolve_alert(alert: Alert, *, actor: User | None, note: str) -> Alert:
    """Close the alert with a note on what was done (or why nothing needs doing)."""
    alert = _locked_alert(alert)
    if alert.state == AlertState.RESOLVED:
        raise ValidationError(_("Cảnh báo này đã được xử lý. (Already resolved.)"))
    note = _note(note)
    if not note:
        raise ValidationError(_("Hãy ghi rõ đã xử lý thế nào. (A note is required.)"))
    alert.state, alert.resolved_at, alert.resolved_by, alert.note = (
        AlertState.RESOLVED,
        timezone.now(),
        actor,
        note[:5000],
    )
    alert.save(update_fields=["state", "resolved_at", "resolved_by", "note"])
    record(
        "compliance.alert.resolve", actor=actor, obj=alert, unit=alert.unit, changes={"note": note}
    )
    return alert


@transaction.atomic
def escalate_alerts(*, actor: User | None, now: datetime | None = None) -> int:
    """Move every alert not resolved within the configured days to the unit above its current
    level (and on up, one level per period). Returns how many moved."""
    now = now or timezone.now()
    reader = Reader(timezone.localtime(now).date())
    pending = (
        Alert.objects.select_for_update(of=("self",))
        .filter(state__in=OPEN_STATES, level__parent__isnull=False)
        .select_related("level", "unit")
    )
    moved = []
    for alert in pending:
        days = reader("compliance.alert_escalation_days", alert.level.path)
        if alert.level_since + timedelta(days=days) > now:
            continue
        before = alert.level_id
        assert alert.level.parent_id is not None  # filtered above
        alert.level_id = alert.level.parent_id
        alert.escalations += 1
        alert.level_since = now
        moved.append((alert, before))
    Alert.objects.bulk_update([a for a, _b in moved], ["level", "escalations", "level_since"])
    record_many(
        "compliance.alert.escalate",
        actor=actor,
        objects=[(a, a.unit, {"from": before, "to": a.level_id}) for a, before in moved],
    )
    return len(moved)


@transaction.atomic
def decide_review(
    review: RemovalReview, *, actor: User | None, outcome: str, note: str
) -> RemovalReview:
    """Record what the cell decided on a removal review. Proposing removal here proposes it to
    the competent committee; nobody is removed by this service."""
    review = (
        RemovalReview.objects.select_for_update(of=("self",))
        .select_related("unit", "member")
        .get(pk=review.pk)
    )
    if review.outcome != ReviewOutcome.PENDING:
        raise ValidationError(_("Chi bộ đã xem xét trường hợp này. (Already decided.)"))
    if outcome not in (ReviewOutcome.NOT_PROPOSED, ReviewOutcome.PROPOSED):
        raise ValidationError(_("Kết quả xem xét không hợp lệ. (Unknown outcome.)"))
    note = _note(note)
    if not note:
        raise ValidationError(_("Hãy ghi ý kiến của chi bộ. (A note is required.)"))
    review.outcome, review.note, review.decided_at, review.decided_by = (
        outcome,
        note[:5000],
        timezone.now(),
        actor,
    )
    review.save(update_fields=["outcome", "note", "decided_at", "decided_by"])
    record(
        "compliance.review.decide",
        actor=actor,
        obj=review,
        unit=review.unit,
        changes={"outcome": outcome, "note": note, "member": review.member_id},
    )
    return review


# Re-evaluation when records change -----------------------------------------------------------


def meeting_changed(meeting: Any) -> None:
    """Re-evaluate the meeting's unit for its month (and the rest of its quarter) once the
    transaction that changed it commits. Many changes in one transaction are evaluated
    together, a month at a time, so a bulk import costs a few evaluations, not one each."""
    unit_changed(meeting.unit_id, timezone.localtime(meeting.starts_at).date())


def unit_changed(unit_id: int, day: date, members: Iterable[int] = ()) -> None:
    """A record of `unit` changed on `day` (dues collected, a member's status, a transfer):
    re-evaluate its month and the rest of that quarter after the transaction commits. Its
    stored lapses from that month on (and, for dues recorded for `members` of other units,
    theirs) are forgotten now, in the same transaction, and read again when next needed."""
    lapses.forget([unit_id], day, members)
    month = day.replace(day=1)
    if month > today():
        return
    queue = _changes.pending()
    last = min(facts.quarter_start(month) + relativedelta(months=2), today().replace(day=1))
    while month <= last:
        queue.add((unit_id, month))
        month += relativedelta(months=1)
    _changes.flush_on_commit()


def _evaluate_changes(queue: set[tuple[int, date]]) -> None:
    """Evaluate what one committed transaction changed, a month at a time."""
    by_month: dict[date, set[int]] = defaultdict(set)
    for unit_id, month in sorted(queue, key=lambda item: item[1]):
        by_month[month].add(unit_id)
    for month, unit_ids in by_month.items():
        units = list(Unit.objects.filter(pk__in=unit_ids))
        for root in _roots(units):
            evaluate(root, month, actor=None)


_changes: Batch[set[tuple[int, date]]] = Batch(_evaluate_changes, set)


def _roots(units: list[Unit]) -> list[Unit]:
    """A few units are evaluated one by one; many at once through their lowest common unit."""
    if len(units) <= 5:
        return units
    common = units[0].path
    for unit in units[1:]:
        while not unit.path.startswith(common):
            common = common[: -treepath.SEGMENT]
    top = Unit.objects.filter(path=common).first()
    return [top] if top else units


# The daily digest --------------------------------------------------------------------------


@dataclass
class DigestResult:
    recipients: int
    alerts: int


def send_digests(*, actor: User | None, base_url: str, dry_run: bool = False) -> DigestResult:
    """E-mail each person responsible for open alerts the list of them, once (the daily
    digest): in Vietnamese, one message per address. Recorded in the audit log."""
    from chibo.compliance.selectors import inbox, responsible_users

    messages, sent = [], []
    total = 0
    with translation.override(settings.LANGUAGE_CODE):
        for user in responsible_users():
            address = (user.email or getattr(getattr(user, "member", None), "email", "")).strip()
            if not address:
                continue
            alerts = list(inbox(user)[:200])
            if not alerts:
                continue
            context = {
                "user": user,
                "alerts": alerts,
                "inbox_url": base_url.rstrip("/") + reverse("compliance:inbox"),
            }
            subject = " ".join(render_to_string("compliance/digest_subject.txt", context).split())
            body = render_to_string("compliance/digest_email.txt", context)
            messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]))
            sent.append((user, len(alerts)))
            total += len(alerts)
    if dry_run:
        return DigestResult(len(sent), total)
    try:
        if messages:
            get_connection().send_messages(messages)
    except (smtplib.SMTPException, OSError) as error:
        raise ValidationError(
            _("Không gửi được thư điện tử (%(error)s). (The mail server refused.)")
            % {"error": error}
        ) from error
    with transaction.atomic():
        record_many(
            "compliance.digest.send",
            actor=actor,
            objects=[(user, None, {"alerts": n}) for user, n in sent],
        )
    return DigestResult(len(sent), total)


def forget_changes() -> None:
    """Drop the re-evaluations this transaction queued (after evaluating the same months)."""
    _changes.discard()
