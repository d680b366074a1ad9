"""Writes of the compliance monitor: evaluating a month, rolling results up the tree, alerts
(raised, acknowledged, resolved, escalated), removal reviews and the daily digest.

Each service is atomic and audited. Evaluation is idempotent: running it again for the same
month and unit replaces that month's rows with the same figures.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.audit.services import record, record_many
from chibo.compliance import facts, obligations
from chibo.compliance.facts import Month, UnitInfo
from chibo.compliance.models import (
    Alert,
    AlertState,
    RemovalReview,
    Result,
    ReviewOutcome,
    Status,
)
from chibo.compliance.obligations import Verdict
from chibo.compliance.rules import Reader
from chibo.lib.dates import today
from chibo.lib.intervals import active_on
from chibo.units import treepath
from chibo.units.models import Unit, UnitVersion

log = logging.getLogger(__name__)
OPEN_STATES = (AlertState.OPEN, AlertState.ACKNOWLEDGED)
SUMMED = ("units_ok", "units_warning", "units_failed", "numerator", "denominator")


def derive(ok: int, warning: int, failed: int, tolerance: int) -> str:
    """The status of a roll-up: ok when every unit below is; failed when more than
    `tolerance` % of them failed; otherwise a warning. One unit is its own status."""
    applicable = ok + warning + failed
    if not applicable:
        return Status.NOT_APPLICABLE
    if not warning and not failed:
        return Status.OK
    return Status.FAILED if failed * 100 > tolerance * applicable else Status.WARNING


def _counts(status: str) -> tuple[int, int, int]:
    return (
        int(status == Status.OK),
        int(status == Status.WARNING),
        int(status == Status.FAILED),
    )


@dataclass
class Summary:
    month: date
    units: int
    results: int
    alerts_raised: int = 0
    alerts_cleared: int = 0
    reviews: int = 0


def judge(ctx: Month) -> dict[tuple[int, str], Verdict]:
    """Every obligation switched on for every unit it applies to, from facts read in bulk."""
    verdicts: dict[tuple[int, str], Verdict] = {}
    for unit in ctx.units.values():
        for obligation in obligations.active(ctx, unit):
            if obligation.leaves_only and not unit.leaf:
                continue
            verdict = obligation.judge(ctx, unit)
            if verdict is not None:
                verdicts[unit.id, obligation.code] = verdict
    return verdicts


def _own_row(unit: UnitInfo, code: str, verdict: Verdict) -> dict[str, Any]:
    ok, warning, failed = _counts(verdict.status)
    return {
        "units_ok": ok,
        "units_warning": warning,
        "units_failed": failed,
        "numerator": verdict.numerator,
        "denominator": verdict.denominator,
        "own": True,
        "detail": {
            **verdict.detail,
            "own": [verdict.status, verdict.numerator, verdict.denominator],
            "message": verdict.message,
        },
    }


def roll_up(
    units: dict[int, UnitInfo],
    own: dict[tuple[int, str], dict[str, Any]],
    reader: Reader,
) -> dict[tuple[int, str], dict[str, Any]]:
    """Rows for every unit: its own figures plus the sums of its children's rows, deepest
    units first, so that each sum is exact (the property tests recount it from the records)."""
    rows: dict[tuple[int, str], dict[str, Any]] = {k: dict(v) for k, v in own.items()}
    by_unit: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for (unit_id, code), row in rows.items():
        by_unit[unit_id][code] = row
    for unit in sorted(units.values(), key=lambda u: -u.depth):
        for code, row in by_unit.get(unit.id, {}).items():
            row["status"] = derive(
                row["units_ok"],
                row["units_warning"],
                row["units_failed"],
                reader("compliance.rollup_failed_percent", unit.path),
            )
            if unit.parent_id is None or unit.parent_id not in units:
                continue
            above = rows.get((unit.parent_id, code))
            if above is None:
                above = {**dict.fromkeys(SUMMED, 0), "own": False, "detail": {}}
                rows[unit.parent_id, code] = by_unit[unit.parent_id][code] = above
            for name in SUMMED:
                above[name] += row[name]
    return rows


def _worth_keeping(row: dict[str, Any]) -> bool:
    """A row that says nothing (not applicable, no figures) is not stored: the dashboard shows
    a missing row as "not applicable", and a province's month stays a few thousand rows."""
    return row["status"] != Status.NOT_APPLICABLE or any(row[name] for name in SUMMED)


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
) -> Summary:
    """Evaluate every obligation for `root` and everything below it in `month`, store the
    results of every unit of the subtree, then recompute the rows of the units above it from
    their children's rows. Raises alerts and proposes removal reviews for the recent months.

    The number of queries does not depend on the size of the subtree (decision 0014).
    """
    month = month.replace(day=1)
    as_of = as_of or today()
    day = min(facts.month_end(month), as_of)
    version = UnitVersion.objects.filter(active_on(day), unit=root).first()
    if version is None:
        return Summary(month, 0, 0)
    reader = Reader(day)
    ctx = Month(version.path, month, as_of, facts.load_units(version.path, day), reader)
    verdicts = judge(ctx)
    own = {(u, code): _own_row(ctx.units[u], code, v) for (u, code), v in verdicts.items()}
    rows = roll_up(ctx.units, own, reader)
    now = timezone.now()
    Result.objects.filter(month=month).filter(
        Q(unit_id__in=ctx.subtree()) | treepath.within(version.path)
    ).delete()
    Result.objects.bulk_create(
        [
            Result(
                unit_id=unit_id,
                parent_id=ctx.units[unit_id].parent_id,
                path=ctx.units[unit_id].path,
                obligation=code,
                month=month,
                evaluated_at=now,
                **row,
            )
            for (unit_id, code), row in rows.items()
            if _worth_keeping(row)
        ],
        batch_size=1000,
    )
    _refresh_above(version.path, month, day, reader, now)
    summary = Summary(month, len(ctx.units), len(rows))
    if alerts and _alerting(month, as_of, reader, version.path):
        summary.alerts_raised, summary.alerts_cleared = _sync_alerts(ctx, verdicts, actor, now)
        summary.reviews = _sync_reviews(ctx, verdicts, actor, now)
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


