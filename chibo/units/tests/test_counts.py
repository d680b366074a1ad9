"""Stored subtree counts (decision 0015): refreshed in SQL, kept exact after every kind of
change, read by the unit page in a fixed number of queries, counted live when not stored."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chibo.accounts.models import Role, User
from chibo.lib.dates import today
from chibo.members import services as member_services
from chibo.members.models import Extent, Member, TransferKind
from chibo.members.services import Basis
from chibo.members.transfers import services as transfer_services
from chibo.units import counts, selectors
from chibo.units import services as unit_services
from chibo.units.models import SubtreeCount, Unit, UnitKind, UnitVersion
from conftest import Tree, make_member, make_unit

Capture = Callable[..., AbstractContextManager[Any]]


def month_end() -> date:
    """The last month end, a kept day."""
    return today().replace(day=1) - timedelta(days=1)


def stored(day: date) -> dict[int, selectors.Counts]:
    return {
        r.unit_id: selectors.Counts(r.members, r.cells, r.units)
        for r in SubtreeCount.objects.filter(day=day)
    }


def live(day: date) -> dict[int, selectors.Counts]:
    """Every unit of the tree that day, counted live."""
    found: dict[int, selectors.Counts] = {}
    for top in UnitVersion.objects.filter(parent__isnull=True, valid_from__lte=day):
        if top.valid_to is None or top.valid_to >= day:
            found.update(selectors.counts_in_subtree(top, day))
    return found


def assert_exact(*days: date) -> None:
    """Every unit of the tree has a stored row on each day, and it equals a live count; the
    unit page's reading (stored) equals its live reading for every unit."""
    for day in days:
        assert stored(day) == live(day), day
        own_rows = {r.unit_id: r.own_members for r in SubtreeCount.objects.filter(day=day)}
        versions = UnitVersion.objects.filter(valid_from__lte=day).exclude(valid_to__lt=day)
        for version in versions:
            from_rows = selectors._stored_counts(version, day)
            assert from_rows is not None, (version, day)
            assert from_rows == selectors._live_counts(version, day), (version, day)
            assert own_rows[version.unit_id] == counts._own_members([version.unit_id], day).get(
                version.unit_id, 0
            )


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Capture) -> Callable[[], Any]:
    """Run the block, then what its transactions queued for their commit (as in production)."""

    @contextmanager
    def block() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return block


@pytest.fixture
def refreshed(tree: Tree) -> Tree:
    """The tree with its rows stored for today and for the last month end."""
    counts.refresh_counts(today())
    counts.refresh_counts(month_end())
    assert_exact(today(), month_end())
    return tree


def member_of(unit: Unit) -> Member:
    return Member.objects.filter(memberships__unit=unit).order_by("pk").first()  # type: ignore[return-value]


def test_refresh_stores_every_unit_as_a_live_count(tree: Tree) -> None:
    written = counts.refresh_counts(today())
    assert written == Unit.objects.count()
    assert stored(today())[tree.district.pk] == selectors.Counts(members=6, cells=3, units=6)
    assert stored(today())[tree.central.pk] == selectors.Counts(members=7, cells=4, units=11)
    assert_exact(today())


@pytest.mark.parametrize("piece_units", [1, 3, 1000])
def test_refresh_in_pieces_gives_the_same_rows(
    tree: Tree, monkeypatch: pytest.MonkeyPatch, piece_units: int
) -> None:
    monkeypatch.setattr(counts, "PIECE_UNITS", piece_units)
    done: list[tuple[int, int]] = []
    counts.refresh_counts(today(), progress=lambda n, total: done.append((n, total)))
    assert_exact(today())
    # Central's two provinces: one piece each, or both together.
    assert done == ([(1, 3), (2, 3), (3, 3)] if piece_units < 1000 else [(1, 2), (2, 2)])


def test_refresh_of_a_subtree_rewrites_it_and_the_units_above(refreshed: Tree) -> None:
    tree = refreshed
    make_member(tree.cell_a1, "Người Mới")  # its transaction's commit is never run here
    counts.forget_changes()
    assert stored(today())[tree.central.pk].members == 7
    counts.refresh_counts(today(), tree.commune_a)
    assert stored(today())[tree.central.pk].members == 8
    assert_exact(today())


def test_kept_days_are_today_and_twelve_month_ends() -> None:
    days = counts.kept_days(date(2026, 3, 15))
    assert days[:3] == [date(2026, 3, 15), date(2026, 2, 28), date(2026, 1, 31)]
    assert days[-1] == date(2025, 3, 31)
    assert len(days) == 13


