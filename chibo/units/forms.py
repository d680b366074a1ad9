"""Forms of the restructuring pages. They only read input; the services check the rules."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.lib.dates import today
from chibo.units.models import KindRule, Unit, UnitKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DateInput(forms.TextInput):
    """A date typed as dd/mm/yyyy whatever the phone's language: a browser's own date picker
    follows the phone's locale and shows mm/dd/yyyy on many of them."""

    def __init__(self) -> None:
        super().__init__(attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off", "size": 10})

    def format_value(self, value: object) -> str | None:
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y")
        return super().format_value(value)


def date_field(
    label: StrOrPromise, required: bool = True, help_text: StrOrPromise = ""
) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        input_formats=["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"],
        help_text=help_text,
    )


class AsOfForm(forms.Form):
    on = date_field(_("Xem tại ngày"), required=False)


class _Dated(forms.Form):
    on = date_field(_("Có hiệu lực từ ngày"), help_text=_("Ngày đầu tiên của tình trạng mới."))
    basis = forms.CharField(
        label=_("Căn cứ (số, ngày quyết định)"),
        max_length=300,
        required=False,
        help_text=_("Ví dụ: Quyết định số 123-QĐ/TU ngày 20/6/2025"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["on"].initial = today()


class CreateChildForm(_Dated):
    kind = forms.ChoiceField(label=_("Cấp tổ chức"))
    name = forms.CharField(label=_("Tên"), max_length=200)
    code = forms.CharField(label=_("Mã (viết tắt, duy nhất)"), max_length=40)

    field_order = ["kind", "name", "code", "on", "basis"]

    def __init__(self, parent: Unit, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        allowed = set(
            KindRule.objects.filter(parent_kind=parent.kind).values_list("child_kind", flat=True)
        )
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [(k.value, k.label) for k in UnitKind if k.value in allowed]


class KindRuleForm(forms.Form):
    parent_kind = forms.ChoiceField(
        label=_("Cấp trên"),
        choices=[("", _("(cấp cao nhất)")), *UnitKind.choices],
        required=False,
    )
    child_kind = forms.ChoiceField(label=_("Cấp dưới"), choices=UnitKind.choices)
    basis = forms.CharField(label=_("Căn cứ"), max_length=200)


class RenameForm(_Dated):
    name = forms.CharField(label=_("Tên mới"), max_length=200)
    field_order = ["name", "on", "basis"]


class MoveForm(_Dated):
    parent_code = forms.CharField(label=_("Mã của cấp trên mới"), max_length=40)
    field_order = ["parent_code", "on", "basis"]


class MergeForm(_Dated):
    source_codes = forms.CharField(
        label=_("Mã các đơn vị sáp nhập vào đơn vị này"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mỗi mã một dòng hoặc cách nhau bằng dấu phẩy."),
    )
    field_order = ["source_codes", "on", "basis"]

    def clean_source_codes(self) -> list[str]:
        raw = self.cleaned_data["source_codes"].replace(",", "\n")
        codes = [c.strip().upper() for c in raw.splitlines() if c.strip()]
        if not codes:
            raise forms.ValidationError(_("Hãy nhập ít nhất một mã."))
        return codes


class DissolveForm(_Dated):
    confirm = forms.BooleanField(label=_("Tôi xác nhận giải thể đơn vị này"))


class SplitForm(_Dated):
    """Names and codes of the new units, then which new unit takes each child and member."""

    def __init__(
        self,
        parts: int,
        children: list[tuple[int, str]],
        members: list[tuple[int, str]],
        *args: object,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.parts = parts
        choices = [(str(i), _("Đơn vị mới %(n)s") % {"n": i + 1}) for i in range(parts)]
        for i in range(parts):
            self.fields[f"name_{i}"] = forms.CharField(
                label=_("Tên đơn vị mới %(n)s") % {"n": i + 1}, max_length=200
            )
            self.fields[f"code_{i}"] = forms.CharField(
                label=_("Mã đơn vị mới %(n)s") % {"n": i + 1}, max_length=40
            )
        for child_id, name in children:
            self.fields[f"child_{child_id}"] = forms.TypedChoiceField(
                label=name, choices=choices, coerce=int
            )
        for member_id, name in members:
            self.fields[f"member_{member_id}"] = forms.TypedChoiceField(
                label=name, choices=choices, coerce=int
            )
        self.child_ids = [c for c, _n in children]
        self.member_ids = [m for m, _n in members]
