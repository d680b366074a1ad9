"""The unit pages as a user sees them: as-of dates, counts, restructuring forms."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.units.models import Unit, UnitKind
from conftest import Tree, make_member, make_unit


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_unit_page_shows_children_with_counts(tree: Tree, users: dict[str, User]) -> None:
    response = signed_in(users[Role.STAFF]).get(reverse("units:detail", args=[tree.district.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đảng bộ huyện Một" in html
    assert 'id="stat-members">6<' in html
    assert 'id="stat-cells">3<' in html
    assert "Đảng bộ xã Đa Lộc" in html and "Đảng bộ xã Hải Lộc" in html
    assert "Đảng bộ tỉnh Hai" not in html


def test_unit_page_as_of_a_date(tree: Tree, users: dict[str, User]) -> None:
    late = make_unit(tree.commune_a, UnitKind.CELL, "LATE", "Chi bộ thôn Mới Lập", date(2024, 1, 1))
    make_member(late, "Người Mới", on=date(2024, 1, 1))
    client = signed_in(users[Role.STAFF])
    url = reverse("units:detail", args=[tree.commune_a.pk])
    assert "Chi bộ thôn Mới Lập" in client.get(url).content.decode()
    old = client.get(url, {"on": "2021-12-31"}).content.decode()
    assert "Chi bộ thôn Mới Lập" not in old
    assert 'id="stat-members">5<' in old
    assert "31/12/2021" in old
    # The Vietnamese way of writing the date is accepted too.
    assert 'id="stat-members">5<' in client.get(url, {"on": "31/12/2021"}).content.decode()


def test_htmx_date_change_returns_a_fragment(tree: Tree, users: dict[str, User]) -> None:
    response = signed_in(users[Role.STAFF]).get(
        reverse("units:detail", args=[tree.district.pk]),
        {"on": "2021-12-31"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="stat-members"' in html


def test_unit_page_query_count_does_not_grow(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.STAFF])
    url = reverse("units:detail", args=[tree.district.pk])
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for i in range(6):
        base = make_unit(tree.district, UnitKind.BASE, f"X{i}")
        for j in range(3):
            cell = make_unit(base, UnitKind.CELL, f"X{i}C{j}")
            make_member(cell, f"Đảng Viên {i} {j}")
    assert count() == small


def test_cell_page_lists_members_in_vietnamese_name_order(
    tree: Tree, users: dict[str, User]
) -> None:
    html = (
        signed_in(users[Role.SECRETARY])
        .get(reverse("units:detail", args=[tree.cell_a1.pk]))
        .content.decode()
    )
    # Chín, Dũng, Hường: given names in order, whatever the family name.
    assert html.index("Lê Văn Chín") < html.index("Đặng Văn Dũng") < html.index("Phạm Thị Hường")


def test_restructuring_through_the_pages(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.STAFF])
    response = client.post(
        reverse("units:create_child", args=[tree.commune_b.pk]),
        {
            "kind": "cell",
            "name": "Chi bộ thôn Hưng Thịnh",
            "code": "b9",
            "on": "2025-07-01",
            "basis": "QĐ 12",
        },
    )
    cell = Unit.objects.get(code="B9")
    assert response.status_code == 302
    assert response["Location"] == reverse("units:detail", args=[cell.pk])
    client.post(
        reverse("units:rename", args=[cell.pk]),
        {"name": "Chi bộ thôn Hưng Thịnh Mới", "on": "2025-08-01"},
    )
    client.post(reverse("units:move", args=[cell.pk]), {"parent_code": "a", "on": "2025-09-01"})
    cell.refresh_from_db()
    assert (cell.name, cell.parent) == ("Chi bộ thôn Hưng Thịnh Mới", tree.commune_a)
    client.post(
        reverse("units:merge", args=[tree.cell_a1.pk]),
        {"source_codes": "B9", "on": "2025-10-01"},
    )
    cell.refresh_from_db()
    assert cell.successor == tree.cell_a1
    actions = set(
        AuditEvent.objects.filter(object_id=str(cell.pk)).values_list("action", flat=True)
    )
    assert actions == {
        "units.unit.create",
        "units.unit.rename",
        "units.unit.move",
        "units.unit.merge",
    }


def test_a_rejected_change_shows_why_and_writes_nothing(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.STAFF])
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("units:move", args=[tree.commune_a.pk]), {"parent_code": "A1", "on": "2025-07-01"}
    )
    # Moving a commune under one of its own cells would make a cycle: the form says so.
    assert response.status_code == 200
    assert "This would make a cycle" in response.content.decode()
    assert AuditEvent.objects.count() == events
    response = client.post(
        reverse("units:merge", args=[tree.commune_a.pk]),
        {"source_codes": "P2B", "on": "2025-07-01"},
    )
    assert "Không tìm thấy đơn vị mã P2B" in response.content.decode()
    assert AuditEvent.objects.count() == events


def test_split_page_assigns_children(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.STAFF])
    url = reverse("units:split", args=[tree.commune_a.pk])
    page = client.get(url).content.decode()
    assert "Chi bộ thôn Ninh Phú" in page
    response = client.post(
        url,
        {
            "on": "2025-07-01",
            "name_0": "Đảng bộ xã Đa Lộc Bắc",
            "code_0": "AN",
            "name_1": "Đảng bộ xã Đa Lộc Nam",
            "code_1": "AS",
            f"child_{tree.cell_a1.pk}": "0",
            f"child_{tree.cell_a2.pk}": "1",
        },
    )
    assert response.status_code == 302
    assert Unit.objects.get(pk=tree.cell_a1.pk).parent == Unit.objects.get(code="AN")
    assert Unit.objects.get(pk=tree.cell_a2.pk).parent == Unit.objects.get(code="AS")


@pytest.mark.parametrize("query", ["ninh phu", "Ninh Phú", "NINH", "a1"])
def test_search_finds_units_in_scope_only(tree: Tree, users: dict[str, User], query: str) -> None:
    html = signed_in(users[Role.STAFF]).get(reverse("search"), {"q": query}).content.decode()
    assert "Chi bộ thôn Ninh Phú" in html
    other = signed_in(users[Role.STAFF]).get(reverse("search"), {"q": "khac"}).content.decode()
    assert "Chi bộ thôn Khác" not in other


def test_a_malformed_date_is_explained_and_today_shown(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.STAFF])
    response = client.get(reverse("units:detail", args=[tree.district.pk]), {"on": "31/13/2021"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error"' in html
    assert 'id="stat-members">6<' in html
    # A valid day is shown back the Vietnamese way, however it was asked for.
    valid = client.get(reverse("units:detail", args=[tree.district.pk]), {"on": "2021-08-31"})
    assert 'value="31/08/2021"' in valid.content.decode()
