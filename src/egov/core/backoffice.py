"""Back-office plumbing: role-based permission policies and organization-scoped Wagtail views.

Wagtail checks model-wide permissions; we also need "only within my organizations". A viewset built
on `ScopedModelViewSet` lists, edits, inspects and deletes only the objects its user's roles reach;
anything else is a 404, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.admin.utils import unquote
from django.db.models import Model, Q, QuerySet
from django.forms import modelform_factory
from django.shortcuts import get_object_or_404
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from egov.core import permissions
from egov.core.models import Organization, User


class RolePermissionPolicy(BasePermissionPolicy):  # type: ignore[misc]
    """Answers Wagtail's questions from memberships and roles (see egov.core.permissions)."""

    def __init__(
        self,
        model: type[Model],
        actions: dict[str, str],
        organization_of: Callable[[Any], Organization | None],
        organization_lookup: str,
    ) -> None:
        super().__init__(model)
        self.actions = actions
        self.organization_of = organization_of
        self.organization_lookup = organization_lookup

    def _action(self, name: str) -> str | None:
        return self.actions.get(name)

    def user_has_permission(self, user: Any, action: str) -> bool:
        mapped = self._action(action)
        return mapped is not None and permissions.has_permission(user, mapped)

    def user_has_any_permission(self, user: Any, actions: list[str]) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        mapped = self._action(action)
        if mapped is None:
            return False
        return permissions.has_permission(user, mapped, self.organization_of(instance))

    def instances_user_has_permission_for(self, user: Any, action: str) -> QuerySet[Any]:
        return self.instances_user_has_any_permission_for(user, [action])

    def instances_user_has_any_permission_for(self, user: Any, actions: list[str]) -> QuerySet[Any]:
        queryset: QuerySet[Any] = self.model._default_manager.all()
        condition = Q(pk__in=[])
        for name in actions:
            mapped = self._action(name)
            if mapped is None:
                continue
            org_ids = permissions.organizations_for(user, mapped)
            if org_ids is None:
                return queryset
            condition |= Q(**{f"{self.organization_lookup}__in": org_ids})
        return queryset.filter(condition)

    def users_with_any_permission(self, actions: list[str]) -> QuerySet[User]:
        return User.objects.filter(is_active=True, memberships__isnull=False).distinct()


class _ScopedObjectMixin:
    """Resolve objects only among those the user may act on; others are not found."""

    scope_action = "view"

    def get_queryset(self) -> QuerySet[Any]:
        policy: RolePermissionPolicy = self.permission_policy  # type: ignore[attr-defined]
        user = self.request.user  # type: ignore[attr-defined]
        return policy.instances_user_has_permission_for(user, self.scope_action)


class ScopedIndexView(generic.IndexView):  # type: ignore[misc]
    def get_base_queryset(self) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_base_queryset()
        policy: RolePermissionPolicy = self.permission_policy
        allowed = policy.instances_user_has_permission_for(self.request.user, "view")
        return queryset.filter(pk__in=allowed.values("pk"))


class ScopedEditView(_ScopedObjectMixin, generic.EditView):  # type: ignore[misc]
    scope_action = "change"


class ScopedDeleteView(_ScopedObjectMixin, generic.DeleteView):  # type: ignore[misc]
    scope_action = "delete"


class ScopedInspectView(_ScopedObjectMixin, generic.InspectView):  # type: ignore[misc]
    scope_action = "view"

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Any:
        return get_object_or_404(self.get_queryset(), pk=unquote(str(self.pk)))


class ScopedModelViewSet(ModelViewSet):  # type: ignore[misc]
    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    base_form_class: type = WagtailAdminModelForm

    def get_form_class(self, for_update: bool = False) -> Any:
        # Wagtail's own ModelForm would not receive `for_user`; ours scopes its choices with it.
        return modelform_factory(
            self.model,
            form=self.base_form_class,
            formfield_callback=self.formfield_for_dbfield,
            fields=self.get_form_fields(),
        )
