"""E-mail a request sends once its transaction has committed, outside the request (a thread),
and the set-your-password link in it (password resets, invitations). A module of its own so that
the account pages, the admin pages and the API share it."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import current_app, url_for

from delivery.web.context import after_commit
from portfolio.services import mail

log = logging.getLogger(__name__)

# the name of the threads that send: a test's mail server waits for them before it stops
SENDER_THREAD = "outbox-send"


def can_link() -> bool:
    """Whether :func:`site_link` can make a link: ``PORTFOLIO_BASE_URL`` is set, or this is not
    production (where the request's own address is used)."""
    return bool(current_app.config.get("BASE_URL")) or current_app.config.get("ENV") != "production"


def site_link(endpoint: str, what: str, **values: Any) -> str | None:
    """The link to ``endpoint`` for an e-mail, on ``PORTFOLIO_BASE_URL``. Without it, only outside
    production is the request's own address used: a client chooses its Host header, and could
    otherwise have someone's link (a password reset, a witness's) point at its own site. None:
    no link can be made safely, and the log says which e-mail (``what``) is not sent."""
    base = current_app.config.get("BASE_URL")
    if base:
        return str(base).rstrip("/") + url_for(endpoint, **values)
    if current_app.config.get("ENV") == "production":
        log.error("PORTFOLIO_BASE_URL is not set: no %s e-mail is sent in production", what)
        return None
    return url_for(endpoint, _external=True, **values)


def reset_link(token: str) -> str | None:
    """The set-your-password link of a password reset or an invitation (:func:`site_link`)."""
    return site_link("account.reset", "password-reset", token=token)


def send_later(to: str, subject: str, body: str) -> None:
    """Send after the commit, outside the request (a password-reset link: the answer takes as
    long with or without an account behind the address)."""
    send_all_later([(to, subject, body)])


def send_all_later(messages: list[tuple[str, str, str]]) -> None:
    """Send these (address, subject, body) after the commit, one after another in one thread
    outside the request (the invitations of a CSV import: one thread, however many people)."""
    settings = mail.MailSettings.from_config(current_app.config)

    def send() -> None:
        for to, subject, body in messages:
            try:
                mail.send(settings, to=to, subject=subject, body=body)
            except Exception:
                log.exception("could not send the e-mail “%s”", subject)

    if messages:
        after_commit(lambda: threading.Thread(target=send, name=SENDER_THREAD, daemon=True).start())
