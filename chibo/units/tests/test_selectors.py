"""Tree reads: as-of queries, counts, and query counts that do not grow with the data."""

import itertools
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.units import selectors, treepath
from chibo.units.models import Unit, UnitKind, UnitVersion
from conftest import Tree, make_member, make_unit

TODAY = date(2026, 1, 1)


def test_subtree_is_one_range_scan_in_tree_order(tree: Tree) -> None:
    version = selectors.version_on(tree.district, TODAY)
    assert version is not None
    with CaptureQueriesContext(connection) as queries:
        codes = [v.unit.code for v in selectors.subtree_on(version, TODAY)]
    assert codes == ["D1", "A", "A1", "A2", "B", "B1"]
    assert len(queries) == 1


def test_subtree_range_uses_the_path_index(tree: Tree) -> None:
    lo = tree.district.path
    hi = treepath.upper_bound(lo)
    table = Unit._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"EXPLAIN QUERY PLAN SELECT id FROM {table} WHERE path >= %s AND path < %s",
                [lo, hi],
            )
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
        else:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(
                f"EXPLAIN SELECT id FROM {table} WHERE path >= %s AND path < %s", [lo, hi]
            )
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
            assert "Index" in plan, plan


def test_counts_below_sum_members_and_cells(tree: Tree) -> None:
    version = selectors.version_on(tree.district, TODAY)
    assert version is not None
    counts = selectors.counts_below(version, TODAY)
    assert counts[tree.district.pk] == selectors.Counts(members=6, cells=3, units=6)
    assert counts[tree.commune_a.pk] == selectors.Counts(members=5, cells=2, units=3)
    assert set(counts) == {tree.district.pk, tree.commune_a.pk, tree.commune_b.pk}
    every = selectors.counts_in_subtree(version, TODAY)
    assert every[tree.cell_b1.pk] == selectors.Counts(members=1, cells=1, units=1)
    assert {u: every[u] for u in counts} == counts
    assert tree.other_cell.pk not in every


def test_counts_follow_dates(tree: Tree) -> None:
    make_member(tree.cell_b1, "Người Mới", on=date(2024, 3, 1))
    later_cell = make_unit(tree.commune_b, UnitKind.CELL, "B2", on=date(2024, 1, 1))
    version = selectors.version_on(tree.district, date(2021, 12, 31))
    assert version is not None
    assert selectors.counts_below(version, date(2021, 12, 31))[tree.district.pk].members == 6
    assert selectors.counts_below(version, date(2021, 12, 31))[tree.district.pk].cells == 3
    assert selectors.version_on(later_cell, date(2021, 12, 31)) is None
    version = selectors.version_on(tree.district, TODAY)
    assert version is not None
    assert selectors.counts_below(version, TODAY)[tree.district.pk] == selectors.Counts(7, 4, 7)


def test_live_counts_below_take_one_query_whatever_the_size(tree: Tree) -> None:
    def queries_for_district() -> int:
        version = selectors.version_on(tree.district, TODAY)
        assert version is not None
        with CaptureQueriesContext(connection) as queries:
            selectors.counts_below(version, TODAY)
        return len(queries)

    small = queries_for_district()
    for i in range(5):
        cell = make_unit(tree.commune_b, UnitKind.CELL, f"N{i}")
        for j in range(3):
            make_member(cell, f"Thành Viên {i} {j}")
    assert queries_for_district() == small == 1


def test_ancestors_in_one_query(tree: Tree) -> None:
    version = selectors.version_on(tree.cell_a1, TODAY)
    assert version is not None
    with CaptureQueriesContext(connection) as queries:
        names = [a.name for a in selectors.ancestors_on(version, TODAY)]
    assert names == ["Trung ương", "Đảng bộ tỉnh Một", "Đảng bộ huyện Một", "Đảng bộ xã Đa Lộc"]
    assert len(queries) == 1


def test_search_ignores_diacritics_and_matches_codes(tree: Tree) -> None:
    units = Unit.objects.all()
    assert [u.code for u in selectors.search_units(units, "ninh phu")] == ["A1"]
    assert [u.code for u in selectors.search_units(units, "DA LOC")] == ["A"]
    assert [u.code for u in selectors.search_units(units, "đa lộc")] == ["A"]
    assert [u.code for u in selectors.search_units(units, "p2c")] == ["P2C"]
    assert list(selectors.search_units(units, "   ")) == []


def test_versions_never_overlap(tree: Tree) -> None:
    from chibo.units import services

    services.rename_unit(tree.cell_a1, actor=None, name="Tên 2", on=date(2020, 1, 1))
    services.move_unit(tree.cell_a1, actor=None, new_parent=tree.commune_b, on=date(2022, 1, 1))
    versions = list(UnitVersion.objects.filter(unit=tree.cell_a1).order_by("valid_from"))
    assert len(versions) == 3
    for earlier, later in itertools.pairwise(versions):
        assert earlier.valid_to is not None
        assert (later.valid_from - earlier.valid_to).days == 1
    assert versions[-1].valid_to is None
