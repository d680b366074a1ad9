"""The member import at scale (decision 0015, change 5): .xlsx read by calamine, each row checked
once, one insert per table, one audit event per import."""

import hashlib
import io
import re
import zipfile
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from chibo.audit.models import AuditEvent
from chibo.lib.dates import today
from chibo.members import services as member_services
from chibo.members.models import Member, Membership, MemberStatus, Status
from chibo.members.services import MemberDetails, details_of
from chibo.members.spreadsheets import columns, files, services
from chibo.members.spreadsheets.plan import NEW, UPDATE, plan_import
from chibo.members.spreadsheets.selectors import import_events_of
from chibo.members.tests.test_spreadsheets import HEADERS, person, xlsx
from chibo.units import counts
from chibo.units.models import SubtreeCount
from conftest import Tree, make_member

FIELD = {name: i for i, (name, _h, _g) in enumerate(columns.COLUMNS)}
LETTER = {name: chr(ord("A") + i) for name, i in FIELD.items()}
ROLL_DAY = date(2024, 7, 1)


def book_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_sheet(content: bytes, change: Any) -> bytes:
    """The same file with its first sheet's XML passed through `change` (what Excel writes
    and openpyxl cannot: the saved values of formulas)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            target.writestr(item, data)
    return out.getvalue()


def read(content: bytes, name: str | None = None) -> files.Table:
    return files.read_table(io.BytesIO(content), files.XLSX, name=name)


def plan_of(tree: Tree, content: bytes) -> Any:
    return plan_import(tree.cell_a1, read(content), on=ROLL_DAY, actor=None)


# Reading with calamine ----------------------------------------------------------------------


def test_dates_come_as_excel_holds_them_date_cells_numbers_and_text(tree: Tree) -> None:
    rows = [
        person(full_name="Một", sex="Nam", birth_date=date(1980, 5, 1)),
        person(full_name="Hai", sex="Nam", birth_date=datetime(1981, 6, 2, 13, 30)),
        person(full_name="Ba", sex="Nam", birth_date=29221),  # a date cell that lost its format
        person(full_name="Bốn", sex="Nam", birth_date="12/08/1995"),
        person(full_name="Năm", sex="Nam", birth_date="1995-08-13"),
        person(full_name="Sáu", sex="Nam", birth_date="31/02/1990"),
    ]
    table = read(xlsx(rows))
    assert table.rows[0][1][FIELD["birth_date"]] == date(1980, 5, 1)  # a date, not a datetime
    plan = plan_of(tree, xlsx(rows))
    assert [r.details.birth_date for r in plan.rows] == [
        date(1980, 5, 1),
        date(1981, 6, 2),
        date(1980, 1, 1),
        date(1995, 8, 12),
        date(1995, 8, 13),
    ]
    assert [str(p) for p in plan.problems] == [
        "Dòng 7, cột “Ngày sinh”: Ngày không hợp lệ; ghi theo dạng dd/mm/yyyy. (Use dd/mm/yyyy.)"
    ]


def test_digits_typed_as_text_keep_their_zeros_and_number_cells_are_read_or_refused(
    tree: Tree,
) -> None:
    rows = [
        person(full_name="Văn", sex="Nam", citizen_id="001080000123", card_number="01234567"),
        person(
            full_name="Số",
            sex="Nam",
            card_number=12345678,
            phone=912345678,
            dues_category="other",
            dues_monthly=15000,
        ),
        person(full_name="Mất", sex="Nam", citizen_id=1080000123),  # Excel dropped the 0
        person(full_name="Phẩy", sex="Nam", dues_monthly=1.5),
    ]
    table = read(xlsx(rows))
    assert table.rows[1][1][FIELD["card_number"]] == 12345678.0  # calamine: every number a float
    plan = plan_of(tree, xlsx(rows))
    first, second = (r.details for r in plan.rows)
    assert (first.citizen_id, first.card_number) == ("001080000123", "01234567")
    assert (second.card_number, second.phone, second.dues_monthly) == (
        "12345678",
        "0912345678",
        15000,
    )
    messages = [str(p) for p in plan.problems]
    assert messages[0].startswith("Dòng 4, cột “Số CCCD”: Ô kiểu số đã làm mất số 0 ở đầu")
    assert messages[1].startswith("Dòng 5, cột “Đảng phí hằng tháng”: Phải là một số nguyên")
    assert len(messages) == 2


def test_empty_cells_are_blank_blank_rows_are_skipped_and_rows_keep_excel_numbers(
    tree: Tree,
) -> None:
    existing = make_member(tree.cell_a1, "Hà Thị Cũ", sex="F", card_number="55667788")
    existing_religion = "Phật giáo"
    member_services.update_member(existing, actor=None, changes={"religion": existing_religion})
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append([])  # row 2: blank
    sheet.append(person(full_name="Hà Thị Cũ", sex="Nữ", card_number="55667788", religion=""))
    sheet.append(["   ", None, ""])  # row 4: only spaces
    sheet.append(person(full_name="", sex="Nam"))  # row 5
    table = read(book_bytes(book))
    assert [number for number, _values in table.rows] == [3, 5]
    assert table.rows[0][1][FIELD["religion"]] == ""  # calamine's empty cell
    plan = plan_of(tree, book_bytes(book))
    assert [str(p) for p in plan.problems] == [
        "Dòng 5, cột “Họ và tên”: Họ và tên không được để trống. (Full name is required.)"
    ]
    (row,) = plan.rows
    assert (row.member, row.action) == (existing, "same")  # the blank keeps the religion


def test_a_merged_area_has_its_value_in_its_first_cell_only(tree: Tree) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(person(full_name="Lò Văn Gộp", sex="Nam", hometown="Xã Đa Lộc"))
    sheet.append(person(sex="Nam"))
    sheet.merge_cells(f"{LETTER['full_name']}2:{LETTER['full_name']}3")  # down two rows
    sheet.merge_cells(f"{LETTER['hometown']}2:{LETTER['address']}2")  # across two columns
    plan = plan_of(tree, book_bytes(book))
    assert [str(p) for p in plan.problems] == [
        "Dòng 3, cột “Họ và tên”: Họ và tên không được để trống. (Full name is required.)"
    ]
    details = plan.rows[0].details
    assert (details.full_name, details.hometown, details.address) == (
        "Lò Văn Gộp",
        "Xã Đa Lộc",
        "",
    )


def test_a_formula_gives_the_value_excel_saved_and_nothing_without_one(tree: Tree) -> None:
    rows = [
        person(full_name="=A3", sex="Nam", workplace="=1/0", citizen_id="=TEXT(1,0)"),
        person(full_name="Hồ Văn Gốc", sex="Nam"),
    ]
    saved = {
        # what Excel writes: the formula and the value it had when the file was saved
        f'<c r="{LETTER["full_name"]}2" t="str"><f>A3</f><v>Hồ Văn Tính</v></c>',
        f'<c r="{LETTER["citizen_id"]}2" t="str"><f>TEXT(1,0)</f><v>001080000999</v></c>',
        f'<c r="{LETTER["workplace"]}2" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
    }

    def excel(xml: str) -> str:
        for cell in saved:
            ref = re.search(r'r="(\w+)"', cell)
            assert ref is not None
            xml = re.sub(rf'<c r="{ref[1]}"[^>]*>.*?</c>', cell, xml)
        return xml

    plan = plan_of(tree, rewrite_sheet(xlsx(rows), excel))
    assert plan.problems == []
    details = plan.rows[0].details
    # An error value reads as an empty cell.
    assert (details.full_name, details.citizen_id, details.workplace) == (
        "Hồ Văn Tính",
        "001080000999",
        "",
    )
    # openpyxl saves no values: its formulas read as empty cells.
    unsaved = plan_of(tree, xlsx([person(full_name="=B2", sex="Nam")]))
    assert [p.column for p in unsaved.problems] == ["Họ và tên"]


def test_the_member_sheet_is_read_wherever_it_is_and_the_file_is_named_and_hashed(
    tree: Tree,
) -> None:
    book = Workbook()
    book.active.title = "Ghi chú"
    book.active.append(["Không phải danh sách"])
    sheet = book.create_sheet(files.DATA_SHEET)
    sheet.append(HEADERS)
    sheet.append(person(full_name="Mai Văn Trang", sex="Nam"))
    content = book_bytes(book)
    table = files.read_table(io.BytesIO(content), files.XLSX)
    assert (table.headers[:2], table.name) == (HEADERS[:2], "")
    named = files.read_table(io.BytesIO(content), files.XLSX, name="ds.xlsx")
    assert named.name == "ds.xlsx"
    assert named.digest == hashlib.sha256(content).hexdigest()


def test_a_file_with_rows_above_its_headers_says_row_1_must_be_the_headers(tree: Tree) -> None:
    book = Workbook()
    book.active["B3"] = "Họ và tên"
    with pytest.raises(ValidationError, match="dòng 1 phải là dòng tiêu đề"):
        read(book_bytes(book))


def test_a_damaged_file_is_refused_in_words(tree: Tree) -> None:
    for content in (b"PK\x03\x04 damaged", xlsx([])[:500], b""):
        with pytest.raises(ValidationError, match="Không đọc được tệp Excel"):
            read(content)


def test_a_value_far_away_is_a_fault_of_the_file_and_formatting_far_away_is_not(
    tree: Tree,
) -> None:
    """calamine would allocate A1:XFD1048576, 17 billion cells, and abort the process."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(person(full_name="Xa Văn Cách", sex="Nam"))
    sheet["AZ49999"].number_format = "@"
    sheet["XFD1048576"].number_format = "@"  # formatting only: calamine skips it
    assert len(plan_of(tree, book_bytes(book)).rows) == 1
    sheet["XFD1048576"] = "x"
    with pytest.raises(ValidationError, match="Ô XFD1048576 có dữ liệu nhưng nằm ngoài vùng"):
        read(book_bytes(book))


