"""Forms of the quality pages. They only read input; the services check the rules."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.quality.models import Assessment, Criterion, Framework
from chibo.units.forms import date_field


def _lines(value: str, label: str) -> list[tuple[str, int]]:
    """ "Nội dung | 20" per line → [("Nội dung", 20)]; blank lines are skipped."""
    items = []
    for number, line in enumerate(value.splitlines(), start=1):
        if not line.strip():
            continue
        text, bar, points = line.rpartition("|")
        if not bar or not points.strip().isdigit():
            raise ValidationError(
                _("Dòng %(n)s: hãy ghi “%(label)s | số điểm”.") % {"n": number, "label": label}
            )
        items.append((text.strip(), int(points.strip())))
    return items


def _as_lines(items: list[tuple[str, int]]) -> str:
    return "\n".join(f"{text} | {points}" for text, points in items)


class FrameworkForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Tên khung tiêu chí"),
        max_length=200,
        help_text=gettext_lazy(
            "Ví dụ: Khung tiêu chí đánh giá, xếp loại chất lượng sinh hoạt chi bộ"
        ),
    )
    basis = forms.CharField(
        label=gettext_lazy("Căn cứ"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Ví dụ: Quy định 15-QĐi/TU (14/11/2018) của Tỉnh ủy Quảng Nam"),
    )
    valid_from = date_field(gettext_lazy("Áp dụng từ ngày"))
    criteria = forms.CharField(
        label=gettext_lazy("Tiêu chí"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Mỗi dòng một tiêu chí: nội dung | điểm tối đa"),
    )
    levels = forms.CharField(
        label=gettext_lazy("Mức xếp loại"),
        widget=forms.Textarea(attrs={"rows": 4}),
        initial="Tốt | 85\nKhá | 70\nTrung bình | 50\nKém | 0",
        help_text=gettext_lazy("Mỗi dòng một mức: tên | từ điểm. Mức thấp nhất từ 0 điểm."),
    )

    def __init__(
        self, *args: Any, framework: Framework | None = None, used: bool = False, **kwargs: Any
    ) -> None:
        if framework is not None:
            criteria = [(c.text, c.max_points) for c in framework.criteria.all()]
            levels = [(lv.name, lv.min_points) for lv in framework.levels.all()]
            kwargs.setdefault(
                "initial",
                {
                    "name": framework.name,
                    "basis": framework.basis,
                    "valid_from": framework.valid_from,
                    "criteria": _as_lines(criteria),
                    "levels": _as_lines(levels),
                },
            )
        super().__init__(*args, **kwargs)
        if used:  # assessed against: the items stay as they are (services.edit_framework)
            for name in ("valid_from", "criteria", "levels"):
                self.fields[name].disabled = True

    def clean_criteria(self) -> list[tuple[str, int]]:
        return _lines(self.cleaned_data["criteria"], _("nội dung"))

    def clean_levels(self) -> list[tuple[str, int]]:
        return _lines(self.cleaned_data["levels"], _("tên mức"))


class AssessmentForm(forms.Form):
    """Points and a note for each criterion of the framework, prefilled from an earlier
    assessment of the same meeting."""

    def __init__(
        self,
        criteria: list[Criterion],
        *args: Any,
        earlier: Assessment | None = None,
        **kwargs: Any,
    ) -> None:
        if earlier is not None:
            initial: dict[str, object] = {}
            for score in earlier.scores.all():
                initial[f"points_{score.criterion_id}"] = score.points
                initial[f"note_{score.criterion_id}"] = score.note
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"points_{c.pk}"] = forms.IntegerField(
                label=f"{c.position}. {c.text}",
                min_value=0,
                max_value=c.max_points,
                help_text=_("Từ 0 đến %(n)s điểm") % {"n": c.max_points},
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.fields[f"note_{c.pk}"] = forms.CharField(
                label=_("Ghi chú tiêu chí %(n)s") % {"n": c.position},
                max_length=300,
                required=False,
            )

    def points(self) -> dict[int, tuple[int, str]]:
        return {
            c.pk: (self.cleaned_data[f"points_{c.pk}"], self.cleaned_data[f"note_{c.pk}"])
            for c in self.criteria
        }
