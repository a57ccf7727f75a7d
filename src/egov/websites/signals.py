"""Keeping things in step: roles → groups, new sites → fenced, publishing → change requests."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from wagtail.signals import page_published, page_unpublished, post_page_move

from egov.core.models import Membership
from egov.core.signals import audited
from egov.websites import cache
from egov.websites.models import AgencySite, Appeal, ChangeRequest

audited(Appeal)
audited(ChangeRequest)


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def _membership_changed(sender: Any, instance: Membership, **kwargs: Any) -> None:
    from egov.core.models import User
    from egov.websites import access

    if kwargs.get("raw"):
        return
    user = User.objects.filter(pk=instance.user_id).first()
    if user is not None:
        access.sync_user(user)


@receiver(post_save, sender=AgencySite)
def _site_created(sender: Any, instance: AgencySite, created: bool, **kwargs: Any) -> None:
    from egov.websites import access

    if created and not kwargs.get("raw"):
        access.secure_site(instance)


@receiver(page_published)
def _resolve_change_requests(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Publishing a section, or anything in it, settles the change requests recorded for it."""
    ancestors = instance.get_ancestors(inclusive=True).values_list("pk", flat=True)
    ChangeRequest.objects.filter(
        resolved_at__isnull=True, page_id__in=list(ancestors), received_on__lte=timezone.localdate()
    ).update(resolved_at=timezone.now())


# Anything a reader could see changed: the cached pages are out of date.
page_published.connect(cache.invalidate, dispatch_uid="websites-cache-published")
page_unpublished.connect(cache.invalidate, dispatch_uid="websites-cache-unpublished")
post_page_move.connect(cache.invalidate, dispatch_uid="websites-cache-moved")
post_save.connect(cache.invalidate, sender=Appeal, dispatch_uid="websites-cache-appeal")
post_save.connect(cache.invalidate, sender=AgencySite, dispatch_uid="websites-cache-site")
