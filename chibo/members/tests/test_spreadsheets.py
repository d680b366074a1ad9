"""Member spreadsheets: the template, the import (checked in full, all or nothing), the export."""

import csv
import hashlib
import io
from dataclasses import fields
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from pytest_django import Settings

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.lib import downloads
from chibo.lib.dates import today
from chibo.members.models import Member, Membership, MemberStatus, Status
from chibo.members.services import MemberDetails
from chibo.members.spreadsheets import columns, files, services
from chibo.members.spreadsheets.plan import NEW, SAME, UPDATE, plan_import
from conftest import Tree, make_member

HEADERS = [header for _name, header, _gloss in columns.COLUMNS]


def person(**values: Any) -> list[Any]:
    """One row of the template, in column order, from field values (blank where not given)."""
    return [values.get(name) for name, _h, _g in columns.COLUMNS]


def xlsx(rows: list[list[Any]], headers: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers or HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table(content: bytes, file_format: str = files.XLSX) -> files.Table:
    return files.read_table(io.BytesIO(content), file_format)


def counts() -> tuple[int, int, int, int]:
    return (
        Member.objects.count(),
        Membership.objects.count(),
        MemberStatus.objects.count(),
        AuditEvent.objects.count(),
    )


ROLL_DAY = date(2024, 7, 1)
GOOD = [
    person(
        full_name="Nguyễn  Văn   Minh",
        sex="Nam",
        birth_date=date(1980, 5, 1),
        citizen_id="001080000123",
        card_number="01234567",
        phone="0912345678",
        admission_decided_on=date(2005, 3, 1),
        admitted_on=date(2005, 3, 19),
        recognised_on=date(2006, 3, 19),
        dues_category="Hưởng lương",
        dues_monthly="55.000",
        workplace="Trường THCS Đa Lộc",
    ),
    person(
        full_name="Lê Thị Hoa",
        sex="Nữ",
        birth_date="12/08/1995",
        citizen_id="038195000456",
        admission_decided_on="01/02/2024",
        admitted_on="15/02/2024",
        ethnicity="Kinh",
    ),
    person(full_name="Phạm Văn Tư", sex="nam", birth_date=date(1950, 1, 2)),
]


# The template -------------------------------------------------------------------------------


def test_the_columns_cover_every_member_detail_once() -> None:
    names = [name for name, _h, _g in columns.COLUMNS]
    assert sorted(names) == sorted(f.name for f in fields(MemberDetails))
    assert len(set(HEADERS)) == len(HEADERS)


def test_the_template_has_a_frozen_bold_header_text_id_columns_and_a_guide(db: None) -> None:
    book = load_workbook(io.BytesIO(files.template()))
    sheet = book.worksheets[0]
    assert book.sheetnames[:2] == [files.DATA_SHEET, files.GUIDE_SHEET]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    letter = {name: chr(ord("A") + i) for i, (name, _h, _g) in enumerate(columns.COLUMNS)}
    for name in ("citizen_id", "card_number", "phone"):
        assert sheet.column_dimensions[letter[name]].number_format == "@"
    assert sheet.column_dimensions[letter["birth_date"]].number_format == "DD/MM/YYYY"
    assert sheet.column_dimensions[letter["full_name"]].width >= 20
    guide = " ".join(str(c.value) for row in book[files.GUIDE_SHEET].iter_rows() for c in row)
    for header in HEADERS:
        assert header in guide
    assert "18 tuổi" in guide
    assert "Hưởng lương (1% tiền lương)" in guide


def test_the_template_reads_back_as_an_empty_import(tree: Tree) -> None:
    plan = plan_import(tree.cell_a1, table(files.template()), on=ROLL_DAY, actor=None)
    assert [str(p) for p in plan.problems] == [
        "Tệp không có dòng dữ liệu nào. (No rows below the headers.)"
    ]


# The import ---------------------------------------------------------------------------------


def test_a_file_with_faults_writes_nothing_and_names_every_fault(
    tree: Tree, users: dict[str, User]
) -> None:
    outsider = make_member(tree.other_cell, "Trần Thị Ngoài", citizen_id="038090000111")
    rows = [
        GOOD[0],  # row 2: fine, but not written either
        person(full_name="Bùi Văn Một", sex="Nam", citizen_id="12345"),  # 3
        person(full_name="Bùi Văn Hai", sex="Nam", citizen_id="001080000123"),  # 4
        person(full_name="Bùi Văn Ba", sex="Nam", citizen_id=outsider.citizen_id),  # 5
        person(full_name="", sex="Nữ", hometown="Đa Lộc"),  # 6
        person(full_name="Bùi Văn Năm", sex="X"),  # 7
        person(full_name="Bùi Văn Sáu", sex="Nam", birth_date="31/02/1990"),  # 8
        person(
            full_name="Bùi Văn Bảy",
            sex="Nam",
            birth_date=date(2000, 1, 1),
            admission_decided_on=date(2015, 1, 1),
            admitted_on=date(2015, 2, 1),
        ),  # 9
        person(
            full_name="Bùi Văn Tám",
            sex="Nam",
            birth_date=date(1990, 1, 1),
            admitted_on=date(2020, 1, 1),
            recognised_on=date(2020, 6, 1),
        ),  # 10
        person(full_name="Bùi Văn Chín", sex="Nam", dues_monthly="nhiều"),  # 11
    ]
    content = xlsx([[*r, "ghi chú"] for r in rows], headers=[*HEADERS, "Ghi chú"])
    before = counts()
    with pytest.raises(ValidationError) as raised:
        services.import_members(
            tree.cell_a1, actor=users[Role.STAFF], table=table(content), on=ROLL_DAY
        )
    assert counts() == before
    column = chr(ord("A") + len(HEADERS))
    assert raised.value.messages == [
        f"Cột “Ghi chú” (ô {column}1) không có trong mẫu. (Unknown column.)",
        "Dòng 3, cột “Số CCCD”: Số căn cước công dân gồm đúng 12 chữ số. (Citizen ID: 12 digits.)",
        "Dòng 4, cột “Số CCCD”: Trùng với dòng 2 trong tệp. (Same as row 2.)",
        "Dòng 5, cột “Số CCCD”: Số này là của một đảng viên ngoài phạm vi bạn được sửa. "
        "(It belongs to a member outside your scope.)",
        "Dòng 6, cột “Họ và tên”: Họ và tên không được để trống. (Full name is required.)",
        "Dòng 7, cột “Giới tính”: Giới tính phải là Nam hoặc Nữ. (Sex must be M or F.)",
        "Dòng 8, cột “Ngày sinh”: Ngày không hợp lệ; ghi theo dạng dd/mm/yyyy. (Use dd/mm/yyyy.)",
        "Dòng 9, cột “Ngày quyết định kết nạp”: Ngày kết nạp trước khi đủ 18 tuổi. "
        "(Admitted before age 18.)",
        "Dòng 10, cột “Ngày công nhận chính thức”: Công nhận chính thức trước khi hết 12 tháng "
        "dự bị. (Recognised before the end of probation.)",
        "Dòng 11, cột “Đảng phí hằng tháng”: Phải là một số nguyên, ví dụ 25000. (A whole number.)",
    ]


def test_a_missing_column_is_named_and_stops_the_rows(tree: Tree) -> None:
    headers = [h for h in HEADERS if h != "Số CCCD"]
    content = xlsx([[r[i] for i, h in enumerate(HEADERS) if h != "Số CCCD"] for r in GOOD], headers)
    plan = plan_import(tree.cell_a1, table(content), on=ROLL_DAY, actor=None)
    assert [str(p) for p in plan.problems] == ["Thiếu cột “Số CCCD”. (Missing column.)"]


def test_a_valid_file_puts_people_on_the_roll_with_their_status_and_history(
    tree: Tree, users: dict[str, User]
) -> None:
    before = counts()
    content = xlsx(GOOD)
    plan = services.import_members(
        tree.cell_a1,
        actor=users[Role.SECRETARY],
        table=files.read_table(io.BytesIO(content), files.XLSX, name="danh-sach.xlsx"),
        on=ROLL_DAY,
    )
    assert plan.counts == {NEW: 3, UPDATE: 0, SAME: 0}
    assert counts() == (before[0] + 3, before[1] + 3, before[2] + 3, before[3] + 1)
    minh = Member.objects.get(citizen_id="001080000123")  # the leading zeros are kept
    assert (minh.full_name, minh.card_number, minh.dues_monthly) == (
        "Nguyễn Văn Minh",
        "01234567",
        55_000,
    )
    assert (minh.dues_category, minh.phone) == ("salary", "0912345678")
    hoa = Member.objects.get(citizen_id="038195000456")
    tu = Member.objects.get(full_name="Phạm Văn Tư")
    assert (hoa.sex, hoa.birth_date, tu.sex) == ("F", date(1995, 8, 12), "M")
    chain = {
        m.full_name: [(s.status, s.valid_from) for s in m.statuses.order_by("valid_from")]
        for m in (minh, hoa, tu)
    }
    assert chain == {
        "Nguyễn Văn Minh": [(Status.OFFICIAL, ROLL_DAY)],
        "Lê Thị Hoa": [(Status.PROBATIONARY, ROLL_DAY)],
        "Phạm Văn Tư": [(Status.OFFICIAL, ROLL_DAY)],
    }
    home = Membership.objects.get(member=hoa)
    assert (home.unit, home.valid_from, home.basis) == (tree.cell_a1, ROLL_DAY, "Nhập từ tệp Excel")
    # One event for the whole import: the file, the unit, the day and the members, in file order.
    event = AuditEvent.objects.get(action="members.member.import")
    assert (event.actor, event.unit, event.object_type, event.object_id) == (
        users[Role.SECRETARY],
        tree.cell_a1,
        "units.unit",
        str(tree.cell_a1.pk),
    )
    assert event.changes == {
        "file": "danh-sach.xlsx",
        "sha256": hashlib.sha256(content).hexdigest(),
        "unit": tree.cell_a1.code,
        "on": "2024-07-01",
        "basis": "Nhập từ tệp Excel",
        "new": 3,
        "members": [minh.pk, hoa.pk, tu.pk],
        "updated": [],
    }


def test_reimporting_a_file_updates_the_same_members_and_the_history_shows_the_change(
    tree: Tree, users: dict[str, User]
) -> None:
    actor = users[Role.STAFF]
    services.import_members(tree.cell_a1, actor=actor, table=table(xlsx(GOOD)), on=ROLL_DAY)
    before = counts()
    again = services.import_members(tree.cell_a1, actor=actor, table=table(xlsx(GOOD)), on=ROLL_DAY)
    assert again.counts == {NEW: 0, UPDATE: 0, SAME: 3}
    assert counts() == before

    changed = [list(r) for r in GOOD]
    workplace = HEADERS.index("Nơi làm việc")
    changed[0][workplace] = "Ủy ban nhân dân xã Đa Lộc"
    # Without her citizen ID, Hoa is known by name and birth date; the blank keeps the ID.
    changed[1][HEADERS.index("Số CCCD")] = None
    changed[1][HEADERS.index("Số thẻ đảng viên")] = "87654321"
    plan = services.import_members(
        tree.cell_a1, actor=actor, table=table(xlsx(changed[:2])), on=ROLL_DAY
    )
    assert plan.counts == {NEW: 0, UPDATE: 2, SAME: 0}
    assert counts()[:3] == before[:3]
    minh = Member.objects.get(citizen_id="001080000123")
    assert minh.workplace == "Ủy ban nhân dân xã Đa Lộc"
    hoa = Member.objects.get(citizen_id="038195000456")
    assert hoa.card_number == "87654321"
    event = AuditEvent.objects.get(action="members.member.update", object_id=str(minh.pk))
    assert event.changes["workplace"] == {
        "before": "Trường THCS Đa Lộc",
        "after": "Ủy ban nhân dân xã Đa Lộc",
    }
    assert event.changes["reason"] == "Nhập từ tệp Excel"


def test_a_blank_cell_keeps_what_is_on_record_and_a_number_finds_the_member(
    tree: Tree, users: dict[str, User]
) -> None:
    existing = make_member(
        tree.cell_a2, "Nguyễn Thị Lụa", sex="F", card_number="11223344", religion="Phật giáo"
    )
    row = person(full_name="Nguyễn Thị Lụa", sex="Nữ", card_number="11223344", phone="0987654321")
    plan = services.import_members(
        tree.cell_a1, actor=users[Role.STAFF], table=table(xlsx([row])), on=ROLL_DAY
    )
    assert plan.counts[UPDATE] == 1
    existing.refresh_from_db()
    assert (existing.religion, existing.phone) == ("Phật giáo", "0987654321")
    # An update does not move the member: the cell they belong to stays theirs.
    assert Membership.objects.get(member=existing).unit == tree.cell_a2


def test_numbers_of_two_members_on_one_row_and_one_member_on_two_rows_are_faults(
    tree: Tree,
) -> None:
    make_member(tree.cell_a1, "Hà Văn Một", citizen_id="001080000001")
    make_member(tree.cell_a1, "Hà Văn Hai", card_number="22334455")
    rows = [
        person(
            full_name="Hà Văn Một", sex="Nam", citizen_id="001080000001", card_number="22334455"
        ),
        person(full_name="Hà Văn Hai", sex="Nam", card_number="22334455"),
        person(full_name="Hà Văn Hai", sex="Nam", citizen_id="001080000999", card_number=None),
    ]
    rows.append(person(full_name="Hà Văn Một", sex="Nam", citizen_id="001080000001"))
    plan = plan_import(tree.cell_a1, table(xlsx(rows)), on=ROLL_DAY, actor=None)
    messages = [str(p) for p in plan.problems]
    assert messages[0].startswith("Dòng 2: Số CCCD và số thẻ đảng viên thuộc về hai đảng viên")
    assert "Dòng 3, cột “Số thẻ đảng viên”: Trùng với dòng 2 trong tệp." in messages[1]
    assert messages[2] == "Dòng 5, cột “Số CCCD”: Trùng với dòng 2 trong tệp. (Same as row 2.)"
    assert len(messages) == 3


def test_a_row_without_numbers_is_matched_by_name_and_birth_date(
    tree: Tree, users: dict[str, User]
) -> None:
    nam = make_member(tree.cell_a1, "Đỗ Văn Nam", birth_date=date(1970, 3, 3))
    make_member(tree.cell_a2, "Đỗ Văn Đông", birth_date=date(1971, 1, 1))
    make_member(tree.cell_a2, "Đỗ Văn Đông", birth_date=date(1971, 1, 1))
    make_member(tree.other_cell, "Đỗ Văn Xa", birth_date=date(1960, 6, 6))
    rows = [
        person(full_name="Đỗ  Văn Nam", sex="Nam", birth_date=date(1970, 3, 3), phone="0911"),
        person(full_name="Đỗ Thị Bắc", sex="Nữ", birth_date=date(1972, 4, 4)),
        person(full_name="do thi bac", sex="Nữ", birth_date=date(1972, 4, 4)),
        person(full_name="Đỗ Văn Đông", sex="Nam", birth_date=date(1971, 1, 1)),
        person(full_name="Đỗ Văn Xa", sex="Nam", birth_date=date(1960, 6, 6)),
        person(full_name="Đỗ Văn Nam", sex="Nam"),  # no birth date either: a new person
    ]
    plan = plan_import(tree.cell_a1, table(xlsx(rows)), on=ROLL_DAY, actor=users[Role.STAFF])
    several = "Có nhiều người cùng họ tên và ngày sinh mà không có số CCCD, số thẻ đảng viên"
    assert [(p.row, p.message.split(" để phân biệt")[0]) for p in plan.problems] == [
        (4, several),
        (5, several),
        (
            6,
            "Đã có một đảng viên cùng họ tên và ngày sinh ngoài phạm vi bạn được sửa. "
            "(A member with this name and birth date is outside your scope.)",
        ),
    ]
    assert [(r.number, r.action, r.member) for r in plan.rows] == [
        (2, UPDATE, nam),
        (3, NEW, None),
        (7, NEW, None),
    ]


def test_a_file_fills_in_the_numbers_of_a_member_entered_without_them(tree: Tree) -> None:
    lan = make_member(tree.cell_a1, "Cao Thị Lan", sex="F", birth_date=date(1975, 5, 5))
    make_member(
        tree.cell_a1, "Cao Văn Khác", birth_date=date(1980, 1, 1), citizen_id="001080000555"
    )
    rows = [
        person(
            full_name="Cao Thị Lan",
            sex="Nữ",
            birth_date=date(1975, 5, 5),
            citizen_id="001175000666",
        ),
        # Same name and birth date, another citizen ID: another person.
        person(
            full_name="Cao Văn Khác",
            sex="Nam",
            birth_date=date(1980, 1, 1),
            citizen_id="001080000777",
        ),
    ]
    plan = services.import_members(tree.cell_a1, actor=None, table=table(xlsx(rows)), on=ROLL_DAY)
    assert [(r.action, r.changed_headers) for r in plan.rows] == [(UPDATE, ["Số CCCD"]), (NEW, [])]
    lan.refresh_from_db()
    assert lan.citizen_id == "001175000666"


def test_cells_as_excel_leaves_them_are_read(tree: Tree) -> None:
    row = person(
        full_name="Vũ Văn Số",
        sex="M",
        birth_date=29221,  # a date cell that lost its format: 01/01/1980
        phone=912345678,  # a number cell dropped the leading 0
        card_number=12345678,
        dues_category="other",
        dues_monthly=15000.0,
    )
    bad = person(full_name="Vũ Văn Mất", sex="Nam", citizen_id=1080000123)
    masked = person(full_name="Vũ Văn Che", sex="Nam", citizen_id="•••••••••123", religion="•••")
    plan = plan_import(tree.cell_a1, table(xlsx([row, bad, masked])), on=ROLL_DAY, actor=None)
    details = plan.rows[0].details
    assert (details.birth_date, details.phone, details.card_number) == (
        date(1980, 1, 1),
        "0912345678",
        "12345678",
    )
    assert (details.sex, details.dues_category, details.dues_monthly) == ("M", "other", 15000)
    messages = [str(p) for p in plan.problems]
    assert messages[0].startswith("Dòng 3, cột “Số CCCD”: Ô kiểu số đã làm mất số 0 ở đầu")
    assert messages[1].startswith("Dòng 4, cột “Số CCCD”: Ô chứa giá trị đã che")
    assert messages[2].startswith("Dòng 4, cột “Tôn giáo”: Ô chứa giá trị đã che")


def test_a_csv_file_from_excel_is_read_with_its_bom_and_semicolons(tree: Tree) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADERS)
    writer.writerow(
        person(
            full_name="Mai Văn Dấu", sex="Nam", citizen_id="001080000777", birth_date="05/09/1985"
        )
    )
    content = out.getvalue().encode("utf-8-sig")
    plan = plan_import(tree.cell_a1, table(content, files.CSV), on=ROLL_DAY, actor=None)
    assert plan.problems == []
    assert plan.rows[0].details.citizen_id == "001080000777"
    assert plan.rows[0].details.birth_date == date(1985, 9, 5)
    with pytest.raises(ValidationError, match="UTF-8"):
        table(b"H\xe1 v\xe0 t\xean", files.CSV)


