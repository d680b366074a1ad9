"""The benchmark's data generator writes what the services would have written: checked here
with the real selectors, the recruitment report and the services themselves on its smallest
scale (bench/generate.py, bench/candidates.py)."""

import hashlib
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import pytest
from django.db import connection, transaction

from bench import candidates, generate
from chibo.committees.models import CommitteeSeat
from chibo.lib.vntext import name_sort_key, search_key
from chibo.lib.workdays import add_workdays
from chibo.meetings import selectors as meeting_selectors
from chibo.meetings.models import DuesPayment, Meeting, MeetingKind
from chibo.members.models import Member, Membership, MemberStatus
from chibo.members.selectors import member_counts, members_on
from chibo.recruitment import report as recruitment_report
from chibo.recruitment import selectors as recruitment_selectors
from chibo.recruitment import services as recruitment_services
from chibo.recruitment import steps as recruitment_steps
from chibo.recruitment.models import OPEN_STAGES, Candidate, IntroducerKind, Stage, StepKind
from chibo.units import selectors as unit_selectors
from chibo.units import treepath
from chibo.units.models import Unit, UnitKind

# The smallest scale, with a seed whose candidates include a removal during probation, a late
# ceremony and a trade union's introduction, so that the replay below takes those paths too.
SCALE = replace(generate.SCALES["tiny"], seed=2030)


@pytest.fixture
def loaded(db: None) -> generate.LoadReport:
    report = generate.load(SCALE, keep_figures=True, say=lambda _line: None)
    connection.check_constraints()  # the foreign keys, deferred until a commit that never comes
    return report


class Digest:
    def __init__(self) -> None:
        self.hash = hashlib.sha256()

    def write(self, table: str, text: str) -> None:
        assert "\\" not in text.replace("\\N", "")  # nothing that COPY would need escaped
        self.hash.update(table.encode() + text.encode())

    def flush(self) -> None:
        pass


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_rows() -> None:
    digests = []
    for _ in range(2):
        sink = Digest()
        generate.Generator(SCALE, generate.Rows(sink)).run()
        digests.append(sink.hash.hexdigest())
    assert digests[0] == digests[1]


def test_the_tree_has_the_paths_and_counts_that_create_unit_gives(
    loaded: generate.LoadReport,
) -> None:
    units = {u.pk: u for u in Unit.objects.all()}
    assert len(units) == len(loaded.units)
    for unit in units.values():
        parent_path = units[unit.parent_id].path if unit.parent_id else ""
        assert unit.path == treepath.child_path(parent_path, unit.pk)
        assert unit.search_name == search_key(unit.name)
    top = Unit.objects.get(code=generate.landmarks(SCALE).top)
    day = generate.LAST_DAY
    version = unit_selectors.version_on(top, day)
    assert version is not None
    counts = unit_selectors.counts_below(version, day)
    generated = [u for u in loaded.units if u.holds_meetings]
    assert counts[top.pk].members == sum(u.on_roll for u in generated)
    assert counts[top.pk].cells == sum(1 for u in loaded.units if u.kind == UnitKind.CELL)
    assert counts[top.pk].units == len(loaded.units)
    on_roll = member_counts(Unit.objects.values("pk"), day)
    for node in generated:
        assert on_roll.get(node.id, 0) == node.on_roll
    big = Unit.objects.get(code=generate.landmarks(SCALE).big_cell)
    assert on_roll[big.pk] <= generate.BIG_CELL
    assert Member.objects.filter(memberships__unit=big).count() == generate.BIG_CELL


def test_members_have_search_keys_and_a_gapless_status_chain(loaded: generate.LoadReport) -> None:
    for member in Member.objects.all()[:200]:
        assert member.search_name == search_key(member.full_name)
        assert member.sort_name == name_sort_key(member.full_name)
    chains: dict[int, list[MemberStatus]] = {}
    for link in MemberStatus.objects.order_by("member_id", "valid_from"):
        chains.setdefault(link.member_id, []).append(link)
    assert len(chains) == SCALE.members
    for links in chains.values():
        assert links[-1].valid_to is None
        for before, after in pairwise(links):
            assert before.valid_to == after.valid_from - timedelta(days=1)
    statuses = set(MemberStatus.objects.values_list("status", flat=True))
    assert {"official", "probationary", "exempted"} <= statuses


