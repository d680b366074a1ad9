"""Plan the regular meetings of a month for every meeting unit below a unit (or everywhere)."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from chibo.meetings import services
from chibo.units.models import Unit


def month(text: str) -> date:
    try:
        year, number = (int(part) for part in text.strip().split("-"))
        return date(year, number, 1)
    except ValueError:
        raise CommandError(
            f"Tháng “{text}” phải viết YYYY-MM, ví dụ 2026-03. (Use YYYY-MM.)"
        ) from None


class Command(BaseCommand):
    help = (
        "Plan the regular monthly meeting of MONTH for every cell (and base organisation with no "
        "cell) below the unit with code UNIT, or below every top unit. Months already planned "
        "are left as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--unit", help="unit code, e.g. TH-VANLOC (default: every top unit)")
        parser.add_argument("--dry-run", action="store_true", help="count, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        first = month(options["month"])
        if options["unit"]:
            code = options["unit"].strip().upper()
            roots = list(Unit.objects.filter(code=code))
            if not roots:
                raise CommandError(f"Không có đơn vị mã {options['unit']}. (No such unit.)")
        else:
            roots = list(Unit.objects.filter(parent__isnull=True).order_by("path"))
        units = created = 0
        try:
            with transaction.atomic():
                for root in roots:
                    units += len(services.meeting_units(root, first))
                    created += services.generate_month(root, first, actor=None)
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        verb = "Sẽ lên lịch" if options["dry_run"] else "Đã lên lịch"
        where = roots[0].name if options["unit"] else "mọi đơn vị"
        self.stdout.write(
            f"{verb} {created} cuộc họp thường kỳ tháng {first:%m/%Y} ({where}): "
            f"{units} chi bộ, {units - created} đã có lịch từ trước."
        )
