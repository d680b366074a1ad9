"""Forms of the meeting pages. They only read input; the services check the rules."""

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chibo.meetings.models import Mark, Meeting, MeetingKind, MeetingMode, MeetingState
from chibo.meetings.rules import rule_for
from chibo.units.forms import date_field
from chibo.units.models import Unit


class TimeInput(forms.TimeInput):
    """The phone's own time picker; typed text (19:30, 19h30, 19h) is read too."""

    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


def time_field(label: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        widget=TimeInput(),
        input_formats=["%H:%M", "%Hh%M", "%Hh", "%H.%M", "%H:%M:%S"],
        help_text=_("Giờ:phút, ví dụ 19:30"),
    )


class _When(forms.Form):
    day = date_field(_("Ngày họp"))
    at = time_field(_("Giờ bắt đầu"))
    place = forms.CharField(label=_("Địa điểm"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("day") and data.get("at"):
            # The day and hour as they are in Vietnam, whatever the server's clock.
            data["starts_at"] = timezone.make_aware(datetime.combine(data["day"], data["at"]))
        return data


class GuestForm(forms.Form):
    name = forms.CharField(label=_("Họ và tên khách mời"), max_length=120)
    role = forms.CharField(label=_("Chức vụ, nơi công tác"), max_length=200, required=False)


class CloseForm(forms.Form):
    """When the meeting ended: the day it started, at the time given."""

    ended = time_field(_("Giờ kết thúc"))

    def __init__(self, meeting: Meeting, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("ended"):
            day = timezone.localtime(self.meeting.starts_at).date()
            data["ends_at"] = timezone.make_aware(datetime.combine(day, data["ended"]))
        return data


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Meeting) -> str:
        return f"{obj.get_kind_display()} {timezone.localtime(obj.starts_at):%d/%m/%Y %H:%M}"


class PlanForm(_When):
    kind = forms.ChoiceField(label=_("Loại cuộc họp"), choices=MeetingKind.choices)
    title = forms.CharField(
        label=_("Chủ đề"),
        max_length=300,
        required=False,
        help_text=_("Bắt buộc với sinh hoạt chuyên đề."),
    )

    mode = forms.ChoiceField(
        label=_("Hình thức"),
        choices=MeetingMode.choices,
        initial=MeetingMode.IN_PERSON,
        required=False,
        help_text=_("Trực tuyến hoặc kết hợp chỉ khi cấp ủy cấp trên đã cho phép (03-HD/TW)."),
    )
    prepares = MeetingChoiceField(
        label=_("Chuẩn bị cho cuộc họp"),
        queryset=Meeting.objects.none(),
        required=False,
        help_text=_("Với cuộc họp chi ủy chuẩn bị: cuộc họp sắp tới mà chi ủy chuẩn bị."),
    )

    field_order = ["kind", "prepares", "day", "at", "place", "mode", "title"]

    def __init__(self, unit: Unit, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = MeetingKind.REGULAR
        self.fields["at"].initial = time(rule_for(unit, "regular_start_hour"))
        # Only this unit's meetings still to come can be prepared: the list leaks nothing.
        upcoming = (
            Meeting.objects.filter(
                unit=unit,
                state__in=[MeetingState.PLANNED, MeetingState.NOTIFIED],
                starts_at__gte=timezone.now(),
            )
            .exclude(kind=MeetingKind.PREPARATORY)
            .order_by("starts_at")
        )
        prepares = self.fields["prepares"]
        assert isinstance(prepares, MeetingChoiceField)
        prepares.queryset = upcoming
        if not rule_for(unit, "online_approved"):
            self.fields["mode"].widget = forms.HiddenInput()

    def clean_mode(self) -> str:
        return self.cleaned_data.get("mode") or MeetingMode.IN_PERSON


class MoveForm(_When):
    def __init__(self, meeting: Meeting, *args: Any, **kwargs: Any) -> None:
        local = timezone.localtime(meeting.starts_at)
        kwargs.setdefault(
            "initial", {"day": local.date(), "at": local.time(), "place": meeting.place}
        )
        super().__init__(*args, **kwargs)
        self.fields["day"].label = _("Ngày họp mới")
        self.fields["at"].label = _("Giờ bắt đầu mới")


class MarkForm(forms.Form):
    """One member's mark on the roll call: the button tapped, and a reason for an absence."""

    mark = forms.ChoiceField(choices=Mark.choices)
    reason = forms.CharField(label=_("Lý do vắng"), max_length=200, required=False)


class AllPresentForm(forms.Form):
    """No fields: the "everyone present" button itself. Holds the refusal, if any."""
