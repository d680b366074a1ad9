"""The units API: one unit, children and subtree as of a date, scoped, with one error shape."""

from datetime import date

from django.test import Client

from chibo.accounts.models import Role, User
from chibo.units import services
from chibo.units.models import UnitKind
from conftest import Tree, make_unit


def api(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_top_units_and_one_unit(tree: Tree, users: dict[str, User]) -> None:
    client = api(users[Role.STAFF])
    tops = client.get("/api/v1/units/").json()
    assert [u["code"] for u in tops] == ["D1"]
    unit = client.get(f"/api/v1/units/{tree.district.pk}").json()
    assert unit["name"] == "Đảng bộ huyện Một"
    assert (unit["members"], unit["cells"], unit["depth"], unit["kind"]) == (6, 3, 3, "district")


def test_children_with_counts_as_of_a_date(tree: Tree, users: dict[str, User]) -> None:
    make_unit(tree.commune_a, UnitKind.CELL, "NEW", on=date(2024, 1, 1))
    services.rename_unit(tree.cell_a1, actor=None, name="Tên Mới", on=date(2023, 1, 1))
    client = api(users[Role.STAFF])
    now = client.get(f"/api/v1/units/{tree.commune_a.pk}/children").json()
    assert {c["code"] for c in now} == {"A1", "A2", "NEW"}
    then = client.get(f"/api/v1/units/{tree.commune_a.pk}/children?on=2021-12-31").json()
    assert {c["code"]: c["name"] for c in then} == {
        "A1": "Chi bộ thôn Ninh Phú",
        "A2": "Chi bộ thôn Đông Thành",
    }
    assert {c["code"]: c["members"] for c in then} == {"A1": 3, "A2": 2}


def test_subtree_is_paginated_in_tree_order(tree: Tree, users: dict[str, User]) -> None:
    body = api(users[Role.STAFF]).get(f"/api/v1/units/{tree.district.pk}/subtree").json()
    assert body["count"] == 6
    assert [u["code"] for u in body["items"]] == ["D1", "A", "A1", "A2", "B", "B1"]


def test_out_of_scope_and_not_yet_founded_are_404_with_the_error_shape(
    tree: Tree, users: dict[str, User]
) -> None:
    client = api(users[Role.STAFF])
    response = client.get(f"/api/v1/units/{tree.other_cell.pk}")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "Không tìm thấy. (Not found.)",
        "details": [],
    }
    late = make_unit(tree.commune_a, UnitKind.CELL, "LATE", on=date(2024, 1, 1))
    assert client.get(f"/api/v1/units/{late.pk}?on=2021-01-01").status_code == 404


def test_malformed_date_is_422_with_details(tree: Tree, users: dict[str, User]) -> None:
    response = api(users[Role.STAFF]).get(f"/api/v1/units/{tree.district.pk}?on=31-12-2021")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "malformed"
    assert body["details"]


def test_anonymous_gets_401(tree: Tree) -> None:
    response = Client().get(f"/api/v1/units/{tree.district.pk}")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_openapi_describes_every_field_and_error(db: None) -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    assert {
        "/api/v1/units/",
        "/api/v1/units/{unit_id}",
        "/api/v1/units/{unit_id}/children",
        "/api/v1/units/{unit_id}/subtree",
    } <= set(paths)
    for path, operations in paths.items():
        for operation in operations.values():
            assert operation.get("description") or operation.get("summary"), path
            assert {"401", "404"} <= set(operation["responses"]), path
    unit_schema = doc["components"]["schemas"]["UnitOut"]
    for name, field in unit_schema["properties"].items():
        assert field.get("description"), name
    error_schema = doc["components"]["schemas"]["Error"]
    assert set(error_schema["properties"]) == {"code", "message", "details"}


def test_docs_page_is_served_without_a_cdn(db: None) -> None:
    html = Client().get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn." not in html and "https://" not in html.split("<body")[0]
