"""Evaluating a month reads its facts in grouped statements: its number of queries does not grow
with the units below it (a tree and the same tree twice over cost the same), and a tree cut
into pieces stores exactly the rows, alerts and reviews a single run stores (decision 0015)."""

from datetime import date
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.committees.tests.helpers import make_probationary, supervision_of
from chibo.compliance import facts, services
from chibo.compliance.models import Alert, RemovalReview, Result
from chibo.compliance.tests.helpers import evaluate, hold
from chibo.meetings.dues import services as dues_services
from chibo.meetings.models import MeetingKind
from chibo.members.models import Member, TransferKind
from chibo.members.transfers import services as transfer_services
from chibo.recruitment import services as recruitment_services
from chibo.units.models import Unit, UnitKind
from conftest import Tree, make_member, make_unit

MARCH = date(2026, 3, 1)
AFTER = date(2026, 4, 15)  # March is over and still recent: alerts and reviews are raised


def branch(parent: Unit, tag: str) -> None:
    """A base with two cells and a base that meets itself, their members, a quarter of
    meetings (one member away without reason each month), dues with one left unpaid, two
    probationers (one admitted this year, against the base's target), a supervised cell and a
    transfer between the cells."""
    base = make_unit(parent, UnitKind.BASE, f"{tag}B", f"Đảng bộ xã {tag}")
    lone = make_unit(parent, UnitKind.BASE, f"{tag}L", f"Chi bộ cơ sở {tag}")
    first = make_unit(base, UnitKind.CELL, f"{tag}C1", f"Chi bộ thôn {tag} Một")
    second = make_unit(base, UnitKind.CELL, f"{tag}C2", f"Chi bộ thôn {tag} Hai")
    people = [make_member(first, f"Người {tag} Số {i}") for i in range(4)]
    make_member(second, f"Người {tag} Số 4")
    make_member(second, f"Người {tag} Số 5")
    make_probationary(second, f"Người {tag} Dự Bị", on=date(2025, 4, 20))
    for i in range(3):
        make_member(lone, f"Người {tag} Cơ Sở {i}")
    supervision_of(first, on=date(2026, 1, 1))
    make_probationary(first, f"Người {tag} Mới", on=date(2026, 2, 10))
    recruitment_services.set_target(base, actor=None, year=2026, target=4, basis="NQ đại hội")
    for month in (1, 2, 3):
        hold(first, date(2026, month, 4), unexcused=[people[0].pk], notice=month != 2)
        payments = {m.pk: (20_000, m != people[1]) for m in people}
        dues_services.collect_dues(first, actor=None, month=date(2026, month, 1), payments=payments)
    hold(second, date(2026, 2, 18), kind=MeetingKind.THEMATIC, minutes=130)
    hold(lone, date(2026, 3, 9), absent=1, minutes=80)
    transfer_services.issue_transfer(
        make_member(first, f"Người {tag} Chuyển Đi", on=date(2020, 1, 1)),
        actor=None,
        kind=TransferKind.OFFICIAL,
        to_unit=second,
        letter_number=f"{tag}-GGT",
        letter_date=date(2026, 2, 2),
        effective_on=date(2026, 2, 2),
    )


def queries_to_evaluate(unit: Unit) -> int:
    with CaptureQueriesContext(connection) as done:
        evaluate(unit, MARCH, as_of=AFTER)
    return len(done)


def test_queries_do_not_grow_with_the_units(tree: Tree) -> None:
    small = make_unit(tree.province, UnitKind.DISTRICT, "S", "Đảng bộ huyện Nhỏ")
    branch(small, "S1")
    large = make_unit(tree.province, UnitKind.DISTRICT, "L", "Đảng bộ huyện Lớn")
    branch(large, "L1")
    branch(large, "L2")
    one, two = queries_to_evaluate(small), queries_to_evaluate(large)
    assert Result.objects.filter(month=MARCH, parent=large).count() == 2 * (
        Result.objects.filter(month=MARCH, parent=small).count()
    )
    reviews = RemovalReview.objects.filter(unit__parent__parent=small).count()
    assert reviews and RemovalReview.objects.filter(unit__parent__parent=large).count() == (
        2 * reviews
    )
    assert one == two


