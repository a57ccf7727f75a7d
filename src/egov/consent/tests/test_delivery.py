"""Webhooks to consumers and one-time codes through e-mail and an SMS gateway, against real
local servers (the SMTP side is Django's test outbox)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from egov.bridge import signing
from egov.bridge.snapshots import canonical
from egov.consent import otp, revisions, webhooks
from egov.consent.choices import CodePurpose
from egov.consent.models import CitizenSettings, WebhookDelivery
from egov.consent.tests.conftest import REAL_CHANNEL, World
from egov.consent.tests.httpsink import http_sink

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_consumer_hears_of_each_change_signed(world: World) -> None:
    with http_sink() as sink:
        consent_id = world.ask(webhook_url=sink.url).json()["id"]
        world.decide("citizen", consent_id, "grant")
        assert [event["status"] for event in map(sink.json, range(2))] == ["requested", "granted"]
        headers, body = sink.received[1]
        assert headers["egov-event"] == "consent.changed"
        kid, signature = (part.split('"')[1] for part in headers["egov-signature"].split(","))
        assert signing.verify(revisions.public_keys()[kid], body, signature)
        assert body == canonical(sink.json(1))
        assert sink.json(1)["consent"] == consent_id and "subject" not in sink.json(1)
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"delivered"}


def test_failed_deliveries_are_retried_by_the_worker(world: World) -> None:
    with http_sink() as sink:
        sink.answers = [500, 503]
        world.ask(webhook_url=sink.url)
        delivery = WebhookDelivery.objects.get()
        assert delivery.state == "pending" and delivery.attempts == 1
        assert delivery.last_error == "HTTP 500"
        # Not yet due: nothing happens.
        assert webhooks.retry_due_webhooks() == 0
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        assert webhooks.retry_due_webhooks() == 0  # 503 this time
        delivery.refresh_from_db()
        assert delivery.attempts == 2
        assert delivery.next_attempt_at > timezone.now() + datetime.timedelta(seconds=30)
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        assert webhooks.retry_due_webhooks() == 1
        delivery.refresh_from_db()
        assert delivery.state == "delivered" and delivery.attempts == 3
        assert len(sink.received) == 3


def test_a_delivery_gives_up_after_the_last_retry(world: World) -> None:
    world.ask(webhook_url="http://127.0.0.1:9/closed")
    for _ in webhooks.BACKOFF_SECONDS:
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        webhooks.retry_due_webhooks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed"
    assert delivery.attempts == len(webhooks.BACKOFF_SECONDS) + 1


def test_codes_by_email(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EGOV_CONSENT_OTP_CHANNEL = "email"
    sent = otp.issue(world.users["citizen"], CodePurpose.CABINET, via=REAL_CHANNEL())
    assert sent.channel == "email"
    assert mail.outbox[-1].to == ["citizen@example.org"]
    code = mail.outbox[-1].body.rsplit(" ", 1)[-1].rstrip(".")
    assert otp.verify(world.users["citizen"], CodePurpose.CABINET, "", code)
    assert not otp.verify(world.users["citizen"], CodePurpose.CABINET, "", code)  # used


def test_codes_by_sms_gateway(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    citizen = world.users["citizen"]
    with http_sink() as sink:
        settings.EGOV_CONSENT_OTP_CHANNEL = "sms"
        settings.EGOV_CONSENT_SMS_URL = sink.url
        settings.EGOV_CONSENT_SMS_TOKEN = "sms-secret"
        with pytest.raises(otp.CodeNotSent):
            otp.issue(citizen, CodePurpose.CABINET, via=REAL_CHANNEL())
        assert not citizen.one_time_codes.exists()  # nothing kept when nothing was sent
        CitizenSettings.objects.create(user=citizen, phone="+77011234567")
        otp.issue(citizen, CodePurpose.CABINET, via=REAL_CHANNEL())
        headers, _body = sink.received[-1]
        assert headers["authorization"] == "Bearer sms-secret"
        assert sink.json()["to"] == "+77011234567"
        code = sink.json()["text"].rsplit(" ", 1)[-1].rstrip(".")
        assert otp.verify(citizen, CodePurpose.CABINET, "", code)
        sink.answers = [502]
        with pytest.raises(otp.CodeNotSent):
            otp.issue(citizen, CodePurpose.CABINET, via=REAL_CHANNEL())


def test_codes_are_bound_expire_and_are_rate_limited(world: World) -> None:
    citizen = world.users["citizen"]
    otp.issue(citizen, CodePurpose.DECISION, "CNS-A")
    code = world.channel.last_code()
    assert not otp.verify(citizen, CodePurpose.DECISION, "CNS-B", code)  # another consent
    assert not otp.verify(world.users["neighbour"], CodePurpose.DECISION, "CNS-A", code)
    citizen.one_time_codes.update(expires_at=timezone.now())
    assert not otp.verify(citizen, CodePurpose.DECISION, "CNS-A", code)
    for _ in range(otp.MAX_CODES_PER_WINDOW - 1):
        otp.issue(citizen, CodePurpose.CABINET)
    with pytest.raises(otp.TooManyCodes):
        otp.issue(citizen, CodePurpose.CABINET)
