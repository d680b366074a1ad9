"""Writes on committees: seats on a unit's leading bodies, and supervision assignments.

Every service checks its input before writing anything, runs in one transaction and records an
audit event. Bad input raises `ValidationError` with a Vietnamese message followed by its
English gist. Dates follow the project's rule: `valid_from` is the first day, `valid_to` the
last (inclusive), and `on` of an ending is the first day *without* the seat.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.audit.services import record
from chibo.committees import rules, selectors
from chibo.committees.models import Body, CommitteeSeat, Position, SupervisionAssignment
from chibo.lib.dates import format_date
from chibo.lib.intervals import active_on, overlaps
from chibo.members.models import Member, Membership, MembershipKind
from chibo.units import treepath
from chibo.units.models import Unit


def _error(message: str, code: str, /, **params: object) -> ValidationError:
    return ValidationError(message % params if params else message, code=code)


def _check_unit_active(unit: Unit, on: date) -> None:
    if not unit.is_active_on(on):
        raise _error(
            _("%(unit)s không hoạt động vào ngày %(day)s. (The unit is not active on that date.)"),
            "inactive",
            unit=unit.name,
            day=format_date(on),
        )


def _check_shape(unit: Unit, body: str, position: str) -> None:
    """The body exists for this kind of unit and the position exists on that body."""
    if body not in Body.values or position not in Position.values:
        raise _error(_("Cơ quan hoặc chức vụ không hợp lệ. (Unknown body or position.)"), "invalid")
    if body not in rules.bodies_of(unit):
        raise _error(
            _("%(unit)s không có %(body)s. (This kind of unit has no such body.)"),
            "wrong_body",
            unit=unit.name,
            body=Body(body).label.lower(),
        )
    if position not in rules.positions_on(unit, body):
        raise _error(
            _("%(body)s của %(unit)s không có chức vụ %(position)s. (No such position there.)"),
            "wrong_position",
            body=Body(body).label,
            unit=unit.name,
            position=Position(position).label.lower(),
        )


def _check_on_roll(member: Member, unit: Unit, on: date) -> None:
    """A unit's bodies are chosen from its own members: those on the roll of the unit or of a
    unit below it (Điều lệ Đảng: each level elects its committee from its members)."""
    on_roll = Membership.objects.filter(
        active_on(on),
        treepath.within(unit.path, "unit__path"),
        member=member,
        kind=MembershipKind.OFFICIAL,
    )
    if not on_roll.exists():
        raise _error(
            _(
                "Đồng chí %(name)s không sinh hoạt trong %(unit)s vào ngày %(day)s. "
                "(The member is not on the unit's roll that day.)"
            ),
            "not_member",
            name=member.full_name,
            unit=unit.name,
            day=format_date(on),
        )


def _check_one_secretary(unit: Unit, valid_from: date) -> None:
    """One secretary per unit per day, whatever the body."""
    held = (
        CommitteeSeat.objects.filter(
            overlaps(valid_from, None), unit=unit, position=Position.SECRETARY
        )
        .select_related("member")
        .first()
    )
    if held is not None:
        raise _error(
            _(
                "%(unit)s đã có bí thư là đồng chí %(name)s từ ngày %(day)s. Hãy ghi nhận đồng "
                "chí thôi giữ chức trước. (The unit already has a secretary on those days.)"
            ),
            "secretary_taken",
            unit=unit.name,
            name=held.member.full_name,
            day=format_date(held.valid_from),
        )


def _check_no_double_seat(member: Member, unit: Unit, body: str, valid_from: date) -> None:
    clash = CommitteeSeat.objects.filter(
        overlaps(valid_from, None), member=member, unit=unit, body=body
    ).first()
    if clash is not None:
        raise _error(
            _(
                "Đồng chí %(name)s đã giữ chức %(position)s trong %(body)s của %(unit)s từ ngày "
                "%(day)s. (The member already holds a seat on this body on those days.)"
            ),
            "seat_taken",
            name=member.full_name,
            position=clash.get_position_display().lower(),
            body=Body(body).label.lower(),
            unit=unit.name,
            day=format_date(clash.valid_from),
        )


def _check_cell_committee(unit: Unit, valid_from: date) -> None:
    """A chi ủy exists only in a cell of enough official members, and has a bounded size."""
    minimum = rules.rule_for(unit, "cell_committee_min_official")
    official = selectors.official_member_count(unit, valid_from)
    if official < minimum:
        raise _error(
            _(
                "%(unit)s có %(count)s đảng viên chính thức vào ngày %(day)s, dưới %(min)s: chi "
                "bộ bầu bí thư (và phó bí thư nếu cần), không bầu chi ủy. Hãy ghi nhận chức vụ "
                "vào cơ quan “cấp ủy”. (Fewer than %(min)s official members: no cell "
                "committee, only a secretary and a deputy.)"
            ),
            "too_small",
            unit=unit.name,
            count=official,
            day=format_date(valid_from),
            min=minimum,
        )
    maximum = rules.rule_for(unit, "cell_committee_max_seats")
    if _most_seats_from(unit, Body.CELL_COMMITTEE, valid_from) + 1 > maximum:
        raise _error(
            _(
                "Chi ủy của %(unit)s đã đủ %(max)s ủy viên từ ngày %(day)s. (A cell committee "
                "has at most %(max)s members.)"
            ),
            "too_many",
            unit=unit.name,
            max=maximum,
            day=format_date(valid_from),
        )


def _most_seats_from(unit: Unit, body: str, start: date) -> int:
    """The largest number of seats on `body` held on one day from `start` onwards."""
    seats = list(
        CommitteeSeat.objects.filter(overlaps(start, None), unit=unit, body=body).values_list(
            "valid_from", "valid_to"
        )
    )
    # The count only rises on a day a seat starts, so those days (and `start`) are enough.
    days = {start} | {begin for begin, _end in seats if begin > start}
    return max(
        (sum(1 for b, e in seats if b <= day and (e is None or e >= day)) for day in days),
        default=0,
    )


@transaction.atomic
def appoint(
    member: Member,
    *,
    actor: User | None,
    unit: Unit,
    body: str,
    position: str,
    valid_from: date,
    basis: str = "",
) -> CommitteeSeat:
    """Give `member` a seat on a body of `unit` from `valid_from` (after an election or an
    appointment by the committee above).

    Rules (RULES.md §1.1, `committees.rules`): the body and position exist for that kind of unit;
    the member is on the unit's roll that day; one secretary per unit per day; one seat per
    member and body at a time; a chi ủy only in a cell of 9 or more official members on that
    day, and of at most 7 members.
    """
    unit = Unit.objects.select_for_update().get(pk=unit.pk)  # one appointment at a time per unit
    basis = " ".join(basis.split())
    _check_shape(unit, body, position)
    _check_unit_active(unit, valid_from)
    _check_on_roll(member, unit, valid_from)
    if position == Position.SECRETARY:
        _check_one_secretary(unit, valid_from)
    _check_no_double_seat(member, unit, body, valid_from)
    if body == Body.CELL_COMMITTEE:
        _check_cell_committee(unit, valid_from)
    seat = CommitteeSeat.objects.create(
        member=member,
        unit=unit,
        body=body,
        position=position,
        valid_from=valid_from,
        basis=basis,
    )
    record(
        "committees.seat.appoint",
        actor=actor,
        obj=seat,
        unit=unit,
        changes={
            "member": member.full_name,
            "unit": unit.code,
            "body": body,
            "position": position,
            "valid_from": valid_from,
            "basis": basis,
        },
    )
    return seat


def _check_end(valid_from: date, valid_to: date | None, on: date) -> None:
    if valid_to is not None:
        raise _error(
            _("Đã kết thúc từ ngày %(day)s. (Already ended.)"),
            "ended",
            day=format_date(valid_to + timedelta(days=1)),
        )
    if on <= valid_from:
        raise _error(
            _("Ngày thôi phải sau ngày bắt đầu %(day)s. (The end must come after the start.)"),
            "end_before_start",
            day=format_date(valid_from),
        )


def _end(
    row: CommitteeSeat | SupervisionAssignment,
    *,
    action: str,
    actor: User | None,
    on: date,
    basis: str,
) -> None:
    """End a dated row from `on` (its last day is the day before), audited."""
    _check_end(row.valid_from, row.valid_to, on)
    row.valid_to = on - timedelta(days=1)
    row.save(update_fields=["valid_to"])
    record(
        action,
        actor=actor,
        obj=row,
        unit=row.unit,
        changes={"valid_to": row.valid_to, "basis": " ".join(basis.split())},
    )


@transaction.atomic
def end_seat(
    seat: CommitteeSeat, *, actor: User | None, on: date, basis: str = ""
) -> CommitteeSeat:
    """The member no longer holds `seat` from `on`: its last day is the day before."""
    seat = (
        CommitteeSeat.objects.select_for_update(of=("self",))
        .select_related("unit", "member")
        .get(pk=seat.pk)
    )
    _end(seat, action="committees.seat.end", actor=actor, on=on, basis=basis)
    return seat


def _check_supervisor_seat(supervisor: Member, unit: Unit, on: date) -> None:
    """The supervisor sits on a body of a unit strictly above the supervised unit that day."""
    seats = CommitteeSeat.objects.filter(active_on(on), member=supervisor).select_related("unit")
    if not any(
        treepath.is_within(unit.path, seat.unit.path) and seat.unit_id != unit.pk for seat in seats
    ):
        raise _error(
            _(
                "Đồng chí %(name)s không phải cấp ủy viên của cấp trên %(unit)s vào ngày "
                "%(day)s. (The supervisor must hold a committee seat on a unit above.)"
            ),
            "not_above",
            name=supervisor.full_name,
            unit=unit.name,
            day=format_date(on),
        )


@transaction.atomic
def assign_supervisor(
    supervisor: Member,
    *,
    actor: User | None,
    unit: Unit,
    valid_from: date,
    basis: str = "",
    note: str = "",
) -> SupervisionAssignment:
    """Assign a committee member of a higher unit to watch over `unit` from `valid_from`
    (phân công phụ trách). The supervisor holds a seat on a unit strictly above `unit` that
    day, and is not already assigned to `unit` on any day from then on."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    basis, note = " ".join(basis.split()), " ".join(note.split())
    _check_unit_active(unit, valid_from)
    _check_supervisor_seat(supervisor, unit, valid_from)
    clash = SupervisionAssignment.objects.filter(
        overlaps(valid_from, None), supervisor=supervisor, unit=unit
    ).first()
    if clash is not None:
        raise _error(
            _(
                "Đồng chí %(name)s đã được phân công phụ trách %(unit)s từ ngày %(day)s. "
                "(Already assigned to this unit on those days.)"
            ),
            "assigned",
            name=supervisor.full_name,
            unit=unit.name,
            day=format_date(clash.valid_from),
        )
    assignment = SupervisionAssignment.objects.create(
        supervisor=supervisor, unit=unit, valid_from=valid_from, basis=basis, note=note
    )
    record(
        "committees.supervision.assign",
        actor=actor,
        obj=assignment,
        unit=unit,
        changes={
            "supervisor": supervisor.full_name,
            "unit": unit.code,
            "valid_from": valid_from,
            "basis": basis,
            "note": note,
        },
    )
    return assignment


@transaction.atomic
def end_supervision(
    assignment: SupervisionAssignment, *, actor: User | None, on: date, basis: str = ""
) -> SupervisionAssignment:
    """The supervisor no longer watches over the unit from `on`: the last day is the day before."""
    assignment = (
        SupervisionAssignment.objects.select_for_update(of=("self",))
        .select_related("unit", "supervisor")
        .get(pk=assignment.pk)
    )
    _end(assignment, action="committees.supervision.end", actor=actor, on=on, basis=basis)
    return assignment
