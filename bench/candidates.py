"""Recruitment candidates for the benchmark's generator (`bench/generate.py`).

The rows `recruitment.services` and `recruitment.steps.record_step` write for each candidate, as
they stand on the generator's last day: the cell's list with the official member assigned to
help, the awareness-class certificate, the application, the history and the verification of the
candidate and their relatives, two introducers (or the Youth Union's or the trade union's
resolution and one member), the organisations' opinions, the cell's and the base committee's
resolutions with their real denominators (the cell's official members that day, the committee's
seats), the commune committee's decision, the ceremony that puts the member on the roll, the
probation votes and the recognition dated back to the end of the 12 months, or the removal.

The shape: the members the generator admits since 2021 (about 2,5 % a year) are the candidates
admitted, linked to their member rows; people whose ceremony would come in the next 14 months
stand at every earlier step; about a fifth as many again were dropped on the way (a third of
them after a vote short of two thirds). A few steps are late: a decision after 60 working days,
a ceremony after 30 with the higher committee's consent, a cell considering recognition after
30. Deadlines counted in working days are placed with the holiday calendar of
`chibo.lib.workdays`. Provinces, communes and base organisations have a yearly target near
2,5 % of their members.
"""

from __future__ import annotations

import calendar
import math
import random
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext

from bench import generate as g
from chibo.lib.workdays import is_workday
from chibo.meetings import services as meeting_services
from chibo.members import rules as member_rules
from chibo.recruitment.models import (
    Education,
    IntroducerKind,
    Proposal,
    Relation,
    Stage,
    StepKind,
    Verdict,
)
from chibo.recruitment.rules import rule_for
from chibo.units.models import Unit, UnitKind

NameDraw = Callable[[random.Random], tuple[str, str, str, str]]  # full, search, sort name, sex
FUTURE_DAYS = 420  # candidates whose ceremony would come within this many days are listed now
DROPPED = 0.2  # candidates dropped on the way, per candidate admitted
REFUSED = 0.33  # of the dropped: after a cell vote short of two thirds
EDUCATION = [
    Education.LOWER_SECONDARY,
    Education.UPPER_SECONDARY,
    Education.UPPER_SECONDARY,
    Education.UPPER_SECONDARY,
    Education.VOCATIONAL,
    Education.UNIVERSITY,
    Education.UNIVERSITY,
    Education.POSTGRADUATE,
]
OPINIONS_BY = "Chi đoàn, Hội Phụ nữ, Ban công tác Mặt trận nơi cư trú"
EXTENSION_NOTE = "Chờ kết quả thẩm tra bổ sung lý lịch"
REMOVAL_NOTE = "Không đủ tư cách đảng viên trong thời gian dự bị"
DROP_REASONS = [
    "Chuyển nơi cư trú",
    "Đi làm ăn xa",
    "Tự nguyện xin rút khỏi danh sách",
    "Không còn đủ tiêu chuẩn",
]
REFUSED_REASON = "Chi bộ biểu quyết không đủ hai phần ba, thôi xem xét"
# Where each step comes in the procedure, for steps recorded on the same day.
ORDER = {
    kind: i
    for i, kind in enumerate(
        [
            StepKind.CERTIFICATE,
            StepKind.APPLICATION,
            StepKind.HISTORY,
            StepKind.VERIFICATION,
            StepKind.OPINIONS,
            StepKind.CELL_RESOLUTION,
            StepKind.COMMITTEE_RESOLUTION,
            StepKind.EXTENSION,
            StepKind.DECISION,
            StepKind.CEREMONY,
            StepKind.PROBATION_CELL,
            StepKind.PROBATION_COMMITTEE,
            StepKind.RECOGNITION,
            StepKind.REMOVAL,
            StepKind.WITHDRAWAL,
        ]
    )
}


class Calendar:
    """The working days of `chibo.lib.workdays` listed once, so that adding some to a day is a
    bisection (the same answers as `add_workdays`, without walking day by day)."""

    def __init__(self, first: date, last: date):
        span = (last - first).days + 1
        self.days = [d for d in (first + timedelta(days=i) for i in range(span)) if is_workday(d)]

    def add(self, start: date, n: int) -> date:
        """The n-th working day after `start` (before it if n < 0), as `add_workdays`."""
        if n == 0:
            return start
        i = bisect_right(self.days, start) + n - 1 if n > 0 else bisect_left(self.days, start) + n
        if not 0 <= i < len(self.days):
            raise ValueError(f"{start} + {n} working days is outside the calendar")
        return self.days[i]


