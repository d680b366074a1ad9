"""Preparing a meeting (42-HD/BTCTW 2025, RULES.md §1.2): the agenda edited from the standard
order, documents posted for the members at least a day before, the notice of time, place and
content to every expected member and to the supervising committee members, and the members'
opinions on the draft resolution. Writes first (atomic, audited), then the reads of the
preparation pages: who may read a meeting's documents, and a member's own meetings."""

import smtplib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chibo.accounts import access
from chibo.accounts.models import User
from chibo.audit.services import record
from chibo.committees.models import SupervisionAssignment
from chibo.committees.selectors import supervisors_on
from chibo.lib.documents import check_document
from chibo.lib.intervals import overlaps
from chibo.meetings import selectors
from chibo.meetings.checkin import when
from chibo.meetings.models import (
    AgendaItem,
    CalendarFeed,
    Meeting,
    MeetingDocument,
    MeetingNotice,
    MeetingState,
    NoticeChannel,
    Opinion,
)
from chibo.meetings.rules import rule_for
from chibo.members.models import Member, Membership, MembershipKind, MemberStatus, Status
from chibo.units.models import Unit

LOCKED = (MeetingState.CLOSED, MeetingState.CANCELLED)
NOT_YET_HELD = (MeetingState.PLANNED, MeetingState.NOTIFIED)
PARTS: list[str] = list(AgendaItem.Part.values)  # the order of the parts of a meeting
# Positions are unique per meeting: a reorder parks the items above this, then numbers them.
_PARKED = 10_000
MAX_OPINION_CHARS = 5_000


def _fail(message: str) -> ValidationError:
    return ValidationError(message)


def _locked_meeting(meeting: Meeting) -> Meeting:
    """The meeting row locked for this transaction; refused once it is closed or cancelled."""
    locked = Meeting.objects.select_for_update().select_related("unit").get(pk=meeting.pk)
    if locked.state in LOCKED:
        raise _fail(
            _("Cuộc họp đã khóa hoặc đã hủy; không sửa phần chuẩn bị được nữa. (Meeting locked.)")
        )
    return locked


# The agenda -------------------------------------------------------------------------------


def _agenda(meeting: Meeting) -> list[AgendaItem]:
    return list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "id"))


def _number(items: list[AgendaItem]) -> None:
    """Give `items` the positions 1, 2, … in list order, in two passes so that no two rows
    ever share a position (the unique constraint holds on SQLite and PostgreSQL alike)."""
    for i, item in enumerate(items, start=1):
        item.position = _PARKED + i
    AgendaItem.objects.bulk_update(items, ["position", "part"])
    for i, item in enumerate(items, start=1):
        item.position = i
    AgendaItem.objects.bulk_update(items, ["position"])


def _title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise _fail(_("Hãy ghi nội dung của mục. (A title is required.)"))
    if len(title) > 300:
        raise _fail(_("Nội dung mục dài quá 300 ký tự. (Title too long.)"))
    return title


def _check_assignee(meeting: Meeting, assignee: Member | None) -> None:
    """Tasks go to named members of the cell (RULES.md §1.3, item 5): its expected members."""
    if assignee is not None and not selectors.is_expected(meeting, assignee):
        raise _fail(
            _(
                "Chỉ phân công được đảng viên phải dự cuộc họp của %(unit)s. "
                "(The assignee must be a member of the cell.)"
            )
            % {"unit": meeting.unit.name}
        )


def _item_changes(item: AgendaItem) -> dict[str, Any]:
    return {
        "item": item.pk,
        "position": item.position,
        "part": item.part,
        "title": item.title,
        "assignee": item.assignee_id,
    }


