"""Transfers of party activity (RULES.md §2.4): services, deadlines, pages and access."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.lib.dates import today
from chibo.lib.workdays import workdays_between
from chibo.members.models import (
    Member,
    Membership,
    MembershipKind,
    MemberStatus,
    Status,
    Transfer,
    TransferKind,
    TransferState,
)
from chibo.members.selectors import member_counts
from chibo.members.services import Basis, home_unit, record_death, status_on
from chibo.members.transfers import services
from chibo.members.transfers.selectors import pending_transfers
from chibo.units import services as unit_services
from chibo.units.models import Unit, UnitKind
from conftest import Tree, make_member, make_unit, make_user

LETTER = date(2026, 3, 2)  # a Monday


def issue(member: Member, **kwargs: Any) -> Transfer:
    args: dict[str, Any] = {
        "actor": None,
        "kind": TransferKind.OFFICIAL,
        "letter_number": "15-GGT/ĐU",
        "letter_date": LETTER,
        "effective_on": LETTER,
        **kwargs,
    }
    return services.issue_transfer(member, **args)


def counts(on: date, *units: Unit) -> list[int]:
    found = member_counts(Unit.objects.filter(pk__in=[u.pk for u in units]).values("pk"), on)
    return [found.get(u.pk, 0) for u in units]


def snapshot() -> tuple[int, ...]:
    return (
        Membership.objects.count(),
        MemberStatus.objects.count(),
        Transfer.objects.count(),
        AuditEvent.objects.count(),
        Transfer.objects.filter(state=TransferState.ISSUED).count(),
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def mover(tree: Tree) -> Member:
    return make_member(tree.cell_a1, "Trịnh Văn Chuyển")


# Official transfer within the system ---------------------------------------------------------


def test_official_transfer_moves_the_member_on_the_day_it_is_confirmed(
    tree: Tree, mover: Member
) -> None:
    a1, b1 = tree.cell_a1, tree.cell_b1
    transfer = issue(mover, to_unit=b1)
    assert transfer.state == TransferState.ISSUED
    assert transfer.from_unit == a1
    # Issuing moves nobody: the member stays on the sending unit's roll until received.
    assert counts(date(2026, 3, 20), a1, b1) == [4, 1]

    services.confirm_transfer(transfer, actor=None, on=date(2026, 3, 10))

    transfer.refresh_from_db()
    assert (transfer.state, transfer.confirmed_on) == (TransferState.CONFIRMED, date(2026, 3, 10))
    assert counts(date(2026, 3, 9), a1, b1) == [4, 1]
    assert counts(date(2026, 3, 10), a1, b1) == [3, 2]
    assert home_unit(mover, date(2026, 3, 9)) == a1
    assert home_unit(mover, date(2026, 3, 10)) == b1
    assert status_on(mover, date(2026, 3, 10)).status == Status.OFFICIAL  # type: ignore[union-attr]
    events = AuditEvent.objects.filter(object_type="members.transfer", object_id=str(transfer.pk))
    assert {(e.action, e.unit_id) for e in events} == {
        ("members.transfer.issue", a1.pk),
        ("members.transfer.confirm", b1.pk),
    }


# Temporary transfer ------------------------------------------------------------------------


def test_temporary_transfer_attaches_the_member_who_counts_at_home(
    tree: Tree, mover: Member
) -> None:
    a1, b1 = tree.cell_a1, tree.cell_b1
    transfer = issue(
        mover, kind=TransferKind.TEMPORARY, to_unit=b1, until=date(2026, 8, 31), reason="Học tập"
    )
    services.confirm_transfer(transfer, actor=None, on=date(2026, 3, 5))

    assert counts(date(2026, 4, 1), a1, b1) == [4, 1]  # counted at home, not in the host
    assert home_unit(mover, date(2026, 4, 1)) == a1
    attached = Membership.objects.get(member=mover, kind=MembershipKind.TEMPORARY)
    assert (attached.unit, attached.valid_from, attached.valid_to) == (
        b1,
        date(2026, 3, 5),
        date(2026, 8, 31),
    )
    assert status_on(mover, date(2026, 3, 4)).status == Status.OFFICIAL  # type: ignore[union-attr]
    assert status_on(mover, date(2026, 4, 1)).status == Status.ATTACHED  # type: ignore[union-attr]
    assert status_on(mover, date(2026, 9, 1)).status == Status.OFFICIAL  # type: ignore[union-attr]
    assert counts(date(2026, 9, 1), a1, b1) == [4, 1]
    confirm = AuditEvent.objects.get(object_type="members.transfer", action__endswith="confirm")
    assert confirm.unit == b1


# Out of the system -------------------------------------------------------------------------


def test_transfer_out_of_the_system_completes_at_once_and_keeps_the_history(
    tree: Tree, mover: Member
) -> None:
    a1 = tree.cell_a1
    transfer = issue(mover, destination_text="Đảng bộ Công an tỉnh Nghệ An")

    assert (transfer.state, transfer.confirmed_on) == (TransferState.CONFIRMED, LETTER)
    assert transfer.to_unit is None
    assert status_on(mover, LETTER).status == Status.TRANSFERRED_OUT  # type: ignore[union-attr]
    # The history stays: the official link and the membership end the day before.
    chain = list(mover.statuses.order_by("valid_from").values_list("status", "valid_to"))
    assert chain == [
        (Status.OFFICIAL, LETTER - timedelta(days=1)),
        (Status.TRANSFERRED_OUT, None),
    ]
    membership = Membership.objects.get(member=mover)
    assert (membership.unit, membership.valid_to) == (a1, LETTER - timedelta(days=1))
    assert counts(LETTER - timedelta(days=1), a1) == [4]
    assert counts(LETTER, a1) == [3]
    # One event for the transfer, one for the status change, both under the act of issuing.
    events = AuditEvent.objects.filter(action="members.transfer.issue")
    assert sorted((e.object_type, e.unit_id) for e in events) == [
        ("members.member", a1.pk),
        ("members.transfer", a1.pk),
    ]
    assert not Transfer.objects.filter(state=TransferState.ISSUED).exists()


# Cancel ------------------------------------------------------------------------------------


def test_cancel_by_the_sending_unit_frees_the_member_for_a_new_letter(
    tree: Tree, mover: Member
) -> None:
    transfer = issue(mover, to_unit=tree.cell_b1)
    services.cancel_transfer(transfer, actor=None, reason="  Đảng viên  đổi ý ")
    transfer.refresh_from_db()
    assert transfer.state == TransferState.CANCELLED
    event = AuditEvent.objects.get(action="members.transfer.cancel")
    assert event.unit == tree.cell_a1
    assert event.changes["reason"] == "Đảng viên đổi ý"
    assert counts(date(2026, 4, 1), tree.cell_a1) == [4]
    issue(mover, to_unit=tree.cell_a2, letter_number="16-GGT/ĐU")


# Refusals write nothing --------------------------------------------------------------------


def _dissolved(tree: Tree) -> Unit:
    unit = make_unit(tree.commune_b, UnitKind.CELL, "B9", "Chi bộ đã giải thể")
    return unit_services.dissolve_unit(unit, actor=None, on=date(2026, 1, 1))


BAD_ISSUES: dict[str, Callable[[Tree], dict[str, Any]]] = {
    "letter in the future": lambda t: {
        "to_unit": t.cell_b1,
        "letter_date": today() + timedelta(days=1),
    },
    "no letter number": lambda t: {"to_unit": t.cell_b1, "letter_number": "  "},
    "unknown kind": lambda t: {"to_unit": t.cell_b1, "kind": "forever"},
    "to the same unit": lambda t: {"to_unit": t.cell_a1},
    "to a dissolved unit": lambda t: {"to_unit": _dissolved(t)},
    "no destination": lambda t: {},
    "unit and destination": lambda t: {"to_unit": t.cell_b1, "destination_text": "Nơi khác"},
    "official with an end": lambda t: {"to_unit": t.cell_b1, "until": date(2026, 12, 31)},
    "not on a roll then": lambda t: {"to_unit": t.cell_b1, "effective_on": date(2014, 6, 1)},
    "temporary without end": lambda t: {"kind": TransferKind.TEMPORARY, "to_unit": t.cell_b1},
    "temporary out of the system": lambda t: {
        "kind": TransferKind.TEMPORARY,
        "destination_text": "Trường Đại học X",
        "until": date(2026, 12, 31),
    },
    "temporary under 3 months": lambda t: {
        "kind": TransferKind.TEMPORARY,
        "to_unit": t.cell_b1,
        "until": date(2026, 5, 31),
    },
    "temporary over 2 years": lambda t: {
        "kind": TransferKind.TEMPORARY,
        "to_unit": t.cell_b1,
        "until": date(2028, 3, 2),
    },
}


@pytest.mark.parametrize("case", BAD_ISSUES)
def test_refused_issue_writes_nothing(tree: Tree, mover: Member, case: str) -> None:
    kwargs = BAD_ISSUES[case](tree)
    before = snapshot()
    with pytest.raises(ValidationError):
        issue(mover, **kwargs)
    assert snapshot() == before


def test_temporary_period_bounds_are_inclusive(tree: Tree) -> None:
    shortest = make_member(tree.cell_a1, "Ngắn Hạn")
    longest = make_member(tree.cell_a1, "Dài Hạn")
    # 2/3/2026 to 1/6/2026 is three months; 2/3/2026 to 1/3/2028 is two years.
    t1 = issue(shortest, kind=TransferKind.TEMPORARY, to_unit=tree.cell_b1, until=date(2026, 6, 1))
    t2 = issue(longest, kind=TransferKind.TEMPORARY, to_unit=tree.cell_b1, until=date(2028, 3, 1))
    assert t1.pk and t2.pk


def test_a_second_pending_transfer_is_refused_and_writes_nothing(tree: Tree, mover: Member) -> None:
    issue(mover, to_unit=tree.cell_b1)
    before = snapshot()
    with pytest.raises(ValidationError, match="đang có một giấy giới thiệu"):
        issue(mover, to_unit=tree.cell_a2, letter_number="16-GGT/ĐU")
    assert snapshot() == before


def test_a_member_who_has_left_cannot_be_transferred(tree: Tree, mover: Member) -> None:
    issue(mover, destination_text="Nơi khác")
    before = snapshot()
    with pytest.raises(ValidationError):
        issue(mover, to_unit=tree.cell_b1, effective_on=date(2026, 4, 1))
    assert snapshot() == before


def _confirmed(t: Transfer) -> Transfer:
    return services.confirm_transfer(t, actor=None, on=date(2026, 3, 10))


def _cancelled(t: Transfer) -> Transfer:
    return services.cancel_transfer(t, actor=None, reason="Hủy")


# The day is read when the test runs, not when the module is collected: a run that passes
# midnight in Vietnam would otherwise confirm on a "future" day that has come.
BAD_CONFIRMS: dict[str, tuple[Callable[[Transfer], Transfer] | None, Callable[[], date]]] = {
    "already confirmed": (_confirmed, lambda: date(2026, 3, 11)),
    "cancelled": (_cancelled, lambda: date(2026, 3, 11)),
    "before the letter date": (None, lambda: LETTER - timedelta(days=1)),
    "in the future": (None, lambda: today() + timedelta(days=1)),
}


@pytest.mark.parametrize("case", BAD_CONFIRMS)
def test_refused_confirm_writes_nothing(tree: Tree, mover: Member, case: str) -> None:
    before_step, day = BAD_CONFIRMS[case]
    transfer = issue(mover, to_unit=tree.cell_b1)
    if before_step:
        before_step(transfer)
    before = snapshot()
    with pytest.raises(ValidationError):
        services.confirm_transfer(transfer, actor=None, on=day())
    assert snapshot() == before


def test_temporary_confirm_after_the_period_is_refused(tree: Tree, mover: Member) -> None:
    transfer = issue(
        mover, kind=TransferKind.TEMPORARY, to_unit=tree.cell_b1, until=date(2026, 6, 30)
    )
    before = snapshot()
    with pytest.raises(ValidationError):
        services.confirm_transfer(transfer, actor=None, on=date(2026, 7, 1))
    assert snapshot() == before


def test_confirm_of_a_member_who_left_meanwhile_is_refused(tree: Tree, mover: Member) -> None:
    transfer = issue(mover, to_unit=tree.cell_b1)
    record_death(mover, actor=None, on=date(2026, 3, 5), basis=Basis())
    before = snapshot()
    with pytest.raises(ValidationError):
        services.confirm_transfer(transfer, actor=None, on=date(2026, 3, 10))
    assert snapshot() == before


@pytest.mark.parametrize(
    ("step", "reason"), [(_confirmed, "Hủy"), (_cancelled, "Hủy lần hai"), (None, "   ")]
)
def test_refused_cancel_writes_nothing(
    tree: Tree, mover: Member, step: Callable[[Transfer], Transfer] | None, reason: str
) -> None:
    transfer = issue(mover, to_unit=tree.cell_b1)
    if step:
        step(transfer)
    before = snapshot()
    with pytest.raises(ValidationError):
        services.cancel_transfer(transfer, actor=None, reason=reason)
    assert snapshot() == before


# The 30-working-day deadline -------------------------------------------------------------


def test_overdue_after_30_working_days_across_national_day(tree: Tree, mover: Member) -> None:
    # Friday 21/8/2026; Saturday 22/8 is worked in exchange for Monday 31/8, and 1–2/9 are off.
    transfer = issue(mover, to_unit=tree.cell_b1, letter_date=date(2026, 8, 21))
    # Six weeks of weekdays would end on Friday 2/10; the swap gives one back, 31/8–2/9 take
    # three, so the 30th working day is Tuesday 6/10/2026.
    assert services.deadline(transfer) == date(2026, 10, 6)
    assert workdays_between(date(2026, 8, 21), date(2026, 10, 6)) == 30
    assert not services.is_overdue(transfer, date(2026, 10, 6))
    assert services.is_overdue(transfer, date(2026, 10, 7))
    services.confirm_transfer(transfer, actor=None, on=date(2026, 10, 8))
    transfer.refresh_from_db()
    assert not services.is_overdue(transfer, date(2026, 10, 8))  # received: no longer pending


def test_pending_lists_flag_overdue_letters_in_memory(
    tree: Tree, users: dict[str, User], mover: Member
) -> None:
    late = issue(mover, to_unit=tree.cell_b1, letter_date=date(2026, 8, 21))
    fresh = issue(
        make_member(tree.cell_a2, "Mới Chuyển"), to_unit=tree.cell_a1, letter_date=date(2026, 10, 1)
    )
    on = date(2026, 10, 7)
    outgoing, incoming = pending_transfers(users[Role.STAFF], tree.commune_a, on)
    # From A1 out of the commune, and from A2 into A1: inside the commune both ways.
    assert [p.transfer for p in outgoing] == [late, fresh]
    assert [p.transfer for p in incoming] == [fresh]
    assert (outgoing[0].overdue, outgoing[0].elapsed, outgoing[0].limit) == (True, 31, 30)
    assert not outgoing[1].overdue


# Pages ---------------------------------------------------------------------------------------


def test_issue_through_the_page(tree: Tree, users: dict[str, User], mover: Member) -> None:
    client = signed_in(users[Role.SECRETARY])
    url = reverse("members:transfer_issue", args=[mover.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Chi bộ thôn Ninh Phú" in page.content.decode()
    response = client.post(
        url,
        {
            "kind": "official",
            "to_unit_code": "b1",
            "letter_number": "20-GGT/ĐU",
            "letter_date": "02/03/2026",
            "effective_on": "02/03/2026",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:transfers_pending", args=[tree.cell_a1.pk])
    transfer = Transfer.objects.get(member=mover)
    assert (transfer.to_unit, transfer.letter_date) == (tree.cell_b1, LETTER)


def test_issue_page_shows_the_service_refusal(
    tree: Tree, users: dict[str, User], mover: Member
) -> None:
    before = snapshot()
    response = signed_in(users[Role.SECRETARY]).post(
        reverse("members:transfer_issue", args=[mover.pk]),
        {
            "kind": "temporary",
            "to_unit_code": "B1",
            "letter_number": "20-GGT/ĐU",
            "letter_date": "02/03/2026",
            "effective_on": "02/03/2026",
            "until": "01/04/2026",
        },
    )
    assert response.status_code == 200
    assert "từ 3 tháng đến 24 tháng" in response.content.decode()
    assert snapshot() == before


def test_pending_page_highlights_overdue_letters_and_offers_the_allowed_buttons(
    tree: Tree, users: dict[str, User], mover: Member
) -> None:
    letter = date(2026, 8, 21)
    late = issue(mover, to_unit=tree.cell_b1, letter_date=letter)
    fresh = issue(make_member(tree.cell_b1, "Mới Chuyển"), to_unit=tree.cell_a1)
    confirm_url = reverse("members:transfer_confirm", args=[fresh.pk])
    cancel_url = reverse("members:transfer_cancel", args=[late.pk])
    page = signed_in(users[Role.SECRETARY]).get(
        reverse("members:transfers_pending", args=[tree.cell_a1.pk])
    )
    html = page.content.decode()
    elapsed = workdays_between(letter, today())
    assert f"Quá hạn: đã {elapsed} ngày làm việc" in html
    assert confirm_url in html and cancel_url in html
    # An inspector reads the same page without any button.
    html = (
        signed_in(users[Role.INSPECTOR])
        .get(reverse("members:transfers_pending", args=[tree.cell_a1.pk]))
        .content.decode()
    )
    assert "Quá hạn" in html
    assert confirm_url not in html and cancel_url not in html


def test_confirm_and_cancel_through_the_page(tree: Tree, users: dict[str, User]) -> None:
    incoming = issue(make_member(tree.cell_b1, "Đến A Một"), to_unit=tree.cell_a1)
    outgoing = issue(make_member(tree.cell_a1, "Đi B Một"), to_unit=tree.cell_b1)
    client = signed_in(users[Role.SECRETARY])
    back = reverse("members:transfers_pending", args=[tree.cell_a1.pk])
    response = client.post(
        reverse("members:transfer_confirm", args=[incoming.pk]),
        {"on": "10/03/2026", "back": tree.cell_a1.pk},
    )
    assert response["Location"] == back
    response = client.post(
        reverse("members:transfer_cancel", args=[outgoing.pk]), {"reason": "Sai"}
    )
    assert response["Location"] == back
    states = dict(Transfer.objects.values_list("pk", "state"))
    assert states == {incoming.pk: TransferState.CONFIRMED, outgoing.pk: TransferState.CANCELLED}
    # A refusal comes back as a message, and writes nothing.
    before = snapshot()
    page = client.post(
        reverse("members:transfer_confirm", args=[incoming.pk]), {"on": "11/03/2026"}, follow=True
    )
    assert "đã được tiếp nhận ngày 10/03/2026" in page.content.decode()
    assert snapshot() == before


def test_pending_page_query_count_does_not_grow(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.STAFF])
    url = reverse("members:transfers_pending", args=[tree.district.pk])

    def add(n: int) -> None:
        for i in range(n):
            member = make_member(tree.cell_a1, f"Đảng Viên {Transfer.objects.count()} {i}")
            issue(member, to_unit=tree.cell_b1 if i % 2 else tree.other_cell)
            other = make_member(tree.other_cell, f"Người Đến {Transfer.objects.count()} {i}")
            issue(other, to_unit=tree.cell_a2, letter_date=date(2026, 8, 21))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(1)
    client.get(url)  # the first request also loads the session
    small = count()
    add(5)
    assert count() == small


# Access --------------------------------------------------------------------------------------


def test_issue_page_is_404_outside_the_write_scope(
    tree: Tree, users: dict[str, User], mover: Member
) -> None:
    sibling = make_member(tree.cell_a2, "Ở Chi Bộ Bên")
    secretary = signed_in(users[Role.SECRETARY])
    assert secretary.get(reverse("members:transfer_issue", args=[mover.pk])).status_code == 200
    assert secretary.get(reverse("members:transfer_issue", args=[sibling.pk])).status_code == 404
    assert secretary.get(reverse("members:transfer_issue", args=[987_654])).status_code == 404
    for role in (Role.INSPECTOR, Role.MEMBER):
        response = signed_in(users[role]).get(reverse("members:transfer_issue", args=[mover.pk]))
        assert response.status_code == 404
    gone = make_member(tree.cell_a1, "Đã Chuyển Đi")
    issue(gone, destination_text="Nơi khác")
    assert secretary.get(reverse("members:transfer_issue", args=[gone.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.MEMBER])
def test_read_only_roles_cannot_confirm_or_cancel(
    tree: Tree, users: dict[str, User], role: str
) -> None:
    incoming = issue(make_member(tree.cell_b1, "Đến A Một"), to_unit=tree.cell_a1)
    outgoing = issue(make_member(tree.cell_a1, "Đi B Một"), to_unit=tree.cell_b1)
    client = signed_in(users[role])
    before = snapshot()
    assert (
        client.post(
            reverse("members:transfer_confirm", args=[incoming.pk]), {"on": "10/03/2026"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("members:transfer_cancel", args=[outgoing.pk]), {"reason": "Sai"}
        ).status_code
        == 404
    )
    assert snapshot() == before


def test_each_side_acts_only_on_its_own_end(tree: Tree, users: dict[str, User]) -> None:
    """The sending secretary cannot confirm; the receiving one cannot cancel."""
    transfer = issue(make_member(tree.cell_a1, "Đi B Một"), to_unit=tree.cell_b1)
    secretary_b1 = signed_in(make_user("secretary_b1", Role.SECRETARY, tree.cell_b1))
    secretary_a1 = signed_in(users[Role.SECRETARY])
    before = snapshot()
    confirm = reverse("members:transfer_confirm", args=[transfer.pk])
    cancel = reverse("members:transfer_cancel", args=[transfer.pk])
    assert secretary_a1.post(confirm, {"on": "10/03/2026"}).status_code == 404
    assert secretary_b1.post(cancel, {"reason": "Sai"}).status_code == 404
    assert snapshot() == before
    assert secretary_b1.post(confirm, {"on": "10/03/2026"}).status_code == 302
    transfer.refresh_from_db()
    assert transfer.state == TransferState.CONFIRMED


def test_pending_page_is_404_outside_the_read_scope(tree: Tree, users: dict[str, User]) -> None:
    def status(role: str, unit: Unit) -> int:
        url = reverse("members:transfers_pending", args=[unit.pk])
        return signed_in(users[role]).get(url).status_code

    assert status(Role.STAFF, tree.district) == 200
    assert status(Role.INSPECTOR, tree.cell_a1) == 200
    assert status(Role.STAFF, tree.other_cell) == 404
    assert status(Role.SECRETARY, tree.cell_a2) == 404
    # A list of members: the member role does not see it, as it does not see the roll.
    assert status(Role.MEMBER, tree.cell_a1) == 404
