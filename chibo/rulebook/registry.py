"""The registry of rules and the one function that reads them.

Settings are few (a province sets its window, a commune its attendance target), so all of them
are held in memory and re-read from the database when one changes in this process, or at most
`CACHE_SECONDS` after another server changed one. A lookup for a rule that no unit has set costs
no query; one that some unit has set costs one (where the unit stood on that day).
"""

import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from chibo.lib.dates import today

if TYPE_CHECKING:
    from chibo.units.models import Unit

CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class Rule:
    """One number (or switch) from a regulation or a local decision.

    `key` is "<app>.<name>"; `source` names the regulation and article (RULES.md); `sure` is
    False where RULES.md marks the rule UNCONFIRMED, so the page says it is a default to check.
    `local`: a local decision (a window, a target) that a committee sets for the units below
    it; otherwise a rule of the Charter or a regulation, which only the central administrator
    sets, from the day a new regulation replaces it. `decided_above`: a local rule that the
    committee above decides for a unit (an approval), never the unit for itself.
    """

    key: str
    default: Any
    source: str
    label: str | Promise = ""
    unit_label: str | Promise = ""
    sure: bool = True
    local: bool = False
    decided_above: bool = False
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[Any, ...] = field(default=())

    @property
    def app(self) -> str:
        return self.key.split(".", 1)[0]

    def kind(self) -> type:
        return type(self.default)


_RULES: dict[str, Rule] = {}


def register(*rules: Rule) -> None:
    for item in rules:
        if "." not in item.key:
            raise ValueError(f"rule key {item.key!r} must be '<app>.<name>'")
        known = _RULES.get(item.key)
        if known is not None and known != item:
            raise ValueError(f"rule {item.key!r} registered twice with different values")
        _RULES[item.key] = item


def registered() -> list[Rule]:
    """Every rule, in the order the apps declared them."""
    return list(_RULES.values())


def find(key: str) -> Rule | None:
    return _RULES.get(key)


def get(key: str) -> Rule:
    try:
        return _RULES[key]
    except KeyError:
        raise KeyError(f"unknown rule {key!r}: declare it in its app's rules.py") from None


def source(key: str) -> str:
    return get(key).source


# Settings held in memory ------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    unit_id: int
    value: Any
    valid_from: date
    valid_to: date | None


class _Settings:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.loaded_at: float | None = None
        self.by_key: dict[str, list[Held]] = {}

    def current(self) -> dict[str, list[Held]]:
        with self.lock:
            fresh = self.loaded_at is not None and time.monotonic() - self.loaded_at < CACHE_SECONDS
            if not fresh:
                from chibo.rulebook.models import RuleSetting

                by_key: dict[str, list[Held]] = {}
                for s in RuleSetting.objects.all().order_by("valid_from"):
                    by_key.setdefault(s.key, []).append(
                        Held(s.unit_id, s.value, s.valid_from, s.valid_to)
                    )
                self.by_key = by_key
                self.loaded_at = time.monotonic()
            return self.by_key

    def forget(self) -> None:
        with self.lock:
            self.loaded_at = None


SETTINGS = _Settings()


def ancestors_on(unit: "Unit", on: date) -> list[int]:
    """Ids from the root down to `unit`, where it stood on `on` (today's place if it had none)."""
    from chibo.units import treepath
    from chibo.units.models import UnitVersion

    if on >= today() and unit.valid_to is None:
        return treepath.ids(unit.path)
    version = (
        UnitVersion.objects.filter(unit=unit, valid_from__lte=on)
        .exclude(valid_to__lt=on)
        .values_list("path", flat=True)
        .first()
    )
    return treepath.ids(version or unit.path)


def setting_for(key: str, unit: "Unit", on: date) -> tuple[Held | None, list[int]]:
    """The setting in force for `unit` on `on` (the nearest unit above wins), if any."""
    held = [h for h in SETTINGS.current().get(key, []) if h.valid_from <= on]
    held = [h for h in held if h.valid_to is None or h.valid_to >= on]
    if not held:
        return None, []
    chain = ancestors_on(unit, on)
    depth = {unit_id: i for i, unit_id in enumerate(chain)}
    placed = [h for h in held if h.unit_id in depth]
    if not placed:
        return None, chain
    return max(placed, key=lambda h: depth[h.unit_id]), chain


def rule(key: str, unit: "Unit | None" = None, on: date | None = None) -> Any:
    """The value of rule `key` for `unit` on `on` (today by default): the setting of the
    nearest unit at or above it, otherwise the rule's default."""
    item = get(key)
    if unit is None:
        return item.default
    held, _chain = setting_for(key, unit, on or today())
    return item.default if held is None else held.value
