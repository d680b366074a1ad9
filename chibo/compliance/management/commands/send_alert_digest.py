"""E-mail each person responsible for unresolved alerts the list of them: the daily digest."""

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chibo.compliance import services


class Command(BaseCommand):
    help = "Send the daily e-mail digest of unresolved alerts to the people responsible."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default=os.environ.get("CHIBO_BASE_URL", "http://localhost:8000"),
            help="the site's address for the links (default: $CHIBO_BASE_URL)",
        )
        parser.add_argument("--dry-run", action="store_true", help="count, send nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = services.send_digests(
                actor=None, base_url=options["base_url"], dry_run=options["dry_run"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        verb = "Sẽ gửi" if options["dry_run"] else "Đã gửi"
        self.stdout.write(
            f"{verb} thư tổng hợp cho {done.recipients} người, {done.alerts} cảnh báo."
        )
