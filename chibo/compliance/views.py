"""Pages of the compliance monitor: a unit's dashboard for a month, alerts (the inbox of the
people responsible, a unit's list, one alert with its acknowledgement and resolution), and a
removal review the cell decides on."""

from datetime import date
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.compliance import forms, obligations, selectors, services
from chibo.compliance.facts import month_end
from chibo.compliance.models import AlertState, RemovalReview
from chibo.lib.dates import today
from chibo.lib.forms import submit
from chibo.lib.replica import reads_from_replica

PAGE_SIZE = 50


def _month(request: HttpRequest) -> date:
    month = selectors.parse_month(request.GET.get("month"))
    return month if month and month <= today() else selectors.default_month()


@login_required
@reads_from_replica
def dashboard(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Headline figures, the matrix of the units below × obligations, twelve-month trends and
    the lagging units; for a cell, its meetings and pending removal reviews."""
    user = user_of(request)
    month = _month(request)
    unit = access.access_unit(user, unit_id, on=month_end(month))
    board = selectors.dashboard(user, unit, month)
    following = month + relativedelta(months=1)
    context = {
        "unit": unit,
        "board": board,
        "month": month,
        "previous": month - relativedelta(months=1),
        "next": following if following <= today() else None,
        "can_act": access.can_change_unit(user, unit),
    }
    return render(request, "compliance/dashboard.html", context)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The alerts the signed-in person is responsible for, the most serious first."""
    alerts = list(selectors.inbox(user_of(request))[:200])
    return render(request, "compliance/inbox.html", {"alerts": alerts})


@login_required
def unit_alerts(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The open (or resolved) alerts of a unit and the units below it, all months or one: the
    list behind the count on the month's dashboard, 50 to a page."""
    user = user_of(request)
    month = selectors.parse_month(request.GET.get("month"))
    if month and month > today():
        month = None
    unit = access.access_unit(user, unit_id, on=month_end(month) if month else None)
    resolved = request.GET.get("resolved") == "1"
    alerts = selectors.unit_alerts(user, unit, resolved=resolved, month=month)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"month": f"{month:%Y-%m}"} if month else {}
    context = {
        "unit": unit,
        "page": page,
        "month": month,
        "resolved": resolved,
        "query": urlencode({**query, "resolved": 1} if resolved else query),
        "other_state": urlencode(query if resolved else {**query, "resolved": 1}),
        "all_months": urlencode({"resolved": 1} if resolved else {}),
    }
    return render(request, "compliance/unit_alerts.html", context)


@login_required
def alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = user_of(request)
    found = access.access_alert(user, alert_id)
    context = {
        "alert": found,
        "obligation": obligations.REGISTRY.get(found.obligation),
        "who": selectors.who_acts(found),
        "escalates_on": selectors.escalates_on(found),
        "can_act": access.can_change_unit(user, found.unit) and found.state != AlertState.RESOLVED,
        "form": forms.ResolveForm(),
    }
    return render(request, "compliance/alert.html", context)


@require_POST
@login_required
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = user_of(request)
    found = access.access_alert(user, alert_id, write=True)
    form = forms.ResolveForm()
    if submit(form, lambda: services.acknowledge_alert(found, actor=user)):
        messages.success(request, _("Đã tiếp nhận cảnh báo."))
    else:
        messages.warning(request, " ".join(str(e) for e in form.non_field_errors()))
    return redirect("compliance:alert", alert_id=found.pk)


@require_POST
@login_required
def resolve(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = user_of(request)
    found = access.access_alert(user, alert_id, write=True)
    form = forms.ResolveForm(request.POST)
    if form.is_valid():
        note = form.cleaned_data["note"]
        if submit(form, lambda: services.resolve_alert(found, actor=user, note=note)):
            messages.success(request, _("Đã ghi kết quả xử lý cảnh báo."))
            return redirect("compliance:alert", alert_id=found.pk)
    context = {
        "alert": found,
        "obligation": obligations.REGISTRY.get(found.obligation),
        "who": selectors.who_acts(found),
        "escalates_on": selectors.escalates_on(found),
        "can_act": True,
        "form": form,
    }
    return render(request, "compliance/alert.html", context)


@login_required
def review(request: HttpRequest, review_id: int) -> HttpResponse:
    """A removal review: the months, and the cell's decision (a proposal, never a removal)."""
    user = user_of(request)
    found = access.access_review(user, review_id)
    return _review_page(
        request, found, forms.ReviewForm(), access.can_change_unit(user, found.unit)
    )


@require_POST
@login_required
def decide(request: HttpRequest, review_id: int) -> HttpResponse:
    """The cell records what it decided on the review."""
    user = user_of(request)
    found = access.access_review(user, review_id, write=True)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = submit(
            form,
            lambda: services.decide_review(
                found, actor=user, outcome=data["outcome"], note=data["note"]
            ),
        )
        if done:
            messages.success(request, _("Đã ghi ý kiến của chi bộ."))
            return redirect("compliance:review", review_id=found.pk)
    return _review_page(request, found, form, True)


def _review_page(
    request: HttpRequest, found: RemovalReview, form: forms.ReviewForm, can_decide: bool
) -> HttpResponse:
    context = {"review": found, "form": form, "can_decide": can_decide}
    return render(request, "compliance/review.html", context)