def stored(month: date) -> dict[str, Any]:
    """What an evaluation leaves behind, without ids and times."""
    return {
        "results": sorted(
            Result.objects.filter(month=month).values_list(
                "unit_id",
                "obligation",
                "parent_id",
                "path",
                "status",
                "own",
                "units_ok",
                "units_warning",
                "units_failed",
                "numerator",
                "denominator",
                "detail",
            )
        ),
        "alerts": sorted(
            Alert.objects.filter(month=month).values_list(
                "unit_id", "obligation", "status", "message", "state", "level_id"
            )
        ),
        "reviews": sorted(
            RemovalReview.objects.values_list(
                "member_id", "unit_id", "period_start", "absent_months", "unpaid_months"
            )
        ),
    }


def forget(month: date) -> None:
    Result.objects.filter(month=month).delete()
    Alert.objects.filter(month=month).delete()
    RemovalReview.objects.all().delete()


def test_pieces_store_what_a_single_run_stores(tree: Tree) -> None:
    for n in (1, 2):
        district = make_unit(tree.province, UnitKind.DISTRICT, f"D{n + 1}", f"Huyện {n + 1}")
        branch(district, f"X{n}")
        branch(district, f"Y{n}")
    recruitment_services.set_target(
        tree.province, actor=None, year=2026, target=40, basis="NQ đại hội"
    )
    whole = evaluate(tree.central, MARCH, as_of=AFTER)
    single = stored(MARCH)
    forget(MARCH)

    plan = facts.plan(tree.central.path, MARCH, 4)
    assert len(plan.pieces) > 4
    assert {tree.central.pk, tree.province.pk, tree.district.pk} <= set(plan.top)
    steps: list[tuple[int, int]] = []
    cut = evaluate(
        tree.central,
        MARCH,
        as_of=AFTER,
        piece_units=4,
        progress=lambda done, total: steps.append((done, total)),
    )
    assert stored(MARCH) == single
    assert (cut.units, cut.results, cut.alerts_raised, cut.reviews) == (
        whole.units,
        whole.results,
        whole.alerts_raised,
        whole.reviews,
    )
    total = len(plan.pieces) + 1
    assert steps == [(done, total) for done in range(1, total + 1)]
    assert single["reviews"] and single["alerts"]
    # The province's own judgement counts the admissions of every piece below it.
    own = {
        r[0]: r[11]["own"][1:] for r in single["results"] if r[1] == "recruitment_target" and r[5]
    }
    assert own[tree.province.pk] == [4, 40]
    assert Member.objects.filter(full_name__startswith="Người X1").exists()


def test_the_command_moves_its_bar_with_the_pieces(tree: Tree) -> None:
    err = StringIO()
    call_command(
        "evaluate_compliance",
        "--month",
        "2026-03",
        "--piece-units",
        "3",
        stdout=StringIO(),
        stderr=err,
    )
    lines = err.getvalue().splitlines()
    assert lines[-1].endswith("100%")
    assert len(lines) > 3  # the pieces move it on, not only the end of each unit's month


def test_statistics_are_taken_again_only_after_a_piece_that_wrote_many_rows(
    tree: Tree, monkeypatch: Any
) -> None:
    """The first evaluation of a month writes each piece's rows: the planner's statistics are
    taken again before the next piece. Evaluated again, nothing changed and nothing was
    written: no piece analyses the tables (decision 0021)."""
    branch(tree.province, "X")
    branch(tree.province, "Y")
    taken: list[int] = []
    monkeypatch.setattr(services, "_refresh_statistics", lambda: taken.append(1))
    monkeypatch.setattr(services, "RESTATE_AFTER", 20)  # a piece here writes 17 to 81 rows
    plan = facts.plan(tree.central.path, MARCH, 4)
    evaluate(tree.central, MARCH, as_of=AFTER, piece_units=4)
    assert 0 < len(taken) < len(plan.pieces)  # not after the piece that wrote 17
    taken.clear()
    evaluate(tree.central, MARCH, as_of=AFTER, piece_units=4)
    assert taken == []
