"""A thematic topic cascaded by a higher unit (issue 4): every meeting unit below it gets its
own thematic meeting to hold, and completion rolls up to the unit that gave it.

The directive itself is a "source" meeting on the giving unit (kind thematic, state planned,
no agenda); each cell's meeting points to it through `Meeting.cascade_from`. A cell may move
its own meeting like any other; thematic meetings are due at least once a quarter
(12-HD/BTCTW 2018, RULES.md §1.1).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.audit.services import record
from chibo.lib.dates import format_date
from chibo.lib.intervals import active_on
from chibo.meetings.models import AgendaItem, Meeting, MeetingKind, MeetingState
from chibo.meetings.selectors import meeting_day
from chibo.meetings.services import MEETING_KINDS, STANDARD_AGENDA, meeting_units
from chibo.units import treepath
from chibo.units.models import Unit

HELD = (MeetingState.HELD, MeetingState.CLOSED)


def units_below(root: Unit, on: date) -> list[Unit]:
    """The units strictly below `root` that hold their own meetings on `on`, in tree order."""
    return [u for u in meeting_units(root, on) if u.pk != root.pk]


def has_units_below(root: Unit, on: date) -> bool:
    """Whether a topic can be cascaded from `root` (one query). Any meeting-kind unit below
    means a meeting unit below: a base organisation with cells has those cells."""
    return (
        Unit.objects.filter(active_on(on), treepath.within(root.path), kind__in=MEETING_KINDS)
        .exclude(pk=root.pk)
        .exists()
    )


def _reach(source: Meeting, day: date) -> list[Meeting]:
    """Give the source's topic to every meeting unit below its unit that has not got it yet:
    one thematic meeting each, with the standard agenda, in a fixed number of inserts."""
    have = set(Meeting.objects.filter(cascade_from=source).values_list("unit_id", flat=True))
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                unit=unit,
                kind=MeetingKind.THEMATIC,
                starts_at=source.starts_at,
                place=source.place,
                title=source.title,
                cascade_from=source,
            )
            for unit in units_below(source.unit, day)
            if unit.pk not in have
        ],
        batch_size=500,
    )
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=meeting, position=i, part=part, title=str(title))
            for meeting in meetings
            for i, (part, title) in enumerate(STANDARD_AGENDA, start=1)
        ],
        batch_size=1000,
    )
    return meetings


def _record(source: Meeting, actor: User | None, meetings: list[Meeting]) -> None:
    """One event on the source, whatever the number of cells."""
    record(
        "meetings.topic.cascade",
        actor=actor,
        obj=source,
        unit=source.unit,
        changes={
            "title": source.title,
            "starts_at": source.starts_at,
            "place": source.place,
            "cells": len(meetings),
            "units": [m.unit_id for m in meetings],
        },
    )


@transaction.atomic
def cascade_topic(
    root_unit: Unit, *, actor: User | None, title: str, starts_at: datetime, place: str = ""
) -> Meeting:
    """Give a thematic topic to every meeting unit below `root_unit`, to hold on `starts_at`
    (each may move its own). Returns the source meeting that stands for the directive.

    Idempotent: the same topic at the same time from the same unit (a form sent twice) is the
    same directive; only units below that have no meeting of it yet get one.
    """
    title = " ".join(title.split())
    place = place.strip()
    day = timezone.localtime(starts_at).date()
    if not title:
        raise ValidationError(_("Hãy ghi chủ đề sinh hoạt chuyên đề. (A topic is required.)"))
    if not root_unit.is_active_on(day):
        raise ValidationError(
            _("%(unit)s không hoạt động vào ngày %(day)s. (Unit not active that day.)")
            % {"unit": root_unit.name, "day": format_date(day)}
        )
    Unit.objects.select_for_update().filter(pk=root_unit.pk).first()  # one cascade at a time
    source = Meeting.objects.filter(
        unit=root_unit,
        kind=MeetingKind.THEMATIC,
        title=title,
        starts_at=starts_at,
        cascade_from__isnull=True,
    ).first()
    if source is None:
        if not has_units_below(root_unit, day):
            raise ValidationError(
                _(
                    "Không có chi bộ nào trực thuộc %(unit)s vào ngày %(day)s. "
                    "(No meeting unit below.)"
                )
                % {"unit": root_unit.name, "day": format_date(day)}
            )
        source = Meeting.objects.create(
            unit=root_unit,
            kind=MeetingKind.THEMATIC,
            title=title,
            starts_at=starts_at,
            place=place,
        )
    meetings = _reach(source, day)
    if meetings:
        _record(source, actor, meetings)
    return source


@transaction.atomic
def extend_cascade(source: Meeting, *, actor: User | None) -> int:
    """Give the source's topic to the units below that were founded since it was cascaded
    (or missed it). Returns how many got it; 0 writes nothing."""
    Unit.objects.select_for_update().filter(pk=source.unit_id).first()
    meetings = _reach(source, meeting_day(source))
    if meetings:
        _record(source, actor, meetings)
    return len(meetings)


# Roll-up -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """A cell that has not held the topic yet; overdue once its planned time has passed."""

    meeting: Meeting
    overdue: bool


@dataclass(frozen=True)
class Rollup:
    """How far the cells below have come with a cascaded topic."""

    source: Meeting
    meetings: list[Meeting]  # every cell's meeting of the topic, with its unit, in tree order
    missing: list[Unit]  # meeting units below on the day that have no meeting of the topic

    @property
    def total(self) -> int:
        return len(self.meetings)

    @property
    def held(self) -> int:
        """Held, whether the minutes are closed yet or not."""
        return sum(1 for m in self.meetings if m.state in HELD)

    @property
    def closed(self) -> int:
        return sum(1 for m in self.meetings if m.state == MeetingState.CLOSED)

    @property
    def not_yet(self) -> int:
        return self.total - self.held

    @property
    def percent(self) -> float | None:
        return round(100 * self.held / self.total, 1) if self.total else None

    @property
    def lagging(self) -> list[Waiting]:
        """Cells that have not held it: the overdue first, then by their planned time."""
        now = timezone.now()
        waiting = sorted(
            (m for m in self.meetings if m.state not in HELD),
            key=lambda m: (m.starts_at >= now, m.starts_at, m.unit.path),
        )
        return [Waiting(m, m.starts_at < now) for m in waiting]


def rollup(source: Meeting) -> Rollup:
    """The roll-up of a cascaded topic in three queries, whatever the number of cells."""
    meetings = list(
        Meeting.objects.filter(cascade_from=source).select_related("unit").order_by("unit__path")
    )
    have = {m.unit_id for m in meetings}
    missing = [u for u in units_below(source.unit, meeting_day(source)) if u.pk not in have]
    return Rollup(source, meetings, missing)


def sources_of(unit: Unit) -> list[Meeting]:
    """The topics `unit` has cascaded, latest first (one query)."""
    return list(
        Meeting.objects.filter(unit=unit, cascaded__isnull=False).distinct().order_by("-starts_at")
    )
