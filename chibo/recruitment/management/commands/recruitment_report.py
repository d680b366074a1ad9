"""Print the recruitment report of a unit for a period, as JSON or an Excel workbook."""

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chibo.recruitment import report
from chibo.units.models import Unit


def _month(text: str) -> date:
    try:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise CommandError(f"Tháng không hợp lệ: {text} (YYYY-MM).") from None


class Command(BaseCommand):
    help = "Admitted, recognised and removed during probation for a unit and period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="The unit's code, e.g. TH-HL.")
        parser.add_argument("--from", dest="start", required=True, help="First month, YYYY-MM.")
        parser.add_argument("--to", dest="end", required=True, help="Last month, YYYY-MM.")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--output", help="File to write (xlsx: default standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"].strip().upper()).first()
        if unit is None:
            raise CommandError(f"Không có tổ chức đảng mã {options['unit']}. (No such unit.)")
        first, last = _month(options["start"]), _month(options["end"])
        if last < first:
            raise CommandError("Tháng cuối trước tháng đầu. (End before start.)")
        start, end = report.month_range(first, last)
        figures = report.report(unit, start, end)
        if options["format"] == "xlsx":
            content = report.xlsx(figures)
            if options["output"]:
                with open(options["output"], "wb") as out:
                    out.write(content)
            else:
                sys.stdout.buffer.write(content)
            self.stderr.write(
                f"{unit.code}: {figures.total.admitted} kết nạp (admitted), "
                f"{figures.per_year:.1f}/năm"
            )
            return
        text = json.dumps(report.as_dict(figures), ensure_ascii=False, indent=2)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(text)
        else:
            self.stdout.write(text)
