"""The committee pages as a user sees them: seats as of a date, supervisors, the change forms."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.committees import services
from chibo.committees.models import Body, CommitteeSeat, Position, SupervisionAssignment
from chibo.committees.tests.helpers import SINCE, make_official, seat_on, supervision_of
from chibo.lib.dates import today
from chibo.members.models import Member
from chibo.units.models import Unit
from conftest import Tree


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(unit: Unit) -> str:
    return reverse("committees:unit", args=[unit.pk])


def member(name: str) -> Member:
    return Member.objects.get(full_name=name)


def counts() -> tuple[int, int, int]:
    return (
        CommitteeSeat.objects.count(),
        SupervisionAssignment.objects.count(),
        AuditEvent.objects.count(),
    )


def test_the_page_lists_seats_former_seats_and_supervisors(
    tree: Tree, users: dict[str, User]
) -> None:
    first = services.appoint(
        member("Lê Văn Chín"),
        actor=None,
        unit=tree.cell_a1,
        body=Body.COMMITTEE,
        position=Position.SECRETARY,
        valid_from=SINCE,
        basis="QĐ 01-QĐ/ĐU",
    )
    services.end_seat(first, actor=None, on=date(2023, 1, 1))
    seat_on(tree.cell_a1, member("Phạm Thị Hường"), on=date(2023, 1, 1))
    supervision = supervision_of(tree.cell_a1)
    html = signed_in(users[Role.STAFF]).get(page(tree.cell_a1)).content.decode()
    seats = html[html.index('id="seats"') : html.index('id="supervisors"')]
    assert "Phạm Thị Hường" in seats and "Phó bí thư" in seats
    assert "Lê Văn Chín" not in seats
    former = html[html.index('id="former-seats"') :]
    assert "Lê Văn Chín" in former and "31/12/2022" in former and "QĐ 01-QĐ/ĐU" in former
    assert supervision.supervisor.full_name in html[html.index('id="supervisors"') :]
    assert "3 đảng viên chính thức (dưới 9)" in html


def test_the_page_as_of_a_past_day(tree: Tree, users: dict[str, User]) -> None:
    first = seat_on(tree.cell_a1, member("Lê Văn Chín"))
    services.end_seat(first, actor=None, on=date(2023, 1, 1))
    client = signed_in(users[Role.SECRETARY])
    past = client.get(page(tree.cell_a1), {"on": "31/12/2022"}).content.decode()
    assert "Lê Văn Chín" in past[past.index('id="seats"') :]
    assert "31/12/2022" in past
    now = client.get(page(tree.cell_a1)).content.decode()
    assert 'id="seats"' not in now
    assert "Lê Văn Chín" in now[now.index('id="former-seats"') :]


def test_htmx_date_change_returns_a_fragment(tree: Tree, users: dict[str, User]) -> None:
    response = signed_in(users[Role.STAFF]).get(
        page(tree.cell_a1), {"on": "2021-12-31"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Cấp ủy viên" in html


def test_out_of_scope_is_404(tree: Tree, users: dict[str, User]) -> None:
    assert signed_in(users[Role.STAFF]).get(page(tree.other_cell)).status_code == 404
    assert signed_in(users[Role.MEMBER]).get(page(tree.cell_a2)).status_code == 404
    assert signed_in(users[Role.MEMBER]).get(page(tree.cell_a1)).status_code == 200


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.MEMBER, Role.SECRETARY])
def test_who_may_not_change_sees_no_forms_and_cannot_post(
    tree: Tree, users: dict[str, User], role: str
) -> None:
    """Inspectors and members only read; a secretary cannot decide their own cell's committee."""
    seat = seat_on(tree.cell_a1)
    assignment = supervision_of(tree.cell_a1)
    client = signed_in(users[role])
    html = client.get(page(tree.cell_a1)).content.decode()
    for url in (
        reverse("committees:appoint", args=[tree.cell_a1.pk]),
        reverse("committees:assign", args=[tree.cell_a1.pk]),
        reverse("committees:end_seat", args=[seat.pk]),
        reverse("committees:end_supervision", args=[assignment.pk]),
    ):
        assert url not in html
        before = counts()
        response = client.post(
            url,
            {
                "member": seat.member_id,
                "supervisor": assignment.supervisor_id,
                "body": "committee",
                "position": "deputy",
                "valid_from": "01/01/2024",
                "on": "01/01/2024",
            },
        )
        assert response.status_code == 404
        assert counts() == before


