from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "egov.core"
    label = "core"
    verbose_name = _("Core registry")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from egov.core import checks, signals  # noqa: F401  (registers checks and audit hooks)