def _with_cell(xml: str) -> bytes:
    return rewrite_sheet(xlsx([]), lambda sheet: sheet.replace("</row>", f"{xml}</row>", 1))


@pytest.mark.parametrize(
    ("xml", "plain"),
    [
        ('<c r="A1" t="s"><v>0</v></c><c r="AZ49999"><v>1</v></c>', True),
        ('<c r="BA1" s="1"/><c r="A50000"><v></v></c>', True),
        ("<c><v>1</v></c>", False),  # positions without references: counted by the reader
        ('<c t="n" r="A1"><v>1</v></c>', False),
        ('<c\tr="A1"><v>1</v></c>', False),
        ('<x:c r="A1"><x:v>1</x:v></x:c>', False),
    ],
)
def test_only_plain_cells_go_to_calamine(xml: str, plain: bool) -> None:
    assert files._plain_cells(_with_cell(xml)) is plain


@pytest.mark.parametrize(
    "xml",
    [
        '<c r="BA1"><v>1</v></c>',
        '<c r="A50000" t="inlineStr"><is><t>x</t></is></c>',
        '<c r="A01"><v>1</v></c>',
        '<c r="a1"><v>1</v></c>',
    ],
)
def test_a_value_outside_a1_az49999_is_refused(xml: str) -> None:
    with pytest.raises(ValidationError, match="ngoài vùng A1:AZ49999"):
        files._plain_cells(_with_cell(xml))


