from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "chibo.quality"
    verbose_name = _("Chất lượng sinh hoạt chi bộ")
