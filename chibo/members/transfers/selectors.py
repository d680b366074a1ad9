"""Reads on transfers. What the user may see or change comes from accounts.access."""

from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.http import Http404

from chibo.accounts import access
from chibo.accounts.models import User
from chibo.lib.dates import today
from chibo.lib.workdays import workdays_between
from chibo.members import rules
from chibo.members.models import Member, Transfer, TransferState
from chibo.members.services import home_unit
from chibo.members.transfers.services import deadline, is_overdue
from chibo.units import treepath
from chibo.units.models import Unit


def member_to_transfer(user: User, member_id: int) -> tuple[Member, Unit]:
    """The member and their home unit today, if the user may change that unit (issuing a
    transfer is the sending unit's act); otherwise 404."""
    member = Member.objects.filter(pk=member_id).first()
    unit = home_unit(member, today()) if member is not None else None
    if member is None or unit is None:
        raise Http404
    return member, access.access_unit(user, unit.pk, write=True)


def access_transfer(user: User, transfer_id: int, *, side: Literal["from", "to"]) -> Transfer:
    """The transfer if the user may change its sending (`side="from"`: cancel) or receiving
    (`side="to"`: confirm) unit; otherwise 404."""
    q = access.scope(user, write=True, field=f"{side}_unit__path")
    transfer = (
        Transfer.objects.filter(q, pk=transfer_id)
        .select_related("member", "from_unit", "to_unit")
        .first()
    )
    if transfer is None:
        raise Http404
    return transfer


@dataclass
class Pending:
    """A pending transfer as a list shows it."""

    transfer: Transfer
    deadline: date  # last day to present the letter
    limit: int  # working days allowed
    elapsed: int  # working days since the letter's date
    overdue: bool
    can_confirm: bool
    can_cancel: bool


def pending_transfers(user: User, unit: Unit, on: date) -> tuple[list[Pending], list[Pending]]:
    """Pending transfers out of and into `unit` and the units below it, oldest letter first.

    Two queries whatever the number of rows: deadlines are computed from the holiday calendar
    in memory, and the permissions from the user's roles, read once per request.
    """
    pending = (
        Transfer.objects.filter(state=TransferState.ISSUED)
        .select_related("member", "from_unit", "to_unit")
        .order_by("letter_date", "id")
    )

    def rows(field: str) -> list[Pending]:
        found = []
        for transfer in pending.filter(treepath.within(unit.path, field)):
            last = deadline(transfer)
            assert transfer.to_unit is not None  # only transfers within the system stay pending
            found.append(
                Pending(
                    transfer=transfer,
                    deadline=last,
                    limit=rules.rule("transfer_presentation_workdays", transfer.from_unit),
                    elapsed=max(workdays_between(transfer.letter_date, on), 0),
                    overdue=is_overdue(transfer, on),
                    can_confirm=access.can_change_unit(user, transfer.to_unit),
                    can_cancel=access.can_change_unit(user, transfer.from_unit),
                )
            )
        return found

    return rows("from_unit__path"), rows("to_unit__path")
