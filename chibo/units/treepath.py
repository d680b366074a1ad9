"""Materialized paths of the organisation tree.

A path is the chain of unit ids from the root, each written as a fixed-width run of digits
(`00000001` `00000014` ...). Digits compare the same way under every database collation, so
"this unit and everything below" is the range [path, next(path)): an indexed range scan on
SQLite and PostgreSQL alike, where a LIKE 'prefix%' would not use the index on SQLite.
"""

from django.db.models import Q

SEGMENT = 8
MAX_ID = 10**SEGMENT - 1


def segment(unit_id: int) -> str:
    if not 0 < unit_id <= MAX_ID:
        raise ValueError(f"unit id {unit_id} does not fit a path segment")
    return f"{unit_id:0{SEGMENT}d}"


def child_path(parent_path: str, unit_id: int) -> str:
    return parent_path + segment(unit_id)


def depth(path: str) -> int:
    return len(path) // SEGMENT


def ids(path: str) -> list[int]:
    return [int(path[i : i + SEGMENT]) for i in range(0, len(path), SEGMENT)]


def upper_bound(path: str) -> str:
    """The smallest path that sorts after every path starting with `path`."""
    return str(int(path) + 1).zfill(len(path))


def within(path: str, field: str = "path") -> Q:
    """Rows whose `field` is `path` itself or lies below it."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": upper_bound(path)})


def is_within(path: str, ancestor_path: str) -> bool:
    return path.startswith(ancestor_path)
