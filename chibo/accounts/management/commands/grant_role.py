"""Give a user a dated role on a unit, creating the account if asked."""

import secrets
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from chibo.accounts import services
from chibo.accounts.models import Role, User
from chibo.lib.dates import format_date, today
from chibo.units.models import Unit


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Ngày “{text}” phải viết YYYY-MM-DD. (Use YYYY-MM-DD.)") from None


class Command(BaseCommand):
    help = "Grant USERNAME the ROLE on the unit with code UNIT from a date (default today)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("unit", help="unit code, e.g. TH-VANLOC")
        parser.add_argument("--from", dest="valid_from", type=iso_date, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="valid_to", type=iso_date, help="YYYY-MM-DD")
        parser.add_argument("--create", action="store_true", help="create the account too")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--dry-run", action="store_true", help="check, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"].strip().upper()).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {options['unit']}. (No such unit.)")
        start = options["valid_from"] or today()
        password = None
        try:
            with transaction.atomic():
                user = User.objects.filter(username=options["username"]).first()
                if user is None:
                    if not options["create"]:
                        raise CommandError(
                            f"Không có tài khoản {options['username']}; thêm --create để tạo. "
                            "(No such user; add --create.)"
                        )
                    password = secrets.token_urlsafe(12)
                    user = services.create_user(
                        options["username"],
                        actor=None,
                        password=password,
                        full_name=options["full_name"],
                    )
                services.assign_role(
                    user,
                    actor=None,
                    unit=unit,
                    role=options["role"],
                    valid_from=start,
                    valid_to=options["valid_to"],
                )
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        verb = "Sẽ cấp" if options["dry_run"] else "Đã cấp"
        self.stdout.write(
            f"{verb} vai trò {Role(options['role']).label} tại {unit.name} cho {user.username} "
            f"từ {format_date(start)}."
        )
        if password and not options["dry_run"]:
            self.stdout.write(f"Mật khẩu ban đầu (initial password): {password}")