def test_a_new_member_cannot_join_the_roll_before_their_admission(tree: Tree) -> None:
    row = person(full_name="Lý Văn Sớm", sex="Nam", admitted_on=ROLL_DAY + timedelta(days=1))
    plan = plan_import(tree.cell_a1, table(xlsx([row])), on=ROLL_DAY, actor=None)
    assert [str(p) for p in plan.problems] == [
        "Dòng 2, cột “Ngày vào Đảng”: Ngày vào Đảng sau ngày vào danh sách (01/07/2024). "
        "(Admitted after the day they join the roll.)"
    ]


# The export ---------------------------------------------------------------------------------


def _export(client: Client, unit_id: int, **query: str) -> Any:
    return client.get(reverse("members:export", args=[unit_id]), query)


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def private(tree: Tree) -> Member:
    return make_member(
        tree.cell_a1,
        "Ông Văn Riêng",
        citizen_id="038085001234",
        religion="Công giáo",
        card_number="07654321",
        birth_date=date(1985, 9, 5),
    )


def test_the_xlsx_and_csv_exports_have_the_same_header_and_a_row_a_member(
    tree: Tree, users: dict[str, User], private: Member
) -> None:
    client = Client()
    client.force_login(users[Role.STAFF])
    xlsx_response = _export(client, tree.commune_a.pk)
    assert xlsx_response["Content-Type"] == files.CONTENT_TYPES[files.XLSX]
    assert f"members-A-{today():%Y%m%d}.xlsx" in xlsx_response["Content-Disposition"]
    csv_response = _export(client, tree.commune_a.pk, format="csv")
    assert xlsx_response.streaming  # sent from a temporary file, not built in memory
    xlsx_rows = _xlsx_rows(xlsx_response.getvalue())
    csv_rows = _csv_rows(csv_response.getvalue())
    assert xlsx_rows[0] == csv_rows[0] == columns.EXPORT_HEADERS
    # Commune A: cells A1 and A2 below it, in Vietnamese name order (given name first).
    names = [row[0] for row in xlsx_rows[1:]]
    assert names == [
        "Trần Văn Bình",
        "Lê Văn Chín",
        "Đặng Văn Dũng",
        "Phạm Thị Hường",
        "Nguyễn Thị Lan",
        "Ông Văn Riêng",
    ]
    assert [row[0] for row in csv_rows[1:]] == names
    riêng = xlsx_rows[names.index("Ông Văn Riêng") + 1]
    field = {name: i for i, (name, _h, _g) in enumerate(columns.COLUMNS)}
    assert riêng[field["citizen_id"]] == "038085001234"  # text: the leading zero is kept
    assert riêng[field["card_number"]] == "07654321"
    assert riêng[field["birth_date"]].date() == date(1985, 9, 5)
    assert riêng[-2:] == ["Chi bộ thôn Ninh Phú", "Đảng viên chính thức"]
    csv_riêng = csv_rows[names.index("Ông Văn Riêng") + 1]
    assert csv_riêng[field["birth_date"]] == "05/09/1985"


