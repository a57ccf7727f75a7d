"""Helpers the page views share."""

from __future__ import annotations

from typing import Any

from django import forms

from egov.core.exceptions import EgovError


def add_errors(form: forms.Form, error: EgovError, aliases: dict[str, str] | None = None) -> None:
    """Put a problem's field errors on the form's fields (or on the form as a whole);
    ``aliases`` names the form field of a model field the form calls otherwise."""
    items = error.extra.get("errors") or []
    for item in items:
        field = str(item.get("field", "")).split(".")[0]
        field = (aliases or {}).get(field, field)
        form.add_error(field if field in form.fields else None, str(item.get("message")))
    if not items:
        form.add_error(None, str(error.message))


def problem_lines(details: dict[str, Any]) -> list[int]:
    return [p["line"] for p in details.get("problems", []) if p.get("line")]
