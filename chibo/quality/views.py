"""Pages of meeting quality: a unit's frameworks and the forms of the committees that issue
them, a meeting's self-assessment, and a unit's results by month and by unit below."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.lib.dates import today
from chibo.lib.forms import submit
from chibo.lib.replica import reads_from_replica
from chibo.meetings.models import Meeting
from chibo.meetings.selectors import meeting_day
from chibo.quality import forms, rules, selectors, services
from chibo.quality.models import Framework
from chibo.units.models import Unit


@login_required
def frameworks(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The framework in force for the unit, those it issued, and those of the units below."""
    user = user_of(request)
    unit = access.access_unit(user, unit_id)
    found = selectors.frameworks_of(unit, today())
    for framework in [*found.own, *found.below]:
        framework.can_edit = access.can_change_unit(user, framework.unit)  # type: ignore[attr-defined]
    context = {
        "unit": unit,
        "found": found,
        "can_issue": rules.sets_frameworks(unit) and access.can_change_unit(user, unit),
    }
    return render(request, "quality/frameworks.html", context)


def _framework_page(
    request: HttpRequest, unit: Unit, form: forms.FrameworkForm, title: str, **extra: Any
) -> HttpResponse:
    context = {"unit": unit, "form": form, "title": title, **extra}
    return render(request, "quality/framework_form.html", context)


def _framework_args(form: forms.FrameworkForm) -> dict[str, Any]:
    return {k: form.cleaned_data[k] for k in ("name", "basis", "valid_from", "criteria", "levels")}


@login_required
def framework_new(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A committee issues a framework for the cells below it (RULES.md §1.7)."""
    user = user_of(request)
    unit = access.access_unit(user, unit_id, write=True)
    if not rules.sets_frameworks(unit):
        raise Http404
    form = forms.FrameworkForm(request.POST or None, initial={"valid_from": today()})
    if request.method == "POST" and form.is_valid():
        args = _framework_args(form)
        if submit(form, lambda: services.create_framework(unit, actor=user, **args)):
            messages.success(request, _("Đã ban hành khung tiêu chí."))
            return redirect("quality:frameworks", unit_id=unit.pk)
    return _framework_page(request, unit, form, _("Ban hành khung tiêu chí đánh giá"))


@login_required
def framework_edit(request: HttpRequest, framework_id: int) -> HttpResponse:
    user = user_of(request)
    framework = selectors.access_framework(user, framework_id, write=True)
    used = selectors.is_used(framework)
    form = forms.FrameworkForm(request.POST or None, framework=framework, used=used)
    if request.method == "POST" and form.is_valid():
        args = _framework_args(form)
        if submit(form, lambda: services.edit_framework(framework, actor=user, **args)):
            messages.success(request, _("Đã lưu khung tiêu chí."))
            return redirect("quality:frameworks", unit_id=framework.unit_id)
    title = _("Sửa khung tiêu chí đánh giá")
    return _framework_page(request, framework.unit, form, title, framework=framework, used=used)


def _refusal(meeting: Meeting, framework: Framework | None) -> str | None:
    """Why the meeting cannot be assessed now, if it cannot."""
    if meeting.kind not in rules.ASSESSED_KINDS:
        return _("Chỉ tự đánh giá buổi sinh hoạt thường kỳ hoặc chuyên đề của chi bộ.")
    if meeting.state not in rules.ASSESSED_STATES:
        return _("Chỉ đánh giá được cuộc họp đã diễn ra.")
    if framework is None:
        return _(
            "Chưa có khung tiêu chí nào áp dụng cho chi bộ vào ngày họp; cấp ủy cấp trên cần "
            "ban hành khung tiêu chí."
        )
    return None


@login_required
def meeting_quality(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """A meeting's self-assessment, for everyone who sees the meeting."""
    user = user_of(request)
    meeting = access.access_meeting(user, meeting_id)
    assessment = selectors.assessment_of(meeting)
    framework = None if assessment else selectors.framework_for(meeting.unit, meeting_day(meeting))
    context = {
        "meeting": meeting,
        "unit": meeting.unit,
        "assessment": assessment,
        "framework": assessment.framework if assessment else framework,
        "refusal": None if assessment else _refusal(meeting, framework),
        "can_assess": access.can_change_unit(user, meeting.unit),
    }
    return render(request, "quality/meeting.html", context)


@login_required
def assess(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The cell's self-assessment form: points and a note per criterion."""
    user = user_of(request)
    meeting = access.access_meeting(user, meeting_id, write=True)
    framework = selectors.framework_for(meeting.unit, meeting_day(meeting))
    refusal = _refusal(meeting, framework)
    form = None
    if framework is not None and refusal is None:
        earlier = selectors.assessment_of(meeting)
        criteria = list(framework.criteria.all())
        form = forms.AssessmentForm(criteria, request.POST or None, earlier=earlier)
        if request.method == "POST" and form.is_valid():
            points = form.points()
            done = submit(form, lambda: services.assess_meeting(meeting, actor=user, points=points))
            if done:
                messages.success(
                    request,
                    _("Đã tự đánh giá: %(total)s điểm, xếp loại %(level)s.")
                    % {"total": done.total, "level": done.level.name},
                )
                return redirect("quality:meeting", meeting_id=meeting.pk)
    context = {
        "meeting": meeting,
        "unit": meeting.unit,
        "framework": framework,
        "form": form,
        "refusal": refusal,
    }
    return render(request, "quality/assess.html", context)


def _year(request: HttpRequest) -> int:
    value = request.GET.get("year", "")
    year = int(value) if value.isdigit() else today().year
    return year if 1930 <= year <= today().year + 1 else today().year


@login_required
@reads_from_replica
def results(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The subtree's held meetings and their levels for a year, by month and by unit below."""
    user = user_of(request)
    unit = access.access_unit(user, unit_id)
    year = _year(request)
    found = selectors.results(unit, year)
    context = {
        "unit": unit,
        "year": year,
        "next_year": year + 1 if year < today().year + 1 else None,
        "results": found,
        "links": access.visible_among(user, [u.pk for u, _tally in found.units]) - {unit.pk},
    }
    return render(request, "quality/results.html", context)
