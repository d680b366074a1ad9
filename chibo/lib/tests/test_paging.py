"""The paginator that counts and pages in one statement agrees with Django's on every page."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.lib.paging import CountedPaginator
from chibo.units.models import Unit
from conftest import Tree


def _pages(paginator: Paginator, number: object) -> tuple[int, int, list[int], bool, bool]:
    page = paginator.get_page(number)
    return (
        paginator.count,
        page.number,
        [unit.pk for unit in page.object_list],
        page.has_next(),
        page.has_previous(),
    )


@pytest.mark.parametrize("number", [1, 2, 4, "4", 5, 99, 0, -1, "x", None, "2.0", "10" * 15, 2**70])
def test_every_page_as_djangos(tree: Tree, number: object) -> None:
    units = Unit.objects.order_by("path")  # the tree's 11 units: pages of 3, 3, 3 and 2
    assert units.count() == 11
    assert _pages(CountedPaginator(units, 3), number) == _pages(Paginator(units, 3), number)


def test_a_page_with_rows_is_one_statement(tree: Tree) -> None:
    units = Unit.objects.order_by("path")
    with CaptureQueriesContext(connection) as queries:
        page = CountedPaginator(units, 3).get_page(2)
        assert page.paginator.count == 11
        assert page.paginator.num_pages == 4
        assert len(page.object_list) == 3
    assert len(queries) == 1
    assert "OVER ()" in queries[0]["sql"]


def test_past_the_end_and_nothing_found_count_apart(tree: Tree) -> None:
    units = Unit.objects.order_by("path")
    with CaptureQueriesContext(connection) as queries:
        page = CountedPaginator(units, 3).get_page(9)
        assert len(page.object_list) == 2
    assert page.number == 4  # the last page, as Django's get_page
    assert len(queries) == 3  # the empty page, the count, the last page
    empty = CountedPaginator(units.filter(name="nobody"), 3).get_page(1)
    assert (empty.paginator.count, list(empty.object_list)) == (0, [])


def test_distinct_rows_are_counted_apart(tree: Tree) -> None:
    """A window count counts before DISTINCT: such a list is counted by its own statement."""
    kinds = Unit.objects.values_list("kind", flat=True).order_by("kind").distinct()
    page = CountedPaginator(kinds, 2).get_page(1)  # type: ignore[arg-type]
    assert page.paginator.count == len(set(Unit.objects.values_list("kind", flat=True)))


def test_grouped_lists_and_orphans_are_paged_as_djangos(tree: Tree) -> None:
    from django.db.models import Count

    grouped = Unit.objects.values("kind").annotate(n=Count("pk")).order_by("kind")
    counted = CountedPaginator(grouped, 2).get_page(1)  # type: ignore[arg-type]
    assert counted.paginator.count == Paginator(grouped, 2).count
    units = Unit.objects.order_by("path")
    for number in (1, 3, 4):
        orphans = CountedPaginator(units, 3, orphans=2).get_page(number)
        django = Paginator(units, 3, orphans=2).get_page(number)
        assert [u.pk for u in orphans.object_list] == [u.pk for u in django.object_list]
