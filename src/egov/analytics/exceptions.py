"""Engine-layer errors as problems: a stable code, a message in the reader's language.

The engine layer speaks plain English and gives structured details (line numbers, columns, the
SQL fragment); here each code gets a translated sentence, and the details ride along unchanged.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from egov.analytics.engines import AnalyticsError
from egov.core.exceptions import EgovError

MESSAGES: dict[str, Any] = {
    "malformed_rows": _("Some rows have the wrong number of fields; see the line numbers."),
    "bad_values": _("Some values do not fit their column's type; see the line numbers."),
    "bad_csv": _("The file is not a readable CSV file."),
    "bad_header": _("The file's header row is missing or has empty or repeated names."),
    "bad_json": _("The file is not valid JSON (an array of objects or one object per line)."),
    "bad_xlsx": _("The file is not a readable Excel workbook."),
    "empty_file": _("The file is empty."),
    "json_too_large": _("A JSON array this large cannot be read at once; use one object per line."),
    "unknown_encoding": _("The file's encoding was not recognised; save it as UTF-8."),
    "unknown_format": _("Upload a CSV, XLSX, Parquet or JSON file."),
    "missing_file": _("The uploaded file is gone; upload it again."),
    "missing_personal_column": _("A column declared as a personal identifier is not in the file."),
    "schema_drift": _(
        "The file's columns differ from the published version: decide whether the schema changes."
    ),
    "quality_gate_failed": _(
        "Blocking quality checks failed; the load is quarantined and the published version stays."
    ),
    "no_key": _("Personal identifiers cannot be pseudonymised: no key is configured."),
    "unknown_key": _("The pseudonymisation key this dataset was loaded with is not configured."),
    "weak_key": _("A pseudonymisation key is too short (at least 32 bytes)."),
    "bad_key_spec": _("The pseudonymisation keys are not configured correctly."),
    "sql_rejected": _("The SQL was refused: only one read-only SELECT over catalog datasets."),
    "unknown_dataset": _("There is no such dataset in the catalog."),
    "bad_dataset_name": _("Use lower-case Latin letters, digits and '_' for a dataset name."),
    "bad_indicator": _("The indicator's definition is not valid."),
    "unknown_dimension": _("The indicator has no such dimension."),
    "frequency_too_fine": _("The indicator cannot be shown more often than it is measured."),
    "bad_gate": _("A quality rule is not valid."),
    "bad_row_rule": _("A row-level rule is not valid."),
    "timeout": _("The query took too long and was stopped."),
    "engine_error": _("The query could not run."),
    "source_failed": _("The source could not be read."),
}

SQL_REASONS: dict[str, Any] = {
    "syntax": _("The SQL could not be parsed."),
    "empty": _("The SQL is empty."),
    "too_long": _("The SQL is too long."),
    "too_deep": _("The SQL is nested too deeply."),
    "multiple_statements": _("Only one statement is allowed."),
    "not_select": _(
        "Only SELECT is allowed: the statement would change or reach outside the data."
    ),
    "not_read_only": _("The query is not read-only."),
    "recursive": _("Recursive queries are not allowed."),
    "function_reads_outside": _("The query calls a function that reads outside the catalog."),
    "function_not_allowed": _("The query calls a function that is not allowed."),
    "unknown_function": _("The query calls an unknown function."),
    "table_function": _("Table functions are not allowed in FROM."),
    "qualified_name": _("Name datasets without a schema or a database."),
    "unknown_dataset": _("The query reads a table that is not a dataset you may read."),
}

STATUS = {"unknown_dataset": 404, "timeout": 504}


def message_for(error: AnalyticsError) -> Any:
    if error.code == "sql_rejected":
        return SQL_REASONS.get(str(error.details.get("reason")), MESSAGES["sql_rejected"])
    return MESSAGES.get(error.code, _("The request could not be processed."))


class AnalyticsProblem(EgovError):
    """An engine-layer error on its way to a person (problem+json, a form, a load's page)."""

    status = 422

    def __init__(self, error: AnalyticsError) -> None:
        details = {k: v for k, v in error.details.items() if k not in {"report"}}
        super().__init__(message_for(error), code=error.code, **details)
        self.status = STATUS.get(error.code, 422)
        self.error = error
