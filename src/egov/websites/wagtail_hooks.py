"""The websites in the back-office: appeals, change requests, compliance, translations."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.models import Page
from wagtail.permissions import register_permission_policy

from egov.core import permissions
from egov.core.backoffice import RolePermissionPolicy, ScopedModelViewSet
from egov.core.forms import ScopedOrganizationFieldForm
from egov.websites import appeals, skeleton
from egov.websites.choices import AppealStatus
from egov.websites.models import AgencySite, Appeal, ChangeRequest
from egov.websites.permissions import WebsiteAction
from egov.websites.views import backoffice

register_permission_policy(
    Appeal,
    RolePermissionPolicy(
        Appeal,
        {"view": WebsiteAction.VIEW_APPEALS, "change": WebsiteAction.ANSWER_APPEAL},
        organization_of=lambda appeal: appeal.organization,
        organization_lookup="organization_id",
    ),
)
register_permission_policy(
    ChangeRequest,
    RolePermissionPolicy(
        ChangeRequest,
        {
            "view": WebsiteAction.MANAGE_CHANGE_REQUESTS,
            "add": WebsiteAction.MANAGE_CHANGE_REQUESTS,
            "change": WebsiteAction.MANAGE_CHANGE_REQUESTS,
            "delete": WebsiteAction.MANAGE_CHANGE_REQUESTS,
        },
        organization_of=lambda request: request.organization,
        organization_lookup="organization_id",
    ),
)


class AppealAnswerForm(WagtailAdminModelForm):  # type: ignore[misc]
    """The citizen's words stay as sent; the agency writes the answer and decides publication."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("subject", "question"):
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].required = False

    def save(self, commit: bool = True) -> Appeal:
        appeal: Appeal = super().save(commit=False)
        if appeal.answer and appeal.status == AppealStatus.RECEIVED:
            appeal.status = AppealStatus.ANSWERED
        if appeal.status == AppealStatus.ANSWERED and "answer" in self.changed_data:
            return appeals.answer(appeal, self.for_user, appeal.answer, appeal.published)
        appeal.published = appeal.published and appeal.may_publish
        appeal.save()
        return appeal


class AppealViewSet(ScopedModelViewSet):
    model = Appeal
    icon = "mail"
    menu_label = _("Appeals")
    form_fields = ["subject", "question", "answer", "status", "published"]
    list_display = ["number", "subject", "organization", "status", "submitted_at"]
    list_filter = ["status", "organization"]
    search_fields = ["number", "subject", "question"]
    base_form_class = AppealAnswerForm


class ChangeRequestForm(ScopedOrganizationFieldForm):
    scope_action = WebsiteAction.MANAGE_CHANGE_REQUESTS  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields.get("page")
        if field is not None:
            allowed = permissions.organizations_for(
                self.for_user, WebsiteAction.MANAGE_CHANGE_REQUESTS
            )
            sites = AgencySite.objects.all()
            if allowed is not None:
                sites = sites.filter(organization_id__in=allowed)
            sections = Page.objects.none()
            for site in sites:
                sections = sections | Page.objects.child_of(site)
            field.queryset = sections

    def clean(self) -> dict[str, Any]:
        from django.core.exceptions import ValidationError

        data: dict[str, Any] = super().clean()
        page, organization = data.get("page"), data.get("organization")
        if page and organization:
            site = AgencySite.objects.ancestor_of(page).first()
            if site is None or site.organization_id != organization.pk:
                raise ValidationError({"page": _("Choose a section of this body's website.")})
        return data


class ChangeRequestViewSet(ScopedModelViewSet):
    model = ChangeRequest
    icon = "date"
    menu_label = _("Change requests")
    form_fields = ["organization", "page", "summary", "received_on"]
    list_display = ["summary", "organization", "page", "received_on", "due_on", "resolved_at"]
    list_filter = ["organization"]
    search_fields = ["summary"]
    base_form_class = ChangeRequestForm


class ReportMenuItem(MenuItem):  # type: ignore[misc]
    def is_shown(self, request: HttpRequest) -> bool:
        return permissions.has_permission(request.user, WebsiteAction.VIEW_COMPLIANCE)


class ComplianceViewSet(ViewSet):  # type: ignore[misc]
    name = "websites_compliance"
    icon = "tasks"
    menu_label = _("Compliance")

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", backoffice.dashboard, name="index"),
            path("<str:code>/", backoffice.detail, name="detail"),
            path("<str:code>/translations/", backoffice.translation_matrix, name="translations"),
        ]

    def get_menu_item(self, order: int | None = None) -> MenuItem:
        return ReportMenuItem(
            self.menu_label,
            self.menu_url,
            name=self.name,
            icon_name=self.menu_icon,
            order=order or 100,
        )


class WebsitesGroup(ViewSetGroup):  # type: ignore[misc]
    menu_label = _("Websites")
    menu_icon = "site"
    menu_order = 150
    items = (ComplianceViewSet, AppealViewSet, ChangeRequestViewSet)


@hooks.register("register_admin_viewset")  # type: ignore[untyped-decorator]
def register_websites() -> ViewSetGroup:
    return WebsitesGroup()


@hooks.register("after_create_page")  # type: ignore[untyped-decorator]
def give_new_sites_their_sections(request: HttpRequest, page: Page) -> None:
    """A body's new site gets the standard sections at once (drafts until the site is live)."""
    specific = page.specific
    if isinstance(specific, AgencySite) and specific.alias_of_id is None:
        for section in skeleton.add_sections(specific, live=specific.live):
            skeleton.mirror(section)