def test_an_odd_file_with_a_far_value_is_read_within_a1_az49999_only(tree: Tree) -> None:
    content = xlsx([person(full_name="Lạ Văn Viết", sex="Nam")])
    odd = rewrite_sheet(
        content,
        lambda sheet: sheet.replace(
            "</sheetData>",
            '<row r="1048576"><c t="n" r="XFD1048576"><v>1</v></c></row></sheetData>',
        ),
    )
    assert not files._plain_cells(odd)
    plan = plan_of(tree, odd)
    assert (plan.problems, [r.details.full_name for r in plan.rows]) == ([], ["Lạ Văn Viết"])


def test_the_odd_file_read_by_openpyxl_gives_the_same_rows(tree: Tree) -> None:
    rows = [
        person(full_name="Đinh Văn Một", sex="Nam", birth_date=date(1970, 1, 2), phone="0912"),
        person(full_name="Đinh Thị Hai", sex="Nữ", citizen_id="001180000222", dues_monthly=3),
    ]
    content = xlsx(rows)
    odd = rewrite_sheet(content, lambda sheet: sheet.replace('<c r="A1"', '<c  r="A1"'))
    assert files._plain_cells(content) and not files._plain_cells(odd)
    calamine, openpyxl = plan_of(tree, content), plan_of(tree, odd)
    assert [asdict(r.details) for r in calamine.rows] == [asdict(r.details) for r in openpyxl.rows]


