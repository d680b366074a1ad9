"""Rules as data: defaults with their sources, a unit's own value for its subtree (the nearest
unit above wins, dated), who may set what, and the rules page."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from chibo import rulebook
from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.lib.dates import today
from chibo.meetings import rules as meeting_rules
from chibo.members import rules as member_rules
from chibo.rulebook import registry, services
from chibo.rulebook.models import RuleSetting
from chibo.units import services as unit_services
from conftest import Tree, make_user

TARGET = "meetings.attendance_target_percent"
FIRST = date(2020, 1, 1)


def set_rule(unit, value, on=FIRST, key=TARGET):  # type: ignore[no-untyped-def]
    return services.set_rule(unit, actor=None, key=key, value=value, valid_from=on, basis="NQ 1")


def test_every_rule_has_a_source_and_a_label() -> None:
    rules = rulebook.registered()
    assert len(rules) >= 15
    for item in rules:
        assert item.source.strip(), item.key
        assert str(item.label).strip(), item.key
        assert item.key.split(".")[0] in {"members", "meetings", "committees"} or item.app


def test_without_settings_the_default_applies_and_costs_no_query(
    tree: Tree, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    registry.SETTINGS.current()
    with django_assert_num_queries(0):
        assert meeting_rules.rule_for(tree.cell_a1, "attendance_target_percent") == 85
        assert member_rules.rule("probation_months", tree.cell_a1) == 12


def test_the_nearest_unit_above_wins(tree: Tree) -> None:
    set_rule(tree.province, 80)
    set_rule(tree.commune_a, 90)
    assert rulebook.rule(TARGET, tree.cell_a1) == 90  # under commune A
    assert rulebook.rule(TARGET, tree.cell_b1) == 80  # elsewhere in the province
    assert rulebook.rule(TARGET, tree.other_cell) == 85  # another province
    assert rulebook.rule(TARGET, tree.province) == 80
    assert rulebook.rule(TARGET, None) == 85  # no unit: the regulation's default


def test_a_setting_applies_from_its_day_and_a_new_one_ends_the_old(tree: Tree) -> None:
    first = set_rule(tree.commune_a, 90, on=date(2021, 1, 1))
    set_rule(tree.commune_a, 95, on=date(2023, 1, 1))
    first.refresh_from_db()
    assert first.valid_to == date(2022, 12, 31)
    assert rulebook.rule(TARGET, tree.cell_a1, date(2020, 12, 31)) == 85
    assert rulebook.rule(TARGET, tree.cell_a1, date(2022, 6, 1)) == 90
    assert rulebook.rule(TARGET, tree.cell_a1, date(2023, 1, 1)) == 95
    with pytest.raises(ValidationError, match="from that day or later"):
        set_rule(tree.commune_a, 70, on=date(2022, 1, 1))


def test_a_moved_unit_follows_the_settings_of_where_it_stood_that_day(
    tree: Tree, users: dict[str, User]
) -> None:
    set_rule(tree.commune_a, 90)
    moved_on = today() - timedelta(days=30)
    unit_services.move_unit(
        tree.cell_a1, actor=users[Role.ADMIN], new_parent=tree.commune_b, on=moved_on, basis="QĐ"
    )
    tree.cell_a1.refresh_from_db()
    assert rulebook.rule(TARGET, tree.cell_a1, moved_on - timedelta(days=1)) == 90
    assert rulebook.rule(TARGET, tree.cell_a1) == 85


def test_ending_a_setting_returns_to_the_value_above(tree: Tree) -> None:
    set_rule(tree.province, 80)
    set_rule(tree.commune_a, 90)
    services.end_rule(tree.commune_a, actor=None, key=TARGET, on=date(2024, 1, 1), basis="NQ 2")
    assert rulebook.rule(TARGET, tree.cell_a1, date(2023, 12, 31)) == 90
    assert rulebook.rule(TARGET, tree.cell_a1, date(2024, 1, 1)) == 80
    with pytest.raises(ValidationError, match="no setting of this rule"):
        services.end_rule(tree.commune_a, actor=None, key=TARGET, on=date(2025, 1, 1), basis="x")


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "smallest value is 1"), ("101", "largest value is 100"), ("tám", "whole number")],
)
def test_values_are_checked_against_the_rule(tree: Tree, value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        set_rule(tree.commune_a, value)
    assert not RuleSetting.objects.exists()


def test_a_choice_rule_takes_only_its_choices(tree: Tree) -> None:
    with pytest.raises(ValidationError, match="not allowed"):
        set_rule(tree.commune_a, "fortnight", key="meetings.dues_unpaid_window")
    set_rule(tree.commune_a, "rolling_12_months", key="meetings.dues_unpaid_window")


def test_setting_needs_a_basis_and_is_audited(tree: Tree) -> None:
    with pytest.raises(ValidationError):
        services.set_rule(
            tree.commune_a, actor=None, key=TARGET, value=90, valid_from=FIRST, basis=" "
        )
    setting = set_rule(tree.commune_a, "90")
    assert setting.value == 90
    event = AuditEvent.objects.get(action="rulebook.setting.set")
    assert event.unit == tree.commune_a and event.changes["value"] == 90


def test_an_unknown_rule_is_a_programming_error() -> None:
    with pytest.raises(KeyError, match="declare it"):
        rulebook.rule("meetings.no_such_rule")


def test_registering_the_same_key_twice_differently_fails() -> None:
    item = registry.get(TARGET)
    registry.register(item)  # the same declaration again is harmless (module reloads)
    with pytest.raises(ValueError, match="twice"):
        registry.register(registry.Rule(TARGET, 50, "khác"))


# The page ---------------------------------------------------------------------------------


def page(client: Client, user: User, unit_id: int) -> str:
    client.force_login(user)
    response = client.get(reverse("rulebook:unit", args=[unit_id]))
    assert response.status_code == 200
    return response.content.decode()


def post(client: Client, name: str, unit_id: int, **data: str):  # type: ignore[no-untyped-def]
    return client.post(reverse(f"rulebook:{name}", args=[unit_id]), data, follow=True)


def test_the_page_shows_each_value_where_it_comes_from_and_its_source(
    client: Client, tree: Tree, users: dict[str, User], django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    set_rule(tree.commune_a, 90)
    client.force_login(users[Role.SECRETARY])
    with django_assert_max_num_queries(15):
        html = page(client, users[Role.SECRETARY], tree.cell_a1.pk)
    assert "Chỉ tiêu tỷ lệ đảng viên dự sinh hoạt" in html
    changed = html.split("Khác mặc định")[1].split("Tất cả quy định")[0]
    assert tree.commune_a.name in changed and "90" in changed
    assert "42-HD/BTCTW" in html  # the source of the minimum length
    assert "chưa xác nhận" in html  # the unconfirmed reading of "in a year"


def test_staff_set_a_local_rule_for_their_subtree(
    client: Client, tree: Tree, users: dict[str, User]
) -> None:
    staff = users[Role.STAFF]
    client.force_login(staff)
    response = post(
        client,
        "set",
        tree.commune_a.pk,
        key=TARGET,
        value="90",
        valid_from=today().isoformat(),
        basis="Nghị quyết 05-NQ/ĐU",
    )
    assert "Đã đặt quy định" in response.content.decode()
    assert rulebook.rule(TARGET, tree.cell_a1) == 90


def test_a_regulation_is_set_by_the_administrator_only(
    client: Client, tree: Tree, users: dict[str, User]
) -> None:
    client.force_login(users[Role.STAFF])
    data = {"key": "members.probation_months", "value": "6", "basis": "x"}
    response = post(client, "set", tree.commune_a.pk, valid_from=today().isoformat(), **data)
    assert "do Trung ương quy định" in response.content.decode()
    assert not RuleSetting.objects.exists()
    client.force_login(users[Role.ADMIN])
    post(client, "set", tree.province.pk, valid_from=today().isoformat(), **data)
    assert member_rules.rule("probation_months", tree.cell_a1) == 6


def test_online_meetings_are_approved_from_above_never_by_the_cell_itself(
    client: Client, tree: Tree, users: dict[str, User]
) -> None:
    data = {"key": "meetings.online_approved", "value": "true", "basis": "QĐ 12"}
    client.force_login(users[Role.SECRETARY])  # secretary of cell A1
    post(client, "set", tree.cell_a1.pk, valid_from=today().isoformat(), **data)
    assert not RuleSetting.objects.exists()
    staff = make_user("staff_commune", Role.STAFF, tree.commune_a)
    client.force_login(staff)
    post(client, "set", tree.cell_a1.pk, valid_from=today().isoformat(), **data)
    assert meeting_rules.rule_for(tree.cell_a1, "online_approved") is True


def test_a_bad_value_is_reported_on_the_page(
    client: Client, tree: Tree, users: dict[str, User]
) -> None:
    client.force_login(users[Role.STAFF])
    response = post(
        client,
        "set",
        tree.commune_a.pk,
        key=TARGET,
        value="150",
        valid_from="2026-01-01",
        basis="x",
    )
    assert "largest value is 100" in response.content.decode()
