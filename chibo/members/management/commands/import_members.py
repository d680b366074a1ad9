"""Import members from an .xlsx or .csv file into a unit: every row checked, then all or none."""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from chibo.lib.dates import format_date, today
from chibo.lib.progress import Progress
from chibo.members.spreadsheets import files, services
from chibo.members.spreadsheets.plan import NEW, SAME, UPDATE, Advance
from chibo.units.models import Unit

# Below this many rows the import is over before a progress bar would say anything.
PROGRESS_FROM = 500


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Ngày “{text}” phải viết YYYY-MM-DD. (Use YYYY-MM-DD.)") from None


def find_unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code.strip().upper()).first()
    if unit is None:
        raise CommandError(f"Không có đơn vị mã {code}. (No such unit.)")
    return unit


class Command(BaseCommand):
    help = (
        "Import the members in FILE (.xlsx or .csv, the columns of the import template) into "
        "the unit with code UNIT. Rows whose citizen ID or card number is on record update that "
        "member. Any fault in any row: every fault is printed and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--unit", required=True, help="unit code, e.g. TH-VANLOC")
        parser.add_argument(
            "--on", type=iso_date, help="YYYY-MM-DD: new members join the roll (default today)"
        )
        parser.add_argument("--dry-run", action="store_true", help="check, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = find_unit(options["unit"])
        path: Path = options["file"]
        file_format = path.suffix.lower().lstrip(".")
        if file_format not in files.FORMATS:
            raise CommandError("Chỉ nhận tệp .xlsx hoặc .csv. (Only .xlsx or .csv files.)")
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}. (No such file.)")
        on = options["on"] or today()
        try:
            with path.open("rb") as file:
                table = files.read_table(file, file_format)
            with transaction.atomic():
                plan = services.import_members(
                    unit,
                    actor=None,
                    table=table,
                    on=on,
                    progress=self._progress if len(table.rows) >= PROGRESS_FROM else None,
                )
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(message)
            n = len(error.messages)
            raise CommandError(f"{n} lỗi; không ghi gì. ({n} faults; nothing written.)") from None
        counts = plan.counts
        verb = "Sẽ nhập" if options["dry_run"] else "Đã nhập"
        self.stdout.write(
            f"{verb} {path.name} vào {unit.name} từ {format_date(on)}: {counts[NEW]} mới, "
            f"{counts[UPDATE]} cập nhật, {counts[SAME]} không đổi."
        )

    def _progress(self, label: str, total: int) -> Advance:
        return Progress(total, label, stream=self.stderr._out).advance  # type: ignore[arg-type]
