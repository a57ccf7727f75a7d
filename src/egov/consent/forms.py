"""Forms of the cabinet and the auditor's page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.consent.models import CitizenSettings
from egov.consent.tracker import OUTCOMES, Filters


class TrackerFilterForm(forms.Form):
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))
    service = forms.ChoiceField(label=_("Service"), required=False)
    consumer = forms.ChoiceField(label=_("Organization's system"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("Any")), *OUTCOMES.items()],
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        services: list[tuple[str, str]],
        consumers: list[tuple[str, str]],
    ) -> None:
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["service"]).choices = [("", _("Any")), *services]
        cast(forms.ChoiceField, self.fields["consumer"]).choices = [("", _("Any")), *consumers]

    def filters(self) -> Filters:
        if not self.is_valid():
            return Filters()
        return Filters(**self.cleaned_data)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea({"rows": 2}),
    )


class CitizenSettingsForm(forms.ModelForm[CitizenSettings]):
    class Meta:
        model = CitizenSettings
        fields = ["notify_new_accesses", "phone"]
        help_texts = {"phone": _("Where one-time codes are sent when they go by SMS.")}

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").replace(" ", "")
        if phone and not (phone.startswith("+") and phone[1:].isdigit() and 8 <= len(phone) <= 16):
            raise forms.ValidationError(
                _("Write the number in international form, e.g. +77011234567.")
            )
        return phone


class ReportForm(forms.Form):
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))
