"""Meeting pages: a unit's meetings, a meeting, planning and moving, the roll call made for a
phone, and the QR self check-in."""

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.lib.dates import today
from chibo.lib.forms import submit
from chibo.meetings import cascade, forms, selectors, services
from chibo.meetings import checkin as checkins
from chibo.meetings.models import Attendance, Mark, Meeting, MeetingKind, MeetingState
from chibo.members.models import Member

PAGE_SIZE = 20
LOCKED = selectors.LOCKED
HELD = selectors.HELD


@login_required
def unit_meetings(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit's meetings: today's and upcoming ones, then the past ones page by page."""
    user = user_of(request)
    unit = access.access_unit(user, unit_id)
    start = timezone.make_aware(datetime.combine(today(), time()))
    meetings = selectors.with_turnout(selectors.meetings_of(unit.pk))
    upcoming = list(meetings.filter(starts_at__gte=start).order_by("starts_at"))
    past = Paginator(meetings.filter(starts_at__lt=start), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for meeting in [*upcoming, *past.object_list]:
        meeting.rate = selectors.rate_of(meeting)  # type: ignore[attr-defined]
    can_plan = access.can_change_unit(user, unit)
    return render(
        request,
        "meetings/unit.html",
        {
            "unit": unit,
            "upcoming": upcoming,
            "past": past,
            "can_plan": can_plan,
            "can_cascade": can_plan and cascade.has_units_below(unit, today()),
        },
    )


@login_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = user_of(request)
    meeting = access.access_meeting(user, meeting_id)
    expected = selectors.expected(meeting)
    figures = selectors.turnout(meeting, expected_count=len(expected.members))
    can_write = access.can_change_unit(user, meeting.unit)
    is_open = meeting.state not in LOCKED
    url = request.build_absolute_uri(checkins.path(meeting))
    context = {
        "meeting": meeting,
        "unit": meeting.unit,
        "agenda": meeting.agenda.select_related("assignee"),
        "expected": expected,
        "figures": figures,
        "absent": figures.excused + figures.unexcused,
        "held": meeting.state in HELD,
        "can_write": can_write,
        "sees_members": access.sees_members_of(user, meeting.unit),
        "can_move": can_write and meeting.state in (MeetingState.PLANNED, MeetingState.NOTIFIED),
        "qr": checkins.qr_svg(url, _("Mã QR tự điểm danh")) if can_write and is_open else None,
        "window": checkins.window(meeting),
        "prepared": meeting.prepares,
        "preparations": list(meeting.preparations.order_by("starts_at")),
    }
    return render(request, "meetings/detail.html", context)


@login_required
def plan(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = user_of(request)
    unit = access.access_unit(user, unit_id, write=True)
    form = forms.PlanForm(unit, request.POST or None, initial=_plan_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = submit(
            form,
            lambda: services.plan_meeting(
                unit,
                actor=user,
                kind=data["kind"],
                starts_at=data["starts_at"],
                place=data["place"],
                title=data["title"],
                mode=data["mode"],
                prepares=data["prepares"],
            ),
        )
        if meeting:
            messages.success(request, _("Đã lên lịch cuộc họp."))
            return redirect("meetings:detail", meeting_id=meeting.pk)
    title = _("Lên lịch cuộc họp")
    return render(request, "meetings/form.html", {"unit": unit, "form": form, "title": title})


def _plan_initial(request: HttpRequest) -> dict[str, Any]:
    """ "Plan the preparatory meeting" from a meeting's page: ?prepares=<id> preselects it."""
    prepares = request.GET.get("prepares", "")
    if not prepares.isdigit():
        return {}
    return {"kind": MeetingKind.PREPARATORY, "prepares": int(prepares)}


@login_required
def move(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = user_of(request)
    meeting = access.access_meeting(user, meeting_id, write=True)
    form = forms.MoveForm(meeting, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if submit(
            form,
            lambda: services.move_meeting(
                meeting, actor=user, starts_at=data["starts_at"], place=data["place"]
            ),
        ):
            messages.success(request, _("Đã dời cuộc họp."))
            return redirect("meetings:detail", meeting_id=meeting.pk)
    context = {"unit": meeting.unit, "meeting": meeting, "form": form, "title": _("Dời cuộc họp")}
    return render(request, "meetings/form.html", context)


@login_required
def guests(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The meeting's guests, and a form to add one for those who may write."""
    user = user_of(request)
    writing = request.method == "POST"
    meeting = access.access_meeting(user, meeting_id, write=writing, members=True)
    form = forms.GuestForm(request.POST or None)
    if writing and form.is_valid():
        data = form.cleaned_data
        if submit(
            form,
            lambda: services.add_guest(meeting, actor=user, name=data["name"], role=data["role"]),
        ):
            messages.success(request, _("Đã ghi khách mời."))
            return redirect("meetings:guests", meeting_id=meeting.pk)
    can_add = access.can_change_unit(user, meeting.unit) and meeting.state not in LOCKED
    return render(
        request,
        "meetings/guests.html",
        {
            "meeting": meeting,
            "unit": meeting.unit,
            "guests": meeting.guests.order_by("id"),
            "form": form if can_add else None,
        },
    )


@login_required
def close(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Close a held meeting: the roll, minutes and votes are locked from then on."""
    user = user_of(request)
    meeting = access.access_meeting(user, meeting_id, write=True)
    form = forms.CloseForm(meeting, request.POST or None)
    if request.method == "POST" and form.is_valid():
        ends_at = form.cleaned_data["ends_at"]
        warnings = submit(
            form, lambda: services.close_meeting(meeting, actor=user, ends_at=ends_at)
        )
        if warnings is not None:
            for warning in warnings:
                messages.warning(request, warning)
            messages.success(request, _("Đã khóa biên bản cuộc họp."))
            return redirect("meetings:detail", meeting_id=meeting.pk)
    context = {
        "unit": meeting.unit,
        "meeting": meeting,
        "form": form,
        "title": _("Kết thúc và khóa biên bản"),
        "intro": _(
            "Sau khi khóa, điểm danh, biên bản và biểu quyết không sửa được nữa; muốn sửa phải "
            "ghi đính chính có lý do."
        ),
    }
    return render(request, "meetings/form.html", context)


# The roll call. One line per expected member; everything a page shows is read in a fixed
# number of queries (expected members, their marks, the figures), whatever the cell's size.


@dataclass(frozen=True)
class Row:
    member: Member
    attendance: Attendance | None
    exempted: bool = False


@dataclass(frozen=True)
class Roll:
    rows: list[Row]
    exempted: list[Row]
    figures: selectors.Turnout

    @property
    def absent(self) -> int:
        return self.figures.excused + self.figures.unexcused

    def find(self, member_id: int) -> Row | None:
        return next((r for r in [*self.rows, *self.exempted] if r.member.pk == member_id), None)


def _roll(meeting: Meeting, expected: selectors.Expected | None = None) -> Roll:
    """The roll with its marks as they are now; `expected`, where the caller has read it
    (marking members does not change who is expected)."""
    if expected is None:
        expected = selectors.expected(meeting)
    marks = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    return Roll(
        [Row(m, marks.get(m.pk)) for m in expected.members],
        [Row(m, marks.get(m.pk), exempted=True) for m in expected.exempted],
        selectors.turnout(meeting, expected_count=len(expected.members)),
    )


def _one_line(meeting: Meeting, on_roll: selectors.Expected) -> Roll:
    """The answer to one member's mark: their line and the meeting's figures, without the
    cell's whole roll (`on_roll`: `expected` of that member alone; the number expected is
    counted in SQL)."""
    member = [*on_roll.members, *on_roll.exempted][0]
    attendance = Attendance.objects.filter(meeting=meeting, member=member).first()
    line = Row(member, attendance, exempted=member not in on_roll.members)
    figures = selectors.turnout(meeting, expected_count=selectors.expected_count(meeting))
    return Roll([] if line.exempted else [line], [line] if line.exempted else [], figures)


def _roll_context(
    request: HttpRequest,
    meeting: Meeting,
    expected: selectors.Expected | None = None,
    roll: Roll | None = None,
    **extra: Any,
) -> dict[str, Any]:
    user = user_of(request)
    can_write = access.can_change_unit(user, meeting.unit)
    refusal = selectors.roll_refusal(meeting)
    return {
        "meeting": meeting,
        "unit": meeting.unit,
        "roll": roll or _roll(meeting, expected),
        "roll_url": reverse("meetings:roll_call", args=[meeting.pk]),
        "can_mark": can_write and refusal is None,
        "notice": refusal,
        "editing": None,
        "form": None,
        **extra,
    }


def _member_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


@login_required
def roll_call(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The roll call page; `?member=ID` opens that member's line for a change (with htmx,
    only the line comes back), `?row=ID` gives the line back closed."""
    user = user_of(request)
    meeting = access.access_meeting(user, meeting_id, members=True)
    context = _roll_context(request, meeting)
    editing = _member_param(request, "member") if context["can_mark"] else None
    context["editing"] = editing
    line = editing or _member_param(request, "row")
    if request.htmx and line:  # type: ignore[attr-defined]
        row = context["roll"].find(line)
        if row is None:
            raise Http404
        return render(request, "meetings/_roll_row.html", {**context, "row": row})
    return render(request, "meetings/roll_call.html", context)


@require_POST
@login_required
def all_present(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """One tap: everyone expected who has no mark yet is present. Marks already taken stay."""
    user = user_of(request)
    meeting = access.access_meeting(user, meeting_id, write=True)
    expected = selectors.expected(meeting)
    roll = _roll(meeting, expected)
    marks = {r.member.pk: (Mark.PRESENT, "") for r in roll.rows if r.attendance is None}
    form = forms.AllPresentForm(request.POST)
    written = submit(form, lambda: services.take_roll(meeting, actor=user, marks=marks))
    if written is None:
        context = _roll_context(request, meeting, expected, errors=form.non_field_errors())
    else:
        done = _("Đã ghi có mặt %(n)s đảng viên.") % {"n": written}
        if not request.htmx:  # type: ignore[attr-defined]
            messages.success(request, done)
            return redirect("meetings:roll_call", meeting_id=meeting.pk)
        context = _roll_context(request, meeting, expected, done=done)
    template = "meetings/_roll.html" if request.htmx else "meetings/roll_call.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_POST
@login_required
def mark(request: HttpRequest, meeting_id: int, member_id: int) -> HttpResponse:
    """One member's exception: late, excused (with its reason), unexcused, or present again."""
    user = user_of(request)
    meeting = access.access_meeting(user, meeting_id, write=True)
    on_roll = selectors.expected(meeting, only=[member_id])
    if not on_roll.members and not on_roll.exempted:
        raise Http404
    form = forms.MarkForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = submit(
            form,
            lambda: services.take_roll(
                meeting, actor=user, marks={member_id: (data["mark"], data["reason"])}
            ),
        )
        if done is not None:
            if not request.htmx:  # type: ignore[attr-defined]
                url = reverse("meetings:roll_call", args=[meeting.pk])
                return redirect(f"{url}#m-{member_id}")
            context = _roll_context(request, meeting, roll=_one_line(meeting, on_roll))
            row = context["roll"].find(member_id)
            return render(request, "meetings/_roll_marked.html", {**context, "row": row})
    else:
        form.add_error(None, _("Hãy chọn một nút điểm danh."))
    context = _roll_context(request, meeting, editing=member_id, form=form)
    if request.htmx:  # type: ignore[attr-defined]
        row = context["roll"].find(member_id)
        return render(request, "meetings/_roll_row.html", {**context, "row": row})
    return render(request, "meetings/roll_call.html", context)


@login_required
def qr(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The check-in QR code, large, to show on a screen or the secretary's phone."""
    meeting = access.access_meeting(user_of(request), meeting_id, write=True)
    url = request.build_absolute_uri(checkins.path(meeting))
    context = {
        "meeting": meeting,
        "unit": meeting.unit,
        "locked": meeting.state in LOCKED,
        "qr": checkins.qr_svg(url, _("Mã QR tự điểm danh")),
        "window": checkins.window(meeting),
    }
    return render(request, "meetings/qr.html", context)


@login_required
def checkin(request: HttpRequest, meeting_id: int, code: str) -> HttpResponse:
    """A member's own check-in, from the QR code: the page says whether it is open to them,
    and one button (a POST, so a link preview writes nothing) records them present."""
    meeting = Meeting.objects.select_related("unit").filter(pk=meeting_id).first()
    if meeting is None or not checkins.code_matches(meeting, code):
        raise Http404
    user = user_of(request)
    status = 200
    if request.method == "POST":
        try:
            verdict = checkins.check_in(meeting, user=user)
        except ValidationError as error:
            verdict = checkins.Verdict(False, False, " ".join(error.messages))
        if verdict.done:
            messages.success(request, verdict.message)
            return redirect(request.path)
        status = 403
    else:
        verdict = checkins.assess(meeting, user)
    context = {"meeting": meeting, "verdict": verdict, "window": checkins.window(meeting)}
    return render(request, "meetings/checkin.html", context, status=status)