@pytest.mark.parametrize("when", ["today", "backdated"])
def test_registering_members_keeps_the_rows_exact(
    refreshed: Tree, committed: Callable[[], Any], when: str
) -> None:
    on = today() if when == "today" else month_end() - relativedelta(months=1)
    with committed():
        make_member(refreshed.cell_b1, "Người Mới Một", on=on)
        make_member(refreshed.cell_a1, "Người Mới Hai", on=on)
    assert stored(today())[refreshed.district.pk].members == 8
    assert stored(month_end())[refreshed.district.pk].members == (8 if when != "today" else 6)
    assert_exact(today(), month_end())


@pytest.mark.parametrize(
    "change",
    [
        lambda m, on: member_services.record_death(m, actor=None, on=on, basis=Basis()),
        lambda m, on: member_services.remove_member(
            m, actor=None, on=on, basis=Basis(number="12-QĐ/HU")
        ),
        lambda m, on: member_services.expel_member(
            m, actor=None, on=on, basis=Basis(number="13-QĐ/UBKT")
        ),
        lambda m, on: member_services.exempt_member(
            m, actor=None, on=on, extent=Extent.FULL, basis=Basis(number="5-NQ/CB")
        ),
        lambda m, on: member_services.suspend_member(
            m, actor=None, on=on, until=on + timedelta(days=90), basis=Basis(number="7-QĐ/HU")
        ),
    ],
    ids=["death", "removal", "expulsion", "exemption", "suspension"],
)
@pytest.mark.parametrize("when", ["today", "backdated"])
def test_status_changes_keep_the_rows_exact(
    refreshed: Tree, committed: Callable[[], Any], change: Callable[..., Any], when: str
) -> None:
    on = today() if when == "today" else month_end() - timedelta(days=10)
    with committed():
        change(member_of(refreshed.cell_a1), on)
    assert_exact(today(), month_end())


def test_death_lowers_every_figure_above(refreshed: Tree, committed: Callable[[], Any]) -> None:
    with committed():
        member_services.record_death(
            member_of(refreshed.cell_a1), actor=None, on=today(), basis=Basis()
        )
    rows = stored(today())
    assert [rows[u.pk].members for u in (refreshed.cell_a1, refreshed.district)] == [2, 5]
    assert rows[refreshed.central.pk].members == 6


@pytest.mark.parametrize("kind", [TransferKind.OFFICIAL, TransferKind.TEMPORARY])
def test_transfers_keep_the_rows_exact(
    refreshed: Tree, committed: Callable[[], Any], kind: str
) -> None:
    tree = refreshed
    day = today()
    letter = day - timedelta(days=3)
    with committed():
        transfer = transfer_services.issue_transfer(
            member_of(tree.cell_a1),
            actor=None,
            kind=kind,
            to_unit=tree.other_cell,
            letter_number="21-GGT/ĐU",
            letter_date=letter,
            effective_on=letter,
            until=letter + relativedelta(months=6) if kind == TransferKind.TEMPORARY else None,
        )
        transfer_services.confirm_transfer(transfer, actor=None, on=day)
    moved = 1 if kind == TransferKind.OFFICIAL else 0
    assert stored(day)[tree.other_province.pk].members == 1 + moved
    assert_exact(today(), month_end())


def test_a_transfer_out_of_the_system_keeps_the_rows_exact(
    refreshed: Tree, committed: Callable[[], Any]
) -> None:
    with committed():
        transfer_services.issue_transfer(
            member_of(refreshed.cell_b1),
            actor=None,
            kind=TransferKind.OFFICIAL,
            destination_text="Đảng bộ Quân khu 4",
            letter_number="22-GGT/ĐU",
            letter_date=month_end() - timedelta(days=5),
            effective_on=month_end() - timedelta(days=5),
        )
    assert stored(month_end())[refreshed.commune_b.pk].members == 0
    assert_exact(today(), month_end())