def _alerting(month: date, as_of: date, reader: Reader, path: str) -> bool:
    """Alerts and reviews only for the recent months: older history is for the figures."""
    back = reader("compliance.alert_months", path)
    return month >= as_of.replace(day=1) - relativedelta(months=back - 1)


def _refresh_above(path: str, month: date, day: date, reader: Reader, now: datetime) -> None:
    """Recompute the rows of the units above `path` from their children's stored rows and
    their own figures (three queries whatever the depth)."""
    above = _ancestors(path, day)
    if not above:
        return
    stored = list(
        Result.objects.filter(month=month).filter(
            Q(unit_id__in=list(above)) | Q(parent_id__in=list(above))
        )
    )
    own: dict[tuple[int, str], dict[str, Any]] = {}
    children: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(SUMMED, 0))
    for r in stored:
        if r.unit_id in above and r.own:
            status, n, d = r.detail["own"]
            ok, warning, failed = _counts(status)
            own[r.unit_id, r.obligation] = {
                "units_ok": ok,
                "units_warning": warning,
                "units_failed": failed,
                "numerator": n,
                "denominator": d,
                "own": True,
                "detail": r.detail,
            }
        if r.parent_id in above and r.unit_id not in above:
            sums = children[r.parent_id, r.obligation]
            for name in SUMMED:
                sums[name] += getattr(r, name)
    # The child on the path is recomputed on the way up: start from its fresh stored rows.
    seeds: dict[tuple[int, str], dict[str, Any]] = {}
    for key in set(own) | set(children):
        base = own.get(key) or {**dict.fromkeys(SUMMED, 0), "own": False, "detail": {}}
        row = dict(base)
        for name in SUMMED:
            row[name] = base[name] + children.get(key, {}).get(name, 0)
        seeds[key] = row
    lowest = max(above.values(), key=lambda u: u.depth)
    # The rows of the units above are then sums along the chain, deepest first.
    chain = sorted(above.values(), key=lambda u: -u.depth)
    final: dict[tuple[int, str], dict[str, Any]] = {}
    codes = {code for _u, code in seeds}
    carry: dict[str, dict[str, int]] = {}
    for unit in chain:
        for code in codes:
            seed = seeds.get((unit.id, code))
            lower = carry.get(code)
            if seed is None and lower is None:
                continue
            row = dict(seed or {**dict.fromkeys(SUMMED, 0), "own": False, "detail": {}})
            if lower is not None and unit.id != lowest.id:
                for name in SUMMED:
                    row[name] += lower[name]
            row["status"] = derive(
                row["units_ok"],
                row["units_warning"],
                row["units_failed"],
                reader("compliance.rollup_failed_percent", unit.path),
            )
            final[unit.id, code] = row
            carry[code] = {name: row[name] for name in SUMMED}
        for code in codes:  # a code absent at this level passes nothing further up
            if (unit.id, code) not in final:
                carry.pop(code, None)
    Result.objects.filter(month=month, unit_id__in=list(above)).delete()
    Result.objects.bulk_create(
        [
            Result(
                unit_id=unit_id,
                parent_id=above[unit_id].parent_id,
                path=above[unit_id].path,
                obligation=code,
                month=month,
                evaluated_at=now,
                **row,
            )
            for (unit_id, code), row in final.items()
            if _worth_keeping(row)
        ]
    )


# Alerts ------------------------------------------------------------------------------------


