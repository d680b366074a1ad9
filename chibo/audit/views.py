"""History pages: what happened to a unit (and below it), and to one object."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.audit import selectors

PAGE_SIZE = 50


@login_required
def unit_history(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access.access_unit(user_of(request), unit_id)
    events = selectors.events_of_unit(user_of(request), unit)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/history.html", {"unit": unit, "page": page, "subject": unit})


@login_required
def object_history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    events = selectors.events_of_object(user_of(request), object_type, object_id)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    if not page.object_list:
        raise Http404
    own = [e for e in page.object_list if (e.object_type, e.object_id) == (object_type, object_id)]
    subject = own[0].object_text if own else selectors.object_text(object_type, object_id)
    return render(request, "audit/history.html", {"unit": None, "page": page, "subject": subject})
