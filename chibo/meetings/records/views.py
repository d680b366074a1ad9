"""Pages of a meeting's records: the minutes, votes and resolutions with their forms, the
amendment of a closed meeting, and the PDFs. Reading needs a role that opens the members'
records of the meeting's unit; writing, a write role on it (accounts.access)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.lib.forms import submit
from chibo.meetings.models import Meeting, MeetingState
from chibo.meetings.records import forms, pdf, selectors, services


def _page(request: HttpRequest, meeting: Meeting, **bound: Any) -> HttpResponse:
    """The records page; a form that failed comes back in `bound` with its errors."""
    data = selectors.minutes_data(meeting)
    closed = meeting.state == MeetingState.CLOSED
    can_write = access.can_change_unit(user_of(request), meeting.unit)
    people = selectors.people_of(meeting) if can_write and not closed else []
    context = {
        "meeting": meeting,
        "data": data,
        "closed": closed,
        "open": meeting.state in (MeetingState.PLANNED, MeetingState.NOTIFIED, MeetingState.HELD),
        "held": meeting.state == MeetingState.HELD,
        "can_write": can_write,
        "minutes_form": bound.get("minutes_form") or forms.MinutesForm(meeting, people),
        "vote_form": bound.get("vote_form") or forms.VoteForm(data.resolutions),
        "resolution_form": bound.get("resolution_form") or forms.ResolutionForm(),
        "amend_form": bound.get("amend_form") or forms.AmendForm(meeting),
    }
    return render(request, "meetings/records/page.html", context)


def _done(request: HttpRequest, meeting: Meeting, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("meetings:records", meeting_id=meeting.pk)


@login_required
def records(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _page(request, selectors.access_meeting(user_of(request), meeting_id))


@require_POST
@login_required
def write_minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = user_of(request)
    meeting = selectors.access_meeting(user, meeting_id, write=True)
    form = forms.MinutesForm(meeting, selectors.people_of(meeting), request.POST)
    if (
        form.is_valid()
        and submit(form, lambda: services.write_minutes(meeting, actor=user, **form.cleaned_data))
        is not None
    ):
        return _done(request, meeting, _("Đã lưu biên bản."))
    return _page(request, meeting, minutes_form=form)


@require_POST
@login_required
def record_vote(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = user_of(request)
    meeting = selectors.access_meeting(user, meeting_id, write=True)
    form = forms.VoteForm(list(meeting.resolutions.all()), request.POST)
    if form.is_valid() and (
        vote := submit(form, lambda: services.record_vote(meeting, actor=user, **form.cleaned_data))
    ):
        outcome = _("thông qua") if vote.passed else _("không thông qua")
        return _done(
            request,
            meeting,
            _("Đã ghi biểu quyết: %(n)s/%(d)s tán thành, %(outcome)s.")
            % {"n": vote.votes_for, "d": vote.denominator, "outcome": outcome},
        )
    return _page(request, meeting, vote_form=form)


@require_POST
@login_required
def adopt_resolution(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = user_of(request)
    meeting = selectors.access_meeting(user, meeting_id, write=True)
    form = forms.ResolutionForm(request.POST)
    if form.is_valid() and (
        resolution := submit(
            form, lambda: services.adopt_resolution(meeting, actor=user, **form.cleaned_data)
        )
    ):
        code = selectors.resolution_code(resolution)
        return _done(request, meeting, _("Đã thông qua nghị quyết số %(code)s.") % {"code": code})
    return _page(request, meeting, resolution_form=form)


@require_POST
@login_required
def amend(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = user_of(request)
    meeting = selectors.access_meeting(user, meeting_id, write=True)
    form = forms.AmendForm(meeting, request.POST)
    if (
        form.is_valid()
        and submit(form, lambda: services.amend_meeting(meeting, actor=user, **form.cleaned_data))
        is not None
    ):
        return _done(request, meeting, _("Đã ghi đính chính biên bản."))
    return _page(request, meeting, amend_form=form)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def minutes_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.access_meeting(user_of(request), meeting_id)
    content = pdf.minutes_pdf(selectors.minutes_data(meeting))
    return _pdf(content, f"bien-ban-{meeting.pk}.pdf")


@login_required
def attendance_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.access_meeting(user_of(request), meeting_id)
    content = pdf.attendance_pdf(selectors.minutes_data(meeting))
    return _pdf(content, f"danh-sach-du-hop-{meeting.pk}.pdf")


@login_required
def resolution_pdf(request: HttpRequest, resolution_id: int) -> HttpResponse:
    resolution = selectors.access_resolution(user_of(request), resolution_id)
    content = pdf.resolution_pdf(resolution, selectors.minutes_data(resolution.meeting))
    code = selectors.resolution_code(resolution).replace("/", "-")
    return _pdf(content, f"nghi-quyet-{code}-{resolution.year}.pdf")