def _sync_alerts(
    ctx: Month, verdicts: dict[tuple[int, str], Verdict], actor: User | None, now: datetime
) -> tuple[int, int]:
    """An alert for each failed or warning result of the month; results that are ok again
    resolve theirs. Returns (raised, cleared)."""
    existing = {
        (a.unit_id, a.obligation): a
        for a in Alert.objects.filter(month=ctx.month, unit_id__in=ctx.subtree()).select_related(
            "unit"
        )
    }
    new, changed, cleared = [], [], []
    for (unit_id, code), verdict in verdicts.items():
        alert = existing.get((unit_id, code))
        bad = verdict.status in (Status.WARNING, Status.FAILED)
        if bad and alert is None:
            new.append(
                Alert(
                    unit_id=unit_id,
                    obligation=code,
                    month=ctx.month,
                    status=verdict.status,
                    message=verdict.message[:500],
                    level_id=unit_id,
                    level_since=now,
                    raised_at=now,
                )
            )
        elif bad and alert is not None and alert.state in OPEN_STATES:
            if (alert.status, alert.message) != (verdict.status, verdict.message[:500]):
                alert.status, alert.message = verdict.status, verdict.message[:500]
                changed.append(alert)
        elif not bad and alert is not None and alert.state in OPEN_STATES:
            alert.state, alert.resolved_at = AlertState.RESOLVED, now
            alert.note = _("Kết quả đã đạt khi đánh giá lại; tự động đóng cảnh báo.")
            cleared.append(alert)
    Alert.objects.bulk_create(new, batch_size=1000)
    Alert.objects.bulk_update(changed, ["status", "message"], batch_size=1000)
    Alert.objects.bulk_update(cleared, ["state", "resolved_at", "note"], batch_size=1000)
    units = {u.pk: u for u in Unit.objects.filter(pk__in={a.unit_id for a in new})}
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
        objects=[(a, a.unit, {"obligation": a.obligation}) for a in cleared],
    )
    return len(new), len(cleared)


def _sync_reviews(
    ctx: Month, verdicts: dict[tuple[int, str], Verdict], actor: User | None, now: datetime
) -> int:
    """A removal review proposed to the cell for each member flagged; a pending one keeps its
    months up to date. Returns how many were proposed."""
    flagged: dict[tuple[int, int, date], dict[str, list[str]]] = {}
    for (unit_id, code), verdict in verdicts.items():
        if code != "removal_review" or not verdict.detail.get("members"):
            continue
        start = date.fromisoformat(verdict.detail["period_start"])
        for member_id, months in verdict.detail["members"].items():
            flagged[int(member_id), unit_id, start] = months
    if not flagged:
        return 0
    starts = {start for _m, _u, start in flagged}
    existing = {
        (r.member_id, r.unit_id, r.period_start): r
        for r in RemovalReview.objects.filter(
            period_start__in=starts, unit_id__in=ctx.subtree()
        ).select_related("unit", "member")
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
        elif review.outcome == ReviewOutcome.PENDING and (
            review.absent_months != months["absent"] or review.unpaid_months != months["unpaid"]
        ):
            review.absent_months, review.unpaid_months = months["absent"], months["unpaid"]
            changed.append(review)
    RemovalReview.objects.bulk_create(new)
    RemovalReview.objects.bulk_update(changed, ["absent_months", "unpaid_months"])
    units = {u.pk: u for u in Unit.objects.filter(pk__in={r.unit_id for r in new})}
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

_pending = threading.local()


def meeting_changed(meeting: Any) -> None:
    """Re-evaluate the meeting's unit for its month (and the rest of its quarter) once the
    transaction that changed it commits. Many changes in one transaction are evaluated
    together, a month at a time, so a bulk import costs a few evaluations, not one each."""
    unit_changed(meeting.unit_id, timezone.localtime(meeting.starts_at).date())


def unit_changed(unit_id: int, day: date) -> None:
    """A record of `unit` changed on `day` (dues collected, a member's status, a transfer):
    re-evaluate its month and the rest of that quarter after the transaction commits."""
    month = day.replace(day=1)
    if month > today():
        return
    queue: set[tuple[int, date]] = _pending.__dict__.setdefault("queue", set())
    last = min(facts.quarter_start(month) + relativedelta(months=2), today().replace(day=1))
    while month <= last:
        queue.add((unit_id, month))
        month += relativedelta(months=1)
    transaction.on_commit(flush_changes, robust=True)


def flush_changes() -> None:
    queue: set[tuple[int, date]] = _pending.__dict__.setdefault("queue", set())
    if not queue:
        return
    items, _pending.queue = sorted(queue, key=lambda item: item[1]), set()
    by_month: dict[date, set[int]] = defaultdict(set)
    for unit_id, month in items:
        by_month[month].add(unit_id)
    for month, unit_ids in by_month.items():
        units = list(Unit.objects.filter(pk__in=unit_ids))
        for root in _roots(units):
            evaluate(root, month, actor=None)


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
    """Drop the re-evaluations queued by this thread (after evaluating the same months)."""
    _pending.queue = set()
