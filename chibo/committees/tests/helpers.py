"""Test data for committees, built with the real services, and the objects the access matrix
(chibo/accounts/tests/test_access_matrix.py) asks for on the seat and supervision URLs."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from chibo.accounts.models import Role
from chibo.committees import services
from chibo.committees.models import Body, CommitteeSeat, Position, SupervisionAssignment
from chibo.lib.intervals import active_on
from chibo.members.models import Member, Membership, MemberStatus, Status
from chibo.units import treepath
from chibo.units.models import Unit
from conftest import ROLE_UNITS, make_member

if TYPE_CHECKING:
    from chibo.accounts.tests.test_access_matrix import Ctx, Target

SINCE = date(2020, 1, 1)


def make_official(unit: Unit, name: str, on: date = SINCE) -> Member:
    """A member on the roll of `unit` from `on` with the status "official" that day.

    `make_member` (members.services.register_member) makes a member entered without admission
    dates official; should it ever stop doing so, the status is written here so that the
    committee rules are still tested against real official members.
    """
    member = make_member(unit, name, on=on)
    if not MemberStatus.objects.filter(active_on(on), member=member).exists():
        MemberStatus.objects.create(member=member, status=Status.OFFICIAL, valid_from=on)
    return member


def make_probationary(unit: Unit, name: str, on: date = SINCE) -> Member:
    """A member admitted on `on`: probationary for the next 12 months."""
    return make_member(unit, name, on=on, admitted_on=on, admission_decided_on=on)


def first_member_in(unit: Unit) -> Member:
    membership = (
        Membership.objects.filter(treepath.within(unit.path, "unit__path"))
        .select_related("member")
        .order_by("id")
        .first()
    )
    assert membership is not None, f"nobody on the roll of {unit}"
    return membership.member


def seat_on(unit: Unit, member: Member | None = None, on: date = SINCE) -> CommitteeSeat:
    """A deputy's seat on `unit`'s committee (a body every unit above a party group has)."""
    member = member or first_member_in(unit)
    held = CommitteeSeat.objects.filter(
        active_on(on), unit=unit, member=member, body=Body.COMMITTEE
    ).first()
    return held or services.appoint(
        member,
        actor=None,
        unit=unit,
        body=Body.COMMITTEE,
        position=Position.DEPUTY,
        valid_from=on,
        basis="QĐ thử",
    )


def supervision_of(unit: Unit, on: date = SINCE) -> SupervisionAssignment:
    """An assignment to `unit` of a committee member of the unit directly above it."""
    assert unit.parent is not None
    seat = seat_on(unit.parent, on=on)
    return services.assign_supervisor(seat.member, actor=None, unit=unit, valid_from=on)


def _units(ctx: Ctx, *, with_own: bool = True) -> list[tuple[str, Unit, bool]]:
    from chibo.accounts.tests.test_access_matrix import ANONYMOUS

    t = ctx.tree
    if ctx.role == ANONYMOUS:
        return [("own", t.cell_a1, True), ("other", t.other_cell, False)]
    own: Unit = getattr(t, ROLE_UNITS[Role(ctx.role)])
    units = [("own", own, True)] if with_own else []
    if own != t.cell_a1:
        units.append(("below", t.cell_a1, True))
    if ctx.role == Role.ADMIN:  # everything is in the administrator's scope
        return units
    return [*units, ("other", t.other_cell, False)]


def seat_targets(ctx: Ctx) -> list[Target]:
    """A seat on the role's own unit, on a cell below it, and on a cell outside its scope
    (for the administrator: an id no seat has)."""
    from chibo.accounts.tests.test_access_matrix import MISSING_ID, Target

    targets = [
        Target(label, seat_on(unit).pk, in_scope, unit) for label, unit, in_scope in _units(ctx)
    ]
    if ctx.role == Role.ADMIN:
        targets.append(Target("missing", MISSING_ID, False))
    return targets


def supervision_targets(ctx: Ctx) -> list[Target]:
    """The same for supervision assignments; nothing is above the administrator's own unit
    (the top of the tree), so for them there is no "own" assignment."""
    from chibo.accounts.tests.test_access_matrix import MISSING_ID, Target

    is_admin = ctx.role == Role.ADMIN
    targets = [
        Target(label, supervision_of(unit).pk, in_scope, unit)
        for label, unit, in_scope in _units(ctx, with_own=not is_admin)
    ]
    if is_admin:
        targets.append(Target("missing", MISSING_ID, False))
    return targets
