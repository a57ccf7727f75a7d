"""Agency isolation in the back-office, built from Wagtail's own permission machinery.

For each organization with a website there is an `AgencyWorkspace`: an editors group and a
moderators group, a collection for its images and documents, and a workflow (editor drafts →
moderator approves → published). The groups hold page permissions on the agency's site root in
every language, and collection permissions on the agency's collection, so Wagtail's explorer,
listings and choosers show each editor only their agency. Group membership follows the core
registry's roles (`websites.edit_pages`, `websites.moderate_pages`, which reach subordinate
bodies too): `sync_user` runs whenever a membership changes, `sync_all` hourly as a safety net.

A translator (the `translator` role, with the membership's language) joins the agency's
translators group of that language, which may edit the site's page tree in that language only
(each language has a tree of its own) and choose the agency's images and documents; their changes
go to the agency's moderators like any editor's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from egov.core import permissions
from egov.core.choices import Role
from egov.core.models import Organization, User
from egov.websites.permissions import WebsiteAction

EDITOR_PAGE_PERMISSIONS = ("add", "change", "lock")
MODERATOR_PAGE_PERMISSIONS = ("add", "change", "publish", "lock", "unlock", "bulk_delete")
OPERATOR_PAGE_PERMISSIONS = MODERATOR_PAGE_PERMISSIONS
EDITOR_MEDIA_PERMISSIONS = ("add", "change", "choose")
MODERATOR_MEDIA_PERMISSIONS = ("add", "change", "delete", "choose")
MEDIA_APPS = (("wagtailimages", "image"), ("wagtaildocs", "document"))
OPERATORS_GROUP = "Websites · operators"
TRANSLATORS_GROUP = "{code} · website translators · {language}"
TRANSLATOR_MEDIA_PERMISSIONS = ("choose",)
TRANSLATE = ("simple_translation", "submit_translation")


def _page_permission(action: str) -> Permission:
    return Permission.objects.get(
        content_type=ContentType.objects.get_for_model(Page), codename=f"{action}_page"
    )


def _media_permissions(actions: tuple[str, ...]) -> list[Permission]:
    return [
        Permission.objects.get(content_type__app_label=app, codename=f"{action}_{model}")
        for app, model in MEDIA_APPS
        for action in actions
    ]


def _grant_pages(group: Group, page: Page, actions: tuple[str, ...]) -> None:
    for action in actions:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=_page_permission(action)
        )


def _grant_collection(group: Group, collection: Collection, actions: tuple[str, ...]) -> None:
    for permission in _media_permissions(actions):
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=permission
        )


def _translate_permission() -> Permission:
    app, codename = TRANSLATE
    return Permission.objects.get(content_type__app_label=app, codename=codename)


@transaction.atomic
def workspace_for(organization: Organization) -> Any:
    """The organization's workspace, created with its groups, collection and workflow if new."""
    from egov.websites.models import AgencyWorkspace

    found = AgencyWorkspace.objects.filter(organization=organization).first()
    if found is not None:
        return found
    code = organization.code
    editors, _ = Group.objects.get_or_create(name=f"{code} · website editors")
    moderators, _ = Group.objects.get_or_create(name=f"{code} · website moderators")
    for group in (editors, moderators):
        group.permissions.add(_translate_permission())
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=code).first() or root.add_child(
        instance=Collection(name=code)
    )
    _grant_collection(editors, collection, EDITOR_MEDIA_PERMISSIONS)
    _grant_collection(moderators, collection, MODERATOR_MEDIA_PERMISSIONS)
    task, _ = GroupApprovalTask.objects.get_or_create(name=f"{code}: moderator approval")
    task.groups.add(moderators)
    workflow, _ = Workflow.objects.get_or_create(name=f"{code}: editor → moderator → published")
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    return AgencyWorkspace.objects.create(
        organization=organization,
        editors=editors,
        moderators=moderators,
        collection=collection,
        workflow=workflow,
    )