# Writing: one insert per table --------------------------------------------------------------


def _cases() -> list[list[Any]]:
    """People whose opening status chains differ: no dates, probationary, official before the
    day, recognised on the day, recognised after it (a record entered ahead)."""
    return [
        person(full_name="Trịnh Văn Không", sex="Nam", birth_date=date(1960, 1, 1)),
        person(
            full_name="Trịnh Thị Dự",
            sex="Nữ",
            birth_date=date(1995, 1, 1),
            admitted_on=date(2024, 2, 1),
            dues_category="Hưởng lương",
            phone="0987",
        ),
        person(
            full_name="Trịnh Văn Chính",
            sex="Nam",
            citizen_id="001080000321",
            card_number="76543210",
            birth_date=date(1980, 1, 1),
            admission_decided_on=date(2005, 1, 1),
            admitted_on=date(2005, 2, 1),
            recognised_on=date(2006, 2, 1),
        ),
        person(
            full_name="Trịnh Văn Đúng",
            sex="Nam",
            birth_date=date(1990, 1, 1),
            admitted_on=date(2023, 7, 1),
            recognised_on=ROLL_DAY,
        ),
        person(
            full_name="Trịnh Văn Sau",
            sex="Nam",
            birth_date=date(1995, 1, 1),
            admitted_on=date(2024, 1, 1),
            recognised_on=date(2025, 1, 1),
        ),
    ]


def _record(member: Member) -> tuple[Any, ...]:
    return (
        asdict(details_of(member)),
        member.search_name,
        member.sort_name,
        member.user_id,
        [
            (m.unit_id, m.kind, m.valid_from, m.valid_to, m.basis)
            for m in member.memberships.order_by("valid_from")
        ],
        [
            (s.status, s.extent, s.valid_from, s.valid_to, s.basis_number, s.basis_date, s.reason)
            for s in member.statuses.order_by("valid_from")
        ],
    )


def test_the_rows_written_are_those_register_members_writes(tree: Tree) -> None:
    plan = services.import_members(
        tree.cell_a1, actor=None, table=read(xlsx(_cases())), on=ROLL_DAY
    )
    assert plan.counts[NEW] == 5
    imported = [_record(m) for m in Member.objects.filter(pk__in=_new_ids()).order_by("pk")]
    # The same people through the member service, then their numbers given back.
    people = [row.details for row in plan.rows]
    Member.objects.filter(pk__in=_new_ids()).delete()
    registered = member_services.register_members(
        tree.cell_a1,
        actor=None,
        people=people,
        on=[ROLL_DAY] * len(people),
        basis="Nhập từ tệp Excel",
    )
    assert imported == [_record(m) for m in registered]
    assert [s[0] for s in imported[4][5]] == [Status.PROBATIONARY, Status.OFFICIAL]


def _new_ids() -> list[int]:
    return AuditEvent.objects.filter(action=services.IMPORT_ACTION).latest("pk").changes["members"]


