"""The ASGI application: Django, behind the website page cache (egov.websites.cache)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings.dev")
django_application = get_asgi_application()

from egov.websites.cache import PageCache  # noqa: E402  (needs Django set up)

application = PageCache(django_application)
