from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("Audit events are never updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are never deleted")


class AuditEvent(models.Model):
    """One write done through a service: who did what to which object, and when.

    Written by `audit.services.record` in the same transaction as the write it describes; the
    application never updates or deletes a row. `unit` is the unit that owns the object, so the
    history is scoped like everything else.
    """

    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_text = models.CharField(_("người thực hiện (tên)"), max_length=200, blank=True)
    action = models.CharField(_("thao tác"), max_length=100)
    object_type = models.CharField(_("loại đối tượng"), max_length=100)
    object_id = models.CharField(_("mã đối tượng"), max_length=64)
    object_text = models.CharField(_("đối tượng"), max_length=300)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    changes = models.JSONField(_("thay đổi"), default=dict, encoder=DjangoJSONEncoder)
    request_id = models.CharField(_("mã yêu cầu"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("nhật ký thao tác")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx"),
            models.Index(fields=["unit", "-at"], name="audit_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_text}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are never deleted")