def test_the_chain_of_every_case_is_the_member_service_s(tree: Tree) -> None:
    chain = services._ChainRows(ROLL_DAY)
    for days in range(-800, 800, 37):
        for admitted in (None, ROLL_DAY - timedelta(days=400)):
            recognised = ROLL_DAY + timedelta(days=days) if admitted else None
            details = MemberDetails("X", "M", admitted_on=admitted, recognised_on=recognised)
            stand_in = Member(admitted_on=admitted, recognised_on=recognised)
            expected = [
                tuple(services._values(s, skip={"id", "member"}).values())
                for s in member_services.opening_chain(stand_in, ROLL_DAY)
            ]
            assert chain(details) == expected, (admitted, recognised)


def test_the_import_costs_the_same_queries_for_3_rows_or_30(tree: Tree) -> None:
    def queries(rows: list[list[Any]], cell: Any) -> int:
        table = read(xlsx(rows))
        with CaptureQueriesContext(connection) as captured:
            services.import_members(cell, actor=None, table=table, on=ROLL_DAY)
        return len(captured)

    few = queries([person(full_name=f"Ít Văn {i}", sex="Nam") for i in range(3)], tree.cell_a1)
    many = queries([person(full_name=f"Nhiều Văn {i}", sex="Nam") for i in range(30)], tree.cell_a2)
    assert few == many


def test_updating_30_members_costs_the_queries_of_3(tree: Tree) -> None:
    """Each updated member is audited as an edit by hand is, but not written one by one."""

    def queries(n: int, prefix: str) -> int:
        numbers = [f"0010{len(prefix)}{i:07d}" for i in range(n)]
        people = [
            make_member(tree.cell_a1, f"{prefix} Văn {i}", citizen_id=number)
            for i, number in enumerate(numbers)
        ]
        rows = [
            person(
                full_name=p.full_name,
                sex="Nam",
                citizen_id=p.citizen_id,
                phone=f"09{i:08d}",
                admitted_on=date(2000, 1, 1),
            )
            for i, p in enumerate(people)
        ]
        table = read(xlsx(rows))
        with CaptureQueriesContext(connection) as captured:
            plan = services.import_members(tree.cell_a1, actor=None, table=table, on=ROLL_DAY)
        assert plan.counts == {NEW: 0, UPDATE: n, "same": 0}
        return len(captured)

    assert queries(3, "Ít") == queries(30, "Nhiều")
    assert AuditEvent.objects.filter(action="members.member.update").count() == 33


def test_new_ids_come_after_every_id_ever_used(tree: Tree) -> None:
    gone = make_member(tree.cell_a1, "Tạm Văn Xóa")
    gone_id = gone.pk
    gone.delete()
    services.import_members(tree.cell_a1, actor=None, table=read(xlsx(_cases()[:2])), on=ROLL_DAY)
    ids = _new_ids()
    assert min(ids) > gone_id
    assert sorted(Member.objects.filter(pk__in=ids).values_list("pk", flat=True)) == ids
    after = make_member(tree.cell_a1, "Sau Văn Nhập")
    assert after.pk > max(ids)  # the table's own counter moved past them


def test_a_number_taken_since_the_check_writes_nothing_and_says_so(tree: Tree) -> None:
    plan = plan_of(tree, xlsx(_cases()))
    make_member(tree.cell_b1, "Người Khác", citizen_id="001080000321")  # another secretary
    before = (Member.objects.count(), Membership.objects.count(), MemberStatus.objects.count())
    with pytest.raises(ValidationError, match="vừa được ghi cho người khác"):
        services.enter_members(tree.cell_a1, [r.details for r in plan.rows], on=ROLL_DAY)
    assert (Member.objects.count(), Membership.objects.count(), MemberStatus.objects.count()) == (
        before
    )


# One audit event ----------------------------------------------------------------------------


