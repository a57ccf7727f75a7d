"""Top-level routes. The Django admin is deliberately absent: Wagtail's is the one back-office."""

from django.conf import settings
from django.urls import include, path
from wagtail.admin import urls as wagtailadmin_urls

from egov.api import api
from egov.bridge.views import snapshots
from egov.consent import feed as consent_feed
from egov.websites.views import media as websites_media

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("api/bridge/snapshots/latest", snapshots.latest, name="bridge-snapshot-latest"),
    path("api/consent/gateway/check", consent_feed.check, name="consent-gateway-check"),
    path("api/consent/gateway/changes", consent_feed.changes, name="consent-gateway-changes"),
    path("api/", api.urls),
    path("bridge/", include("egov.bridge.urls")),
    path("consent/", include("egov.consent.urls")),
    path("analytics/", include("egov.analytics.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("gov/", include("egov.websites.urls")),
    # Uploaded images (MEDIA_URL); documents go through /gov/documents/ and its privacy checks.
    path("media/<path:name>", websites_media.image, name="websites-media"),
    path("", include("egov.core.urls")),
]

if settings.OIDC_ISSUER:
    urlpatterns.insert(0, path("oidc/", include("mozilla_django_oidc.urls")))

handler400 = "egov.core.views.errors.bad_request"
handler403 = "egov.core.views.errors.forbidden"
handler404 = "egov.core.views.errors.not_found"
handler500 = "egov.core.views.errors.server_error"
