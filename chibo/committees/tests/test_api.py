"""The committees API: a unit's seats and supervisors as of a date, scoped, one error shape."""

from datetime import date

from django.test import Client

from chibo.accounts.models import Role, User
from chibo.committees import services
from chibo.committees.tests.helpers import SINCE, seat_on, supervision_of
from chibo.members.models import Member
from conftest import Tree


def api(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_seats_as_of_a_date(tree: Tree, users: dict[str, User]) -> None:
    chin = Member.objects.get(full_name="Lê Văn Chín")
    huong = Member.objects.get(full_name="Phạm Thị Hường")
    first = services.appoint(
        chin,
        actor=None,
        unit=tree.cell_a1,
        body="committee",
        position="secretary",
        valid_from=SINCE,
        basis="QĐ 1",
    )
    services.end_seat(first, actor=None, on=date(2023, 1, 1))
    seat_on(tree.cell_a1, huong, on=date(2023, 1, 1))
    client = api(users[Role.MEMBER])
    url = f"/api/v1/committees/units/{tree.cell_a1.pk}/seats"
    [now] = client.get(url).json()
    assert (now["member_name"], now["position"], now["position_label"]) == (
        "Phạm Thị Hường",
        "deputy",
        "Phó bí thư",
    )
    [then] = client.get(url, {"on": "2022-12-31"}).json()
    assert then == {
        "id": first.pk,
        "member_id": chin.pk,
        "member_name": "Lê Văn Chín",
        "unit_id": tree.cell_a1.pk,
        "unit_name": "Chi bộ thôn Ninh Phú",
        "body": "committee",
        "position": "secretary",
        "position_label": "Bí thư",
        "valid_from": "2020-01-01",
        "valid_to": "2022-12-31",
        "basis": "QĐ 1",
    }
    assert client.get(url, {"on": "2019-12-31"}).json() == []


def test_supervisors_with_the_seats_they_held(tree: Tree, users: dict[str, User]) -> None:
    assignment = supervision_of(tree.cell_a1)
    [row] = (
        api(users[Role.STAFF]).get(f"/api/v1/committees/units/{tree.cell_a1.pk}/supervisors").json()
    )
    assert (row["id"], row["supervisor_id"], row["unit_id"]) == (
        assignment.pk,
        assignment.supervisor_id,
        tree.cell_a1.pk,
    )
    assert [s["unit_id"] for s in row["seats"]] == [tree.commune_a.pk]


def test_out_of_scope_is_404_and_anonymous_401_with_the_error_shape(
    tree: Tree, users: dict[str, User]
) -> None:
    client = api(users[Role.STAFF])
    for path in ("seats", "supervisors"):
        url = f"/api/v1/committees/units/{tree.other_cell.pk}/{path}"
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert Client().get(url).json()["code"] == "unauthenticated"


def test_every_field_is_described(client: Client) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("SeatOut", "SupervisorOut"):
        properties = schemas[name]["properties"]
        assert properties
        undescribed = [p for p, spec in properties.items() if not spec.get("description")]
        assert undescribed == [], name
