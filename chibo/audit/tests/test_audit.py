"""The audit log: one event per write, in the write's transaction, never changed, scoped."""

from datetime import date

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from chibo.accounts.models import Role, User
from chibo.audit import services as audit
from chibo.audit.models import AuditEvent
from chibo.units import services as unit_services
from chibo.units.models import Unit, UnitKind
from conftest import Tree, make_unit


def test_every_service_write_records_one_event(tree: Tree) -> None:
    before = AuditEvent.objects.count()
    unit = make_unit(tree.commune_a, UnitKind.CELL, "NEW")
    unit_services.rename_unit(unit, actor=None, name="Tên Khác", on=date(2025, 7, 1))
    unit_services.dissolve_unit(unit, actor=None, on=date(2025, 8, 1))
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[before:])
    assert actions == ["units.unit.create", "units.unit.rename", "units.unit.dissolve"]


def test_events_carry_request_id_ip_actor_and_changes(tree: Tree, users: dict[str, User]) -> None:
    client = Client()
    client.force_login(users[Role.STAFF])
    response = client.post(
        reverse("units:rename", args=[tree.cell_b1.pk]),
        {"name": "Chi bộ thôn Y Bích Mới", "on": "2025-07-01", "basis": "QĐ 7"},
        HTTP_X_REQUEST_ID="req-42",
    )
    assert response["X-Request-ID"] == "req-42"
    event = AuditEvent.objects.get(action="units.unit.rename")
    assert event.actor == users[Role.STAFF]
    assert event.request_id == "req-42"
    assert event.ip == "127.0.0.1"
    assert event.unit == tree.cell_b1
    assert event.changes["name"] == {
        "before": "Chi bộ thôn Y Bích",
        "after": "Chi bộ thôn Y Bích Mới",
    }
    assert event.changes["basis"] == "QĐ 7"


def test_a_failed_write_leaves_no_event(tree: Tree) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(Exception):  # noqa: B017
        make_unit(tree.commune_a, UnitKind.CELL, "A1")  # duplicate code
    assert AuditEvent.objects.count() == before


def test_record_refuses_to_run_outside_a_transaction(transactional_db: None) -> None:
    central = make_unit(None, UnitKind.CENTRAL, "TW")
    with pytest.raises(RuntimeError):
        audit.record("x.y", actor=None, obj=central, unit=central)


def test_events_are_never_updated_or_deleted(tree: Tree) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.action = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError), transaction.atomic():
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(PermissionError), transaction.atomic():
        AuditEvent.objects.all().delete()


def test_unit_history_is_scoped_to_the_users_units(tree: Tree, users: dict[str, User]) -> None:
    client = Client()
    client.force_login(users[Role.INSPECTOR])  # inspector of commune A
    html = client.get(reverse("audit:unit", args=[tree.commune_a.pk])).content.decode()
    assert "Chi bộ thôn Ninh Phú" in html
    assert "Chi bộ thôn Y Bích" not in html
    assert client.get(reverse("audit:unit", args=[tree.commune_b.pk])).status_code == 404
    # One object's history: visible in scope, 404 outside it.
    url = reverse("audit:object", args=["units.unit", tree.cell_a1.pk])
    assert "units.unit.create" in client.get(url).content.decode()
    other = reverse("audit:object", args=["units.unit", tree.other_cell.pk])
    assert client.get(other).status_code == 404


def test_history_page_query_count_is_constant(tree: Tree, users: dict[str, User]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(users[Role.STAFF])
    url = reverse("audit:unit", args=[tree.district.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for i in range(10):
        make_unit(tree.commune_b, UnitKind.CELL, f"H{i}")
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(first) == len(second)
    assert Unit.objects.filter(code__startswith="H").count() == 10


def test_every_recorded_action_has_a_label() -> None:
    import re
    from pathlib import Path

    from chibo.audit.labels import ACTIONS

    root = Path(__file__).resolve().parents[2]
    recorded = set()
    apps = "units|members|accounts|committees|meetings|quality|recruitment|rulebook|compliance"
    for source in root.rglob("*.py"):
        if "tests" in source.parts or source.name == "labels.py" or "migrations" in source.parts:
            continue
        # Every dotted action name written in the code: app.object.verb
        recorded |= set(
            re.findall(
                rf'"((?:{apps})\.[a-z_]+\.[a-z_]+)"',
                source.read_text(),
            )
        )
    assert recorded
    assert recorded <= set(ACTIONS), recorded - set(ACTIONS)