@pytest.mark.parametrize("when", ["today", "backdated"])
def test_creating_moving_and_dissolving_units_keep_the_rows_exact(
    refreshed: Tree, committed: Callable[[], Any], when: str
) -> None:
    tree = refreshed
    on = today() if when == "today" else month_end() - timedelta(days=20)
    with committed():
        empty = make_unit(tree.commune_b, UnitKind.CELL, "B3", "Chi bộ sẽ giải thể")
    with committed():
        cell = make_unit(tree.commune_b, UnitKind.CELL, "B2", "Chi bộ thôn Mới", on=on)
        make_member(cell, "Người Ở Chi Bộ Mới", on=on)
    assert stored(today())[tree.commune_b.pk] == selectors.Counts(members=2, cells=3, units=4)
    assert_exact(today(), month_end())
    with committed():
        unit_services.move_unit(tree.cell_a2, actor=None, new_parent=tree.commune_b, on=on)
    assert stored(today())[tree.commune_b.pk].members == 4
    assert stored(today())[tree.commune_a.pk].members == 3
    assert_exact(today(), month_end())
    with committed():
        unit_services.dissolve_unit(empty, actor=None, on=on)
    assert empty.pk not in stored(today())
    assert_exact(today(), month_end())


def test_merging_and_splitting_keep_the_rows_exact(
    refreshed: Tree, committed: Callable[[], Any]
) -> None:
    tree = refreshed
    merged_on = month_end() - timedelta(days=30)
    with committed():
        unit_services.merge_units([tree.commune_b], actor=None, into=tree.commune_a, on=merged_on)
    rows = stored(month_end())
    assert tree.commune_b.pk not in rows
    assert rows[tree.commune_a.pk] == selectors.Counts(members=6, cells=3, units=4)
    assert_exact(today(), month_end())
    cells = {v.unit_id for v in UnitVersion.objects.filter(parent=tree.commune_a)}
    with committed():
        unit_services.split_unit(
            tree.commune_a,
            actor=None,
            parts=[
                unit_services.SplitPart("Đảng bộ xã Bắc", "NORTH", child_ids=sorted(cells)[:2]),
                unit_services.SplitPart("Đảng bộ xã Nam", "SOUTH", child_ids=sorted(cells)[2:]),
            ],
            on=month_end() + timedelta(days=1),
        )
    assert tree.commune_a.pk not in stored(today())
    assert tree.commune_a.pk in stored(month_end())
    assert_exact(today(), month_end())


