"""Member pages: the roll of a unit, a member's record and timeline, and the status changes."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.committees import selectors as committee_selectors
from chibo.lib.dates import format_date, today
from chibo.lib.forms import submit
from chibo.lib.paging import CountedPaginator
from chibo.members import forms, privacy, selectors, services
from chibo.members.models import Member, Status
from chibo.units import selectors as unit_selectors

PAGE_SIZE = 50


@login_required
def member_list(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The members of a unit and every unit below it on a day, narrowed by the filters."""
    user = user_of(request)
    form = forms.RollFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    on = data.get("on") or today()
    unit = access.access_unit(user, unit_id, on=on)
    if not access.sees_members_of(user, unit):
        raise Http404
    version = unit_selectors.version_on(unit, on)
    filters = selectors.RollFilter(
        **{k: v for k, v in data.items() if k != "on" and v not in (None, "")}
    )
    rows = (
        selectors.roll(version.path, on, filters)
        if version
        else selectors.Membership.objects.none()
    )
    # A search finds its matches once, to count and to page them (chibo.lib.paging).
    paginator: type[Paginator] = CountedPaginator if filters.text else Paginator
    page = paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:  # shown values, computed here rather than in the template
        row.age = selectors.age_on(row.member.birth_date, on)
        row.party_age = selectors.party_age_on(row.member, on)
        row.status_label = Status(row.status).label
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "unit": unit,
        "version": version,
        "form": form,
        "page": page,
        "on": on,
        "query": query.urlencode(),
        "can_add": access.can_change_unit(user, unit),
    }
    template = "members/_roll.html" if request.htmx else "members/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    user = user_of(request)
    member = access.access_member(user, member_id)
    statuses, memberships = selectors.timeline(member)
    current = services.home_unit(member, today())
    home = current or services.latest_unit(member)
    full = home is not None and privacy.sees_sensitive(user, home.path)
    privacy.record_view(member, actor=user, unit=home)
    fields = [
        (Member._meta.get_field(name).verbose_name, _shown(member, name, full))  # type: ignore[union-attr]
        for name in services.DETAIL_FIELDS
        if name not in ("full_name", "sex", "dues_category")
        and getattr(member, name) not in (None, "")
    ]
    return render(
        request,
        "members/detail.html",
        {
            "member": member,
            "home": home,
            "fields": fields,
            "statuses": statuses,
            "memberships": memberships,
            "full": full,
            "can_edit": home is not None and access.can_change_unit(user, home),
            "can_transfer": current is not None and access.can_change_unit(user, current),
            "actions": _actions_for(user, member, home),
            "seats": committee_selectors.seats_of(member, today()),
            "supervised": committee_selectors.supervised_by(member, today()),
            "age": selectors.age_on(member.birth_date, today()),
            "party_age": selectors.party_age_on(member, today()),
        },
    )


def _shown(member: Member, name: str, full: bool) -> object:
    value = privacy.shown(member, name, full=full)
    if isinstance(value, date):
        return format_date(value)
    if name == "dues_monthly" and isinstance(value, int):
        return f"{value:,} đ".replace(",", ".")
    return value


