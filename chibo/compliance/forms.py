from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.compliance.models import ReviewOutcome


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("Đã xử lý thế nào"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Chi bộ quyết định"),
        choices=[
            (ReviewOutcome.PROPOSED, ReviewOutcome.PROPOSED.label),
            (ReviewOutcome.NOT_PROPOSED, ReviewOutcome.NOT_PROPOSED.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Ý kiến của chi bộ (số nghị quyết, lý do)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
