"""Dues pages: a unit's month (the collection form at the meeting), its year book, and the
totals of a committee's subtree. Reading needs the unit's member records (not the member
role); recording needs a write role on the unit (accounts.access)."""

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.accounts.models import User
from chibo.lib.forms import submit
from chibo.lib.replica import reads_from_replica
from chibo.meetings.dues import forms, rules, selectors, services
from chibo.meetings.models import Meeting
from chibo.meetings.selectors import meeting_day
from chibo.units import selectors as unit_selectors
from chibo.units.models import Unit


def _readable(user: User, unit_id: int) -> Unit:
    unit = access.access_unit(user, unit_id)
    if not access.sees_members_of(user, unit):
        raise Http404
    return unit


def _meeting(unit: Unit, form: forms.MonthForm) -> Meeting | None:
    meeting_id = form.cleaned_data.get("meeting") if form.is_valid() else None
    if not meeting_id:
        return None
    meeting = selectors.meeting_of(unit, meeting_id)
    if meeting is None:
        raise Http404
    return meeting


def _month_page(
    request: HttpRequest, unit: Unit, period: forms.MonthForm, form: forms.DuesForm | None = None
) -> HttpResponse:
    user = user_of(request)
    meeting = _meeting(unit, period)
    asked = period.cleaned_data.get("month") if period.is_valid() else None
    at_meeting = (meeting.series_month or meeting_day(meeting)) if meeting else None
    month = selectors.month_of(asked or at_meeting or selectors.this_month())
    book = form.book if form else selectors.month_book(unit, month)
    if form is None and access.can_change_unit(user, unit):
        form = forms.DuesForm(book)
    context = {
        "unit": unit,
        "book": book,
        "month": month,
        "meeting": meeting,
        # The month as it is written here, or the bad input with its error.
        "period": period
        if period.errors and request.method == "GET"
        else forms.MonthForm(initial={"month": month, "meeting": meeting.pk if meeting else None}),
        "form": form,
        "before": month - relativedelta(months=1),
        "after": month + relativedelta(months=1),
    }
    return render(request, "meetings/dues/month.html", context)


@login_required
def dues_month(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _readable(user_of(request), unit_id)
    period = forms.MonthForm(request.GET)
    return _month_page(request, unit, period)


@require_POST
@login_required
def dues_collect(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = user_of(request)
    unit = access.access_unit(user, unit_id, write=True)
    period = forms.MonthForm(request.POST)
    month = period.cleaned_data.get("month") if period.is_valid() else None
    if month is None:
        messages.error(request, _("Chưa chọn tháng thu đảng phí."))
        return _month_page(request, unit, period)
    meeting = _meeting(unit, period)
    form = forms.DuesForm(selectors.month_book(unit, month), request.POST)
    if form.is_valid():
        payments = form.cleaned_data["payments"]
        done = submit(
            form,
            lambda: services.collect_dues(
                unit, actor=user, month=month, payments=payments, meeting=meeting
            ),
        )
        if done is not None:
            messages.success(
                request,
                _("Đã lưu đảng phí tháng %(month)s: %(n)s dòng thay đổi.")
                % {"month": month.strftime("%m/%Y"), "n": done},
            )
            query = f"?month={month:%Y-%m}" + (f"&meeting={meeting.pk}" if meeting else "")
            return redirect(reverse("meetings:dues_month", args=[unit.pk]) + query)
    return _month_page(request, unit, period, form)


@login_required
def dues_year(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _readable(user_of(request), unit_id)
    year = forms.YearForm(request.GET).chosen()
    context = {
        "unit": unit,
        "book": selectors.year_book(unit, year),
        "year": year,
        "threshold": rules.rule("unpaid_months_flag", unit),
        "calendar_year": rules.rule("unpaid_window", unit) == rules.CALENDAR_YEAR,
    }
    return render(request, "meetings/dues/year.html", context)


@login_required
@reads_from_replica
def dues_totals(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _readable(user_of(request), unit_id)
    period = forms.PeriodForm(request.GET)
    data: dict[str, Any] = period.cleaned_data if period.is_valid() else {}
    month: date | None = data.get("month")
    if data.get("year") and not month:
        months = selectors.months_of(data["year"])
    else:
        month = month or selectors.this_month()
        months = [month]
    on = selectors.reference_day(months)
    version = unit_selectors.version_on(unit, on)
    totals = selectors.totals_below(version, on, months) if version else {}
    children = unit_selectors.children_on(version, on) if version else []
    context = {
        "unit": unit,
        "version": version,
        "period": period,
        "month": month,
        "year": months[0].year,
        "on": on,
        "own": totals.get(unit.pk, selectors.Totals()),
        "children": [(child, totals.get(child.unit_id, selectors.Totals())) for child in children],
    }
    return render(request, "meetings/dues/totals.html", context)
