"""The member record and its dated status chain: every invariant holds or the write is refused
with nothing written."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from chibo.audit.models import AuditEvent
from chibo.members import selectors, services
from chibo.members.models import Member, Membership, MemberStatus, Status
from chibo.units import selectors as unit_selectors
from conftest import Tree, make_member

B = services.Basis


@contextmanager
def nothing_written(match: str | None = None) -> Iterator[None]:
    before = snapshot()
    with pytest.raises(ValidationError, match=match):
        yield
    assert snapshot() == before


def snapshot() -> list[list[dict]]:  # type: ignore[type-arg]
    tables = (Member, MemberStatus, Membership, AuditEvent)
    return [list(model.objects.order_by("pk").values()) for model in tables]


def probationary(tree: Tree, name: str = "Nguyễn Văn Mới") -> Member:
    return make_member(
        tree.cell_a1,
        name,
        on=date(2024, 3, 2),
        birth_date=date(2000, 5, 1),
        admission_decided_on=date(2024, 2, 20),
        admitted_on=date(2024, 3, 2),
        citizen_id="038200001234",
        card_number="12345678",
    )


def chain(member: Member) -> list[tuple[str, date, date | None]]:
    return [
        (s.status, s.valid_from, s.valid_to)
        for s in MemberStatus.objects.filter(member=member).order_by("valid_from")
    ]


def members_of(tree: Tree, unit_attr: str, on: date) -> int:
    unit = getattr(tree, unit_attr)
    version = unit_selectors.version_on(unit, on)
    assert version is not None
    return unit_selectors.counts_below(version, on).get(unit.pk, unit_selectors.Counts()).members


def test_registration_opens_the_chain_from_the_record(tree: Tree) -> None:
    member = probationary(tree)
    assert chain(member) == [(Status.PROBATIONARY, date(2024, 3, 2), None)]
    recognised = make_member(
        tree.cell_a1,
        "Trần Đã Công Nhận",
        on=date(2020, 1, 1),
        admitted_on=date(2019, 6, 1),
        recognised_on=date(2020, 6, 1),
    )
    assert chain(recognised) == [
        (Status.PROBATIONARY, date(2020, 1, 1), date(2020, 5, 31)),
        (Status.OFFICIAL, date(2020, 6, 1), None),
    ]


def test_recognition_after_twelve_months_only(tree: Tree) -> None:
    member = probationary(tree)
    with nothing_written("12 tháng"):
        services.recognise_member(member, actor=None, on=date(2025, 3, 1), basis=B("QĐ 1"))
    services.recognise_member(member, actor=None, on=date(2025, 3, 2), basis=B("QĐ 1"))
    member.refresh_from_db()
    assert member.recognised_on == date(2025, 3, 2)
    assert chain(member)[-1] == (Status.OFFICIAL, date(2025, 3, 2), None)
    assert AuditEvent.objects.filter(action="members.member.recognise").count() == 1


def test_exemption_and_return(tree: Tree) -> None:
    member = make_member(tree.cell_a1, "Cụ Già", birth_date=date(1940, 1, 1))
    with nothing_written("nghị quyết"):
        services.exempt_member(member, actor=None, on=date(2022, 1, 1), extent="full", basis=B())
    services.exempt_member(
        member,
        actor=None,
        on=date(2022, 1, 1),
        extent="full",
        basis=B("NQ 3", date(2021, 12, 20), "Tuổi cao"),
    )
    services.resume_activity(member, actor=None, on=date(2023, 1, 1), basis=B("NQ 9"))
    assert [c[0] for c in chain(member)] == [Status.OFFICIAL, Status.EXEMPTED, Status.OFFICIAL]
    # Exempted members stay on the roll and are counted.
    assert members_of(tree, "cell_a1", date(2022, 6, 1)) == 4


def test_suspension_for_a_period_returns_by_itself(tree: Tree) -> None:
    member = make_member(tree.cell_a1, "Người Bị Đình Chỉ")
    services.suspend_member(
        member, actor=None, on=date(2024, 1, 1), basis=B("QĐ 5"), until=date(2024, 3, 31)
    )
    assert chain(member)[-2:] == [
        (Status.SUSPENDED, date(2024, 1, 1), date(2024, 3, 31)),
        (Status.OFFICIAL, date(2024, 4, 1), None),
    ]


@pytest.mark.parametrize(
    ("end", "status"),
    [
        (services.remove_member, Status.REMOVED),
        (services.expel_member, Status.EXPELLED),
        (services.record_death, Status.DECEASED),
    ],
)
def test_final_statuses_end_the_roll_and_keep_history(tree: Tree, end, status: str) -> None:  # type: ignore[no-untyped-def]
    member = make_member(tree.cell_a1, "Người Rời Đi")
    end(member, actor=None, on=date(2024, 5, 1), basis=B("QĐ 7"))
    assert chain(member)[-1] == (status, date(2024, 5, 1), None)
    assert members_of(tree, "cell_a1", date(2024, 4, 30)) == 4
    assert members_of(tree, "cell_a1", date(2024, 5, 1)) == 3
    assert Membership.objects.get(member=member).valid_to == date(2024, 4, 30)
    # Nothing can follow: no activity after death, removal or expulsion.
    with nothing_written("không thể thay đổi tiếp"):
        services.exempt_member(
            member, actor=None, on=date(2025, 1, 1), extent="full", basis=B("NQ")
        )


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(
            lambda m: services.recognise_member(m, actor=None, on=date(2026, 1, 1), basis=B()),
            id="already-official",
        ),
        pytest.param(
            lambda m: services.resume_activity(m, actor=None, on=date(2026, 1, 1), basis=B()),
            id="resume-when-active",
        ),
        pytest.param(
            lambda m: services.suspend_member(m, actor=None, on=date(2014, 1, 1), basis=B("QĐ")),
            id="before-current-status",
        ),
        pytest.param(
            lambda m: services.exempt_member(
                m, actor=None, on=date(2026, 1, 1), extent="most", basis=B("NQ")
            ),
            id="bad-extent",
        ),
        pytest.param(
            lambda m: services.suspend_member(
                m, actor=None, on=date(2026, 1, 1), basis=B("QĐ"), until=date(2025, 1, 1)
            ),
            id="ends-before-start",
        ),
        pytest.param(
            lambda m: services.remove_member(m, actor=None, on=date(2026, 1, 1), basis=B()),
            id="removal-without-decision",
        ),
    ],
)
def test_bad_status_changes_are_refused(tree: Tree, bad) -> None:  # type: ignore[no-untyped-def]
    member = Member.objects.get(full_name="Lê Văn Chín")
    with nothing_written():
        bad(member)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"citizen_id": "12345"}, "citizen_id"),
        ({"citizen_id": "038200001234"}, "citizen_id"),  # another member's
        ({"card_number": "12-34"}, "card_number"),
        ({"full_name": "  "}, "full_name"),
        ({"sex": "X"}, "sex"),
        (
            {"birth_date": date(2010, 1, 1), "admission_decided_on": date(2024, 1, 1)},
            "admission_decided_on",
        ),
        (
            {"admitted_on": date(2020, 1, 1), "admission_decided_on": date(2020, 2, 1)},
            "admitted_on",
        ),
        ({"admitted_on": date(2020, 1, 1), "recognised_on": date(2020, 6, 1)}, "recognised_on"),
        ({"dues_category": "other", "dues_monthly": 50_000}, "dues_monthly"),
    ],
)
def test_bad_records_are_refused_by_field(tree: Tree, changes: dict, field: str) -> None:  # type: ignore[type-arg]
    probationary(tree)
    member = Member.objects.get(full_name="Lê Văn Chín")
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.update_member(member, actor=None, changes=changes)
    assert field in error.value.message_dict, error.value.message_dict
    assert snapshot() == before


def test_edits_are_audited_with_their_reason(tree: Tree) -> None:
    member = Member.objects.get(full_name="Lê Văn Chín")
    services.update_member(
        member,
        actor=None,
        changes={"full_name": "Lê Văn Chính", "phone": "0912345678"},
        reason="Đính chính theo lý lịch",
    )
    member.refresh_from_db()
    assert (member.search_name, member.sort_name) == ("le van chinh", "chinh van le")
    event = AuditEvent.objects.get(action="members.member.update")
    assert event.changes["full_name"] == {"before": "Lê Văn Chín", "after": "Lê Văn Chính"}
    assert event.changes["reason"] == "Đính chính theo lý lịch"
    assert event.unit == tree.cell_a1


def _edits(tree: Tree, n: int, prefix: str) -> list[tuple[Member, dict[str, object]]]:
    """n members of cell A1, each given a new phone, citizen ID and an earlier admission."""
    members = [make_member(tree.cell_a1, f"{prefix} Văn {i}") for i in range(n)]
    return [
        (
            m,
            {
                "phone": f"09{i:08d}",
                "citizen_id": f"0010{len(prefix)}{i:07d}",
                "admitted_on": date(2000, 1, 1),
            },
        )
        for i, m in enumerate(members)
    ]


def test_many_edits_cost_the_queries_of_a_few(tree: Tree) -> None:
    def queries(edits: list[tuple[Member, dict[str, object]]]) -> int:
        with CaptureQueriesContext(connection) as captured:
            services.update_members(edits, actor=None, reason="Đối chiếu lý lịch")
        return len(captured)

    few, many = _edits(tree, 3, "Ít"), _edits(tree, 30, "Nhiều")
    assert queries(few) == queries(many)
    edited = Member.objects.get(pk=many[29][0].pk)
    assert (edited.phone, edited.admitted_on) == ("0900000029", date(2000, 1, 1))
    events = AuditEvent.objects.filter(action="members.member.update")
    assert events.count() == 33
    assert {e.unit_id for e in events} == {tree.cell_a1.pk}
    assert events.get(object_id=str(edited.pk)).changes["reason"] == "Đối chiếu lý lịch"


def test_each_faulty_edit_of_many_is_named_and_nothing_is_written(tree: Tree) -> None:
    edits = _edits(tree, 4, "Sai")
    holder = make_member(tree.cell_b1, "Người Giữ Số", citizen_id="001080000321")
    edits[1][1]["citizen_id"] = holder.citizen_id  # held by another member
    edits[2][1]["admitted_on"] = date(2030, 1, 1)  # after the status chain begins
    edits[3][1]["citizen_id"] = edits[0][1]["citizen_id"]  # given twice in the same batch
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.update_members(edits, actor=None, where=lambda i, m: f"#{i}: {m}")
    named = sorted(m.split(":")[0] for m in error.value.messages)
    assert named == ["#0", "#1", "#2", "#3"], error.value.messages
    assert any("#2: Đã có tình trạng trước ngày này" in m for m in error.value.messages)
    assert snapshot() == before
    # One edit alone is refused by field, as a form shows it.
    with pytest.raises(ValidationError) as error:
        services.update_member(edits[2][0], actor=None, changes=edits[2][1])
    assert list(error.value.message_dict) == ["admitted_on"]


def test_party_age_counts_from_the_admission_decision_once_official(tree: Tree) -> None:
    member = make_member(
        tree.cell_a1,
        "Đã Lâu",
        admission_decided_on=date(2000, 5, 10),
        admitted_on=date(2000, 5, 19),
        recognised_on=date(2001, 5, 19),
        on=date(2015, 1, 1),
    )
    assert selectors.party_age_on(member, date(2021, 5, 9)) == 20
    assert selectors.party_age_on(member, date(2021, 5, 10)) == 21
    assert selectors.party_age_on(member, date(2001, 1, 1)) is None  # still probationary


def test_the_database_refuses_a_number_taken_and_allows_many_blanks(tree: Tree) -> None:
    """The services check the numbers first; the unique constraints are the last guard
    (decision 0019), and two members without a number do not clash."""
    first = make_member(tree.cell_a1, citizen_id="038090001234", card_number="10001234")
    make_member(tree.cell_a1, "Lê Thị Bình")
    make_member(tree.cell_a1, "Lê Thị Cúc")
    for name in ("citizen_id", "card_number"):
        taken = {name: getattr(first, name)}
        with pytest.raises(IntegrityError), transaction.atomic():
            Member.objects.create(full_name="Trần Văn Dũng", sex="M", **taken)


def test_name_and_number_columns_carry_no_like_copies(db: None) -> None:
    """Only plain indexes on the member table (decision 0019): no `varchar_pattern_ops` copy
    for a prefix search no query makes, and one index for the import's name and birth date."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Member._meta.db_table)
    indexed = {  # the B-trees: the trigram index of the name search is not one
        tuple(c["columns"])
        for c in constraints.values()
        if (c["index"] or c["unique"]) and c.get("type") != "gin"
    }
    assert ("search_name", "birth_date") in indexed
    assert ("search_name",) not in indexed
    assert ("sort_name",) not in indexed
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s "
                "AND indexdef LIKE '%%pattern_ops%%'",
                [Member._meta.db_table],
            )
            assert cursor.fetchall() == []


