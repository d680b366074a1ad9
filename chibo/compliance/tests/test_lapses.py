"""Stored lapses (decision 0016): evaluating a month reads that month's attendance and dues and
stores its lapses; the removal review counts the earlier months of its window from the store,
and a month is read again when it was read before it ended or when a record of it changed."""

from datetime import date
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.compliance.lapses import forget
from chibo.compliance.models import Lapse, LapseMonth, RemovalReview
from chibo.compliance.tests.helpers import evaluate, hold
from chibo.meetings.dues import services as dues_services
from chibo.meetings.models import Attendance, Mark
from chibo.members.models import Member
from conftest import Tree

JAN, FEB, MARCH = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def stored(unit_id: int) -> list[tuple[date, int, bool, bool]]:
    return sorted(
        Lapse.objects.filter(unit_id=unit_id).values_list("month", "member_id", "absent", "unpaid")
    )


def marked(unit_id: int) -> dict[date, bool]:
    return dict(LapseMonth.objects.filter(unit_id=unit_id).values_list("month", "complete"))


def reviews() -> list[tuple[int, int, list[str], list[str]]]:
    return sorted(
        RemovalReview.objects.values_list("member_id", "unit_id", "absent_months", "unpaid_months")
    )


def test_the_first_evaluation_of_a_year_stores_every_month_of_the_window(tree: Tree) -> None:
    dung = Member.objects.get(full_name="Đặng Văn Dũng")
    for month in (1, 2, 3):
        hold(tree.cell_a1, date(2026, month, 4), unexcused=[dung.pk])
    evaluate(tree.district, MARCH, as_of=date(2026, 4, 2))
    cell = tree.cell_a1.pk
    assert stored(cell) == [(m, dung.pk, True, False) for m in (JAN, FEB, MARCH)]
    assert marked(cell) == {JAN: True, FEB: True, MARCH: True}
    assert marked(tree.district.pk) == {JAN: True, FEB: True, MARCH: True}  # every unit
    assert reviews() == [(dung.pk, cell, ["2026-01", "2026-02", "2026-03"], [])]


def test_earlier_months_are_counted_from_the_store(tree: Tree) -> None:
    dung = Member.objects.get(full_name="Đặng Văn Dũng")
    for month in (1, 2, 3):
        hold(tree.cell_a1, date(2026, month, 4), unexcused=[dung.pk])
    evaluate(tree.cell_a1, FEB, as_of=date(2026, 3, 2))
    # Records edited behind the services' back are not read again for a month stored complete:
    # January and February are counted as stored; March, the month evaluated, is read.
    Attendance.objects.filter(meeting__unit=tree.cell_a1).update(mark=Mark.PRESENT)
    evaluate(tree.cell_a1, MARCH, as_of=date(2026, 4, 2))
    assert stored(tree.cell_a1.pk) == [(m, dung.pk, True, False) for m in (JAN, FEB)]
    assert reviews() == []  # two months of three


def test_a_month_read_before_it_ended_is_read_again(tree: Tree) -> None:
    dung = Member.objects.get(full_name="Đặng Văn Dũng")
    for month in (1, 2, 3):
        hold(tree.cell_a1, date(2026, month, 4), unexcused=[dung.pk])
    Attendance.objects.filter(meeting__unit=tree.cell_a1).update(mark=Mark.PRESENT)
    evaluate(tree.cell_a1, FEB, as_of=date(2026, 2, 20))  # February not over
    assert marked(tree.cell_a1.pk) == {JAN: True, FEB: False}
    Attendance.objects.filter(member=dung).update(mark=Mark.UNEXCUSED)
    evaluate(tree.cell_a1, MARCH, as_of=date(2026, 4, 2))
    assert marked(tree.cell_a1.pk) == {JAN: True, FEB: True, MARCH: True}
    assert stored(tree.cell_a1.pk) == [(m, dung.pk, True, False) for m in (FEB, MARCH)]


