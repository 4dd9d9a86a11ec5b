"""Asking the witness of a testimony to confirm it (the route is on the evidence blueprint:
``evidence.witness_ask``): the link is e-mailed once the request has committed."""

from __future__ import annotations

import logging
import threading

from flask import current_app, flash, redirect, url_for
from werkzeug.wrappers import Response

from delivery.web.context import actor, after_commit, db
from delivery.web.evidence.views import _item_page, bp
from delivery.web.evidence.witness_panel import WitnessRequestForm
from delivery.web.forms import errors_on
from delivery.web.handler import page
from delivery.web.words import centre_zone
from portfolio.errors import Invalid
from portfolio.models import Evidence, Person
from portfolio.services import mail, witness

log = logging.getLogger(__name__)
NO_MAIL = (
    "The site cannot send e-mail yet, so the witness cannot be asked: tell your centre's "
    "administrator."
)


def link_for(token: str) -> str | None:
    """The witness's link, on ``PORTFOLIO_BASE_URL``; outside production the request's own
    address will do. None: no link can be made safely (a client chooses its Host header)."""
    base = current_app.config.get("BASE_URL")
    if base:
        return str(base).rstrip("/") + url_for("witness.answer", token=token)
    if current_app.config.get("ENV") == "production":
        log.error("PORTFOLIO_BASE_URL is not set: no witness e-mail is sent in production")
        return None
    return url_for("witness.answer", token=token, _external=True)


def _send_later(to: str, subject: str, body: str) -> None:
    settings = mail.MailSettings.from_config(current_app.config)

    def send() -> None:
        try:
            mail.send(settings, to=to, subject=subject, body=body)
        except Exception:
            log.exception("could not send the e-mail to a witness")

    after_commit(lambda: threading.Thread(target=send, daemon=True).start())


@bp.route("/evidence/<int:evidence_id>/witness", methods=["POST"])
@page()
def witness_ask(evidence_id: int) -> tuple[str, int] | Response:
    witness.may_ask(db(), actor=actor(), evidence_id=evidence_id)
    form = WitnessRequestForm()
    if form.validate_on_submit():
        with errors_on(form):
            if not current_app.config.get("MAIL_HOST"):
                raise Invalid(NO_MAIL)
            asked = witness.request(
                db(),
                actor=actor(),
                evidence_id=evidence_id,
                email=form.email.data or "",
                zone=centre_zone(),
            )
            row = asked.row
            link = link_for(asked.token)
            if link is None:
                raise Invalid("This site's address is not set (PORTFOLIO_BASE_URL): no link.")
            item = db().get(Evidence, evidence_id)
            learner = db().get(Person, item.learner_id) if item is not None else None
            subject, body = witness.message(
                learner=learner.name if learner is not None else "A learner",
                title=item.title if item is not None else "",
                link=link,
                asked_by=actor().name,
                site=str(current_app.config.get("CENTRE_NAME") or "Competence Portfolio"),
            )
            _send_later(row.witness_email, subject, body)
            earlier = (
                " The earlier link, not answered, no longer works."
                if len(asked.replaced) == 1
                else f" The {len(asked.replaced)} earlier links, not answered, no longer work."
            )
            flash(
                f"We have e-mailed {row.witness_email} a link to confirm the testimony; it works "
                f"once, for {witness.LIFETIME.days} days. {asked.shown}"
                + (earlier if asked.replaced else ""),
                "success",
            )
            return redirect(url_for("evidence.detail", evidence_id=evidence_id, _anchor="witness"))
    return _item_page(evidence_id, failed=form)
