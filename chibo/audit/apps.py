from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "chibo.audit"
    verbose_name = _("Nhật ký thao tác")