def test_the_export_is_written_through_lxml_with_its_formats(
    tree: Tree, users: dict[str, User], private: Member
) -> None:
    """openpyxl writes the workbook through lxml, in C (a province's roll in about half the
    time of its own Python writer, docs/performance.md), and the file keeps what the pure
    Python writer gave: a bold, frozen header, dates as dd/mm/yyyy, numbers as text."""
    assert openpyxl.LXML
    client = Client()
    client.force_login(users[Role.STAFF])
    book = load_workbook(io.BytesIO(_export(client, tree.commune_a.pk).getvalue()))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    field = {name: i + 1 for i, (name, _h, _g) in enumerate(columns.COLUMNS)}
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "Ông Văn Riêng")
    born, citizen = row[field["birth_date"] - 1], row[field["citizen_id"] - 1]
    assert born.number_format == columns.DATE_FORMAT and born.is_date
    assert citizen.data_type == "s" and citizen.number_format == files.TEXT_FORMAT


def test_an_export_never_turns_a_value_into_a_formula(tree: Tree, users: dict[str, User]) -> None:
    make_member(
        tree.cell_a1, "Ác Văn Ý", workplace='=HYPERLINK("http://x.example")', phone="+84 912"
    )
    client = Client()
    client.force_login(users[Role.STAFF])
    field = {name: i for i, (name, _h, _g) in enumerate(columns.COLUMNS)}
    book = load_workbook(io.BytesIO(_export(client, tree.cell_a1.pk).getvalue()))
    row = next(r for r in book.worksheets[0].iter_rows() if r[0].value == "Ác Văn Ý")
    assert row[field["workplace"]].data_type == "s"
    assert row[field["workplace"]].value == '=HYPERLINK("http://x.example")'
    rows = _csv_rows(_export(client, tree.cell_a1.pk, format="csv").getvalue())
    row_csv = next(r for r in rows if r[0] == "Ác Văn Ý")
    assert row_csv[field["workplace"]] == '\'=HYPERLINK("http://x.example")'
    assert row_csv[field["phone"]] == "+84 912"


