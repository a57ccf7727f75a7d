"""The data tracker as a PDF (fpdf2, pure Python), with a TrueType font that covers Cyrillic.

The font comes from the system (Debian's fonts-dejavu-core) or ``EGOV_PDF_FONT``; nothing is
downloaded. Rows are read page by page, so a long history does not sit in memory as objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from egov.bridge.models import CallRecord
from egov.consent import tracker
from egov.core.exceptions import EgovError

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)
MAX_ROWS = 20_000  # a longer history is better served by the CSV export
WIDTHS = (30, 38, 40, 40, 60, 28, 31)  # millimetres, landscape A4 (267 mm usable)


class PdfUnavailable(EgovError):
    status = 503
    code = "pdf_unavailable"


def font_path() -> Path:
    configured = getattr(settings, "EGOV_PDF_FONT", "")
    for candidate in (configured, *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise PdfUnavailable(_("PDF export needs a Unicode TrueType font; use the CSV export."))


def tracker_pdf(user: Any, records: QuerySet[CallRecord]) -> bytes:
    document = FPDF(orientation="L", unit="mm", format="A4")
    document.set_auto_page_break(auto=True, margin=12)
    regular = font_path()
    bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
    document.add_font("body", "", str(regular))
    document.add_font("body", "B", str(bold if bold.is_file() else regular))
    document.add_page()
    document.set_font("body", size=14)
    document.cell(0, 8, _("Accesses to my data"), new_x="LMARGIN", new_y="NEXT")
    document.set_font("body", size=9)
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    document.cell(
        0,
        6,
        _("%(name)s, identifier %(id)s, generated %(at)s")
        % {
            "name": user.get_full_name() or user.get_username(),
            "id": user.personal_id,
            "at": generated,
        },
        new_x="LMARGIN",
        new_y="NEXT",
    )
    document.ln(2)
    document.set_font("body", size=7)
    with document.table(col_widths=WIDTHS, text_align="LEFT", line_height=3.5) as table:
        heading = table.row()
        for title in tracker.headers():
            heading.cell(title)
        count = 0
        for start in range(0, MAX_ROWS, 1000):
            page = tracker.rows(records[start : start + 1000])
            for access in page:
                row = table.row()
                for value in tracker.cells(access):
                    row.cell(value)
            count += len(page)
            if len(page) < 1000:
                break
    if count >= MAX_ROWS:
        document.ln(2)
        document.cell(0, 5, _("Only the newest %(rows)s accesses are listed.") % {"rows": MAX_ROWS})
    return bytes(document.output())
