"""Forms of the member pages. They read input; the services check the rules."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.members.models import DuesCategory, Extent, Member, Sex, Status
from chibo.members.services import DETAIL_FIELDS
from chibo.units.forms import date_field


class RollFilterForm(forms.Form):
    on = date_field(_("Tại ngày"), required=False)
    text = forms.CharField(
        label=_("Tìm theo tên hoặc số thẻ"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Tên hoặc số thẻ…")}),
    )
    status = forms.ChoiceField(
        label=_("Tình trạng"), required=False, choices=[("", _("Tất cả")), *Status.choices[:5]]
    )
    sex = forms.ChoiceField(
        label=_("Giới tính"), required=False, choices=[("", _("Tất cả")), *Sex.choices]
    )
    age_from = forms.IntegerField(label=_("Tuổi từ"), required=False, min_value=0, max_value=130)
    age_to = forms.IntegerField(label=_("Tuổi đến"), required=False, min_value=0, max_value=130)
    party_age_from = forms.IntegerField(label=_("Tuổi đảng từ"), required=False, min_value=0)
    party_age_to = forms.IntegerField(label=_("Tuổi đảng đến"), required=False, min_value=0)


class MemberForm(forms.ModelForm):
    """The person and the party record. Validation is the service's (`check_details`)."""

    reason = forms.CharField(
        label=_("Lý do sửa (ví dụ: đính chính theo lý lịch)"), required=False, max_length=200
    )

    class Meta:
        model = Member
        fields = DETAIL_FIELDS
        widgets: dict[str, Any] = {}

    def __init__(self, *args: Any, without: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in without:
            del self.fields[name]
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                self.fields[name] = date_field(field.label or name, required=False)
        dues = self.fields["dues_category"]
        assert isinstance(dues, forms.ChoiceField)
        dues.choices = [("", "—"), *DuesCategory.choices]

    def _post_clean(self) -> None:
        """Model validation is left to the service, which names each faulty field."""


class StatusForm(forms.Form):
    """A dated status change with its basis; `extent` only for exemptions, `until` optional."""

    on = date_field(_("Có hiệu lực từ ngày"))
    basis_number = forms.CharField(
        label=_("Số văn bản (nghị quyết, quyết định)"), max_length=60, required=False
    )
    basis_day = date_field(_("Ngày văn bản"), required=False)
    reason = forms.CharField(label=_("Lý do"), max_length=300, required=False)

    def __init__(
        self, *args: Any, extent: bool = False, until: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if extent:
            self.fields["extent"] = forms.ChoiceField(
                label=_("Mức miễn"), choices=Extent.choices, widget=forms.RadioSelect
            )
        if until:
            self.fields["until"] = date_field(_("Đến hết ngày (nếu có thời hạn)"), required=False)
