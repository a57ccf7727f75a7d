"""Telling consumers about their consents: a signed webhook per revision, retried by the worker.

The body is canonical JSON, signed like the revisions (``Egov-Signature: kid="…", sig="…"``,
Ed25519 over the exact bytes; keys at /api/consent/keys). The first attempt is a task queued when
the change commits; failed attempts are retried by a periodic job with growing delays, then the
delivery is marked failed. Consumers can always poll the status instead.
"""

from __future__ import annotations

import datetime
import logging
from functools import partial
from typing import Any

import requests
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from egov.bridge import signing
from egov.bridge.models import SigningKey
from egov.bridge.snapshots import canonical
from egov.consent.choices import WebhookState
from egov.consent.models import Consent, ConsentRevision, WebhookDelivery
from egov.core.worker import periodic

log = logging.getLogger(__name__)

# Delay before attempt n+1 after n failures; after the last, the delivery has failed.
BACKOFF_SECONDS = (10, 60, 300, 1800, 7200, 21600)
TIMEOUT_SECONDS = 5.0


def payload(revision: ConsentRevision) -> dict[str, Any]:
    content = revision.content
    return {
        "event": "consent.changed",
        "consent": content["consent"],
        "status": content["status"],
        "revision": content["revision"],
        "hash": revision.hash,
        "services": content["services"],
        "valid_from": content["valid_from"],
        "valid_until": content["valid_until"],
        "at": content["at"],
    }


def enqueue(consent: Consent, revision: ConsentRevision) -> WebhookDelivery | None:
    if not consent.webhook_url:
        return None
    delivery = WebhookDelivery.objects.create(
        consent=consent, revision=revision, url=consent.webhook_url
    )
    transaction.on_commit(partial(deliver_webhook.enqueue, delivery.pk))
    return delivery


def attempt(delivery: WebhookDelivery) -> bool:
    """One delivery attempt; schedules the next one or gives up."""
    body = canonical(payload(delivery.revision))
    key = signing.current(SigningKey.Purpose.CONSENT)
    headers = {
        "Content-Type": "application/json",
        "Egov-Event": "consent.changed",
        "Egov-Delivery": str(delivery.pk),
        "Egov-Signature": f'kid="{key.kid}", sig="{key.sign(body)}"',
    }
    delivery.attempts += 1
    try:
        response = requests.post(
            delivery.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False
        )
        delivery.last_status = response.status_code
        delivery.last_error = "" if response.ok else f"HTTP {response.status_code}"
        delivered = 200 <= response.status_code < 300
    except requests.RequestException as error:
        delivery.last_error = type(error).__name__
        delivered = False
    now = timezone.now()
    if delivered:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = (
            WebhookState.DELIVERED,
            now,
            None,
        )
    elif delivery.attempts > len(BACKOFF_SECONDS):
        delivery.state, delivery.next_attempt_at = WebhookState.FAILED, None
        log.warning("webhook %s failed for good: %s", delivery.pk, delivery.last_error)
    else:
        delay = BACKOFF_SECONDS[delivery.attempts - 1]
        delivery.next_attempt_at = now + datetime.timedelta(seconds=delay)
    delivery.save(
        update_fields=[
            "attempts",
            "last_status",
            "last_error",
            "state",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return delivered


@task()
def deliver_webhook(delivery_pk: int) -> bool:
    delivery = (
        WebhookDelivery.objects.select_related("revision")
        .filter(pk=delivery_pk, state=WebhookState.PENDING, attempts=0)
        .first()
    )
    return attempt(delivery) if delivery is not None else False


@periodic(every=datetime.timedelta(seconds=10))
def retry_due_webhooks() -> int:
    due = WebhookDelivery.objects.select_related("revision").filter(
        state=WebhookState.PENDING, next_attempt_at__lte=timezone.now()
    )
    return sum(1 for delivery in due[:200] if attempt(delivery))
