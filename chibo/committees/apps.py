from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "chibo.committees"
    verbose_name = _("Cấp ủy và phân công phụ trách")
