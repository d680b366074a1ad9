from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class RulebookConfig(AppConfig):
    name = "chibo.rulebook"
    verbose_name = _("Quy định áp dụng")

    def ready(self) -> None:
        # Each app declares its rules in rules.py (dues in meetings/dues/rules.py).
        autodiscover_modules("rules", "dues.rules")
