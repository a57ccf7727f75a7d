"""docs/benchmarks.md holds one ``## <name>`` section per benchmark; each run rewrites its own."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "docs" / "benchmarks.md"


def replace_section(doc: str, heading: str, section: str) -> str:
    """``doc`` with the section under ``heading`` replaced by ``section`` (appended if absent)."""
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    section = section.rstrip("\n") + "\n"
    match = pattern.search(doc)
    if match is None:
        return doc.rstrip("\n") + "\n\n" + section
    after = doc[match.end() :]
    return doc[: match.start()] + section + ("\n" + after if after else "")


def write_section(heading: str, section: str) -> None:
    doc = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n"
    BENCHMARKS.write_text(replace_section(doc, heading, section), encoding="utf-8")
    print(f"updated {BENCHMARKS.relative_to(ROOT)}", file=sys.stderr)


def publish(heading: str, section: str, write: bool) -> int:
    """Print a run's section and, unless told not to (smoke runs), write it; the exit status."""
    print(section)
    if write:
        write_section(heading, section)
    return 0
