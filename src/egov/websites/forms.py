"""Forms of the public pages and the back-office: appeals, document filters, images' alt text."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.images.forms import BaseImageForm

from egov.websites.choices import DocumentStatus, DocumentType


class ImageForm(BaseImageForm):  # type: ignore[misc]
    """Wagtail's image form, with the description (the image's alt text) required."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "description" in self.fields:
            field = self.fields["description"]
            field.required = True
            field.label = _("Alt text")
            field.help_text = _(
                "What the image shows, for people who cannot see it. Required on this platform."
            )


class AppealForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), help_text=_("The answer is sent to this address."))
    subject = forms.CharField(label=_("Subject"), max_length=300)
    question = forms.CharField(label=_("Your question"), widget=forms.Textarea, max_length=5000)
    may_publish = forms.BooleanField(
        label=_("The question and its answer may be published on this site without my name"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class DocumentFilterForm(forms.Form):
    q = forms.CharField(label=_("Words in the title or text"), required=False, max_length=200)
    doc_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any type")), *DocumentType.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *DocumentStatus.choices]
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)

    def apply(self, items: QuerySet[Any]) -> QuerySet[Any]:
        if not self.is_bound or not self.is_valid():
            return items
        data = self.cleaned_data
        if data["doc_type"]:
            items = items.filter(doc_type=data["doc_type"])
        if data["status"]:
            items = items.filter(status=data["status"])
        if data["year"]:
            items = items.filter(signed_on__year=data["year"])
        if data["q"]:
            words = data["q"]
            from django.db.models import Q

            items = items.filter(
                Q(title__icontains=words) | Q(number__icontains=words) | Q(text__icontains=words)
            )
        return items


class AnswerForm(forms.Form):
    """The back-office form an agency answers an appeal with."""

    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea)
    published = forms.BooleanField(
        label=_("Publish the question and answer on the website"), required=False
    )