@transaction.atomic
def add_agenda_item(
    meeting: Meeting,
    *,
    actor: User | None,
    part: str,
    title: str,
    notes: str = "",
    assignee: Member | None = None,
) -> AgendaItem:
    """Add an item at the end of its part (before the closing items, for a content item)."""
    meeting = _locked_meeting(meeting)
    if part not in PARTS:
        raise _fail(_("Phần của chương trình không hợp lệ. (Unknown part.)"))
    _check_assignee(meeting, assignee)
    items = _agenda(meeting)
    rank = PARTS.index(part)
    at = max((i + 1 for i, it in enumerate(items) if PARTS.index(it.part) <= rank), default=0)
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=2 * _PARKED,
        part=part,
        title=_title(title),
        notes=notes.strip(),
        assignee=assignee,
    )
    items.insert(at, item)
    _number(items)
    record(
        "meetings.agenda.add",
        actor=actor,
        obj=meeting,
        unit=meeting.unit,
        changes=_item_changes(item),
    )
    return item


@transaction.atomic
def edit_agenda_item(
    item: AgendaItem,
    *,
    actor: User | None,
    title: str,
    notes: str = "",
    assignee: Member | None = None,
) -> AgendaItem:
    """Change an item's title, notes and the member it is assigned to."""
    meeting = _locked_meeting(item.meeting)
    _check_assignee(meeting, assignee)
    before = _item_changes(item) | {"notes": item.notes}
    item.title, item.notes, item.assignee = _title(title), notes.strip(), assignee
    item.save(update_fields=["title", "notes", "assignee"])
    after = _item_changes(item) | {"notes": item.notes}
    record(
        "meetings.agenda.edit",
        actor=actor,
        obj=meeting,
        unit=meeting.unit,
        changes={"item": item.pk, "before": before, "after": after},
    )
    return item


@transaction.atomic
def move_agenda_item(item: AgendaItem, *, actor: User | None, up: bool) -> AgendaItem:
    """Move an item one place up or down. At the edge of its part it crosses into the next
    part instead (the first content item moved up becomes the last opening item), so that the
    parts stay in their order."""
    meeting = _locked_meeting(item.meeting)
    items = _agenda(meeting)
    at = next(i for i, it in enumerate(items) if it.pk == item.pk)
    other = at - 1 if up else at + 1
    if not 0 <= other < len(items):
        return items[at]
    moving, neighbour = items[at], items[other]
    before = {"position": moving.position, "part": moving.part}
    if neighbour.part != moving.part:
        moving.part = neighbour.part
        moving.save(update_fields=["part"])
    else:
        items[at], items[other] = neighbour, moving
        _number(items)
    record(
        "meetings.agenda.move",
        actor=actor,
        obj=meeting,
        unit=meeting.unit,
        changes={
            "item": moving.pk,
            "before": before,
            "after": {"position": moving.position, "part": moving.part},
        },
    )
    return moving


@transaction.atomic
def remove_agenda_item(item: AgendaItem, *, actor: User | None) -> None:
    meeting = _locked_meeting(item.meeting)
    changes = _item_changes(item)
    item.delete()
    _number(_agenda(meeting))
    record("meetings.agenda.remove", actor=actor, obj=meeting, unit=meeting.unit, changes=changes)


# Documents --------------------------------------------------------------------------------


def deadline(meeting: Meeting) -> datetime:
    """The last moment documents count as on time: N days before the start (42-HD/BTCTW)."""
    return meeting.starts_at - timedelta(days=rule_for(meeting.unit, "documents_days_before"))


def is_late(document: MeetingDocument, meeting: Meeting) -> bool:
    return document.uploaded_at > deadline(meeting)


def _late_warning(meeting: Meeting, titles: list[str]) -> str:
    return _(
        "Tài liệu %(titles)s được đăng sau hạn: hướng dẫn 42-HD/BTCTW yêu cầu gửi tài liệu "
        "trước cuộc họp ít nhất %(n)s ngày (trước %(when)s). (Documents posted late.)"
    ) % {
        "titles": ", ".join(f"«{t}»" for t in titles),
        "n": rule_for(meeting.unit, "documents_days_before"),
        "when": when(deadline(meeting)),
    }