@pytest.mark.parametrize(
    ("model", "columns"),
    [
        ("members.Member", ("search_name", "sort_name")),
        ("recruitment.Candidate", ("search_name", "sort_name")),
        ("units.Unit", ("search_name",)),
    ],
)
def test_key_columns_compare_by_bytes(db: None, model: str, columns: tuple[str, ...]) -> None:
    """The name keys are ASCII and compare byte by byte on both engines (decision 0020): on
    PostgreSQL through the collation BINARY made from "C", not the database's default."""
    table = apps.get_model(model)._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT a.attname, c.collname, c.collcollate FROM pg_attribute a "
                "JOIN pg_collation c ON c.oid = a.attcollation "
                "WHERE a.attrelid = %s::regclass AND a.attname = ANY(%s)",
                [table, list(columns)],
            )
            assert sorted(cursor.fetchall()) == [(name, "BINARY", "C") for name in columns]
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [table])
            (sql,) = cursor.fetchone()
            for name in columns:
                assert f'"{name}" varchar' in sql
                assert sql.split(f'"{name}" ')[1].split(",")[0].endswith("COLLATE BINARY NOT NULL")


def test_a_taken_number_is_found_among_thousands_in_one_query(tree: Tree) -> None:
    holder = make_member(tree.cell_b1, "Người Giữ Số", citizen_id="001080000999")
    people = [
        services.MemberDetails(f"Người Mới {i}", "M", citizen_id=f"0010900{i:05d}")
        for i in range(2_000)
    ]
    people[1_500].citizen_id = holder.citizen_id
    before = snapshot()
    with CaptureQueriesContext(connection) as captured, pytest.raises(ValidationError) as error:
        services.register_members(
            tree.cell_a1, actor=None, people=people, on=[date(2024, 1, 1)] * len(people)
        )
    assert "citizen_id" in error.value.message_dict
    assert snapshot() == before
    # The 2.000 citizen IDs looked up in one query, not in batches of 900.
    holders = [q for q in captured.captured_queries if "citizen_id" in q["sql"]]
    assert len(holders) == 1, [q["sql"][:120] for q in holders]
