"""Structured logs: one JSON object per line on stderr (or plain text when asked)."""

from __future__ import annotations

import datetime
import json
import logging
import sys
from typing import Any, Final

from gateway.config import Settings

_STANDARD: Final = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "ts": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                document[key] = value
        if record.exc_info:
            document["exc"] = self.formatException(record.exc_info)
        return json.dumps(document, ensure_ascii=False, default=str)


def configure(settings: Settings) -> None:
    """Send the gateway's loggers to stderr in the configured format (idempotent)."""
    root = logging.getLogger("gateway")
    if getattr(root, "_egov_configured", False):
        return
    handler = logging.StreamHandler(sys.stderr)
    if settings.json_logs:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    root.propagate = False
    logging.getLogger("gateway.access").disabled = not settings.access_log
    root._egov_configured = True  # type: ignore[attr-defined]
