"""Website test data: a portal in every content language, bodies' sites, staff who can log in."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.base import ContentFile
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Site

from egov.core.demo import demo_key
from egov.core.models import Membership, Organization, User
from egov.testing.wagtail import ensure_roots
from egov.websites import skeleton
from egov.websites.models import AgencySite, PortalHomePage
from egov.websites.translations import content_languages

PASSWORD = "a-long-test-password"


def make_portal() -> PortalHomePage:
    locales = {
        code: Locale.objects.get_or_create(language_code=code)[0] for code in content_languages()
    }
    source = locales["kk"]
    portal = PortalHomePage.objects.filter(locale=source).first()
    if portal is not None:
        return portal
    portal = PortalHomePage(title="Мемлекеттік органдар", slug="gov", locale=source)
    ensure_roots().add_child(instance=portal)
    skeleton.publish(portal)
    for code, locale in locales.items():
        if locale != source:
            copy = portal.copy_for_translation(locale)
            copy.title = {"ru": "Государственные органы", "en": "State bodies"}.get(
                code, copy.title
            )
            skeleton.publish(copy)
    site = Site.objects.get(is_default_site=True)
    site.root_page = portal
    site.save()
    return portal


def make_site(portal: PortalHomePage, organization: Organization, **fields: Any) -> AgencySite:
    return skeleton.create_site(portal, organization, **fields)  # type: ignore[return-value]


def staff(username: str, role: str, organization: Organization | None, language: str = "") -> User:
    """A user with a role and a confirmed second factor: `log_in` takes them to the back-office."""
    user = User.objects.create_user(username=username, password=PASSWORD)
    Membership.objects.create(user=user, role=role, organization=organization, language=language)
    TOTPDevice.objects.create(user=user, name="test", key=demo_key(username), confirmed=True)
    return user


def png(color: str = "red") -> ContentFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (16, 16), color).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name=f"{color}.png")


def image(title: str, collection: Collection, description: str = "An image") -> Any:
    found = get_image_model()(
        title=title, description=description, collection=collection, file=png()
    )
    found.save()
    return found


def document(title: str, collection: Collection) -> Any:
    found = get_document_model()(
        title=title, collection=collection, file=ContentFile(b"text", name=f"{title}.txt")
    )
    found.save()
    return found
