"""The rules that apply to a unit, where each value comes from, and setting a unit's own."""

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.accounts.models import User
from chibo.lib.dates import today
from chibo.lib.forms import errors_as_messages, submit
from chibo.rulebook import forms, registry, selectors, services
from chibo.units.models import Unit


@login_required
def unit_rules(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = user_of(request)
    unit = access.access_unit(user, unit_id)
    groups = selectors.effective_rules(unit, today())
    for group in groups:
        for row in group.rules:
            row.may_set = access.can_set_rule(
                user, unit, local=row.rule.local, decided_above=row.rule.decided_above
            )
    context = {
        "unit": unit,
        "groups": groups,
        "history": selectors.history_of(unit),
        "changed": [row for group in groups for row in group.rules if row.setting is not None],
        "today": today(),
    }
    return render(request, "rulebook/unit.html", context)


def _change(
    request: HttpRequest,
    unit_id: int,
    form_class: type[django_forms.Form],
    write: Callable[[Unit, User, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Check access and the form, run the service, and report on the rules page."""
    user = user_of(request)
    unit = access.access_unit(user, unit_id, write=True)
    form = form_class(request.POST)
    if form.is_valid():
        item = registry.find(form.cleaned_data["key"])
        if item is None or not access.can_set_rule(
            user, unit, local=item.local, decided_above=item.decided_above
        ):
            form.add_error(
                None,
                _(
                    "Quy định này do Trung ương quy định, đơn vị không tự đặt. "
                    "(This rule is set centrally.)"
                ),
            )
        elif submit(form, lambda: write(unit, user, form.cleaned_data)):
            messages.success(request, done)
            return redirect("rulebook:unit", unit.pk)
    errors_as_messages(request, form)
    return redirect("rulebook:unit", unit.pk)


@require_POST
@login_required
def set_rule(request: HttpRequest, unit_id: int) -> HttpResponse:
    return _change(
        request,
        unit_id,
        forms.SetRuleForm,
        lambda unit, user, data: services.set_rule(unit, actor=user, **data),
        _("Đã đặt quy định cho đơn vị và các đơn vị trực thuộc."),
    )


@require_POST
@login_required
def end_rule(request: HttpRequest, unit_id: int) -> HttpResponse:
    return _change(
        request,
        unit_id,
        forms.EndRuleForm,
        lambda unit, user, data: services.end_rule(unit, actor=user, **data),
        _("Đơn vị trở lại theo quy định của cấp trên."),
    )