@dataclass(frozen=True)
class Timeline:
    """Every step of one candidate's procedure, drawn back from the day of the ceremony (and on
    to recognition or removal); the steps after the generator's last day are not recorded."""

    listed: date
    certificate: date
    application: date
    history: date
    concluded: date  # the relatives' verification results
    verification: date
    introduced: date
    opinions: date
    failed: date | None  # a cell vote short of two thirds, a month or two before the one passed
    resolved: date
    endorsed: date | None  # the base committee's resolution; None for a chi bộ cơ sở
    extension: tuple[date, int] | None  # the day and the working days granted
    decided: date
    received: date
    admitted: date
    consent: bool  # the ceremony after 30 working days, with the higher committee's consent
    probation_end: date
    probation_resolved: date
    probation_endorsed: date | None
    closed: date  # recognised, or removed
    remove: bool
    decision_no: str
    closing_no: str

    @property
    def recognised_on(self) -> date | None:
        """The member's recognition (dated back to the end of probation) once decided."""
        return self.probation_end if not self.remove and self.closed <= g.LAST_DAY else None

    @property
    def removed_on(self) -> date | None:
        return self.closed if self.remove and self.closed <= g.LAST_DAY else None


@dataclass(frozen=True)
class Applicant:
    """A candidate as a person: what `CandidateDetails` holds (the member's details when they
    are admitted)."""

    full_name: str
    search_name: str  # `vntext.search_key` of the name
    sort_name: str  # `vntext.name_sort_key` of the name
    sex: str
    born: date
    citizen_id: str
    hometown: str
    address: str
    phone: str
    ethnicity: str
    religion: str
    education: str
    occupation: str
    workplace: str


@dataclass(frozen=True)
class Place:
    """The units a candidate's procedure involves."""

    unit: g.UnitNode
    base: g.UnitNode  # its verification and, for a cell, its committee's resolution
    deciding: g.UnitNode  # the commune committee, which decides admission and recognition
    province: g.UnitNode

    @property
    def committee(self) -> int | None:
        """Seats on the base committee that votes after the cell; None: no such vote."""
        return self.base.committee if self.unit.kind == UnitKind.CELL else None


@dataclass
class Figures:
    """What was generated, for the test that reads it back through the selectors."""

    # candidate id → (stage on the last day, the deadline running then)
    candidates: dict[int, tuple[str, date | None]] = field(default_factory=dict)
    # (admitted | recognised | removed, year, id of the unit whose roll) → members
    events: Counter[tuple[str, int, int]] = field(default_factory=Counter)
    targets: dict[tuple[int, int], int] = field(default_factory=dict)  # (unit, year) → target
    admitted_without_candidacy: int = 0


class Officials:
    """Who is an official member of a unit on a day, from the final status chains."""

    def __init__(self, people: list[g.Person]):
        self.people = [p for p in people if p.official_from is not None]
        self.starts = sorted(p.official_from for p in self.people if p.official_from)
        self.ends = sorted(p.official_to for p in self.people if p.official_to is not None)

    def count(self, day: date) -> int:
        return bisect_right(self.starts, day) - bisect_left(self.ends, day)

    def pick(self, rng: random.Random, first: date, last: date, n: int) -> list[g.Person]:
        """Up to `n` members official from `first` to `last`, at random."""
        found: list[g.Person] = []
        if not self.people:
            return found

        def fits(p: g.Person) -> bool:
            assert p.official_from is not None
            return (
                p.official_from <= first
                and (p.official_to is None or p.official_to >= last)
                and all(p is not f for f in found)
            )

        for _try in range(12 * n):  # a few random tries, then every member in turn
            p = self.people[rng.randrange(len(self.people))]
            if fits(p):
                found.append(p)
                if len(found) == n:
                    return found
        for p in self.people:
            if fits(p):
                found.append(p)
                if len(found) == n:
                    break
        return found


