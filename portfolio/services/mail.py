"""Sending e-mail through an SMTP server, with the standard library (smtplib, email)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

# header lines up to RFC 5322's limit: a long link in List-Unsubscribe stays one plain URL (with
# the default 78 it would be encoded, and mail programs could not read it)
POLICY = policy.default.clone(max_line_length=998)


class MailNotConfigured(RuntimeError):
    """No SMTP server is configured (``PORTFOLIO_MAIL_HOST``)."""


@dataclass(frozen=True)
class MailSettings:
    host: str | None
    port: int = 25
    sender: str = "portfolio@localhost"
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 20.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        return cls(
            host=config.get("MAIL_HOST") or None,
            port=int(config.get("MAIL_PORT") or 25),
            sender=str(config.get("MAIL_SENDER") or "portfolio@localhost"),
            starttls=bool(config.get("MAIL_STARTTLS")),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
        )


def compose(
    settings: MailSettings,
    *,
    to: str,
    subject: str,
    body: str,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message


def send(
    settings: MailSettings,
    *,
    to: str,
    subject: str,
    body: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Send one plain-text message; raises MailNotConfigured or the SMTP error."""
    if not settings.host:
        raise MailNotConfigured("No mail server is configured (PORTFOLIO_MAIL_HOST).")
    message = compose(settings, to=to, subject=subject, body=body, headers=headers)
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(message)
