"""Pages of a cascaded topic: the form on which a higher unit gives a thematic topic to every
cell below it, and the roll-up of how far the cells have come with it."""

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.accounts.models import User
from chibo.lib.dates import today
from chibo.lib.forms import submit
from chibo.meetings import cascade
from chibo.meetings.forms import _When
from chibo.meetings.models import Meeting
from chibo.units.models import Unit


class CascadeForm(_When):
    title = django_forms.CharField(label=gettext_lazy("Chủ đề sinh hoạt chuyên đề"), max_length=300)

    field_order = ["title", "day", "at", "place"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].help_text = gettext_lazy(
            "Mỗi chi bộ nhận một cuộc họp vào ngày giờ này và có thể tự dời trong tháng, quý."
        )
        self.fields["place"].help_text = gettext_lazy("Để trống để mỗi chi bộ tự ghi.")


def access_source(user: User, meeting_id: int, *, write: bool = False) -> Meeting:
    """A topic the user's scope covers the giving unit of; any other meeting is a 404."""
    source = access.access_meeting(user, meeting_id, write=write)
    if not source.cascaded.exists():
        raise Http404
    return source


def _cascadable(user: User, unit_id: int) -> Unit:
    unit = access.access_unit(user, unit_id, write=True)
    if not cascade.has_units_below(unit, today()):
        raise Http404  # a unit with no cell below has nothing to cascade to
    return unit


@login_required
def cascade_topic(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Give a thematic topic to every cell below the unit; the topics given before are listed."""
    user = user_of(request)
    unit = _cascadable(user, unit_id)
    form = CascadeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source = submit(
            form,
            lambda: cascade.cascade_topic(
                unit,
                actor=user,
                title=data["title"],
                starts_at=data["starts_at"],
                place=data["place"],
            ),
        )
        if source:
            messages.success(request, _("Đã giao chuyên đề cho các chi bộ."))
            return redirect("meetings:cascade_rollup", meeting_id=source.pk)
    context = {
        "unit": unit,
        "form": form,
        "cells": len(cascade.units_below(unit, today())),
        "sources": cascade.sources_of(unit),
    }
    return render(request, "meetings/cascade/form.html", context)


@login_required
def rollup(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """How many cells have held the topic, and which have not yet."""
    user = user_of(request)
    source = access_source(user, meeting_id)
    context = {
        "source": source,
        "unit": source.unit,
        "rollup": cascade.rollup(source),
        "can_extend": access.can_change_unit(user, source.unit),
    }
    return render(request, "meetings/cascade/rollup.html", context)


@require_POST
@login_required
def extend(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Give the topic to the cells below that do not have it yet (founded since)."""
    user = user_of(request)
    source = access_source(user, meeting_id, write=True)
    added = cascade.extend_cascade(source, actor=user)
    if added:
        messages.success(request, _("Đã giao chuyên đề thêm cho %(n)s chi bộ.") % {"n": added})
    else:
        messages.info(request, _("Mọi chi bộ đều đã được giao chuyên đề này."))
    return redirect("meetings:cascade_rollup", meeting_id=source.pk)
