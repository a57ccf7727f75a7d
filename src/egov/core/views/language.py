"""The language switcher: a GET form, so that pages showing it carry no per-reader token.

Django's own `set_language` takes a POST with a CSRF token, which would make every page that shows
the switcher differ per reader. An unknown language is ignored; a foreign `next` leads home.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.views.decorators.http import require_GET

from egov.core import latin
from egov.core.preferences import redirect_back, remember


@require_GET
def choose(request: HttpRequest) -> HttpResponseRedirect:
    response = redirect_back(request)
    language = request.GET.get("language", "")
    if language in dict(settings.LANGUAGES):
        remember(response, settings.LANGUAGE_COOKIE_NAME, language)
        if language != "kk":  # leaving Kazakh leaves its Latin script too
            response["Location"] = latin.cyrillic_url(response["Location"])
    return response
