"""Every environment variable the code reads is documented and listed in .env.example."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
READS = re.compile(
    r"""(?:env|env_bool|env_list)\("([A-Z_]+)"|(?:required|environ\.get)\("((?:EGOV_)?[A-Z_]+)\""""
)


def _variables_read() -> set[str]:
    found = set()
    for path in (ROOT / "src").rglob("*.py"):
        if "tests" in path.parts or "testing" in path.parts:
            continue
        for prefixed, plain in READS.findall(path.read_text(encoding="utf-8")):
            found.add(f"EGOV_{prefixed}" if prefixed else plain)
    return found


def test_every_variable_is_documented() -> None:
    variables = _variables_read()
    assert "EGOV_COUNTRY" in variables
    documentation = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert sorted(v for v in variables if f"`{v}`" not in documentation) == []
    assert sorted(v for v in variables if f"{v}=" not in example) == []