def test_appoint_and_end_through_the_pages(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.STAFF])
    form = client.get(reverse("committees:appoint", args=[tree.cell_a1.pk])).content.decode()
    assert "Lê Văn Chín" in form and "Vũ Thị Mai" not in form
    response = client.post(
        reverse("committees:appoint", args=[tree.cell_a1.pk]),
        {
            "member": member("Lê Văn Chín").pk,
            "body": "committee",
            "position": "secretary",
            "valid_from": "01/07/2025",
            "basis": "QĐ 12",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == page(tree.cell_a1)
    seat = CommitteeSeat.objects.get()
    html = client.get(page(tree.cell_a1)).content.decode()
    end_url = reverse("committees:end_seat", args=[seat.pk])
    assert end_url in html
    response = client.post(end_url, {"on": "01/01/2026", "basis": "QĐ 13"})
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.valid_to == date(2025, 12, 31)
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "committees.seat.appoint",
        "committees.seat.end",
    }


def test_a_refused_appointment_says_why_and_writes_nothing(
    tree: Tree, users: dict[str, User]
) -> None:
    seat_on(tree.cell_a1, member("Lê Văn Chín"))
    client = signed_in(users[Role.STAFF])
    url = reverse("committees:appoint", args=[tree.cell_a1.pk])
    before = counts()
    response = client.post(
        url,
        {
            "member": member("Phạm Thị Hường").pk,
            "body": "cell_committee",
            "position": "member",
            "valid_from": "01/07/2025",
        },
    )
    assert response.status_code == 200
    assert "no cell committee, only a secretary and a deputy" in response.content.decode()
    assert counts() == before
    # A member outside the unit is not a choice at all, even posted by hand.
    response = client.post(
        url,
        {
            "member": member("Vũ Thị Mai").pk,
            "body": "committee",
            "position": "deputy",
            "valid_from": "01/07/2025",
        },
    )
    assert response.status_code == 200
    assert counts() == before


def test_assign_offers_only_committee_members_in_the_users_scope(
    tree: Tree, users: dict[str, User]
) -> None:
    """The district staff may assign commune or district committee members to a cell; a
    provincial committee member is above their scope and is neither listed nor accepted."""
    seat_on(tree.commune_a, member("Lê Văn Chín"))
    seat_on(tree.province, member("Hoàng Văn Sơn"))
    client = signed_in(users[Role.STAFF])
    url = reverse("committees:assign", args=[tree.cell_a1.pk])
    form = client.get(url).content.decode()
    assert "Lê Văn Chín" in form and "Hoàng Văn Sơn" not in form
    before = counts()
    response = client.post(
        url, {"supervisor": member("Hoàng Văn Sơn").pk, "valid_from": "01/07/2025"}
    )
    assert response.status_code == 200
    assert counts() == before
    response = client.post(
        url, {"supervisor": member("Lê Văn Chín").pk, "valid_from": "01/07/2025", "note": "Thôn"}
    )
    assert response.status_code == 302
    assignment = SupervisionAssignment.objects.get()
    response = client.post(
        reverse("committees:end_supervision", args=[assignment.pk]), {"on": "01/01/2026"}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.valid_to == date(2025, 12, 31)


def test_query_count_does_not_grow_with_the_seats(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.STAFF])
    url = page(tree.commune_a)
    supervision_of(tree.commune_a)
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for i in range(6):
        person = make_official(tree.cell_a2, f"Cấp Ủy Viên {i}")
        seat = seat_on(tree.commune_a, person)
        if i % 2:
            services.end_seat(seat, actor=None, on=today())
        seat_on(tree.district, person)
        services.assign_supervisor(person, actor=None, unit=tree.commune_a, valid_from=SINCE)
    html = client.get(url).content.decode()
    assert "Cấp Ủy Viên 4" in html[html.index('id="seats"') : html.index('id="supervisors"')]
    assert "Cấp Ủy Viên 5" in html[html.index('id="former-seats"') :]
    assert count() == small
