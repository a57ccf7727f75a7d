"""Call records: the control plane's copy of the gateways' message logs.

The evidence stays in each gateway's own signed, hash-chained log; gateways ship every record
here too (``chain`` + ``seq`` make the copy idempotent) so that the control plane can show
usage (credential last-used times), the citizen's data tracker and the analytics datasets
without reading the gateways' stores.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CallRecord(models.Model):
    chain = models.CharField(_("log chain"), max_length=100)
    seq = models.PositiveBigIntegerField(_("sequence"))
    record_hash = models.CharField(_("record hash"), max_length=64)
    node = models.ForeignKey(
        "bridge.GatewayNode", models.SET_NULL, null=True, blank=True, verbose_name=_("gateway")
    )
    kind = models.CharField(_("kind"), max_length=16, default="call")  # call | outcome
    request_id = models.CharField(_("request id"), max_length=100, db_index=True)
    started_at = models.DateTimeField(_("started"))
    latency_ms = models.FloatField(_("latency, ms"), null=True, blank=True)
    # Addresses as the gateway saw them; the foreign keys are resolved at ingestion where known.
    consumer = models.CharField(_("consumer"), max_length=200, blank=True)
    consumer_system = models.ForeignKey(
        "core.InformationSystem",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consumer system"),
    )
    credential = models.CharField(_("credential"), max_length=120, blank=True)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    service_address = models.CharField(_("service address"), max_length=250, blank=True)
    service = models.ForeignKey(
        "bridge.Service",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("service"),
    )
    version = models.CharField(_("version"), max_length=40, blank=True)
    endpoint = models.CharField(_("endpoint"), max_length=300, blank=True)
    grant = models.ForeignKey(
        "bridge.Grant",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("grant"),
    )
    subject_id = models.CharField(_("data subject"), max_length=40, blank=True)
    consent_id = models.CharField(_("consent"), max_length=64, blank=True)
    user_id = models.CharField(_("user id"), max_length=200, blank=True)
    issue = models.CharField(_("issue"), max_length=200, blank=True)
    status = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    error = models.CharField(_("error code"), max_length=60, blank=True)
    request_bytes = models.PositiveBigIntegerField(_("request bytes"), default=0)
    response_bytes = models.PositiveBigIntegerField(_("response bytes"), default=0)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("call record")
        verbose_name_plural = _("call records")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="bridge_callrecord_chain_seq"),
        ]
        indexes = [
            # The citizen's data tracker: one subject's calls, newest first.
            models.Index(fields=["subject_id", "-started_at"], name="bridge_call_subject"),
            # Usage and operations analytics per service and per consumer over time.
            models.Index(fields=["service_address", "started_at"], name="bridge_call_service"),
            models.Index(fields=["consumer", "started_at"], name="bridge_call_consumer"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.service_address} {self.status}"
