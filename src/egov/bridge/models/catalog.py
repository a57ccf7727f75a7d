"""The catalog: services of provider systems, with versions carrying OpenAPI documents."""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from egov.bridge.choices import Category, Classification, Lifecycle, LogDurability
from egov.core.models import InformationSystem
from egov.core.models.organizations import require_default_language
from egov.core.models.translated import TranslatedField

service_code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{0,62}$",
    _("Use lower-case Latin letters, digits and '-', up to 63 characters."),
    code="service_code_format",
)
version_validator = RegexValidator(
    r"^v[0-9]+(\.[0-9]+){0,2}$", _("Write versions as v1, v2 or v1.2."), code="version_format"
)


class Service(models.Model):
    provider = models.ForeignKey(
        InformationSystem,
        verbose_name=_("provider system"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    passport_id = models.CharField(_("passport"), max_length=48, unique=True, editable=False)
    code = models.CharField(
        _("service code"),
        max_length=63,
        validators=[service_code_validator],
        help_text=_("The last part of the gateway address, e.g. legal-entity."),
    )
    name = TranslatedField(models.CharField, _("name"), max_length=300)
    description = TranslatedField(models.TextField, _("description"))
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    classification = models.CharField(
        _("data classification"), max_length=16, choices=Classification.choices
    )
    upstream_url = models.URLField(
        _("upstream base URL"),
        help_text=_("Where the gateway forwards calls. Never shown to consumers."),
    )
    timeout_ms = models.PositiveIntegerField(
        _("upstream timeout (ms)"),
        default=10_000,
        validators=[MinValueValidator(100), MaxValueValidator(120_000)],
    )
    sla_availability = models.DecimalField(
        _("availability target (%)"), max_digits=5, decimal_places=2, default=99.5
    )
    sla_response_ms = models.PositiveIntegerField(_("response time target (ms)"), default=1000)
    log_durability = models.CharField(
        _("message log durability"),
        max_length=8,
        choices=LogDurability.choices,
        blank=True,
        default=LogDurability.BY_CLASSIFICATION,
    )
    store_bodies = models.BooleanField(
        _("keep request and response bodies"),
        default=False,
        # Gateways seal them with AES-256-GCM under their own body key (docs/gateway.md).
        help_text=_("The gateway keeps each call's bodies, encrypted, beside its log record."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["passport_id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "code"], name="service_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.passport_id} — {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.passport_id:
            super().save(*args, **kwargs)
            return
        # Readable, per-organization numbering (MINJUST-S-0007); a concurrent save retries.
        prefix = f"{self.provider.organization.code}-S-"
        for attempt in range(10):
            taken = Service.objects.filter(passport_id__startswith=prefix).values_list(
                "passport_id", flat=True
            )
            numbers = [int(p[len(prefix) :]) for p in taken if p[len(prefix) :].isdigit()]
            self.passport_id = f"{prefix}{max(numbers, default=0) + 1 + attempt:04d}"
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                if not Service.objects.filter(passport_id=self.passport_id).exists():
                    raise
        raise IntegrityError("could not allocate a passport number")

    def clean(self) -> None:
        require_default_language(self, "name")

    @property
    def organization(self) -> Any:
        return self.provider.organization

    @property
    def xroad_address(self) -> str:
        return f"{self.provider.xroad_address}/{self.code}"

    @property
    def effective_log_durability(self) -> str:
        """Personal data is evidence a citizen may ask about: logged before the answer leaves."""
        if self.log_durability:
            return str(self.log_durability)
        if self.classification == Classification.PERSONAL:
            return LogDurability.SYNC.value
        return LogDurability.ASYNC.value


class ServiceVersion(models.Model):
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="versions"
    )
    version = models.CharField(_("version"), max_length=16, validators=[version_validator])
    openapi = models.JSONField(_("OpenAPI document"))
    # (method, path template) pairs read from the document when it is accepted; validating the
    # document again for every policy snapshot would cost far more than this copy.
    endpoints = models.JSONField(_("endpoints"), default=list, editable=False)
    openapi_source_url = models.URLField(_("fetched from"), blank=True)
    status = models.CharField(
        _("lifecycle"), max_length=16, choices=Lifecycle.choices, default=Lifecycle.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    deprecated_at = models.DateTimeField(_("deprecated"), null=True, blank=True)
    retire_on = models.DateField(_("retirement date"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    rate_per_minute = models.PositiveIntegerField(_("default calls per minute"), default=60)
    quota_per_day = models.PositiveIntegerField(_("default calls per day"), default=10_000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("service version")
        verbose_name_plural = _("service versions")
        ordering = ["service__passport_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["service", "version"], name="service_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service.passport_id} {self.version}"

    @property
    def organization(self) -> Any:
        return self.service.provider.organization
