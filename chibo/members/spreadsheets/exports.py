"""Reads for an export: the roll of a unit and everything below it as of a day, as file rows.

Four queries whatever the number of members: where the unit stood that day, the roll (the
member list's own selector), the names of the subtree's units that day, and the viewer's roles
(read once per request).
"""

from collections.abc import Iterable, Iterator
from datetime import date
from functools import partial
from typing import Any

from django.db.models import QuerySet

from chibo.accounts.models import User
from chibo.lib.intervals import active_on
from chibo.members.models import Membership
from chibo.members.privacy import SENSITIVE_FIELDS, mask, sees_sensitive
from chibo.members.selectors import roll
from chibo.members.spreadsheets import columns
from chibo.units import treepath
from chibo.units.models import Unit, UnitVersion
from chibo.units.selectors import version_on


def roll_below(unit: Unit, on: date) -> tuple[QuerySet[Membership], dict[int, str]]:
    """The roll of `unit` and the units below it on `on`, as they stood that day, in Vietnamese
    name order with each member's `status`; and the names the units had that day."""
    version = version_on(unit, on)
    if version is None:
        return Membership.objects.none(), {}
    subtree = UnitVersion.objects.filter(active_on(on), treepath.within(version.path))
    return roll(version.path, on), dict(subtree.values_list("unit_id", "name"))


def member_rows(
    unit: Unit, *, on: date, viewer: User | None
) -> tuple[list[str], list[str | None], Iterator[list[Any]]]:
    """Headers, the field of each column, and one row a member (masked where `viewer` may not
    see sensitive data; None is the operator at the command line, who sees everything).

    The rows come as the database sends them, a chunk at a time, so that exporting a
    province's 240.000 members holds only a chunk in memory; as tuples of values, not the
    three model instances a row of the roll (membership, member, unit) that nothing here
    needs."""
    memberships, names = roll_below(unit, on)
    fields = [name for name, _header, _gloss in columns.COLUMNS]
    values = memberships.values_list(
        *(f"member__{name}" for name in fields), "unit_id", "unit__path", "unit__name", "status"
    )
    rows = _rows(values.iterator(chunk_size=2000), names, fields, viewer)
    return list(columns.EXPORT_HEADERS), [*fields, None, None], rows


def _rows(
    values: Iterable[tuple[Any, ...]],
    names: dict[int, str],
    fields: list[str],
    viewer: User | None,
) -> Iterator[list[Any]]:
    """Each membership's values (the member's `fields`, then its unit's id, path and name and
    the member's status) as a row of the file."""
    statuses = columns.status_labels()
    sensitive = [i for i, name in enumerate(fields) if name in SENSITIVE_FIELDS]
    cell = [partial(columns.to_cell, name) for name in fields]
    count = len(fields)
    full_view: dict[str, bool] = {}
    for row in values:
        unit_id, path, unit_name, status = row[count:]
        if path not in full_view:
            full_view[path] = viewer is None or sees_sensitive(viewer, path)
        line = [to_cell(value) for to_cell, value in zip(cell, row[:count], strict=True)]
        if not full_view[path]:
            for i in sensitive:
                line[i] = mask(fields[i], row[i]) or None
        status = status or ""
        line += [names.get(unit_id, unit_name), statuses.get(status, status)]
        yield line


def filename(unit: Unit, on: date, file_format: str) -> str:
    """members-TH-HL-20250701.xlsx: ASCII only, so that every browser and shell keeps it."""
    code = "".join(ch for ch in unit.code if ch.isascii() and (ch.isalnum() or ch in "-_"))
    return f"members-{code or unit.pk}-{on:%Y%m%d}.{file_format}"
