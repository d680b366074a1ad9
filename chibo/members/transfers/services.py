"""Transfers of party activity (chuyển sinh hoạt đảng, RULES.md §2.4): issue, confirm, cancel.

The sending unit issues the transfer letter (giấy giới thiệu sinh hoạt đảng); the receiving
unit confirms it when the member presents it. Each service checks everything before writing,
runs in one transaction and records its audit event: issue and cancel under the sending unit,
confirm under the receiving unit. Bad input raises `ValidationError` (keyed by field where a
field is at fault) with a Vietnamese message followed by its English gist, and writes nothing.
"""

from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.audit.services import record
from chibo.lib.dates import format_date, today
from chibo.lib.intervals import overlaps
from chibo.lib.workdays import add_workdays
from chibo.members import rules
from chibo.members.models import (
    ON_ROLL,
    Member,
    Membership,
    MembershipKind,
    Status,
    Transfer,
    TransferKind,
    TransferState,
)
from chibo.members.services import STANDING, Basis, _change_status, home_unit, status_on
from chibo.units import counts as unit_counts
from chibo.units.models import Unit


def _fail(field: str | None, message: str) -> ValidationError:
    return ValidationError({field: [message]} if field else message)


def deadline(transfer: Transfer) -> date:
    """The last day to present the letter to the receiving unit: 30 working days after its
    date, holidays and days off in lieu excluded (RULES.md §2.4)."""
    days = rules.rule("transfer_presentation_workdays", transfer.from_unit)
    return add_workdays(transfer.letter_date, days)


def is_overdue(transfer: Transfer, today: date) -> bool:
    """Pending, and the letter was not presented in time."""
    return transfer.state == TransferState.ISSUED and today > deadline(transfer)


def _check_temporary_period(start: date, until: date | None, unit: Unit) -> None:
    """3 months to 2 years, counting both ends: 1/1 to 31/3 is three months."""
    if until is None:
        raise _fail("until", _("Cần ngày kết thúc sinh hoạt tạm thời. (End date required.)"))
    shortest_months = rules.rule("temporary_transfer_min_months", unit)
    shortest = start + relativedelta(months=shortest_months) - timedelta(days=1)
    longest_months = rules.rule("temporary_transfer_max_months", unit)
    longest = start + relativedelta(months=longest_months) - timedelta(days=1)
    if not shortest <= until <= longest:
        raise _fail(
            "until",
            _(
                "Sinh hoạt tạm thời từ %(low)s tháng đến %(high)s tháng: kết thúc trong khoảng "
                "%(first)s – %(last)s. (A temporary transfer lasts 3 months to 2 years.)"
            )
            % {
                "low": shortest_months,
                "high": longest_months,
                "first": format_date(shortest),
                "last": format_date(longest),
            },
        )


def _check_issue(
    member: Member,
    *,
    kind: str,
    to_unit: Unit | None,
    destination_text: str,
    letter_number: str,
    letter_date: date,
    effective_on: date,
    until: date | None,
) -> Unit:
    """Everything `issue_transfer` requires; returns the sending unit."""
    if kind not in TransferKind.values:
        raise _fail("kind", _("Hình thức chuyển không hợp lệ. (Unknown kind.)"))
    if not letter_number:
        raise _fail("letter_number", _("Cần số giấy giới thiệu. (Letter number required.)"))
    if letter_date > today():
        raise _fail(
            "letter_date", _("Ngày giấy giới thiệu ở tương lai. (Letter dated in the future.)")
        )
    from_unit = home_unit(member, effective_on)
    status = status_on(member, effective_on)
    if from_unit is None or status is None or status.status not in ON_ROLL:
        raise _fail(
            "effective_on",
            _("%(name)s không có trong danh sách đảng viên ngày %(day)s. (Not on a roll then.)")
            % {"name": member.full_name, "day": format_date(effective_on)},
        )
    if Transfer.objects.filter(member=member, state=TransferState.ISSUED).exists():
        raise _fail(
            None,
            _(
                "%(name)s đang có một giấy giới thiệu chưa được tiếp nhận; hãy hủy hoặc chờ "
                "tiếp nhận trước. (Another transfer is pending.)"
            )
            % {"name": member.full_name},
        )
    if to_unit is not None and destination_text:
        raise _fail(
            "destination_text",
            _(
                "Chọn nơi nhận trong hệ thống hoặc ghi nơi đến ngoài hệ thống, không cả hai. "
                "(Either a unit or a destination outside, not both.)"
            ),
        )
    if to_unit is None and (kind == TransferKind.TEMPORARY or not destination_text):
        raise _fail("to_unit", _("Cần chọn nơi nhận. (A receiving unit is required.)"))
    if to_unit is not None:
        if to_unit.pk == from_unit.pk:
            raise _fail(
                "to_unit",
                _("Nơi nhận trùng nơi đang sinh hoạt. (Same unit as the sending one.)"),
            )
        if not to_unit.is_active_on(effective_on):
            raise _fail(
                "to_unit",
                _("%(unit)s không hoạt động vào ngày %(day)s. (Unit not active on that date.)")
                % {"unit": to_unit.name, "day": format_date(effective_on)},
            )
    if kind == TransferKind.TEMPORARY:
        if status.status not in STANDING:
            raise _fail(
                None,
                _(
                    "%(name)s đang %(status)s; chỉ chuyển sinh hoạt tạm thời khi đang sinh "
                    "hoạt bình thường. (Only an active member can be attached elsewhere.)"
                )
                % {"name": member.full_name, "status": status.get_status_display().lower()},
            )
        _check_temporary_period(effective_on, until, from_unit)
    elif until is not None:
        raise _fail(
            "until",
            _("Chuyển chính thức không có ngày kết thúc. (No end date on an official one.)"),
        )
    return from_unit


