"""A thematic topic cascaded by a higher unit: one meeting per cell below, idempotent, rolled
up; the form and the roll-up pages and who may use them."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.meetings import cascade, selectors, services
from chibo.meetings.models import AgendaItem, Mark, Meeting, MeetingKind, MeetingState
from chibo.meetings.tests.cascade_helpers import TOPIC
from chibo.meetings.tests.cascade_helpers import cascade as give
from chibo.units.models import UnitKind
from conftest import Tree, make_member, make_unit

WHEN = timezone.make_aware(datetime(2025, 3, 20, 19))


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def cascaded(source: Meeting) -> dict[str, Meeting]:
    return {m.unit.code: m for m in Meeting.objects.filter(cascade_from=source)}


def hold(meeting: Meeting, *, close: bool = False) -> None:
    """Everyone expected present; closed at 21:30 if asked."""
    marks = {m.pk: (Mark.PRESENT, "") for m in selectors.expected(meeting).members}
    services.record_attendance(meeting, actor=None, marks=marks)
    if close:
        ends_at = meeting.starts_at + timedelta(minutes=150)
        services.close_meeting(meeting, actor=None, ends_at=ends_at)


def events(source: Meeting) -> list[AuditEvent]:
    found = AuditEvent.objects.filter(object_type="meetings.meeting", object_id=str(source.pk))
    return list(found.order_by("pk"))


# The service


def test_one_thematic_meeting_for_every_cell_below(tree: Tree) -> None:
    source = cascade.cascade_topic(
        tree.district,
        actor=None,
        title="  Học tập  Chỉ thị 50 ",
        starts_at=WHEN,
        place="Nhà văn hóa",
    )
    # The directive: a planned thematic meeting of the giving unit, with no agenda of its own.
    assert (source.unit, source.kind, source.state) == (
        tree.district,
        MeetingKind.THEMATIC,
        MeetingState.PLANNED,
    )
    assert source.title == "Học tập Chỉ thị 50"
    assert not AgendaItem.objects.filter(meeting=source).exists()
    # The communes are base organisations with cells: their cells hold it, they do not.
    given = cascaded(source)
    assert sorted(given) == ["A1", "A2", "B1"]
    for meeting in given.values():
        assert meeting.kind == MeetingKind.THEMATIC
        assert meeting.state == MeetingState.PLANNED
        assert (meeting.title, meeting.starts_at, meeting.place) == (
            "Học tập Chỉ thị 50",
            WHEN,
            "Nhà văn hóa",
        )
        assert meeting.agenda.count() == len(services.STANDARD_AGENDA)
    assert len({m.checkin_code for m in given.values()}) == 3
    # One event, on the source, saying how many cells got it.
    [event] = events(source)
    assert (event.action, event.object_id) == ("meetings.topic.cascade", str(source.pk))
    assert event.changes["cells"] == 3
    assert sorted(event.changes["units"]) == sorted(m.unit_id for m in given.values())
    assert cascade.sources_of(tree.district) == [source]


def test_units_that_hold_meetings_on_the_day(tree: Tree) -> None:
    """A base organisation without cells (chi bộ cơ sở) holds it; a cell founded after the
    day does not; the other province is untouched."""
    single = make_unit(tree.district, UnitKind.BASE, "CS", "Chi bộ Trường Tiểu học")
    make_unit(tree.commune_b, UnitKind.CELL, "B2", "Chi bộ thôn Mới", on=date(2025, 6, 1))
    source = give(tree.district)
    assert sorted(cascaded(source)) == ["A1", "A2", "B1", "CS"]
    assert not Meeting.objects.filter(unit=tree.other_cell).exists()
    assert single.pk in [u.pk for u in cascade.units_below(tree.district, WHEN.date())]


def test_cascading_again_is_idempotent_and_reaches_new_cells(tree: Tree) -> None:
    source = give(tree.commune_a)
    assert sorted(cascaded(source)) == ["A1", "A2"]
    count = AuditEvent.objects.count()
    # The same form sent twice is the same directive.
    assert give(tree.commune_a) == source
    assert cascade.extend_cascade(source, actor=None) == 0
    assert Meeting.objects.filter(cascade_from=source).count() == 2
    assert Meeting.objects.filter(unit=tree.commune_a).count() == 1
    assert AuditEvent.objects.count() == count
    # A cell founded before the day, after the cascade, gets it on the next run only.
    make_unit(tree.commune_a, UnitKind.CELL, "A3", "Chi bộ thôn Đông Hải", on=date(2025, 1, 1))
    assert cascade.rollup(source).missing[0].code == "A3"
    assert cascade.extend_cascade(source, actor=None) == 1
    assert give(tree.commune_a) == source
    assert sorted(cascaded(source)) == ["A1", "A2", "A3"]
    assert [e.changes["cells"] for e in events(source)] == [2, 1]
    assert cascade.rollup(source).missing == []


def test_another_topic_or_day_is_another_directive(tree: Tree) -> None:
    first = give(tree.commune_a)
    other = give(tree.commune_a, title="Chuyên đề học tập và làm theo Bác")
    later = give(tree.commune_a, when=timezone.make_aware(datetime(2025, 6, 20, 19)))
    assert len({first.pk, other.pk, later.pk}) == 3
    assert Meeting.objects.filter(cascade_from__isnull=False).count() == 6


@pytest.mark.parametrize(
    ("unit", "title", "message"),
    [
        ("commune_a", "   ", "chủ đề"),
        ("cell_a1", TOPIC, "Không có chi bộ"),
    ],
)
def test_refusals_write_nothing(tree: Tree, unit: str, title: str, message: str) -> None:
    counts = (Meeting.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match=message):
        cascade.cascade_topic(getattr(tree, unit), actor=None, title=title, starts_at=WHEN)
    assert (Meeting.objects.count(), AuditEvent.objects.count()) == counts


def test_a_unit_not_active_on_the_day_is_refused(tree: Tree) -> None:
    late = make_unit(tree.district, UnitKind.BASE, "NEW", on=date(2026, 1, 1))
    make_unit(late, UnitKind.CELL, "NEW1", on=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="không hoạt động"):
        cascade.cascade_topic(late, actor=None, title=TOPIC, starts_at=WHEN)
    assert not Meeting.objects.exists()


# The roll-up


def test_rollup_counts_held_closed_and_lagging(tree: Tree) -> None:
    source = give(tree.district)
    given = cascaded(source)
    hold(given["A1"], close=True)
    hold(given["B1"])
    services.move_meeting(
        given["A2"], actor=None, starts_at=timezone.make_aware(datetime(2099, 1, 5, 19))
    )
    found = cascade.rollup(source)
    assert (found.total, found.held, found.closed, found.not_yet) == (3, 2, 1, 1)
    assert found.percent == 66.7
    [waiting] = found.lagging
    assert (waiting.meeting.unit.code, waiting.overdue) == ("A2", False)


def test_lagging_cells_overdue_first(tree: Tree) -> None:
    source = give(tree.district)
    given = cascaded(source)
    services.move_meeting(
        given["A1"], actor=None, starts_at=timezone.make_aware(datetime(2099, 1, 5, 19))
    )
    lagging = cascade.rollup(source).lagging
    assert [(w.meeting.unit.code, w.overdue) for w in lagging] == [
        ("A2", True),
        ("B1", True),
        ("A1", False),
    ]


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_rollup_page_query_count_does_not_grow_with_the_cells(
    tree: Tree, users: dict[str, User]
) -> None:
    client = signed_in(users[Role.STAFF])
    source = give(tree.district)
    url = reverse("meetings:cascade_rollup", args=[source.pk])
    client.get(url)
    few = queries(client, url)
    for i in range(6):
        cell = make_unit(tree.commune_b, UnitKind.CELL, f"X{i}", f"Chi bộ số {i}")
        make_member(cell, f"Đảng Viên {i}")
    cascade.extend_cascade(source, actor=None)
    for meeting in list(Meeting.objects.filter(cascade_from=source))[:4]:
        hold(meeting)
    assert queries(client, url) == few


# The pages


def test_staff_cascade_a_topic_from_the_meetings_page(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.STAFF])
    page = client.get(reverse("meetings:unit", args=[tree.district.pk])).content.decode()
    url = reverse("meetings:cascade", args=[tree.district.pk])
    assert url in page
    form = client.get(url).content.decode()
    assert "Giao chuyên đề cho các chi bộ" in form
    assert "3 chi bộ" in form
    response = client.post(
        url, {"title": TOPIC, "day": "20/03/2025", "at": "19:30", "place": "Hội trường"}
    )
    source = Meeting.objects.get(unit=tree.district)
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:cascade_rollup", args=[source.pk])
    assert Meeting.objects.filter(cascade_from=source).count() == 3
    assert timezone.localtime(source.starts_at).strftime("%d/%m/%Y %H:%M") == "20/03/2025 19:30"
    rollup = client.get(response["Location"]).content.decode()
    assert TOPIC in rollup
    assert 'id="stat-total">3<' in rollup
    assert 'id="stat-not-yet">3<' in rollup
    for name in ("Chi bộ thôn Ninh Phú", "Chi bộ thôn Đông Thành", "Chi bộ thôn Y Bích"):
        assert name in rollup
    # The source's own page leads to the roll-up; the topic is listed on the form page.
    detail = client.get(reverse("meetings:detail", args=[source.pk])).content.decode()
    assert reverse("meetings:cascade_rollup", args=[source.pk]) in detail
    assert reverse("meetings:cascade_rollup", args=[source.pk]) in client.get(url).content.decode()
    # A cell's meeting of the topic does not.
    cell_meeting = Meeting.objects.get(cascade_from=source, unit=tree.cell_a1)
    detail = client.get(reverse("meetings:detail", args=[cell_meeting.pk])).content.decode()
    assert "/cascade/" not in detail


def test_the_form_refuses_without_writing(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.STAFF])
    url = reverse("meetings:cascade", args=[tree.district.pk])
    response = client.post(url, {"title": "", "day": "20/03/2025", "at": "19:30"})
    assert response.status_code == 200
    assert not Meeting.objects.exists()


def test_cells_and_read_only_roles_have_no_cascade(tree: Tree, users: dict[str, User]) -> None:
    page = (
        signed_in(users[Role.SECRETARY])
        .get(reverse("meetings:unit", args=[tree.cell_a1.pk]))
        .content.decode()
    )
    assert reverse("meetings:cascade", args=[tree.cell_a1.pk]) not in page
    inspector = signed_in(users[Role.INSPECTOR])
    page = inspector.get(reverse("meetings:unit", args=[tree.commune_a.pk])).content.decode()
    assert reverse("meetings:cascade", args=[tree.commune_a.pk]) not in page
    post = {"title": TOPIC, "day": "20/03/2025", "at": "19:30"}
    assert (
        inspector.post(reverse("meetings:cascade", args=[tree.commune_a.pk]), post).status_code
        == 404
    )
    assert not Meeting.objects.exists()


def test_outside_the_scope_is_not_found(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.STAFF])
    post = {"title": TOPIC, "day": "20/03/2025", "at": "19:30"}
    assert (
        client.post(reverse("meetings:cascade", args=[tree.other_base.pk]), post).status_code == 404
    )
    theirs = give(tree.other_base)
    assert client.get(reverse("meetings:cascade_rollup", args=[theirs.pk])).status_code == 404
    count = Meeting.objects.count()
    extend = reverse("meetings:cascade_extend", args=[theirs.pk])
    assert client.post(extend).status_code == 404
    assert Meeting.objects.count() == count


def test_rollup_only_for_a_cascaded_topic(tree: Tree, users: dict[str, User]) -> None:
    plain = services.plan_meeting(
        tree.commune_a, actor=None, kind=MeetingKind.THEMATIC, starts_at=WHEN, title="Riêng"
    )
    client = signed_in(users[Role.STAFF])
    assert client.get(reverse("meetings:cascade_rollup", args=[plain.pk])).status_code == 404
    # The secretary of a cell below does not see the commune's roll-up.
    source = give(tree.commune_a)
    secretary = signed_in(users[Role.SECRETARY])
    assert secretary.get(reverse("meetings:cascade_rollup", args=[source.pk])).status_code == 404


def test_extend_from_the_rollup(tree: Tree, users: dict[str, User]) -> None:
    source = give(tree.commune_a)
    make_unit(tree.commune_a, UnitKind.CELL, "A3", "Chi bộ thôn Đông Hải", on=date(2025, 1, 1))
    client = signed_in(users[Role.STAFF])
    url = reverse("meetings:cascade_rollup", args=[source.pk])
    page = client.get(url).content.decode()
    assert "Chi bộ thôn Đông Hải" in page
    assert reverse("meetings:cascade_extend", args=[source.pk]) in page
    inspector = signed_in(users[Role.INSPECTOR])
    assert (
        reverse("meetings:cascade_extend", args=[source.pk])
        not in inspector.get(url).content.decode()
    )
    response = client.post(reverse("meetings:cascade_extend", args=[source.pk]))
    assert response.status_code == 302
    assert Meeting.objects.filter(cascade_from=source, unit__code="A3").exists()
    assert 'id="stat-total">3<' in client.get(url).content.decode()
