"""Restructuring services: each keeps history, writes an audit event, and rejects bad input
without writing anything."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from chibo.audit.models import AuditEvent
from chibo.members.models import Membership
from chibo.units import selectors, services
from chibo.units.models import EndReason, Unit, UnitKind, UnitVersion
from conftest import Tree, make_member, make_unit

BEFORE = date(2021, 12, 31)
REFORM = date(2025, 7, 1)
AFTER = date(2025, 12, 31)


def names_under(unit: Unit, on: date) -> list[str]:
    version = selectors.version_on(unit, on)
    assert version is not None
    return [v.name for v in selectors.children_on(version, on)]


def members_below(unit: Unit, on: date) -> int:
    version = selectors.version_on(unit, on)
    assert version is not None
    return selectors.counts_below(version, on)[unit.pk].members


@contextmanager
def nothing_written() -> Iterator[None]:
    """The block must raise ValidationError and leave every table as it was."""
    tables = (Unit, UnitVersion, Membership, AuditEvent)
    before = [
        (model.objects.count(), list(model.objects.order_by("pk").values())) for model in tables
    ]
    with pytest.raises(ValidationError):
        yield
    after = [
        (model.objects.count(), list(model.objects.order_by("pk").values())) for model in tables
    ]
    assert after == before


def test_create_records_version_path_and_audit(tree: Tree) -> None:
    cell = make_unit(tree.commune_a, UnitKind.CELL, "a3", "Chi bộ thôn  Vạn Thắng")
    assert cell.code == "A3"
    assert cell.name == "Chi bộ thôn Vạn Thắng"
    assert cell.path.startswith(tree.commune_a.path)
    assert cell.search_name == "chi bo thon van thang"
    version = UnitVersion.objects.get(unit=cell)
    assert (version.parent, version.path, version.valid_to) == (tree.commune_a, cell.path, None)
    event = AuditEvent.objects.get(action="units.unit.create", object_id=str(cell.pk))
    assert event.unit == cell
    assert event.changes["parent"] == "A"


def test_rename_keeps_old_name_for_earlier_dates(tree: Tree) -> None:
    services.rename_unit(tree.cell_a1, actor=None, name="Chi bộ thôn Ninh Phú Mới", on=REFORM)
    assert selectors.version_on(tree.cell_a1, BEFORE).name == "Chi bộ thôn Ninh Phú"  # type: ignore[union-attr]
    assert selectors.version_on(tree.cell_a1, AFTER).name == "Chi bộ thôn Ninh Phú Mới"  # type: ignore[union-attr]
    assert AuditEvent.objects.filter(action="units.unit.rename").count() == 1


def test_move_changes_the_tree_from_its_date_only(tree: Tree) -> None:
    services.move_unit(tree.cell_a2, actor=None, new_parent=tree.commune_b, on=REFORM)
    assert "Chi bộ thôn Đông Thành" in names_under(tree.commune_a, BEFORE)
    assert "Chi bộ thôn Đông Thành" not in names_under(tree.commune_a, AFTER)
    assert "Chi bộ thôn Đông Thành" in names_under(tree.commune_b, AFTER)
    assert members_below(tree.commune_a, BEFORE) == 5
    assert members_below(tree.commune_a, AFTER) == 3
    assert members_below(tree.commune_b, AFTER) == 3
    # The district holds both communes throughout.
    assert members_below(tree.district, BEFORE) == members_below(tree.district, AFTER) == 6
    moved = Unit.objects.get(pk=tree.cell_a2.pk)
    assert moved.path.startswith(tree.commune_b.path)
    assert AuditEvent.objects.filter(action="units.unit.move").count() == 1


def test_move_carries_the_whole_subtree(tree: Tree) -> None:
    services.move_unit(tree.commune_a, actor=None, new_parent=tree.province, on=REFORM)
    cell = Unit.objects.get(pk=tree.cell_a1.pk)
    assert cell.path.startswith(Unit.objects.get(pk=tree.commune_a.pk).path)
    before = selectors.version_on(cell, BEFORE)
    after = selectors.version_on(cell, AFTER)
    assert before is not None and after is not None
    assert before.path.startswith(tree.district.path)
    assert not after.path.startswith(tree.district.path)
    assert members_below(tree.district, AFTER) == 1
    assert members_below(tree.province, AFTER) == 6


def test_merge_carries_members_children_and_history(tree: Tree) -> None:
    target = make_unit(tree.province, UnitKind.COMMUNE, "VL", "Đảng bộ xã Vạn Lộc", on=REFORM)
    services.merge_units(
        [tree.commune_a, tree.commune_b], actor=None, into=target, on=REFORM, basis="QĐ 1"
    )
    # As of 2021 the old tree is intact.
    assert names_under(tree.district, BEFORE) == ["Đảng bộ xã Đa Lộc", "Đảng bộ xã Hải Lộc"]
    assert members_below(tree.commune_a, BEFORE) == 5
    # After the merge the cells sit under the new commune, with their members.
    assert sorted(names_under(target, AFTER)) == sorted(
        ["Chi bộ thôn Ninh Phú", "Chi bộ thôn Đông Thành", "Chi bộ thôn Y Bích"]
    )
    assert members_below(target, AFTER) == 6
    assert names_under(tree.district, AFTER) == []
    source = Unit.objects.get(pk=tree.commune_a.pk)
    assert (source.valid_to, source.end_reason, source.successor) == (
        date(2025, 6, 30),
        EndReason.MERGED,
        target,
    )
    # The merged unit's records are kept by the target: it sits below it in the custody tree.
    assert source.path.startswith(target.path)
    assert {u.code for u in selectors.former_units(target, AFTER)} == {"A", "B"}
    events = AuditEvent.objects.filter(action="units.unit.merge")
    assert {e.object_id for e in events} == {str(tree.commune_a.pk), str(tree.commune_b.pk)}
    assert all(e.unit == target for e in events)


def test_merge_of_cells_carries_their_members(tree: Tree) -> None:
    services.merge_units([tree.cell_a2], actor=None, into=tree.cell_a1, on=REFORM)
    assert members_below(tree.cell_a1, BEFORE) == 3
    assert members_below(tree.cell_a1, AFTER) == 5
    assert members_below(tree.cell_a2, BEFORE) == 2
    assert selectors.version_on(tree.cell_a2, AFTER) is None
    merge = AuditEvent.objects.get(action="units.unit.merge")
    assert merge.changes["members_moved"] == 2


def test_split_distributes_children_and_members(tree: Tree) -> None:
    members = list(
        Membership.objects.filter(unit=tree.cell_a1)
        .order_by("pk")
        .values_list("member_id", flat=True)
    )
    first, second = services.split_unit(
        tree.cell_a1,
        actor=None,
        on=REFORM,
        parts=[
            services.SplitPart("Chi bộ thôn Ninh Phú 1", "A1X", member_ids=members[:2]),
            services.SplitPart("Chi bộ thôn Ninh Phú 2", "A1Y", member_ids=members[2:]),
        ],
    )
    assert members_below(first, AFTER) == 2
    assert members_below(second, AFTER) == 1
    assert members_below(tree.cell_a1, BEFORE) == 3
    ended = Unit.objects.get(pk=tree.cell_a1.pk)
    assert (ended.end_reason, ended.valid_to) == (EndReason.SPLIT, date(2025, 6, 30))
    assert sorted(names_under(tree.commune_a, AFTER)) == [
        "Chi bộ thôn Ninh Phú 1",
        "Chi bộ thôn Ninh Phú 2",
        "Chi bộ thôn Đông Thành",
    ]


def test_split_must_assign_every_member(tree: Tree) -> None:
    members = list(Membership.objects.filter(unit=tree.cell_a1).values_list("member_id", flat=True))
    with nothing_written():
        services.split_unit(
            tree.cell_a1,
            actor=None,
            on=REFORM,
            parts=[
                services.SplitPart("X", "X1", member_ids=members[:1]),
                services.SplitPart("Y", "Y1", member_ids=members[1:2]),
            ],
        )


def test_dissolve_ends_an_empty_unit(tree: Tree) -> None:
    empty = make_unit(tree.commune_a, UnitKind.CELL, "E1")
    services.dissolve_unit(empty, actor=None, on=REFORM, basis="NQ 5")
    empty.refresh_from_db()
    assert (empty.valid_to, empty.end_reason) == (date(2025, 6, 30), EndReason.DISSOLVED)
    assert selectors.version_on(empty, AFTER) is None
    assert selectors.version_on(empty, BEFORE) is not None
    assert AuditEvent.objects.filter(action="units.unit.dissolve").count() == 1


@pytest.mark.parametrize(
    "bad_write",
    [
        pytest.param(
            lambda t: services.move_unit(t.district, actor=None, new_parent=t.commune_a, on=REFORM),
            id="cycle",
        ),
        pytest.param(
            lambda t: services.move_unit(t.cell_a1, actor=None, new_parent=t.province, on=REFORM),
            id="cell-under-province",
        ),
        pytest.param(lambda t: make_unit(t.cell_a1, UnitKind.BASE, "X"), id="base-under-cell"),
        pytest.param(lambda t: make_unit(None, UnitKind.CELL, "X"), id="cell-as-root"),
        pytest.param(lambda t: make_unit(t.commune_a, UnitKind.CELL, "A1"), id="duplicate-code"),
        pytest.param(lambda t: make_unit(t.commune_a, UnitKind.CELL, " "), id="blank-code"),
        pytest.param(
            lambda t: make_unit(t.commune_a, UnitKind.CELL, "X", on=date(2010, 1, 1)),
            id="before-parent-founded",
        ),
        pytest.param(
            lambda t: services.dissolve_unit(t.commune_a, actor=None, on=REFORM),
            id="dissolve-with-children",
        ),
        pytest.param(
            lambda t: services.dissolve_unit(t.cell_a1, actor=None, on=REFORM),
            id="dissolve-with-members",
        ),
        pytest.param(
            lambda t: services.merge_units([t.commune_a], actor=None, into=t.commune_a, on=REFORM),
            id="merge-into-itself",
        ),
        pytest.param(
            lambda t: services.merge_units([t.district], actor=None, into=t.commune_a, on=REFORM),
            id="merge-into-own-child",
        ),
        pytest.param(
            lambda t: services.merge_units([t.commune_a], actor=None, into=t.cell_b1, on=REFORM),
            id="merge-children-of-wrong-kind",
        ),
        pytest.param(
            lambda t: services.rename_unit(t.cell_a1, actor=None, name="", on=REFORM),
            id="blank-name",
        ),
    ],
)
def test_bad_input_is_rejected_and_nothing_written(tree: Tree, bad_write) -> None:  # type: ignore[no-untyped-def]
    with nothing_written():
        bad_write(tree)


def test_merge_into_a_dissolved_unit_is_rejected(tree: Tree) -> None:
    gone = make_unit(tree.commune_a, UnitKind.CELL, "GONE")
    services.dissolve_unit(gone, actor=None, on=date(2020, 1, 1))
    with nothing_written():
        services.merge_units([tree.cell_a2], actor=None, into=gone, on=REFORM)


def test_changes_cannot_overlap_later_history(tree: Tree) -> None:
    services.rename_unit(tree.cell_a1, actor=None, name="Tên mới", on=REFORM)
    with nothing_written():
        services.rename_unit(tree.cell_a1, actor=None, name="Tên khác", on=date(2024, 1, 1))
    with nothing_written():
        services.move_unit(
            tree.commune_a, actor=None, new_parent=tree.province, on=date(2024, 1, 1)
        )


def test_a_member_who_joined_after_the_merge_date_blocks_it(tree: Tree) -> None:
    make_member(tree.cell_a2, "Người Mới", on=date(2025, 8, 1))
    with nothing_written():
        services.merge_units([tree.cell_a2], actor=None, into=tree.cell_a1, on=REFORM)


def test_error_messages_are_vietnamese_then_english(tree: Tree) -> None:
    with pytest.raises(ValidationError) as error:
        services.move_unit(tree.district, actor=None, new_parent=tree.commune_a, on=REFORM)
    message = error.value.messages[0]
    assert message.startswith("Không thể chuyển Đảng bộ huyện Một")
    assert "(This would make a cycle.)" in message
