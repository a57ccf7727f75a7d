"""Smart Data in the back-office: data sources (where scheduled loads come from)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from egov.analytics.models import Source
from egov.analytics.permissions import AnalyticsAction
from egov.core.backoffice import RolePermissionPolicy, ScopedModelViewSet
from egov.core.forms import ScopedOrganizationFieldForm

register_permission_policy(
    Source,
    RolePermissionPolicy(
        Source,
        {
            "view": AnalyticsAction.MANAGE_DATASET,
            "add": AnalyticsAction.MANAGE_DATASET,
            "change": AnalyticsAction.MANAGE_DATASET,
            "delete": AnalyticsAction.MANAGE_DATASET,
        },
        organization_of=lambda source: source.organization,
        organization_lookup="organization_id",
    ),
)


class SourceForm(ScopedOrganizationFieldForm):
    scope_action = AnalyticsAction.MANAGE_DATASET  # type: ignore[assignment]  # any app's action


class SourceViewSet(ScopedModelViewSet):
    model = Source
    icon = "download"
    menu_label = _("Data sources")
    menu_order = 300
    add_to_admin_menu = True
    form_fields = ["organization", "name", "kind", "config", "schedule_minutes"]
    list_display = ["name", "kind", "organization", "schedule_minutes", "last_run_at"]
    list_filter = ["kind", "organization"]
    search_fields = ["name"]

    base_form_class = SourceForm


@hooks.register("register_admin_viewset")  # type: ignore[untyped-decorator]
def register_sources() -> ModelViewSet:
    return SourceViewSet("analytics_sources")
