from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "chibo.units"
    verbose_name = _("Tổ chức đảng")