def test_turnout_and_dues_read_back_as_generated(loaded: generate.LoadReport) -> None:
    assert loaded.figures
    held = 0
    meetings = meeting_selectors.with_turnout(Meeting.objects.all())
    for meeting in meetings:
        figures = loaded.figures.get(meeting.pk)
        if figures is None:  # planned, never held
            assert not meeting.attendance.exists()
            continue
        held += 1
        turnout = meeting_selectors.turnout(meeting)
        assert (turnout.expected, turnout.present, turnout.excused, turnout.unexcused) == figures
        assert turnout.unmarked == 0
        assert (meeting.expected_n, meeting.present_n) == figures[:2]
        if meeting.kind == MeetingKind.REGULAR:
            assert meeting.series_month is not None
            paid = set(
                DuesPayment.objects.filter(meeting=meeting).values_list("member_id", flat=True)
            )
            roll = {m.member_id for m in members_on(meeting.unit_id, meeting.series_month)}
            assert paid == roll
    assert held > 0.8 * len(loaded.figures)


# Recruitment: candidates, their steps, the members they became, targets ----------------------


def _branches(loaded: generate.LoadReport, depth: int) -> dict[int, int]:
    """Each unit's ancestor `depth` levels below the top (itself if it is that high)."""
    found = {}
    for node in loaded.units:
        line = [node]
        while line[-1].parent is not None:
            line.append(line[-1].parent)
        line.reverse()
        found[node.id] = line[min(depth, len(line) - 1)].id
    return found


def test_the_recruitment_report_reads_back_as_generated(loaded: generate.LoadReport) -> None:
    figures = loaded.recruitment
    assert figures is not None
    province = Unit.objects.get(code=generate.landmarks(SCALE).province)
    start, end = generate.FOUNDED, date(generate.LAST_DAY.year, 12, 31)
    got = recruitment_report.report(province, start, end)
    commune_of = _branches(loaded, 2)
    years: Counter[tuple[str, int]] = Counter()
    children: Counter[tuple[str, int]] = Counter()
    for (kind, year, unit_id), n in figures.events.items():
        years[kind, year] += n
        children[kind, commune_of[unit_id]] += n
    for line in got.years:
        assert (line.admitted, line.recognised, line.removed) == tuple(
            years[kind, line.year] for kind in ("admitted", "recognised", "removed")
        )
        assert line.full_target == figures.targets.get((province.pk, line.year))
    assert got.total.admitted == sum(n for (kind, _y), n in years.items() if kind == "admitted")
    for child in got.children:
        assert (child.admitted, child.recognised, child.removed) == tuple(
            children[kind, child.unit_id] for kind in ("admitted", "recognised", "removed")
        )
        targets = [t for (u, _y), t in figures.targets.items() if u == child.unit_id]
        assert child.target == pytest.approx(sum(targets))
    # About 2,5 % of the members admitted a year, most with a candidate's file.
    assert got.total.admitted == pytest.approx(generate.NEW_SHARE * SCALE.members, rel=0.2)
    admitted = Candidate.objects.filter(member__isnull=False)
    assert admitted.count() >= 0.8 * got.total.admitted
    assert figures.admitted_without_candidacy <= 0.2 * got.total.admitted
    for c in admitted.select_related("member"):
        assert c.member is not None
        assert (c.member.admitted_on, c.member.full_name) == (c.admitted_on, c.full_name)


