"""Writes of member spreadsheets: an import (all rows or none), and the audit of an export."""

import tempfile
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.audit.services import record
from chibo.lib.bulk import insert_rows
from chibo.lib.vntext import name_order, search_key
from chibo.members import privacy
from chibo.members.models import Member, Membership, MemberStatus
from chibo.members.services import (
    DETAIL_FIELDS,
    MemberDetails,
    opening_chain,
    roll_changed,
    update_members,
)
from chibo.members.spreadsheets import exports, files
from chibo.members.spreadsheets.files import Table
from chibo.members.spreadsheets.plan import (
    IMPORT_REASON,
    NEW,
    UPDATE,
    Plan,
    Problem,
    ProgressFactory,
    plan_import,
)
from chibo.units.models import Unit

IMPORT_ACTION = "members.member.import"


@transaction.atomic
def import_members(
    unit: Unit,
    *,
    actor: User | None,
    table: Table,
    on: date,
    progress: ProgressFactory | None = None,
) -> Plan:
    """Put the file's new people on the roll of `unit` from `on` and update the members it
    names by citizen ID or card number; one transaction, so a single fault writes nothing.

    Each row is checked once, by the plan. The new people are written as `register_members`
    writes them, one insert per table; the updated members as `update_members` writes them,
    one audited change each, in a few statements. One audit event names the import: the file
    (name and SHA-256), the unit, the day, and the ids of the members it entered and updated.

    Raises ValidationError with one message a fault ("Dòng 7, cột “Số CCCD”: …").
    """
    # One import into a unit at a time: two confirmations of the same file must not both
    # find its people missing and enter them twice.
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    plan = plan_import(unit, table, on=on, actor=actor, progress=progress)
    if plan.problems:
        raise ValidationError([str(p) for p in plan.problems])
    updates = [
        (row.number, row.member, row.changes) for row in plan.of(UPDATE) if row.member is not None
    ]
    advance = progress("Ghi / writing", 2) if progress else None
    update_members(
        [(member, changes) for _number, member, changes in updates],
        actor=actor,
        reason=IMPORT_REASON,
        where=lambda i, message: str(Problem(message, updates[i][0])),
    )
    if advance:
        advance(1)
    ids = enter_members(unit, [row.details for row in plan.of(NEW)], on=on, basis=IMPORT_REASON)
    if ids or updates:
        record(
            IMPORT_ACTION,
            actor=actor,
            obj=unit,
            unit=unit,
            changes={
                "file": table.name,
                "sha256": table.digest,
                "unit": unit.code,
                "on": on.isoformat(),
                "basis": IMPORT_REASON,
                "new": len(ids),
                "members": ids,
                "updated": [member.pk for _number, member, _changes in updates],
            },
        )
    if advance:
        advance(1)
    return plan


@transaction.atomic
def enter_members(
    unit: Unit, people: list[MemberDetails], *, on: date, basis: str = ""
) -> list[int]:
    """Write `people`, already checked (`plan_import`), on the roll of `unit` from `on`: the
    rows `register_members` writes (the member, the membership, the opening status chain), as
    one insert per table instead of a model instance per row. Returns the new ids, in order.

    The caller checks the unit is open on `on`, holds its lock and records the audit event."""
    if not people:
        return []
    with files.gc_paused():
        return _enter(unit, people, on=on, basis=basis)