def test_a_record_changed_through_the_services_forgets_its_months(tree: Tree) -> None:
    dung, huong = (
        Member.objects.get(full_name=name) for name in ("Đặng Văn Dũng", "Phạm Thị Hường")
    )
    for month in (1, 2, 3):
        hold(tree.cell_a1, date(2026, month, 4), unexcused=[dung.pk])
        dues_services.collect_dues(
            tree.cell_a1,
            actor=None,
            month=date(2026, month, 1),
            payments={m.pk: (20_000, True) for m in (dung, huong)},
        )
    evaluate(tree.district, MARCH, as_of=date(2026, 4, 2))
    assert marked(tree.cell_a1.pk) == {JAN: True, FEB: True, MARCH: True}
    # February's dues corrected: February and later are forgotten for the cell alone.
    dues_services.collect_dues(
        tree.cell_a1, actor=None, month=FEB, payments={huong.pk: (20_000, False)}
    )
    assert marked(tree.cell_a1.pk) == {JAN: True}
    assert marked(tree.cell_a2.pk) == {JAN: True, FEB: True, MARCH: True}
    evaluate(tree.cell_a1, MARCH, as_of=date(2026, 4, 2))
    assert (FEB, huong.pk, False, True) in stored(tree.cell_a1.pk)


def test_dues_recorded_elsewhere_forget_the_members_own_units(tree: Tree) -> None:
    huong = Member.objects.get(full_name="Phạm Thị Hường")
    evaluate(tree.district, MARCH, as_of=date(2026, 4, 2))
    forget([tree.cell_b1.pk], FEB, members=[huong.pk])
    assert marked(tree.cell_a1.pk) == {JAN: True}
    assert marked(tree.cell_b1.pk) == {JAN: True}
    assert marked(tree.cell_a2.pk) == {JAN: True, FEB: True, MARCH: True}


def test_month_by_month_and_all_at_once_agree(tree: Tree) -> None:
    chin, dung, huong = (
        Member.objects.get(full_name=name)
        for name in ("Lê Văn Chín", "Đặng Văn Dũng", "Phạm Thị Hường")
    )
    for month in (1, 2, 3, 4):
        hold(tree.cell_a1, date(2026, month, 4), unexcused=[dung.pk] if month != 2 else [])
        dues_services.collect_dues(
            tree.cell_a1,
            actor=None,
            month=date(2026, month, 1),
            payments={
                chin.pk: (20_000, True),
                dung.pk: (20_000, True),
                huong.pk: (20_000, month == 3),
            },
        )
    for month in (1, 2, 3, 4):
        evaluate(tree.district, date(2026, month, 1), as_of=date(2026, 5, 4))
    step_by_step = (stored(tree.cell_a1.pk), reviews())
    Lapse.objects.all().delete()
    LapseMonth.objects.all().delete()
    RemovalReview.objects.all().delete()
    evaluate(tree.district, date(2026, 4, 1), as_of=date(2026, 5, 4))
    assert (stored(tree.cell_a1.pk), reviews()) == step_by_step
    assert reviews() == [
        (huong.pk, tree.cell_a1.pk, [], ["2026-01", "2026-02", "2026-04"]),
        (dung.pk, tree.cell_a1.pk, ["2026-01", "2026-03", "2026-04"], []),
    ]


def test_a_month_evaluated_again_after_it_ended_reads_no_records(tree: Tree) -> None:
    dung = Member.objects.get(full_name="Đặng Văn Dũng")
    hold(tree.cell_a1, date(2026, 3, 4), unexcused=[dung.pk])
    evaluate(tree.district, MARCH, as_of=date(2026, 4, 2))
    # Behind the services' back: the stored month stands until it is read again.
    Attendance.objects.filter(meeting__unit=tree.cell_a1).update(mark=Mark.PRESENT)
    with CaptureQueriesContext(connection) as seen:
        evaluate(tree.district, MARCH, as_of=date(2026, 4, 20))
    statements = [q["sql"] for q in seen.captured_queries]
    assert not [sql for sql in statements if "'unexcused'" in sql]  # the month's absences
    assert not [sql for sql in statements if 'DELETE FROM "compliance_lapse"' in sql]
    assert stored(tree.cell_a1.pk) == [(MARCH, dung.pk, True, False)]


def test_reread_reads_the_months_again_from_the_records(tree: Tree) -> None:
    dung = Member.objects.get(full_name="Đặng Văn Dũng")
    hold(tree.cell_a1, date(2026, 3, 4), unexcused=[dung.pk])
    evaluate(tree.district, MARCH, as_of=date(2026, 4, 2))
    Attendance.objects.filter(meeting__unit=tree.cell_a1).update(mark=Mark.PRESENT)
    call_command(
        "evaluate_compliance", "--month", "2026-03", "--unit", tree.district.code, stdout=StringIO()
    )
    assert stored(tree.cell_a1.pk) == [(MARCH, dung.pk, True, False)]  # stored, not read
    call_command(
        "evaluate_compliance",
        "--month",
        "2026-03",
        "--unit",
        tree.district.code,
        "--reread",
        stdout=StringIO(),
    )
    assert stored(tree.cell_a1.pk) == []
