"""The registry in the back-office: organizations, information systems, memberships, audit log."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from egov.core.backoffice import RolePermissionPolicy, ScopedModelViewSet
from egov.core.forms import InformationSystemForm, MembershipForm, OrganizationForm
from egov.core.models import AuditRecord, InformationSystem, Membership, Organization
from egov.core.models.translated import translated_names
from egov.core.permissions import Action

register_permission_policy(
    Organization,
    RolePermissionPolicy(
        Organization,
        {
            "view": Action.VIEW_ORGANIZATION,
            "add": Action.ADD_ORGANIZATION,
            "change": Action.CHANGE_ORGANIZATION,
            "delete": Action.DELETE_ORGANIZATION,
        },
        organization_of=lambda organization: organization,
        organization_lookup="pk",
    ),
)
register_permission_policy(
    InformationSystem,
    RolePermissionPolicy(
        InformationSystem,
        {
            "view": Action.VIEW_SYSTEM,
            "add": Action.ADD_SYSTEM,
            "change": Action.CHANGE_SYSTEM,
            "delete": Action.DELETE_SYSTEM,
        },
        organization_of=lambda system: system.organization,
        organization_lookup="organization_id",
    ),
)
register_permission_policy(
    Membership,
    RolePermissionPolicy(
        Membership,
        {
            "view": Action.VIEW_MEMBERSHIP,
            "add": Action.MANAGE_MEMBERSHIP,
            "change": Action.MANAGE_MEMBERSHIP,
            "delete": Action.MANAGE_MEMBERSHIP,
        },
        organization_of=lambda membership: membership.organization,
        organization_lookup="organization_id",
    ),
)
register_permission_policy(
    AuditRecord,
    RolePermissionPolicy(
        AuditRecord,
        {"view": Action.VIEW_AUDIT},
        organization_of=lambda record: None,
        organization_lookup="pk",
    ),
)


class OrganizationViewSet(ScopedModelViewSet):
    model = Organization
    icon = "site"
    menu_label = _("Organizations")
    form_fields = [
        "code",
        "kind",
        "parent",
        *translated_names("name"),
        *translated_names("short_name"),
        *translated_names("description"),
        "identifier",
        "member_class",
        "member_code",
        "region",
        "status",
        "website",
        "email",
        "phone",
    ]
    list_display = ["code", "name", "kind", "identifier", "xroad_address", "status"]
    list_filter = ["kind", "status", "member_class", "region"]
    search_fields = ["code", "identifier", *translated_names("name")]

    base_form_class = OrganizationForm


class InformationSystemViewSet(ScopedModelViewSet):
    model = InformationSystem
    icon = "cogs"
    menu_label = _("Information systems")
    form_fields = [
        "organization",
        "subsystem_code",
        *translated_names("name"),
        *translated_names("description"),
        "status",
    ]
    list_display = ["subsystem_code", "name", "organization", "xroad_address", "status"]
    list_filter = ["status", "organization"]
    search_fields = ["subsystem_code", *translated_names("name")]

    base_form_class = InformationSystemForm


class MembershipViewSet(ScopedModelViewSet):
    model = Membership
    icon = "group"
    menu_label = _("Memberships")
    form_fields = ["user", "organization", "role", "language"]
    list_display = ["user", "organization", "role", "language", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__personal_id"]

    base_form_class = MembershipForm


class AuditRecordViewSet(ModelViewSet):  # type: ignore[misc]
    """Read-only: the log is append-only, so no add, edit or delete views exist."""

    model = AuditRecord
    icon = "history"
    menu_label = _("Audit log")
    inspect_view_enabled = True
    form_fields: list[str] = []  # no add or edit view is routed
    list_display = ["seq", "at", "actor_name", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_repr", "object_id"]

    def get_urlpatterns(self) -> list[Any]:
        allowed = {"index", "index_results", "inspect"}
        return [pattern for pattern in super().get_urlpatterns() if pattern.name in allowed]


class RegistryGroup(ViewSetGroup):  # type: ignore[misc]
    menu_label = _("Registry")
    menu_icon = "folder-open-inverse"
    menu_order = 100
    items = (OrganizationViewSet, InformationSystemViewSet, MembershipViewSet, AuditRecordViewSet)


@hooks.register("register_admin_viewset")  # type: ignore[untyped-decorator]
def register_registry() -> ViewSetGroup:
    return RegistryGroup()
