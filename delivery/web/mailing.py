"""Hand the notifications a request made to e-mail straight away to the background worker, once
the request has committed: RQ when Redis is configured, else this process's background thread.
The request never talks to the SMTP server. Without ``PORTFOLIO_MAIL_HOST`` nothing is sent."""

from __future__ import annotations

from flask import current_app
from sqlmodel import Session

from delivery.web.context import after_commit, extension
from mappings.assessment import mailing
from portfolio.services.notice_mail import MailContext, send_now
from portfolio.services.notifications import queued_mail


def send_after_commit(session: Session) -> None:
    """Send, after the commit, what this session's notifications are to send straight away."""
    ids = queued_mail(session)
    if ids and current_app.config.get("MAIL_HOST"):
        after_commit(lambda: start(ids))


def start(ids: list[int]) -> None:
    conf = current_app.config
    if conf.get("REDIS_URL"):  # the worker sends with its own settings
        mailing.enqueue_rq(conf["REDIS_URL"], ids)
        return
    context = MailContext.from_config(conf)
    if conf.get("READINGS_INLINE"):  # tests: after the commit, on the request's connection
        send_now(extension().session_factory, ids, context)
        return
    engine = extension().engine
    mailing.start_thread(lambda: Session(engine, expire_on_commit=False), ids, context)
