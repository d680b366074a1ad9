"""Private iCalendar feeds (RFC 5545): a member's own meetings, or one unit's meetings, for the
calendar app of a phone. Written by hand: one event type with a few text properties does not
need a library, only the escaping (§3.3.11) and the line folding (§3.1) done right.

The token in the URL is the only key. A feed is checked again at every fetch: a revoked link,
a deactivated account, or a unit the user no longer reads answers 404.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chibo.accounts import access
from chibo.meetings import preparation
from chibo.meetings.models import CalendarFeed, Meeting, MeetingKind, MeetingState
from chibo.meetings.rules import rule_for
from chibo.members.models import Member

# A feed carries the last three months as well, so that a phone keeps the recent meetings.
PAST_DAYS = 90
CRLF = "\r\n"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, line breaks
    as \\n; other control characters, which TEXT may not hold, dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text.replace("\t", " "))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets (RFC 5545 §3.1), each continued
    by CRLF and a space, never inside a UTF-8 character (Vietnamese letters take 2–3 octets)."""
    parts: list[str] = []
    chunk: list[str] = []
    size, limit = 0, 75
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            parts.append("".join(chunk))
            chunk, size, limit = [], 0, 74  # the leading space takes one octet
        chunk.append(char)
        size += octets
    parts.append("".join(chunk))
    return (CRLF + " ").join(parts)


def utc(moment: datetime) -> str:
    """A DATE-TIME in UTC form (§3.3.5, form #2): needs no VTIMEZONE component."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class Event:
    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str
    description: str
    url: str
    cancelled: bool = False


def calendar_text(name: str, events: list[Event], now: datetime) -> str:
    """The whole VCALENDAR object, CRLF line ends, folded."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//chibo//Sinh hoat chi bo//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        f"X-WR-TIMEZONE:{settings.TIME_ZONE}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    stamp = utc(now)
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc(event.start)}",
            f"DTEND:{utc(event.end)}",
            f"SUMMARY:{escape(event.summary)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{escape(event.location)}")
        lines += [
            f"DESCRIPTION:{escape(event.description)}",
            f"URL:{event.url}",
            f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


def live_feed(token: str) -> CalendarFeed | None:
    """The feed of `token` if it still opens: not revoked, its account active, and for a unit
    feed, the unit still in the account's scope today."""
    feed = (
        CalendarFeed.objects.select_related("user", "unit")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    if feed.unit_id is not None and not (
        access.units_visible_to(feed.user).filter(pk=feed.unit_id).exists()
    ):
        return None
    return feed


def _end(meeting: Meeting) -> datetime:
    """The recorded end, or the start plus the guidance's minimum length (90 or 120 min)."""
    if meeting.ends_at:
        return meeting.ends_at
    rule = "min_minutes_with_thematic" if meeting.kind == MeetingKind.THEMATIC else "min_minutes"
    return meeting.starts_at + timedelta(minutes=rule_for(meeting.unit, rule))


def _event(meeting: Meeting, url: str, host: str, note: str = "") -> Event:
    summary = meeting.get_kind_display()
    if meeting.title:
        summary += f": {meeting.title}"
    summary += f" · {meeting.unit.name}"
    lines = [
        note,
        meeting.unit.name,
        _("Trạng thái: %(state)s") % {"state": meeting.get_state_display()},
        _("Chi tiết, chương trình và tài liệu: %(url)s") % {"url": url},
    ]
    return Event(
        uid=f"meeting-{meeting.pk}@{host}",
        start=meeting.starts_at,
        end=_end(meeting),
        summary=(note + " " if note else "") + summary,
        location=meeting.place,
        description="\n".join(line for line in lines if line),
        url=url,
        cancelled=meeting.state == MeetingState.CANCELLED,
    )


def feed_calendar(feed: CalendarFeed, base_url: str, now: datetime | None = None) -> str:
    """The iCalendar text of a feed. A member's feed links each meeting to the member's own
    page (where its documents and the opinion form are); a unit feed, to the meeting page."""
    now = now or timezone.now()
    since = now - timedelta(days=PAST_DAYS)
    base = base_url.rstrip("/")
    host = re.sub(r"^[a-z]+://", "", base).split("/")[0] or "chibo"
    events: list[Event] = []
    with translation.override(settings.LANGUAGE_CODE):
        if feed.unit is not None:
            name = _("Sinh hoạt · %(unit)s") % {"unit": feed.unit.name}
            meetings = Meeting.objects.filter(unit=feed.unit, starts_at__gte=since)
            for meeting in meetings.select_related("unit").order_by("starts_at", "id"):
                url = base + reverse("meetings:detail", args=[meeting.pk])
                events.append(_event(meeting, url, host))
        else:
            member = Member.objects.filter(user=feed.user).first()
            name = _("Lịch sinh hoạt của %(name)s") % {
                "name": member.full_name if member else feed.user.get_username()
            }
            mine = base + reverse("meetings:mine")
            found = preparation.meetings_for(member, since, details=False) if member else []
            for item in found:
                note = {
                    preparation.Place.SUPERVISING: _("[Phụ trách]"),
                    preparation.Place.EXEMPTED: _("[Được miễn sinh hoạt]"),
                }.get(item.place, "")
                url = f"{mine}#meeting-{item.meeting.pk}"
                events.append(_event(item.meeting, url, host, note))
        return calendar_text(name, events, now)