@transaction.atomic
def upload_document(
    meeting: Meeting,
    *,
    actor: User | None,
    file: File,
    title: str = "",
    now: datetime | None = None,
) -> tuple[MeetingDocument, list[str]]:
    """Attach a document to a meeting that is not closed. Returns the document and warnings:
    posted later than the guidance's day before the meeting is allowed, and said."""
    meeting = _locked_meeting(meeting)
    check_document(file)
    name = PurePath(file.name or "").name
    title = " ".join(title.split()) or PurePath(name).stem
    document = MeetingDocument(
        meeting=meeting,
        title=title[:200],
        uploaded_by=actor,
        uploaded_at=now or timezone.now(),
    )
    document.file.save(name, file, save=False)
    document.save()
    warnings = [_late_warning(meeting, [document.title])] if is_late(document, meeting) else []
    record(
        "meetings.document.upload",
        actor=actor,
        obj=meeting,
        unit=meeting.unit,
        changes={
            "document": document.pk,
            "title": document.title,
            "file": document.file.name,
            "size": file.size,
            "late": bool(warnings),
        },
    )
    return document, warnings


@transaction.atomic
def remove_document(document: MeetingDocument, *, actor: User | None) -> None:
    """Take a document off a meeting that is not closed; the file goes once this commits."""
    meeting = _locked_meeting(document.meeting)
    changes = {"document": document.pk, "title": document.title, "file": document.file.name}
    storage, name = document.file.storage, document.file.name
    document.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    record("meetings.document.remove", actor=actor, obj=meeting, unit=meeting.unit, changes=changes)


# Notices ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticePlan:
    """Who a meeting's notice goes to, and what to say before it is sent."""

    members: list[Member]  # the expected members: all see it on their page
    supervisors: list[Member]  # the committee members assigned to the unit that day
    addresses: dict[str, Member]  # e-mail address → person, each address once
    warnings: list[str] = field(default_factory=list)

    @property
    def without_email(self) -> list[Member]:
        return [m for m in [*self.members, *self.supervisors] if not m.email.strip()]


def notice_plan(meeting: Meeting, now: datetime | None = None) -> NoticePlan:
    """The recipients of the notice (RULES.md §1.2(3): all members and the superior committee
    member who monitors the cell) and the warnings about the documents (§1.2(4))."""
    now = now or timezone.now()
    day = selectors.meeting_day(meeting)
    members = selectors.expected(meeting).members
    supervisors = [a.supervisor for a in supervisors_on(meeting.unit, day)]
    addresses: dict[str, Member] = {}
    for person in [*members, *supervisors]:
        address = person.email.strip()
        if address:
            addresses.setdefault(address.lower(), person)
    documents = list(meeting.documents.all())
    late = [d.title for d in documents if is_late(d, meeting)]
    warnings = [_late_warning(meeting, late)] if late else []
    if not documents and now > deadline(meeting):
        warnings.append(
            _(
                "Cuộc họp chưa có tài liệu nào, mà đã quá hạn gửi tài liệu trước %(n)s ngày. "
                "(No documents, and the deadline has passed.)"
            )
            % {"n": rule_for(meeting.unit, "documents_days_before")}
        )
    return NoticePlan(members, supervisors, addresses, warnings)


@dataclass(frozen=True)
class NoticeResult:
    emails: int
    on_page: int
    warnings: list[str]


def _messages(meeting: Meeting, plan: NoticePlan, base_url: str) -> list[EmailMessage]:
    """One e-mail per address, in Vietnamese whatever the sender's language: each recipient
    sees only their own address."""
    supervisors = {m.pk for m in plan.supervisors}
    context = {
        "meeting": meeting,
        "start": timezone.localtime(meeting.starts_at),
        "agenda": list(meeting.agenda.select_related("assignee").order_by("position")),
        "documents": list(meeting.documents.all()),
        "mine_url": base_url.rstrip("/") + reverse("meetings:mine"),
        "days": rule_for(meeting.unit, "documents_days_before"),
    }
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("meetings/prepare/notice_subject.txt", context).split())
        for address, person in plan.addresses.items():
            body = render_to_string(
                "meetings/prepare/notice_email.txt",
                {**context, "person": person, "supervises": person.pk in supervisors},
            )
            messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]))
    return messages


