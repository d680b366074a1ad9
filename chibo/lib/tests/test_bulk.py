"""Rows inserted in bulk read back through the ORM exactly as bulk_create would have written."""

from datetime import date, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chibo.lib.bulk import among, insert_rows, update_rows
from chibo.meetings import services
from chibo.meetings.models import Attendance, Mark, MarkSource, MeetingKind
from chibo.members.models import Member
from conftest import Tree


def test_values_are_prepared_by_their_fields(tree: Tree) -> None:
    meeting = services.plan_meeting(
        tree.cell_a1,
        actor=None,
        kind=MeetingKind.EXTRAORDINARY,
        starts_at=timezone.make_aware(datetime(2024, 5, 6, 19)),
    )
    when = timezone.make_aware(datetime(2024, 5, 6, 21, 15, 30))
    members = list(Member.objects.filter(full_name__in=["Lê Văn Chín", "Phạm Thị Hường"]))
    rows = [
        (meeting.pk, members[0].pk, Mark.PRESENT, "", True, MarkSource.SECRETARY, None, when),
        (meeting.pk, members[1].pk, Mark.EXCUSED, "Ốm", False, MarkSource.SELF, None, when),
    ]
    names = [
        "meeting",
        "member",
        "mark",
        "reason",
        "counted",
        "source",
        "recorded_by",
        "recorded_at",
    ]
    assert insert_rows(Attendance, names, rows) == 2
    back = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    assert back[members[0].pk].counted is True and back[members[0].pk].recorded_at == when
    excused = back[members[1].pk]
    assert (excused.mark, excused.reason, excused.counted, excused.source) == (
        Mark.EXCUSED,
        "Ốm",
        False,
        MarkSource.SELF,
    )
    assert excused.recorded_at.date() == date(2024, 5, 6)


def test_among_filters_by_many_ids_on_either_engine(tree: Tree) -> None:
    everyone = sorted(Member.objects.values_list("pk", flat=True))
    some = everyone[::2]
    assert sorted(Member.objects.filter(among("pk", some)).values_list("pk", flat=True)) == some
    assert not Member.objects.filter(among("pk", [])).exists()
    # Beside other conditions, and with ids that match nothing.
    found = Member.objects.filter(among("pk", [*some, 10**9]), full_name__startswith="L")
    assert {m.pk for m in found} <= set(some)
    # More ids than SQLite takes parameters (32.766), as one parameter on both engines.
    many = [*some, *range(10**9, 10**9 + 40_000)]
    with CaptureQueriesContext(connection) as queries:
        assert sorted(Member.objects.filter(among("pk", many)).values_list("pk", flat=True)) == some
    assert len(queries) == 1


def test_among_takes_the_values_of_any_column(tree: Tree) -> None:
    """Citizen IDs as one array of the column's type (PostgreSQL) or one JSON list (SQLite);
    ids given as text are read as the integers they name."""
    numbered = list(Member.objects.order_by("pk")[:3])
    for i, member in enumerate(numbered):
        member.citizen_id = f"00108000{i:04d}"
        member.birth_date = date(1970 + i, 1, 1)
        member.save(update_fields=["citizen_id", "birth_date"])
    wanted = [m.citizen_id for m in numbered[:2]] + ["999999999999"]
    found = Member.objects.filter(among("citizen_id", wanted))
    assert sorted(found.values_list("pk", flat=True)) == [m.pk for m in numbered[:2]]
    as_text = [str(m.pk) for m in numbered]
    assert Member.objects.filter(among("pk", as_text)).count() == 3
    assert Member.objects.filter(among("citizen_id", iter(wanted))).count() == 2
    # Dates, as each engine takes them (SQLite: the text of the date).
    born = [m.birth_date for m in numbered[:2]]
    by_day = Member.objects.filter(among("birth_date", born))
    assert sorted(by_day.values_list("pk", flat=True)) == [m.pk for m in numbered[:2]]


def test_update_rows_writes_what_bulk_update_would_in_batches(tree: Tree) -> None:
    members = list(Member.objects.order_by("pk"))
    untouched = {m.pk: (m.full_name, m.workplace) for m in members}
    for i, member in enumerate(members):
        member.birth_date = date(1980, 1, 1 + i) if i % 2 else None  # dates, and NULL
        member.dues_monthly = 10_000 * i if i % 3 else None  # numbers, and NULL
        member.phone = f"09{i:08d}"
        member.full_name = "Đổi Tên"  # changed on the object, not among the fields written
    written = update_rows(Member, ["birth_date", "dues_monthly", "phone"], members, batch=2)
    assert written == len(members)
    for member in Member.objects.order_by("pk"):
        i = next(i for i, m in enumerate(members) if m.pk == member.pk)
        assert member.birth_date == (date(1980, 1, 1 + i) if i % 2 else None)
        assert member.dues_monthly == (10_000 * i if i % 3 else None)
        assert member.phone == f"09{i:08d}"
        assert (member.full_name, member.workplace) == untouched[member.pk]
    assert update_rows(Member, ["phone"], []) == 0
