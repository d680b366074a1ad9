"""Recruitment pages: a unit's pipeline board, a candidate's file with its steps and due dates,
a form per step, introducers and verification, yearly targets and the report."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.lib import documents, downloads
from chibo.lib.dates import today
from chibo.lib.forms import errors_as_messages, submit
from chibo.recruitment import forms, report, selectors, services, steps
from chibo.recruitment.models import OPEN_STAGES, Step, StepKind, Verdict
from chibo.units.models import Unit

PAGE_SIZE = 50


def _unit_with_members(request: HttpRequest, unit_id: int) -> Unit:
    """The unit, if the user may open its members' records (candidates are personal too)."""
    unit = access.access_unit(user_of(request), unit_id)
    if not access.sees_members_of(user_of(request), unit):
        raise Http404
    return unit


@login_required
def board(request: HttpRequest, unit_id: int) -> HttpResponse:
    """How many candidates stand at each step in the unit and below, who is overdue, whose
    probation ends in the next 30 days."""
    user = user_of(request)
    unit = _unit_with_members(request, unit_id)
    stage = request.GET.get("stage", "")
    stage = stage if stage in OPEN_STAGES else ""
    figures = selectors.board(unit, today(), stage=stage)
    page = Paginator(figures.listed, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "unit": unit,
        "board": figures,
        "page": page,
        "stage": stage,
        "today": today(),
        "can_add": unit.kind in services.KEEPING_KINDS and access.can_change_unit(user, unit),
        "review_form": forms.ReviewForm(initial={"on": today()}),
    }
    return render(request, "recruitment/board.html", context)


