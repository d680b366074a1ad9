"""Reads on the organisation tree, as of a date. Permission comes from accounts.access."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from chibo.lib.intervals import active_on
from chibo.lib.vntext import search_key
from chibo.members.selectors import member_counts
from chibo.units import treepath
from chibo.units.models import Unit, UnitKind, UnitVersion


@dataclass(frozen=True)
class Counts:
    members: int = 0
    cells: int = 0
    units: int = 0


def version_on(unit: Unit, on: date) -> UnitVersion | None:
    """Where `unit` stood and what it was called on `on`; None if it did not exist then."""
    return UnitVersion.objects.filter(active_on(on), unit=unit).first()


def tree_on(on: date) -> QuerySet[UnitVersion]:
    """Every unit as it stood on `on`."""
    return UnitVersion.objects.filter(active_on(on)).select_related("unit")


def subtree_on(version: UnitVersion, on: date) -> QuerySet[UnitVersion]:
    """The unit of `version` and everything below it on `on`, in tree order (one range scan)."""
    return tree_on(on).filter(treepath.within(version.path)).order_by("path")


def children_on(version: UnitVersion, on: date) -> list[UnitVersion]:
    """The units directly under `version` on `on`, in Vietnamese alphabetical order."""
    children = tree_on(on).filter(parent_id=version.unit_id)
    return sorted(children, key=lambda child: (search_key(child.name), child.unit_id))


def ancestors_on(version: UnitVersion, on: date) -> list[UnitVersion]:
    """The units above `version` on `on`, from the top down (one query)."""
    ids = treepath.ids(version.path)[:-1]
    by_unit = {v.unit_id: v for v in tree_on(on).filter(unit_id__in=ids)}
    return [by_unit[i] for i in ids if i in by_unit]


def counts_below(version: UnitVersion, on: date) -> dict[int, Counts]:
    """Members, cells and units in the subtree of every unit below `version`, and of itself.

    Two queries whatever the size of the tree: the subtree's versions, and the members of
    each of its units; the sums by subtree are done here.
    """
    versions = list(
        UnitVersion.objects.filter(active_on(on), treepath.within(version.path)).values_list(
            "unit_id", "path", "unit__kind"
        )
    )
    members = member_counts(
        UnitVersion.objects.filter(active_on(on), treepath.within(version.path)).values("unit_id"),
        on,
    )
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for unit_id, path, kind in versions:
        n_members = members.get(unit_id, 0)
        is_cell = 1 if kind == UnitKind.CELL else 0
        for ancestor_id in treepath.ids(path[len(version.path) - treepath.SEGMENT :]):
            totals = sums[ancestor_id]
            totals[0] += n_members
            totals[1] += is_cell
            totals[2] += 1
    return {unit_id: Counts(*totals) for unit_id, totals in sums.items()}


def live_children(unit: Unit, on: date) -> QuerySet[Unit]:
    """The units directly under `unit` that are active on `on`, by code."""
    return Unit.objects.filter(active_on(on), parent=unit).order_by("code")


def former_units(unit: Unit, on: date) -> QuerySet[Unit]:
    """Units that ended before `on` and whose records this unit keeps."""
    return Unit.objects.filter(parent=unit, valid_to__lt=on).order_by("-valid_to", "name")


def search_units(units: QuerySet[Unit], text: str) -> QuerySet[Unit]:
    key = search_key(text)
    if not key:
        return units.none()
    return units.filter(search_name__contains=key) | units.filter(code__iexact=text.strip())