def operators_group() -> Group:
    group, created = Group.objects.get_or_create(name=OPERATORS_GROUP)
    if created:
        group.permissions.add(_translate_permission())
        # An empty database (no page tree yet) has nothing to grant on; the repair job will.
        root_page, root_collection = Page.get_first_root_node(), Collection.get_first_root_node()
        if root_page is not None:
            _grant_pages(group, root_page, OPERATOR_PAGE_PERMISSIONS)
        if root_collection is not None:
            _grant_collection(group, root_collection, MODERATOR_MEDIA_PERMISSIONS)
    return group


def translators_group(workspace: Any, language: str) -> Group:
    """The agency's translators into `language`, created with their rights if new."""
    name = TRANSLATORS_GROUP.format(code=workspace.organization.code, language=language)
    group, created = Group.objects.get_or_create(name=name)
    if created:
        group.permissions.add(_translate_permission())
        _grant_collection(group, workspace.collection, TRANSLATOR_MEDIA_PERMISSIONS)
    return group


@transaction.atomic
def secure_site(site: Page) -> None:
    """Fence an agency site, in every language it exists in, and bring its people in."""
    from egov.websites.models import AgencySite

    assert isinstance(site, AgencySite)
    workspace = workspace_for(site.organization)
    for page in site.get_translations(inclusive=True).select_related("locale"):
        _grant_pages(workspace.editors, page, EDITOR_PAGE_PERMISSIONS)
        _grant_pages(workspace.moderators, page, MODERATOR_PAGE_PERMISSIONS)
        translators = translators_group(workspace, page.locale.language_code)
        _grant_pages(translators, page, EDITOR_PAGE_PERMISSIONS)
        WorkflowPage.objects.get_or_create(page=page, defaults={"workflow": workspace.workflow})
    for user in _people_reaching(site.organization):
        sync_user(user)


def _people_reaching(organization: Organization) -> list[User]:
    lineage = organization.lineage_ids(include_self=True)
    return list(User.objects.filter(memberships__organization_id__in=lineage).distinct())


def managed_groups() -> set[int]:
    from egov.websites.models import AgencyWorkspace

    ids: set[int] = set()
    for editors, moderators in AgencyWorkspace.objects.values_list("editors", "moderators"):
        ids.update((editors, moderators))
    ids.update(Group.objects.filter(name=OPERATORS_GROUP).values_list("pk", flat=True))
    translators = TRANSLATORS_GROUP.format(code="", language="")
    ids.update(Group.objects.filter(name__contains=translators).values_list("pk", flat=True))
    return ids


def wanted_groups(user: User) -> set[int]:
    """The website groups the user's roles call for."""
    from egov.websites.models import AgencyWorkspace

    if not user.is_active:
        return set()
    user._egov_memberships = None  # type: ignore[attr-defined]  # read the roles afresh
    if permissions.is_operator(user):
        return {operators_group().pk}
    wanted: set[int] = set()
    editing = permissions.organizations_for(user, WebsiteAction.EDIT_PAGES) or []
    moderating = permissions.organizations_for(user, WebsiteAction.MODERATE_PAGES) or []
    for workspace in AgencyWorkspace.objects.filter(organization_id__in=editing):
        wanted.add(workspace.editors_id)
    for workspace in AgencyWorkspace.objects.filter(organization_id__in=moderating):
        wanted.add(workspace.moderators_id)
    translating = user.memberships.filter(role=Role.TRANSLATOR).values_list(
        "organization_id", "language"
    )
    for organization_id, language in translating:
        for workspace in AgencyWorkspace.objects.filter(organization_id=organization_id):
            wanted.add(translators_group(workspace, language).pk)
    return wanted


def sync_user(user: User) -> None:
    wanted = wanted_groups(user)
    managed = managed_groups()
    current = set(user.groups.filter(pk__in=managed).values_list("pk", flat=True))
    if wanted - current:
        user.groups.add(*(wanted - current))
    if current - wanted:
        user.groups.remove(*(current - wanted))


def sync_all() -> int:
    from egov.websites.models import AgencySite

    for site in AgencySite.objects.all():
        secure_site(site)
    users = User.objects.filter(memberships__isnull=False).distinct()
    for user in users:
        sync_user(user)
    return users.count()
