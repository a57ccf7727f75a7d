"""People and what they may do: users linked to a personal identifier, memberships with roles."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.core.choices import PLATFORM_ROLES, STAFF_ROLES, Role
from egov.core.models.organizations import Organization
from egov.core.validators import validate_person_identifier


class User(AbstractUser):
    personal_id = models.CharField(
        _("personal identifier"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_person_identifier],
        help_text=_("The person's national identification number."),
    )
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def roles(self) -> set[str]:
        return set(self.memberships.values_list("role", flat=True))

    @property
    def needs_second_factor(self) -> bool:
        """Staff roles reach the back-office: they must prove a second factor."""
        return self.is_superuser or bool(self.roles() & STAFF_ROLES)


class Membership(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        help_text=_("Empty for platform-wide roles (operator, citizen)."),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        help_text=_("Translators only: the content language they translate into."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role", "language"], name="membership_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(organization__isnull=True),
                name="platform_membership_unique",
            ),
        ]

    def __str__(self) -> str:
        where = self.organization.code if self.organization else _("platform")
        return f"{self.user} · {self.get_role_display()} · {where}"

    def clean(self) -> None:
        platform_wide = self.role in PLATFORM_ROLES
        if platform_wide and self.organization_id:
            raise ValidationError({"organization": _("This role applies to the whole platform.")})
        if not platform_wide and not self.organization_id:
            raise ValidationError({"organization": _("This role needs an organization.")})
        languages = [str(code) for code, _name in settings.LANGUAGES]
        if self.role == Role.TRANSLATOR and self.language not in languages:
            raise ValidationError({"language": _("Choose the language this translator works in.")})
        if self.role != Role.TRANSLATOR and self.language:
            raise ValidationError({"language": _("Only translators work in one language.")})
