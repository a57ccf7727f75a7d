"""Audit hooks: every change to an audited model and every log-in event lands in the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from egov.core import audit
from egov.core.choices import AuditAction
from egov.core.models import InformationSystem, Membership, Organization, User

_AUDITED: set[type[models.Model]] = set()


def audited(model: type[models.Model]) -> type[models.Model]:
    """Record every create, update and delete of `model` (other apps call this for theirs)."""
    _AUDITED.add(model)
    return model


for _model in (Organization, InformationSystem, User, Membership):
    audited(_model)


def _is_audited(sender: Any) -> bool:
    return sender in _AUDITED


@receiver(pre_save)
def _remember_before(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if not _is_audited(sender) or kwargs.get("raw"):
        return
    previous = sender._default_manager.filter(pk=instance.pk).first() if instance.pk else None
    instance._audit_before = audit.snapshot(previous) if previous else None  # type: ignore[attr-defined]


@receiver(post_save)
def _record_save(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    if not _is_audited(sender) or kwargs.get("raw"):
        return
    after = audit.snapshot(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        audit.record(AuditAction.CREATE, obj=instance, after=after)
        return
    old, new = audit.changed(before, after)
    if new:  # a save that changed nothing is not a decision
        audit.record(AuditAction.UPDATE, obj=instance, before=old, after=new)


@receiver(post_delete)
def _record_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if _is_audited(sender):
        audit.record(AuditAction.DELETE, obj=instance, before=audit.snapshot(instance))


def _actor_for(request: HttpRequest | None, user: User | None, name: str = "") -> audit.Actor:
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    if user is not None:
        return audit.Actor(user.pk, user.get_username(), ip)
    return audit.Actor(None, name, ip)


@receiver(user_logged_in)
def _record_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit.record(AuditAction.LOGIN, obj=user, actor=_actor_for(request, user))


@receiver(user_logged_out)
def _record_logout(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is not None:
        audit.record(AuditAction.LOGOUT, obj=user, actor=_actor_for(request, user))


@receiver(user_login_failed)
def _record_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Only the name that was tried; Django has already masked the password.
    username = str(credentials.get("username", ""))[:150]
    audit.record(
        AuditAction.LOGIN_FAILED,
        object_type="core.user",
        object_repr=username,
        actor=_actor_for(request, None, username),
    )