@login_required
def add_member(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access.access_unit(user_of(request), unit_id, write=True)
    form = forms.MemberForm(request.POST or None)
    on_field = forms.StatusForm.base_fields["on"]
    if request.method == "POST" and form.is_valid():
        on = on_field.clean(request.POST.get("on") or today().strftime("%d/%m/%Y"))
        details = services.MemberDetails(
            **{n: form.cleaned_data[n] for n in services.DETAIL_FIELDS}
        )
        member = submit(
            form,
            lambda: services.register_member(
                unit,
                actor=user_of(request),
                details=details,
                on=on,
                basis=form.cleaned_data["reason"],
            ),
        )
        if member:
            messages.success(request, _("Đã thêm %(name)s vào danh sách.") % {"name": member})
            return redirect("members:detail", member_id=member.pk)
    return render(request, "members/edit.html", {"form": form, "unit": unit, "adding": True})


@login_required
def edit_member(request: HttpRequest, member_id: int) -> HttpResponse:
    user = user_of(request)
    member = access.access_member(user, member_id, write=True)
    home = services.home_unit(member, today()) or services.latest_unit(member)
    # Someone who sees sensitive data masked does not get it in the edit form either.
    hidden = () if home and privacy.sees_sensitive(user, home.path) else privacy.SENSITIVE_FIELDS
    form = forms.MemberForm(request.POST or None, instance=member, without=hidden)
    if request.method == "POST" and form.is_valid():
        changes = {n: form.cleaned_data[n] for n in services.DETAIL_FIELDS if n not in hidden}
        if submit(
            form,
            lambda: services.update_member(
                member, actor=user_of(request), changes=changes, reason=form.cleaned_data["reason"]
            ),
        ):
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("members:detail", member_id=member.pk)
    return render(request, "members/edit.html", {"form": form, "member": member})


@dataclass(frozen=True)
class Action:
    label: Any
    service: Callable[..., object]
    from_above: bool  # decided by the committee above the member's unit
    extent: bool = False
    until: bool = False


# Who decides: exemption and its end are the cell's decision (24-QĐ/TW §7.1), a death is
# recorded by the cell; recognition, suspension, removal and expulsion are decided above it.
ACTIONS = {
    "recognise": Action(gettext_lazy("Công nhận chính thức"), services.recognise_member, True),
    "exempt": Action(
        gettext_lazy("Miễn công tác, sinh hoạt"), services.exempt_member, False, extent=True
    ),
    "resume": Action(gettext_lazy("Trở lại sinh hoạt"), services.resume_activity, False),
    "suspend": Action(
        gettext_lazy("Đình chỉ sinh hoạt"), services.suspend_member, True, until=True
    ),
    "remove": Action(gettext_lazy("Xóa tên"), services.remove_member, True),
    "expel": Action(gettext_lazy("Khai trừ"), services.expel_member, True),
    "die": Action(gettext_lazy("Báo từ trần"), services.record_death, False),
}


# The status each action leads to, to offer only the changes the member's chain allows.
LEADS_TO = {
    "recognise": Status.OFFICIAL,
    "exempt": Status.EXEMPTED,
    "suspend": Status.SUSPENDED,
    "remove": Status.REMOVED,
    "expel": Status.EXPELLED,
    "die": Status.DECEASED,
}


def _actions_for(user: Any, member: Member, home: Any) -> list[tuple[str, Any]]:
    if home is None or (home.valid_to is not None and home.valid_to < today()):
        return []
    current = services.status_on(member, today())
    if current is None or current.status not in services.ALLOWED_NEXT:
        return []
    allowed = services.ALLOWED_NEXT[current.status]
    may = access.can_change_unit(user, home)
    above = access.can_change_unit(user, home, from_above=True)
    return [
        (key, action.label)
        for key, action in ACTIONS.items()
        if (above if action.from_above else may or above)
        and (
            LEADS_TO[key] in allowed
            if key in LEADS_TO
            else current.status in (Status.EXEMPTED, Status.SUSPENDED)
        )
    ]


@login_required
def change_status(request: HttpRequest, member_id: int, action: str) -> HttpResponse:
    user = user_of(request)
    member = access.access_member(user, member_id, write=True)
    home = services.home_unit(member, today())
    chosen = ACTIONS.get(action)
    if chosen is None or action not in dict(_actions_for(user, member, home)):
        raise Http404
    form = forms.StatusForm(request.POST or None, extent=chosen.extent, until=chosen.until)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        basis = services.Basis(data["basis_number"], data["basis_day"], data["reason"])
        extra = {k: data[k] for k in ("extent", "until") if k in data}
        if submit(
            form, lambda: chosen.service(member, actor=user, on=data["on"], basis=basis, **extra)
        ):
            messages.success(request, _("Đã ghi: %(what)s.") % {"what": chosen.label})
            return redirect("members:detail", member_id=member.pk)
    return render(
        request, "members/status.html", {"form": form, "member": member, "action": chosen}
    )
