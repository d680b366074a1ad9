"""The roll-up is exact: for generated organisations, every unit's stored figures equal a
brute-force recount from the raw records (meetings, attendance, dues) of the cells below it,
after a full evaluation and after re-evaluating a single cell."""

import itertools
from collections import Counter
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chibo.compliance.models import Result
from chibo.compliance.tests.helpers import evaluate, hold
from chibo.lib.intervals import active_on
from chibo.meetings.dues import services as dues_services
from chibo.meetings.models import Attendance, DuesPayment, Mark, Meeting, MeetingKind
from chibo.members.models import Membership
from chibo.units import treepath
from chibo.units.models import Unit, UnitKind
from conftest import make_member, make_unit

MARCH = date(2026, 3, 1)
AFTER = date(2026, 4, 20)
SERIAL = itertools.count()

cell = st.fixed_dictionaries(
    {
        "members": st.integers(min_value=1, max_value=4),
        "meets": st.booleans(),
        "absent": st.integers(min_value=0, max_value=4),
        "unpaid": st.integers(min_value=0, max_value=4),
        "keeps_dues": st.booleans(),
    }
)
base = st.lists(cell, min_size=0, max_size=3)  # no cells: the base holds its own meetings
organisation = st.lists(base, min_size=1, max_size=3)


def build(shape: list[list[dict[str, int]]], parent: Unit) -> tuple[Unit, list[Unit]]:
    n = next(SERIAL)
    top = make_unit(parent, UnitKind.COMMUNE, f"G{n}")
    leaves = []
    for b, cells in enumerate(shape):
        base_unit = make_unit(top, UnitKind.BASE, f"G{n}B{b}")
        plans = cells or [{"members": 3, "meets": True, "absent": 1, "unpaid": 0, "keeps_dues": 1}]
        for c, plan in enumerate(plans):
            unit = make_unit(base_unit, UnitKind.CELL, f"G{n}B{b}C{c}") if cells else base_unit
            leaves.append(unit)
            members = [
                make_member(unit, f"Người Số {n} {b} {c} {i}") for i in range(plan["members"])
            ]
            if plan["meets"]:
                hold(unit, date(2026, 3, 4), absent=plan["absent"], documents=False, notice=False)
            if plan["keeps_dues"]:
                payments = {m.pk: (10_000, i >= plan["unpaid"]) for i, m in enumerate(members)}
                dues_services.collect_dues(unit, actor=None, month=MARCH, payments=payments)
    return top, leaves


def recount(unit: Unit, leaves: list[Unit]) -> dict[str, tuple[int, int]]:
    """Figures of `unit`'s subtree counted from the raw records, without the stored results."""
    below = [leaf for leaf in leaves if treepath.is_within(leaf.path, unit.path)]
    meetings = Meeting.objects.filter(unit__in=below, starts_at__month=3, starts_at__year=2026)
    met = meetings.filter(kind=MeetingKind.REGULAR).values("unit").distinct().count()
    marks = Attendance.objects.filter(meeting__in=meetings, counted=True)
    present = marks.filter(mark__in=[Mark.PRESENT, Mark.LATE]).count()
    books = set(
        DuesPayment.objects.filter(month=MARCH, unit__in=below).values_list("unit", flat=True)
    )
    owing = Membership.objects.filter(active_on(MARCH), unit__in=books).count()
    paid = DuesPayment.objects.filter(month=MARCH, unit__in=below, paid=True).count()
    return {
        "regular_meeting": (met, len(below)),
        "attendance_rate": (present, marks.count()),
        "dues_collected": (paid, owing),
        "cell_size": (sum(1 for leaf in below if _official(leaf) >= 3), len(below)),
    }


def _official(leaf: Unit) -> int:
    return Membership.objects.filter(active_on(MARCH), unit=leaf).count()


def leaves_of(top: Unit) -> list[Unit]:
    """Cells, and bases with no cell below them, written out here rather than through the
    code under test."""
    units = list(Unit.objects.filter(treepath.within(top.path)))
    with_cells = {u.parent_id for u in units if u.kind == UnitKind.CELL}
    return [
        u
        for u in units
        if u.kind == UnitKind.CELL or (u.kind == UnitKind.BASE and u.pk not in with_cells)
    ]


def check(top: Unit) -> None:
    leaves = leaves_of(top)
    units = Unit.objects.filter(treepath.within(top.path)).exclude(kind=UnitKind.GROUP)
    own = Result.objects.filter(month=MARCH, own=True, unit__in=leaves)
    for unit in units:
        counted = recount(unit, leaves)
        for code in ("regular_meeting", "attendance_rate", "dues_collected", "cell_size"):
            row = Result.objects.filter(unit=unit, obligation=code, month=MARCH).first()
            figures = (row.numerator, row.denominator) if row else (0, 0)
            assert figures == counted[code], (unit.code, code)
            statuses = Counter(
                r.status
                for r in own.filter(obligation=code)
                if treepath.is_within(r.path, unit.path)
            )
            if row is not None:
                assert (row.units_ok, row.units_warning, row.units_failed) == (
                    statuses["ok"],
                    statuses["warning"],
                    statuses["failed"],
                ), (unit.code, code)


@pytest.mark.django_db
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shape=organisation, late=st.integers(min_value=0, max_value=8))
def test_roll_up_equals_a_recount(tree, shape, late) -> None:  # type: ignore[no-untyped-def]
    top, leaves = build(shape, tree.province)
    evaluate(tree.province, MARCH, as_of=AFTER)
    check(top)
    check(tree.province)
    # One cell changes and only it is evaluated again: the units above it stay exact.
    quiet = [leaf for leaf in leaves if not Meeting.objects.filter(unit=leaf).exists()]
    if quiet:
        changed = quiet[late % len(quiet)]
        hold(changed, date(2026, 3, 12), documents=False, notice=False)
        evaluate(changed, MARCH, as_of=AFTER)
        check(top)
        check(tree.province)
