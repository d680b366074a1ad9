"""Pages of a unit's committee: its seats as of a date, its supervisors, and the forms that
change them. A unit's committee is decided by the committee above it, so every change asks
for the unit `from_above` (accounts.access)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.committees import forms, rules, selectors, services
from chibo.lib.dates import today
from chibo.lib.forms import submit
from chibo.units import selectors as unit_selectors
from chibo.units.forms import AsOfForm
from chibo.units.models import Unit, UnitKind


@login_required
def unit_committee(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = user_of(request)
    form = AsOfForm(request.GET or None)
    on = (form.cleaned_data.get("on") if form.is_valid() else None) or today()
    if form.is_valid():  # show the day as it is written here, whatever way it was asked for
        form = AsOfForm(initial={"on": on})
    unit = access.access_unit(user, unit_id, on=on)
    is_cell = unit.kind == UnitKind.CELL
    context = {
        "unit": unit,
        "version": unit_selectors.version_on(unit, on),
        "on": on,
        "is_today": on == today(),
        "today_visible": on == today() or bool(access.visible_among(user, [unit.pk])),
        "form": form,
        "can_change": on == today()
        and not unit.valid_to
        and access.can_change_unit(user, unit, from_above=True),
        "has_bodies": bool(rules.bodies_of(unit)),
        "official": selectors.official_member_count(unit, on) if is_cell else None,
        "min_official": rules.rule_for(unit, "cell_committee_min_official"),
        "max_seats": rules.rule_for(unit, "cell_committee_max_seats"),
        "seats": selectors.seats_on(unit, on),
        "later": selectors.later_seats(unit, on),
        "former": selectors.former_seats(unit, on),
        "supervisors": selectors.supervisors_on(unit, on),
    }
    template = "committees/_unit_body.html" if request.htmx else "committees/unit.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _done(request: HttpRequest, unit: Unit, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("committees:unit", unit_id=unit.pk)


def _page(
    request: HttpRequest, unit: Unit, form: object, title: str, subject: str = ""
) -> HttpResponse:
    context = {"unit": unit, "form": form, "title": title, "subject": subject}
    return render(request, "committees/change.html", context)


@login_required
def appoint(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = user_of(request)
    unit = access.access_unit(user, unit_id, from_above=True)
    members = selectors.appointable_members(unit, today())
    form = forms.AppointForm(unit, members, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        seat = submit(
            form,
            lambda: services.appoint(
                data["member"],
                actor=user,
                unit=unit,
                body=data["body"],
                position=data["position"],
                valid_from=data["valid_from"],
                basis=data["basis"],
            ),
        )
        if seat:
            return _done(request, unit, _("Đã ghi nhận %(seat)s.") % {"seat": seat})
    return _page(request, unit, form, _("Ghi nhận chức vụ cấp ủy"))


@login_required
def end_seat(request: HttpRequest, seat_id: int) -> HttpResponse:
    user = user_of(request)
    seat = selectors.access_seat(user, seat_id)
    form = forms.EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if submit(
            form,
            lambda: services.end_seat(seat, actor=user, on=data["on"], basis=data["basis"]),
        ):
            return _done(request, seat.unit, _("Đã ghi nhận thôi giữ chức."))
    return _page(request, seat.unit, form, _("Thôi giữ chức vụ cấp ủy"), str(seat))


@login_required
def assign(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = user_of(request)
    unit = access.access_unit(user, unit_id, from_above=True)
    form = forms.AssignForm(
        selectors.possible_supervisors(user, unit, today()), request.POST or None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if submit(
            form,
            lambda: services.assign_supervisor(
                data["supervisor"],
                actor=user,
                unit=unit,
                valid_from=data["valid_from"],
                basis=data["basis"],
                note=data["note"],
            ),
        ):
            return _done(request, unit, _("Đã phân công phụ trách."))
    return _page(request, unit, form, _("Phân công cấp ủy viên phụ trách"))


@login_required
def end_supervision(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user = user_of(request)
    assignment = selectors.access_supervision(user, assignment_id)
    form = forms.EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if submit(
            form,
            lambda: services.end_supervision(
                assignment, actor=user, on=data["on"], basis=data["basis"]
            ),
        ):
            return _done(request, assignment.unit, _("Đã kết thúc phân công phụ trách."))
    return _page(request, assignment.unit, form, _("Kết thúc phân công phụ trách"), str(assignment))
