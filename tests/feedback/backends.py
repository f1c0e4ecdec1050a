"""E-mail backends that fail, for the retry tests."""

from __future__ import annotations

import smtplib

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocMemBackend


class FlakyBackend(LocMemBackend):
    """Fails the first ``FlakyBackend.failures`` sends with an SMTP error, then delivers to
    ``mail.outbox`` like the locmem backend."""

    failures = 0
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def reset(failures: int) -> None:
    FlakyBackend.failures = failures
    FlakyBackend.calls = 0
    mail.outbox = []


class RecordingSms:
    """An SMS provider that remembers what it sent."""

    sent: list[tuple[str, str]] = []

    def send_sms(self, phone: str, text: str) -> None:
        type(self).sent.append((phone, text))
