"""Forms of the dues pages. They only read input; `services.collect_dues` checks the rules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.lib.dates import today
from chibo.meetings.dues.selectors import Line, MonthBook

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_MONTH = re.compile(r"^\s*(?:(\d{1,2})[/.-](\d{4})|(\d{4})-(\d{1,2}))\s*$")


class MonthField(forms.CharField):
    """A month typed as mm/yyyy (or yyyy-mm, as links carry it); cleaned to its first day."""

    def __init__(self, **kwargs: object) -> None:
        attrs = {"placeholder": "mm/yyyy", "autocomplete": "off", "size": 7}
        super().__init__(widget=forms.TextInput(attrs=attrs), **kwargs)  # type: ignore[arg-type]

    def to_python(self, value: object) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        match = _MONTH.match(text)
        if match:
            month, year = (match[1], match[2]) if match[1] else (match[4], match[3])
            if 1 <= int(month) <= 12 and 1900 <= int(year) <= 2999:
                return date(int(year), int(month), 1)
        raise forms.ValidationError(_("Tháng viết theo dạng mm/yyyy, ví dụ 03/2026."))

    def prepare_value(self, value: object) -> object:
        return value.strftime("%m/%Y") if isinstance(value, date) else value


class MonthForm(forms.Form):
    """Which month a dues page shows, and the meeting it is collected at (from its page)."""

    month = MonthField(label=_("Tháng"), required=False)
    meeting = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


def year_field(label: StrOrPromise) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1900,
        max_value=2999,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 4}),
    )


class YearForm(forms.Form):
    year = year_field(_("Năm"))

    def chosen(self) -> int:
        return (self.cleaned_data.get("year") if self.is_valid() else None) or today().year


class PeriodForm(forms.Form):
    """The period of the totals page: a month (mm/yyyy) or, without one, a whole year."""

    month = MonthField(label=_("Tháng"), required=False)
    year = year_field(_("hoặc cả năm"))


class DuesForm(forms.Form):
    """One line per member of the month's book: the amount, prefilled, and a paid box.

    Members whose month another unit recorded, or who are no longer on the roll, are shown
    but not editable. A line is sent to the service when it is ticked or was recorded before.
    """

    def __init__(self, book: MonthBook, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.book = book
        self.editable = [line for line in book.lines if line.on_roll and line.collected_here]
        for line in self.editable:
            pk, name = line.member.pk, line.member.full_name
            amount = line.payment.amount if line.payment else line.rate
            amount_label = _("Số tiền của %(name)s, đồng") % {"name": name}
            self.fields[f"amount_{pk}"] = forms.IntegerField(
                label=amount_label,
                min_value=0,
                required=False,
                localize=True,
                initial=amount,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "numeric",
                        "autocomplete": "off",
                        "size": 8,
                        "aria-label": amount_label,
                    }
                ),
            )
            paid_label = _("%(name)s đã nộp") % {"name": name}
            self.fields[f"paid_{pk}"] = forms.BooleanField(
                label=paid_label,
                required=False,
                initial=line.paid,
                widget=forms.CheckboxInput(attrs={"aria-label": paid_label}),
            )

    def rows(self) -> Iterator[tuple[Line, forms.BoundField | None, forms.BoundField | None]]:
        """Each line of the book with its two fields (None for lines that are not editable)."""
        editable = {line.member.pk for line in self.editable}
        for line in self.book.lines:
            if line.member.pk in editable and line.on_roll:
                pk = line.member.pk
                yield line, self[f"amount_{pk}"], self[f"paid_{pk}"]
            else:
                yield line, None, None

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        payments: dict[int, tuple[int | None, bool]] = {}
        for line in self.editable:
            pk = line.member.pk
            paid = bool(data.get(f"paid_{pk}"))
            if paid or line.payment is not None:
                payments[pk] = (data.get(f"amount_{pk}"), paid)
        if not payments and not self.errors:
            raise forms.ValidationError(
                _("Chưa đánh dấu đảng viên nào đã nộp: không có gì để lưu.")
            )
        data["payments"] = payments
        return data
