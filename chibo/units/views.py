"""Pages of the organisation tree: a unit as of a date, search, and the restructuring forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.lib.dates import today
from chibo.lib.forms import submit
from chibo.members.selectors import members_on
from chibo.units import forms, selectors, services
from chibo.units.models import KindRule, Unit, UnitKind


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    tops = access.top_units(user)
    if len(tops) == 1:
        return redirect("units:detail", unit_id=tops[0].pk)
    return render(
        request, "units/home.html", {"tops": tops, "past": [] if tops else access.past_roles(user)}
    )


@login_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = user_of(request)
    form = forms.AsOfForm(request.GET or None)
    on = (form.cleaned_data.get("on") if form.is_valid() else None) or today()
    if form.is_valid():  # show the day as it is written here, whatever way it was asked for
        form = forms.AsOfForm(initial={"on": on})
    unit = access.access_unit(user, unit_id, on=on)
    version = selectors.version_on(unit, on)
    context: dict[str, object] = {
        "unit": unit,
        "version": version,
        "on": on,
        "is_today": on == today(),
        # A role that has ended opens its own period only: no link to a today it cannot see.
        "today_visible": on == today() or bool(access.visible_among(user, [unit.pk])),
        "form": form,
        "can_change": on == today() and access.can_change_unit(user, unit),
        "sees_members": access.sees_members_of(user, unit),
        "can_restructure": on == today() and access.can_change_unit(user, unit, from_above=True),
        "former": selectors.former_units(unit, on),
    }
    if version is not None:
        counts = selectors.counts_below(version, on)
        children = list(selectors.children_on(version, on))
        for child in children:
            child.counts = counts.get(child.unit_id, selectors.Counts())  # type: ignore[attr-defined]
        ancestors = selectors.ancestors_on(version, on)
        visible = access.visible_among(user, [a.unit_id for a in ancestors], on)
        context.update(
            ancestors=[(a, a.unit_id in visible) for a in ancestors],
            totals=counts.get(unit.pk, selectors.Counts()),
            children=children,
            members=(
                members_on(unit.pk, on).select_related("member").order_by("member__sort_name")
                if unit.kind in (UnitKind.CELL, UnitKind.BASE, UnitKind.GROUP)
                else None
            ),
        )
    template = "units/_unit_body.html" if request.htmx else "units/detail.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def kind_rules(request: HttpRequest) -> HttpResponse:
    """Which kind of unit may sit under which: everyone reads it, administrators change it."""
    user = user_of(request)
    is_admin = access.is_admin(user)
    form = forms.KindRuleForm(request.POST or None)
    if request.method == "POST":
        if not is_admin:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            rule = submit(
                form,
                lambda: services.allow_nesting(
                    data["parent_kind"], data["child_kind"], actor=user, basis=data["basis"]
                ),
            )
            if rule:
                messages.success(request, _("Đã thêm quy tắc."))
                return redirect("units:kind_rules")
    rank = {kind: i for i, kind in enumerate(["", *UnitKind.values])}  # top of the tree first
    rules = sorted(KindRule.objects.all(), key=lambda r: (rank[r.parent_kind], rank[r.child_kind]))
    return render(
        request, "units/kind_rules.html", {"rules": rules, "form": form, "is_admin": is_admin}
    )


@require_POST
@login_required
def remove_kind_rule(request: HttpRequest, rule_id: int) -> HttpResponse:
    user = user_of(request)
    rule = KindRule.objects.filter(pk=rule_id).first()
    if rule is None or not access.is_admin(user):
        raise Http404
    try:
        services.forbid_nesting(rule, actor=user)
        messages.success(request, _("Đã bỏ quy tắc."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("units:kind_rules")


@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    units = access.units_visible_to(user_of(request))
    results = (
        selectors.search_units(units, query).order_by("valid_to", "path")[:50] if query else []
    )
    return render(request, "units/search.html", {"query": query, "results": results})


def _target(request: HttpRequest, code: str, *, from_above: bool = False) -> Unit:
    """A unit named by its code that the user may change (or restructure); else a clear error."""
    units = access.units_visible_to(user_of(request), write=True, from_above=from_above)
    target = units.filter(code=code.strip().upper())
    found = target.first()
    if found is None:
        raise ValidationError(
            _("Không tìm thấy đơn vị mã %(code)s trong phạm vi của bạn. (Unknown code.)")
            % {"code": code}
        )
    return found


def _done(request: HttpRequest, unit: Unit, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("units:detail", unit_id=unit.pk)


def _page(request: HttpRequest, unit: Unit, form: object, title: str) -> HttpResponse:
    return render(request, "units/change.html", {"unit": unit, "form": form, "title": title})


@login_required
def create_child(request: HttpRequest, unit_id: int) -> HttpResponse:
    parent = access.access_unit(user_of(request), unit_id, write=True)
    form = forms.CreateChildForm(parent, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        child = submit(
            form,
            lambda: services.create_unit(
                parent,
                actor=user_of(request),
                kind=data["kind"],
                name=data["name"],
                code=data["code"],
                on=data["on"],
                basis=data["basis"],
            ),
        )
        if child:
            return _done(request, child, _("Đã thành lập %(name)s.") % {"name": child.name})
    return _page(request, parent, form, _("Thành lập tổ chức trực thuộc"))


@login_required
def rename(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access.access_unit(user_of(request), unit_id, from_above=True)
    form = forms.RenameForm(request.POST or None, initial={"name": unit.name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if submit(
            form,
            lambda: services.rename_unit(
                unit, actor=user_of(request), name=data["name"], on=data["on"], basis=data["basis"]
            ),
        ):
            return _done(request, unit, _("Đã đổi tên."))
    return _page(request, unit, form, _("Đổi tên"))


@login_required
def move(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access.access_unit(user_of(request), unit_id, from_above=True)
    form = forms.MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if submit(
            form,
            lambda: services.move_unit(
                unit,
                actor=user_of(request),
                new_parent=_target(request, data["parent_code"]),
                on=data["on"],
                basis=data["basis"],
            ),
        ):
            return _done(request, unit, _("Đã chuyển đơn vị sang cấp trên mới."))
    return _page(request, unit, form, _("Chuyển sang cấp trên khác"))


@login_required
def merge(request: HttpRequest, unit_id: int) -> HttpResponse:
    target = access.access_unit(user_of(request), unit_id, from_above=True)
    form = forms.MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if submit(
            form,
            lambda: services.merge_units(
                [_target(request, code, from_above=True) for code in data["source_codes"]],
                actor=user_of(request),
                into=target,
                on=data["on"],
                basis=data["basis"],
            ),
        ):
            return _done(request, target, _("Đã sáp nhập vào %(name)s.") % {"name": target.name})
    return _page(request, target, form, _("Sáp nhập đơn vị khác vào đơn vị này"))


@login_required
def split(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access.access_unit(user_of(request), unit_id, from_above=True)
    on = today()
    children = [(c.pk, c.name) for c in selectors.live_children(unit, on)]
    members = [
        (m.member_id, m.member.full_name)
        for m in members_on(unit.pk, on).select_related("member").order_by("member__sort_name")
    ]
    parts = min(max(int(request.GET.get("parts", "2") or 2), 2), 9)
    form = forms.SplitForm(parts, children, members, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = [
            services.SplitPart(
                name=data[f"name_{i}"],
                code=data[f"code_{i}"],
                child_ids=[c for c in form.child_ids if data[f"child_{c}"] == i],
                member_ids=[m for m in form.member_ids if data[f"member_{m}"] == i],
            )
            for i in range(parts)
        ]
        if submit(
            form,
            lambda: services.split_unit(
                unit, actor=user_of(request), parts=plan, on=data["on"], basis=data["basis"]
            ),
        ):
            return _done(request, unit, _("Đã chia tách đơn vị."))
    return _page(request, unit, form, _("Chia tách đơn vị"))


@login_required
def dissolve(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access.access_unit(user_of(request), unit_id, from_above=True)
    form = forms.DissolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if submit(
            form,
            lambda: services.dissolve_unit(
                unit, actor=user_of(request), on=data["on"], basis=data["basis"]
            ),
        ):
            return _done(request, unit, _("Đã giải thể đơn vị."))
    return _page(request, unit, form, _("Giải thể đơn vị"))
