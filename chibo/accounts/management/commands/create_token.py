"""Create a personal API token for a user from the command line (e.g. for a script or CI)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chibo.accounts import services
from chibo.accounts.models import User


class Command(BaseCommand):
    help = (
        "Tạo mã truy cập API cho một tài khoản. Mã chỉ in ra một lần, trên stdout; dòng tóm tắt "
        "in ra stderr. (Create an API token; the token alone goes to stdout, shown once.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="Tên đăng nhập (user name).")
        parser.add_argument("--name", default="", help="Tên mã, để nhớ dùng vào việc gì.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the user, create nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản '{username}'. (No such user.)")
        if not user.is_active:
            # The API refuses tokens of inactive users, so a token would never work.
            raise CommandError(f"Tài khoản '{username}' đã bị khóa. (The user is inactive.)")
        if options["dry_run"]:
            self.stderr.write(f"Sẽ tạo mã cho {username}; chưa tạo gì. (Dry run: nothing created.)")
            return
        token, raw = services.create_token(user, actor=None, name=options["name"])
        # The token alone on stdout, so that `TOKEN=$(manage.py create_token …)` captures it.
        self.stdout.write(raw)
        self.stderr.write(
            self.style.SUCCESS(
                f"Đã tạo mã '{token.name}' ({token.prefix}…) cho {username}; mã chỉ hiện một lần. "
                "(Token created, shown once.)"
            )
        )
