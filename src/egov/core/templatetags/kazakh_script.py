"""`{{ text|kk_latin }}` and `{{ text|kk_latin:"2018" }}`: a fragment in Kazakh Latin script."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from egov.core import latin
from egov.core.script import to_latin, to_latin_html

register = template.Library()


@register.filter(name="kk_latin", is_safe=True)
def kk_latin(value: object, alphabet: str = "") -> str:
    """Plain text in Latin script; HTML-safe values are converted as HTML (text nodes only)."""
    chosen = alphabet or latin.alphabet()
    if isinstance(value, SafeString):
        return mark_safe(to_latin_html(str(value), chosen))  # noqa: S308 (already safe HTML)
    return to_latin(str(value), chosen)  # autoescaping escapes it like any other text
