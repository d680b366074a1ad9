"""Pages of a meeting's preparation (42-HD/BTCTW 2025, RULES.md §1.2): the agenda, documents,
the notice and the members' opinions, for the cell's secretary; a member's own page of
upcoming meetings with the opinion form; the private iCalendar feeds.

Reading the preparation page needs a role that opens the members of the meeting's unit;
writing, a write role on it (accounts.access). A member reads their own meetings and
documents through their member record (`access.reads_preparation`)."""

from collections.abc import Callable
from datetime import datetime, time
from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.lib import documents
from chibo.lib.dates import today
from chibo.lib.forms import submit
from chibo.meetings import calendar, preparation, selectors
from chibo.meetings.models import AgendaItem, Meeting, MeetingDocument
from chibo.meetings.records.selectors import access_meeting
from chibo.members.models import Member

# Forms: they only read input; the services check the rules.


class _Assignee(forms.Form):
    """A form with a choice among the meeting's expected members (or nobody)."""

    def __init__(self, people: list[Member], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(m.pk): m for m in people}
        self.fields["assignee"] = forms.ChoiceField(
            label=gettext_lazy("Người phụ trách"),
            required=False,
            choices=[("", gettext_lazy("— Chưa phân công —"))]
            + [(key, m.full_name) for key, m in self.people.items()],
        )

    def clean_assignee(self) -> Member | None:
        return self.people.get(self.cleaned_data.get("assignee") or "")


