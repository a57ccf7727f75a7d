"""Forms of the core app: the second factor, and back-office forms scoped to the editor's reach."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from egov.core import permissions
from egov.core.models import Organization, User
from egov.core.permissions import Action


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )

    def clean_token(self) -> str:
        token: str = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("The code has digits only."), code="not_digits")
        return token


class ScopedOrganizationFieldForm(WagtailAdminModelForm):  # type: ignore[misc]
    """Offers only the organizations where the editor may take `scope_action`."""

    scope_field = "organization"
    scope_action = Action.CHANGE_ORGANIZATION

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get(self.scope_field)
        if field is None or self.for_user is None:
            return
        allowed = permissions.organizations_for(self.for_user, self.scope_action)
        if allowed is not None:
            field.queryset = Organization.objects.filter(pk__in=allowed)
            field.required = True


class OrganizationForm(ScopedOrganizationFieldForm):
    # Administrators who are not the operator add only bodies under their own.
    scope_field = "parent"
    scope_action = Action.ADD_ORGANIZATION

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        editing_existing = self.instance.pk is not None
        # Moving a body across the hierarchy is the operator's decision.
        if (
            editing_existing
            and "parent" in self.fields
            and not permissions.is_operator(self.for_user)
        ):
            self.fields["parent"].disabled = True
            self.fields["parent"].required = False


class InformationSystemForm(ScopedOrganizationFieldForm):
    scope_action = Action.ADD_SYSTEM


class MembershipForm(ScopedOrganizationFieldForm):
    scope_action = Action.MANAGE_MEMBERSHIP

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "language" in self.fields:
            self.fields["language"] = forms.ChoiceField(
                label=_("language"),
                required=False,
                choices=[("", "—"), *settings.LANGUAGES],
                help_text=_("Translators only: the content language they translate into."),
            )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        role = cleaned.get("role")
        if role == "operator" and not permissions.is_operator(self.for_user):
            self.add_error("role", _("Only the platform operator grants this role."))
        return cleaned


class ProfileForm(forms.ModelForm[User]):
    """What a user chooses about themselves: for now, the language of their notifications."""

    preferred_language = forms.ChoiceField(
        label=_("Language of notifications"),
        required=False,
        help_text=_("E-mails and notices are written in this language."),
        error_messages={"invalid_choice": _("Choose one of the languages in the list.")},
    )

    class Meta:
        model = User
        fields = ["preferred_language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["preferred_language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("The platform's default")), *settings.LANGUAGES]
