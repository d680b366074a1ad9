"""Which value of every rule applies to a unit on a day, and who set it."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.apps import apps

from chibo.rulebook import registry
from chibo.rulebook.models import RuleSetting
from chibo.units.models import Unit


@dataclass
class Effective:
    rule: registry.Rule
    value: Any
    set_by_unit: Unit | None  # None: the regulation's default
    setting: RuleSetting | None
    own: bool  # set by this unit itself
    may_set: bool = False  # whether the viewer may set the unit's own value (filled by the view)


@dataclass
class Group:
    label: str
    rules: list[Effective]


def effective_rules(unit: Unit, on: date) -> list[Group]:
    """Every registered rule with the value that applies to `unit` on `on`, grouped by app.

    Two queries whatever the number of rules: the unit's place on that day, and the settings
    in force on its chain.
    """
    chain = registry.ancestors_on(unit, on)
    depth = {unit_id: i for i, unit_id in enumerate(chain)}
    settings = (
        RuleSetting.objects.filter(unit_id__in=chain, valid_from__lte=on)
        .exclude(valid_to__lt=on)
        .select_related("unit")
    )
    nearest: dict[str, RuleSetting] = {}
    for s in settings:
        known = nearest.get(s.key)
        if known is None or depth[s.unit_id] > depth[known.unit_id]:
            nearest[s.key] = s
    groups: dict[str, Group] = {}
    for item in registry.registered():
        setting = nearest.get(item.key)
        label = str(apps.get_app_config(item.app).verbose_name)
        groups.setdefault(item.app, Group(label, [])).rules.append(
            Effective(
                rule=item,
                value=item.default if setting is None else setting.value,
                set_by_unit=None if setting is None else setting.unit,
                setting=setting,
                own=setting is not None and setting.unit_id == unit.pk,
            )
        )
    return list(groups.values())


def history_of(unit: Unit) -> list[RuleSetting]:
    """Every setting the unit has made, newest first."""
    return list(RuleSetting.objects.filter(unit=unit).order_by("-valid_from", "key"))
