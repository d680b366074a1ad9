"""Pages of transfers: the sending unit issues a letter, the receiving unit confirms it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.lib.dates import today
from chibo.lib.forms import errors_as_messages, submit
from chibo.members import rules
from chibo.members.transfers import forms, selectors, services


@login_required
def issue(request: HttpRequest, member_id: int) -> HttpResponse:
    user = user_of(request)
    member, unit = selectors.member_to_transfer(user, member_id)
    form = forms.IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        transfer = submit(
            form,
            lambda: services.issue_transfer(
                member,
                actor=user,
                kind=data["kind"],
                to_unit=data["to_unit_code"],
                destination_text=data["destination_text"],
                letter_number=data["letter_number"],
                letter_date=data["letter_date"],
                effective_on=data["effective_on"],
                until=data["until"],
                reason=data["reason"],
            ),
        )
        if transfer:
            messages.success(request, _("Đã ghi giấy giới thiệu %(n)s.") % {"n": transfer})
            return redirect("members:transfers_pending", unit_id=transfer.from_unit_id)
    limit = rules.rule("transfer_presentation_workdays", unit)
    context = {"member": member, "unit": unit, "form": form, "limit": limit}
    return render(request, "members/transfers/issue.html", context)


@login_required
def pending(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = user_of(request)
    unit = access.access_unit(user, unit_id)
    if not access.sees_members_of(user, unit):  # a list of members, as the roll is
        raise Http404
    outgoing, incoming = selectors.pending_transfers(user, unit, today())
    context = {"unit": unit, "outgoing": outgoing, "incoming": incoming, "today": today()}
    return render(request, "members/transfers/pending.html", context)


def _back(request: HttpRequest, fallback: int) -> HttpResponse:
    """Back to the list the button was pressed on (it names its unit), else the acting unit's."""
    back = request.POST.get("back", "")
    return redirect("members:transfers_pending", unit_id=int(back) if back.isdigit() else fallback)


@require_POST
@login_required
def confirm(request: HttpRequest, transfer_id: int) -> HttpResponse:
    user = user_of(request)
    transfer = selectors.access_transfer(user, transfer_id, side="to")
    form = forms.ConfirmForm(request.POST)
    on = form.cleaned_data["on"] if form.is_valid() else None
    if on and submit(form, lambda: services.confirm_transfer(transfer, actor=user, on=on)):
        messages.success(request, _("Đã tiếp nhận %(name)s.") % {"name": transfer.member})
    errors_as_messages(request, form)
    assert transfer.to_unit_id is not None
    return _back(request, transfer.to_unit_id)


@require_POST
@login_required
def cancel(request: HttpRequest, transfer_id: int) -> HttpResponse:
    user = user_of(request)
    transfer = selectors.access_transfer(user, transfer_id, side="from")
    form = forms.CancelForm(request.POST)
    why = form.cleaned_data["reason"] if form.is_valid() else ""
    if why and submit(form, lambda: services.cancel_transfer(transfer, actor=user, reason=why)):
        messages.success(request, _("Đã hủy giấy giới thiệu %(n)s.") % {"n": transfer})
    errors_as_messages(request, form)
    return _back(request, transfer.from_unit_id)