def test_one_event_names_the_file_and_every_member_and_each_member_finds_it(tree: Tree) -> None:
    existing = make_member(tree.cell_a2, "Trịnh Văn Chính", citizen_id="001080000321")
    content = xlsx(_cases())
    before = AuditEvent.objects.count()
    plan = services.import_members(
        tree.cell_a1, actor=None, table=read(content, "chi-bo.xlsx"), on=ROLL_DAY
    )
    assert plan.counts == {NEW: 4, UPDATE: 1, "same": 0}
    # The update is audited as a change by hand is; the new members, all in one event.
    assert AuditEvent.objects.count() == before + 2
    event = AuditEvent.objects.get(action=services.IMPORT_ACTION)
    new = [r.details.full_name for r in plan.rows if r.action == NEW]
    members = Member.objects.in_bulk(event.changes["members"])
    assert [members[pk].full_name for pk in event.changes["members"]] == new
    assert (event.changes["file"], event.changes["new"], event.changes["updated"]) == (
        "chi-bo.xlsx",
        4,
        [existing.pk],
    )
    assert event.object_text == tree.cell_a1.name
    for pk in event.changes["members"]:
        assert import_events_of(pk) == [event.pk]
    assert import_events_of(existing.pk) == []  # updated: its own event says so

    again = services.import_members(tree.cell_a1, actor=None, table=read(content), on=ROLL_DAY)
    assert again.counts == {NEW: 0, UPDATE: 0, "same": 5}
    assert AuditEvent.objects.count() == before + 2  # nothing written, nothing recorded


def test_an_import_runs_the_hooks_of_register_members_on_commit(
    tree: Tree, django_capture_on_commit_callbacks: Any
) -> None:
    """The stored subtree counts of the unit page follow the import, as after a registration."""
    counts.refresh_counts(today())
    with django_capture_on_commit_callbacks(execute=True):
        services.import_members(tree.cell_a1, actor=None, table=read(xlsx(_cases())), on=ROLL_DAY)
    stored = {r.unit_id: r.members for r in SubtreeCount.objects.filter(day=today())}
    assert [stored[u.pk] for u in (tree.cell_a1, tree.commune_a, tree.central)] == [8, 10, 12]


def test_the_member_s_history_page_shows_the_import_that_entered_them(
    tree: Tree, users: dict[str, Any]
) -> None:
    from django.test import Client
    from django.urls import reverse

    from chibo.accounts.models import Role
    from conftest import make_user

    table = read(xlsx(_cases()), "ds.xlsx")
    services.import_members(tree.cell_a1, actor=users[Role.SECRETARY], table=table, on=ROLL_DAY)
    member = Member.objects.get(full_name="Trịnh Thị Dự")
    url = reverse("audit:object", args=["members.member", member.pk])
    client = Client()
    client.force_login(users[Role.SECRETARY])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nhập danh sách đảng viên từ tệp" in text and "Trịnh Thị Dự" in text
    member_services.update_member(member, actor=None, changes={"phone": "0911"})
    page = client.get(url)
    assert [e.action for e in page.context["page"].object_list] == [
        "members.member.update",
        "members.member.import",
    ]
    outsider = Client()
    outsider.force_login(make_user("ngoai", Role.SECRETARY, tree.other_cell))
    assert outsider.get(url).status_code == 404


def test_an_update_moving_admission_after_the_status_chain_is_a_fault_of_its_row(
    tree: Tree,
) -> None:
    kept = make_member(tree.cell_a1, "Đỗ Văn Giữ", citizen_id="001080000111")
    moved = make_member(tree.cell_a1, "Đỗ Văn Dời", citizen_id="001080000222")  # official 2015
    rows = [
        person(full_name=kept.full_name, sex="Nam", citizen_id=kept.citizen_id, phone="0912345678"),
        person(
            full_name=moved.full_name,
            sex="Nam",
            citizen_id=moved.citizen_id,
            admitted_on=date(2020, 1, 1),  # after his statuses begin
        ),
    ]
    plan = plan_of(tree, xlsx(rows))
    messages = [str(p) for p in plan.problems]
    assert len(messages) == 1 and messages[0].startswith("Dòng 3"), messages
    assert "Đã có tình trạng trước ngày này" in messages[0]
    assert [(r.member, r.action) for r in plan.rows] == [(kept, UPDATE)]
    with pytest.raises(ValidationError, match="Dòng 3"):
        services.import_members(tree.cell_a1, actor=None, table=read(xlsx(rows)), on=ROLL_DAY)
    assert Member.objects.get(pk=kept.pk).phone == ""  # nothing written
