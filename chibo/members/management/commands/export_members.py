"""Export the roll of a unit and everything below it, as of a day, to .xlsx or .csv."""

import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from chibo.lib.dates import format_date, today
from chibo.members.management.commands.import_members import find_unit, iso_date
from chibo.members.spreadsheets import exports, files, services


class Command(BaseCommand):
    help = (
        "Export the members on the roll of the unit with code UNIT and every unit below it on "
        "a day (default today), unmasked, to FILE (default members-CODE-YYYYMMDD.xlsx; "
        "'-' writes a .csv to standard output). The export is written to the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="unit code, e.g. TH-VANLOC")
        parser.add_argument("--on", type=iso_date, help="YYYY-MM-DD (default today)")
        parser.add_argument("--format", choices=files.FORMATS, default=files.XLSX)
        parser.add_argument("--output", help="file to write, or - for standard output (csv)")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = find_unit(options["unit"])
        on, file_format = options["on"] or today(), options["format"]
        output = options["output"] or exports.filename(unit, on, file_format)
        if output == "-" and file_format != files.CSV:
            raise CommandError(
                "Chỉ xuất .csv ra màn hình; hãy dùng --format csv hoặc --output TỆP. "
                "(Only csv goes to standard output.)"
            )
        # The audit event and the file land together: a file that cannot be written is no export.
        with transaction.atomic():
            result = services.export_members(unit, actor=None, on=on, file_format=file_format)
            if output == "-":
                self.stdout.write(result.content.decode("utf-8-sig"), ending="")
            else:
                try:
                    with Path(output).open("wb") as target:
                        shutil.copyfileobj(result.file, target)
                except OSError as error:
                    raise CommandError(
                        f"Không ghi được {output}: {error}. (Cannot write.)"
                    ) from None
        summary = f"Đã xuất {result.rows} đảng viên của {unit.name} tại ngày {format_date(on)}"
        if output == "-":
            self.stderr.write(f"{summary}.")
        else:
            self.stdout.write(f"{summary} vào {output}.")
