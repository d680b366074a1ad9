"""Forms of the transfer pages. They only read input; the services check the rules."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.lib.dates import today
from chibo.members.models import TransferKind
from chibo.units.forms import date_field
from chibo.units.models import Unit


class IssueForm(forms.Form):
    """The transfer letter as the sending unit writes it."""

    kind = forms.ChoiceField(label=_("Hình thức"), choices=TransferKind.choices)
    to_unit_code = forms.CharField(
        label=_("Mã tổ chức đảng nơi nhận"),
        max_length=40,
        required=False,
        help_text=_("Để trống nếu chuyển ra ngoài hệ thống và ghi nơi đến ở ô dưới."),
    )
    destination_text = forms.CharField(
        label=_("Nơi đến ngoài hệ thống"),
        max_length=300,
        required=False,
        help_text=_("Chỉ với chuyển sinh hoạt chính thức ra ngoài hệ thống."),
    )
    letter_number = forms.CharField(label=_("Số giấy giới thiệu"), max_length=60)
    letter_date = date_field(_("Ngày giấy giới thiệu"))
    effective_on = date_field(_("Ngày chuyển"))
    until = date_field(
        _("Sinh hoạt tạm thời đến ngày"),
        required=False,
        help_text=_("Chỉ với chuyển sinh hoạt tạm thời: từ 3 tháng đến 2 năm."),
    )
    reason = forms.CharField(label=_("Lý do"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["letter_date"].initial = today()
        self.fields["effective_on"].initial = today()

    def clean_to_unit_code(self) -> Unit | None:
        """The receiving unit may be anywhere in the system, in the user's scope or not."""
        code = self.cleaned_data["to_unit_code"].strip().upper()
        if not code:
            return None
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("Không có tổ chức đảng mã %(code)s.") % {"code": code})
        return unit


class ConfirmForm(forms.Form):
    on = date_field(_("Ngày tiếp nhận"))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=300)
