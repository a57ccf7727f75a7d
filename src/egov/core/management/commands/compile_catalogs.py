"""Compile the message catalogs (.po → .mo) in pure Python: no GNU gettext needed on the machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def compile_all(roots: list[Path]) -> int:
    compiled = 0
    for root in roots:
        for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            compiled += 1
    return compiled


class Command(BaseCommand):
    help = "Compile the platform's .po message catalogs into .mo files (only those that changed)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = compile_all([Path(path) for path in settings.LOCALE_PATHS])
        if options["verbosity"] > 0:
            self.stdout.write(f"{count} catalogs compiled")
