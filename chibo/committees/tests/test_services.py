"""The committee services: each rule rejects bad input with a clear message and writes nothing."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from chibo.audit.labels import ACTIONS
from chibo.audit.models import AuditEvent
from chibo.committees import rules, selectors, services
from chibo.committees.models import Body, CommitteeSeat, Position, SupervisionAssignment
from chibo.committees.tests.helpers import (
    SINCE,
    make_official,
    make_probationary,
    seat_on,
    supervision_of,
)
from chibo.members.models import Member
from chibo.rulebook import services as rulebook_services
from chibo.units.models import Unit, UnitKind
from conftest import Tree, make_unit

LATER = date(2021, 1, 1)


def counts() -> tuple[int, int, int]:
    return (
        CommitteeSeat.objects.count(),
        SupervisionAssignment.objects.count(),
        AuditEvent.objects.count(),
    )


@contextmanager
def rejected(gist: str, code: str) -> Iterator[None]:
    """The block raises a ValidationError whose message ends with the English `gist`, and
    nothing is written: no seat, no assignment, no audit event."""
    before = counts()
    with pytest.raises(ValidationError) as error:
        yield
    message = " ".join(error.value.messages)
    assert gist in message, message
    assert error.value.code == code
    assert counts() == before


def people(unit: Unit, n: int, on: date = SINCE, prefix: str = "Đảng Viên") -> list[Member]:
    return [make_official(unit, f"{prefix} {i}", on=on) for i in range(n)]


@pytest.fixture
def big_cell(tree: Tree) -> Unit:
    """A cell of exactly 9 official members from SINCE."""
    cell = make_unit(tree.commune_b, UnitKind.CELL, "BIG", "Chi bộ thôn Vạn Thắng")
    people(cell, 9)
    return cell


def appoint(
    member: Member,
    unit: Unit,
    body: str = Body.COMMITTEE,
    position: str = Position.SECRETARY,
    on: date = SINCE,
) -> CommitteeSeat:
    return services.appoint(
        member, actor=None, unit=unit, body=body, position=position, valid_from=on, basis="QĐ 1"
    )


def members_of(unit: Unit) -> list[Member]:
    return list(Member.objects.filter(memberships__unit=unit).order_by("id"))


# Appointing and ending a seat


def test_appoint_writes_the_seat_and_an_audit_event(tree: Tree) -> None:
    chin = members_of(tree.cell_a1)[0]
    seat = appoint(chin, tree.cell_a1)
    assert (seat.member, seat.unit, seat.valid_from, seat.valid_to) == (
        chin,
        tree.cell_a1,
        SINCE,
        None,
    )
    event = AuditEvent.objects.get(action="committees.seat.appoint")
    assert (event.unit, event.object_id) == (tree.cell_a1, str(seat.pk))
    assert event.changes["position"] == "secretary"
    assert {
        "committees.seat.appoint",
        "committees.seat.end",
        "committees.supervision.assign",
        "committees.supervision.end",
    } <= set(ACTIONS)


def test_end_seat_sets_the_last_day_before_the_given_day(tree: Tree) -> None:
    seat = appoint(members_of(tree.cell_a1)[0], tree.cell_a1)
    services.end_seat(seat, actor=None, on=LATER, basis="QĐ 2")
    seat.refresh_from_db()
    assert seat.valid_to == date(2020, 12, 31)
    assert AuditEvent.objects.filter(action="committees.seat.end").count() == 1
    with rejected("(Already ended.)", "ended"):
        services.end_seat(seat, actor=None, on=date(2022, 1, 1))


def test_a_seat_cannot_end_before_it_starts(tree: Tree) -> None:
    seat = appoint(members_of(tree.cell_a1)[0], tree.cell_a1)
    with rejected("(The end must come after the start.)", "end_before_start"):
        services.end_seat(seat, actor=None, on=SINCE)


# One secretary per unit per day


def test_one_secretary_per_unit_per_day(tree: Tree) -> None:
    chin, huong, _dung = members_of(tree.cell_a1)
    first = appoint(chin, tree.cell_a1)
    with rejected("(The unit already has a secretary on those days.)", "secretary_taken"):
        appoint(huong, tree.cell_a1, on=LATER)
    services.end_seat(first, actor=None, on=LATER)
    # The day the first secretary still held it is refused, the next day is free.
    with rejected("(The unit already has a secretary on those days.)", "secretary_taken"):
        appoint(huong, tree.cell_a1, on=date(2020, 12, 31))
    appoint(huong, tree.cell_a1, on=LATER)
    assert [s.member for s in selectors.seats_on(tree.cell_a1, LATER)] == [huong]


def test_a_future_secretary_blocks_an_earlier_open_ended_one(tree: Tree) -> None:
    chin, huong, _dung = members_of(tree.cell_a1)
    appoint(chin, tree.cell_a1, on=LATER)
    with rejected("(The unit already has a secretary on those days.)", "secretary_taken"):
        appoint(huong, tree.cell_a1, on=SINCE)


def test_one_secretary_whatever_the_body(tree: Tree) -> None:
    son = members_of(tree.cell_b1)[0]
    chin = members_of(tree.cell_a1)[0]
    appoint(son, tree.district, body=Body.STANDING)
    with rejected("(The unit already has a secretary on those days.)", "secretary_taken"):
        appoint(chin, tree.district, body=Body.COMMITTEE)


# One seat per member and body at a time


def test_no_two_overlapping_seats_on_the_same_body(tree: Tree) -> None:
    chin = members_of(tree.cell_a1)[0]
    appoint(chin, tree.commune_a, position=Position.MEMBER)
    with rejected("(The member already holds a seat on this body on those days.)", "seat_taken"):
        appoint(chin, tree.commune_a, position=Position.DEPUTY, on=LATER)
    # Another body of the same unit, or the same body of another unit, is another seat.
    appoint(chin, tree.commune_a, body=Body.STANDING, position=Position.STANDING_MEMBER)
    appoint(chin, tree.cell_a1, position=Position.DEPUTY)
    assert [s.unit for s in selectors.seats_of(chin, LATER)] == [
        tree.commune_a,
        tree.commune_a,
        tree.cell_a1,
    ]


# The cell committee: 9 official members, at most 7 seats (rules.py)


def test_a_small_cell_has_no_cell_committee(tree: Tree) -> None:
    chin = members_of(tree.cell_a1)[0]
    assert selectors.official_member_count(tree.cell_a1, SINCE) == 3
    with rejected("(Fewer than 9 official members: no cell committee", "too_small"):
        appoint(chin, tree.cell_a1, body=Body.CELL_COMMITTEE)


def test_a_small_cell_has_only_a_secretary_and_a_deputy(tree: Tree) -> None:
    chin = members_of(tree.cell_a1)[0]
    with rejected("(No such position there.)", "wrong_position"):
        appoint(chin, tree.cell_a1, position=Position.MEMBER)
    with rejected("(This kind of unit has no such body.)", "wrong_body"):
        appoint(chin, tree.cell_a1, body=Body.STANDING)


def test_nine_official_members_elect_a_cell_committee(big_cell: Unit) -> None:
    secretary = members_of(big_cell)[0]
    assert selectors.official_member_count(big_cell, SINCE) == 9
    seat = appoint(secretary, big_cell, body=Body.CELL_COMMITTEE)
    assert seat.body == Body.CELL_COMMITTEE


def test_probationary_members_do_not_count(tree: Tree) -> None:
    cell = make_unit(tree.commune_b, UnitKind.CELL, "C8", "Chi bộ thôn Hùng Thành")
    eight = people(cell, 8)
    make_probationary(cell, "Người Dự Bị Một")
    make_probationary(cell, "Người Dự Bị Hai")
    assert selectors.official_member_count(cell, SINCE) == 8
    with rejected("(Fewer than 9 official members: no cell committee", "too_small"):
        appoint(eight[0], cell, body=Body.CELL_COMMITTEE)


def test_the_count_is_taken_on_the_first_day_of_the_seat(tree: Tree) -> None:
    cell = make_unit(tree.commune_b, UnitKind.CELL, "C9", "Chi bộ thôn Đông Thành")
    eight = people(cell, 8)
    make_official(cell, "Người Chuyển Đến", on=date(2021, 6, 1))
    assert selectors.official_member_count(cell, date(2021, 5, 31)) == 8
    assert selectors.official_member_count(cell, date(2021, 6, 1)) == 9
    with rejected("(Fewer than 9 official members: no cell committee", "too_small"):
        appoint(eight[0], cell, body=Body.CELL_COMMITTEE, on=date(2021, 5, 31))
    appoint(eight[0], cell, body=Body.CELL_COMMITTEE, on=date(2021, 6, 1))


def test_party_group_members_count_for_their_cell(tree: Tree) -> None:
    cell = make_unit(tree.commune_b, UnitKind.CELL, "CG", "Chi bộ thôn Y Bích")
    group = make_unit(cell, UnitKind.GROUP, "CG1", "Tổ đảng số 1")
    people(cell, 5)
    people(group, 4, prefix="Tổ Viên")
    assert selectors.official_member_count(cell, SINCE) == 9
    with rejected("(This kind of unit has no such body.)", "wrong_body"):
        appoint(members_of(group)[0], group)


def test_a_cell_committee_has_at_most_seven_members(big_cell: Unit) -> None:
    nine = members_of(big_cell)
    seats = [
        appoint(m, big_cell, body=Body.CELL_COMMITTEE, position=Position.MEMBER) for m in nine[:7]
    ]
    with rejected("(A cell committee has at most 7 members.)", "too_many"):
        appoint(nine[7], big_cell, body=Body.CELL_COMMITTEE, position=Position.MEMBER, on=LATER)
    services.end_seat(seats[0], actor=None, on=LATER)
    appoint(nine[7], big_cell, body=Body.CELL_COMMITTEE, position=Position.MEMBER, on=LATER)


def test_the_size_is_checked_on_every_later_day(big_cell: Unit) -> None:
    """Six seats now and a seventh decided for next year: an eighth from today would make
    eight on that later day."""
    nine = members_of(big_cell)
    for m in nine[:6]:
        appoint(m, big_cell, body=Body.CELL_COMMITTEE, position=Position.MEMBER)
    appoint(nine[6], big_cell, body=Body.CELL_COMMITTEE, position=Position.MEMBER, on=LATER)
    with rejected("(A cell committee has at most 7 members.)", "too_many"):
        appoint(nine[7], big_cell, body=Body.CELL_COMMITTEE, position=Position.MEMBER)


def test_rule_for_is_the_one_place_the_numbers_come_from(tree: Tree) -> None:
    assert rules.rule_for(tree.cell_a1, "cell_committee_min_official") == 9
    assert rules.rule_for(tree.cell_a1, "cell_committee_max_seats") == 7
    assert "24(4)" in rules.source_of("cell_committee_min_official")
    # Set from the district down (the way a changed regulation would be entered):
    for key, value in [("min_official", 3), ("max_seats", 1)]:
        rulebook_services.set_rule(
            tree.district,
            actor=None,
            key=f"committees.cell_committee_{key}",
            value=value,
            valid_from=date(2000, 1, 1),
            basis="thử",
        )
    assert rules.rule_for(tree.cell_a1, "cell_committee_max_seats") == 1
    chin, huong, _dung = members_of(tree.cell_a1)
    appoint(chin, tree.cell_a1, body=Body.CELL_COMMITTEE)
    with rejected("(A cell committee has at most 1 members.)", "too_many"):
        appoint(huong, tree.cell_a1, body=Body.CELL_COMMITTEE, position=Position.DEPUTY)


# Who may sit on a body, and when


def test_bodies_and_positions_follow_the_kind_of_unit(tree: Tree) -> None:
    son = members_of(tree.cell_b1)[0]
    with rejected("(This kind of unit has no such body.)", "wrong_body"):
        appoint(son, tree.district, body=Body.CELL_COMMITTEE)
    with rejected("(No such position there.)", "wrong_position"):
        appoint(son, tree.district, position=Position.STANDING_MEMBER)
    with rejected("(Unknown body or position.)", "invalid"):
        appoint(son, tree.district, position="chairman")


def test_a_seat_goes_to_a_member_of_the_unit(tree: Tree) -> None:
    mai = members_of(tree.other_cell)[0]
    with rejected("(The member is not on the unit's roll that day.)", "not_member"):
        appoint(mai, tree.commune_a)
    late = make_official(tree.cell_a1, "Người Đến Sau", on=LATER)
    with rejected("(The member is not on the unit's roll that day.)", "not_member"):
        appoint(late, tree.cell_a1, on=SINCE)


def test_no_seat_on_a_unit_that_does_not_exist_yet(tree: Tree) -> None:
    chin = members_of(tree.cell_a1)[0]
    with rejected("(The unit is not active on that date.)", "inactive"):
        appoint(chin, tree.cell_a1, on=date(2010, 1, 1))


# Supervision assignments


def test_assign_a_committee_member_of_the_unit_above(tree: Tree) -> None:
    chin = members_of(tree.cell_a1)[0]
    seat_on(tree.commune_a, chin)
    assignment = services.assign_supervisor(
        chin, actor=None, unit=tree.cell_a2, valid_from=LATER, basis="QĐ 5", note="Thôn"
    )
    assert [a.unit for a in selectors.supervised_by(chin, LATER)] == [tree.cell_a2]
    assert list(selectors.supervised_by(chin, SINCE)) == []
    event = AuditEvent.objects.get(action="committees.supervision.assign")
    assert (event.unit, event.object_id) == (tree.cell_a2, str(assignment.pk))
    services.end_supervision(assignment, actor=None, on=date(2022, 1, 1))
    assignment.refresh_from_db()
    assert assignment.valid_to == date(2021, 12, 31)
    assert AuditEvent.objects.filter(action="committees.supervision.end").count() == 1
    with rejected("(Already ended.)", "ended"):
        services.end_supervision(assignment, actor=None, on=date(2023, 1, 1))


def test_a_supervisor_holds_a_seat_strictly_above(tree: Tree) -> None:
    chin, huong, _dung = members_of(tree.cell_a1)
    lan = members_of(tree.cell_a2)[0]
    appoint(chin, tree.cell_a1)  # the cell's own secretary is not above it
    appoint(lan, tree.cell_a2)  # nor is the secretary of a sibling cell
    gist = "(The supervisor must hold a committee seat on a unit above.)"
    for member in (chin, lan, huong):
        with rejected(gist, "not_above"):
            services.assign_supervisor(member, actor=None, unit=tree.cell_a1, valid_from=SINCE)
    # A seat from a later day does not count for an earlier start.
    seat_on(tree.district, huong, on=LATER)
    with rejected(gist, "not_above"):
        services.assign_supervisor(huong, actor=None, unit=tree.cell_a1, valid_from=SINCE)
    services.assign_supervisor(huong, actor=None, unit=tree.cell_a1, valid_from=LATER)


def test_no_two_overlapping_assignments_to_the_same_unit(tree: Tree) -> None:
    first = supervision_of(tree.cell_a1)
    supervisor = first.supervisor
    with rejected("(Already assigned to this unit on those days.)", "assigned"):
        services.assign_supervisor(supervisor, actor=None, unit=tree.cell_a1, valid_from=LATER)
    services.end_supervision(first, actor=None, on=LATER)
    services.assign_supervisor(supervisor, actor=None, unit=tree.cell_a1, valid_from=LATER)
    # Another unit at the same time is fine.
    services.assign_supervisor(supervisor, actor=None, unit=tree.cell_a2, valid_from=LATER)


def test_supervisors_on_a_day_carry_the_seats_they_held(tree: Tree) -> None:
    assignment = supervision_of(tree.cell_a1)
    [listed] = selectors.supervisors_on(tree.cell_a1, LATER)
    assert listed == assignment
    assert [s.unit for s in listed.supervisor.seats_held] == [tree.commune_a]
    assert list(selectors.supervisors_on(tree.cell_a1, date(2019, 12, 31))) == []