def test_many_changes_at_once_refresh_their_common_unit(
    refreshed: Tree, committed: Callable[[], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counts, "MANY_CHANGED", 2)
    with committed():
        for code in ("M1", "M2", "M3"):
            make_member(make_unit(refreshed.commune_a, UnitKind.CELL, code), f"Người {code}")
    assert stored(today())[refreshed.commune_a.pk].members == 8
    assert_exact(today(), month_end())


def test_changes_far_apart_refresh_each_top_unit(
    refreshed: Tree, committed: Callable[[], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counts, "MANY_CHANGED", 1)
    with committed():
        make_member(refreshed.cell_a1, "Người Thứ Nhất")
        other_top = make_unit(None, UnitKind.PROVINCE, "P9", "Đảng bộ tỉnh Chín")
        make_member(make_unit(other_top, UnitKind.BASE, "P9B"), "Người Thứ Hai")
    assert_exact(today(), month_end())


def test_a_failed_recomputation_leaves_the_days_to_live_counts(
    refreshed: Tree, committed: Callable[[], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(day: date, unit_ids: set[int]) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(counts, "_recompute", broken)
    with committed():
        make_member(refreshed.cell_a1, "Người Mới", on=month_end())
    assert stored(today()) == stored(month_end()) == {}
    version = selectors.version_on(refreshed.district, today())
    assert version is not None
    assert selectors.counts_below(version, today())[refreshed.district.pk].members == 7


def test_changes_without_stored_rows_cost_one_query(
    tree: Tree, committed: Callable[[], Any]
) -> None:
    with CaptureQueriesContext(connection) as queries, committed():
        make_member(tree.cell_a1, "Người Mới", on=date(2016, 1, 1))
    mine = [q for q in queries if "units_subtreecount" in q["sql"]]
    assert len(mine) == 1
    assert not SubtreeCount.objects.exists()


def test_counts_below_reads_the_stored_rows_in_one_query(refreshed: Tree) -> None:
    version = selectors.version_on(refreshed.district, today())
    assert version is not None
    with CaptureQueriesContext(connection) as queries:
        found = selectors.counts_below(version, today())
    assert len(queries) == 1
    assert "members_membership" not in queries[0]["sql"]
    assert found == selectors._live_counts(version, today())
    assert set(found) == {refreshed.district.pk, refreshed.commune_a.pk, refreshed.commune_b.pk}


def test_counts_below_counts_live_what_is_missing_or_not_kept(refreshed: Tree) -> None:
    version = selectors.version_on(refreshed.district, today())
    assert version is not None
    SubtreeCount.objects.filter(unit=refreshed.commune_b).delete()  # an incomplete day
    # A kept day: the stored rows are read, found short, then counted live; another day: live.
    for day, queries_made in [(today(), 2), (today() - timedelta(days=400), 1)]:
        with CaptureQueriesContext(connection) as queries:
            found = selectors.counts_below(version, day)
        assert len(queries) == queries_made
        assert found[refreshed.district.pk] == selectors.Counts(members=6, cells=3, units=6)


def test_rows_of_a_day_no_longer_kept_are_not_read(refreshed: Tree) -> None:
    day = month_end() - timedelta(days=1)  # today's rows a month ago, say
    counts.refresh_counts(day)
    SubtreeCount.objects.filter(day=day).update(members=999)
    version = selectors.version_on(refreshed.district, day)
    assert version is not None
    assert selectors.counts_below(version, day)[refreshed.district.pk].members == 6
    assert counts.prune_counts(today()) == Unit.objects.count()
    assert set(SubtreeCount.objects.values_list("day", flat=True)) == {today(), month_end()}


def test_a_change_dated_after_today_reaches_no_stored_day(
    refreshed: Tree, committed: Callable[[], Any]
) -> None:
    with CaptureQueriesContext(connection) as queries, committed():
        make_member(refreshed.cell_a1, "Người Sẽ Đến", on=today() + timedelta(days=3))
    assert not [q for q in queries if "units_subtreecount" in q["sql"]]
    assert_exact(today(), month_end())


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("stored_rows", [True, False], ids=["stored", "live"])
def test_unit_page_query_count_does_not_grow_with_the_tree(
    tree: Tree, users: dict[str, User], committed: Callable[[], Any], stored_rows: bool
) -> None:
    client = signed_in(users[Role.ADMIN])
    url = reverse("units:detail", args=[tree.central.pk])
    if stored_rows:
        counts.refresh_counts(today())
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    with committed():
        for i in range(4):
            base = make_unit(tree.district, UnitKind.BASE, f"X{i}")
            for j in range(3):
                make_member(make_unit(base, UnitKind.CELL, f"X{i}C{j}"), f"Đảng Viên {i} {j}")
    assert count() == small
    html = client.get(url).content.decode()
    assert 'id="stat-members">19<' in html
    assert 'id="stat-cells">16<' in html
    assert SubtreeCount.objects.exists() == stored_rows
    if stored_rows:
        assert_exact(today())


def test_the_page_and_the_api_show_the_stored_figures(
    refreshed: Tree, users: dict[str, User]
) -> None:
    client = signed_in(users[Role.ADMIN])
    # Stored figures changed by hand show on the page: proof that it reads them.
    SubtreeCount.objects.filter(unit=refreshed.district).update(members=60)
    SubtreeCount.objects.filter(unit__in=[refreshed.commune_a, refreshed.commune_b]).update(
        members=30
    )
    html = client.get(reverse("units:detail", args=[refreshed.district.pk])).content.decode()
    assert 'id="stat-members">60<' in html
    children = client.get(f"/api/v1/units/{refreshed.district.pk}/children").json()
    assert [c["members"] for c in children] == [30, 30]


def test_command_refreshes_today_and_drops_days_not_kept(tree: Tree) -> None:
    old = month_end() - relativedelta(months=counts.KEPT_MONTH_ENDS + 1)
    counts.refresh_counts(old)
    out, err = StringIO(), StringIO()
    call_command("refresh_counts", stdout=out, stderr=err)
    assert set(SubtreeCount.objects.values_list("day", flat=True)) == {today()}
    assert f"{Unit.objects.count()} đơn vị" in out.getvalue()
    assert "100%" in err.getvalue()
    assert_exact(today())


def test_command_refreshes_a_month_end(tree: Tree) -> None:
    call_command("refresh_counts", "--day", month_end().isoformat(), stdout=StringIO())
    assert_exact(month_end())
    assert not SubtreeCount.objects.filter(day=today()).exists()


def test_command_dry_run_writes_nothing(tree: Tree) -> None:
    out = StringIO()
    call_command("refresh_counts", "--dry-run", stdout=out, stderr=StringIO())
    assert not SubtreeCount.objects.exists()
    assert "Sẽ tính" in out.getvalue()


@pytest.mark.parametrize("day", ["2020-01-15", "not-a-day", "tomorrow"])
def test_command_refuses_a_day_that_is_not_kept(tree: Tree, day: str) -> None:
    if day == "tomorrow":
        day = (today() + timedelta(days=1)).isoformat()
    with pytest.raises(CommandError):
        call_command("refresh_counts", "--day", day, stdout=StringIO())