def test_the_board_and_deadlines_read_back_as_generated(loaded: generate.LoadReport) -> None:
    figures = loaded.recruitment
    assert figures is not None
    day = generate.LAST_DAY
    top = Unit.objects.get(code=generate.landmarks(SCALE).top)
    board = recruitment_selectors.board(top, day)
    generated = {c: stage for c, (stage, _due) in figures.candidates.items()}
    still_open = Counter(s for s in generated.values() if s in OPEN_STAGES)
    assert board.total == sum(still_open.values())
    assert {stage: n for stage, _label, n in board.counts} == {
        s: still_open[s] for s in OPEN_STAGES
    }
    candidates = list(recruitment_selectors.candidates_within(top))
    assert {c.pk: c.stage for c in candidates} == generated
    overdue = 0
    for c in candidates:
        due = recruitment_selectors.open_due(c, day)
        assert (due.due if due else None) == figures.candidates[c.pk][1], c.stage
        overdue += bool(due and due.overdue)
        assert c.listed_on <= c.reviewed_on <= day
    assert len(board.overdue) == overdue


def _replay(original: Candidate) -> dict[str, Any]:
    """The candidate taken again through the services, step by step, with the same input (a
    member's citizen ID and card number left out: the generated member holds them)."""
    with transaction.atomic():
        details = recruitment_services.CandidateDetails(
            **{
                name: getattr(original, name)
                for name in recruitment_services.DETAIL_FIELDS
                if name != "citizen_id"
            }
        )
        copy = recruitment_services.add_candidate(
            original.unit,
            actor=None,
            details=details,
            listed_on=original.listed_on,
            helper=original.helper,
        )
        for r in original.relatives.order_by("id"):
            recruitment_services.add_relative(
                copy,
                actor=None,
                relation=r.relation,
                full_name=r.full_name,
                verdict=r.verdict,
                concluded_on=r.concluded_on,
                by=r.by,
            )
        for i in original.introducers.order_by("id"):
            recruitment_services.add_introducer(
                copy,
                actor=None,
                kind=i.kind,
                assigned_on=i.assigned_on,
                member=i.member,
                since=i.since,
                organisation=i.organisation,
                number=i.number,
            )
        for s in original.steps.order_by("on", "id"):
            defaults = s.kind in (StepKind.DECISION, StepKind.RECOGNITION, StepKind.REMOVAL)
            data = recruitment_steps.StepInput(
                on=s.on,
                number=s.number,
                by="" if defaults else s.by,  # the deciding committee's name by default
                note=s.note,
                votes_for=s.votes_for,
                votes_against=s.votes_against,
                workdays=s.workdays,
                received_on=s.received_on,
                consent=s.consent,
                proposal=s.proposal,
            )
            recruitment_steps.record_step(copy, s.kind, actor=None, data=data)
        copy.refresh_from_db()
        result = {
            "candidate": _fields(copy, skip={"id", "member", "created_at", "reviewed_on"}),
            "steps": [_fields(s, skip=STEP_SKIP) for s in copy.steps.order_by("on", "id")],
            "introducers": [_fields(i, skip={"id", "candidate"}) for i in copy.introducers.all()],
            "relatives": [_fields(r, skip={"id", "candidate"}) for r in copy.relatives.all()],
            "member": _member(copy.member) if copy.member else None,
        }
        transaction.set_rollback(True)
    return result


STEP_SKIP = {"id", "candidate", "recorded_at", "recorded_by"}


def _fields(obj: Any, skip: set[str]) -> dict[str, Any]:
    return {
        f.name: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.name not in skip and not (f.name == "citizen_id" and obj._meta.model is Candidate)
    }


def _member(member: Member, until: date | None = None) -> dict[str, Any]:
    """A member's record as the ceremony and the later steps leave it (the dues, set later,
    and the numbers, left out of the replay, aside)."""
    skip = {"id", "search_name", "sort_name", "citizen_id", "card_number", "user"}
    links = [
        _fields(link, skip={"id", "member"})
        for link in member.statuses.order_by("valid_from")
        if until is None or link.valid_from <= until
    ]
    if until is not None and links[-1]["status"] == "official":
        links[-1]["valid_to"] = None  # closed later by an exemption or a death
    return {
        "member": _fields(member, skip=skip | {"dues_category", "dues_monthly"}),
        "statuses": links,
        "memberships": [
            _fields(m, skip={"id", "member"}) for m in member.memberships.order_by("valid_from")
        ],
    }


