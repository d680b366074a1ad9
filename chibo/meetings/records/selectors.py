"""Reads for a meeting's records: who counts in a vote, the figures of the minutes (all
computed from the roll and the attendance, never typed), and the fetches that check access."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from chibo.accounts import access
from chibo.accounts.models import User
from chibo.audit.models import AuditEvent
from chibo.committees.models import CommitteeSeat
from chibo.lib.intervals import active_on
from chibo.meetings.models import (
    AgendaItem,
    Attendance,
    Guest,
    Mark,
    Meeting,
    Resolution,
    Vote,
    VoteRule,
)
from chibo.meetings.selectors import meeting_day
from chibo.members.models import Member, Membership, MembershipKind, Status
from chibo.members.selectors import status_at
from chibo.units.models import Unit, UnitVersion

CAME = (Mark.PRESENT, Mark.LATE)


def resolution_code(resolution: Resolution) -> str:
    """The number as the document prints it after "Số:": "05-NQ/CB"."""
    return f"{resolution.number:02d}-NQ/CB"


# Access -----------------------------------------------------------------------------------


def access_meeting(user: User, meeting_id: int, *, write: bool = False) -> Meeting:
    """The meeting if the user may read its records (a role over its unit that opens the
    members' records) or, `write`, change them; otherwise 404, so ids leak nothing."""
    return access.access_meeting(user, meeting_id, write=write, members=True)


def access_resolution(user: User, resolution_id: int) -> Resolution:
    """The resolution if the user may read the records of the meeting that adopted it."""
    resolution = Resolution.objects.filter(pk=resolution_id).first()
    if resolution is None:
        raise Http404
    resolution.meeting = access_meeting(user, resolution.meeting_id)
    return resolution


# The roll on the meeting day --------------------------------------------------------------


@dataclass
class Roll:
    """The cell's members on the meeting day, by what they were that day (one query).

    The cell's own roll (its đảng số) is official + probationary + exempted + attached
    elsewhere + suspended; members of other cells attached here take part but are not on it
    (RULES.md §2.4).
    """

    official: list[Member] = field(default_factory=list)
    probationary: list[Member] = field(default_factory=list)
    exempted: list[Member] = field(default_factory=list)
    attached_elsewhere: list[Member] = field(default_factory=list)
    suspended: list[Member] = field(default_factory=list)
    attached_here: list[Member] = field(default_factory=list)

    @property
    def on_roll(self) -> int:
        return sum(
            len(group)
            for group in (
                self.official,
                self.probationary,
                self.exempted,
                self.attached_elsewhere,
                self.suspended,
            )
        )

    @property
    def expected(self) -> list[Member]:
        """Who the meeting expects: as `chibo.meetings.selectors.expected`, in name order."""
        return sorted(
            [*self.official, *self.probationary, *self.attached_here],
            key=lambda m: (m.sort_name, m.pk),
        )


def roll(meeting: Meeting) -> Roll:
    day = meeting_day(meeting)
    rows = (
        Membership.objects.filter(active_on(day), unit_id=meeting.unit_id)
        .select_related("member")
        .annotate(status=status_at(day))
        .order_by("member__sort_name", "member_id")
    )
    result = Roll()
    groups = {
        Status.OFFICIAL: result.official,
        Status.PROBATIONARY: result.probationary,
        Status.EXEMPTED: result.exempted,
        Status.ATTACHED: result.attached_elsewhere,
        Status.SUSPENDED: result.suspended,
    }
    for row in rows:
        if row.kind == MembershipKind.TEMPORARY:
            if row.status == Status.ATTACHED:
                result.attached_here.append(row.member)
        elif row.status in groups:
            groups[row.status].append(row.member)
    return result


def marks_of(meeting: Meeting) -> dict[int, Attendance]:
    return {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}


# Votes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteBase:
    """What a vote is measured against: the denominator of its rule, and how many members
    with a vote were there to cast one."""

    denominator: int
    voters_present: int


def vote_base(meeting: Meeting, rule: str) -> VoteBase:
    """The denominator of a vote at `meeting` under `rule` (RULES.md §1.5).

    Only official members vote: probationary members have every right but the vote (Điều lệ
    Đảng, Điều 3). Members of other cells attached here are counted by their own cell, not by
    this one. Majority (24-QĐ/TW §9.3.2): the official members summoned, less those attached
    elsewhere, suspended, exempted and absent (an exempted member who comes is counted), and
    those absent for the whole meeting with an approved reason (excused). Two-thirds (Điều lệ,
    Điều 4–5: admission, recognition, removal): all official members of the cell that day.
    """
    members = roll(meeting)
    marks = {member_id: a.mark for member_id, a in marks_of(meeting).items()}
    official_present = sum(marks.get(m.pk) in CAME for m in members.official)
    exempted_present = sum(marks.get(m.pk) in CAME for m in members.exempted)
    voters_present = official_present + exempted_present
    if rule == VoteRule.TWO_THIRDS_OFFICIAL:
        return VoteBase(len(members.official), voters_present)
    excused = sum(marks.get(m.pk) == Mark.EXCUSED for m in members.official)
    return VoteBase(len(members.official) - excused + exempted_present, voters_present)


def passes(rule: str, votes_for: int, denominator: int) -> bool:
    """More than half of the denominator; at least two-thirds for the Charter's special votes."""
    if denominator <= 0:
        return False
    if rule == VoteRule.TWO_THIRDS_OFFICIAL:
        return 3 * votes_for >= 2 * denominator
    return 2 * votes_for > denominator


def share(part: int, whole: int) -> str:
    """A percentage the way Vietnamese documents write it: "66,7%"."""
    if not whole:
        return "—"
    return f"{100 * part / whole:.1f}".replace(".", ",").removesuffix(",0") + "%"


# The minutes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Absence:
    member: Member
    reason: str


@dataclass(frozen=True)
class Listed:
    """One line of the printable attendance list."""

    member: Member
    kind: str  # "official", "probationary", "attached_here", "exempted"
    mark: str  # "" while not recorded
    reason: str


@dataclass(frozen=True)
class Amendment:
    on: date
    reason: str
    by: str


@dataclass(frozen=True)
class MinutesData:
    """Everything the minutes (RULES.md §1.4) say about a meeting, computed from the data."""

    meeting: Meeting
    day: date
    unit_name: str  # as the unit was called on the meeting day
    superior_name: str
    # The roll
    on_roll: int
    official: int
    probationary: int
    exempted: int
    attached_elsewhere: int
    suspended: int
    attached_here: int
    # Attendance
    present_official: int
    present_probationary: int
    present_attached: int
    present_exempted: int
    excused: list[Absence]
    unexcused: list[Member]
    unmarked: list[Member]
    listed: list[Listed]
    guests: list[Guest]
    chair: Member | None
    chair_position: str
    secretary: Member | None
    agenda: list[AgendaItem]
    votes: list[Vote]
    resolutions: list[Resolution]
    amendments: list[Amendment]

    @property
    def expected(self) -> int:
        return self.official + self.probationary + self.attached_here

    @property
    def present(self) -> int:
        """Everyone who came, the exempted members who came included."""
        return (
            self.present_official
            + self.present_probationary
            + self.present_attached
            + self.present_exempted
        )

    @property
    def present_counted(self) -> int:
        return self.present - self.present_exempted


def names_on(unit: Unit, day: date) -> tuple[str, str]:
    """The unit's name and its superior's on `day`, as the letterhead prints them."""
    version = UnitVersion.objects.filter(active_on(day), unit=unit).first()
    name = version.name if version else unit.name
    parent_id = version.parent_id if version else unit.parent_id
    if parent_id is None:
        return name, ""
    parent = (
        UnitVersion.objects.filter(active_on(day), unit_id=parent_id)
        .values_list("name", flat=True)
        .first()
    )
    if parent is None:
        parent = Unit.objects.filter(pk=parent_id).values_list("name", flat=True).first() or ""
    return name, parent


def position_of(member: Member | None, unit_id: int, day: date) -> str:
    """The member's committee position in the unit that day ("Bí thư"), or ""."""
    if member is None:
        return ""
    seat = (
        CommitteeSeat.objects.filter(active_on(day), unit_id=unit_id, member=member)
        .order_by("position")
        .first()
    )
    return seat.get_position_display() if seat else ""


def amendments_of(meeting: Meeting) -> list[Amendment]:
    events = AuditEvent.objects.filter(
        action="meetings.meeting.amend",
        object_type=Meeting._meta.label_lower,
        object_id=str(meeting.pk),
    ).order_by("at", "id")
    return [
        Amendment(
            timezone.localtime(event.at).date(),
            str(event.changes.get("reason", "")),
            event.actor_text,
        )
        for event in events
    ]


def minutes_data(meeting: Meeting) -> MinutesData:
    """The figures and lists of the minutes, in a fixed number of queries."""
    day = meeting_day(meeting)
    members = roll(meeting)
    marks = marks_of(meeting)

    def came(group: list[Member]) -> int:
        return sum(m.pk in marks and marks[m.pk].mark in CAME for m in group)

    expected = members.expected
    kinds = {
        **{m.pk: "official" for m in members.official},
        **{m.pk: "probationary" for m in members.probationary},
        **{m.pk: "attached_here" for m in members.attached_here},
        **{m.pk: "exempted" for m in members.exempted},
    }
    listed = [
        Listed(
            m,
            kinds[m.pk],
            marks[m.pk].mark if m.pk in marks else "",
            marks[m.pk].reason if m.pk in marks else "",
        )
        for m in sorted([*expected, *members.exempted], key=lambda m: (m.sort_name, m.pk))
    ]
    unit_name, superior_name = names_on(meeting.unit, day)
    votes = list(Vote.objects.filter(meeting=meeting).select_related("resolution").order_by("id"))
    return MinutesData(
        meeting=meeting,
        day=day,
        unit_name=unit_name,
        superior_name=superior_name,
        on_roll=members.on_roll,
        official=len(members.official),
        probationary=len(members.probationary),
        exempted=len(members.exempted),
        attached_elsewhere=len(members.attached_elsewhere),
        suspended=len(members.suspended),
        attached_here=len(members.attached_here),
        present_official=came(members.official),
        present_probationary=came(members.probationary),
        present_attached=came(members.attached_here),
        present_exempted=came(members.exempted),
        excused=[
            Absence(m, marks[m.pk].reason)
            for m in expected
            if m.pk in marks and marks[m.pk].mark == Mark.EXCUSED
        ],
        unexcused=[m for m in expected if m.pk in marks and marks[m.pk].mark == Mark.UNEXCUSED],
        unmarked=[m for m in expected if m.pk not in marks],
        listed=listed,
        guests=list(Guest.objects.filter(meeting=meeting).order_by("id")),
        chair=meeting.chair,
        chair_position=position_of(meeting.chair, meeting.unit_id, day),
        secretary=meeting.minutes_secretary,
        agenda=list(
            AgendaItem.objects.filter(meeting=meeting)
            .select_related("assignee")
            .order_by("position")
        ),
        votes=votes,
        resolutions=list(
            Resolution.objects.filter(meeting=meeting)
            .prefetch_related(Prefetch("votes", queryset=Vote.objects.order_by("id")))
            .order_by("number")
        ),
        amendments=amendments_of(meeting),
    )


def people_of(meeting: Meeting) -> list[Member]:
    """Who may chair the meeting or keep its minutes: the members it expects, exempted
    members, and guests who are members (a committee member from above, say)."""
    members = roll(meeting)
    guests = [
        g.member for g in Guest.objects.filter(meeting=meeting).select_related("member") if g.member
    ]
    people = {m.pk: m for m in [*members.expected, *members.exempted, *guests]}
    return sorted(people.values(), key=lambda m: (m.sort_name, m.pk))
