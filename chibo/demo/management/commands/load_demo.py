"""Load the demo organisation: Hậu Lộc district in 2021 and its 2025 restructuring."""

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from chibo.demo import organisation
from chibo.lib.dates import today
from chibo.units import counts
from chibo.units.models import Unit


class Command(BaseCommand):
    help = "Load the demo organisation (Hậu Lộc, Thanh Hóa) and its demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the database already holds units.",
        )
        parser.add_argument(
            "--history-from",
            default="2016-01",
            metavar="YYYY-MM",
            help="First month of the cells' meeting books (default 2016-01, as in the article).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            since = datetime.strptime(options["history_from"], "%Y-%m").date()
        except ValueError:
            raise CommandError(
                "--history-from phải có dạng YYYY-MM. (--history-from must be YYYY-MM.)"
            ) from None
        if Unit.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Dữ liệu demo đã có sẵn (demo data already loaded).")
                self._print_accounts()
                return
            raise CommandError(
                "Cơ sở dữ liệu đã có dữ liệu; demo chỉ nạp vào cơ sở dữ liệu trống. "
                "(The database is not empty.)"
            )
        with transaction.atomic():
            demo = organisation.build(progress_stream=self.stderr._out, history_from=since)
        counts.refresh_counts(today())  # the unit pages read stored figures, as after the nightly
        units, members = (f"{n:,}".replace(",", ".") for n in (demo.units, demo.members))
        self.stdout.write(
            self.style.SUCCESS(f"Đã nạp demo: {units} tổ chức, {members} đảng viên. (Demo loaded.)")
        )
        self._print_accounts()

    def _print_accounts(self) -> None:
        self.stdout.write("Tài khoản demo (demo accounts) — tên đăng nhập / mật khẩu:")
        for username, password, about in organisation.ACCOUNTS:
            self.stdout.write(f"  {username:<14} {password:<24} {about}")
