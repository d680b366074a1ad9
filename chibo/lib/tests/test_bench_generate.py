"""The benchmark's data generator writes what the services would have written: checked here
with the real selectors on its smallest scale (bench/generate.py)."""

import hashlib
from datetime import timedelta
from itertools import pairwise

import pytest
from django.db import connection

from bench import generate
from chibo.lib.vntext import name_sort_key, search_key
from chibo.meetings import selectors as meeting_selectors
from chibo.meetings.models import DuesPayment, Meeting, MeetingKind
from chibo.members.models import Member, MemberStatus
from chibo.members.selectors import members_on
from chibo.units import selectors as unit_selectors
from chibo.units import treepath
from chibo.units.models import Unit, UnitKind

SCALE = generate.SCALES["tiny"]


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
    for node in generated:
        assert counts[node.id].members == node.on_roll
    big = Unit.objects.get(code=generate.landmarks(SCALE).big_cell)
    assert counts[big.pk].members <= generate.BIG_CELL
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
