"""Forms of the recruitment pages. They only read input; the services check the rules."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.lib.dates import today
from chibo.members import selectors as member_selectors
from chibo.members.models import Member, Sex, Status
from chibo.recruitment.models import (
    Candidate,
    Education,
    Introducer,
    IntroducerKind,
    Proposal,
    Relation,
    StepKind,
    Verdict,
)
from chibo.recruitment.services import base_of
from chibo.units.forms import date_field
from chibo.units.models import Unit

MONTH_FORMATS = ["%m/%Y", "%Y-%m"]


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return obj.full_name


def official_members(unit: Unit, on: date | None = None) -> list[int]:
    """Ids of the official members on the roll of `unit` and below on `on` (one query)."""
    rows = member_selectors.roll(unit.path, on or today())
    return [m.member_id for m in rows if m.status == Status.OFFICIAL]  # type: ignore[attr-defined]


def member_field(label: Any, unit: Unit, required: bool = True) -> MemberChoice:
    ids = official_members(unit)
    return MemberChoice(
        label=label,
        queryset=Member.objects.filter(pk__in=ids).order_by("sort_name", "id"),
        required=required,
        empty_label="—",
    )


class CandidateForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=120)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices)
    birth_date = date_field(_("Ngày sinh"))
    education = forms.ChoiceField(label=_("Trình độ học vấn"), choices=Education.choices)
    education_exception = forms.CharField(
        label=_("Căn cứ ngoại lệ về học vấn"),
        max_length=200,
        required=False,
        help_text=_("Chỉ khi chưa tốt nghiệp THCS: vùng cao, hải đảo, đồng bào dân tộc thiểu số."),
    )
    youth_union = forms.BooleanField(label=_("Là đoàn viên Đoàn TNCS Hồ Chí Minh"), required=False)
    citizen_id = forms.CharField(
        label=_("Số căn cước công dân"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    occupation = forms.CharField(label=_("Nghề nghiệp"), max_length=100, required=False)
    workplace = forms.CharField(label=_("Nơi làm việc, học tập"), max_length=200, required=False)
    address = forms.CharField(label=_("Nơi ở hiện nay"), max_length=300, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    listed_on = date_field(_("Đưa vào danh sách ngày"))

    def __init__(self, unit: Unit, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["helper"] = member_field(_("Đảng viên được phân công giúp đỡ"), unit, False)
        self.fields["listed_on"].initial = today()


class EditCandidateForm(CandidateForm):
    """The person's details only: the listing day and the helper are not corrected here."""

    def __init__(self, unit: Unit, *args: Any, **kwargs: Any) -> None:
        super().__init__(unit, *args, **kwargs)
        del self.fields["listed_on"], self.fields["helper"]


class ReviewForm(forms.Form):
    on = date_field(_("Ngày rà soát"))
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)


# Which fields each step asks for, and what its date means.
STEP_FIELDS: dict[str, list[str]] = {
    StepKind.CERTIFICATE: ["on", "by", "number", "file"],
    StepKind.APPLICATION: ["on", "file"],
    StepKind.HISTORY: ["on", "number", "file"],
    StepKind.VERIFICATION: ["on", "number", "by", "file"],
    StepKind.OPINIONS: ["on", "by", "note", "file"],
    StepKind.CELL_RESOLUTION: ["on", "number", "votes_for", "votes_against", "note", "file"],
    StepKind.COMMITTEE_RESOLUTION: ["on", "number", "votes_for", "votes_against", "note", "file"],
    StepKind.EXTENSION: ["on", "workdays", "note"],
    StepKind.DECISION: ["on", "number", "received_on", "by", "file"],
    StepKind.CEREMONY: ["on", "helper", "card_number", "consent", "note"],
    StepKind.PROBATION_CELL: [
        "on",
        "proposal",
        "number",
        "votes_for",
        "votes_against",
        "note",
        "file",
    ],
    StepKind.PROBATION_COMMITTEE: ["on", "number", "votes_for", "votes_against", "note", "file"],
    StepKind.RECOGNITION: ["on", "number", "by", "file"],
    StepKind.REMOVAL: ["on", "number", "by", "note", "file"],
    StepKind.WITHDRAWAL: ["on", "note"],
}
DATE_LABELS: dict[str, Any] = {
    StepKind.CERTIFICATE: _("Ngày cấp giấy chứng nhận"),
    StepKind.APPLICATION: _("Ngày viết đơn"),
    StepKind.HISTORY: _("Ngày chứng nhận lý lịch"),
    StepKind.VERIFICATION: _("Ngày kết luận thẩm tra"),
    StepKind.OPINIONS: _("Ngày tổng hợp ý kiến"),
    StepKind.CELL_RESOLUTION: _("Ngày chi bộ họp xét"),
    StepKind.COMMITTEE_RESOLUTION: _("Ngày đảng ủy họp xét"),
    StepKind.EXTENSION: _("Ngày quyết định gia hạn"),
    StepKind.DECISION: _("Ngày quyết định"),
    StepKind.CEREMONY: _("Ngày lễ kết nạp"),
    StepKind.PROBATION_CELL: _("Ngày chi bộ họp xét"),
    StepKind.PROBATION_COMMITTEE: _("Ngày đảng ủy họp xét"),
    StepKind.RECOGNITION: _("Ngày quyết định"),
    StepKind.REMOVAL: _("Ngày quyết định"),
    StepKind.WITHDRAWAL: _("Ngày thôi theo dõi"),
}
BY_LABELS: dict[str, Any] = {
    StepKind.CERTIFICATE: _("Nơi cấp"),
    StepKind.OPINIONS: _("Các tổ chức cho ý kiến"),
}


