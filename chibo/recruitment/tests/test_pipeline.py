"""The admission pipeline through its services: each check at its boundary, the working-day
deadlines, the ceremony through the members service, recognition dated back, escalation."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from chibo.audit.models import AuditEvent
from chibo.lib.workdays import workdays_between
from chibo.members.models import MemberStatus, Status
from chibo.recruitment import selectors, services
from chibo.recruitment.models import IntroducerKind, Stage, StepKind
from chibo.recruitment.tests.helpers import make_candidate, members_of, ready, seat_committee, step
from conftest import Tree, make_member

DAY = date(2025, 3, 3)  # a Monday
SINCE = date(2024, 1, 2)


@pytest.fixture
def cell(tree: Tree) -> Tree:
    """Ninh Phú with nine official members (2/3 is six), and a base committee of three."""
    for i in range(6):
        make_member(tree.cell_a1, f"Đảng viên Số {i}")
    seat_committee(tree.commune_a, members_of(tree.cell_a1)[:3], date(2020, 8, 1))
    return tree


def candidate_ready(tree: Tree, born: date = date(1995, 6, 15), **extra: object):  # type: ignore[no-untyped-def]
    candidate = make_candidate(tree.cell_a1, born=born, **extra)
    return ready(candidate, date(2025, 1, 6), members_of(tree.cell_a1)[:2], SINCE)


def test_the_way_through_to_recognition(cell: Tree) -> None:
    c = candidate_ready(cell)
    assert c.stage == Stage.READY
    done = step(c, StepKind.CELL_RESOLUTION, DAY, number="05-NQ/CB", votes_for=6, votes_against=3)
    assert (done.voters, done.passed) == (9, True)
    c.refresh_from_db()
    assert c.stage == Stage.PROPOSED
    step(c, StepKind.COMMITTEE_RESOLUTION, DAY + timedelta(days=7), number="12-NQ/ĐU", votes_for=2)
    step(
        c,
        StepKind.DECISION,
        DAY + timedelta(days=30),
        number="101-QĐ/HU",
        received_on=DAY + timedelta(days=33),
    )
    c.refresh_from_db()
    assert c.stage == Stage.DECIDED
    helper = members_of(cell.cell_a1)[3]
    ceremony = DAY + timedelta(days=40)
    step(c, StepKind.CEREMONY, ceremony, helper=helper)
    c.refresh_from_db()
    member = c.member
    assert member is not None and c.helper == helper
    assert member.admitted_on == ceremony and member.admission_decided_on == DAY + timedelta(
        days=30
    )
    assert MemberStatus.objects.get(member=member).status == Status.PROBATIONARY
    assert c.probation_ends_on == date(2026, 4, 12)
    # The cell meets late, the committee later still: official from the end of probation.
    late = date(2026, 6, 1)
    step(c, StepKind.PROBATION_CELL, late, proposal="recognise", number="09-NQ/CB", votes_for=7)
    step(c, StepKind.PROBATION_COMMITTEE, late + timedelta(days=3), number="20-NQ/ĐU", votes_for=3)
    step(c, StepKind.RECOGNITION, late + timedelta(days=20), number="150-QĐ/HU")
    member.refresh_from_db()
    assert member.recognised_on == date(2026, 4, 12)
    chain = list(MemberStatus.objects.filter(member=member).order_by("valid_from"))
    assert [(s.status, s.valid_from) for s in chain] == [
        (Status.PROBATIONARY, ceremony),
        (Status.OFFICIAL, date(2026, 4, 12)),
    ]
    assert AuditEvent.objects.filter(action="recruitment.step.record").count() >= 10


@pytest.mark.parametrize(
    ("born", "allowed"),
    [
        (date(2007, 3, 4), False),
        (date(2007, 3, 3), True),
        (date(1965, 3, 3), True),
        (date(1965, 2, 2), False),
    ],
)
def test_age_counted_in_months_on_the_day_the_cell_considers(
    cell: Tree, born: date, allowed: bool
) -> None:
    """18 on 3/3/2025 if born 3/3/2007, not yet if born a day later; over 60 by months too."""
    c = candidate_ready(cell, born=born)
    if allowed:
        step(c, StepKind.CELL_RESOLUTION, DAY, number="05-NQ/CB", votes_for=6)
    else:
        with pytest.raises(ValidationError, match="tuổi"):
            step(c, StepKind.CELL_RESOLUTION, DAY, number="05-NQ/CB", votes_for=6)
    assert services.age_in_months(date(2007, 3, 4), DAY) == 215
    assert services.age_in_months(date(2007, 3, 3), DAY) == 216


def test_education_below_lower_secondary_needs_an_exception(cell: Tree) -> None:
    c = candidate_ready(cell, education="primary")
    with pytest.raises(ValidationError, match="trung học cơ sở"):
        step(c, StepKind.CELL_RESOLUTION, DAY, votes_for=6, number="1")
    c.education_exception = "Hướng dẫn vùng đặc biệt khó khăn"
    c.save()
    step(c, StepKind.CELL_RESOLUTION, DAY, votes_for=6, number="1")


def test_an_expired_certificate_blocks_the_cell(cell: Tree) -> None:
    c = make_candidate(cell.cell_a1)
    ready(c, date(2020, 3, 3), members_of(cell.cell_a1)[:2], date(2019, 1, 1))
    with pytest.raises(ValidationError, match="hết giá trị"):
        step(c, StepKind.CELL_RESOLUTION, DAY, votes_for=6, number="1")
    step(c, StepKind.CELL_RESOLUTION, date(2025, 3, 2), votes_for=6, number="1")


@pytest.mark.parametrize(
    ("since", "allowed"), [(date(2024, 3, 4), False), (date(2024, 3, 3), True)]
)
def test_introducers_need_twelve_months_with_the_candidate(
    cell: Tree, since: date, allowed: bool
) -> None:
    c = make_candidate(cell.cell_a1)
    ready(c, date(2025, 1, 6), members_of(cell.cell_a1)[:2], since)
    if allowed:
        step(c, StepKind.CELL_RESOLUTION, DAY, votes_for=6, number="1")
    else:
        with pytest.raises(ValidationError, match="chưa đủ 12 tháng"):
            step(c, StepKind.CELL_RESOLUTION, DAY, votes_for=6, number="1")


def test_a_replacement_introducer_needs_no_twelve_months(cell: Tree) -> None:
    c = make_candidate(cell.cell_a1)
    ready(c, date(2025, 1, 6), members_of(cell.cell_a1)[:2], SINCE)
    leaving = c.introducers.first()
    assert leaving is not None
    newcomer = make_member(cell.cell_a1, "Người Mới Chuyển Đến", on=date(2025, 2, 1))
    services.replace_introducer(
        leaving, actor=None, member=newcomer, on=date(2025, 2, 25), reason="Chuyển công tác"
    )
    step(c, StepKind.CELL_RESOLUTION, DAY, votes_for=7, number="1")
    c.refresh_from_db()
    assert c.stage == Stage.PROPOSED


def test_youth_union_and_one_member_introduce_a_young_candidate(cell: Tree) -> None:
    c = make_candidate(cell.cell_a1, youth_union=True)
    ready(c, date(2025, 1, 6), members_of(cell.cell_a1)[:1], SINCE)
    with pytest.raises(ValidationError, match="Chưa đủ người giới thiệu"):
        step(c, StepKind.CELL_RESOLUTION, DAY, votes_for=6, number="1")
    services.add_introducer(
        c,
        actor=None,
        kind=IntroducerKind.YOUTH_UNION,
        organisation="Đoàn xã Đa Lộc",
        number="3-NQ/ĐTN",
        assigned_on=date(2025, 2, 1),
    )
    step(c, StepKind.CELL_RESOLUTION, DAY, votes_for=6, number="1")


def test_two_thirds_of_the_cells_official_members_that_day(cell: Tree) -> None:
    """Nine official members: five votes fall short even if everyone present voted for."""
    make_member(cell.cell_a1, "Dự Bị Mới", admitted_on=date(2024, 10, 1), on=date(2024, 10, 1))
    c = candidate_ready(cell)
    short = step(c, StepKind.CELL_RESOLUTION, DAY, votes_for=5, votes_against=0)
    assert (short.voters, short.passed) == (9, False)
    c.refresh_from_db()
    assert c.stage == Stage.READY
    with pytest.raises(ValidationError, match="nhiều hơn"):
        step(c, StepKind.CELL_RESOLUTION, DAY, votes_for=8, votes_against=2, number="1")
    assert step(c, StepKind.CELL_RESOLUTION, DAY, votes_for=6, number="2").passed


def test_the_committee_votes_against_its_own_members(cell: Tree) -> None:
    c = candidate_ready(cell)
    step(c, StepKind.CELL_RESOLUTION, DAY, votes_for=6, number="1")
    assert not step(c, StepKind.COMMITTEE_RESOLUTION, DAY, votes_for=1).passed
    assert step(c, StepKind.COMMITTEE_RESOLUTION, DAY, votes_for=2, number="2").passed


def test_deadlines_in_working_days_across_tet_and_a_weekend(cell: Tree) -> None:
    c = candidate_ready(cell)
    friday = date(2026, 2, 6)
    step(c, StepKind.CELL_RESOLUTION, date(2026, 1, 9), votes_for=6, number="1")
    c.refresh_from_db()
    assert services.decision_due(c) == date(2026, 4, 10)
    step(c, StepKind.COMMITTEE_RESOLUTION, date(2026, 1, 20), votes_for=2, number="2")
    step(c, StepKind.DECISION, friday, number="3", received_on=friday)
    c.refresh_from_db()
    # 30 working days from Friday 6/2/2026: Tết (16–20/2) and the weekends do not count.
    assert services.ceremony_due(c) == date(2026, 3, 27)
    assert workdays_between(friday, date(2026, 2, 27)) == 10
    assert workdays_between(date(2025, 10, 3), date(2025, 10, 6)) == 1  # Friday to Monday
    due = selectors.open_due(c, date(2026, 3, 30))
    assert due is not None and due.overdue and due.responsible == cell.cell_a1
    with pytest.raises(ValidationError, match="cấp trên"):
        step(c, StepKind.CEREMONY, date(2026, 3, 30), helper=members_of(cell.cell_a1)[3])
    step(
        c,
        StepKind.CEREMONY,
        date(2026, 3, 30),
        helper=members_of(cell.cell_a1)[3],
        consent="15-CV/HU",
    )


def test_the_decision_deadline_extends_by_up_to_thirty_working_days(cell: Tree) -> None:
    c = candidate_ready(cell)
    step(c, StepKind.CELL_RESOLUTION, date(2026, 1, 9), votes_for=6, number="1")
    with pytest.raises(ValidationError):
        step(c, StepKind.EXTENSION, date(2026, 3, 2), workdays=31, note="Chờ xác minh")
    step(c, StepKind.EXTENSION, date(2026, 3, 2), workdays=30, note="Chờ xác minh")
    c.refresh_from_db()
    assert workdays_between(date(2026, 1, 9), services.decision_due(c)) == 90  # type: ignore[arg-type]


def admitted(tree: Tree):  # type: ignore[no-untyped-def]
    c = candidate_ready(tree)
    step(c, StepKind.CELL_RESOLUTION, DAY, votes_for=6, number="1")
    step(c, StepKind.COMMITTEE_RESOLUTION, DAY, votes_for=2, number="2")
    step(c, StepKind.DECISION, DAY, number="3")
    step(c, StepKind.CEREMONY, DAY + timedelta(days=5), helper=members_of(tree.cell_a1)[3])
    c.refresh_from_db()
    return c


def test_three_votes_without_two_thirds_go_to_the_higher_committee(cell: Tree) -> None:
    c = admitted(cell)
    end = c.probation_ends_on
    with pytest.raises(ValidationError, match="hết thời gian dự bị"):
        step(
            c,
            StepKind.PROBATION_CELL,
            end - timedelta(days=1),
            proposal="recognise",
            votes_for=9,
            number="1",
        )
    for i in range(2):
        step(c, StepKind.PROBATION_CELL, end + timedelta(days=i), proposal="recognise", votes_for=5)
    c.refresh_from_db()
    assert c.escalated_on is None
    with pytest.raises(ValidationError, match="Chưa có đề nghị"):
        step(c, StepKind.REMOVAL, end + timedelta(days=3), number="7-QĐ")
    step(c, StepKind.PROBATION_CELL, end + timedelta(days=2), proposal="remove", votes_for=4)
    c.refresh_from_db()
    assert c.escalated_on == end + timedelta(days=2)
    assert StepKind.REMOVAL in selectors.next_steps(c)
    step(c, StepKind.REMOVAL, end + timedelta(days=10), number="7-QĐ/HU", note="Vi phạm tư cách")
    c.refresh_from_db()
    assert c.stage == Stage.REMOVED
    assert MemberStatus.objects.get(member=c.member, valid_to__isnull=True).status == Status.REMOVED


def test_recognition_needs_the_proposal_and_steps_go_in_order(cell: Tree) -> None:
    c = make_candidate(cell.cell_a1)
    with pytest.raises(ValidationError, match="Chưa thể ghi"):
        step(c, StepKind.APPLICATION, DAY)
    with pytest.raises(ValidationError, match="tương lai"):
        step(c, StepKind.CERTIFICATE, date(2999, 1, 1), by="TTCT")
    c = admitted(cell)
    with pytest.raises(ValidationError, match="Chưa có đề nghị"):
        step(c, StepKind.RECOGNITION, c.probation_ends_on, number="1")


def test_the_helper_must_be_an_official_member_of_the_cell(tree: Tree) -> None:
    stranger = members_of(tree.cell_b1)[0]
    with pytest.raises(ValidationError, match="helper"):
        services.add_candidate(
            tree.cell_a1,
            actor=None,
            details=services.CandidateDetails("Trần Văn Nam", "M", date(2000, 1, 1), "university"),
            listed_on=date(2024, 1, 2),
            helper=stranger,
        )
