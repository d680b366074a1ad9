from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "chibo.compliance"
    verbose_name = _("Theo dõi chấp hành quy định")

    def ready(self) -> None:
        # The obligations register their rules and switches in the rulebook.
        from django.apps import apps

        from chibo.compliance import obligations  # noqa: F401

        if apps.is_installed("chibo.recruitment"):
            from chibo.compliance import recruitment  # noqa: F401
