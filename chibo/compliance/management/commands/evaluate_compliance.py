"""Evaluate the obligations of every unit below a unit (or everywhere) for a month, roll the
results up the tree, raise and clear alerts, then escalate alerts left unresolved. Meant to run
daily from cron, in the nightly worker (docs/ops.md); a large tree is evaluated in pieces of
about a province, and the bar moves with each piece."""

from functools import partial
from typing import Any, TextIO, cast

from dateutil.relativedelta import relativedelta
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from chibo.compliance import lapses, services
from chibo.lib.dates import today
from chibo.lib.progress import Progress
from chibo.meetings.management.commands.generate_meetings import month
from chibo.units.models import Unit

STEPS = 100  # of the bar, for one unit's month: its pieces share them


def _move(bar: Progress, start: int, done: int, total: int) -> None:
    """Advance `bar` to `done` of `total` pieces of the evaluation that began at `start`."""
    step = start + done * STEPS // total - bar.done
    if step > 0:
        bar.advance(step)


class Command(BaseCommand):
    help = (
        "Evaluate compliance for MONTH (default: this month) and the MONTHS-1 months before it, "
        "below the unit with code UNIT or below every top unit; then escalate the alerts not "
        "resolved in time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="YYYY-MM (default: this month)")
        parser.add_argument("--months", type=int, default=1, help="months back, 1–240")
        parser.add_argument("--unit", help="unit code, e.g. TH-VANLOC (default: every top unit)")
        parser.add_argument(
            "--piece-units",
            type=int,
            default=services.PIECE_UNITS,
            help=f"units evaluated together, the memory's measure (default {services.PIECE_UNITS})",
        )
        parser.add_argument("--no-escalate", action="store_true", help="do not escalate alerts")
        parser.add_argument(
            "--reread",
            action="store_true",
            help="read the months' absences and unpaid dues again from the records, after "
            "a correction made outside chibo (decision 0016)",
        )
        parser.add_argument("--dry-run", action="store_true", help="count, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        last = month(options["month"]) if options["month"] else today().replace(day=1)
        if last > today():
            raise CommandError(f"Tháng {last:%m/%Y} chưa bắt đầu. (The month has not begun.)")
        if not 1 <= options["months"] <= 240:
            raise CommandError("--months từ 1 đến 240. (--months must be 1–240.)")
        if options["piece_units"] < 1:
            raise CommandError("--piece-units phải lớn hơn 0. (--piece-units must be positive.)")
        months = [last - relativedelta(months=n) for n in range(options["months"] - 1, -1, -1)]
        roots = self._roots(options["unit"])
        bar = Progress(
            len(months) * len(roots) * STEPS,
            "Đánh giá / evaluating",
            stream=cast(TextIO, self.stderr._out),
        )
        units = results = raised = cleared = moved = 0
        with transaction.atomic():
            if options["reread"]:
                for root in roots:
                    lapses.forget_below(root.path, months[0])
            for first in months:
                for root in roots:
                    start = bar.done
                    done = services.evaluate(
                        root,
                        first,
                        actor=None,
                        piece_units=options["piece_units"],
                        progress=partial(_move, bar, start),
                    )
                    _move(bar, start, 1, 1)
                    units += done.units
                    results += done.results
                    raised += done.alerts_raised
                    cleared += done.alerts_cleared
            if not options["no_escalate"]:
                moved = services.escalate_alerts(actor=None)
            if options["dry_run"]:
                transaction.set_rollback(True)
        verb = "Sẽ đánh giá" if options["dry_run"] else "Đã đánh giá"
        where = roots[0].name if options["unit"] else "mọi đơn vị"
        span = f"{months[0]:%m/%Y}" + (f"–{last:%m/%Y}" if len(months) > 1 else "")
        self.stdout.write(
            f"{verb} {span} ({where}): {units} lượt đơn vị, {results} kết quả; "
            f"{raised} cảnh báo mới, {cleared} tự đóng, {moved} chuyển lên cấp trên."
        )

    def _roots(self, code: str | None) -> list[Unit]:
        if code:
            roots = list(Unit.objects.filter(code=code.strip().upper()))
            if not roots:
                raise CommandError(f"Không có đơn vị mã {code}. (No such unit.)")
            return roots
        return list(Unit.objects.filter(parent__isnull=True).order_by("path"))
