"""Stored subtree counts (decision 0015, change 1): the members on the roll, cells and units of
each unit's whole subtree on a day, so that the page of the top of the tree reads a few dozen
stored rows instead of counting millions of memberships.

Which days are kept (`kept_days`): today, and the last day of each of the previous
`KEPT_MONTH_ENDS` months, the days monthly and yearly figures are asked for (and a backdated
change rewrites at most those 13 days; older days are counted live). The nightly
`refresh_counts` computes today's rows in SQL and drops the rows of days no longer kept; a
month end's rows are the rows of that day, kept. Between two nightly runs the rows stay exact:
the services that change the roll or the tree call `units_changed`, and once their transaction
commits the rows of the changed units and of every unit above them are recomputed for each kept
day the change reaches, from the units' own roll and their children's stored rows (a few small
queries a day, never a subtree scan).

The rows are never trusted blindly: the selectors count live (in SQL) any day that is not
kept, any day whose rows are missing (the nightly run did not happen or failed), and any unit
whose children's rows do not add up to its own; a row that cannot be recomputed exactly is
deleted rather than left wrong. What a page shows therefore always equals a live count; only
its speed depends on the stored rows.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import Substr
from django.utils import timezone

from chibo.lib.dates import today
from chibo.lib.intervals import active_on, active_on_sql
from chibo.lib.oncommit import Batch
from chibo.members.models import Membership
from chibo.members.selectors import on_roll, on_roll_sql
from chibo.units import treepath
from chibo.units.models import SubtreeCount, Unit, UnitKind, UnitVersion

log = logging.getLogger(__name__)

KEPT_MONTH_ENDS = 12
# Past this many changed units in one transaction (a restructuring, a large import), their
# lowest common unit is refreshed in SQL instead of unit by unit.
MANY_CHANGED = 200
# Units counted by one statement, in one transaction, of a refresh: a national refresh is a
# dozen statements, a province's one.
PIECE_UNITS = 25_000
# One writer of the stored counts at a time on PostgreSQL (SQLite's write lock does it there),
# so that a recomputation never reads a sibling's row that another one is rewriting.
LOCK_KEY = 150_001


def kept_days(on: date) -> list[date]:
    """The days whose rows are kept when today is `on`: `on` itself and the last day of each
    of the `KEPT_MONTH_ENDS` months before it, newest first."""
    first = on.replace(day=1)
    month_ends = [
        first - relativedelta(months=n) - timedelta(days=1) for n in range(KEPT_MONTH_ENDS)
    ]
    return [on, *month_ends]


def is_kept(day: date) -> bool:
    return day in kept_days(today())


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _deepest() -> int:
    """The depth of the deepest unit ever placed in the tree, on any day (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(LENGTH(path)) FROM {UnitVersion._meta.db_table}")  # noqa: S608
        (length,) = cursor.fetchone()
    return max(1, (length or 0) // treepath.SEGMENT)


def _in_tree(low: str, high: str, day: date) -> tuple[str, list[Any]]:
    """The versions `uv` of the units whose path lies in [low, high) on `day`."""
    on = connection.ops.adapt_datefield_value(day)
    return f"uv.path >= %s AND uv.path < %s AND {active_on_sql('uv')}", [low, high, on, on]


def figures_sql(path: str, day: date) -> tuple[str, list[Any]]:
    """One statement giving, for every unit of the subtree at `path` as it stood on `day`,
    the members, cells and units of its subtree and its own members."""
    return _figures_sql(path, treepath.upper_bound(path), day)


def _figures_sql(low: str, high: str, day: date) -> tuple[str, list[Any]]:
    """`figures_sql` for the units whose path lies in [low, high): subtrees whose tops are
    siblings at the depth of `low`.

    The tree of that day is read once with each unit's own roll counted beside it, then every
    unit's figures are added to each unit on its path: the path is cut at every depth
    (`levels`) and the pieces grouped, so the sums are done by the database and nothing grows
    in Python.
    """
    in_tree, tree_params = _in_tree(low, high, day)
    roll, roll_params = on_roll_sql(day)
    top = treepath.depth(low)
    levels = ", ".join(f"({k})" for k in range(top, _deepest() + 1))
    width = treepath.SEGMENT
    ancestor = f"CAST(SUBSTR(fig.path, levels.k * {width} - {width - 1}, {width}) AS INTEGER)"
    # Only placeholders, numbers and these fragments are formatted in, never input.
    sql = f"""
        WITH sub AS (
            SELECT uv.unit_id, uv.path, CASE WHEN u.kind = %s THEN 1 ELSE 0 END AS cell
            FROM units_unitversion uv JOIN units_unit u ON u.id = uv.unit_id
            WHERE {in_tree}
        ),
        own AS (
            SELECT ms.unit_id, COUNT(*) AS n
            FROM members_membership ms
            JOIN members_memberstatus st ON st.member_id = ms.member_id
            WHERE ms.unit_id IN (SELECT unit_id FROM sub) AND {roll}
            GROUP BY ms.unit_id
        ),
        fig AS (
            SELECT sub.unit_id, sub.path, sub.cell, COALESCE(own.n, 0) AS own_members
            FROM sub LEFT JOIN own ON own.unit_id = sub.unit_id
        ),
        levels (k) AS (VALUES {levels}),
        sums AS (
            SELECT {ancestor} AS unit_id,
                   SUM(fig.own_members) AS members, SUM(fig.cell) AS cells, COUNT(*) AS units
            FROM fig JOIN levels ON LENGTH(fig.path) >= levels.k * {width}
            GROUP BY {ancestor}
        )
        SELECT sums.unit_id, sums.members, sums.cells, sums.units, fig.own_members
        FROM sums JOIN fig ON fig.unit_id = sums.unit_id
    """  # noqa: S608
    return sql, [UnitKind.CELL.value, *tree_params, *roll_params]


def branches_sql(path: str, day: date) -> tuple[str, list[Any]]:
    """One statement giving, for the unit at `path` and each unit directly under it on `day`,
    the members, cells and units of its subtree, the unit's own under its own path: the
    subtree's memberships and units grouped by the first segment of their path below `path`.
    The planner sees the path range on the versions, so it counts a small subtree through the
    membership index and a large one with a scan."""
    in_tree, tree_params = _in_tree(path, treepath.upper_bound(path), day)
    roll, roll_params = on_roll_sql(day)
    branch = f"SUBSTR(uv.path, 1, {len(path) + treepath.SEGMENT})"
    sql = f"""
        SELECT branch, SUM(members), SUM(cells), SUM(units) FROM (
            SELECT {branch} AS branch, COUNT(*) AS members, 0 AS cells, 0 AS units
            FROM units_unitversion uv
            JOIN members_membership ms ON ms.unit_id = uv.unit_id
            JOIN members_memberstatus st ON st.member_id = ms.member_id
            WHERE {in_tree} AND {roll}
            GROUP BY {branch}
            UNION ALL
            SELECT {branch}, 0, SUM(CASE WHEN u.kind = %s THEN 1 ELSE 0 END), COUNT(*)
            FROM units_unitversion uv JOIN units_unit u ON u.id = uv.unit_id
            WHERE {in_tree}
            GROUP BY {branch}
        ) parts
        GROUP BY branch
    """  # noqa: S608
    return sql, [*tree_params, *roll_params, UnitKind.CELL.value, *tree_params]


def _insert(low: str, high: str, day: date, now: datetime) -> int:
    """Store the rows of `day` of the units whose path lies in [low, high) (one statement)."""
    select, params = _figures_sql(low, high, day)
    ops = connection.ops
    sql = f"""
        INSERT INTO {SubtreeCount._meta.db_table}
            (unit_id, day, members, cells, units, own_members, refreshed_at)
        SELECT f.unit_id, %s, f.members, f.cells, f.units, f.own_members, %s
        FROM ({select}) f
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [ops.adapt_datefield_value(day), ops.adapt_datetimefield_value(now), *params]
        )
        return cursor.rowcount


def _own_members(unit_ids: Iterable[int], day: date) -> dict[int, int]:
    """Members on the roll of each of `unit_ids` on `day` (one grouped query)."""
    rows = (
        Membership.objects.filter(on_roll(day), unit_id__in=list(unit_ids))
        .values("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["unit_id"]: row["n"] for row in rows}


def _recompute(day: date, unit_ids: set[int]) -> None:
    """Rewrite the rows of `day` of `unit_ids` and of every unit above them, deepest first:
    a unit's figures are its own roll (counted) plus its children's rows (stored, or just
    recomputed). Units not in the tree that day lose their row. A unit with a child that has
    no row cannot be computed exactly: it loses its row, and so do the units above it, which
    are then counted live until the next refresh. Seven small queries whatever the tree."""
    tree = UnitVersion.objects.filter(active_on(day))
    chain: dict[int, tuple[str, str]] = {
        unit_id: (path, kind)
        for unit_id, path, kind in tree.filter(unit_id__in=unit_ids).values_list(
            "unit_id", "path", "unit__kind"
        )
    }
    above = {i for path, _kind in chain.values() for i in treepath.ids(path)} - set(chain)
    if above:
        chain.update(
            (unit_id, (path, kind))
            for unit_id, path, kind in tree.filter(unit_id__in=above).values_list(
                "unit_id", "path", "unit__kind"
            )
        )
    children: dict[int, list[int]] = defaultdict(list)
    for child_id, parent_id in tree.filter(parent_id__in=list(chain)).values_list(
        "unit_id", "parent_id"
    ):
        children[parent_id].append(child_id)
    wanted = set(chain) | {c for kids in children.values() for c in kids}
    stored = {
        row.unit_id: row for row in SubtreeCount.objects.filter(day=day, unit_id__in=list(wanted))
    }
    counted = (set(unit_ids) & set(chain)) | {u for u in chain if u not in stored}
    own = _own_members(counted, day)
    figures: dict[int, tuple[int, int, int, int] | None] = {}
    for unit_id in sorted(chain, key=lambda u: -len(chain[u][0])):
        _path, kind = chain[unit_id]
        own_members = own.get(unit_id, 0) if unit_id in counted else stored[unit_id].own_members
        total: list[int] | None = [own_members, int(kind == UnitKind.CELL), 1]
        for child_id in children[unit_id]:
            if child_id in figures:
                child = figures[child_id]
            elif child_id in stored:
                row = stored[child_id]
                child = (row.members, row.cells, row.units, row.own_members)
            else:
                child = None
            if child is None or total is None:
                total = None
                break
            total = [total[0] + child[0], total[1] + child[1], total[2] + child[2]]
        figures[unit_id] = (total[0], total[1], total[2], own_members) if total else None
    now = timezone.now()
    SubtreeCount.objects.filter(day=day, unit_id__in=list(set(unit_ids) | set(chain))).delete()
    SubtreeCount.objects.bulk_create(
        [
            SubtreeCount(
                unit_id=unit_id,
                day=day,
                members=f[0],
                cells=f[1],
                units=f[2],
                own_members=f[3],
                refreshed_at=now,
            )
            for unit_id, f in figures.items()
            if f is not None
        ]
    )


def _refresh_range(day: date, low: str, high: str, now: datetime) -> int:
    in_range = UnitVersion.objects.filter(active_on(day), path__gte=low, path__lt=high)
    SubtreeCount.objects.filter(day=day, unit_id__in=in_range.values("unit_id")).delete()
    return _insert(low, high, day, now)


def _refresh_subtree(day: date, path: str, now: datetime) -> int:
    return _refresh_range(day, path, treepath.upper_bound(path), now)


def _pieces(day: date, tops: list[str]) -> list[tuple[str, str]]:
    """The ranges of paths a refresh counts one statement each: the subtrees of the children
    of the top units, consecutive ones together up to `PIECE_UNITS` units (one query a top)."""
    pieces = []
    for top in tops:
        sizes = (
            UnitVersion.objects.filter(active_on(day), treepath.within(top))
            .annotate(branch=Substr("path", 1, len(top) + treepath.SEGMENT))
            .values("branch")
            .annotate(n=Count("id"))
            .order_by("branch")
        )
        low = high = ""
        units = 0
        for size in sizes:
            if size["branch"] == top:
                continue
            if low and units + size["n"] > PIECE_UNITS:
                pieces.append((low, treepath.upper_bound(high)))
                low, units = "", 0
            low = low or size["branch"]
            high = size["branch"]
            units += size["n"]
        if low:
            pieces.append((low, treepath.upper_bound(high)))
    return pieces


def refresh_counts(
    day: date,
    root: Unit | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Compute and store the rows of `day` for the whole tree, or for `root` and everything
    below it, and rewrite the rows of the units above `root`. Returns the rows written.

    The subtrees of the top units' (or `root`'s) children are counted in SQL a few at a time,
    one statement and one transaction for up to `PIECE_UNITS` units, so that the services
    writing meanwhile wait for one piece at most; the top units are then recomputed from their
    children's rows. A page read in between counts live what is not yet stored.
    `progress(done, total)` is called after each piece.
    """
    tree = UnitVersion.objects.filter(active_on(day))
    if root is None:
        tops = tree.filter(parent__isnull=True)
        with transaction.atomic():
            _lock()
            # NOT EXISTS, an anti-join: NOT IN over 300.000 ids is a subplan per row.
            SubtreeCount.objects.filter(day=day).exclude(
                Exists(tree.filter(unit_id=OuterRef("unit_id")))
            ).delete()
    else:
        tops = tree.filter(unit=root)
    top_ids = set(tops.values_list("unit_id", flat=True))
    pieces = _pieces(day, list(tops.values_list("path", flat=True)))
    written = 0
    for done, (low, high) in enumerate(pieces, start=1):
        with transaction.atomic():
            _lock()
            written += _refresh_range(day, low, high, timezone.now())
        if progress is not None:
            progress(done, len(pieces) + 1)
    with transaction.atomic():
        _lock()
        _recompute(day, top_ids)
        written += SubtreeCount.objects.filter(day=day, unit_id__in=top_ids).count()
    if progress is not None:
        progress(len(pieces) + 1, len(pieces) + 1)
    return written


def prune_counts(on: date) -> int:
    """Delete the rows of the days that are no longer kept when today is `on`."""
    deleted, _by_model = SubtreeCount.objects.exclude(day__in=kept_days(on)).delete()
    return deleted


# Keeping the rows exact after each change --------------------------------------------------


def units_changed(unit_ids: Iterable[int | None], on: date) -> None:
    """The own roll, or the place in the tree, of these units changed from `on` (a member
    registered, a status, a transfer, a unit created, moved, merged, split or dissolved).
    Once the transaction commits, their stored rows and those of every unit above them are
    recomputed for each kept day from `on` on. Many changes in one transaction are recomputed
    together. Pass a moved or ended unit's former parent too, as the unit no longer leads to
    it (None, the parent of a top unit, is skipped).
    """
    if on > today():
        return  # no kept day is reached yet; the nightly run counts it when it is
    queue = _changes.pending()
    for unit_id in filter(None, unit_ids):
        queue[unit_id] = min(on, queue.get(unit_id, on))
    _changes.flush_on_commit()


def _recompute_changes(queue: dict[int, date]) -> None:
    """Recompute what one committed transaction changed. Should it fail, the rows of the days
    it reaches are deleted, so that those days are counted live rather than wrong."""
    earliest = min(queue.values())
    days = [day for day in kept_days(today()) if day >= earliest]
    if not days:
        return
    try:
        with transaction.atomic():
            _lock()  # taken before looking: a nightly run in progress is waited for
            for day in _stored(days):
                units = {unit_id for unit_id, on in queue.items() if on <= day}
                if len(units) > MANY_CHANGED:
                    _refresh_around(day, units)
                else:
                    _recompute(day, units)
    except Exception:
        log.exception("stored counts of %s not recomputed; counting them live", days)
        with transaction.atomic():
            SubtreeCount.objects.filter(day__in=days).delete()


def _stored(days: list[date]) -> list[date]:
    """Which of `days` have rows (one query: an index probe a day)."""
    table = SubtreeCount._meta.db_table
    probes = " UNION ALL ".join(
        f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {table} WHERE day = %s)"  # noqa: S608
        for i in range(len(days))
    )
    with connection.cursor() as cursor:
        cursor.execute(probes, [connection.ops.adapt_datefield_value(day) for day in days])
        return [days[i] for (i,) in cursor.fetchall()]


def _refresh_around(day: date, unit_ids: set[int]) -> None:
    """Many units changed: refresh their lowest common unit's subtree in SQL, then the units
    above it. Units that left the tree that day lose their row first."""
    SubtreeCount.objects.filter(day=day, unit_id__in=list(unit_ids)).delete()
    paths = list(
        UnitVersion.objects.filter(active_on(day), unit_id__in=unit_ids).values_list(
            "path", flat=True
        )
    )
    if not paths:
        return
    common = paths[0]
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[: -treepath.SEGMENT]
    now = timezone.now()
    if not common:
        tops = UnitVersion.objects.filter(active_on(day), parent__isnull=True)
        for top in tops.values_list("path", flat=True):
            _refresh_subtree(day, top, now)
        return
    _refresh_subtree(day, common, now)
    above = treepath.ids(common)[:-1]
    if above:
        _recompute(day, {above[-1]})


def forget_changes() -> None:
    """Drop what this transaction queued: a full refresh counts it anyway."""
    _changes.discard()


_changes: Batch[dict[int, date]] = Batch(_recompute_changes, dict)
