"""Pages of member spreadsheets: the template, upload → preview → confirm, and the export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from chibo.accounts.access import access_unit, sees_members_of, user_of
from chibo.lib import downloads
from chibo.lib.dates import today
from chibo.members.spreadsheets import exports, files, forms, services, uploads
from chibo.members.spreadsheets.plan import NEW, SAME, UPDATE, Plan, plan_import
from chibo.units.models import Unit

PREVIEW_ROWS = 50


def _download(content: bytes, file_format: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=files.CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    return _download(files.template(), files.XLSX, "mau-nhap-dang-vien.xlsx")


@login_required
def import_upload(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_unit(user_of(request), unit_id, write=True)
    posted = request.method == "POST"
    form = forms.UploadForm(request.POST, request.FILES) if posted else forms.UploadForm()
    if posted and form.is_valid():
        data = form.cleaned_data
        token = uploads.keep(
            request.session, unit, data["file"], file_format=form.file_format, on=data["on"]
        )
        return redirect("members:import_confirm", unit_id=unit.pk, token=token)
    return render(request, "members/spreadsheets/upload.html", {"unit": unit, "form": form})


@login_required
def import_confirm(request: HttpRequest, unit_id: int, token: str) -> HttpResponse:
    """GET: what the file would do, or every fault in it. POST: do it, all rows or none."""
    user = user_of(request)
    unit = access_unit(user, unit_id, write=True)
    pending = uploads.find(request.session, unit, token)
    plan, problems = Plan(unit=unit, on=pending.on), []
    try:
        with pending.path.open("rb") as file:
            table = files.read_table(file, pending.file_format, name=pending.name)
        if request.method == "POST":
            plan = services.import_members(unit, actor=user, table=table, on=pending.on)
            uploads.discard(request.session, pending)
            messages.success(request, _summary(plan))
            return redirect("members:list", unit_id=unit.pk)
        plan = plan_import(unit, table, on=pending.on, actor=user)
        problems = [str(p) for p in plan.problems]
    except ValidationError as error:
        problems = error.messages
    return _preview(request, unit, pending, plan, problems)


def _summary(plan: Plan) -> str:
    counts = plan.counts
    return _(
        "Đã nhập danh sách: %(new)s đảng viên mới, %(update)s cập nhật, %(same)s không đổi."
    ) % {"new": counts[NEW], "update": counts[UPDATE], "same": counts[SAME]}


def _preview(
    request: HttpRequest, unit: Unit, pending: uploads.Pending, plan: Plan, problems: list[str]
) -> HttpResponse:
    context = {
        "unit": unit,
        "pending": pending,
        "counts": plan.counts,
        "rows": plan.rows[:PREVIEW_ROWS],
        "more": max(len(plan.rows) - PREVIEW_ROWS, 0),
        "problems": problems,
    }
    return render(request, "members/spreadsheets/preview.html", context)


@login_required
def export(request: HttpRequest, unit_id: int) -> HttpResponse | FileResponse:
    form = forms.ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    on = form.cleaned_data["on"] or today()
    file_format = form.cleaned_data["format"] or files.XLSX
    user = user_of(request)
    unit = access_unit(user, unit_id, on=on)
    if not sees_members_of(user, unit):  # the member role opens only the member's own record
        raise Http404
    result = services.export_members(unit, actor=user, on=on, file_format=file_format)
    # Streamed from the temporary file in blocks, which is closed (and removed) at the end.
    response = FileResponse(
        result.file,
        as_attachment=True,
        filename=exports.filename(unit, on, file_format),
        content_type=files.CONTENT_TYPES[file_format],
    )
    downloads.announce(request, response)
    return response