class AgendaItemForm(_Assignee):
    title = forms.CharField(label=gettext_lazy("Nội dung"), max_length=300)
    notes = forms.CharField(
        label=gettext_lazy("Ghi chú"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, people: list[Member], *args: Any, add: bool = False, **kw: Any) -> None:
        super().__init__(people, *args, **kw)
        if add:
            self.fields["part"] = forms.ChoiceField(
                label=gettext_lazy("Phần"),
                choices=AgendaItem.Part.choices,
                initial=AgendaItem.Part.CONTENT,
            )
            self.order_fields(["part", "title", "assignee", "notes"])
        else:
            self.order_fields(["title", "assignee", "notes"])


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


ACCEPT = documents.accept()


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp tài liệu"),
        # The file input's own width overflows a 360 px card; chibo.css has no rule for it yet.
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT, "style": "max-width: 100%"}),
        help_text=gettext_lazy("PDF, Word (.docx), Excel (.xlsx) hoặc ảnh; tối đa 10 MB."),
    )
    title = forms.CharField(
        label=gettext_lazy("Tên tài liệu"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Để trống thì lấy tên tệp."),
    )


class OpinionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Ý kiến của đồng chí"),
        max_length=preparation.MAX_OPINION_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


# The preparation page of a meeting, for the secretary.


def _page(request: HttpRequest, meeting: Meeting, **bound: Any) -> HttpResponse:
    """The preparation page; a form that failed comes back in `bound` with its errors."""
    user = user_of(request)
    can_write = access.can_change_unit(user, meeting.unit)
    is_open = meeting.state not in preparation.LOCKED
    people = selectors.expected(meeting).members if can_write and is_open else []
    documents = list(meeting.documents.select_related("uploaded_by"))
    can_notify = (
        can_write
        and meeting.state in preparation.NOT_YET_HELD
        and timezone.now() < meeting.starts_at
    )
    context = {
        "meeting": meeting,
        "unit": meeting.unit,
        "agenda": list(meeting.agenda.select_related("assignee").order_by("position")),
        "documents": documents,
        "late": {d.pk for d in documents if preparation.is_late(d, meeting)},
        "deadline": preparation.deadline(meeting),
        "notices": list(meeting.notices.select_related("sent_by")),
        "plan": preparation.notice_plan(meeting) if can_notify else None,
        "opinions": list(meeting.opinions.select_related("member").order_by("created_at")),
        "can_write": can_write,
        "can_edit": can_write and is_open,
        "add_form": bound.get("add_form") or AgendaItemForm(people, add=True),
        "document_form": bound.get("document_form") or DocumentForm(auto_id="doc_%s"),
    }
    return render(request, "meetings/prepare/page.html", context)


def _try(request: HttpRequest, action: Callable[[], object]) -> bool:
    """Run a service for a button that has no form to show errors on: a refusal becomes an
    error message on the page the button redirects to."""
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    return True


def _back(meeting: Meeting, anchor: str = "") -> HttpResponse:
    url = reverse("meetings:prepare", args=[meeting.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
def prepare(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _page(request, access_meeting(user_of(request), meeting_id))


@require_POST
@login_required
def agenda_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = user_of(request)
    meeting = access_meeting(user, meeting_id, write=True)
    form = AgendaItemForm(selectors.expected(meeting).members, request.POST, add=True)
    if form.is_valid():
        data = form.cleaned_data
        item = submit(form, lambda: preparation.add_agenda_item(meeting, actor=user, **data))
        if item is not None:
            messages.success(request, _("Đã thêm mục “%(title)s”.") % {"title": item.title})
            return _back(meeting, f"item-{item.pk}")
    return _page(request, meeting, add_form=form)


@login_required
def agenda_edit(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    user = user_of(request)
    meeting = access_meeting(user, meeting_id, write=True)
    item = preparation.access_agenda_item(meeting, item_id)
    initial = {"title": item.title, "notes": item.notes, "assignee": item.assignee_id or ""}
    people = selectors.expected(meeting).members
    form = AgendaItemForm(people, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if submit(form, lambda: preparation.edit_agenda_item(item, actor=user, **data)):
            messages.success(request, _("Đã sửa mục chương trình."))
            return _back(meeting, f"item-{item.pk}")
    context = {"meeting": meeting, "unit": meeting.unit, "form": form, "item": item}
    return render(request, "meetings/prepare/agenda_item.html", context)


@require_POST
@login_required
def agenda_move(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    user = user_of(request)
    meeting = access_meeting(user, meeting_id, write=True)
    item = preparation.access_agenda_item(meeting, item_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        up = form.cleaned_data["direction"] == "up"
        _try(request, lambda: preparation.move_agenda_item(item, actor=user, up=up))
    else:
        messages.error(request, _("Hãy chọn chuyển lên hay xuống."))
    return _back(meeting, f"item-{item.pk}")


@require_POST
@login_required
def agenda_remove(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    user = user_of(request)
    meeting = access_meeting(user, meeting_id, write=True)
    item = preparation.access_agenda_item(meeting, item_id)
    if _try(request, lambda: preparation.remove_agenda_item(item, actor=user)):
        messages.success(request, _("Đã bỏ mục “%(title)s”.") % {"title": item.title})
    return _back(meeting, "agenda")


@require_POST
@login_required
def document_upload(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = user_of(request)
    meeting = access_meeting(user, meeting_id, write=True)
    form = DocumentForm(request.POST, request.FILES, auto_id="doc_%s")
    if form.is_valid():
        data = form.cleaned_data
        done = submit(
            form,
            lambda: preparation.upload_document(
                meeting, actor=user, file=data["file"], title=data["title"]
            ),
        )
        if done is not None:
            document, warnings = done
            for warning in warnings:
                messages.warning(request, warning)
            messages.success(request, _("Đã đăng tài liệu “%(t)s”.") % {"t": document.title})
            return _back(meeting, "documents")
    return _page(request, meeting, document_form=form)


def _download_name(document: MeetingDocument) -> str:
    return PurePath(document.file.name or "").name


@require_GET
@login_required
def document(request: HttpRequest, document_id: int) -> HttpResponseBase:
    """A meeting's document, to whoever may read the meeting's preparation; never a public
    URL. The type sent is the one checked at upload, not one guessed from the name."""
    found = preparation.access_document(user_of(request), document_id)
    return documents.serve(found.file, _download_name(found))


@require_POST
@login_required
def document_remove(request: HttpRequest, document_id: int) -> HttpResponse:
    user = user_of(request)
    found = preparation.access_document(user, document_id, write=True)
    if _try(request, lambda: preparation.remove_document(found, actor=user)):
        messages.success(request, _("Đã gỡ tài liệu “%(t)s”.") % {"t": found.title})
    return _back(found.meeting, "documents")


@require_POST
@login_required
def notify(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Send the notice: e-mails, the members' pages, the meeting marked notified."""
    user = user_of(request)
    meeting = access_meeting(user, meeting_id, write=True)
    try:
        result = preparation.send_notice(
            meeting, actor=user, base_url=request.build_absolute_uri("/")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _back(meeting, "notice")
    for warning in result.warnings:
        messages.warning(request, warning)
    messages.success(
        request,
        _(
            "Đã gửi thông báo: %(emails)s thư điện tử; %(page)s người xem được trên trang "
            "“Lịch của tôi”."
        )
        % {"emails": result.emails, "page": result.on_page},
    )
    return _back(meeting, "notice")


# A member's own meetings and opinion.


@login_required
def opinion(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """An expected member's opinion on the draft resolution, until the meeting starts. The
    page exists only for the meeting's expected members (404 for anyone else)."""
    user = user_of(request)
    member = preparation.member_of(user)
    meeting = Meeting.objects.select_related("unit").filter(pk=meeting_id).first()
    if member is None or meeting is None or not selectors.is_expected(meeting, member):
        raise Http404
    mine = meeting.opinions.filter(member=member).first()
    refusal = preparation.opinion_refusal(meeting, member)
    form = OpinionForm(request.POST or None, initial={"text": mine.text if mine else ""})
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        if submit(
            form,
            lambda: preparation.write_opinion(meeting, member=member, actor=user, text=text),
        ):
            messages.success(request, _("Đã gửi ý kiến của đồng chí tới chi ủy."))
            return redirect(f"{reverse('meetings:mine')}#meeting-{meeting.pk}")
    context = {
        "meeting": meeting,
        "unit": meeting.unit,
        "form": form,
        "opinion": mine,
        "refusal": refusal,
        "documents": list(meeting.documents.all()),
    }
    return render(request, "meetings/prepare/opinion.html", context)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """“Lịch sinh hoạt của tôi”: the upcoming meetings of the member's cells (home, and host
    while temporarily attached) and of the units they supervise, with documents, the notice,
    their opinion, and the private calendar links."""
    user = user_of(request)
    member = preparation.member_of(user)
    start = timezone.make_aware(datetime.combine(today(), time()))
    found = preparation.meetings_for(member, start) if member else []
    feeds = preparation.open_feeds(user)
    own = next((f for f in feeds if f.unit_id is None), None)
    with_feed = {f.unit_id for f in feeds}
    context = {
        "member": member,
        "meetings": found,
        "own_feed": own,
        "own_link": _links(request, own.token) if own else None,
        "unit_feeds": [f for f in feeds if f.unit_id is not None],
        "role_units": [u for u in access.top_units(user) if u.pk not in with_feed],
    }
    return render(request, "meetings/prepare/mine.html", context)


def _links(request: HttpRequest, token: str) -> dict[str, str]:
    """The feed's address to copy into a calendar app, and the webcal: one that opens it."""
    url = request.build_absolute_uri(reverse("meetings:feed", args=[token]))
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[1]}


@require_POST
@login_required
def my_feed(request: HttpRequest) -> HttpResponse:
    """A new link to the member's own calendar (the previous one stops working)."""
    user = user_of(request)
    if _try(request, lambda: preparation.create_feed(user, actor=user)):
        messages.success(request, _("Đã tạo liên kết lịch mới. Liên kết cũ (nếu có) đã bị hủy."))
    return redirect(f"{reverse('meetings:mine')}#calendar")


@login_required
def unit_feed(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The user's private calendar link to one unit's meetings."""
    user = user_of(request)
    unit = access.access_unit(user, unit_id)
    feed = next((f for f in preparation.open_feeds(user) if f.unit_id == unit.pk), None)
    context = {"unit": unit, "feed": feed, "link": _links(request, feed.token) if feed else None}
    return render(request, "meetings/prepare/unit_feed.html", context)


@require_POST
@login_required
def unit_feed_new(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = user_of(request)
    unit = access.access_unit(user, unit_id)
    if _try(request, lambda: preparation.create_feed(user, actor=user, unit=unit)):
        messages.success(request, _("Đã tạo liên kết lịch mới. Liên kết cũ (nếu có) đã bị hủy."))
    return redirect("meetings:unit_feed", unit_id=unit.pk)


@require_POST
@login_required
def feed_revoke(request: HttpRequest, feed_id: int) -> HttpResponse:
    user = user_of(request)
    feed = preparation.access_feed(user, feed_id)
    preparation.revoke_feed(feed, actor=user)
    messages.success(request, _("Đã hủy liên kết lịch; ứng dụng lịch sẽ không cập nhật được nữa."))
    if feed.unit_id is not None:
        return redirect("meetings:unit_feed", unit_id=feed.unit_id)
    return redirect(f"{reverse('meetings:mine')}#calendar")


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed itself: no sign-in, the token is the key; a revoked one is 404."""
    found = calendar.live_feed(token)
    if found is None:
        raise Http404
    text = calendar.feed_calendar(found, request.build_absolute_uri("/"))
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="chibo.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
