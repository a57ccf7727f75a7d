"""One-time codes that re-confirm a citizen's identity, and the channels that deliver them.

A channel is anything with ``name`` and ``send(user, text)``: the console (demo), e-mail through
the platform's SMTP settings, or an SMS gateway spoken to over HTTP. ``EGOV_CONSENT_OTP_CHANNEL``
picks one. Codes are six digits, valid for five minutes, good for one use and five attempts, and
bound to what they confirm (the cabinet, or a decision on one consent); only a keyed hash is kept.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import secrets
import sys
from typing import Any, Protocol

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.consent.models import CitizenSettings, OneTimeCode
from egov.core.exceptions import EgovError

log = logging.getLogger(__name__)

CODE_SECONDS = 300
MAX_ATTEMPTS = 5
MAX_CODES_PER_WINDOW = 5
WINDOW = datetime.timedelta(minutes=10)


class CodeNotSent(EgovError):
    status = 503
    code = "code_not_sent"


class TooManyCodes(EgovError):
    status = 429
    code = "too_many_codes"


class Channel(Protocol):
    name: str

    def send(self, user: Any, text: str) -> None:
        """Deliver `text` to the user; raise CodeNotSent when it cannot be delivered."""


class ConsoleChannel:
    """The demo's channel: the code appears in the terminal that runs the platform."""

    name = "console"

    def send(self, user: Any, text: str) -> None:
        print(f"[one-time code for {user.get_username()}] {text}", file=sys.stdout, flush=True)


class EmailChannel:
    name = "email"

    def send(self, user: Any, text: str) -> None:
        if not user.email:
            raise CodeNotSent(_("Your account has no e-mail address to send a code to."))
        try:
            send_mail(_("Your confirmation code"), text, None, [user.email])
        except OSError as error:
            raise CodeNotSent(_("The code could not be sent; try again shortly.")) from error


class SmsGatewayChannel:
    """POST {"to": phone, "text": …} as JSON to the SMS gateway, with a bearer token."""

    name = "sms"

    def __init__(self, url: str, token: str = "", timeout: float = 5.0) -> None:
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, user: Any, text: str) -> None:
        phone = CitizenSettings.objects.filter(user=user).values_list("phone", flat=True).first()
        if not phone:
            raise CodeNotSent(_("Your account has no mobile phone number to send a code to."))
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = requests.post(
                self.url, json={"to": phone, "text": text}, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as error:
            raise CodeNotSent(_("The code could not be sent; try again shortly.")) from error
        if not 200 <= response.status_code < 300:
            log.warning("SMS gateway answered %s", response.status_code)
            raise CodeNotSent(_("The code could not be sent; try again shortly."))


def channel() -> Channel:
    name = getattr(settings, "EGOV_CONSENT_OTP_CHANNEL", "console")
    if name == "email":
        return EmailChannel()
    if name == "sms":
        return SmsGatewayChannel(
            settings.EGOV_CONSENT_SMS_URL, getattr(settings, "EGOV_CONSENT_SMS_TOKEN", "")
        )
    return ConsoleChannel()


def _digest(user_pk: int, purpose: str, target: str, code: str) -> str:
    key = hashlib.sha256(f"egov-otp:{settings.SECRET_KEY}".encode()).digest()
    message = f"{user_pk}:{purpose}:{target}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def issue(user: Any, purpose: str, target: str = "", via: Channel | None = None) -> OneTimeCode:
    """Create a code and send it; nothing is kept when sending fails."""
    now = timezone.now()
    recent = OneTimeCode.objects.filter(user=user, created_at__gte=now - WINDOW).count()
    if recent >= MAX_CODES_PER_WINDOW:
        raise TooManyCodes(_("Too many codes were requested; wait a few minutes."))
    via = via or channel()
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        # An older unused code for the same thing stops working: only the newest counts.
        OneTimeCode.objects.filter(
            user=user, purpose=purpose, target=target, used_at__isnull=True
        ).update(expires_at=now)
        found = OneTimeCode.objects.create(
            user=user,
            purpose=purpose,
            target=target,
            code_hash=_digest(user.pk, purpose, target, code),
            channel=via.name,
            expires_at=now + datetime.timedelta(seconds=CODE_SECONDS),
        )
        via.send(user, _("Your eGov confirmation code is %(code)s.") % {"code": code})
    return found


def verify(user: Any, purpose: str, target: str, code: str) -> bool:
    """True once per issued code; failed attempts count even when the caller's work is undone."""
    now = timezone.now()
    candidate = (
        OneTimeCode.objects.filter(
            user=user,
            purpose=purpose,
            target=target,
            used_at__isnull=True,
            expires_at__gt=now,
            attempts__lt=MAX_ATTEMPTS,
        )
        .order_by("-created_at")
        .first()
    )
    if candidate is None:
        return False
    expected = _digest(user.pk, purpose, target, (code or "").strip())
    if not hmac.compare_digest(expected, candidate.code_hash):
        OneTimeCode.objects.filter(pk=candidate.pk).update(attempts=F("attempts") + 1)
        return False
    # A conditional update: two requests with the same code cannot both use it.
    return (
        OneTimeCode.objects.filter(pk=candidate.pk, used_at__isnull=True).update(used_at=now) == 1
    )
