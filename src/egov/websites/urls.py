"""Public routes of the government websites, mounted under /gov/ (pages are Wagtail's to serve)."""

from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.images.views.serve import ServeView

from egov.websites import cache
from egov.websites.views import public

urlpatterns = [
    path("display/", public.display, name="websites-display"),
    path("sitemap.xml", public.sitemap, name="websites-sitemap"),
    path("documents/", include(wagtaildocs_urls)),
    re_path(
        r"^images/([^/]*)/(\d*)/([^/]*)/[^/]*$",
        ServeView.as_view(action="serve"),
        name="wagtailimages_serve",
    ),
    path("", cache.serve, {"path": ""}, name="websites-portal"),
    # Wagtail's own serving pattern, behind the page cache; its other routes follow.
    re_path(r"^((?:[\w\-]+/)*)$", cache.serve, name="wagtail_serve"),
    path("", include(wagtail_urls)),
]
