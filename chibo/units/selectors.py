"""Reads on the organisation tree, as of a date. Permission comes from accounts.access."""

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet

from chibo.lib.intervals import active_on
from chibo.lib.vntext import search_key
from chibo.units import counts, treepath
from chibo.units.models import SubtreeCount, Unit, UnitVersion


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
    """Members, cells and units in the subtree of `version`'s unit and of each unit directly
    under it on `on`, keyed by unit id.

    From the stored rows when `on` is a kept day and they add up (one query), otherwise counted
    live, summed by child in the database (one statement): the same answer either way, and as
    many rows as the unit has children whatever the size of the tree (decision 0015).
    """
    stored = _stored_counts(version, on)
    return stored if stored is not None else _live_counts(version, on)


def _stored_counts(version: UnitVersion, on: date) -> dict[int, Counts] | None:
    """The stored rows of the unit and its children on `on`; None unless the unit's row is
    there and its children's rows add up to it (none missing)."""
    if not counts.is_kept(on):
        return None
    unit_and_children = (
        UnitVersion.objects.filter(active_on(on))
        .filter(Q(unit_id=version.unit_id) | Q(parent_id=version.unit_id))
        .values("unit_id")
    )
    rows = SubtreeCount.objects.filter(day=on, unit_id__in=unit_and_children).values_list(
        "unit_id", "members", "cells", "units"
    )
    found = {unit_id: Counts(members, cells, units) for unit_id, members, cells, units in rows}
    own = found.get(version.unit_id)
    below = sum(c.units for unit_id, c in found.items() if unit_id != version.unit_id)
    if own is None or own.units != 1 + below:
        return None
    return found


def _live_counts(version: UnitVersion, on: date) -> dict[int, Counts]:
    """Counted live in one statement, summed by child in the database."""
    sql, params = counts.branches_sql(version.path, on)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {
            treepath.ids(branch)[-1]: Counts(int(members), int(cells), int(units))
            for branch, members, cells, units in cursor.fetchall()
        }
    # The unit's own branch is its own roll and itself; its total is every branch's.
    below = found.values()
    found[version.unit_id] = Counts(
        sum(c.members for c in below), sum(c.cells for c in below), sum(c.units for c in below)
    )
    return found


def counts_in_subtree(version: UnitVersion, on: date) -> dict[int, Counts]:
    """Members, cells and units in the subtree of every unit of `version`'s subtree on `on`,
    counted live in one statement. Its answer grows with the subtree: for checks, tests and
    tools, not for pages (they use `counts_below`)."""
    sql, params = counts.figures_sql(version.path, on)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            unit_id: Counts(int(members), int(cells), int(units))
            for unit_id, members, cells, units, _own in cursor.fetchall()
        }


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
