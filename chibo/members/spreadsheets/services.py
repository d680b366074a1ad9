"""Writes of member spreadsheets: an import (all rows or none), and the audit of an export."""

import tempfile
from dataclasses import dataclass
from datetime import date
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction

from chibo.accounts.models import User
from chibo.members import privacy
from chibo.members.services import register_members, update_member
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

    Raises ValidationError with one message a fault ("Dòng 7, cột “Số CCCD”: …").
    """
    # One import into a unit at a time: two confirmations of the same file must not both
    # find its people missing and enter them twice.
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    plan = plan_import(unit, table, on=on, actor=actor, progress=progress)
    if plan.problems:
        raise ValidationError([str(p) for p in plan.problems])
    updates = plan.of(UPDATE)
    advance = progress("Ghi / writing", len(updates) + 1) if progress else None
    for row in updates:
        assert row.member is not None
        try:
            update_member(row.member, actor=actor, changes=row.changes, reason=IMPORT_REASON)
        except ValidationError as error:
            raise ValidationError([str(Problem(m, row.number)) for m in error.messages]) from None
        if advance:
            advance(1)
    new = plan.of(NEW)
    if new:
        register_members(
            unit,
            actor=actor,
            people=[row.details for row in new],
            on=[on] * len(new),
            basis=IMPORT_REASON,
        )
    if advance:
        advance(1)
    return plan


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