class StepForm(forms.Form):
    on = date_field(_("Ngày"))
    number = forms.CharField(label=_("Số văn bản"), max_length=60, required=False)
    by = forms.CharField(label=_("Người, cơ quan thực hiện"), max_length=200, required=False)
    proposal = forms.ChoiceField(label=_("Nội dung đề nghị"), choices=Proposal.choices)
    votes_for = forms.IntegerField(label=_("Số tán thành"), min_value=0)
    votes_against = forms.IntegerField(label=_("Số không tán thành"), min_value=0, required=False)
    workdays = forms.IntegerField(label=_("Gia hạn (ngày làm việc)"), min_value=1)
    received_on = date_field(_("Ngày chi bộ nhận quyết định"), required=False)
    card_number = forms.CharField(label=_("Số thẻ đảng viên"), max_length=12, required=False)
    consent = forms.CharField(
        label=_("Văn bản đồng ý của cấp ủy cấp trên (nếu quá hạn)"), max_length=120, required=False
    )
    note = forms.CharField(
        label=_("Ghi chú, lý do"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    file = forms.FileField(label=_("Tài liệu kèm theo (ảnh, PDF)"), required=False)

    def __init__(self, candidate: Candidate, kind: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        wanted = STEP_FIELDS[kind]
        if "helper" in wanted:
            self.fields["helper"] = member_field(_("Đảng viên giúp đỡ"), candidate.unit)
            self.fields["helper"].initial = candidate.helper_id
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        self.order_fields(wanted)
        self.fields["on"].label = DATE_LABELS[kind]
        self.fields["on"].initial = today()
        if "by" in self.fields and kind in BY_LABELS:
            self.fields["by"].label = BY_LABELS[kind]


class DocumentForm(forms.Form):
    """A document added to a step already recorded."""

    file = forms.FileField(label=_("Tệp (PDF, ảnh, Word, Excel; tối đa 10 MB)"))
    title = forms.CharField(label=_("Tên tài liệu"), max_length=200, required=False)


class IntroducerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Hình thức"), choices=IntroducerKind.choices)
    since = date_field(_("Cùng công tác, học tập, cư trú từ ngày"), required=False)
    organisation = forms.CharField(label=_("Tổ chức giới thiệu"), max_length=200, required=False)
    number = forms.CharField(label=_("Số nghị quyết"), max_length=60, required=False)
    assigned_on = date_field(_("Ngày giới thiệu"))

    def __init__(self, candidate: Candidate, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"] = member_field(
            _("Đảng viên giới thiệu"), base_of(candidate.unit), False
        )
        self.order_fields(["kind", "member", "since", "organisation", "number", "assigned_on"])
        self.fields["assigned_on"].initial = today()


class ReplaceForm(forms.Form):
    introducer = forms.ModelChoiceField(
        label=_("Người giới thiệu thôi"), queryset=Introducer.objects.none()
    )
    on = date_field(_("Ngày thay"))
    reason = forms.CharField(label=_("Lý do"), max_length=200)

    def __init__(self, candidate: Candidate, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["introducer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = candidate.introducers.filter(
            ended_on__isnull=True, kind=IntroducerKind.MEMBER
        )
        self.fields["member"] = member_field(_("Người thay thế"), base_of(candidate.unit))
        self.fields["on"].initial = today()


class RelativeForm(forms.Form):
    relation = forms.ChoiceField(
        label=_("Quan hệ"), choices=[("", "—"), *Relation.choices], required=False
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=120, required=False)
    verdict = forms.ChoiceField(label=_("Kết quả thẩm tra"), choices=Verdict.choices)
    concluded_on = date_field(_("Ngày có kết quả"), required=False)
    by = forms.CharField(label=_("Nơi thẩm tra"), max_length=200, required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)


class TargetForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    target = forms.IntegerField(label=_("Chỉ tiêu kết nạp"), min_value=0)
    basis = forms.CharField(
        label=_("Căn cứ"),
        max_length=300,
        help_text=_("Nghị quyết đại hội hoặc nghị quyết của cấp ủy: số, ngày."),
    )


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("Từ tháng (mm/yyyy)"), input_formats=MONTH_FORMATS)
    end = forms.DateField(label=_("Đến tháng (mm/yyyy)"), input_formats=MONTH_FORMATS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("Tháng cuối trước tháng đầu. (End before start.)"))
        return data
