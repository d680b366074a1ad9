"""Writing a unit's own value of a rule for its subtree, and ending it."""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.audit.services import record
from chibo.rulebook import registry
from chibo.rulebook.models import RuleSetting
from chibo.units.models import Unit


def coerce(item: registry.Rule, raw: Any) -> Any:
    """`raw` (from a form, the API or code) as a value of the rule's type, within its bounds."""
    kind = item.kind()
    try:
        if kind is bool:
            value: Any = raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "on")
        elif kind is int:
            value = int(str(raw).replace(".", "").strip())
        else:
            value = str(raw).strip()
    except ValueError:
        raise ValidationError(
            _("Giá trị phải là một số nguyên. (The value must be a whole number.)")
        ) from None
    if item.minimum is not None and value < item.minimum:
        raise ValidationError(
            _("Giá trị nhỏ nhất là %(n)s. (The smallest value is %(n)s.)") % {"n": item.minimum}
        )
    if item.maximum is not None and value > item.maximum:
        raise ValidationError(
            _("Giá trị lớn nhất là %(n)s. (The largest value is %(n)s.)") % {"n": item.maximum}
        )
    if item.choices and value not in item.choices:
        raise ValidationError(_("Giá trị không có trong danh sách. (The value is not allowed.)"))
    return value


def _forget() -> None:
    registry.SETTINGS.forget()
    transaction.on_commit(registry.SETTINGS.forget)


@transaction.atomic
def set_rule(
    unit: Unit, *, actor: User | None, key: str, value: Any, valid_from: date, basis: str
) -> RuleSetting:
    """Set `unit`'s own value of rule `key` from `valid_from`, for it and the units below.

    The unit's previous setting of the rule ends the day before. A setting cannot start before
    one the unit already has, so the dated history stays in order.
    """
    item = registry.get(key)
    value = coerce(item, value)
    if not basis.strip():
        raise ValidationError({"basis": [_("Cần ghi căn cứ. (A basis is required.)")]})
    if unit.valid_to is not None:
        raise ValidationError(_("Tổ chức đã kết thúc. (The unit has ended.)"))
    mine = RuleSetting.objects.select_for_update().filter(unit=unit, key=key)
    if mine.filter(valid_from__gte=valid_from).exists():
        raise ValidationError(
            {
                "valid_from": [
                    _(
                        "Đơn vị đã có quy định này áp dụng từ ngày đó hoặc sau đó. "
                        "(The unit already set this rule from that day or later.)"
                    )
                ]
            }
        )
    mine.filter(valid_to__isnull=True).update(valid_to=valid_from - timedelta(days=1))
    setting = RuleSetting.objects.create(
        unit=unit, key=key, value=value, valid_from=valid_from, basis=basis.strip(), set_by=actor
    )
    record(
        "rulebook.setting.set",
        actor=actor,
        obj=setting,
        unit=unit,
        changes={"key": key, "value": value, "valid_from": valid_from.isoformat(), "basis": basis},
    )
    _forget()
    return setting


@transaction.atomic
def end_rule(unit: Unit, *, actor: User | None, key: str, on: date, basis: str) -> RuleSetting:
    """End `unit`'s own setting of `key` the day before `on`: from `on` the unit follows the
    value set above it, or the regulation's default."""
    registry.get(key)
    setting = (
        RuleSetting.objects.select_for_update()
        .filter(unit=unit, key=key, valid_to__isnull=True)
        .first()
    )
    if setting is None:
        raise ValidationError(
            _("Đơn vị không tự đặt quy định này. (The unit has no setting of this rule.)")
        )
    if on <= setting.valid_from:
        raise ValidationError(
            {"on": [_("Ngày bỏ phải sau ngày áp dụng. (End after the setting's first day.)")]}
        )
    setting.valid_to = on - timedelta(days=1)
    setting.save(update_fields=["valid_to"])
    record(
        "rulebook.setting.end",
        actor=actor,
        obj=setting,
        unit=unit,
        changes={"key": key, "valid_to": setting.valid_to.isoformat(), "basis": basis},
    )
    _forget()
    return setting
