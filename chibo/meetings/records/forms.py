"""Forms of the records page. They only read input; the services check the rules."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.committees.forms import MemberChoiceField
from chibo.meetings.models import Meeting, Resolution, VoteRule
from chibo.meetings.records.selectors import resolution_code
from chibo.members.models import Member

TEXT = {"rows": 6}


class MinutesForm(forms.Form):
    chair = MemberChoiceField(label=_("Chủ trì"), required=False)
    minutes_secretary = MemberChoiceField(label=_("Thư ký"), required=False)
    minutes = forms.CharField(
        label=_("Diễn biến cuộc họp"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("Số liệu đảng viên và danh sách vắng mặt lấy từ điểm danh, không cần ghi."),
    )
    conclusions = forms.CharField(
        label=_("Kết luận"), required=False, widget=forms.Textarea(attrs=TEXT)
    )

    def __init__(self, meeting: Meeting, people: list[Member], *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "chair": meeting.chair_id,
                "minutes_secretary": meeting.minutes_secretary_id,
                "minutes": meeting.minutes,
                "conclusions": meeting.conclusions,
            },
        )
        super().__init__(*args, **kwargs)
        choices = [(m, m.full_name) for m in people]
        for name in ("chair", "minutes_secretary"):
            field = self.fields[name]
            assert isinstance(field, MemberChoiceField)
            field.offer(choices)


class VoteForm(forms.Form):
    subject = forms.CharField(label=_("Vấn đề biểu quyết"), max_length=300)
    rule = forms.ChoiceField(
        label=_("Quy tắc"),
        choices=VoteRule.choices,
        initial=VoteRule.MAJORITY,
        help_text=_(
            "Kết nạp, công nhận chính thức, xóa tên cần ít nhất 2/3 số đảng viên chính thức."
        ),
    )
    votes_for = forms.IntegerField(label=_("Tán thành"), min_value=0)
    votes_against = forms.IntegerField(label=_("Không tán thành"), min_value=0, initial=0)
    abstentions = forms.IntegerField(label=_("Không biểu quyết"), min_value=0, initial=0)
    resolution = forms.TypedChoiceField(
        label=_("Nghị quyết"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, resolutions: list[Resolution], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.resolutions = {r.pk: r for r in resolutions}
        field = self.fields["resolution"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            ("", "—"),
            *((r.pk, f"{resolution_code(r)} {r.title}") for r in resolutions),
        ]

    def clean_resolution(self) -> Resolution | None:
        resolution_id = self.cleaned_data.get("resolution")
        return self.resolutions.get(resolution_id) if resolution_id else None


class ResolutionForm(forms.Form):
    title = forms.CharField(
        label=_("Trích yếu"),
        max_length=300,
        help_text=_("Ví dụ: Về lãnh đạo thực hiện nhiệm vụ tháng 4 năm 2026"),
    )
    body = forms.CharField(
        label=_("Nội dung"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )


class AmendForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do đính chính"),
        max_length=300,
        help_text=_("Bắt buộc; được lưu cùng nội dung trước và sau trong lịch sử thay đổi."),
    )
    minutes = forms.CharField(
        label=_("Diễn biến cuộc họp"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    conclusions = forms.CharField(
        label=_("Kết luận"), required=False, widget=forms.Textarea(attrs=TEXT)
    )

    def __init__(self, meeting: Meeting, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"minutes": meeting.minutes, "conclusions": meeting.conclusions}
        )
        super().__init__(*args, **kwargs)