@transaction.atomic
def send_notice(
    meeting: Meeting,
    *,
    actor: User | None,
    base_url: str,
    now: datetime | None = None,
    connection: BaseEmailBackend | None = None,
) -> NoticeResult:
    """Send the notice of time, place and content of a meeting that has not started: by e-mail
    to each expected member with an address and to the supervising committee members, and on
    every expected member's own page. Records the sending, marks the meeting notified, and
    returns warnings (documents posted late) without refusing. Sending again is allowed, e.g.
    after the meeting moved. If the mail server refuses, nothing is recorded. `connection`: the
    mail backend to send through, by default the configured one."""
    now = now or timezone.now()
    meeting = _locked_meeting(meeting)
    if meeting.state not in NOT_YET_HELD or now >= meeting.starts_at:
        raise _fail(
            _("Cuộc họp đã bắt đầu; không gửi thông báo nữa. (The meeting has already started.)")
        )
    plan = notice_plan(meeting, now)
    on_page = len(plan.members) + len(plan.supervisors)
    rows = [MeetingNotice(channel=NoticeChannel.PAGE, recipients=on_page)]
    if plan.addresses:
        rows.append(MeetingNotice(channel=NoticeChannel.EMAIL, recipients=len(plan.addresses)))
    for row in rows:
        row.meeting, row.sent_at, row.sent_by = meeting, now, actor
    MeetingNotice.objects.bulk_create(rows)
    if meeting.state == MeetingState.PLANNED:
        meeting.state = MeetingState.NOTIFIED
        meeting.save(update_fields=["state"])
    record(
        "meetings.notice.send",
        actor=actor,
        obj=meeting,
        unit=meeting.unit,
        changes={
            "emails": len(plan.addresses),
            "on_page": on_page,
            "starts_at": meeting.starts_at,
            "place": meeting.place,
            "warnings": plan.warnings,
        },
    )
    messages = _messages(meeting, plan, base_url)
    try:
        if messages:
            (connection or get_connection()).send_messages(messages)
    except (smtplib.SMTPException, OSError) as error:
        raise _fail(
            _(
                "Không gửi được thư điện tử (%(error)s). Thông báo chưa được ghi; hãy thử lại "
                "sau. (The mail server refused.)"
            )
            % {"error": error}
        ) from error
    return NoticeResult(len(plan.addresses), on_page, plan.warnings)


# Opinions ---------------------------------------------------------------------------------


def opinion_refusal(meeting: Meeting, member: Member, now: datetime | None = None) -> str | None:
    """Why `member` may not send or change an opinion on `meeting` now, or None."""
    now = now or timezone.now()
    if meeting.state not in NOT_YET_HELD or now >= meeting.starts_at:
        return _(
            "Cuộc họp đã bắt đầu; không gửi hoặc sửa ý kiến được nữa. (The meeting has started.)"
        )
    if not selectors.is_expected(meeting, member):
        return _("Chỉ đảng viên phải dự cuộc họp này mới gửi ý kiến được. (Expected members only.)")
    return None


@transaction.atomic
def write_opinion(
    meeting: Meeting,
    *,
    member: Member,
    actor: User | None,
    text: str,
    now: datetime | None = None,
) -> Opinion:
    """An expected member's opinion on the draft resolution, sent or changed before the
    meeting starts (one per member and meeting)."""
    now = now or timezone.now()
    meeting = _locked_meeting(meeting)
    refusal = opinion_refusal(meeting, member, now)
    if refusal:
        raise _fail(refusal)
    text = text.strip()
    if not text:
        raise _fail(_("Hãy ghi ý kiến của đồng chí. (The opinion is empty.)"))
    if len(text) > MAX_OPINION_CHARS:
        raise _fail(
            _("Ý kiến dài quá %(n)s ký tự. (Too long.)")
            % {"n": f"{MAX_OPINION_CHARS:,}".replace(",", ".")}
        )
    opinion, created = Opinion.objects.get_or_create(
        meeting=meeting, member=member, defaults={"text": text, "created_at": now}
    )
    if not created:
        opinion.text, opinion.updated_at = text, now
        opinion.save(update_fields=["text", "updated_at"])
    # The text stays out of the audit log, which everyone reading the unit may open.
    record(
        "meetings.opinion.write",
        actor=actor,
        obj=meeting,
        unit=meeting.unit,
        changes={"member": member.pk, "new": created, "length": len(text)},
    )
    return opinion