def test_candidates_are_what_the_services_write(loaded: generate.LoadReport) -> None:
    """A sample of every stage and of the late, extended, refused and removed cases, taken
    again through the services: the same rows, denominators and deadlines, and the same member
    record for those admitted."""
    picked: dict[str, list[Candidate]] = {}
    kinds: Counter[str] = Counter()
    for c in Candidate.objects.select_related("unit", "helper", "member").order_by("id"):
        tags = {c.stage}
        tags |= {f"step:{k}" for k in c.steps.filter(passed=False).values_list("kind", flat=True)}
        tags |= {f"kind:{k}" for k in c.steps.values_list("kind", flat=True)}
        tags |= {f"introducer:{k}" for k in c.introducers.values_list("kind", flat=True)}
        if c.steps.exclude(consent="").exists():
            tags.add("consent")
        for tag in tags:
            kinds[tag] += 1
            if len(picked.setdefault(tag, [])) < 3:
                picked[tag].append(c)
    rare = {"kind:extension", "kind:removal", "consent", "step:cell_resolution"}
    assert rare | {"introducer:youth_union", "introducer:trade_union"} <= set(kinds)
    sample = {c.pk: c for group in picked.values() for c in group}
    for c in sample.values():
        again = _replay(c)
        expected = _fields(c, skip={"id", "member", "created_at", "reviewed_on"})
        assert again["candidate"] == expected, c.pk
        steps = [_fields(s, skip=STEP_SKIP) for s in c.steps.order_by("on", "id")]
        assert again["steps"] == steps, c.pk
        assert again["introducers"] == [
            _fields(i, skip={"id", "candidate"}) for i in c.introducers.all()
        ]
        assert again["relatives"] == [
            _fields(r, skip={"id", "candidate"}) for r in c.relatives.all()
        ]
        if c.member is not None:
            assert again["member"] == _member(c.member, until=c.closed_on or generate.LAST_DAY)


def test_committees_are_seated_as_appoint_seats_them(loaded: generate.LoadReport) -> None:
    seats = CommitteeSeat.objects.select_related("unit", "member")
    assert seats.exists()
    for seat in seats:
        assert seat.unit.kind == UnitKind.BASE
        assert Membership.objects.filter(
            treepath.within(seat.unit.path, "unit__path"), member=seat.member
        ).exists()
    secretaries = seats.filter(position="secretary")
    assert secretaries.count() == len({s.unit_id for s in seats})


def test_the_calendar_adds_working_days_as_the_app_does() -> None:
    calendar = candidates.Calendar(date(2020, 1, 1), date(2027, 12, 31))
    for i in range(0, 2000, 7):
        day = date(2021, 3, 1) + timedelta(days=i)
        for n in (-45, -31, -1, 0, 1, 5, 30, 60, 90):
            assert calendar.add(day, n) == add_workdays(day, n), (day, n)
    with pytest.raises(ValueError, match="outside the calendar"):
        calendar.add(date(2020, 1, 2), -5)
    assert candidates.plus_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert candidates.plus_months(date(2025, 3, 31), -1) == date(2025, 2, 28)


class Tags:
    """Counts what a generation holds, without a database: stages, steps, votes that failed."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()

    def write(self, table: str, text: str) -> None:
        for line in text.splitlines():
            values = line.split("\t")
            if table == "recruitment_candidate":
                self.seen[values[21]] += 1
            elif table == "recruitment_step":
                self.seen[values[2]] += 1
                self.seen["failed vote" if values[11] == "f" else ""] += 1
                self.seen["late ceremony" if values[14] else ""] += 1
            elif table == "recruitment_introducer":
                self.seen[values[2]] += 1

    def flush(self) -> None:
        pass


@pytest.mark.django_db
def test_a_district_has_candidates_at_every_step_and_every_case() -> None:
    tags = Tags()
    generate.Generator(generate.SCALES["district"], generate.Rows(tags)).run()
    assert set(tags.seen) >= {*Stage.values, *StepKind.values, *IntroducerKind.values}
    assert {"failed vote", "late ceremony"} <= set(tags.seen)
