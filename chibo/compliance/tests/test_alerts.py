"""Alerts: raised from failed and warning results, cleared when the result is ok again, in the
inbox of the people responsible only, acknowledged and resolved with a note, escalated to the
unit above after the configured days, and sent in the daily digest. All audited."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.committees import services as committee_services
from chibo.committees.tests.helpers import seat_on
from chibo.compliance import selectors, services
from chibo.compliance.models import Alert, AlertState, Status
from chibo.compliance.tests.helpers import evaluate, hold
from chibo.members import services as member_services
from chibo.rulebook import services as rulebook_services
from conftest import PASSWORD, Tree, make_user

MARCH = date(2026, 3, 1)
END = date(2026, 3, 31)


def alert(tree: Tree, code: str = "regular_meeting") -> Alert:
    return Alert.objects.get(unit=tree.cell_a1, obligation=code, month=MARCH)


@pytest.fixture
def raised(tree: Tree) -> Tree:
    """Nobody met in March: a failed result, and an alert, for every cell."""
    evaluate(tree.district, MARCH, as_of=END + timedelta(days=1))
    return tree


def test_failed_and_warning_results_raise_alerts(raised: Tree) -> None:
    found = alert(raised)
    assert (found.status, found.state, found.level) == (
        Status.FAILED,
        AlertState.OPEN,
        raised.cell_a1,
    )
    assert "không sinh hoạt thường kỳ tháng 03/2026" in found.message
    assert Alert.objects.filter(obligation="cell_size", unit=raised.cell_a2).exists()
    assert not Alert.objects.filter(obligation="cell_size", unit=raised.cell_a1).exists()
    assert AuditEvent.objects.filter(action="compliance.alert.raise").count() == (
        Alert.objects.count()
    )


def test_history_raises_no_alerts(tree: Tree) -> None:
    evaluate(tree.district, date(2025, 6, 1), as_of=END)
    assert not Alert.objects.exists()


def test_evaluating_again_raises_nothing_new(raised: Tree) -> None:
    before = Alert.objects.count()
    summary = evaluate(raised.district, MARCH, as_of=END + timedelta(days=1))
    assert (summary.alerts_raised, Alert.objects.count()) == (0, before)


def test_an_ok_result_clears_its_alert(tree: Tree) -> None:
    evaluate(tree.cell_a1, MARCH, as_of=date(2026, 3, 6))  # window passed: a warning
    assert alert(tree).status == Status.WARNING
    hold(tree.cell_a1, date(2026, 3, 5))  # the meeting was held; its roll entered late
    evaluate(tree.cell_a1, MARCH, as_of=date(2026, 3, 7))
    found = alert(tree)
    assert found.state == AlertState.RESOLVED
    assert found.resolved_at is not None
    assert AuditEvent.objects.filter(action="compliance.alert.clear").exists()


def test_acknowledge_then_resolve_with_a_note(raised: Tree, users: dict[str, User]) -> None:
    found = alert(raised)
    services.acknowledge_alert(found, actor=users[Role.SECRETARY])
    with pytest.raises(ValidationError):
        services.acknowledge_alert(found, actor=users[Role.SECRETARY])
    with pytest.raises(ValidationError, match="ghi rõ"):
        services.resolve_alert(found, actor=users[Role.SECRETARY], note="  ")
    services.resolve_alert(
        found, actor=users[Role.SECRETARY], note="Chi bộ họp bù ngày 2/4, có biên bản."
    )
    found.refresh_from_db()
    assert (found.state, found.resolved_by) == (AlertState.RESOLVED, users[Role.SECRETARY])
    actions = list(
        AuditEvent.objects.filter(object_type="compliance.alert", object_id=str(found.pk))
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "compliance.alert.raise",
        "compliance.alert.acknowledge",
        "compliance.alert.resolve",
    ]
    # A person's resolution stands: evaluating again does not reopen it.
    evaluate(raised.district, MARCH, as_of=END + timedelta(days=1))
    found.refresh_from_db()
    assert found.state == AlertState.RESOLVED


# Escalation --------------------------------------------------------------------------------


def test_escalation_after_the_configured_days(raised: Tree) -> None:
    found = alert(raised)
    start = found.level_since
    services.escalate_alerts(actor=None, now=start + timedelta(days=10) - timedelta(seconds=1))
    found.refresh_from_db()
    assert (found.level, found.escalations) == (raised.cell_a1, 0)

    services.escalate_alerts(actor=None, now=start + timedelta(days=10))
    found.refresh_from_db()
    assert (found.level, found.escalations) == (raised.commune_a, 1)
    # Acknowledging does not stop the clock; only resolving does.
    services.acknowledge_alert(found, actor=None)
    services.escalate_alerts(actor=None, now=start + timedelta(days=20))
    found.refresh_from_db()
    assert (found.level, found.escalations) == (raised.district, 2)
    assert (
        AuditEvent.objects.filter(
            action="compliance.alert.escalate", object_id=str(found.pk)
        ).count()
        == 2
    )


def test_escalation_days_set_by_a_committee(raised: Tree) -> None:
    rulebook_services.set_rule(
        raised.commune_a,
        actor=None,
        key="compliance.alert_escalation_days",
        value=3,
        valid_from=date(2026, 1, 1),
        basis="Quy chế làm việc",
    )
    found = alert(raised)
    services.escalate_alerts(actor=None, now=found.level_since + timedelta(days=3))
    found.refresh_from_db()
    assert found.level == raised.commune_a
    other = Alert.objects.get(unit=raised.cell_b1, obligation="regular_meeting")
    assert other.level == raised.cell_b1  # Hải Lộc keeps the default 10 days


def test_resolved_alerts_and_the_top_do_not_move(raised: Tree) -> None:
    found = alert(raised)
    services.resolve_alert(found, actor=None, note="Đã họp bù.")
    moved = services.escalate_alerts(actor=None, now=timezone.now() + timedelta(days=400))
    found.refresh_from_db()
    assert found.level == raised.cell_a1
    assert moved > 0
    assert not Alert.objects.filter(level=raised.central).exists() or all(
        a.level.parent_id is None for a in Alert.objects.filter(level=raised.central)
    )


# Who sees what -----------------------------------------------------------------------------


def test_inbox_holds_the_alerts_a_person_must_act_on(raised: Tree, users: dict[str, User]) -> None:
    mine = set(selectors.inbox(users[Role.SECRETARY]).values_list("unit_id", flat=True))
    assert mine == {raised.cell_a1.pk}
    # Staff of the district, an inspector and a member have nothing until it escalates.
    for role in (Role.STAFF, Role.INSPECTOR, Role.MEMBER):
        assert not selectors.inbox(users[role]).exists()
    for days in (11, 22):  # one level up per period: to Đa Lộc, then to the district
        services.escalate_alerts(actor=None, now=timezone.now() + timedelta(days=days))
    staff = selectors.inbox(users[Role.STAFF])
    assert set(staff.values_list("unit_id", flat=True)) == {
        raised.cell_a1.pk,
        raised.cell_a2.pk,
        raised.cell_b1.pk,
    }
    assert not selectors.inbox(users[Role.SECRETARY]).exists()


def test_the_supervising_member_sees_the_cell_alerts(raised: Tree) -> None:
    person = make_user("giamsat", Role.STAFF, raised.commune_a)
    member = member_services.register_member(
        raised.commune_a,
        actor=None,
        details=member_services.MemberDetails(full_name="Trịnh Văn Giám", sex="M"),
        on=date(2020, 1, 1),
        user=person,
    )
    seat_on(raised.commune_a, member=member, on=date(2026, 1, 1))
    committee_services.assign_supervisor(
        member, actor=None, unit=raised.cell_a1, valid_from=date(2026, 1, 1)
    )
    units = set(selectors.inbox(person).values_list("unit_id", flat=True))
    assert units == {raised.cell_a1.pk}
    assert any("Trịnh Văn Giám" in name for name in selectors.who_acts(alert(raised)))


def test_alerts_outside_the_scope_are_not_found(raised: Tree, users: dict[str, User]) -> None:
    evaluate(raised.other_province, MARCH, as_of=END + timedelta(days=1))
    outside = Alert.objects.filter(unit=raised.other_cell).first()
    assert outside is not None
    stranger = make_user("nguoila", Role.STAFF, raised.other_province)
    assert not selectors.inbox(stranger).filter(unit=raised.cell_a1).exists()
    from django.http import Http404

    from chibo.accounts import access

    with pytest.raises(Http404):
        access.access_alert(users[Role.STAFF], outside.pk)
    with pytest.raises(Http404):
        access.access_alert(users[Role.INSPECTOR], alert(raised).pk, write=True)
    assert access.access_alert(users[Role.SECRETARY], alert(raised).pk, write=True)


# The daily digest --------------------------------------------------------------------------


def test_daily_digest(raised: Tree, users: dict[str, User]) -> None:
    User.objects.filter(pk=users[Role.SECRETARY].pk).update(email="bithu@example.vn")
    done = services.send_digests(actor=None, base_url="https://chibo.example.vn")
    assert done.recipients == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bithu@example.vn"]
    assert "cảnh báo cần xử lý" in message.subject
    assert "Chi bộ thôn Ninh Phú" in message.body
    assert "https://chibo.example.vn/compliance/alerts/" in message.body
    assert AuditEvent.objects.filter(action="compliance.digest.send").count() == 1
    assert PASSWORD
