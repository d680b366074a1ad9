"""The Party's rules about committees, as data with their sources (RULES.md §1.1).

Numbers are read through `rule_for(unit, name)` and nowhere else. Today every unit gets the
national default; making a number configurable for a subtree (a provincial committee setting
its own for the units below it) changes `rule_for` alone, for instance by looking up overrides
keyed by unit path with the nearest ancestor winning, and none of its callers.
"""

from dataclasses import dataclass

from chibo.committees.models import Body, Position
from chibo.units.models import Unit, UnitKind


@dataclass(frozen=True)
class Rule:
    value: int
    source: str


DEFAULTS: dict[str, Rule] = {
    # A cell (chi bộ) of 9 or more official members elects a cell committee (chi ủy) and its
    # secretary and deputy from among it; a smaller cell elects a secretary, and a deputy if
    # needed. Counted on the first day of the seat.
    "cell_committee_min_official": Rule(
        9, "Điều lệ Đảng, Điều 24(4); 294-QĐ/TW (26/5/2025) — RULES.md §1.1"
    ),
    # A cell committee has at most 7 members, secretary and deputy included.
    "cell_committee_max_seats": Rule(7, "Điều lệ Đảng, Điều 24(4); 294-QĐ/TW — RULES.md §1.1"),
}


def rule_for(unit: Unit, name: str) -> int:
    """The value of rule `name` for `unit`: the single place the numbers are read."""
    return DEFAULTS[name].value


def source_of(name: str) -> str:
    return DEFAULTS[name].source


# Which bodies each kind of unit elects, and the positions on each. This is structure, not a
# threshold, so it is not configured per subtree. Cells: Điều lệ Đảng, Điều 24(4) — a cell
# without a chi ủy has only a secretary and a deputy, recorded on the body "committee". A base
# organisation may be a base cell (chi bộ cơ sở), which elects a chi ủy under the same rule.
# A party group (tổ đảng) elects no body: it has a group leader.
_COMMITTEE: tuple[str, ...] = (Position.SECRETARY, Position.DEPUTY, Position.MEMBER)
_STANDING: tuple[str, ...] = (
    Position.SECRETARY,
    Position.STANDING_DEPUTY,
    Position.DEPUTY,
    Position.STANDING_MEMBER,
)
_CELL_COMMITTEE: tuple[str, ...] = (Position.SECRETARY, Position.DEPUTY, Position.MEMBER)
_CELL_LEADERS: tuple[str, ...] = (Position.SECRETARY, Position.DEPUTY)
_ABOVE_BASE: dict[str, tuple[str, ...]] = {Body.COMMITTEE: _COMMITTEE, Body.STANDING: _STANDING}

SEATS: dict[str, dict[str, tuple[str, ...]]] = {
    UnitKind.CENTRAL: _ABOVE_BASE,
    UnitKind.PROVINCE: _ABOVE_BASE,
    UnitKind.DISTRICT: _ABOVE_BASE,
    UnitKind.COMMUNE: _ABOVE_BASE,
    UnitKind.BASE: {**_ABOVE_BASE, Body.CELL_COMMITTEE: _CELL_COMMITTEE},
    UnitKind.CELL: {Body.COMMITTEE: _CELL_LEADERS, Body.CELL_COMMITTEE: _CELL_COMMITTEE},
    UnitKind.GROUP: {},
}


def bodies_of(unit: Unit) -> list[str]:
    """The bodies `unit` may have, in the order of `Body`."""
    allowed = SEATS.get(unit.kind, {})
    return [b for b in Body.values if b in allowed]


def positions_on(unit: Unit, body: str) -> tuple[str, ...]:
    """The positions a seat on `body` of `unit` may have; empty if the unit has no such body."""
    return SEATS.get(unit.kind, {}).get(body, ())
