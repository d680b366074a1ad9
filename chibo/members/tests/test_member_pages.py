"""The member list and record pages: filters, search, name order, masking, read audit."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.lib.dates import today
from chibo.members import selectors, services
from chibo.members.models import Member
from chibo.units.counts import refresh_counts
from chibo.units.models import UnitKind
from conftest import Tree, make_member, make_unit


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def names(html: str, among: list[str]) -> list[str]:
    found = [(html.index(n), n) for n in among if n in html]
    return [n for _i, n in sorted(found)]


def test_roll_of_a_subtree_in_vietnamese_name_order(tree: Tree, users: dict[str, User]) -> None:
    html = signed_in(users[Role.STAFF]).get(reverse("members:list", args=[tree.district.pk]))
    text = html.content.decode()
    everyone = [
        "Lê Văn Chín",
        "Đặng Văn Dũng",
        "Phạm Thị Hường",
        "Nguyễn Thị Lan",
        "Trần Văn Bình",
        "Hoàng Văn Sơn",
    ]
    assert names(text, everyone) == [
        "Trần Văn Bình",
        "Lê Văn Chín",
        "Đặng Văn Dũng",
        "Phạm Thị Hường",
        "Nguyễn Thị Lan",
        "Hoàng Văn Sơn",
    ]
    assert "Vũ Thị Mai" not in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"text": "huong"}, ["Phạm Thị Hường"]),
        ({"text": "dang"}, ["Đặng Văn Dũng"]),
        ({"sex": "F"}, ["Phạm Thị Hường", "Nguyễn Thị Lan"]),
        ({"status": "exempted"}, ["Lê Văn Chín"]),
        ({"age_from": "60"}, ["Lê Văn Chín"]),
        ({"age_to": "30"}, ["Đặng Văn Dũng"]),
        ({"party_age_from": "20"}, ["Lê Văn Chín"]),
    ],
)
def test_filters(tree: Tree, users: dict[str, User], query: dict, expected: list[str]) -> None:  # type: ignore[type-arg]
    chin = Member.objects.get(full_name="Lê Văn Chín")
    services.update_member(
        chin,
        actor=None,
        changes={
            "birth_date": date(1950, 1, 1),
            "admission_decided_on": date(1980, 1, 1),
            "admitted_on": date(1980, 1, 5),
            "recognised_on": date(1981, 1, 5),
        },
    )
    services.exempt_member(
        chin, actor=None, on=date(2024, 1, 1), extent="full", basis=services.Basis("NQ 1")
    )
    dung = Member.objects.get(full_name="Đặng Văn Dũng")
    services.update_member(dung, actor=None, changes={"birth_date": date(2000, 1, 1)})
    Member.objects.filter(full_name__in=["Phạm Thị Hường", "Nguyễn Thị Lan"]).update(sex="F")
    html = (
        signed_in(users[Role.STAFF])
        .get(reverse("members:list", args=[tree.district.pk]), query)
        .content.decode()
    )
    everyone = list(Member.objects.values_list("full_name", flat=True))
    assert sorted(names(html, everyone)) == sorted(expected)


def test_roll_as_of_a_past_date(tree: Tree, users: dict[str, User]) -> None:
    make_member(tree.cell_b1, "Người Mới Vào", on=date(2025, 1, 1))
    client = signed_in(users[Role.STAFF])
    url = reverse("members:list", args=[tree.district.pk])
    assert "Người Mới Vào" in client.get(url).content.decode()
    assert "Người Mới Vào" not in client.get(url, {"on": "31/12/2024"}).content.decode()


def test_list_query_count_is_constant(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.STAFF])
    url = reverse("members:list", args=[tree.district.pk])
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    cell = make_unit(tree.commune_b, UnitKind.CELL, "MANY")
    for i in range(30):
        make_member(cell, f"Đảng Viên Thứ {i}", birth_date=date(1980, 1, 1))
    assert count() == small


def test_sensitive_data_masked_for_inspectors_and_every_view_audited(
    tree: Tree, users: dict[str, User]
) -> None:
    member = make_member(
        tree.cell_a1,
        "Người Có CCCD",
        citizen_id="038090012345",
        religion="Công giáo",
        ethnicity="Kinh",
        address="Thôn Ninh Phú",
    )
    url = reverse("members:detail", args=[member.pk])
    staff = signed_in(users[Role.STAFF]).get(url).content.decode()
    assert "038090012345" in staff
    assert "Công giáo" in staff
    inspector = signed_in(users[Role.INSPECTOR]).get(url).content.decode()
    assert "038090012345" not in inspector
    assert "•••••••••345" in inspector
    assert "Công giáo" not in inspector
    assert "Thôn Ninh Phú" not in inspector
    views = AuditEvent.objects.filter(action="members.member.view", object_id=str(member.pk))
    assert views.count() == 2
    assert {v.actor for v in views} == {users[Role.STAFF], users[Role.INSPECTOR]}
    assert all(v.changes == {} for v in views)  # who and which record, never the values


def test_member_role_opens_only_their_own_record(tree: Tree, users: dict[str, User]) -> None:
    own = make_member(tree.cell_a1, "Chính Tôi")
    Member.objects.filter(pk=own.pk).update(user=users[Role.MEMBER])
    client = signed_in(users[Role.MEMBER])
    assert client.get(reverse("members:detail", args=[own.pk])).status_code == 200
    other = Member.objects.get(full_name="Lê Văn Chín")
    assert client.get(reverse("members:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("members:list", args=[tree.cell_a1.pk])).status_code == 404


def test_add_edit_and_change_status_through_the_pages(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.SECRETARY])
    response = client.post(
        reverse("members:add", args=[tree.cell_a1.pk]),
        {
            "on": "01/03/2025",
            "full_name": "Bùi Thị Nga",
            "sex": "F",
            "birth_date": "02/09/1990",
            "citizen_id": "038190000111",
            "reason": "Chuyển đến",
        },
    )
    member = Member.objects.get(full_name="Bùi Thị Nga")
    assert response.status_code == 302
    # The secretary sees sensitive data masked, so the edit form leaves those fields out.
    form = client.get(reverse("members:edit", args=[member.pk])).content.decode()
    assert 'name="citizen_id"' not in form
    assert "038190000111" not in form
    staff = signed_in(users[Role.STAFF])
    response = staff.post(
        reverse("members:edit", args=[member.pk]),
        {
            "full_name": "Bùi Thị Ngà",
            "sex": "F",
            "birth_date": "02/09/1990",
            "citizen_id": "12",
            "reason": "Đính chính",
        },
    )
    assert response.status_code == 200  # the bad citizen ID is shown on the form
    assert "12 chữ số" in response.content.decode()
    member.refresh_from_db()
    assert member.full_name == "Bùi Thị Nga"
    client.post(
        reverse("members:edit", args=[member.pk]),
        {
            "full_name": "Bùi Thị Ngà",
            "sex": "F",
            "birth_date": "02/09/1990",
            "reason": "Đính chính",
        },
    )
    member.refresh_from_db()
    assert (member.full_name, member.citizen_id) == ("Bùi Thị Ngà", "038190000111")
    response = client.post(
        reverse("members:change_status", args=[member.pk, "exempt"]),
        {
            "on": "01/06/2025",
            "basis_number": "NQ 12",
            "extent": "partial",
            "reason": "Ốm",
        },
    )
    assert response.status_code == 302
    assert member.statuses.order_by("-valid_from").first().status == "exempted"  # type: ignore[union-attr]
    # Removal is decided above the cell: the secretary has no such page.
    assert (
        client.get(reverse("members:change_status", args=[member.pk, "remove"])).status_code == 404
    )
    staff = signed_in(users[Role.STAFF])
    assert (
        staff.get(reverse("members:change_status", args=[member.pk, "remove"])).status_code == 200
    )


def test_member_page_shows_committee_seats(tree: Tree, users: dict[str, User]) -> None:
    from chibo.committees import services as committee_services

    chin = Member.objects.get(full_name="Lê Văn Chín")
    committee_services.appoint(
        chin,
        actor=None,
        unit=tree.cell_a1,
        body="committee",
        position="secretary",
        valid_from=date(2020, 8, 1),
        basis="Đại hội chi bộ 2020",
    )
    html = signed_in(users[Role.STAFF]).get(reverse("members:detail", args=[chin.pk]))
    text = html.content.decode()
    assert "Bí thư" in text
    assert "Chi bộ thôn Ninh Phú" in text


def test_a_search_counts_and_pages_its_matches_in_one_statement(
    tree: Tree, users: dict[str, User]
) -> None:
    cell = make_unit(tree.commune_b, UnitKind.CELL, "MANY")
    for i in range(55):
        make_member(cell, f"Nguyễn Thị Huệ {i:02d}")
    client = signed_in(users[Role.STAFF])
    url = reverse("members:list", args=[tree.district.pk])
    with CaptureQueriesContext(connection) as queries:
        first = client.get(url, {"text": "nguyen thi hue"}).content.decode()
    assert "55 đảng viên" in first
    assert first.count("Nguyễn Thị Huệ ") == 50
    reads = [q["sql"] for q in queries if 'FROM "members_membership"' in q["sql"]]
    assert len(reads) == 1 and "OVER ()" in reads[0]  # no COUNT(*) of its own
    second = client.get(url, {"text": "nguyen thi hue", "page": "2"}).content.decode()
    assert "55 đảng viên" in second
    assert [f"Nguyễn Thị Huệ {i}" in second for i in range(50, 55)] == [True] * 5
    assert "Nguyễn Thị Huệ 49" not in second
    past = client.get(url, {"text": "nguyen thi hue", "page": "9"}).content.decode()
    assert "Nguyễn Thị Huệ 54" in past  # past the end: the last page


@pytest.mark.parametrize("stored", [False, True])
def test_a_small_subtree_is_searched_in_its_roll_and_a_large_one_by_the_names_first(
    tree: Tree, users: dict[str, User], stored: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the stored counts say the subtree is small, the roll's statement finds the names
    itself; where they say it is large, or are not stored, the names are found first. The page
    is the same either way."""
    cell = make_unit(tree.commune_b, UnitKind.CELL, "MANY")
    for i in range(12):
        make_member(cell, f"Nguyễn Thị Huệ {i:02d}")
    make_member(tree.cell_a1, "Nguyễn Thị Huệ Khác")
    if stored:
        refresh_counts(today())
    client = signed_in(users[Role.STAFF])

    def search(unit_pk: int) -> tuple[str, int]:
        url = reverse("members:list", args=[unit_pk])
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url, {"text": "nguyen thi hue"}).content.decode()
        # The names found first: the member table alone, by name.
        first = [q for q in queries if "LIKE" in q["sql"] and "members_membership" not in q["sql"]]
        return html, len(first)

    small, names_first = search(tree.commune_b.pk)
    assert "12 đảng viên" in small and "Khác" not in small
    assert names_first == (0 if stored else 1)
    monkeypatch.setattr(selectors, "SEARCH_IN_ROLL_UP_TO", 5)  # the commune is now large
    large, names_first = search(tree.commune_b.pk)
    assert names_first == 1
    shown = re.findall(r"Nguyễn Thị Huệ \d\d", small)
    assert len(shown) == 12 and re.findall(r"Nguyễn Thị Huệ \d\d", large) == shown
    everywhere, _n = search(tree.district.pk)
    assert "13 đảng viên" in everywhere
