"""Store the members, cells and units below every unit for today (or a kept month end), and
drop the rows of the days no longer kept. Meant to run nightly from cron (docs/ops.md)."""

from contextlib import nullcontext
from datetime import date
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from chibo.lib.dates import format_date, today
from chibo.lib.progress import Progress
from chibo.units import counts
from chibo.units.models import Unit


class Command(BaseCommand):
    help = (
        "Count, in the database, the members on the roll, cells and units below every unit on "
        "DAY (default: today) and store them for the unit pages; then delete the stored rows of "
        "the days no longer kept (today and the last 12 month ends are kept)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="YYYY-MM-DD: today or one of the last 12 month ends")
        parser.add_argument("--unit", help="unit code: only that unit and what is below it")
        parser.add_argument("--dry-run", action="store_true", help="count, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        day = self._day(options["day"])
        root = self._unit(options["unit"])
        bar: Progress | None = None

        def advance(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                stream = cast(TextIO, self.stderr._out)
                bar = Progress(total, "Tính số liệu / counting", stream=stream)
            bar.advance()

        # Each piece commits on its own (services wait for one piece at most); a dry run
        # holds them all in one transaction and rolls it back.
        with transaction.atomic() if options["dry_run"] else nullcontext():
            written = counts.refresh_counts(day, root, progress=advance)
            dropped = counts.prune_counts(today())
            if options["dry_run"]:
                transaction.set_rollback(True)
        verb = "Sẽ tính" if options["dry_run"] else "Đã tính"
        where = root.name if root else "mọi đơn vị"
        self.stdout.write(
            f"{verb} số liệu ngày {format_date(day)} ({where}): {written} đơn vị; "
            f"xóa {dropped} dòng của những ngày không còn lưu."
        )

    def _day(self, text: str | None) -> date:
        if not text:
            return today()
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"Ngày “{text}” phải viết YYYY-MM-DD. (Use YYYY-MM-DD.)") from None
        if not counts.is_kept(day):
            raise CommandError(
                f"Chỉ lưu số liệu của hôm nay và ngày cuối {counts.KEPT_MONTH_ENDS} tháng gần "
                f"nhất; ngày {format_date(day)} được đếm trực tiếp khi xem. "
                "(Only today and the recent month ends are stored.)"
            )
        return day

    def _unit(self, code: str | None) -> Unit | None:
        if not code:
            return None
        unit = Unit.objects.filter(code=code.strip().upper()).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {code}. (No such unit.)")
        return unit
