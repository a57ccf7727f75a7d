"""Create or refresh the `egov` text search configuration (after adding the Kazakh dictionary)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from egov.websites import search_config


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write("Not PostgreSQL: the embedded search needs no configuration.")
            return
        kazakh = search_config.install(connection)
        self.stdout.write(
            "egov: Kazakh words through the Hunspell dictionary, then Russian stemming."
            if kazakh
            else "egov: Russian stemming only (the Kazakh dictionary files are not installed: "
            "docs/deploy/postgresql-kazakh.sh)."
        )
        self.stdout.write("Run `manage.py update_index` so the index uses it.")
