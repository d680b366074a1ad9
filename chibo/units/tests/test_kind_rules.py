"""The nesting of unit kinds is data that administrators change, with the same checks."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.units import services
from chibo.units.models import KindRule, UnitKind
from conftest import Tree, make_unit


def test_a_new_rule_allows_a_new_nesting(tree: Tree) -> None:
    with pytest.raises(ValidationError):
        make_unit(tree.province, UnitKind.CELL, "PC")
    services.allow_nesting("province", "cell", actor=None, basis="Thí điểm 2026")
    make_unit(tree.province, UnitKind.CELL, "PC")
    assert AuditEvent.objects.filter(action="units.kind_rule.allow").count() == 1


def test_a_rule_in_use_cannot_be_removed(tree: Tree) -> None:
    rule = KindRule.objects.get(parent_kind="base", child_kind="cell")
    with pytest.raises(ValidationError, match="Còn 4 tổ chức"):
        services.forbid_nesting(rule, actor=None)
    unused = KindRule.objects.get(parent_kind="cell", child_kind="group")
    services.forbid_nesting(unused, actor=None)
    assert not KindRule.objects.filter(pk=unused.pk).exists()
    with pytest.raises(ValidationError):
        make_unit(tree.cell_a1, UnitKind.GROUP, "G1")


@pytest.mark.parametrize(
    ("parent", "child", "basis"),
    [("base", "cell", "x"), ("moon", "cell", "x"), ("", "group", " ")],
)
def test_bad_rules_are_refused(db: None, parent: str, child: str, basis: str) -> None:
    before = KindRule.objects.count()
    with pytest.raises(ValidationError):
        services.allow_nesting(parent, child, actor=None, basis=basis)
    assert KindRule.objects.count() == before


def test_page_lists_rules_and_only_administrators_change_them(
    tree: Tree, users: dict[str, User]
) -> None:
    admin, staff = Client(), Client()
    admin.force_login(users[Role.ADMIN])
    staff.force_login(users[Role.STAFF])
    url = reverse("units:kind_rules")
    page = staff.get(url).content.decode()
    assert "294-QĐ/TW" in page
    assert "Thêm quy tắc" not in page
    data = {"parent_kind": "province", "child_kind": "cell", "basis": "Thí điểm"}
    assert staff.post(url, data).status_code == 404
    assert not KindRule.objects.filter(parent_kind="province", child_kind="cell").exists()
    assert admin.post(url, data).status_code == 302
    assert KindRule.objects.filter(parent_kind="province", child_kind="cell").exists()
    refused = admin.post(url, data, follow=True).content.decode()
    assert "Quy tắc này đã có" in refused
