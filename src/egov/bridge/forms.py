"""Forms of the Smart Bridge pages; each field says what is wrong in the user's language."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.bridge.choices import Category, Classification
from egov.bridge.models import Service
from egov.core.models import InformationSystem


class CatalogSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    organization = forms.CharField(label=_("Organization code"), required=False, max_length=32)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any")), *Category.choices]
    )
    classification = forms.ChoiceField(
        label=_("Data classification"),
        required=False,
        choices=[("", _("Any")), *Classification.choices],
    )
    language = forms.ChoiceField(
        label=_("Documented in"),
        required=False,
        choices=[
            ("", _("Any")),
            ("kk", "Қазақша"),
            ("ru", "Русский"),
            ("en", "English"),
            ("tg", "Тоҷикӣ"),
        ],
    )


class AccessRequestForm(forms.Form):
    consumer = forms.ChoiceField(label=_("Your information system"))
    endpoints = forms.MultipleChoiceField(label=_("Endpoints"), widget=forms.CheckboxSelectMultiple)
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=5000,
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=500,
        help_text=_("The law, contract or consent regime that allows this processing."),
    )
    expected_calls_per_day = forms.IntegerField(
        label=_("Expected calls per day"), min_value=1, max_value=100_000_000
    )
    ip_ranges = forms.CharField(
        label=_("Source IP ranges"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One address or CIDR range per line; empty means any address."),
    )
    technical_contact = forms.EmailField(label=_("Technical contact e-mail"))

    def __init__(
        self,
        *args: Any,
        consumers: list[tuple[str, str]],
        endpoints: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["consumer"]).choices = consumers
        cast(forms.ChoiceField, self.fields["endpoints"]).choices = endpoints

    def ip_range_list(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["ip_ranges"].splitlines() if line.strip()
        ]


class DecisionForm(forms.Form):
    action = forms.ChoiceField(label=_("Decision"), choices=[])
    reason = forms.CharField(
        label=_("Reason or comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    endpoints = forms.MultipleChoiceField(
        label=_("Endpoints to allow"), required=False, widget=forms.CheckboxSelectMultiple
    )
    quota_per_day = forms.IntegerField(label=_("Calls per day"), required=False, min_value=1)
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        actions: list[tuple[str, str]],
        endpoints: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["action"]).choices = actions
        cast(forms.ChoiceField, self.fields["endpoints"]).choices = endpoints


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class NameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)


class CertificateForm(forms.Form):
    fingerprint = forms.RegexField(
        label=_("SHA-256 fingerprint"),
        regex=r"^[0-9A-Fa-f:]{64,95}$",
        error_messages={"invalid": _("A SHA-256 fingerprint has 64 hexadecimal digits.")},
    )
    subject = forms.CharField(label=_("Subject"), required=False, max_length=300)


ACTION_LABELS = {
    "approve": _("Approve"),
    "reject": _("Reject"),
    "request_changes": _("Ask for changes"),
    "withdraw": _("Withdraw"),
    "resubmit": _("Resubmit"),
    "suspend": _("Suspend"),
    "resume": _("Resume"),
    "revoke": _("Revoke"),
}


class ServiceForm(forms.ModelForm[Service]):
    provider: forms.ModelChoiceField[InformationSystem] = forms.ModelChoiceField(
        label=_("Provider system"), queryset=InformationSystem.objects.none()
    )

    class Meta:
        model = Service
        fields = [
            "provider",
            "code",
            "name_kk",
            "name_ru",
            "name_en",
            "name_tg",
            "description_kk",
            "description_ru",
            "description_en",
            "description_tg",
            "category",
            "classification",
            "upstream_url",
            "timeout_ms",
            "sla_availability",
            "sla_response_ms",
            "log_durability",
            "store_bodies",
        ]

    def __init__(self, *args: Any, systems: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            "forms.ModelChoiceField[InformationSystem]", self.fields["provider"]
        ).queryset = systems


class VersionForm(forms.Form):
    version = forms.RegexField(
        label=_("Version"),
        regex=r"^v[0-9]+(\.[0-9]+){0,2}$",
        error_messages={"invalid": _("Write versions as v1, v2 or v1.2.")},
    )
    document = forms.FileField(
        label=_("OpenAPI document (JSON or YAML)"),
        required=False,
        help_text=_("Upload the file, or give its URL below."),
    )
    document_url = forms.URLField(label=_("OpenAPI document URL"), required=False)
    rate_per_minute = forms.IntegerField(
        label=_("Default calls per minute"), min_value=1, initial=60
    )
    quota_per_day = forms.IntegerField(
        label=_("Default calls per day"), min_value=1, initial=10_000
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if bool(cleaned.get("document")) == bool(cleaned.get("document_url")):
            raise forms.ValidationError(_("Give the OpenAPI document or its URL, one of the two."))
        return cleaned
