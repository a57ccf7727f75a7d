from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "egov.consent"
    label = "consent"
    verbose_name = _("Consents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from egov.consent import jobs, permissions, signals  # noqa: F401  (registers them)
        from egov.consent.permissions import can_audit, is_citizen
        from egov.core.navigation import NavItem, register

        register(NavItem(_("My data"), "consent:cabinet", 60, is_citizen))
        register(NavItem(_("Consent audit"), "consent:audit", 70, can_audit))
