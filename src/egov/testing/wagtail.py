"""Wagtail's roots for tests that commit: emptying the database removes what its migrations made."""

from __future__ import annotations

from django.conf import settings
from wagtail.models import Collection, Locale, Page, Site


def ensure_roots() -> Page:
    """The root collection, the root page and a default site, made again where missing."""
    if Collection.get_first_root_node() is None:
        Collection.add_root(instance=Collection(name="Root"))
    root = Page.get_first_root_node()
    if root is None:
        locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    if not Site.objects.exists():
        Site.objects.create(hostname="localhost", root_page=root, is_default_site=True)
    return root
