"""Party dues: collecting and correcting a month, refusals, the books, totals up the tree,
the three-unpaid-months flag, and the pages with their access and query counts."""

from datetime import date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.meetings import services as meeting_services
from chibo.meetings.dues import selectors, services
from chibo.meetings.models import DuesPayment, Meeting, MeetingKind
from chibo.members import services as member_services
from chibo.members.models import DuesCategory, Member, TransferKind
from chibo.members.transfers import services as transfer_services
from chibo.units.models import Unit
from chibo.units.selectors import version_on
from conftest import Tree, make_member

MARCH = date(2026, 3, 1)
APRIL = date(2026, 4, 1)


def member(name: str) -> Member:
    return Member.objects.get(full_name=name)


@pytest.fixture
def rates(tree: Tree) -> dict[str, Member]:
    """Each member of the tree with a dues category, and a rate where one is set."""
    configured = {
        "Lê Văn Chín": (DuesCategory.OTHER, 5_000),
        "Phạm Thị Hường": (DuesCategory.SALARY, 8_900),
        "Đặng Văn Dũng": (DuesCategory.SALARY, None),  # the amount must be entered
        "Nguyễn Thị Lan": (DuesCategory.OTHER, 10_000),
        "Trần Văn Bình": (DuesCategory.PENSION, 12_000),
        "Hoàng Văn Sơn": (DuesCategory.OTHER, 3_000),
    }
    for name, (category, rate) in configured.items():
        member_services.update_member(
            member(name),
            actor=None,
            changes={"dues_category": category, "dues_monthly": rate},
        )
    return {name: member(name) for name in configured}


def meeting_on(unit: Unit, day: date) -> Meeting:
    return meeting_services.plan_meeting(
        unit,
        actor=None,
        kind=MeetingKind.REGULAR,
        starts_at=timezone.make_aware(datetime(day.year, day.month, day.day, 19)),
    )


def collect(unit: Unit, month: date, payments: dict[Member, tuple[int | None, bool]]) -> int:
    return services.collect_dues(
        unit,
        actor=None,
        month=month,
        payments={m.pk: value for m, value in payments.items()},
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Services


def test_collecting_a_month_then_correcting_it(tree: Tree, rates: dict[str, Member]) -> None:
    chin, huong, dung = (rates[n] for n in ("Lê Văn Chín", "Phạm Thị Hường", "Đặng Văn Dũng"))
    meeting = meeting_on(tree.cell_a1, date(2026, 3, 4))
    written = services.collect_dues(
        tree.cell_a1,
        actor=None,
        month=date(2026, 3, 4),  # any day of the month is the month
        payments={chin.pk: (None, True), huong.pk: (None, True), dung.pk: (250_000, True)},
        meeting=meeting,
    )
    assert written == 3
    rows = {p.member_id: p for p in DuesPayment.objects.all()}
    assert {k: (p.amount, p.paid, p.month) for k, p in rows.items()} == {
        chin.pk: (5_000, True, MARCH),  # the configured rates by default
        huong.pk: (8_900, True, MARCH),
        dung.pk: (250_000, True, MARCH),
    }
    assert {p.meeting_id for p in rows.values()} == {meeting.pk}
    assert {p.unit_id for p in rows.values()} == {tree.cell_a1.pk}
    collected = AuditEvent.objects.filter(action="meetings.dues.collect")
    assert sorted(collected.values_list("object_id", flat=True)) == sorted(
        str(p.pk) for p in rows.values()
    )

    # Again for the same month: an update, never a second row; unchanged lines are skipped.
    again = collect(
        tree.cell_a1, MARCH, {chin: (None, False), huong: (9_000, True), dung: (250_000, True)}
    )
    assert again == 2
    assert DuesPayment.objects.count() == 3
    assert DuesPayment.objects.get(member=chin).paid is False
    assert DuesPayment.objects.get(member=chin).amount == 5_000  # kept: it is what is owed
    assert DuesPayment.objects.get(member=huong).amount == 9_000
    corrections = AuditEvent.objects.filter(action="meetings.dues.correct")
    assert corrections.count() == 2
    assert corrections.get(object_id=str(rows[huong.pk].pk)).changes["amount"] == {
        "before": 8_900,
        "after": 9_000,
    }


def test_a_member_beyond_working_age_may_pay_half_the_lowest_rate(
    tree: Tree, rates: dict[str, Member]
) -> None:
    collect(tree.cell_a1, MARCH, {rates["Lê Văn Chín"]: (1_000, True)})
    assert DuesPayment.objects.get().amount == 1_000


@pytest.mark.parametrize(
    ("payments", "message"),
    [
        ({"Hoàng Văn Sơn": (3_000, True)}, "không thuộc danh sách"),  # another cell's member
        ({"Lê Văn Chín": (-5_000, True)}, "không được âm"),
        ({"Lê Văn Chín": (40_000, True)}, "từ 1.000 đến 30.000"),
        ({"Lê Văn Chín": (500, True)}, "từ 1.000 đến 30.000"),
        ({"Đặng Văn Dũng": (None, True)}, "hãy nhập số tiền"),  # no rate configured
        ({"Phạm Thị Hường": (0, True)}, "phải lớn hơn 0"),
        # One bad line refuses the whole batch.
        ({"Phạm Thị Hường": (None, True), "Đặng Văn Dũng": (None, True)}, "Đặng Văn Dũng"),
    ],
)
def test_refusals_write_nothing(
    tree: Tree,
    rates: dict[str, Member],
    payments: dict[str, tuple[int | None, bool]],
    message: str,
) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match=message):
        collect(tree.cell_a1, MARCH, {rates[n]: v for n, v in payments.items()})
    assert not DuesPayment.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_meeting_of_another_unit_is_refused(tree: Tree, rates: dict[str, Member]) -> None:
    with pytest.raises(ValidationError, match="đơn vị này"):
        services.collect_dues(
            tree.cell_a1,
            actor=None,
            month=MARCH,
            payments={rates["Lê Văn Chín"].pk: (None, True)},
            meeting=meeting_on(tree.cell_a2, date(2026, 3, 4)),
        )
    assert not DuesPayment.objects.exists()