def test_an_inspector_gets_sensitive_columns_masked_and_staff_in_full(
    tree: Tree, users: dict[str, User], private: Member
) -> None:
    field = {name: i for i, (name, _h, _g) in enumerate(columns.COLUMNS)}
    seen = {}
    for role in (Role.INSPECTOR, Role.STAFF, Role.SECRETARY):
        client = Client()
        client.force_login(users[role])
        rows = _csv_rows(_export(client, tree.cell_a1.pk, format="csv").getvalue())
        row = next(r for r in rows if r[0] == "Ông Văn Riêng")
        seen[role] = (row[field["citizen_id"]], row[field["religion"]], row[field["card_number"]])
    assert seen[Role.INSPECTOR] == ("•••••••••234", "•••", "07654321")
    assert seen[Role.SECRETARY] == seen[Role.INSPECTOR]
    assert seen[Role.STAFF] == ("038085001234", "Công giáo", "07654321")


def test_every_export_is_audited_and_outside_the_scope_is_a_404(
    tree: Tree, users: dict[str, User]
) -> None:
    client = Client()
    client.force_login(users[Role.INSPECTOR])
    assert _export(client, tree.cell_a1.pk, format="csv", on="2024-01-31").status_code == 200
    event = AuditEvent.objects.get(action="members.member.export")
    assert (event.actor, event.unit, event.changes) == (
        users[Role.INSPECTOR],
        tree.cell_a1,
        {"rows": 3, "format": "csv"},
    )
    assert _export(client, tree.cell_b1.pk).status_code == 404
    assert _export(client, tree.cell_a1.pk, format="pdf").status_code == 400
    member = Client()
    member.force_login(users[Role.MEMBER])  # opens their own record, not their cell's list
    assert _export(member, tree.cell_a1.pk).status_code == 404
    assert AuditEvent.objects.filter(action="members.member.export").count() == 1


