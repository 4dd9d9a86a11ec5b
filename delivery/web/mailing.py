"""Hand the notifications a request made to e-mail straight away to the background worker, once
the request has committed: RQ when Redis is configured, else this process's background thread.
The request never talks to the SMTP server. Without ``PORTFOLIO_MAIL_HOST`` nothing is sent."""

from __future__ import annotations

from flask import current_app
from sqlmodel import Session

from delivery.web.context import after_commit, extension
from mappings.assessment import mailing
from portfolio.services.notifications import queued_mail


def send_after_commit(session: Session) -> None:
    """Send, after the commit, what this session's notifications are to send straight away."""
    ids = queued_mail(session)
    if ids and current_app.config.get("MAIL_HOST"):
        after_commit(lambda: start(ids))


def start(ids: list[int]) -> None:
    """Send where the configuration says (:func:`mappings.assessment.mailing.dispatch`): on RQ,
    or in this process's background thread on sessions of its own."""
    conf = current_app.config
    if conf.get("READINGS_INLINE"):  # tests: after the commit, on the request's connection
        mailing.dispatch(conf, ids, extension().session_factory, wait=True)
        return
    engine = extension().engine
    mailing.dispatch(conf, ids, lambda: Session(engine, expire_on_commit=False))
