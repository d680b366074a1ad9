"""The Party's rules about committees, as data with their sources (RULES.md §1.1).

Numbers are registered in the rulebook and read through `rule_for(unit, name)` alone.
"""

from datetime import date

from django.utils.translation import gettext_lazy as _

from chibo import rulebook
from chibo.committees.models import Body, Position
from chibo.rulebook import Rule
from chibo.units.models import Unit, UnitKind

rulebook.register(
    # A cell (chi bộ) of 9 or more official members elects a cell committee (chi ủy) and its
    # secretary and deputy from among it; a smaller cell elects a secretary, and a deputy if
    # needed. Counted on the first day of the seat.
    Rule(
        "committees.cell_committee_min_official",
        9,
        "Điều lệ Đảng, Điều 24(4); 294-QĐ/TW (26/5/2025) — RULES.md §1.1",
        _("Chi bộ có từ bao nhiêu đảng viên chính thức thì bầu chi ủy"),
        _("đảng viên chính thức"),
        minimum=1,
    ),
    # A cell committee has at most 7 members, secretary and deputy included.
    Rule(
        "committees.cell_committee_max_seats",
        7,
        "Điều lệ Đảng, Điều 24(4); 294-QĐ/TW — RULES.md §1.1",
        _("Số chi ủy viên nhiều nhất"),
        _("người"),
        minimum=1,
    ),
)


def rule_for(unit: Unit, name: str, on: date | None = None) -> int:
    """The value of rule `name` for `unit`: the single place the numbers are read."""
    value: int = rulebook.rule(f"committees.{name}", unit, on)
    return value


def source_of(name: str) -> str:
    return rulebook.source(f"committees.{name}")


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