def test_an_export_as_of_a_past_day_lists_the_roll_of_that_day(
    tree: Tree, users: dict[str, User]
) -> None:
    make_member(tree.cell_a1, "Hồ Văn Mới", on=date(2024, 1, 1))
    client = Client()
    client.force_login(users[Role.STAFF])
    before = _csv_rows(_export(client, tree.cell_a1.pk, format="csv", on="2023-12-31").getvalue())
    after = _csv_rows(_export(client, tree.cell_a1.pk, format="csv", on="01/01/2024").getvalue())
    assert len(before) + 1 == len(after) == 5


def test_the_export_query_count_does_not_grow_with_the_members(
    tree: Tree, users: dict[str, User]
) -> None:
    client = Client()
    client.force_login(users[Role.INSPECTOR])
    _export(client, tree.commune_a.pk)  # sessions, first-use caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert _export(client, tree.commune_a.pk).status_code == 200
        return len(captured)

    few = queries()
    for i in range(15):
        make_member(
            tree.cell_a2 if i % 2 else tree.cell_a1, f"Lò Văn Số{i}", citizen_id=f"0010800{i:05d}"
        )
    assert queries() == few


# The pages ----------------------------------------------------------------------------------


@pytest.fixture
def import_dir(settings: Settings, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path / "imports"


def _upload(client: Client, unit_id: int, content: bytes, name: str = "ds.xlsx") -> Any:
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(
        reverse("members:import_upload", args=[unit_id]), {"file": upload, "on": "01/07/2024"}
    )


def test_upload_preview_confirm_puts_the_file_on_the_roll(
    tree: Tree, users: dict[str, User], import_dir: Path
) -> None:
    client = Client()
    client.force_login(users[Role.SECRETARY])
    page = client.get(reverse("members:import_upload", args=[tree.cell_a1.pk]))
    assert page.status_code == 200
    assert reverse("members:import_template") in page.content.decode()

    response = _upload(client, tree.cell_a1.pk, xlsx(GOOD))
    assert response.status_code == 302
    preview_url = response["Location"]
    assert len(list(import_dir.iterdir())) == 1

    before = counts()
    preview = client.get(preview_url)
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "Nguyễn Văn Minh" in text and "Xác nhận nhập" in text
    assert preview.context["counts"] == {NEW: 3, UPDATE: 0, SAME: 0}
    assert counts() == before  # a preview writes nothing

    done = client.post(preview_url)
    assert done.status_code == 302
    assert done["Location"] == reverse("members:list", args=[tree.cell_a1.pk])
    assert Member.objects.count() == before[0] + 3
    assert list(import_dir.iterdir()) == []  # the file is gone
    assert client.post(preview_url).status_code == 404  # and cannot be imported twice


def test_a_file_with_faults_shows_them_and_confirming_it_writes_nothing(
    tree: Tree, users: dict[str, User], import_dir: Path
) -> None:
    client = Client()
    client.force_login(users[Role.SECRETARY])
    bad = [GOOD[0], person(full_name="Bùi Văn Một", sex="Nam", citizen_id="12345")]
    preview_url = _upload(client, tree.cell_a1.pk, xlsx(bad))["Location"]
    preview = client.get(preview_url)
    assert "Dòng 3, cột “Số CCCD”" in preview.content.decode()
    assert "Xác nhận nhập" not in preview.content.decode()
    before = counts()
    assert client.post(preview_url).status_code == 200
    assert counts() == before


def test_the_upload_form_refuses_other_files_and_units_outside_the_write_scope(
    tree: Tree, users: dict[str, User], import_dir: Path
) -> None:
    client = Client()
    client.force_login(users[Role.SECRETARY])
    response = _upload(client, tree.cell_a1.pk, b"not a zip", name="ds.xlsx")
    assert response.status_code == 200
    assert "không phải .xlsx" in response.content.decode()
    assert _upload(client, tree.cell_a1.pk, b"x", name="ds.xls").status_code == 200
    damaged = _upload(client, tree.cell_a1.pk, b"PK\x03\x04 damaged", name="ds.xlsx")
    assert "Không đọc được tệp Excel" in client.get(damaged["Location"]).content.decode()
    assert _upload(client, tree.cell_b1.pk, xlsx(GOOD)).status_code == 404
    inspector = Client()
    inspector.force_login(users[Role.INSPECTOR])
    assert _upload(inspector, tree.cell_a1.pk, xlsx(GOOD)).status_code == 404


def test_a_pending_import_belongs_to_its_session_and_unit(
    tree: Tree, users: dict[str, User], import_dir: Path
) -> None:
    owner = Client()
    owner.force_login(users[Role.STAFF])
    preview_url = _upload(owner, tree.cell_a1.pk, xlsx(GOOD))["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[1]
    other = Client()
    other.force_login(users[Role.ADMIN])
    assert other.get(preview_url).status_code == 404
    wrong_unit = reverse("members:import_confirm", args=[tree.cell_a2.pk, token])
    assert owner.get(wrong_unit).status_code == 404
    forged = reverse("members:import_confirm", args=[tree.cell_a1.pk, "x" * 32])
    assert owner.get(forged).status_code == 404
    assert owner.get(f"/members/units/{tree.cell_a1.pk}/import/..%2F..%2Fx/").status_code == 404


def test_the_template_downloads(users: dict[str, User]) -> None:
    client = Client()
    client.force_login(users[Role.MEMBER])
    response = client.get(reverse("members:import_template"))
    assert response.status_code == 200
    assert "mau-nhap-dang-vien.xlsx" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == files.DATA_SHEET


def test_an_export_announces_its_arrival_to_the_page_that_asked(
    tree: Tree, users: dict[str, User]
) -> None:
    """The page shows its progress bar until a cookie with its token comes back with the
    file (`lib.downloads`); a token that is not plain letters and digits sets nothing."""
    client = Client()
    client.force_login(users[Role.INSPECTOR])
    response = _export(client, tree.cell_a1.pk, download="k3x9q2lmz0a1")
    cookie = response.cookies[downloads.COOKIE]
    assert cookie.value == "k3x9q2lmz0a1"
    assert cookie["samesite"] == "Lax"
    assert not cookie["httponly"]  # the page's script reads it
    for token in ("", "abc", "<script>", "a" * 41):
        response = _export(client, tree.cell_a1.pk, format="csv", download=token)
        assert response.status_code == 200
        assert downloads.COOKIE not in response.cookies
    outsider = _export(client, tree.cell_b1.pk, download="k3x9q2lmz0a1")
    assert outsider.status_code == 404
    assert downloads.COOKIE not in outsider.cookies
