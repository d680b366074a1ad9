"""The rows of a month, computed in memory: each unit's own judgement of every obligation, and
for every unit the sums of its subtree (decision 0014). Small objects, a few per unit and
obligation, whatever the number of members or meetings below; `services.evaluate` stores them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from chibo.compliance import obligations
from chibo.compliance.facts import Month, UnitInfo
from chibo.compliance.models import Status
from chibo.compliance.obligations import Verdict
from chibo.compliance.rules import Reader

# The stored figures, in the order of `Row.figures`.
FIGURES = ("units_ok", "units_warning", "units_failed", "numerator", "denominator")


def derive(ok: int, warning: int, failed: int, tolerance: int) -> str:
    """The status of a roll-up: ok when every unit below is; failed when more than
    `tolerance` % of them failed; otherwise a warning. One unit is its own status."""
    applicable = ok + warning + failed
    if not applicable:
        return Status.NOT_APPLICABLE
    if not warning and not failed:
        return Status.OK
    return Status.FAILED if failed * 100 > tolerance * applicable else Status.WARNING


@dataclass(slots=True)
class Row:
    """One unit's figures for one obligation: its own judgement, if any, plus its subtree's."""

    ok: int = 0
    warning: int = 0
    failed: int = 0
    numerator: int = 0
    denominator: int = 0
    own: bool = False
    detail: dict[str, Any] = field(default_factory=dict)
    status: str = Status.NOT_APPLICABLE

    @classmethod
    def of(cls, verdict: Verdict) -> Row:
        """A unit's own row: the verdict, kept in the detail as judged (alerts read it)."""
        return cls(
            int(verdict.status == Status.OK),
            int(verdict.status == Status.WARNING),
            int(verdict.status == Status.FAILED),
            verdict.numerator,
            verdict.denominator,
            True,
            {
                **verdict.detail,
                "own": [verdict.status, verdict.numerator, verdict.denominator],
                "message": verdict.message,
            },
        )

    @classmethod
    def stored(cls, detail: dict[str, Any]) -> Row:
        """A unit's own row again, from the judgement its stored row keeps."""
        status, numerator, denominator = detail["own"]
        return cls(
            int(status == Status.OK),
            int(status == Status.WARNING),
            int(status == Status.FAILED),
            numerator,
            denominator,
            True,
            detail,
        )

    def figures(self) -> tuple[int, int, int, int, int]:
        return (self.ok, self.warning, self.failed, self.numerator, self.denominator)

    def add(self, figures: tuple[int, int, int, int, int]) -> None:
        ok, warning, failed, numerator, denominator = figures
        self.ok += ok
        self.warning += warning
        self.failed += failed
        self.numerator += numerator
        self.denominator += denominator

    def copy(self) -> Row:
        return Row(*self.figures(), self.own, self.detail, self.status)

    @property
    def worth_keeping(self) -> bool:
        """A row that says nothing (not applicable, no figures) is not stored: the dashboard
        shows a missing row as "not applicable", and a province's month stays small."""
        return self.status != Status.NOT_APPLICABLE or any(self.figures())


Rows = dict[tuple[int, str], Row]


def judge(ctx: Month) -> Rows:
    """Every obligation switched on for every unit it applies to, from the facts read in bulk:
    the units' own rows."""
    own: Rows = {}
    for unit in ctx.units.values():
        for obligation in obligations.active(ctx, unit):
            if obligation.leaves_only and not unit.leaf:
                continue
            verdict = obligation.judge(ctx, unit)
            if verdict is not None:
                own[unit.id, obligation.code] = Row.of(verdict)
    return own


def roll_up(units: dict[int, UnitInfo], rows: Rows, reader: Reader) -> Rows:
    """Rows for every unit of `units`: its seed in `rows` (its own row, plus whatever its
    children outside `units` hold) plus the sums of its children's rows, deepest units first,
    so that each sum is exact (the property tests recount it from the records). The rows of
    units whose parent is not in `units` are not added anywhere. `rows` is completed in place
    and returned."""
    by_unit: dict[int, list[tuple[str, Row]]] = defaultdict(list)
    for (unit_id, code), row in rows.items():
        by_unit[unit_id].append((code, row))
    for unit in sorted(units.values(), key=lambda u: -u.depth):
        mine = by_unit.get(unit.id)
        if not mine:
            continue
        tolerance = reader("compliance.rollup_failed_percent", unit.path)
        above = unit.parent_id if unit.parent_id in units else None
        for code, row in mine:
            row.status = derive(row.ok, row.warning, row.failed, tolerance)
            if above is None:
                continue
            parent = rows.get((above, code))
            if parent is None:
                parent = rows[above, code] = Row()
                by_unit[above].append((code, parent))
            parent.add(row.figures())
    return rows


def seed(own: Rows, children: list[tuple[int, str, tuple[int, int, int, int, int]]]) -> Rows:
    """Own rows plus the stored figures of children that are not recomputed: (parent,
    obligation, figures) for each child row. The own rows are copied: they stay as judged."""
    seeds: Rows = {key: row.copy() for key, row in own.items()}
    if not children:
        return seeds
    for parent, code, figures in children:
        row = seeds.get((parent, code))
        if row is None:
            row = seeds[parent, code] = Row()
        row.add(figures)
    return seeds