@transaction.atomic
def issue_transfer(
    member: Member,
    *,
    actor: User | None,
    kind: str,
    to_unit: Unit | None = None,
    destination_text: str = "",
    letter_number: str,
    letter_date: date,
    effective_on: date,
    until: date | None = None,
    reason: str = "",
) -> Transfer:
    """The sending unit issues a transfer letter for `member` from `effective_on`.

    The member must be on the roll of their home unit that day and have no other pending
    transfer. An official transfer goes to a unit of the system or, with `destination_text`
    and no unit, out of it; a temporary one goes to a unit, for 3 months to 2 years, until
    `until` (RULES.md §2.4).

    A transfer out of the system has no receiving unit to confirm it, so it completes at
    once: the transfer is recorded as confirmed on `effective_on` and the member's status
    becomes "transferred out" from that day, which closes their memberships and keeps their
    history. Both audit events, the transfer's and the status change's, carry the action
    "members.transfer.issue", the act the user performed.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    letter_number = " ".join(letter_number.split())
    destination_text = " ".join(destination_text.split())
    reason = " ".join(reason.split())
    from_unit = _check_issue(
        member,
        kind=kind,
        to_unit=to_unit,
        destination_text=destination_text,
        letter_number=letter_number,
        letter_date=letter_date,
        effective_on=effective_on,
        until=until,
    )
    out_of_system = to_unit is None
    transfer = Transfer.objects.create(
        member=member,
        kind=kind,
        from_unit=from_unit,
        to_unit=to_unit,
        destination_text=destination_text,
        letter_number=letter_number,
        letter_date=letter_date,
        effective_on=effective_on,
        until=until,
        reason=reason,
        state=TransferState.CONFIRMED if out_of_system else TransferState.ISSUED,
        confirmed_on=effective_on if out_of_system else None,
    )
    record(
        "members.transfer.issue",
        actor=actor,
        obj=transfer,
        unit=from_unit,
        changes=_summary(transfer),
    )
    if out_of_system:
        _change_status(
            member,
            Status.TRANSFERRED_OUT,
            actor=actor,
            on=effective_on,
            basis=Basis(number=letter_number, day=letter_date, reason=destination_text),
            action="members.transfer.issue",
        )
    return transfer


def _summary(transfer: Transfer) -> dict[str, Any]:
    return {
        "member": transfer.member_id,
        "kind": transfer.kind,
        "state": transfer.state,
        "from_unit": transfer.from_unit.code,
        "to_unit": transfer.to_unit.code if transfer.to_unit else None,
        "destination": transfer.destination_text,
        "letter_number": transfer.letter_number,
        "letter_date": transfer.letter_date,
        "effective_on": transfer.effective_on,
        "until": transfer.until,
        "reason": transfer.reason,
    }


def _locked(transfer: Transfer) -> Transfer:
    """The transfer re-read under a row lock, so that two clicks cannot both act on it.

    Only its own row is locked (`of=self`): PostgreSQL cannot lock the missing side of the
    outer join to `to_unit`, which is empty for a transfer out of the system.
    """
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("member", "from_unit", "to_unit")
        .get(pk=transfer.pk)
    )


def _check_pending(transfer: Transfer) -> None:
    if transfer.state == TransferState.CONFIRMED:
        raise _fail(
            None,
            _("Giấy giới thiệu này đã được tiếp nhận ngày %(day)s. (Already confirmed.)")
            % {"day": format_date(transfer.confirmed_on)},
        )
    if transfer.state == TransferState.CANCELLED:
        raise _fail(None, _("Giấy giới thiệu này đã bị hủy. (The transfer was cancelled.)"))


def _letter(transfer: Transfer) -> str:
    return f"{transfer.letter_number} ({format_date(transfer.letter_date)})"


@transaction.atomic
def confirm_transfer(transfer: Transfer, *, actor: User | None, on: date) -> Transfer:
    """The receiving unit takes the member on from `on`, the day the letter is presented.

    Official: the member leaves the sending unit's roll on the day before and is on the
    receiving unit's roll from `on`. Temporary: the member is attached to the receiving unit
    from `on` to `transfer.until`, with the status "attached" over the same days, and keeps
    counting in their home unit (RULES.md §2.4).
    """
    transfer = _locked(transfer)
    _check_pending(transfer)
    member, to_unit = transfer.member, transfer.to_unit
    assert to_unit is not None  # only transfers within the system stay pending
    if on < transfer.letter_date:
        raise _fail(
            "on",
            _("Ngày tiếp nhận trước ngày giấy giới thiệu (%(day)s). (Before the letter date.)")
            % {"day": format_date(transfer.letter_date)},
        )
    if on > today():
        raise _fail("on", _("Ngày tiếp nhận ở tương lai. (Confirmation in the future.)"))
    if not to_unit.is_active_on(on):
        raise _fail(
            "on",
            _("%(unit)s không hoạt động vào ngày %(day)s. (Unit not active on that date.)")
            % {"unit": to_unit.name, "day": format_date(on)},
        )
    status = status_on(member, on)
    if status is None or status.status not in ON_ROLL:
        raise _fail(
            "on",
            _("%(name)s không có trong danh sách đảng viên ngày %(day)s. (Not on a roll then.)")
            % {"name": member.full_name, "day": format_date(on)},
        )
    if transfer.kind == TransferKind.OFFICIAL:
        _move_roll(transfer, to_unit, on)
    else:
        _attach(transfer, to_unit, on, actor=actor)
    transfer.state = TransferState.CONFIRMED
    transfer.confirmed_on = on
    transfer.save(update_fields=["state", "confirmed_on"])
    record(
        "members.transfer.confirm",
        actor=actor,
        obj=transfer,
        unit=to_unit,
        changes={
            "state": {"before": TransferState.ISSUED, "after": TransferState.CONFIRMED},
            "on": on,
            "kind": transfer.kind,
            "from_unit": transfer.from_unit.code,
            "to_unit": to_unit.code,
            "until": transfer.until,
        },
    )
    from chibo.compliance.services import unit_changed  # lazy: compliance reads the roll

    for unit_id in (transfer.from_unit_id, to_unit.pk):
        unit_changed(unit_id, on)
    unit_counts.units_changed([transfer.from_unit_id, to_unit.pk], on)
    return transfer


def _move_roll(transfer: Transfer, to_unit: Unit, on: date) -> None:
    current = (
        Membership.objects.select_for_update()
        .filter(member=transfer.member, kind=MembershipKind.OFFICIAL, valid_to__isnull=True)
        .first()
    )
    if current is None or current.unit_id != transfer.from_unit_id or current.valid_from >= on:
        raise _fail(
            "on",
            _(
                "Ngày %(day)s %(name)s không còn sinh hoạt chính thức ở %(unit)s. "
                "(The member is no longer on the sending unit's roll then.)"
            )
            % {
                "day": format_date(on),
                "name": transfer.member.full_name,
                "unit": transfer.from_unit.name,
            },
        )
    current.valid_to = on - timedelta(days=1)
    current.save(update_fields=["valid_to"])
    Membership.objects.create(
        member=transfer.member,
        unit=to_unit,
        kind=MembershipKind.OFFICIAL,
        valid_from=on,
        basis=_letter(transfer),
    )


def _attach(transfer: Transfer, to_unit: Unit, on: date, *, actor: User | None) -> None:
    until = transfer.until
    assert until is not None  # issue_transfer requires it
    if on > until:
        raise _fail(
            "on",
            _("Thời hạn sinh hoạt tạm thời đã hết ngày %(day)s. (The period is over.)")
            % {"day": format_date(until)},
        )
    clash = Membership.objects.filter(
        overlaps(on, until), member=transfer.member, kind=MembershipKind.TEMPORARY
    )
    if clash.exists():
        raise _fail(
            "on",
            _("%(name)s đã sinh hoạt tạm thời nơi khác trong thời gian này. (Already attached.)")
            % {"name": transfer.member.full_name},
        )
    Membership.objects.create(
        member=transfer.member,
        unit=to_unit,
        kind=MembershipKind.TEMPORARY,
        valid_from=on,
        valid_to=until,
        basis=_letter(transfer),
    )
    _change_status(
        transfer.member,
        Status.ATTACHED,
        actor=actor,
        on=on,
        basis=Basis(number=transfer.letter_number, day=transfer.letter_date, reason=to_unit.name),
        action="members.transfer.confirm",
        until=until,
    )


@transaction.atomic
def cancel_transfer(transfer: Transfer, *, actor: User | None, reason: str) -> Transfer:
    """The sending unit withdraws a letter that has not been presented (lost, plans changed)."""
    transfer = _locked(transfer)
    _check_pending(transfer)
    reason = " ".join(reason.split())
    if not reason:
        raise _fail("reason", _("Cần ghi lý do hủy. (A reason is required.)"))
    transfer.state = TransferState.CANCELLED
    transfer.save(update_fields=["state"])
    record(
        "members.transfer.cancel",
        actor=actor,
        obj=transfer,
        unit=transfer.from_unit,
        changes={
            "state": {"before": TransferState.ISSUED, "after": TransferState.CANCELLED},
            "reason": reason,
        },
    )
    return transfer