def test_who_owes_follows_the_roll_on_the_first_day(tree: Tree, rates: dict[str, Member]) -> None:
    """A newcomer pays from the next month; a member who moves pays the month in the cell
    they started it in; a month one cell recorded is not recorded again by another."""
    huong = rates["Phạm Thị Hường"]
    newcomer = make_member(tree.cell_a1, "Người Mới", on=date(2026, 3, 2), dues_monthly=20_000)
    with pytest.raises(ValidationError, match="không thuộc danh sách"):
        collect(tree.cell_a1, MARCH, {newcomer: (None, True)})
    collect(tree.cell_a1, APRIL, {newcomer: (None, True), huong: (None, True)})

    # Hường's move to A2 is recorded late, from 15/03: on 1/4 she was on A2's roll after all.
    transfer = transfer_services.issue_transfer(
        huong,
        actor=None,
        kind=TransferKind.OFFICIAL,
        to_unit=tree.cell_a2,
        letter_number="07-GGT",
        letter_date=date(2026, 3, 10),
        effective_on=date(2026, 3, 10),
    )
    transfer_services.confirm_transfer(transfer, actor=None, on=date(2026, 3, 15))

    march_a1 = selectors.month_book(tree.cell_a1, MARCH)
    assert huong in [line.member for line in march_a1.lines if line.on_roll]
    april_a2 = selectors.month_book(tree.cell_a2, APRIL)
    [line] = [line for line in april_a2.lines if line.member == huong]
    assert (line.on_roll, line.paid, line.collected_here) == (True, True, False)
    assert april_a2.paid_total == 0  # the money is in A1's book
    assert april_a2.unpaid_count == 2  # Lan and Bình; Hường has paid
    april_a1 = selectors.month_book(tree.cell_a1, APRIL)
    [moved] = [line for line in april_a1.lines if line.member == huong]
    assert (moved.on_roll, moved.collected_here) == (False, True)
    assert april_a1.paid_total == 8_900 + 20_000
    with pytest.raises(ValidationError, match="đơn vị khác"):
        collect(tree.cell_a2, APRIL, {huong: (None, True)})


# Books, totals and the flag


def pay_2025(tree: Tree, rates: dict[str, Member]) -> None:
    """A year of dues in the two cells of commune A; B1 collects nothing.

    A1: Chín misses March, April and June (3 months: flagged); Hường misses two (not
    flagged); Dũng never pays (12). A2: Lan pays every month, Bình misses December.
    """
    chin, huong = rates["Lê Văn Chín"], rates["Phạm Thị Hường"]
    lan, binh = rates["Nguyễn Thị Lan"], rates["Trần Văn Bình"]
    for month in selectors.months_of(2025):
        a1: dict[Member, tuple[int | None, bool]] = {}
        if month.month not in (3, 4, 6):
            a1[chin] = (None, True)
        if month.month not in (7, 8):
            a1[huong] = (None, True)
        collect(tree.cell_a1, month, a1)
        a2: dict[Member, tuple[int | None, bool]] = {lan: (None, True)}
        a2[binh] = (None, month.month != 12)  # recorded as not paid in December
        collect(tree.cell_a2, month, a2)