def _vote(rng: random.Random, voters: int, passed: bool, rules: Rules) -> tuple[int, int]:
    """Votes for and against out of `voters`, reaching two thirds or not."""
    needed = math.ceil(voters * rules.numerator / rules.denominator)
    if passed:
        votes_for = max(needed, voters - rng.randrange(voters // 5 + 1))
        against = rng.randrange(voters - votes_for + 1) if rng.random() < 0.1 else 0
        return votes_for, against
    votes_for = max(0, needed - 1 - rng.randrange(3))
    return votes_for, rng.randint(min(1, voters - votes_for), voters - votes_for)


@dataclass(frozen=True)
class Rules:
    """The recruitment rules' values (the regulation's defaults: nothing is set in the data)."""

    decision: int
    ceremony: int
    recognition: int
    recognition_decision: int
    probation_months: int
    certificate_months: int
    numerator: int
    denominator: int

    @classmethod
    def read(cls) -> Rules:
        probe = Unit(kind=UnitKind.CELL)

        def rule(name: str) -> int:
            return int(rule_for(probe, name, g.LAST_DAY))

        return cls(
            rule("decision_workdays"),
            rule("ceremony_workdays"),
            rule("recognition_workdays"),
            rule("recognition_decision_workdays"),
            int(member_rules.rule("probation_months", probe, g.LAST_DAY)),
            rule("certificate_valid_months"),
            rule("vote_numerator"),
            rule("vote_denominator"),
        )


def plus_months(day: date, months: int) -> date:
    """`day + relativedelta(months=months)`, the last day of a shorter month kept, faster."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def age(born: date, day: date) -> int:
    """Whole years of age on `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


class Recruitment:
    """Writes the candidates of each unit that keeps a list, and the yearly targets."""

    def __init__(self, seed: int, rows: g.Rows, ids: g.Ids, keep_figures: bool):
        self.seed, self.rows, self.ids = seed, rows, ids
        self.calendar = Calendar(date(2019, 1, 1), date(2029, 12, 31))
        self.rules = Rules.read()
        probe = Unit(kind=UnitKind.CELL)
        months = (g.LAST_DAY.year - g.FOUNDED.year) * 12 + g.LAST_DAY.month
        self.reviews = sorted(
            meeting_services.regular_day(probe, g.FOUNDED + relativedelta(months=i))
            for i in range(months)
        )
        self.figures = Figures() if keep_figures else None
        self.spare_serial: dict[int, int] = {}  # province → next citizen ID serial, downwards
        self.recognised = gettext("Công nhận đảng viên chính thức")
        self.admission = gettext("Quyết định kết nạp %(n)s")  # the ceremony's basis
        self.education = {e.value: str(e.label) for e in Education}  # as the member has it

    # The procedure of one candidate ------------------------------------------------------

    def timeline(self, rng: random.Random, admitted: date, committee: bool) -> Timeline:
        """Every step of a procedure whose ceremony is `admitted`, within the deadlines but for
        a few: drawn backwards to the listing, then on to the end of probation."""
        cal, rules = self.calendar, self.rules
        consent = rng.random() < 0.02
        received = cal.add(admitted, -rng.randint(32, 45) if consent else -rng.randint(3, 26))
        decided = received - _days(rng, 0, 4)
        extension = None
        kind = rng.random()
        if kind < 0.03:  # decided after the 60 working days, without an extension
            resolved = cal.add(decided, -rng.randint(rules.decision + 2, rules.decision + 20))
        elif kind < 0.07:  # an extension granted, then decided within it
            granted = rng.randint(10, 30)
            resolved = cal.add(decided, -rng.randint(rules.decision + 1, rules.decision + granted))
            extension = (cal.add(resolved, rng.randint(40, rules.decision - 2)), granted)
        else:
            resolved = cal.add(decided, -rng.randint(8, rules.decision - 5))
        endorsed = min(decided, resolved + _days(rng, 3, 20)) if committee else None
        failed = resolved - _days(rng, 28, 60) if rng.random() < 0.05 else None
        opinions = (failed or resolved) - _days(rng, 5, 25)
        verification = opinions - _days(rng, 5, 25)
        introduced = verification + _days(rng, 0, (opinions - verification).days)
        history = verification - _days(rng, 20, 60)
        concluded = verification - _days(rng, 1, 10)
        application = history - _days(rng, 5, 20)
        certificate = application - _days(rng, 5, 30)
        listed = certificate - _days(rng, 20, 120)
        end = plus_months(admitted, rules.probation_months)
        late = rng.random() < 0.04
        probation_resolved = cal.add(end, rng.randint(31, 45) if late else rng.randint(1, 28))
        probation_endorsed = probation_resolved + _days(rng, 2, 14) if committee else None
        closed = cal.add(probation_resolved, rng.randint(5, 28))
        if probation_endorsed is not None:
            closed = max(closed, probation_endorsed)
        return Timeline(
            listed=listed,
            certificate=certificate,
            application=application,
            history=history,
            concluded=concluded,
            verification=verification,
            introduced=introduced,
            opinions=opinions,
            failed=failed,
            resolved=resolved,
            endorsed=endorsed,
            extension=extension,
            decided=decided,
            received=received,
            admitted=admitted,
            consent=consent,
            probation_end=end,
            probation_resolved=probation_resolved,
            probation_endorsed=probation_endorsed,
            closed=closed,
            remove=rng.random() < 0.015,
            decision_no=f"{rng.randrange(100, 1000)}-QĐ/ĐU",
            closing_no=f"{rng.randrange(100, 1000)}-QĐ/ĐU",
        )

    def admission_basis(self, t: Timeline) -> str:
        """The membership's basis as the ceremony writes it."""
        return self.admission % {"n": t.decision_no}

    def _applicant(
        self, rng: random.Random, place: Place, ceremony: date, names: NameDraw
    ) -> Applicant:
        full, search, sort, sex = names(rng)
        born = g._days(
            rng, date(1980, 1, 1), min(date(2006, 1, 1), plus_months(ceremony, -19 * 12))
        )
        province = place.province
        serial = self.spare_serial.get(province.id, 999_999)
        self.spare_serial[province.id] = serial - 1
        century = (0 if born.year < 2000 else 2) + (1 if sex == "F" else 0)
        citizen = f"{province.code[1:].zfill(3)}{century}{born.year % 100:02d}{serial:06d}"
        commune = place.deciding.name.removeprefix("Đảng bộ ")
        occupation = g.OCCUPATIONS[rng.randrange(len(g.OCCUPATIONS))]
        return Applicant(
            full_name=full,
            search_name=search,
            sort_name=sort,
            sex=sex,
            born=born,
            citizen_id=citizen,
            hometown=commune,
            address=f"Thôn {rng.randrange(1, 15)}, {commune}",
            phone=f"09{rng.randrange(10**8):08d}",
            ethnicity=g.ETHNICITIES[rng.randrange(len(g.ETHNICITIES))],
            religion=g.RELIGIONS[rng.randrange(len(g.RELIGIONS))],
            education=EDUCATION[rng.randrange(len(EDUCATION))],
            occupation=occupation[0],
            workplace=occupation[1],
        )

    # A unit's candidates -----------------------------------------------------------------

    def unit(self, place: Place, people: list[g.Person], names: NameDraw) -> None:
        """The candidates of a unit that keeps a list: its members admitted since the data
        begins, people on their way now, people dropped on the way."""
        unit = place.unit
        rng = random.Random(self.seed * 1_000_033 + unit.id)
        officials = Officials(people)
        lagging = rng.random() < 0.1  # a cell that has not reviewed its list for two months
        for person in people:
            t = person.timeline
            if t is None:
                continue
            if t.listed >= g.FOUNDED and self._candidate(
                rng, place, t, person.applicant(), officials, lagging, member=person
            ):
                person.candidacy = True
            elif self.figures is not None:
                self.figures.admitted_without_candidacy += 1
        share = g.ADMITTED_A_YEAR * FUTURE_DAYS / 365.25
        for _i in range(sum(rng.random() < share for _person in people)):
            ceremony = g.LAST_DAY + _days(rng, 1, FUTURE_DAYS)
            t = self.timeline(rng, ceremony, place.committee is not None)
            if t.listed <= g.LAST_DAY:
                applicant = self._applicant(rng, place, ceremony, names)
                self._candidate(rng, place, t, applicant, officials, lagging)
        span = (g.LAST_DAY - g.FOUNDED).days
        share = g.ADMITTED_A_YEAR * DROPPED * span / 365.25
        for _i in range(sum(rng.random() < share for _person in people)):
            ceremony = g.FOUNDED + _days(rng, 300, span + 120)
            t = self.timeline(rng, ceremony, place.committee is not None)
            if g.FOUNDED <= t.listed <= g.LAST_DAY - timedelta(days=10):
                applicant = self._applicant(rng, place, ceremony, names)
                refused = rng.random() < REFUSED and t.resolved <= g.LAST_DAY
                drop = "refused" if refused else "dropped"
                self._candidate(rng, place, t, applicant, officials, lagging, drop=drop)

    def _steps(self, t: Timeline) -> list[tuple[date, str, bool]]:
        """(day, kind, passed) of every step of the timeline, in the order they are recorded."""
        steps = [
            (t.certificate, StepKind.CERTIFICATE, True),
            (t.application, StepKind.APPLICATION, True),
            (t.history, StepKind.HISTORY, True),
            (t.verification, StepKind.VERIFICATION, True),
            (t.opinions, StepKind.OPINIONS, True),
            (t.resolved, StepKind.CELL_RESOLUTION, True),
            (t.decided, StepKind.DECISION, True),
            (t.admitted, StepKind.CEREMONY, True),
            (t.probation_resolved, StepKind.PROBATION_CELL, True),
            (t.closed, StepKind.REMOVAL if t.remove else StepKind.RECOGNITION, True),
        ]
        if t.failed:
            steps.append((t.failed, StepKind.CELL_RESOLUTION, False))
        if t.endorsed:
            steps.append((t.endorsed, StepKind.COMMITTEE_RESOLUTION, True))
        if t.extension:
            steps.append((t.extension[0], StepKind.EXTENSION, True))
        if t.probation_endorsed:
            steps.append((t.probation_endorsed, StepKind.PROBATION_COMMITTEE, True))
        return sorted(steps, key=lambda s: (s[0], ORDER[s[1]]))

    def _candidate(
        self,
        rng: random.Random,
        place: Place,
        t: Timeline,
        person: Applicant,
        officials: Officials,
        lagging: bool,
        member: g.Person | None = None,
        drop: str | None = None,
    ) -> bool:
        """One candidate's rows up to the last day, or to the day they were dropped. False, and
        nothing written, when the unit could not have taken the steps: no official member to
        help or to introduce, none to vote, no committee."""
        steps = self._steps(t)
        last, dropped_on, reason = g.LAST_DAY, None, ""
        if drop == "refused":  # the cell's vote falls short of two thirds, and it stops there
            vote = steps.index((t.resolved, StepKind.CELL_RESOLUTION, True))
            steps = [*steps[:vote], (t.resolved, StepKind.CELL_RESOLUTION, False)]
            dropped_on = min(last, t.resolved + _days(rng, 1, 30))
            reason = REFUSED_REASON
        elif drop == "dropped":
            ceremony = next(i for i, s in enumerate(steps) if s[1] == StepKind.CEREMONY)
            k = rng.choice([-1, *(i for i in range(ceremony) if steps[i][0] <= last)])
            after = steps[k][0] if k >= 0 else t.listed
            before = min(last, steps[k + 1][0] - timedelta(days=1))
            dropped_on = after + timedelta(days=rng.randint(0, max(0, (before - after).days)))
            steps = steps[: k + 1]
            reason = DROP_REASONS[rng.randrange(len(DROP_REASONS))]
        if dropped_on is not None:
            last = dropped_on
        steps = [s for s in steps if s[0] <= last]
        # The people the steps need, as the services check them.
        helpers = officials.pick(rng, t.listed, min(t.admitted, last), 1)
        youth = age(person.born, t.listed) <= 28 and rng.random() < 0.6
        introducers: list[g.Person] = []
        union = ""
        if t.introduced <= last:
            youth_age = age(person.born, t.resolved) <= 30
            # The Youth Union introduces its own members; the trade union, where there is no
            # Youth Union, people at work (RULES.md §3.2).
            by_union = youth_age if youth else bool(person.workplace) and rng.random() < 0.3
            wanted = 1 if by_union and rng.random() < 0.5 else 2
            introducers = officials.pick(rng, t.introduced, t.resolved, wanted)
            if len(introducers) == 1:
                if youth and not youth_age:
                    return False
                union = IntroducerKind.YOUTH_UNION if youth else IntroducerKind.TRADE_UNION
            if not introducers:
                return False
        if not helpers:
            return False
        votes: list[tuple[int, int, int] | None] = []  # voters, for, against
        for day, kind, passed in steps:
            if kind in (StepKind.CELL_RESOLUTION, StepKind.PROBATION_CELL):
                voters = officials.count(day)
            elif kind in (StepKind.COMMITTEE_RESOLUTION, StepKind.PROBATION_COMMITTEE):
                voters = place.committee or 0
            else:
                votes.append(None)
                continue
            if voters == 0:
                return False
            votes.append((voters, *_vote(rng, voters, passed, self.rules)))
        # Written as the services write them.
        candidate_id = self.ids.take("recruitment_candidate")
        state = self._record(rng, candidate_id, place, t, steps, votes, member)
        if dropped_on is not None:
            self._step(candidate_id, StepKind.WITHDRAWAL, dropped_on, note=reason)
            state.update(stage=Stage.WITHDRAWN, closed_on=dropped_on)
        if t.history <= last:
            self._relatives(rng, candidate_id, t, person, place, last)
        if introducers:
            self._introducers(rng, candidate_id, t, introducers, union, place, person)
        exit_day = t.admitted if state["admitted_on"] else dropped_on
        until = g.LAST_DAY if exit_day is None else exit_day - timedelta(days=1)
        if lagging and exit_day is None:
            until -= timedelta(days=75)
        reviews = self.reviews[: bisect_right(self.reviews, until)]
        reviewed = reviews[-1] if reviews and reviews[-1] >= t.listed else t.listed
        self.rows.add(
            "recruitment_candidate",
            "\t".join(
                [
                    str(candidate_id),
                    str(place.unit.id),
                    person.full_name,
                    person.search_name,
                    person.sort_name,
                    person.sex,
                    str(person.born),
                    person.citizen_id,
                    person.hometown,
                    person.address,
                    person.phone,
                    person.ethnicity,
                    person.religion,
                    person.education,
                    "",
                    person.occupation,
                    person.workplace,
                    "t" if youth else "f",
                    str(helpers[0].id),
                    str(t.listed),
                    str(reviewed),
                    state["stage"],
                    _day(state["certificate_on"]),
                    _day(state["resolved_on"]),
                    _day(state["endorsed_on"]),
                    str(state["extension_workdays"]),
                    _day(state["decided_on"]),
                    _day(state["decision_received_on"]),
                    _day(state["admitted_on"]),
                    _day(state["probation_ends_on"]),
                    state["proposal"],
                    _day(state["probation_resolved_on"]),
                    _day(state["probation_endorsed_on"]),
                    g.N,
                    _day(state["closed_on"]),
                    str(member.id) if state["admitted_on"] and member else g.N,
                    _stamp(t.listed, 9),
                ]
            )
            + "\n",
        )
        if self.figures is not None:
            self.figures.candidates[candidate_id] = (state["stage"], self._due(state))
        return True

    def _record(
        self,
        rng: random.Random,
        candidate_id: int,
        place: Place,
        t: Timeline,
        steps: list[tuple[date, str, bool]],
        votes: list[tuple[int, int, int] | None],
        member: g.Person | None,
    ) -> dict[str, Any]:
        """The steps' rows, and the candidate's stage and dates they leave (`record_step`)."""
        committee = place.committee is not None
        state: dict[str, Any] = dict.fromkeys(
            [
                "certificate_on",
                "resolved_on",
                "endorsed_on",
                "decided_on",
                "decision_received_on",
                "admitted_on",
                "probation_ends_on",
                "probation_resolved_on",
                "probation_endorsed_on",
                "closed_on",
            ]
        )
        state.update(stage=Stage.LISTED, extension_workdays=0, proposal="")
        simple = {
            StepKind.APPLICATION: Stage.APPLIED,
            StepKind.HISTORY: Stage.DECLARED,
            StepKind.VERIFICATION: Stage.VERIFIED,
            StepKind.OPINIONS: Stage.READY,
        }
        deciding = place.deciding.name
        proposal = Proposal.REMOVE if t.remove else Proposal.RECOGNISE
        for (day, kind, passed), vote in zip(steps, votes, strict=True):
            number = f"{rng.randrange(1, 100):02d}-NQ/CB" if passed else ""
            if kind == StepKind.CERTIFICATE:
                issuer = (
                    "Trung tâm Chính trị huyện"
                    if day < g.EVENTS_FROM
                    else deciding.replace("Đảng bộ", "Đảng ủy", 1)
                )
                self._step(
                    candidate_id, kind, day, number=f"{rng.randrange(10, 999)}/GCN", by=issuer
                )
                state["certificate_on"] = day
                if state["stage"] == Stage.LISTED:
                    state["stage"] = Stage.CERTIFIED
            elif kind in simple:
                values: dict[str, str] = {}
                if kind == StepKind.VERIFICATION:
                    values = {"number": f"{rng.randrange(1, 200)}-KL/ĐU", "by": place.base.name}
                elif kind == StepKind.OPINIONS:
                    values = {"by": OPINIONS_BY}
                self._step(candidate_id, kind, day, **values)
                state["stage"] = simple[kind]
            elif kind == StepKind.CELL_RESOLUTION:
                assert vote is not None
                self._step(candidate_id, kind, day, number=number, vote=(*vote, passed))
                if passed:
                    state.update(
                        stage=Stage.PROPOSED if committee else Stage.ENDORSED,
                        resolved_on=day,
                        endorsed_on=None if committee else day,
                    )
            elif kind == StepKind.COMMITTEE_RESOLUTION:
                assert vote is not None
                number = f"{rng.randrange(1, 300)}-NQ/ĐU"
                self._step(candidate_id, kind, day, number=number, vote=(*vote, passed))
                state.update(stage=Stage.ENDORSED, endorsed_on=day)
            elif kind == StepKind.EXTENSION:
                assert t.extension is not None
                self._step(candidate_id, kind, day, note=EXTENSION_NOTE, workdays=t.extension[1])
                state["extension_workdays"] = t.extension[1]
            elif kind == StepKind.DECISION:
                self._step(
                    candidate_id, kind, day, number=t.decision_no, by=deciding, received=t.received
                )
                state.update(stage=Stage.DECIDED, decided_on=day, decision_received_on=t.received)
            elif kind == StepKind.CEREMONY:
                consent = f"{rng.randrange(1, 300)}-CV/ĐU" if t.consent else ""
                self._step(candidate_id, kind, day, consent=consent)
                state.update(
                    stage=Stage.PROBATION, admitted_on=day, probation_ends_on=t.probation_end
                )
            elif kind == StepKind.PROBATION_CELL:
                assert vote is not None
                self._step(
                    candidate_id,
                    kind,
                    day,
                    number=number,
                    proposal=proposal,
                    vote=(*vote, passed),
                )
                state.update(
                    proposal=proposal,
                    probation_resolved_on=day,
                    probation_endorsed_on=None if committee else day,
                )
            elif kind == StepKind.PROBATION_COMMITTEE:
                assert vote is not None
                number = f"{rng.randrange(1, 300)}-NQ/ĐU"
                self._step(
                    candidate_id,
                    kind,
                    day,
                    number=number,
                    proposal=proposal,
                    vote=(*vote, passed),
                )
                state["probation_endorsed_on"] = day
            else:  # recognition or removal
                note = REMOVAL_NOTE if kind == StepKind.REMOVAL else ""
                self._step(candidate_id, kind, day, number=t.closing_no, by=deciding, note=note)
                stage = Stage.REMOVED if kind == StepKind.REMOVAL else Stage.RECOGNISED
                state.update(stage=stage, closed_on=day)
        return state

    def _step(
        self,
        candidate_id: int,
        kind: str,
        day: date,
        *,
        number: str = "",
        by: str = "",
        note: str = "",
        proposal: str = "",
        vote: tuple[int, int, int, bool] | None = None,
        workdays: int | None = None,
        received: date | None = None,
        consent: str = "",
    ) -> None:
        votes = [g.N, g.N, g.N, g.N]
        if vote is not None:
            voters, votes_for, against, passed = vote
            votes = [str(votes_for), str(against), str(voters), "t" if passed else "f"]
        self.rows.add(
            "recruitment_step",
            f"{self.ids.take('recruitment_step')}\t{candidate_id}\t{kind}\t{day}\t{number}\t"
            f"{by}\t{note}\t{proposal}\t{chr(9).join(votes)}\t"
            f"{g.N if workdays is None else workdays}\t{_day(received)}\t{consent}\t{g.N}\t"
            f"{_stamp(day, 16)}\n",
        )

    def _relatives(
        self,
        rng: random.Random,
        candidate_id: int,
        t: Timeline,
        person: Applicant,
        place: Place,
        last: date,
    ) -> None:
        """The people the verification covers: the candidate, the parents, a spouse."""
        family = person.full_name.split(" ", 1)[0]
        father = f"{family} {rng.choice(g.MIDDLE['M'])} {rng.choice(g.GIVEN['M'])}"
        mother_family = g.FAMILY_NAMES[rng.randrange(len(g.FAMILY_NAMES))]
        mother = f"{mother_family} {rng.choice(g.MIDDLE['F'])} {rng.choice(g.GIVEN['F'])}"
        people = [(Relation.SELF, person.full_name), (Relation.FATHER, father)]
        people.append((Relation.MOTHER, mother))
        if age(person.born, t.history) >= 26 and rng.random() < 0.6:
            sex = "M" if person.sex == "F" else "F"
            spouse_family = g.FAMILY_NAMES[rng.randrange(len(g.FAMILY_NAMES))]
            spouse = f"{spouse_family} {rng.choice(g.MIDDLE[sex])} {rng.choice(g.GIVEN[sex])}"
            people.append((Relation.SPOUSE, spouse))
        concluded = t.concluded <= last
        verdict = Verdict.CLEAR if concluded else Verdict.PENDING
        for relation, name in people:
            self.rows.add(
                "recruitment_relative",
                f"{self.ids.take('recruitment_relative')}\t{candidate_id}\t{relation}\t{name}\t"
                f"{verdict}\t{_day(t.concluded if concluded else None)}\t"
                f"{place.base.name if concluded else ''}\t\n",
            )

    def _introducers(
        self,
        rng: random.Random,
        candidate_id: int,
        t: Timeline,
        members: list[g.Person],
        union: str,
        place: Place,
        person: Applicant,
    ) -> None:
        """Two official members, or a union's resolution and one (Điều lệ Đảng, Điều 4(1)),
        with the candidate for 12 months at least before the cell's first vote."""
        first_vote = t.failed or t.resolved
        for introducer in members:
            since = plus_months(first_vote, -12) - _days(rng, 0, 1500)
            self.rows.add(
                "recruitment_introducer",
                f"{self.ids.take('recruitment_introducer')}\t{candidate_id}\t"
                f"{IntroducerKind.MEMBER}\t{introducer.id}\t\t\t{since}\t{t.introduced}\t"
                f"{g.N}\t\t{g.N}\n",
            )
        if union:
            commune = place.deciding.name.removeprefix("Đảng bộ ")
            if union == IntroducerKind.YOUTH_UNION:
                organisation = f"Ban Chấp hành Đoàn {commune}"
                number = f"{rng.randrange(1, 99):02d}-NQ/ĐTN"
            else:
                organisation = f"Ban Chấp hành Công đoàn cơ sở {person.workplace or commune}"
                number = f"{rng.randrange(1, 99):02d}-NQ/CĐCS"
            self.rows.add(
                "recruitment_introducer",
                f"{self.ids.take('recruitment_introducer')}\t{candidate_id}\t{union}\t{g.N}\t"
                f"{organisation}\t{number}\t{g.N}\t{t.introduced}\t{g.N}\t\t{g.N}\n",
            )

    def _due(self, state: dict[str, Any]) -> date | None:
        """The deadline running on the last day, as `selectors.open_due` finds it."""
        cal, rules, stage = self.calendar, self.rules, state["stage"]
        if stage in (Stage.PROPOSED, Stage.ENDORSED):
            return cal.add(state["resolved_on"], rules.decision + state["extension_workdays"])
        if stage == Stage.DECIDED:
            return cal.add(state["decision_received_on"], rules.ceremony)
        if stage == Stage.PROBATION:
            if state["probation_resolved_on"] is None:
                return cal.add(state["probation_ends_on"], rules.recognition)
            return cal.add(state["probation_resolved_on"], rules.recognition_decision)
        if stage in (Stage.RECOGNISED, Stage.REMOVED, Stage.WITHDRAWN):
            return None
        if state["certificate_on"] is None:
            return None
        return plus_months(state["certificate_on"], rules.certificate_months)

    # Committees and targets --------------------------------------------------------------

    def seat_committee(self, base: g.UnitNode, people: list[g.Person]) -> None:
        """The base committee (`committees.services.appoint`), from the official members of its
        first cell who stay so: the seats its resolutions are counted against."""
        rng = random.Random(self.seed * 1_000_037 + base.id)
        steady = [
            p
            for p in people
            if p.official_from is not None
            and p.official_from <= g.FOUNDED
            and p.official_to is None
            and p.timeline is None
        ]
        seated = rng.sample(steady, min(len(steady), rng.randint(5, 9)))
        positions = ["secretary", "deputy"] + ["member"] * len(seated)
        for person, position in zip(seated, positions, strict=False):
            self.rows.add(
                "committees_committeeseat",
                f"{self.ids.take('committees_committeeseat')}\t{person.id}\t{base.id}\t"
                f"committee\t{position}\t{g.FOUNDED}\t{g.N}\t"
                f"Đại hội đảng bộ cơ sở nhiệm kỳ 2020–2025\n",
            )
        base.committee = len(seated)

    def targets(self, units: list[g.UnitNode]) -> None:
        """Each province's, commune's and base organisation's yearly admission target, set by
        its congress: near 2,5 % of its members (`set_target`)."""
        rng = random.Random(self.seed + 7)
        members: dict[int, int] = {}
        for unit in reversed(units):  # children come after their parents
            members[unit.id] = members.get(unit.id, 0) + unit.members
            if unit.parent is not None:
                members[unit.parent.id] = members.get(unit.parent.id, 0) + members[unit.id]
        kinds = (UnitKind.PROVINCE, UnitKind.COMMUNE, UnitKind.BASE)
        for unit in units:
            if unit.kind not in kinds:
                continue
            for year in range(g.FOUNDED.year, g.LAST_DAY.year + 1):
                target = round(members[unit.id] * g.ADMITTED_A_YEAR * rng.uniform(0.85, 1.15))
                if target < 1:
                    continue
                term = "2020–2025" if year <= 2025 else "2025–2030"
                self.rows.add(
                    "recruitment_target",
                    f"{self.ids.take('recruitment_target')}\t{unit.id}\t{year}\t{target}\t"
                    f"Nghị quyết đại hội nhiệm kỳ {term}\t{g.N}\t"
                    f"{g._ts(g._local(date(year - 1, 12, 20), 9))}\n",
                )
                if self.figures is not None:
                    self.figures.targets[unit.id, year] = target


@lru_cache(maxsize=8192)
def _stamp(day: date, hour: int) -> str:
    """The moment `hour` o'clock local time on `day`, as COPY text (days repeat: cached)."""
    return g._ts(g._local(day, hour))


def _day(day: date | None) -> str:
    return g.N if day is None else str(day)
