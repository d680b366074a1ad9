"""The import_members and export_members commands: the same checks and files as the pages."""

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from chibo.audit.models import AuditEvent
from chibo.members.models import Member, Membership, MemberStatus
from chibo.members.spreadsheets import columns
from conftest import Tree, make_member

HEADERS = [header for _name, header, _gloss in columns.COLUMNS]


def person(**values: Any) -> list[Any]:
    return [values.get(name) for name, _h, _g in columns.COLUMNS]


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def counts() -> tuple[int, int, int, int]:
    return (
        Member.objects.count(),
        Membership.objects.count(),
        MemberStatus.objects.count(),
        AuditEvent.objects.count(),
    )


ROWS = [
    person(full_name="Ngô Văn Lệnh", sex="Nam", citizen_id="001080000321", birth_date="1/2/1980"),
    person(full_name="Ngô Thị Dòng", sex="Nữ", card_number="23456789"),
]


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_members_puts_the_file_on_the_roll_and_says_so(tree: Tree, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "ds.xlsx", ROWS)
    out, _err = run("import_members", str(path), "--unit", "a1", "--on", "2024-07-01")
    assert out.strip() == (
        "Đã nhập ds.xlsx vào Chi bộ thôn Ninh Phú từ 01/07/2024: 2 mới, 0 cập nhật, 0 không đổi."
    )
    member = Member.objects.get(citizen_id="001080000321")
    membership = Membership.objects.get(member=member)
    assert (membership.unit, membership.valid_from) == (tree.cell_a1, date(2024, 7, 1))
    event = AuditEvent.objects.get(action="members.member.import")
    assert (event.actor, event.unit, event.changes["file"]) == (None, tree.cell_a1, "ds.xlsx")
    assert member.pk in event.changes["members"]

    out, _err = run("import_members", str(path), "--unit", "A1", "--on", "2024-07-01")
    assert "0 mới, 0 cập nhật, 2 không đổi" in out


def test_import_members_dry_run_writes_nothing(tree: Tree, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "ds.xlsx", ROWS)
    before = counts()
    out, _err = run("import_members", str(path), "--unit", "A1", "--dry-run")
    assert out.startswith("Sẽ nhập ds.xlsx vào Chi bộ thôn Ninh Phú")
    assert "2 mới" in out
    assert counts() == before


def test_import_members_prints_every_fault_and_writes_nothing(tree: Tree, tmp_path: Path) -> None:
    rows = [
        ROWS[1],
        person(full_name="Ngô Văn Sai", sex="Nam", birth_date="30/02/1980"),
        person(full_name="", sex="Nam"),
    ]
    path = write_xlsx(tmp_path / "ds.xlsx", rows)
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"2 lỗi; không ghi gì"):
        call_command("import_members", str(path), "--unit", "A1", stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "Dòng 3, cột “Ngày sinh”: Ngày không hợp lệ; ghi theo dạng dd/mm/yyyy. (Use dd/mm/yyyy.)",
        "Dòng 4, cột “Họ và tên”: Họ và tên không được để trống. (Full name is required.)",
    ]
    assert counts() == before


def test_the_command_may_update_a_member_anywhere(tree: Tree, tmp_path: Path) -> None:
    elsewhere = make_member(tree.other_cell, "Ngô Văn Lệnh", citizen_id="001080000321")
    row = person(
        full_name="Ngô Văn Lệnh", sex="Nam", citizen_id="001080000321", occupation="Nông dân"
    )
    path = write_xlsx(tmp_path / "ds.xlsx", [row])
    out, _err = run("import_members", str(path), "--unit", "A1")
    assert "0 mới, 1 cập nhật" in out
    elsewhere.refresh_from_db()
    assert elsewhere.occupation == "Nông dân"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ds.xlsx", "--unit", "NOPE"], "Không có đơn vị mã NOPE"),
        (["missing.xlsx", "--unit", "A1"], "Không có tệp"),
        (["ds.xls", "--unit", "A1"], r"\.xlsx hoặc \.csv"),
        (["ds.xlsx", "--unit", "A1", "--on", "01/07/2024"], "YYYY-MM-DD"),
    ],
)
def test_import_members_errors_are_clear(
    tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write_xlsx(tmp_path / "ds.xlsx", ROWS)
    (tmp_path / "ds.xls").write_bytes(b"old")
    with pytest.raises(CommandError, match=message):
        run("import_members", *args)


def test_import_members_shows_progress_on_a_big_file(tree: Tree, tmp_path: Path) -> None:
    rows = [
        person(full_name=f"Ngô Văn Số{i}", sex="Nam", card_number=f"{i:08d}") for i in range(1, 601)
    ]
    path = write_xlsx(tmp_path / "big.xlsx", rows)
    out, err = run("import_members", str(path), "--unit", "A1", "--dry-run")
    assert "600 mới" in out
    assert "Kiểm tra / checking: 100%" in err


def test_export_members_writes_the_full_roll_to_a_file_and_audits_it(
    tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_member(tree.cell_a1, "Ông Văn Riêng", citizen_id="038085001234", religion="Công giáo")
    monkeypatch.chdir(tmp_path)
    out, _err = run("export_members", "--unit", "A", "--on", "2024-07-01")
    name = "members-A-20240701.xlsx"
    assert (
        out.strip() == f"Đã xuất 6 đảng viên của Đảng bộ xã Đa Lộc tại ngày 01/07/2024 vào {name}."
    )
    rows = list(load_workbook(tmp_path / name).worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == columns.EXPORT_HEADERS
    riêng = next(r for r in rows if r[0] == "Ông Văn Riêng")
    assert "038085001234" in riêng and "Công giáo" in riêng  # the operator sees everything
    event = AuditEvent.objects.get(action="members.member.export")
    assert (event.actor, event.unit, event.changes) == (
        None,
        tree.commune_a,
        {"rows": 6, "format": "xlsx"},
    )


def test_export_members_writes_csv_to_standard_output(tree: Tree) -> None:
    out, err = run("export_members", "--unit", "A2", "--format", "csv", "--output", "-")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == columns.EXPORT_HEADERS
    assert [r[0] for r in rows[1:]] == ["Trần Văn Bình", "Nguyễn Thị Lan"]
    assert err.startswith("Đã xuất 2 đảng viên")
    with pytest.raises(CommandError, match="--format csv"):
        run("export_members", "--unit", "A2", "--output", "-")


def test_export_members_to_a_file_it_cannot_write_leaves_no_audit_event(
    tree: Tree, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="Không ghi được"):
        run("export_members", "--unit", "A2", "--output", str(tmp_path / "no" / "such.xlsx"))
    assert not AuditEvent.objects.filter(action="members.member.export").exists()
