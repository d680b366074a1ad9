"""Shared test fixtures. Data is built with the real services, never by writing rows by hand."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pytest_django import Settings

from chibo.accounts import services as account_services
from chibo.accounts.models import Role, User
from chibo.members import services as member_services
from chibo.members.models import Member
from chibo.units import services as unit_services
from chibo.units.kinds import DEFAULT_RULES
from chibo.units.models import KindRule, Unit, UnitKind

PASSWORD = "Kiem-tra-2021!"
START = date(2015, 1, 1)


def make_unit(
    parent: Unit | None, kind: str, code: str, name: str | None = None, on: date = START
) -> Unit:
    return unit_services.create_unit(
        parent, actor=None, kind=kind, name=name or f"Đơn vị {code}", code=code, on=on
    )


def make_member(
    unit: Unit, name: str = "Nguyễn Văn An", on: date = START, sex: str = "M", **details: Any
) -> Member:
    """A member on the roll of `unit` from `on`, official (no admission dates given)."""
    details = member_services.MemberDetails(full_name=name, sex=sex, **details)
    return member_services.register_member(unit, actor=None, details=details, on=on)


def make_user(
    username: str,
    role: str | None = None,
    unit: Unit | None = None,
    since: date = START,
    until: date | None = None,
) -> User:
    user = account_services.create_user(username, actor=None, password=PASSWORD)
    if role is not None:
        assert unit is not None
        account_services.assign_role(
            user, actor=None, unit=unit, role=role, valid_from=since, valid_to=until
        )
    return user


@dataclass
class Tree:
    """Central → province → district → two communes (bases) with cells; a second province
    with its own cell is outside every scope but the administrator's."""

    central: Unit
    province: Unit
    district: Unit
    commune_a: Unit
    commune_b: Unit
    cell_a1: Unit
    cell_a2: Unit
    cell_b1: Unit
    other_province: Unit
    other_base: Unit
    other_cell: Unit


@pytest.fixture
def tree(db: None) -> Tree:
    central = make_unit(None, UnitKind.CENTRAL, "TW", "Trung ương", on=date(1930, 2, 3))
    province = make_unit(central, UnitKind.PROVINCE, "P1", "Đảng bộ tỉnh Một", on=date(1930, 7, 29))
    district = make_unit(province, UnitKind.DISTRICT, "D1", "Đảng bộ huyện Một")
    commune_a = make_unit(district, UnitKind.BASE, "A", "Đảng bộ xã Đa Lộc")
    commune_b = make_unit(district, UnitKind.BASE, "B", "Đảng bộ xã Hải Lộc")
    cell_a1 = make_unit(commune_a, UnitKind.CELL, "A1", "Chi bộ thôn Ninh Phú")
    cell_a2 = make_unit(commune_a, UnitKind.CELL, "A2", "Chi bộ thôn Đông Thành")
    cell_b1 = make_unit(commune_b, UnitKind.CELL, "B1", "Chi bộ thôn Y Bích")
    other_province = make_unit(central, UnitKind.PROVINCE, "P2", "Đảng bộ tỉnh Hai")
    other_base = make_unit(other_province, UnitKind.BASE, "P2B", "Đảng bộ xã Khác")
    other_cell = make_unit(other_base, UnitKind.CELL, "P2C", "Chi bộ thôn Khác")
    for cell, names in [
        (cell_a1, ["Lê Văn Chín", "Phạm Thị Hường", "Đặng Văn Dũng"]),
        (cell_a2, ["Nguyễn Thị Lan", "Trần Văn Bình"]),
        (cell_b1, ["Hoàng Văn Sơn"]),
        (other_cell, ["Vũ Thị Mai"]),
    ]:
        for name in names:
            make_member(cell, name)
    return Tree(
        central,
        province,
        district,
        commune_a,
        commune_b,
        cell_a1,
        cell_a2,
        cell_b1,
        other_province,
        other_base,
        other_cell,
    )


def demo_args(months: int = 14) -> list[str]:
    """Tests load the demo with its last `months` of meeting books rather than ten years:
    the books are written by the same code either way, and the suite stays quick."""
    from dateutil.relativedelta import relativedelta

    from chibo.lib.dates import today

    since = today().replace(day=1) - relativedelta(months=months)
    return ["--history-from", f"{since:%Y-%m}"]


ROLE_UNITS = {
    # role → which unit of the tree it is bound to in the access tests
    Role.ADMIN: "central",
    Role.STAFF: "district",
    Role.INSPECTOR: "commune_a",
    Role.SECRETARY: "cell_a1",
    Role.MEMBER: "cell_a1",
}


@pytest.fixture
def users(tree: Tree) -> dict[str, User]:
    """One user per role, bound as ROLE_UNITS says."""
    return {
        role: make_user(f"user_{role}", role, getattr(tree, attr))
        for role, attr in ROLE_UNITS.items()
    }


@pytest.fixture(autouse=True)
def _kind_rules_after_flush(request: pytest.FixtureRequest) -> None:
    """Transactional tests empty every table when they end, the kind rules a data migration
    seeded included: put them back for each such test, as the migration does."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        reseed_kind_rules()


def reseed_kind_rules() -> None:
    for parent_kind, child_kind, basis in DEFAULT_RULES:
        KindRule.objects.get_or_create(
            parent_kind=parent_kind, child_kind=child_kind, defaults={"basis": basis}
        )


@pytest.fixture(autouse=True)
def _reports_read_the_primary(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With CHIBO_REPLICA_URL set (CI's PostgreSQL run), report pages read through the
    `replica` connection. A test's uncommitted data is invisible to a second connection, and
    Django forbids a test the databases it did not ask for; so only the tests that ask for
    `replica` (chibo/lib/tests/test_deployment.py) read from it, the others from the primary,
    as from a replica that is up to date."""
    from chibo.lib import replica

    marker = request.node.get_closest_marker("django_db")
    databases = marker.kwargs.get("databases") if marker else None
    if not (databases == "__all__" or (databases and "replica" in databases)):
        monkeypatch.setattr(replica, "has_replica", lambda: False)


@pytest.fixture(autouse=True)
def _vietnamese_first() -> Iterator[None]:
    """A request in English (LocaleMiddleware) leaves English active in its thread: each test
    starts in the site's language, whichever test its worker ran before it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_rule_settings() -> Iterator[None]:
    """Rule settings are held in memory between requests: a test's own, rolled back with it,
    must not leak into the next test."""
    from chibo.rulebook.registry import SETTINGS

    SETTINGS.forget()
    yield
    SETTINGS.forget()


@pytest.fixture(autouse=True)
def _test_settings(settings: Settings, tmp_path: Path) -> None:
    """Tests sign in with force_login (the throttling tests switch axes back on), and hash
    passwords quickly: the real hasher would spend seconds on every account a test makes."""
    settings.AXES_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"  # uploads of a test stay in its own folder
