"""Bring every language's .po file up to date with the strings in the code and templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from egov.core.catalogs import TRANSLATED_LANGUAGES, catalog_path, source_messages, update_catalog


class Command(BaseCommand):
    help = (
        "Add new translatable strings to the kk, ru and tg catalogs; mark vanished ones obsolete."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        messages = source_messages(settings.SRC_DIR)
        locale_dir = Path(settings.LOCALE_PATHS[0])
        for language in TRANSLATED_LANGUAGES:
            added, obsoleted = update_catalog(
                catalog_path(locale_dir, language), language, messages
            )
            self.stdout.write(f"{language}: {added} new, {obsoleted} obsolete")