@login_required
def add(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = user_of(request)
    unit = access.access_unit(user, unit_id, write=True)
    if unit.kind not in services.KEEPING_KINDS:
        raise Http404
    form = forms.CandidateForm(unit, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = services.CandidateDetails(
            **{name: data[name] for name in services.DETAIL_FIELDS if name in data}
        )
        candidate = submit(
            form,
            lambda: services.add_candidate(
                unit,
                actor=user,
                details=details,
                listed_on=data["listed_on"],
                helper=data["helper"],
            ),
        )
        if candidate:
            messages.success(request, _("Đã đưa %(name)s vào danh sách.") % {"name": candidate})
            return redirect("recruitment:candidate", candidate_id=candidate.pk)
    return render(request, "recruitment/add.html", {"unit": unit, "form": form})


@login_required
def edit(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """Correct a candidate's details before the ceremony."""
    user = user_of(request)
    candidate = access.access_candidate(user, candidate_id, write=True)
    initial = {name: getattr(candidate, name) for name in services.DETAIL_FIELDS}
    form = forms.EditCandidateForm(candidate.unit, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        # Details the form does not show (hometown, ethnicity …) keep their value.
        details = services.CandidateDetails(**{**initial, **form.cleaned_data})
        if submit(form, lambda: services.update_candidate(candidate, actor=user, details=details)):
            messages.success(request, _("Đã lưu thông tin của %(name)s.") % {"name": candidate})
            return redirect("recruitment:candidate", candidate_id=candidate.pk)
    context = {"unit": candidate.unit, "form": form, "candidate": candidate}
    return render(request, "recruitment/edit.html", context)


@require_POST
@login_required
def review(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = user_of(request)
    unit = access.access_unit(user, unit_id, write=True)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        count = submit(
            form,
            lambda: services.review_candidates(unit, actor=user, on=data["on"], note=data["note"]),
        )
        if count is not None:
            messages.success(request, _("Đã rà soát %(n)s quần chúng ưu tú.") % {"n": count})
    errors_as_messages(request, form)
    return redirect("recruitment:board", unit_id=unit.pk)


@login_required
def candidate(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """A candidate's file: details, the steps done with their documents, the open deadline and
    who answers for it, introducers, verification, and the steps the user may record now."""
    user = user_of(request)
    c = access.access_candidate(user, candidate_id)
    day = today()
    kinds = [k for k in selectors.next_steps(c) if selectors.may_record(user, c, k)]
    can_write = access.can_change_unit(user, c.unit)
    done = selectors.steps_of(c)
    keeps = {kind for kind in {each.kind for each in done} if selectors.may_record(user, c, kind)}
    for each in done:
        each.keeps_documents = can_write and each.kind in keeps  # type: ignore[attr-defined]
    context = {
        "candidate": c,
        "unit": c.unit,
        "steps": done,
        "accept": documents.accept(),
        "due": selectors.open_due(c, day),
        "unreviewed": selectors.review_overdue(c, day),
        "certificate_expires": services.certificate_expires(c),
        "introducers": selectors.introducer_lines(c),
        "relatives": list(c.relatives.all()),
        "next": [(k, StepKind(k).label) for k in kinds],
        "can_write": can_write and c.stage in OPEN_STAGES,
        "can_edit": can_write and c.admitted_on is None,
        "today": day,
    }
    return render(request, "recruitment/candidate.html", context)


def _step_input(data: dict[str, object]) -> steps.StepInput:
    fields = steps.StepInput.__dataclass_fields__
    values = {k: v for k, v in data.items() if k in fields and v not in (None, "")}
    return steps.StepInput(**values)  # type: ignore[arg-type]


@login_required
def step(request: HttpRequest, candidate_id: int, kind: str) -> HttpResponse:
    user = user_of(request)
    c = access.access_candidate(user, candidate_id)
    if kind not in StepKind.values or not selectors.may_record(user, c, kind):
        raise Http404
    form = forms.StepForm(c, kind, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = _step_input({**form.cleaned_data, "file_title": StepKind(kind).label})
        done = submit(form, lambda: steps.record_step(c, kind, actor=user, data=data))
        if done:
            if done.passed is False:
                messages.error(request, _("Biểu quyết không đạt hai phần ba; đã ghi kết quả."))
            else:
                messages.success(
                    request, _("Đã ghi: %(step)s.") % {"step": done.get_kind_display()}
                )
            return redirect("recruitment:candidate", candidate_id=c.pk)
    context = {
        "candidate": c,
        "form": form,
        "kind": kind,
        "label": StepKind(kind).label,
        "due": selectors.open_due(c, today()),
        "acting": selectors.acting_unit(c, kind),
    }
    return render(request, "recruitment/step.html", context)


@login_required
def introducers(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """Add an introducer, or replace one who leaves (the cell's act)."""
    user = user_of(request)
    c = access.access_candidate(user, candidate_id, write=True)
    replacing = request.POST.get("action") == "replace"
    add_form = forms.IntroducerForm(c, None if replacing else request.POST or None)
    replace_form = forms.ReplaceForm(c, request.POST if replacing else None)
    form = replace_form if replacing else add_form
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if replacing:
            done = submit(
                form,
                lambda: services.replace_introducer(
                    data["introducer"],
                    actor=user,
                    member=data["member"],
                    on=data["on"],
                    reason=data["reason"],
                ),
            )
        else:
            done = submit(
                form,
                lambda: services.add_introducer(
                    c,
                    actor=user,
                    kind=data["kind"],
                    assigned_on=data["assigned_on"],
                    member=data["member"],
                    since=data["since"],
                    organisation=data["organisation"],
                    number=data["number"],
                ),
            )
        if done:
            messages.success(request, _("Đã ghi người giới thiệu %(who)s.") % {"who": done})
            return redirect("recruitment:candidate", candidate_id=c.pk)
    context = {
        "candidate": c,
        "add_form": add_form,
        "replace_form": replace_form,
        "lines": selectors.introducer_lines(c),
    }
    return render(request, "recruitment/introducers.html", context)


@login_required
def relatives(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """The people the background verification covers, and their results."""
    user = user_of(request)
    c = access.access_candidate(user, candidate_id, write=True)
    form = forms.RelativeForm(request.POST or None, initial={"verdict": Verdict.PENDING})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        conclude = c.relatives.filter(pk=request.POST.get("relative") or 0).first()
        if conclude is not None:
            done = submit(
                form,
                lambda: services.conclude_relative(
                    conclude,
                    actor=user,
                    verdict=data["verdict"],
                    concluded_on=data["concluded_on"],
                    by=data["by"],
                    note=data["note"],
                ),
            )
        else:
            done = submit(form, lambda: services.add_relative(c, actor=user, **data))
        if done:
            messages.success(request, _("Đã ghi kết quả thẩm tra: %(who)s.") % {"who": done})
            return redirect("recruitment:relatives", candidate_id=c.pk)
    context = {"candidate": c, "form": form, "relatives": list(c.relatives.all())}
    return render(request, "recruitment/relatives.html", context)


@login_required
def attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    """A candidate's document, to whoever may read the candidate; never a public URL."""
    return documents.serve(access.access_attachment(user_of(request), attachment_id).file)


@require_POST
@login_required
def add_document(request: HttpRequest, step_id: int) -> HttpResponse:
    """A document added to a step already recorded, by whoever may record that step."""
    user = user_of(request)
    done = access.access_step(user, step_id)
    if not selectors.may_record(user, done.candidate, done.kind):
        raise Http404
    form = forms.DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        added = submit(
            form,
            lambda: steps.add_document(done, actor=user, file=data["file"], title=data["title"]),
        )
        if added:
            messages.success(request, _("Đã đính kèm: %(title)s.") % {"title": added.title})
    errors_as_messages(request, form)
    return redirect(_at_step(done))


@require_POST
@login_required
def remove_document(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """Take a document off its step, by whoever may record that step."""
    user = user_of(request)
    document = access.access_attachment(user, attachment_id)
    done = access.access_step(user, document.step_id)
    if not selectors.may_record(user, done.candidate, done.kind):
        raise Http404
    steps.remove_document(document, actor=user)
    messages.success(request, _("Đã gỡ tài liệu: %(title)s.") % {"title": document.title})
    return redirect(_at_step(done))


def _at_step(done: Step) -> str:
    return reverse("recruitment:candidate", args=[done.candidate_id]) + f"#step-{done.pk}"


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else today().year


@login_required
def targets(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit's target for the year against its admissions and the pro-rata point of the year,
    and the same for each unit below it, rolled up."""
    user = user_of(request)
    year = _year(request)
    unit = access.access_unit(user, unit_id, on=min(date(year, 12, 31), today()))
    figures = report.progress(unit, year)
    can_set = access.can_change_unit(user, unit) and not unit.valid_to
    form = forms.TargetForm(initial={"year": year, "target": figures.target})
    context = {
        "unit": unit,
        "year": year,
        "progress": figures,
        "form": form if can_set else None,
        "next_year": year + 1 if year <= today().year else None,
    }
    return render(request, "recruitment/targets.html", context)


@require_POST
@login_required
def set_target(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = user_of(request)
    unit = access.access_unit(user, unit_id, write=True)
    form = forms.TargetForm(request.POST)
    year = today().year
    if form.is_valid():
        data = form.cleaned_data
        year = data["year"]
        done = submit(
            form,
            lambda: services.set_target(
                unit, actor=user, year=year, target=data["target"], basis=data["basis"]
            ),
        )
        if done:
            messages.success(request, _("Đã ghi chỉ tiêu năm %(y)s.") % {"y": year})
    errors_as_messages(request, form)
    return redirect(f"{reverse('recruitment:targets', args=[unit.pk])}?year={year}")


@login_required
def report_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Admitted, recognised and removed during probation in any period, by year and by unit,
    against the targets, with a chart; `format=xlsx` downloads it."""
    user = user_of(request)
    default = {"start": f"01/{today().year}", "end": today().strftime("%m/%Y")}
    form = forms.PeriodForm(request.GET if "start" in request.GET else default)
    start, end = date(today().year, 1, 1), today()
    if form.is_valid():
        start, end = report.month_range(form.cleaned_data["start"], form.cleaned_data["end"])
    unit = access.access_unit(user, unit_id, on=min(end, today()))
    figures = report.report(unit, start, end)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            report.xlsx(figures),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"phat-trien-dang-vien-{unit.code}-{start:%Y%m}-{end:%Y%m}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        downloads.announce(request, response)
        return response
    context = {"unit": unit, "form": form, "report": figures, "chart": _chart(figures)}
    return render(request, "recruitment/report.html", context)


def _chart(figures: report.Report) -> dict[str, object]:
    """Bars per year (admitted) with the target as a line, in SVG units."""
    width, height, gap = 52, 160, 12
    peak = figures.peak
    bars = []
    for i, y in enumerate(figures.years):
        h = round(height * y.admitted / peak)
        t = round(height * y.target / peak) if y.targets_set else None
        x = gap + i * (width + gap)
        bars.append(
            {
                "year": y.year,
                "x": x,
                "y": 20 + height - h,
                "h": h,
                "w": width,
                "mid": x + width // 2,
                "n": y.admitted,
                "target_y": 20 + height - t if t is not None else None,
            }
        )
    return {
        "bars": bars,
        "width": gap + len(bars) * (width + gap),
        "height": height + 50,
        "base": 20 + height,
    }