def test_year_book_with_totals_and_the_flag(tree: Tree, rates: dict[str, Member]) -> None:
    pay_2025(tree, rates)
    book = selectors.year_book(tree.cell_a1, 2025)
    assert [row.member.full_name for row in book.rows] == [
        "Lê Văn Chín",
        "Đặng Văn Dũng",
        "Phạm Thị Hường",
    ]  # Vietnamese order: by given name
    chin, dung, huong = book.rows
    assert [c.paid for c in chin.cells] == [m not in (3, 4, 6) for m in range(1, 13)]
    assert (chin.paid_total, chin.unpaid_months) == (9 * 5_000, 3)
    assert (huong.paid_total, huong.unpaid_months) == (10 * 8_900, 2)
    assert (dung.paid_total, dung.unpaid_months) == (0, 12)
    assert book.month_totals[0] == 5_000 + 8_900
    assert book.month_totals[2] == 8_900  # March: Chín did not pay
    assert book.total == 9 * 5_000 + 10 * 8_900
    assert book.unpaid_total == 3 + 2 + 12
    # The flag proposes; only three unpaid months or more, in the calendar year.
    assert [(f.member.full_name, len(f.months)) for f in book.flags] == [
        ("Lê Văn Chín", 3),
        ("Đặng Văn Dũng", 12),
    ]
    assert [row.flagged for row in book.rows] == [True, True, False]
    # By May, Chín has missed two months only: Dũng alone is flagged so far.
    by_may = selectors.unpaid_flags(tree.cell_a1, date(2025, 5, 1))
    assert [(f.member.full_name, len(f.months)) for f in by_may] == [("Đặng Văn Dũng", 5)]


def test_totals_roll_up_across_two_cells_in_two_queries(
    tree: Tree, rates: dict[str, Member]
) -> None:
    pay_2025(tree, rates)
    months = selectors.months_of(2025)
    on = selectors.reference_day(months)
    version = version_on(tree.district, on)
    assert version is not None
    with CaptureQueriesContext(connection) as queries:
        totals = selectors.totals_below(version, on, months)
    assert len(queries) == 2
    a1 = 9 * 5_000 + 10 * 8_900
    a2 = 12 * 10_000 + 11 * 12_000
    assert totals[tree.cell_a1.pk] == selectors.Totals(a1, 3 + 2 + 12)
    assert totals[tree.cell_a2.pk] == selectors.Totals(a2, 1)
    assert totals[tree.cell_b1.pk] == selectors.Totals(0, 12)  # Sơn, never recorded
    assert totals[tree.commune_a.pk] == selectors.Totals(a1 + a2, 18)
    assert totals[tree.district.pk] == selectors.Totals(a1 + a2, 30)
    assert tree.other_cell.pk not in totals
    # The same figures as the cell's own book.
    assert selectors.year_book(tree.cell_a1, 2025).unpaid_total == 17
    march = selectors.totals_below(version, date(2025, 3, 1), [date(2025, 3, 1)])
    assert march[tree.commune_a.pk] == selectors.Totals(8_900 + 10_000 + 12_000, 2)


# Pages


def test_the_secretary_collects_on_a_phone_sized_form(
    tree: Tree, users: dict[str, User], rates: dict[str, Member]
) -> None:
    meeting = meeting_on(tree.cell_a1, date(2026, 3, 4))
    client = signed_in(users[Role.SECRETARY])
    url = reverse("meetings:dues_month", args=[tree.cell_a1.pk])
    page = client.get(url, {"meeting": meeting.pk}).content.decode()
    assert "Đảng phí tháng 03/2026" in page  # the meeting's month
    assert 'value="8.900"' in page  # the rate, prefilled as it is written
    assert page.count('type="checkbox"') == 3
    chin, huong, dung = (rates[n] for n in ("Lê Văn Chín", "Phạm Thị Hường", "Đặng Văn Dũng"))
    form: dict[str, Any] = {
        "month": "03/2026",
        "meeting": meeting.pk,
        f"amount_{chin.pk}": "5.000",
        f"paid_{chin.pk}": "on",
        f"amount_{huong.pk}": "8.900",
        f"paid_{huong.pk}": "on",
        f"amount_{dung.pk}": "",
    }
    response = client.post(reverse("meetings:dues_collect", args=[tree.cell_a1.pk]), form)
    assert response.status_code == 302
    assert DuesPayment.objects.filter(meeting=meeting, paid=True).count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "13.900&nbsp;đ" in page  # paid this month
    assert "Đã lưu đảng phí tháng 03/2026" in page

    # A paid line without an amount is sent back with the reason, nothing written.
    form[f"paid_{dung.pk}"] = "on"
    refused = client.post(reverse("meetings:dues_collect", args=[tree.cell_a1.pk]), form)
    assert refused.status_code == 200
    assert "Chưa có mức đảng phí của Đặng Văn Dũng" in refused.content.decode()
    assert not DuesPayment.objects.filter(member=dung).exists()


