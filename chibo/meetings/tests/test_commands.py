"""The generate_meetings command: the month's regular meetings for every cell below a unit."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from chibo.audit.models import AuditEvent
from chibo.meetings.models import Meeting
from conftest import Tree


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_meetings", *args, stdout=out)
    return out.getvalue().strip()


def test_generate_the_month_below_a_unit_once(tree: Tree) -> None:
    out = run("--month", "2027-02", "--unit", "d1")
    assert out == (
        "Đã lên lịch 3 cuộc họp thường kỳ tháng 02/2027 (Đảng bộ huyện Một): "
        "3 chi bộ, 0 đã có lịch từ trước."
    )
    meetings = Meeting.objects.order_by("unit__code")
    assert [m.unit.code for m in meetings] == ["A1", "A2", "B1"]
    # 3/2/2027 is a Wednesday, the first day of the window; the evening by default.
    assert {timezone.localtime(m.starts_at).strftime("%d/%m/%Y %H:%M") for m in meetings} == {
        "03/02/2027 19:00"
    }
    assert {m.series_month for m in meetings} == {date(2027, 2, 1)}
    again = run("--month", "2027-02", "--unit", "D1")
    assert again.startswith("Đã lên lịch 0 cuộc họp")
    assert again.endswith("3 chi bộ, 3 đã có lịch từ trước.")
    assert Meeting.objects.count() == 3


def test_every_top_unit_by_default(tree: Tree) -> None:
    out = run("--month", "2027-02")
    assert out.startswith("Đã lên lịch 4 cuộc họp thường kỳ tháng 02/2027 (mọi đơn vị)")
    assert set(Meeting.objects.values_list("unit__code", flat=True)) == {"A1", "A2", "B1", "P2C"}


def test_dry_run_writes_nothing(tree: Tree) -> None:
    events = AuditEvent.objects.count()
    out = run("--month", "2027-02", "--dry-run")
    assert out.startswith("Sẽ lên lịch 4 cuộc họp")
    assert not Meeting.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("month", ["2027-13", "2027/02", "02-2027x", "2027-02-01", ""])
def test_a_bad_month_is_refused(tree: Tree, month: str) -> None:
    with pytest.raises(CommandError, match="YYYY-MM"):
        run("--month", month)
    assert not Meeting.objects.exists()


def test_an_unknown_unit_is_refused(tree: Tree) -> None:
    with pytest.raises(CommandError, match="Không có đơn vị mã XYZ"):
        run("--month", "2027-02", "--unit", "XYZ")
