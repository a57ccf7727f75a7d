"""Errors of the engine layer.

Every deliberate error carries a stable ``code`` (what the Django app maps to an RFC 9457 problem)
and ``details``, a JSON-ready dictionary that says what exactly was wrong (line numbers, column
names, the offending SQL fragment). Messages are plain English; the app translates by ``code``.
"""

from __future__ import annotations

from typing import Any


class AnalyticsError(Exception):
    """Root of the engine layer's deliberate errors."""

    code = "analytics_error"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details: dict[str, Any] = details

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.details}


class SqlRejected(AnalyticsError):
    """User SQL that is not a single read-only SELECT over catalog datasets."""

    code = "sql_rejected"


class UnknownDataset(AnalyticsError):
    """A dataset name that the engine or the warehouse does not know."""

    code = "unknown_dataset"


class LoadRejected(AnalyticsError):
    """A load that was stopped; the previous version stays published."""

    code = "load_rejected"


class SchemaDrift(LoadRejected):
    """The source's columns differ from the published version's: a person must decide."""

    code = "schema_drift"


class QualityGateFailed(LoadRejected):
    """A blocking quality gate failed; the load is quarantined with its report."""

    code = "quality_gate_failed"


class PseudonymKeyError(AnalyticsError):
    """A missing, unknown or too weak pseudonymisation key."""

    code = "pseudonym_key"


class EngineError(AnalyticsError):
    """The engine failed to run a query that passed validation."""

    code = "engine_error"