# Calendar feeds ---------------------------------------------------------------------------


@transaction.atomic
def create_feed(user: User, *, actor: User | None, unit: Unit | None = None) -> CalendarFeed:
    """A new private calendar link for `user`: their own meetings (`unit` None, for a user
    with a member record) or one unit's meetings (a unit the user may read). The previous
    link of the same kind stops working."""
    if unit is None and not Member.objects.filter(user=user).exists():
        raise _fail(
            _("Tài khoản chưa gắn với hồ sơ đảng viên nên chưa có lịch riêng. (No member record.)")
        )
    if unit is not None and not access.units_visible_to(user).filter(pk=unit.pk).exists():
        raise _fail(_("Bạn không xem được đơn vị này. (Unit outside your scope.)"))
    now = timezone.now()
    CalendarFeed.objects.filter(user=user, unit=unit, revoked_at__isnull=True).update(
        revoked_at=now
    )
    feed = CalendarFeed.objects.create(user=user, unit=unit, created_at=now)
    record(
        "meetings.feed.create",
        actor=actor,
        obj=feed,
        unit=unit,
        changes={"user": user.pk, "unit": unit.pk if unit else None},
    )
    return feed


@transaction.atomic
def revoke_feed(feed: CalendarFeed, *, actor: User | None) -> None:
    """Stop a calendar link: from now on it answers 404."""
    if feed.revoked_at is not None:
        return
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    record(
        "meetings.feed.revoke",
        actor=actor,
        obj=feed,
        unit=feed.unit,
        changes={"user": feed.user_id, "unit": feed.unit_id},
    )


# Reads ------------------------------------------------------------------------------------


def member_of(user: User) -> Member | None:
    """The member record of a signed-in user, if their account is linked to one."""
    if not user.is_authenticated:
        return None
    return Member.objects.filter(user=user).first()


def access_document(user: User, document_id: int, *, write: bool = False) -> MeetingDocument:
    """A document the user may download (`access.reads_preparation`) or, `write`, remove (a
    write role over the meeting's unit); otherwise 404."""
    document = (
        MeetingDocument.objects.select_related("meeting__unit").filter(pk=document_id).first()
    )
    if document is None:
        raise Http404
    if write:
        access.access_unit(user, document.meeting.unit_id, write=True)
    elif not access.reads_preparation(
        user, document.meeting, selectors.meeting_day(document.meeting)
    ):
        raise Http404
    return document


def access_agenda_item(meeting: Meeting, item_id: int) -> AgendaItem:
    """An item of this meeting's agenda (an item of another meeting is a 404)."""
    item = AgendaItem.objects.filter(meeting=meeting, pk=item_id).select_related("meeting").first()
    if item is None:
        raise Http404
    item.meeting = meeting
    return item


def access_feed(user: User, feed_id: int) -> CalendarFeed:
    """One of the user's own open calendar links; anyone else's is a 404."""
    feed = (
        CalendarFeed.objects.filter(pk=feed_id, user=user, revoked_at__isnull=True)
        .select_related("unit")
        .first()
    )
    if feed is None:
        raise Http404
    return feed


def open_feeds(user: User) -> list[CalendarFeed]:
    return list(
        CalendarFeed.objects.filter(user=user, revoked_at__isnull=True)
        .select_related("unit")
        .order_by("unit__path", "-created_at")
    )


