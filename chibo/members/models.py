from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chibo.lib.intervals import dates_in_order


class Sex(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class Member(models.Model):
    """A party member: the person and, where they have one, their account in chibo."""

    full_name = models.CharField(_("họ và tên"), max_length=120)
    search_name = models.CharField(max_length=120, editable=False, db_index=True)
    sort_name = models.CharField(max_length=120, editable=False, db_index=True)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )

    class Meta:
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        ordering = ["sort_name", "id"]

    def __str__(self) -> str:
        return self.full_name


class Membership(models.Model):
    """The unit a member belongs to (sinh hoạt chính thức) over one dated interval.

    A member belongs to exactly one unit on any day; the intervals of one member never overlap.
    "Who belonged to this cell on 31/12/2021" is one query on this table.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="memberships")
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    basis = models.CharField(_("căn cứ"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("nơi sinh hoạt")
        verbose_name_plural = _("nơi sinh hoạt")
        ordering = ["member", "valid_from"]
        indexes = [models.Index(fields=["unit", "valid_from"], name="membership_unit_idx")]
        constraints = [
            dates_in_order("membership_dates_ordered", _("Ngày kết thúc phải sau ngày bắt đầu.")),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(valid_to__isnull=True),
                name="membership_one_open",
                violation_error_message=_("Đảng viên chỉ sinh hoạt chính thức ở một nơi."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.unit}"
