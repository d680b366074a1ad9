from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.lib.intervals import dates_in_order


class User(AbstractUser):
    """A person who signs in to chibo. What they may see comes from their `RoleAssignment`s."""

    full_name = models.CharField(_("họ và tên"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")

    def __str__(self) -> str:
        return self.full_name or self.get_username()


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị hệ thống")
    STAFF = "staff", _("Cán bộ cấp ủy")
    INSPECTOR = "inspector", _("Kiểm tra viên")
    SECRETARY = "secretary", _("Bí thư chi bộ")
    MEMBER = "member", _("Đảng viên")


class RoleAssignment(models.Model):
    """A role a user holds on one unit over a dated period.

    Administrators, committee staff and inspectors act on the unit and everything below it;
    a cell secretary on their cell and its party groups; a member sees their own cell.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="role_assignments"
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        ordering = ["user", "valid_from"]
        constraints = [
            dates_in_order("role_dates_ordered", _("Ngày kết thúc phải sau ngày bắt đầu.")),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.unit}"

    def is_active_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)


class ApiToken(models.Model):
    """A personal token for the JSON API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(_("mở đầu"), max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