class Place:
    """Why a member's page lists a meeting."""

    EXPECTED = "expected"  # on the roll and expected (RULES.md §1.5)
    EXEMPTED = "exempted"  # exempted from activities: may come, is not counted
    SUPERVISING = "supervising"  # the committee member assigned to watch over the unit


@dataclass
class MyMeeting:
    meeting: Meeting
    place: str
    documents: list[MeetingDocument]
    notice: MeetingNotice | None  # the latest notice shown on the member's page
    opinion: Opinion | None
    can_opine: bool


def _covers(row: Any, day: date) -> bool:
    return bool(row.valid_from <= day and (row.valid_to is None or row.valid_to >= day))


def _place_on(
    day: date,
    unit_id: int,
    memberships: list[Membership],
    statuses: list[MemberStatus],
    supervisions: list[SupervisionAssignment],
) -> str | None:
    """The rule of `selectors.expected` for one member, from rows already read."""
    status = next((s.status for s in statuses if _covers(s, day)), None)
    for row in memberships:
        if row.unit_id != unit_id or not _covers(row, day):
            continue
        if row.kind == MembershipKind.TEMPORARY and status == Status.ATTACHED:
            return Place.EXPECTED
        if row.kind == MembershipKind.OFFICIAL and status in (Status.OFFICIAL, Status.PROBATIONARY):
            return Place.EXPECTED
        if row.kind == MembershipKind.OFFICIAL and status == Status.EXEMPTED:
            return Place.EXEMPTED
    if any(s.unit_id == unit_id and _covers(s, day) for s in supervisions):
        return Place.SUPERVISING
    return None


def meetings_for(
    member: Member,
    since: datetime,
    until: datetime | None = None,
    *,
    details: bool = True,
    now: datetime | None = None,
) -> list[MyMeeting]:
    """The meetings of the units `member` is expected at (home cell, or the host cell while
    temporarily attached), may attend (exempted), or supervises, from `since`, in date order.

    A fixed number of queries whatever the number of meetings: the member's memberships,
    statuses and supervisions, the meetings, and (with `details`) their documents, page
    notices, agendas and this member's opinions.
    """
    now = now or timezone.now()
    first = timezone.localtime(since).date()
    last = timezone.localtime(until).date() if until else None
    memberships = list(Membership.objects.filter(overlaps(first, last), member=member))
    statuses = list(MemberStatus.objects.filter(overlaps(first, last), member=member))
    supervisions = list(
        SupervisionAssignment.objects.filter(overlaps(first, last), supervisor=member)
    )
    units = {m.unit_id for m in memberships} | {s.unit_id for s in supervisions}
    meetings = Meeting.objects.filter(unit_id__in=units, starts_at__gte=since).select_related(
        "unit"
    )
    if until is not None:
        meetings = meetings.filter(starts_at__lt=until)
    if details:
        meetings = meetings.prefetch_related(
            Prefetch("documents", queryset=MeetingDocument.objects.order_by("uploaded_at", "id")),
            Prefetch(
                "notices",
                queryset=MeetingNotice.objects.filter(channel=NoticeChannel.PAGE).order_by(
                    "-sent_at", "-id"
                ),
            ),
            Prefetch("opinions", queryset=Opinion.objects.filter(member=member)),
            Prefetch(
                "agenda",
                queryset=AgendaItem.objects.select_related("assignee").order_by("position"),
            ),
        )
    found = []
    for meeting in meetings.order_by("starts_at", "id"):
        place = _place_on(
            selectors.meeting_day(meeting), meeting.unit_id, memberships, statuses, supervisions
        )
        if place is None:
            continue
        notices = list(meeting.notices.all()) if details else []
        opinions = list(meeting.opinions.all()) if details else []
        found.append(
            MyMeeting(
                meeting=meeting,
                place=place,
                documents=list(meeting.documents.all()) if details else [],
                notice=notices[0] if notices else None,
                opinion=opinions[0] if opinions else None,
                can_opine=place == Place.EXPECTED
                and meeting.state in NOT_YET_HELD
                and now < meeting.starts_at,
            )
        )
    return found