def test_year_book_and_totals_pages(
    tree: Tree, users: dict[str, User], rates: dict[str, Member]
) -> None:
    pay_2025(tree, rates)
    client = signed_in(users[Role.STAFF])
    year = client.get(reverse("meetings:dues_year", args=[tree.cell_a1.pk]), {"year": 2025})
    html = year.content.decode()
    assert 'class="table-scroll"' in html
    assert "134.000&nbsp;đ" in html  # 9 × 5.000 + 10 × 8.900
    assert 'id="dues-flags"' in html and "hệ thống không tự xóa tên" in html
    totals = client.get(
        reverse("meetings:dues_totals", args=[tree.commune_a.pk]), {"year": 2025}
    ).content.decode()
    assert "386.000&nbsp;đ" in totals  # both cells: 134.000 + 252.000
    assert tree.cell_a1.name in totals and tree.cell_a2.name in totals
    assert reverse("meetings:dues_totals", args=[tree.cell_a2.pk]) in totals
    month = client.get(
        reverse("meetings:dues_totals", args=[tree.commune_a.pk]), {"month": "03/2025"}
    ).content.decode()
    assert "30.900&nbsp;đ" in month


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        (Role.ADMIN, 200, 302),
        (Role.STAFF, 200, 302),
        (Role.INSPECTOR, 200, 404),  # reads the book, records nothing
        (Role.SECRETARY, 200, 302),
        (Role.MEMBER, 404, 404),  # the book names other members
    ],
)
def test_access(
    tree: Tree,
    users: dict[str, User],
    rates: dict[str, Member],
    role: str,
    read: int,
    write: int,
) -> None:
    client = signed_in(users[role])
    chin = rates["Lê Văn Chín"]
    form = {"month": "03/2026", f"amount_{chin.pk}": "5000", f"paid_{chin.pk}": "on"}
    # Outside the scope: the other province; for the administrator, a unit that is not.
    other = 987_654 if role == Role.ADMIN else tree.other_cell.pk
    for name in ("dues_month", "dues_year", "dues_totals"):
        url = reverse(f"meetings:{name}", args=[tree.cell_a1.pk])
        assert client.get(url).status_code == read, name
        assert client.get(reverse(f"meetings:{name}", args=[other])).status_code == 404
    page = client.get(reverse("meetings:dues_month", args=[tree.cell_a1.pk]))
    if read == 200:
        assert ('type="checkbox"' in page.content.decode()) == (write == 302)
    events = AuditEvent.objects.count()
    outside = reverse("meetings:dues_collect", args=[other])
    assert client.post(outside, form).status_code == 404
    response = client.post(reverse("meetings:dues_collect", args=[tree.cell_a1.pk]), form)
    assert response.status_code == write
    assert DuesPayment.objects.exists() == (write == 302)
    assert (AuditEvent.objects.count() > events) == (write == 302)


def test_anonymous_is_sent_to_sign_in(tree: Tree) -> None:
    url = reverse("meetings:dues_collect", args=[tree.cell_a1.pk])
    response = Client().post(url, {"month": "03/2026"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not DuesPayment.objects.exists()


def test_month_page_query_count_is_constant(
    tree: Tree, users: dict[str, User], rates: dict[str, Member]
) -> None:
    client = signed_in(users[Role.SECRETARY])
    url = reverse("meetings:dues_month", args=[tree.cell_a1.pk])
    collect(tree.cell_a1, MARCH, {rates["Lê Văn Chín"]: (None, True)})

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"month": "03/2026"}).status_code == 200
        return len(queries)

    client.get(url)
    small = count()
    many = [
        make_member(tree.cell_a1, f"Đảng Viên Thứ {i}", dues_category="other", dues_monthly=2_000)
        for i in range(25)
    ]
    collect(tree.cell_a1, MARCH, {m: (None, True) for m in many[:10]})
    assert count() == small
