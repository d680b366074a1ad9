"""Writes on party dues: recording a month's payments in a unit's dues book, audited."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.audit.services import diff, record_many
from chibo.meetings.dues.selectors import month_of
from chibo.meetings.models import DuesPayment, Meeting
from chibo.members import rules as member_rules
from chibo.members.models import DuesCategory, Member
from chibo.members.selectors import members_on
from chibo.units.models import Unit


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def other_dues_bounds(unit: Unit) -> tuple[int, int]:
    """The lowest and highest monthly dues of an "other" member (342-QĐ/TW), the lowest
    halved for members beyond working age."""
    return member_rules.rule("other_dues_min", unit) // 2, member_rules.rule("other_dues_max", unit)


def amount_fault(member: Member, amount: int | None, paid: bool, low: int, high: int) -> str | None:
    """Why `amount` cannot be recorded for `member`, or None."""
    name = member.full_name
    if amount is None:
        return (
            _("Chưa có mức đảng phí của %(name)s: hãy nhập số tiền. (Enter the amount.)")
            % {"name": name}
            if paid
            else None
        )
    if amount < 0:
        return _("Số tiền của %(name)s không được âm. (Negative amount.)") % {"name": name}
    if paid and amount == 0:
        return _("Số tiền %(name)s đã nộp phải lớn hơn 0. (Paid nothing.)") % {"name": name}
    if member.dues_category == DuesCategory.OTHER and amount and not low <= amount <= high:
        return _("Đảng phí của %(name)s phải từ %(low)s đến %(high)s đồng. (Out of range.)") % {
            "name": name,
            "low": _money(low),
            "high": _money(high),
        }
    return None


@transaction.atomic
def collect_dues(
    unit: Unit,
    *,
    actor: User | None,
    month: date,
    payments: Mapping[int, tuple[int | None, bool]],
    meeting: Meeting | None = None,
) -> int:
    """Record the dues of `month` for members of the unit (member id → (amount, paid)).

    Only members on the unit's roll on the month's first day (Quyết định 342-QĐ/TW: dues are
    paid monthly in one's own cell, collected at the start of the monthly meeting). An amount
    left as None is the member's configured monthly rate (or what was recorded before); a
    member with no rate must be given one when they pay. Refused, writing nothing: anyone not
    on the roll, a negative amount, a payment of nothing, an amount outside 2.000/2–30.000 đ
    for "other" members (342-QĐ/TW, members.rules), a month another unit already recorded.
    Recording a month again updates it. Returns how many rows changed.
    """
    month = month_of(month)
    if meeting is not None and meeting.unit_id != unit.pk:
        raise ValidationError(_("Cuộc họp không phải của đơn vị này. (Meeting of another unit.)"))
    roll = {row.member_id: row.member for row in members_on(unit.pk, month)}
    if set(payments) - set(roll):
        raise ValidationError(
            _(
                "Có người không thuộc danh sách đảng viên của đơn vị ngày %(day)s. "
                "(Not on the roll.)"
            )
            % {"day": month.strftime("%d/%m/%Y")}
        )
    existing = {
        p.member_id: p
        for p in DuesPayment.objects.select_for_update().filter(
            month=month, member_id__in=list(payments)
        )
    }
    low, high = other_dues_bounds(unit)
    faults: list[str] = []
    rows: list[tuple[DuesPayment, dict[str, Any] | None]] = []
    for member_id, (amount, paid) in payments.items():
        member, row = roll[member_id], existing.get(member_id)
        if row is not None and row.unit_id != unit.pk:
            faults.append(
                _(
                    "Đảng phí tháng %(month)s của %(name)s đã do đơn vị khác ghi. "
                    "(Recorded by another unit.)"
                )
                % {"month": month.strftime("%m/%Y"), "name": member.full_name}
            )
            continue
        if amount is None:
            amount = row.amount if row is not None else member.dues_monthly
        fault = amount_fault(member, amount, paid, low, high)
        if fault:
            faults.append(fault)
            continue
        amount = amount or 0
        if row is None:
            row = DuesPayment(member=member, unit=unit, month=month, meeting=meeting)
            row.amount, row.paid = amount, paid
            rows.append((row, None))
        elif (row.amount, row.paid) != (amount, paid):
            before = {"amount": row.amount, "paid": row.paid}
            row.amount, row.paid = amount, paid
            row.meeting = meeting or row.meeting
            rows.append((row, before))
    if faults:
        raise ValidationError(faults)
    new = [row for row, before in rows if before is None]
    changed = [row for row, before in rows if before is not None]
    DuesPayment.objects.bulk_create(new)
    now = timezone.now()
    for row in changed:
        row.recorded_at = now
    DuesPayment.objects.bulk_update(changed, ["amount", "paid", "meeting", "recorded_at"])
    common = {"month": month.strftime("%m/%Y"), "meeting": meeting.pk if meeting else None}
    record_many(
        "meetings.dues.collect",
        actor=actor,
        objects=[(row, unit, {**common, "amount": row.amount, "paid": row.paid}) for row in new],
    )
    record_many(
        "meetings.dues.correct",
        actor=actor,
        objects=[
            (row, unit, {**common, **diff(before, {"amount": row.amount, "paid": row.paid})})
            for row, before in rows
            if before is not None
        ],
    )
    from chibo.compliance.services import unit_changed  # lazy: compliance reads dues

    unit_changed(unit.pk, month, members=[row.member_id for row, _before in rows])
    return len(rows)
