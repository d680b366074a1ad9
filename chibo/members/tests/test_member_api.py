from datetime import date

from django.test import Client

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from conftest import Tree, make_member


def api(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_roll_in_name_order_with_status(tree: Tree, users: dict[str, User]) -> None:
    body = api(users[Role.STAFF]).get(f"/api/v1/members/units/{tree.commune_a.pk}").json()
    assert body["count"] == 5
    assert [r["full_name"] for r in body["items"]][:2] == ["Trần Văn Bình", "Lê Văn Chín"]
    assert {r["status"] for r in body["items"]} == {"official"}
    search = (
        api(users[Role.STAFF])
        .get(f"/api/v1/members/units/{tree.commune_a.pk}", {"text": "huong"})
        .json()
    )
    assert [r["full_name"] for r in search["items"]] == ["Phạm Thị Hường"]


def test_bad_filter_is_422_and_out_of_scope_404(tree: Tree, users: dict[str, User]) -> None:
    client = api(users[Role.STAFF])
    bad = client.get(f"/api/v1/members/units/{tree.commune_a.pk}", {"status": "boss"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "malformed"
    assert client.get(f"/api/v1/members/units/{tree.other_cell.pk}").status_code == 404


def test_one_member_masked_for_inspectors_and_audited(tree: Tree, users: dict[str, User]) -> None:
    member = make_member(
        tree.cell_a1, "Có Số CCCD", citizen_id="038090054321", religion="Phật giáo"
    )
    staff = api(users[Role.STAFF]).get(f"/api/v1/members/{member.pk}").json()
    assert (staff["citizen_id"], staff["religion"], staff["masked"]) == (
        "038090054321",
        "Phật giáo",
        False,
    )
    inspector = api(users[Role.INSPECTOR]).get(f"/api/v1/members/{member.pk}").json()
    assert (inspector["citizen_id"], inspector["religion"], inspector["masked"]) == (
        "•••••••••321",
        "•••",
        True,
    )
    assert inspector["statuses"][0]["status"] == "official"
    assert inspector["statuses"][0]["valid_from"] == date(2015, 1, 1).isoformat()
    assert AuditEvent.objects.filter(action="members.member.view").count() == 2
