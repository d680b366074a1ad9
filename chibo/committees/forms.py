"""Forms of the committee pages. They only read input; the services check the rules."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.committees import rules
from chibo.committees.models import Body, Position
from chibo.lib.dates import today
from chibo.members.models import Member
from chibo.units.forms import date_field
from chibo.units.models import Unit, UnitKind


class MemberChoiceField(forms.TypedChoiceField):
    """A choice among the members a selector listed; it cleans to the Member itself, so the
    view needs no second lookup and cannot be handed a member outside the list."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, **kwargs)
        self.members: dict[int, Member] = {}

    def offer(self, members: list[tuple[Member, str]]) -> None:
        self.members = {member.pk: member for member, _label in members}
        self.choices = [("", "—"), *((member.pk, label) for member, label in members)]

    def clean(self, value: object) -> Member | None:
        member_id = super().clean(value)
        return self.members.get(member_id) if member_id not in (None, "") else None


def _basis() -> forms.CharField:
    return forms.CharField(
        label=_("Căn cứ (số, ngày quyết định)"),
        max_length=300,
        required=False,
        help_text=_("Ví dụ: Quyết định số 123-QĐ/ĐU ngày 20/6/2025"),
    )


class AppointForm(forms.Form):
    member = MemberChoiceField(label=_("Đảng viên"))
    body = forms.ChoiceField(label=_("Cơ quan"))
    position = forms.ChoiceField(label=_("Chức vụ"))
    valid_from = date_field(_("Từ ngày"))
    basis = _basis()

    def __init__(
        self, unit: Unit, members: list[tuple[Member, str]], *args: object, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["member"]
        assert isinstance(field, MemberChoiceField)
        field.offer(members)
        bodies = rules.bodies_of(unit)
        self._choices("body", [(b, Body(b).label) for b in bodies])
        if unit.kind == UnitKind.CELL:
            self.fields["body"].help_text = _(
                "Chi bộ có từ %(min)s đảng viên chính thức trở lên bầu chi ủy (không quá %(max)s "
                "ủy viên); chi bộ nhỏ hơn chỉ có bí thư, phó bí thư, ghi vào “cấp ủy”."
            ) % {
                "min": rules.rule_for(unit, "cell_committee_min_official"),
                "max": rules.rule_for(unit, "cell_committee_max_seats"),
            }
        positions = {p for b in bodies for p in rules.positions_on(unit, b)}
        self._choices("position", [(p.value, p.label) for p in Position if p in positions])
        self.fields["valid_from"].initial = today()

    def _choices(self, name: str, choices: list[tuple[object, object]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class AssignForm(forms.Form):
    supervisor = MemberChoiceField(
        label=_("Cấp ủy viên phụ trách"),
        help_text=_("Cấp ủy viên của các cấp trên đơn vị này mà bạn quản lý."),
    )
    valid_from = date_field(_("Từ ngày"))
    basis = _basis()
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def __init__(
        self, supervisors: list[tuple[Member, str]], *args: object, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["supervisor"]
        assert isinstance(field, MemberChoiceField)
        field.offer(supervisors)
        self.fields["valid_from"].initial = today()


class EndForm(forms.Form):
    on = date_field(
        _("Thôi từ ngày"), help_text=_("Ngày đầu tiên không còn đảm nhiệm; ngày cuối là hôm trước.")
    )
    basis = _basis()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["on"].initial = today()
