from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from egov.core import latin, navigation


def platform(request: HttpRequest) -> dict[str, Any]:
    """What every page's header and footer need: the country's branding and languages."""
    profile = settings.COUNTRY
    language = (get_language() or profile.default_language).split("-")[0]
    return {
        "platform_name": profile.branding.platform_name.get(
            language, profile.branding.platform_name.get(profile.default_language, "")
        ),
        "brand": profile.branding,
        "country": profile,
        "languages": settings.LANGUAGES,
        "oidc_enabled": bool(settings.OIDC_ISSUER),
        "navigation": navigation.items_for(getattr(request, "user", None)),
        "unread_notifications": _unread(request),
        "cyrillic_path": latin.cyrillic_url(request.path),
        "latin_path": latin.latin_url(latin.cyrillic_url(request.path)),
        "kk_latin": latin.is_latin_request(request),
    }


def _unread(request: HttpRequest) -> int:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return int(user.notifications.filter(read_at__isnull=True).count())
