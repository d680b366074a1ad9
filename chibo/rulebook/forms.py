from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.lib.dates import today
from chibo.rulebook import registry


class SetRuleForm(forms.Form):
    """A unit's own value of one rule, from a day, with its basis."""

    key = forms.CharField(widget=forms.HiddenInput)
    value = forms.CharField(label=_("Giá trị"), max_length=200)
    valid_from = forms.DateField(label=_("Áp dụng từ ngày"), initial=today)
    basis = forms.CharField(
        label=_("Căn cứ"),
        max_length=300,
        help_text=_("Số, ngày văn bản của cấp ủy quyết định giá trị này."),
    )

    def __init__(self, *args: Any, rule: registry.Rule | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rule is not None:
            self.fields["key"].initial = rule.key
            self.fields["value"].initial = rule.default
            if rule.kind() is int:
                attrs = {"inputmode": "numeric"}
                self.fields["value"].widget.attrs.update(attrs)

    def clean_key(self) -> str:
        key: str = self.cleaned_data["key"]
        if registry.find(key) is None:
            raise forms.ValidationError(_("Không có quy định này. (No such rule.)"))
        return key


class EndRuleForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    on = forms.DateField(label=_("Bỏ từ ngày"), initial=today)
    basis = forms.CharField(label=_("Căn cứ"), max_length=300)
