"""Organizations and their information systems: the addressable members of the platform."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.core.choices import MemberClass, OrganizationKind, Status
from egov.core.countries import CountryProfile, available_profiles, get_profile
from egov.core.models.translated import TranslatedField
from egov.core.validators import run_rule


def default_country() -> str:
    return str(settings.COUNTRY.code)


code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_-]{1,31}$",
    _("Use 2 to 32 capital Latin letters, digits, '-' or '_', starting with a letter or digit."),
    code="code_format",
)
subsystem_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
    _("Use up to 64 Latin letters, digits, '.', '-' or '_', starting with a letter or digit."),
    code="subsystem_format",
)


def require_default_language(obj: models.Model, *bases: str) -> None:
    """Readable fields must at least exist in the deployment's default language."""
    language = settings.COUNTRY.default_language
    errors = {
        f"{base}_{language}": _("Enter this in the default language (%(language)s).")
        % {"language": language}
        for base in bases
        if not getattr(obj, f"{base}_{language}", "")
    }
    if errors:
        raise ValidationError(errors)


class Organization(models.Model):
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[code_validator],
        help_text=_("Short readable code used in identifiers, e.g. MINJUST."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = TranslatedField(models.CharField, _("name"), max_length=300)
    short_name = TranslatedField(models.CharField, _("short name"), max_length=100)
    description = TranslatedField(models.TextField, _("description"))
    # Members from a neighbouring country keep their own identifiers and gateway instance
    # (X-Road federation): TJ/GOV/<INN>/… beside KZ/GOV/<BIN>/….
    country = models.CharField(
        _("country"),
        max_length=2,
        choices=[(code, code.upper()) for code in available_profiles()],
        default=default_country,
    )
    identifier = models.CharField(
        _("identifier"),
        max_length=32,
        unique=True,
        help_text=_("The organization's national identification number (BIN, INN)."),
    )
    member_class = models.CharField(_("member class"), max_length=8, choices=MemberClass.choices)
    member_code = models.CharField(
        _("member code"),
        max_length=32,
        blank=True,
        help_text=_("Code on the gateway; the identifier when left empty."),
    )
    region = models.CharField(_("region"), max_length=16, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default="active")
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["member_class", "member_code"], name="organization_member_address_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.member_code:
            self.member_code = self.identifier
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def profile(self) -> CountryProfile:
        return get_profile(self.country or settings.COUNTRY.code)

    def clean(self) -> None:
        require_default_language(self, "name")
        if self.identifier:
            try:
                run_rule(self.profile.identifiers["organization"], self.identifier)
            except ValidationError as error:
                raise ValidationError({"identifier": error.error_list}) from error
        region_codes = {region.code for region in self.profile.regions}
        if self.region and self.region not in region_codes:
            raise ValidationError({"region": _("Choose one of the country's regions.")})
        if self.parent and self.pk and self.pk in self.parent.lineage_ids(include_self=True):
            raise ValidationError({"parent": _("An organization cannot be placed under itself.")})

    def lineage_ids(self, include_self: bool = False) -> list[int]:
        """Ids from this organization up to the root (a short walk: hierarchies are 3-4 deep)."""
        ids: list[int] = [self.pk] if include_self and self.pk else []
        node = self.parent
        seen: set[int] = set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            ids.append(node.pk)
            node = node.parent
        return ids

    @property
    def xroad_address(self) -> str:
        """INSTANCE/CLASS/CODE, the member part of a gateway address."""
        return f"{self.profile.xroad_instance}/{self.member_class}/{self.member_code}"


class InformationSystem(models.Model):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="information_systems",
    )
    subsystem_code = models.CharField(
        _("subsystem code"), max_length=64, validators=[subsystem_validator]
    )
    name = TranslatedField(models.CharField, _("name"), max_length=300)
    description = TranslatedField(models.TextField, _("description"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default="active")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("information system")
        verbose_name_plural = _("information systems")
        ordering = ["organization__code", "subsystem_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "subsystem_code"], name="information_system_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.xroad_address} — {self.name}"

    def clean(self) -> None:
        require_default_language(self, "name")

    @property
    def xroad_address(self) -> str:
        """INSTANCE/CLASS/CODE/SUBSYSTEM: how the gateway addresses this system."""
        return f"{self.organization.xroad_address}/{self.subsystem_code}"
