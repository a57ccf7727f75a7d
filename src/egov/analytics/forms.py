"""Forms of the Smart Data pages; each error names its field."""

from __future__ import annotations

from typing import Any

import yaml
from django import forms
from django.utils.translation import gettext_lazy as _

from egov.analytics.choices import Frequency, MalformedPolicy, Visibility
from egov.analytics.ingestion import UPLOAD_SUFFIXES
from egov.analytics.models.catalog import name_validator
from egov.analytics.permissions import AnalyticsAction
from egov.core.models import Organization
from egov.core.permissions import organizations_for


class CatalogSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=100)


class DatasetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=63, validators=[name_validator])
    organization = forms.ModelChoiceField(label=_("Owner"), queryset=Organization.objects.none())
    title_en = forms.CharField(label=_("Title (en)"), max_length=300, required=False)
    title_ru = forms.CharField(label=_("Title (ru)"), max_length=300, required=False)
    title_kk = forms.CharField(label=_("Title (kk)"), max_length=300, required=False)
    title_tg = forms.CharField(label=_("Title (tg)"), max_length=300, required=False)
    description_en = forms.CharField(
        label=_("Description (en)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)
    frequency = forms.ChoiceField(label=_("Update frequency"), choices=Frequency.choices)
    licence = forms.CharField(label=_("Licence"), max_length=100, initial="CC-BY-4.0")
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Separated by commas.")
    )
    personal_columns = forms.CharField(
        label=_("Personal identifier columns"),
        required=False,
        max_length=1000,
        help_text=_(
            "Columns replaced by a keyed pseudonym when data arrives (e.g. iin), by commas."
        ),
    )
    row_column = forms.CharField(
        label=_("Row-level column"),
        required=False,
        max_length=63,
        help_text=_("A column with organization codes: others see only their own rows."),
    )
    malformed_policy = forms.ChoiceField(label=_("Malformed rows"), choices=MalformedPolicy.choices)
    quality_rules = forms.CharField(
        label=_("Quality rules (YAML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For example: - {kind: not_null, column: amount}"),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = organizations_for(user, AnalyticsAction.MANAGE_DATASET)
        queryset = Organization.objects.all()
        if allowed is not None:
            queryset = queryset.filter(pk__in=allowed)
        self.fields["organization"].queryset = queryset  # type: ignore[attr-defined]

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]

    def clean_personal_columns(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data["personal_columns"].split(",") if c.strip()]

    def clean_quality_rules(self) -> list[Any]:
        text = self.cleaned_data["quality_rules"].strip()
        if not text:
            return []
        try:
            rules = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise forms.ValidationError(_("The YAML could not be read.")) from error
        if not isinstance(rules, list):
            raise forms.ValidationError(_("Give a list of quality rules."))
        return rules

    def payload(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["columns"] = [
            {"name": c, "classification": "identifier"} for c in data.pop("personal_columns")
        ]
        return data


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8, UTF-8 with BOM or Windows-1251), XLSX, Parquet or JSON."),
    )
    accept_schema_change = forms.BooleanField(
        label=_("The columns change on purpose (accept a new schema)"), required=False
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not any(name.endswith(suffix) for suffix in UPLOAD_SUFFIXES):
            raise forms.ValidationError(_("Upload a CSV, XLSX, Parquet or JSON file."))
        return upload


class SqlForm(forms.Form):
    sql = forms.CharField(
        label=_("SQL"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 6})
    )


class ImportForm(forms.Form):
    document = forms.CharField(
        label=_("YAML"), required=False, widget=forms.Textarea(attrs={"rows": 12})
    )
    file = forms.FileField(label=_("or a YAML file"), required=False)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > 1_000_000:
                self.add_error("file", _("The YAML document is too large."))
                return data
            try:
                data["document"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("file", _("Save the file as UTF-8."))
        if not data.get("document") and not self.errors:
            self.add_error("document", _("Paste a YAML document or choose a file."))
        return data
