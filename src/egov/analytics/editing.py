"""Page forms that describe a dataset and define an indicator.

They only gather what people type; saving goes through the same functions as the API and the YAML
import (``catalog.update_dataset``, ``documents.apply_indicator``), so the checks — the SQL guard
among them — and their per-field messages are the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from egov.analytics import definitions
from egov.analytics.choices import Aggregation, ColumnClass, Frequency, TargetSeries, Visibility
from egov.analytics.models import Column, Dataset, Indicator
from egov.analytics.permissions import AnalyticsAction
from egov.core.models import Organization
from egov.core.models.translated import LANGUAGES
from egov.core.permissions import organizations_for

# The dimensions an indicator may map (``engines.Dimension``), with their field labels.
DIMENSIONS = {
    "period": _("Period column"),
    "region": _("Region column"),
    "organization": _("Organization column"),
    "category": _("Category column"),
}
# Model fields the indicator form shows under another name.
FIELD_NAMES = {"value_column": "value", "dimensions": "dimension_period", "expression": "sql"}


def _per_language(
    form: forms.Form, base: str, label: Any, textarea: bool = False, max_length: int = 300
) -> None:
    for code in LANGUAGES:
        form.fields[f"{base}_{code}"] = forms.CharField(
            label=f"{label} ({code})",
            required=False,
            max_length=None if textarea else max_length,
            widget=forms.Textarea(attrs={"rows": 3}) if textarea else None,
        )


def _texts(obj: Any, base: str) -> dict[str, str]:
    return {f"{base}_{code}": getattr(obj, f"{base}_{code}", "") for code in LANGUAGES}


def _organizations(user: Any, action: str) -> Any:
    allowed = organizations_for(user, action)
    queryset = Organization.objects.order_by("code")
    return queryset if allowed is None else queryset.filter(pk__in=allowed)


class DatasetMetadataForm(forms.Form):
    """What a dataset is: texts per language, access class, tags, licence, update frequency."""

    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)
    frequency = forms.ChoiceField(label=_("Update frequency"), choices=Frequency.choices)
    licence = forms.CharField(label=_("Licence"), max_length=100, required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Separated by commas.")
    )

    def __init__(self, *args: Any, dataset: Dataset, **kwargs: Any) -> None:
        initial = {
            **_texts(dataset, "title"),
            **_texts(dataset, "description"),
            "visibility": dataset.visibility,
            "frequency": dataset.frequency,
            "licence": dataset.licence,
            "tags": ", ".join(dataset.tags or []),
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        texts = dict(self.fields)
        self.fields.clear()
        _per_language(self, "title", _("Title"))
        _per_language(self, "description", _("Description"), textarea=True)
        self.fields.update(texts)

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


class ColumnForm(forms.Form):
    """One column's class and meaning; the prefix is the column's position."""

    classification = forms.ChoiceField(label=_("Classification"), choices=ColumnClass.choices)

    def __init__(self, *args: Any, column: Column, **kwargs: Any) -> None:
        initial = {
            "classification": column.classification,
            **_texts(column, "title"),
            **_texts(column, "description"),
        }
        kwargs.update(initial=initial, prefix=f"column-{column.position}")
        super().__init__(*args, **kwargs)
        self.column = column
        _per_language(self, "title", _("Title"))
        _per_language(self, "description", _("Meaning"), textarea=True)

    def item(self) -> dict[str, Any]:
        return {"name": self.column.name, **self.cleaned_data}


def _parse_targets(text: str) -> list[dict[str, Any]]:
    """Lines ``date value [baseline-date baseline-value]``; an error names the line."""
    targets = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        try:
            if len(parts) not in (2, 4):
                raise ValueError
            target: dict[str, Any] = {
                "date": dt.date.fromisoformat(parts[0]).isoformat(),
                "value": float(parts[1]),
            }
            if len(parts) == 4:
                target["baseline_date"] = dt.date.fromisoformat(parts[2]).isoformat()
                target["baseline_value"] = float(parts[3])
        except ValueError as error:
            raise forms.ValidationError(
                _(
                    "Line %(line)s: write a date (YYYY-MM-DD) and a value, optionally followed "
                    "by a baseline date and value."
                ),
                code="target_line",
                params={"line": number},
            ) from error
        targets.append(target)
    return targets


def _targets_text(indicator: Indicator) -> str:
    lines = []
    for t in indicator.targets.order_by("date"):
        baseline = (
            f" {t.baseline_date.isoformat()} {t.baseline_value:g}"
            if t.baseline_date and t.baseline_value is not None
            else ""
        )
        lines.append(f"{t.date.isoformat()} {t.value:g}{baseline}")
    return "\n".join(lines)


class IndicatorForm(forms.Form):
    """An indicator defined by read-only SQL, with its targets; becomes an import document."""

    code = forms.SlugField(label=_("Code"), max_length=63)
    organization = forms.ModelChoiceField(
        label=_("Owner"), queryset=Organization.objects.none(), to_field_name="code"
    )
    unit = forms.CharField(label=_("Unit of measure"), max_length=40, required=False)
    frequency = forms.ChoiceField(
        label=_("Frequency"), choices=[c for c in Frequency.choices if c[0] != "irregular"]
    )
    sql = forms.CharField(
        label=_("Definition (SQL)"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One SELECT over catalog datasets; nothing else is accepted."),
    )
    value = forms.CharField(label=_("Value column"), max_length=63, initial="value")
    aggregation = forms.ChoiceField(label=_("Aggregation"), choices=Aggregation.choices)
    denominator = forms.CharField(label=_("Denominator column"), max_length=63, required=False)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)
    target_series = forms.ChoiceField(label=_("Assess targets on"), choices=TargetSeries.choices)
    targets = forms.CharField(
        label=_("Targets"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: date and value, e.g. 2030-12-31 2000000000."),
    )

    def __init__(
        self, *args: Any, user: Any, indicator: Indicator | None = None, **kwargs: Any
    ) -> None:
        initial: dict[str, Any] = {}
        if indicator is not None:
            initial = {
                **_texts(indicator, "name"),
                **_texts(indicator, "description"),
                **_texts(indicator, "methodology"),
                "code": indicator.code,
                "organization": indicator.organization.code,
                "unit": indicator.unit,
                "frequency": indicator.frequency,
                "sql": indicator.sql,
                "value": indicator.value_column,
                "aggregation": indicator.aggregation,
                "denominator": indicator.denominator,
                "visibility": indicator.visibility,
                "target_series": indicator.target_series,
                "targets": _targets_text(indicator),
                **{f"dimension_{k}": v for k, v in (indicator.dimensions or {}).items()},
            }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        rest = dict(self.fields)
        self.fields.clear()
        self.fields["code"] = rest.pop("code")
        self.fields["organization"] = rest.pop("organization")
        _per_language(self, "name", _("Name"))
        _per_language(self, "description", _("Description"), textarea=True)
        self.fields.update(rest)
        for dimension, label in DIMENSIONS.items():
            self.fields[f"dimension_{dimension}"] = forms.CharField(
                label=label, required=False, max_length=63
            )
        _per_language(self, "methodology", _("Methodology"), textarea=True)
        self.fields["organization"].queryset = _organizations(  # type: ignore[attr-defined]
            user, AnalyticsAction.MANAGE_INDICATOR
        )
        if indicator is not None:  # the code is the indicator's address and YAML key
            self.fields["code"].disabled = True

    def clean_targets(self) -> list[dict[str, Any]]:
        return _parse_targets(self.cleaned_data["targets"])

    def clean(self) -> dict[str, Any]:
        """Check the definition now, so its mistakes show beside the others on the same page."""
        data: dict[str, Any] = super().clean() or {}
        if "sql" in self.errors or not (data.get("sql") or "").strip():
            return data  # no SQL: an expression stays, or saving names what is missing
        draft = Indicator(
            sql=data["sql"],
            dimensions=self._dimensions(data),
            aggregation=data.get("aggregation", ""),
            denominator=data.get("denominator", ""),
        )
        try:
            definitions.check(draft)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                name = FIELD_NAMES.get(field, field)
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        return data

    @staticmethod
    def _dimensions(data: dict[str, Any]) -> dict[str, str]:
        return {
            d: data.get(f"dimension_{d}", "").strip()
            for d in DIMENSIONS
            if data.get(f"dimension_{d}", "").strip()
        }

    def document(self) -> dict[str, Any]:
        """The import document this form stands for."""
        data = self.cleaned_data
        if data["sql"].strip() or self.indicator is None or self.indicator.kind == "sql":
            definition: dict[str, Any] = {"sql": data["sql"]}
        else:  # an Ibis expression stays as it is until SQL replaces it
            definition = {"expression": self.indicator.expression}

        def texts(base: str) -> dict[str, str]:
            return {code: data[f"{base}_{code}"] for code in LANGUAGES}

        return {
            "kind": "indicator",
            "code": data["code"],
            "organization": data["organization"].code,
            "name": texts("name"),
            "description": texts("description"),
            "methodology": texts("methodology"),
            "unit": data["unit"],
            "frequency": data["frequency"],
            "definition": definition,
            "value": data["value"],
            "dimensions": {
                d: data[f"dimension_{d}"].strip()
                for d in DIMENSIONS
                if data[f"dimension_{d}"].strip()
            },
            "aggregation": data["aggregation"],
            "denominator": data["denominator"],
            "visibility": data["visibility"],
            "target_series": data["target_series"],
            "targets": data["targets"],
        }
