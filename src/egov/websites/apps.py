from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebsitesConfig(AppConfig):
    name = "egov.websites"
    label = "websites"
    verbose_name = _("Government websites")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from egov.core.navigation import NavItem, register
        from egov.websites import jobs, permissions, references, signals  # noqa: F401  (registers them)

        references.install()

        register(NavItem(_("Government websites"), "websites-portal", order=5))
