"""Notifications leave by real SMTP: a local SMTP server receives what the platform sends."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from egov.core.notify import notify
from egov.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[object] = []

    def handle_message(self, message: object) -> None:
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_notification_is_delivered_over_smtp(
    settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    server.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        user = UserFactory(email="approver@example.org", preferred_language="en")
        with django_capture_on_commit_callbacks(execute=True):
            notify([user], "New access request #7", "Please decide.", url="/bridge/requests/7/")
    finally:
        server.stop()
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "approver@example.org"  # type: ignore[index]
    assert message["Subject"] == "New access request #7"  # type: ignore[index]
    assert "/bridge/requests/7/" in message.get_payload()  # type: ignore[attr-defined]


def test_a_mail_server_outage_loses_no_notification(
    settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    user = UserFactory(email="x@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert notify([user], "Subject") == 1
    assert user.notifications.count() == 1
