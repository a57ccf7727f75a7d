"""Logging in through the real pages, second factor included."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def current_token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def log_in(client: Client, username: str, password: str, second_factor: bool = True) -> None:
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, f"log-in failed for {username}"
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if second_factor and device is not None:
        response = client.post(reverse("second-factor"), {"token": current_token(device)})
        assert response.status_code == 302, "second factor refused"


def log_in_demo(client: Client, username: str) -> None:
    from egov.core.demo import DEMO_PASSWORD_SUFFIX

    log_in(client, username, f"{username}{DEMO_PASSWORD_SUFFIX}")
