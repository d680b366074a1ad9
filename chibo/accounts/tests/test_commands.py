from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from chibo.accounts.models import RoleAssignment, User
from chibo.audit.models import AuditEvent
from conftest import Tree


def test_grant_role_creates_the_account_and_the_dated_role(tree: Tree) -> None:
    out = StringIO()
    call_command(
        "grant_role",
        "canbo",
        "staff",
        "a",
        "--create",
        "--from",
        "2025-07-01",
        "--full-name",
        "Lê Thị Hoa",
        stdout=out,
    )
    user = User.objects.get(username="canbo")
    role = RoleAssignment.objects.get(user=user)
    assert (role.unit, role.role, role.valid_from) == (tree.commune_a, "staff", date(2025, 7, 1))
    assert "Mật khẩu ban đầu" in out.getvalue()
    assert AuditEvent.objects.filter(action="accounts.role.assign", object_id=str(role.pk)).exists()


def test_grant_role_dry_run_writes_nothing(tree: Tree) -> None:
    call_command(
        "grant_role", "canbo", "inspector", "A", "--create", "--dry-run", stdout=StringIO()
    )
    assert not User.objects.filter(username="canbo").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "staff", "A"], "--create"),
        (["x", "staff", "NOPE", "--create"], "Không có đơn vị mã NOPE"),
        (["x", "member", "D1", "--create"], "chi bộ"),
        (["x", "staff", "A", "--create", "--from", "01/07/2025"], "YYYY-MM-DD"),
    ],
)
def test_grant_role_errors_are_clear(tree: Tree, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("grant_role", *args, stdout=StringIO())
    assert not User.objects.filter(username="x").exists()