def _enter(unit: Unit, people: list[MemberDetails], *, on: date, basis: str) -> list[int]:
    ids = _reserve_ids(Member, len(people))
    names = _NameKeys()
    details = attrgetter(*DETAIL_FIELDS)
    extra = _defaults(Member, {"id", "search_name", "sort_name", *DETAIL_FIELDS})
    member_rows = (
        (pk, *details(person), *names(person.full_name), *extra.values())
        for pk, person in zip(ids, people, strict=True)
    )
    home = _values(Membership(unit=unit, valid_from=on, basis=basis), skip={"id", "member"})
    chain = _ChainRows(on)
    try:
        insert_rows(Member, ["id", *DETAIL_FIELDS, "search_name", "sort_name", *extra], member_rows)
    except IntegrityError:
        # The plan found these numbers free; another unit's secretary took one since.
        raise ValidationError(
            _(
                "Một số CCCD hoặc số thẻ đảng viên trong tệp vừa được ghi cho người khác; hãy "
                "tải tệp lên lại để kiểm tra. (A number was taken meanwhile: upload again.)"
            )
        ) from None
    insert_rows(Membership, ["member", *home], ((pk, *home.values()) for pk in ids))
    insert_rows(
        MemberStatus,
        ["member", *chain.names],
        ((pk, *link) for pk, person in zip(ids, people, strict=True) for link in chain(person)),
    )
    roll_changed(unit, on)
    return ids


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys of `model`'s table, taken before its rows are written so that
    the rows of other tables can name them (COPY returns no ids).

    PostgreSQL: drawn from the table's sequence in one statement, so that a concurrent insert
    never takes the same. SQLite: the ids after the highest ever used; the transaction holds
    the database's write lock from its start (`transaction_mode` IMMEDIATE), so no other
    insert comes between."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence named first: called for each value, `pg_get_serial_sequence` would
            # look the table up 10.000 times for a file of 10.000 rows (40 ms instead of 4).
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (sequence,) = cursor.fetchone()
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
            )
            return sorted(pk for (pk,) in cursor.fetchall())
        quoted = connection.ops.quote_name(table)  # the model's own table, never input
        seq = "(SELECT seq FROM sqlite_sequence WHERE name = %s)"
        highest = f"SELECT MAX(COALESCE({seq}, 0), COALESCE((SELECT MAX(id) FROM {quoted}), 0))"  # noqa: S608
        cursor.execute(highest, [table])
        (top,) = cursor.fetchone()
        return list(range(top + 1, top + count + 1))


def _defaults(model: type[models.Model], skip: set[str]) -> dict[str, Any]:
    """The default of every other concrete field (a member's account: none)."""
    return {f.name: f.get_default() for f in model._meta.concrete_fields if f.name not in skip}


def _values(instance: models.Model, skip: set[str]) -> dict[str, Any]:
    """The field values of an unsaved instance, by field name: a row all rows copy."""
    return {
        f.name: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.name not in skip
    }


class _NameKeys:
    """The search and sort keys of a full name (`_new_member`), once per distinct name."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[str, str]] = {}

    def __call__(self, full_name: str) -> tuple[str, str]:
        keys = self.known.get(full_name)
        if keys is None:
            key = search_key(full_name)
            keys = self.known[full_name] = (key, name_order(key))
        return keys


class _ChainRows:
    """The opening status chain of `register_members` (`opening_chain`) as rows of values.

    The chain depends on whether the admission and recognition dates are given and on when
    recognition falls against `on`, so it is built once per such case and copied."""

    def __init__(self, on: date) -> None:
        self.on = on
        self.names = list(_values(MemberStatus(valid_from=on), skip={"id", "member"}))
        self.known: dict[tuple[bool, date | None], list[tuple[Any, ...]]] = {}

    def __call__(self, person: MemberDetails) -> list[tuple[Any, ...]]:
        recognised = person.recognised_on
        if recognised is not None and recognised <= self.on:
            recognised = self.on  # recognised by then: official from `on` whatever the day
        key = (person.admitted_on is None, recognised)
        rows = self.known.get(key)
        if rows is None:
            stand_in = Member(admitted_on=person.admitted_on, recognised_on=recognised)
            rows = self.known[key] = [
                tuple(_values(link, skip={"id", "member"}).values())
                for link in opening_chain(stand_in, self.on)
            ]
        return rows


@dataclass(frozen=True)
class Export:
    """The exported file, rewound, in a temporary file that is removed once closed."""

    file: IO[bytes]
    rows: int
    file_format: str

    @property
    def content(self) -> bytes:
        self.file.seek(0)
        data = self.file.read()
        self.file.seek(0)
        return data


def export_members(
    unit: Unit, *, actor: User | None, on: date, file_format: str = files.XLSX
) -> Export:
    """The roll of `unit` and every unit below it on `on` as a file, sensitive values masked
    for an `actor` who may not see them; the export itself is written to the audit log."""
    headers, names, rows = exports.member_rows(unit, on=on, viewer=actor)
    out = tempfile.TemporaryFile()  # noqa: SIM115  # handed to the caller, closed by the response
    if file_format == files.CSV:
        count = files.write_csv(headers, rows, out)
    else:
        count = files.write_xlsx(files.DATA_SHEET, headers, names, rows, out)
    out.seek(0)
    privacy.record_export(
        unit,
        actor=actor,  # None: a command run by the operator
        unit=unit,
        rows=count,
        file_format=file_format,
    )
    return Export(out, count, file_format)
