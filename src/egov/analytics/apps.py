from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "egov.analytics"
    label = "analytics"
    verbose_name = _("Smart Data")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from egov.analytics import checks, jobs, permissions, signals  # noqa: F401  (registers them)
        from egov.core.navigation import NavItem, register

        register(NavItem(_("Data catalog"), "analytics:catalog", order=60))
        register(NavItem(_("Indicators"), "analytics:indicators", order=61))
        register(NavItem(_("Dashboards"), "analytics:dashboards", order=62))
