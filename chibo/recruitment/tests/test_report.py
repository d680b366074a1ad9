"""Targets roll up the tree and the report's figures match a brute-force recount."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from chibo.lib.intervals import active_on
from chibo.members import services as member_services
from chibo.members.models import Member, Membership, MemberStatus, Status
from chibo.recruitment import report, services
from chibo.units import treepath
from chibo.units.models import Unit, UnitVersion
from conftest import Tree, make_member

END_2020 = date(2020, 12, 31)


def admit(unit: Unit, name: str, on: date, recognised: date | None = None) -> Member:
    return make_member(
        unit, name, on=on, admitted_on=on, admission_decided_on=on, recognised_on=recognised
    )


@pytest.fixture
def history(tree: Tree) -> Tree:
    admit(tree.cell_a1, "Kết Nạp Một", date(2019, 3, 1), date(2020, 3, 1))
    admit(tree.cell_a1, "Kết Nạp Hai", date(2019, 11, 5), date(2020, 11, 5))
    admit(tree.cell_a2, "Kết Nạp Ba", date(2020, 6, 1))
    admit(tree.cell_b1, "Kết Nạp Bốn", date(2020, 7, 1), date(2021, 7, 1))
    admit(tree.other_cell, "Ngoài Phạm Vi", date(2020, 7, 1))
    removed = admit(tree.cell_b1, "Bị Xóa Tên", date(2020, 2, 1))
    member_services.remove_member(
        removed, actor=None, on=date(2021, 1, 10), basis=member_services.Basis("9-QĐ")
    )
    services.set_target(tree.district, actor=None, year=2019, target=1, basis="NQ ĐH")
    services.set_target(tree.district, actor=None, year=2020, target=3, basis="NQ ĐH")
    services.set_target(tree.commune_a, actor=None, year=2020, target=1, basis="NQ ĐU")
    services.set_target(tree.commune_b, actor=None, year=2020, target=1, basis="NQ ĐU")
    return tree


def brute_force(unit: Unit, start: date, end: date) -> tuple[int, int, int]:
    """Member by member, the way a clerk would count from the record cards."""
    root = {v.path for v in UnitVersion.objects.filter(unit=unit)}

    def inside(member: Member, day: date) -> bool:
        for m in Membership.objects.filter(active_on(day), member=member, kind="official"):
            for v in UnitVersion.objects.filter(active_on(day), unit=m.unit):
                if any(treepath.is_within(v.path, p) for p in root):
                    return True
        return False

    admitted = recognised = removed = 0
    for member in Member.objects.all():
        if (
            member.admitted_on
            and start <= member.admitted_on <= end
            and inside(member, member.admitted_on)
        ):
            admitted += 1
        if (
            member.recognised_on
            and start <= member.recognised_on <= end
            and inside(member, member.recognised_on)
        ):
            recognised += 1
        for s in MemberStatus.objects.filter(member=member, status=Status.REMOVED):
            if start <= s.valid_from <= end and member.recognised_on is None:
                removed += inside(member, date.fromordinal(s.valid_from.toordinal() - 1))
    return admitted, recognised, removed


def test_the_report_against_a_brute_force_recount(history: Tree) -> None:
    for unit in (history.district, history.commune_a, history.province, history.cell_b1):
        for start, end in [
            (date(2019, 1, 1), date(2021, 8, 31)),
            (date(2020, 1, 1), date(2020, 12, 31)),
        ]:
            figures = report.report(unit, start, end)
            total = figures.total
            assert (total.admitted, total.recognised, total.removed) == brute_force(
                unit, start, end
            )
    figures = report.report(history.district, date(2019, 1, 1), date(2021, 8, 31))
    assert figures.total.admitted == 5
    assert [(y.year, y.admitted) for y in figures.years] == [(2019, 2), (2020, 3), (2021, 0)]
    assert {c.name: c.admitted for c in figures.children} == {
        "Đảng bộ xã Đa Lộc": 3,
        "Đảng bộ xã Hải Lộc": 2,
    }
    assert figures.whole_years == 2 and figures.per_year == 2.5


def test_removals_are_counted_where_the_member_was_the_day_before(tree: Tree) -> None:
    """Removals during probation, by year and by branch, through moves of the units: one the
    day a commune moves, one the first of January (the day before is the year before)."""
    from chibo.units import services as unit_services

    basis = member_services.Basis("9-QĐ")
    new_year = admit(tree.cell_b1, "Xóa Đầu Năm", date(2019, 3, 1))
    member_services.remove_member(new_year, actor=None, on=date(2020, 1, 1), basis=basis)
    later = admit(tree.cell_b1, "Xóa Sau Chuyển", date(2019, 3, 1))
    same_day = admit(tree.cell_a1, "Xóa Ngày Chuyển", date(2019, 5, 1))
    before = admit(tree.cell_a2, "Xóa Trước Chuyển", date(2019, 5, 1))
    member_services.remove_member(before, actor=None, on=date(2020, 6, 1), basis=basis)
    unit_services.move_unit(
        tree.commune_b, actor=None, new_parent=tree.other_province, on=date(2020, 6, 1)
    )
    member_services.remove_member(later, actor=None, on=date(2020, 6, 2), basis=basis)
    unit_services.move_unit(
        tree.commune_a, actor=None, new_parent=tree.other_province, on=date(2021, 1, 1)
    )
    member_services.remove_member(same_day, actor=None, on=date(2021, 1, 1), basis=basis)
    units = (tree.central, tree.province, tree.district, tree.other_province)
    for unit in (*units, tree.commune_a, tree.commune_b, tree.cell_b1):
        for start, end in [
            (date(2019, 1, 1), date(2021, 12, 31)),
            (date(2020, 1, 1), END_2020),
            (date(2021, 1, 1), date(2021, 12, 31)),  # the day before is in the older version
        ]:
            figures = report.report(unit, start, end)
            assert figures.total.removed == brute_force(unit, start, end)[2], (unit, start)
            for line in figures.years:
                year = (max(start, date(line.year, 1, 1)), min(end, date(line.year, 12, 31)))
                assert line.removed == brute_force(unit, *year)[2], (unit, line.year)
    district = report.report(tree.district, date(2019, 1, 1), date(2021, 12, 31))
    assert [(y.year, y.removed) for y in district.years] == [(2019, 0), (2020, 2), (2021, 1)]
    assert {c.name: c.removed for c in district.children if c.removed} == {
        "Đảng bộ xã Đa Lộc": 2,
        "Đảng bộ xã Hải Lộc": 1,
    }


def test_targets_roll_up_and_are_prorated(history: Tree) -> None:
    figures = report.report(history.district, date(2019, 1, 1), date(2020, 6, 30))
    assert figures.years[0].target == 1
    assert figures.years[1].target == pytest.approx(3 * 182 / 366)
    assert figures.total.above_target
    progress = report.progress(history.district, 2020, on=date(2020, 7, 1))
    assert progress.target == 3 and progress.children_target == 2
    assert progress.expected == pytest.approx(3 * 183 / 366)
    assert progress.report.total.admitted == 3
    below = {c.name: (c.target, c.admitted) for c in progress.report.children}
    assert below == {"Đảng bộ xã Đa Lộc": (1, 1), "Đảng bộ xã Hải Lộc": (1, 2)}


def test_the_report_keeps_a_dissolved_units_past(history: Tree) -> None:
    from chibo.units import services as unit_services

    unit_services.merge_units(
        [history.commune_b], actor=None, into=history.commune_a, on=date(2022, 1, 1)
    )
    figures = report.report(history.commune_b, date(2019, 1, 1), date(2021, 12, 31))
    assert figures.total.admitted == 2
    assert (
        report.report(history.commune_a, date(2019, 1, 1), date(2021, 12, 31)).total.admitted == 3
    )


def test_the_command_prints_json_and_writes_xlsx(history: Tree, tmp_path: object) -> None:
    out = io.StringIO()
    call_command(
        "recruitment_report", "--unit", "D1", "--from", "2019-01", "--to", "2021-08", stdout=out
    )
    assert '"admitted": 5' in out.getvalue()
    path = f"{tmp_path}/r.xlsx"
    call_command(
        "recruitment_report",
        "--unit",
        "D1",
        "--from",
        "2019-01",
        "--to",
        "2021-08",
        "--format",
        "xlsx",
        "--output",
        path,
        stdout=io.StringIO(),
    )
    book = load_workbook(path)
    assert book.sheetnames[:2] == ["Tổng hợp", "Theo năm"]
    with pytest.raises(CommandError):
        call_command("recruitment_report", "--unit", "NOPE", "--from", "2019-01", "--to", "2021-08")
    with pytest.raises(CommandError):
        call_command("recruitment_report", "--unit", "D1", "--from", "2021-09", "--to", "2021-08")
