from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "chibo.recruitment"
    verbose_name = _("Phát triển đảng viên")
