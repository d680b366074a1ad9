"""Test data for a meeting's preparation, built with the real services, and the objects the
access matrix (chibo/accounts/tests/test_access_matrix.py) asks for on the agenda, document
and calendar-feed URLs."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chibo.accounts.models import Role, User
from chibo.meetings import preparation
from chibo.meetings import services as meeting_services
from chibo.meetings.models import AgendaItem, CalendarFeed, Meeting, MeetingDocument
from chibo.units.models import Unit

if TYPE_CHECKING:
    from chibo.accounts.tests.test_access_matrix import Ctx, Target

MISSING_ID = 987_654
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office_file(inside: str) -> bytes:
    """The smallest zip that passes for a .docx (word/document.xml) or .xlsx (xl/workbook.xml)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(inside, "<x/>")
    return buffer.getvalue()


def upload(name: str = "du-thao.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def make_document(
    meeting: Meeting, title: str = "Dự thảo nghị quyết", now: datetime | None = None, **kw: Any
) -> MeetingDocument:
    document, _warnings = preparation.upload_document(
        meeting, actor=None, file=kw.pop("file", None) or upload(), title=title, now=now
    )
    return document


def _meeting(unit: Unit) -> Meeting:
    starts_at = timezone.make_aware(datetime(2025, 3, 4, 19))
    return meeting_services.plan_meeting(unit, actor=None, kind="regular", starts_at=starts_at)


def _targets(ctx: Ctx, make: Any) -> list[Target]:
    from chibo.accounts.tests.test_access_matrix import Target

    own = Target("own", make(ctx.tree.cell_a1), True, ctx.tree.cell_a1)
    if ctx.role == Role.ADMIN:
        return [own, Target("missing", MISSING_ID, False)]
    return [own, Target("other", make(ctx.tree.other_cell), False, ctx.tree.other_cell)]


def agenda_targets(ctx: Ctx) -> list[Target]:
    """The first agenda item of a meeting of the cell every role covers, and of one of the
    other province's cell."""

    def item(unit: Unit) -> int:
        first = AgendaItem.objects.filter(meeting=_meeting(unit)).order_by("position").first()
        assert first is not None
        return first.pk

    return _targets(ctx, item)


def agenda_kwargs(ctx: Ctx, target: Target) -> dict[str, Any]:
    item = AgendaItem.objects.filter(pk=target.id).first()
    return {"meeting_id": item.meeting_id if item else MISSING_ID, "item_id": target.id}


def document_targets(ctx: Ctx) -> list[Target]:
    """A document of a meeting of the cell every role covers, and one of the other cell."""
    return _targets(ctx, lambda unit: make_document(_meeting(unit)).pk)


def _holder(ctx: Ctx) -> User:
    from chibo.accounts.tests.test_access_matrix import ANONYMOUS

    return ctx.users[Role.MEMBER] if ctx.role == ANONYMOUS else ctx.users[ctx.role]


def feed_targets(ctx: Ctx) -> list[Target]:
    """The caller's own calendar link to the cell every role reads, and someone else's (even
    for an administrator): links are personal."""
    from chibo.accounts.tests.test_access_matrix import Target

    holder = _holder(ctx)
    other = ctx.users[Role.STAFF if holder == ctx.users[Role.MEMBER] else Role.MEMBER]
    own = preparation.create_feed(holder, actor=None, unit=ctx.tree.cell_a1)
    theirs = preparation.create_feed(other, actor=None, unit=ctx.tree.cell_a1)
    return [Target("own", own.pk, True), Target("other", theirs.pk, False)]


def token_targets(ctx: Ctx) -> list[Target]:
    """A live calendar link (anyone holding it reads it, signed in or not), and, for the
    signed-in roles, a revoked one: a 404. The target's id is the feed's."""
    from chibo.accounts.tests.test_access_matrix import ANONYMOUS, Target

    live = preparation.create_feed(_holder(ctx), actor=None, unit=ctx.tree.cell_a1)
    if ctx.role == ANONYMOUS:
        return [Target("own", live.pk, True)]
    revoked = preparation.create_feed(ctx.users[Role.STAFF], actor=None, unit=ctx.tree.district)
    preparation.revoke_feed(revoked, actor=None)
    return [Target("own", live.pk, True), Target("revoked", revoked.pk, False)]


def token_kwargs(ctx: Ctx, target: Target) -> dict[str, Any]:
    return {"token": CalendarFeed.objects.get(pk=target.id).token}
