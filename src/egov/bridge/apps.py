from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BridgeConfig(AppConfig):
    name = "egov.bridge"
    label = "bridge"
    verbose_name = _("Smart Bridge")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from egov.bridge import jobs, permissions, signals  # noqa: F401  (registers them)
        from egov.core.navigation import NavItem, register

        def logged_in(user: object) -> bool:
            return bool(getattr(user, "is_authenticated", False))

        register(NavItem(_("Service catalog"), "bridge:catalog", order=10))
        register(NavItem(_("Access requests"), "bridge:requests", 20, logged_in))
        register(NavItem(_("Grants"), "bridge:grants", 30, logged_in))
        register(NavItem(_("Credentials"), "bridge:systems", 40, logged_in))
        register(NavItem(_("My services"), "bridge:manage", 50, logged_in))
